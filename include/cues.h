#ifndef WARMUP_CUES_H
#define WARMUP_CUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "session.h"

/*
 * Hands-free cues: `run --say` speaks through an external program and
 * `run --on-event CMD` runs a command for every event. Both start child
 * processes with posix_spawn (never a shell) and never wait for them while
 * the session runs, so however slow a speaker or hook is, the timer keeps
 * its time. run.c feeds events in and calls cues_turn once per loop turn;
 * cli.c creates, finishes and frees, and prints the warnings, since this
 * module never prints (the full screen may own the terminal).
 *
 * Speech: the program is $WARMUP_SAY (split into words by words_split),
 * else the first of espeak-ng, espeak, say, spd-say on PATH. The text
 * (speech.h chooses it; utterances of one instant are joined) is cleaned by
 * speech_clean and passed as one last argument. A new utterance cuts the
 * one still speaking short (SIGTERM to its process group): the new one
 * matters more, and an older one not yet started is dropped.
 *
 * Hooks: each event starts CMD with the event's JSON line (event_json.h)
 * on its standard input through a pipe written without blocking and then
 * closed, and WARMUP_EVENT=<event name> in its environment. Hooks run side
 * by side; while CUES_MAX_HOOKS are still running, further events are not
 * passed on (one warning says so).
 *
 * Children run in their own process group with default signal actions.
 * Speech programs get /dev/null for all three streams; hooks write to
 * warmup's standard error (their stdout too, so they never mix with JSON
 * Lines on stdout), or to /dev/null when the full screen is up. Exits
 * other than 0 become warnings, one per distinct failure.
 */

#define CUES_MAX_HOOKS      16
#define CUES_FINISH_WAIT_MS 2000

struct cues_config {
	const struct plan *plan;
	const char *file;       /* the routine's path, for session_start */
	bool wall;              /* hook lines carry wall_ms */
	bool say;               /* --say */
	const char *say_cmd;    /* $WARMUP_SAY, or NULL */
	const char *hook;       /* the --on-event command line, or NULL */
	bool quiet;             /* the full screen owns the terminal */
	bool dry;               /* --instant: check the hook, start nothing */
};

enum cues_err {
	CUES_OK,
	CUES_ERR_HOOK,          /* the hook's command line is empty, malformed or names
	                         * no program that can run: see the message */
	CUES_ERR_NOMEM,
};

struct cues;

/*
 * Prepares cues: splits the command lines and finds the programs, so a
 * missing hook is one error now rather than one per event. A missing
 * speech program is not an error: a warning is queued and the session
 * runs silently. On failure *out is untouched and err holds a sentence.
 */
enum cues_err cues_new(const struct cues_config *cfg, struct cues **out, char *err, size_t errsize);

/* One engine event, with the real ms since the session started. */
void cues_event(struct cues *c, const struct event *ev, uint64_t wall_ms);

/* Once per loop turn: reaps finished children (no zombies) and speaks
 * what the last events asked for. Never blocks. */
void cues_turn(struct cues *c);

/*
 * After the session: waits at most CUES_FINISH_WAIT_MS for the last
 * utterance and the hooks still running (none of that with hurry, as after
 * a signal), then stops speech still going and reaps it. Hooks still running
 * are left to finish on their own.
 */
void cues_finish(struct cues *c, bool hurry);

/* The next warning not yet taken (a sentence without "warmup: "), or NULL.
 * Valid until cues_free. */
const char *cues_next_warning(struct cues *c);

void cues_free(struct cues *c);

#endif
