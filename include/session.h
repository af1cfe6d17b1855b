#ifndef WARMUP_SESSION_H
#define WARMUP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"

/*
 * The session engine: a pure state machine over a plan. It never reads a
 * clock, sleeps or prints. The caller passes the time, `now` in milliseconds
 * since the session started (paused time included), and the engine reports
 * through the emit callback every event due up to then, in order. Event
 * times are absolute on that timeline, so nothing drifts: a front end sleeps
 * until session_next_deadline() and calls session_advance() again.
 *
 * Pausing, extending, skipping and going back shift the rest of the
 * timeline; the plan itself never changes.
 *
 * Events due at the same instant come in this order: phase_end, the next
 * phase_start, movement, prompts (in routine order), linger, countdown.
 */

enum event_kind {
	EV_SESSION_START,
	EV_PHASE_START,
	EV_CUE,
	EV_COUNTDOWN,   /* 3, 2, 1 seconds before a phase ends */
	EV_PHASE_END,
	EV_PAUSE,
	EV_RESUME,
	EV_TENDER,      /* the runner marked a tender spot; a linger cue follows */
	EV_SESSION_END,
	EV__COUNT
};

enum cue_kind { CUE_MOVEMENT, CUE_PROMPT, CUE_LINGER };

enum phase_status { PHASE_COMPLETED, PHASE_SKIPPED };

enum session_status { SESSION_RUNNING, SESSION_COMPLETED, SESSION_STOPPED, SESSION_INTERRUPTED };

struct event {
	enum event_kind kind;
	uint64_t t;                 /* when it was due on the timeline */
	size_t phase;               /* index into plan->phases (the current one) */
	/* EV_CUE */
	enum cue_kind cue;
	const char *text;           /* borrowed from the routine; EV_CUE only */
	unsigned step;              /* movement step index, CUE_MOVEMENT only */
	/* EV_COUNTDOWN: seconds left (3, 2, 1) */
	unsigned seconds;
	/* EV_PHASE_END */
	enum phase_status phase_status;
	/* EV_SESSION_END */
	enum session_status status;
	uint64_t elapsed_ms, work_ms;
};

typedef void (*session_emit_fn)(void *ctx, const struct event *ev);

enum session_cmd {
	CMD_PAUSE, CMD_RESUME, CMD_TOGGLE_PAUSE,
	CMD_SKIP,       /* end the phase now, as skipped */
	CMD_BACK,       /* restart the phase (at its planned length); in its
	                 * first 2 s, go to the previous one; no phase_end */
	CMD_EXTEND,     /* +10 s to the current phase; the countdown restarts */
	CMD_STOP,       /* end the session, status stopped */
	CMD_INTERRUPT,  /* end the session, status interrupted (a signal) */
	CMD_TENDER,     /* mark a tender spot; only during a work bout */
	CMD__COUNT
};

struct session_totals {
	uint64_t planned_ms, elapsed_ms, work_ms;
	unsigned phases_completed, phases_skipped, phases_not_reached;
	unsigned drills_completed;  /* drills whose every work bout completed */
	unsigned *tender;           /* [drill * 3 + side], counts of tender marks */
};

struct session;

/* Starts nothing yet: the first session_advance(s, 0) emits session_start. */
struct session *session_new(const struct plan *p, session_emit_fn emit, void *ctx);
void session_free(struct session *s);

/* Emits every event due at or before now. now must never decrease. */
void session_advance(struct session *s, uint64_t now);

/*
 * Applies a command at now (advancing to now first). Returns false when the
 * command does not apply (resume while running, tender outside work, any
 * command after the end) and then changes nothing.
 */
bool session_command(struct session *s, enum session_cmd cmd, uint64_t now);

/* When the next event is due; UINT64_MAX while paused or after the end. */
uint64_t session_next_deadline(const struct session *s);

bool session_done(const struct session *s);
bool session_paused(const struct session *s);

/* Where the session stands at now, for a front end's display. */
struct session_view {
	size_t phase;
	uint64_t phase_elapsed_ms, phase_remaining_ms, phase_len_ms;
	uint64_t session_remaining_ms;
	bool paused;
};
void session_view(const struct session *s, uint64_t now, struct session_view *v);

const struct session_totals *session_totals(const struct session *s);

const char *event_kind_name(enum event_kind k);      /* "phase_start", ... */
const char *cue_kind_name(enum cue_kind k);          /* "movement", ... */
const char *session_status_name(enum session_status s);
const char *phase_status_name(enum phase_status s);

#endif
