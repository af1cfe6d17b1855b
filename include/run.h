#ifndef WARMUP_RUN_H
#define WARMUP_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "cues.h"
#include "session.h"
#include "ui.h"

/*
 * The session loop: advances the engine on the clock, hands events to a
 * front end and sleeps until the next deadline. Shared by both front ends.
 */

struct run_result {
	enum session_status status;
	int signal;                     /* the terminating signal, or 0 */
	bool ui_failed;                 /* the front end could not start */
	bool io_error;                  /* output went away (EPIPE, full disk) */
	bool started_work;              /* a work phase began */
	struct session_totals totals;   /* tender points into owned memory */
};

/*
 * Runs the whole session. cues (may be NULL) gets every event after the
 * front end and a turn each time round the loop; the caller finishes and
 * frees it. Returns 0, or -1 when out of memory.
 */
int run_session(const struct plan *p, const struct ui_ops *ops, const struct ui_config *cfg,
                struct clock *c, struct cues *cues, struct run_result *res);

void run_result_free(struct run_result *res);

#endif
