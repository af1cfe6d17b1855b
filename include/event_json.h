#ifndef WARMUP_EVENT_JSON_H
#define WARMUP_EVENT_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "plan.h"
#include "session.h"
#include "strbuf.h"

/*
 * The JSON Lines contract of `warmup run --format jsonl`, written in one
 * place: the headless front end prints these lines and --on-event hooks
 * read the very same line on their standard input.
 */

/*
 * Appends ev as one JSON object and its newline to b. file is the routine's
 * path as given; wall adds "wall_ms" (real time runs; not with --instant).
 */
void event_json(struct strbuf *b, const struct plan *p, const char *file, bool wall,
                const struct event *ev, uint64_t wall_ms);

#endif
