#ifndef WARMUP_UI_H
#define WARMUP_UI_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "plan.h"
#include "session.h"

/*
 * What a front end implements. run.c owns the loop: it advances the
 * session, hands every event to the front end, and asks it to wait until
 * the next deadline. The front end never sees YAML or the session's
 * internals; it reads the plan and the events.
 */

enum ui_format { UI_FORMAT_TEXT, UI_FORMAT_JSONL };

struct ui_config {
	const struct plan *plan;
	const char *file;       /* the routine's path, for display and JSON */
	enum ui_format format;  /* headless only */
	bool wall;              /* headless: add wall_ms (false with --instant) */
	bool bell;
	bool color;
};

/* The loop's verdict after wait(): a command, or one of these. */
enum { UI_WAKE = -1,        /* the deadline came, or a frame is due */
       UI_QUIT_IO = -2 };   /* output is gone (EPIPE): end quietly */

struct ui_ops {
	/* Returns 0, or -1 when the front end cannot start (message already queued). */
	int (*start)(void **state, const struct ui_config *cfg);
	/* One engine event; wall_ms is real ms since the session started. */
	void (*event)(void *state, const struct event *ev, uint64_t wall_ms);
	/* Waits until the clock reaches deadline, a key is pressed or a signal
	 * arrives. Returns a session command (enum session_cmd) or UI_WAKE /
	 * UI_QUIT_IO. The session state is given for display only. */
	int (*wait)(void *state, struct clock *c, const struct session *s, uint64_t deadline);
	/* Restores the terminal and prints the summary. Returns 0 or -1 on an
	 * output error. */
	int (*finish)(void *state, const struct session *s);
};

extern const struct ui_ops ui_headless_ops;
extern const struct ui_ops ui_curses_ops;

#endif
