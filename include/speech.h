#ifndef WARMUP_SPEECH_H
#define WARMUP_SPEECH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "session.h"
#include "strbuf.h"

/*
 * What `warmup run --say` says, chosen from the engine's events. Pure: no
 * I/O, no clock; cues.c hands the text to a speech program.
 *
 *   lead-in         "Get ready. First: DRILL."
 *   work            "DRILL, left side, forty-five seconds."  (no side: no "side")
 *   switch          "Switch sides."
 *   rest            "Rest. Next: DRILL."
 *   movement cue    its text, at most once per bout (see below)
 *   prompt, linger  their text
 *   countdown       "Three." "Two." "One." at the end of work bouts only
 *   pause, resume   "Paused." "Resumed."
 *   session end     "Session complete." or "Session stopped." (nothing when
 *                   interrupted by a signal: the runner wants out)
 *
 * Movement rule: the steps alternate every couple of seconds as a rhythm
 * the screen shows; spoken, they would drown everything else. So a bout
 * speaks at most one movement cue, its first, and only when its text
 * means something other than the movement last spoken (compared on
 * letters and digits, ignoring case), so the second side of a drill does
 * not repeat the first side's instruction, and going back does not repeat
 * it either.
 *
 * Routine text is read as written except that a slash becomes "and" and a
 * dash between spaces becomes a comma, which speech programs would
 * otherwise read as "slash" and "minus".
 */

struct speech {
	const struct plan *plan;        /* borrowed */
	bool moved;                     /* a movement cue was spoken this bout */
	const char *last_movement;      /* borrowed from the routine, or NULL */
};

void speech_init(struct speech *sp, const struct plan *p);

/* Appends what to say for ev to out (nothing for most events). */
void speech_event(struct speech *sp, const struct event *ev, struct strbuf *out);

/* n in English words: 0 "zero" to 999999, "forty-five"; larger as digits. */
void speech_number(struct strbuf *out, unsigned long n);

/* A length in whole seconds as words: "forty-five seconds", "one minute",
 * "one minute thirty seconds", "one hour five minutes". */
void speech_duration(struct strbuf *out, uint64_t ms);

/*
 * Makes text safe to hand to a speech program as one argument: every
 * control character (C0, DEL, C1) and every invalid UTF-8 byte is removed;
 * tabs, newlines and other line breaks become a space; runs of spaces
 * become one, and leading and trailing spaces go.
 */
void speech_clean(struct strbuf *out, const char *text);

#endif
