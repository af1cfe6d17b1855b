#ifndef WARMUP_CLOCK_H
#define WARMUP_CLOCK_H

#include <stdint.h>
#include <time.h>

/*
 * The session's clock, chosen by the front end and faked in tests.
 * Timeline time is what the engine sees; wall time is real time since the
 * clock started. Real: both advance together. Scaled (--speed X): the
 * timeline runs X times faster. Virtual (--instant): no real waiting; the
 * timeline jumps straight to each deadline.
 */

enum clock_kind { CLOCK_KIND_REAL, CLOCK_KIND_SCALED, CLOCK_KIND_VIRTUAL };

struct clock {
	enum clock_kind kind;
	double speed;               /* timeline ms per real ms; 1 for real */
	struct timespec start;      /* CLOCK_MONOTONIC at clock_start */
	uint64_t virtual_now;       /* timeline ms, virtual clock only */
};

void clock_start(struct clock *c, enum clock_kind kind, double speed);

/* Timeline ms since clock_start. */
uint64_t clock_now(const struct clock *c);

/* Real ms since clock_start (0 for a virtual clock). */
uint64_t clock_wall_ms(const struct clock *c);

/*
 * Sleeps until the timeline reaches at (absolute, so no drift). Returns 0
 * when it got there, -1 when a signal woke it first (errno EINTR). A virtual
 * clock just jumps to at.
 */
int clock_sleep_until(struct clock *c, uint64_t at);

/* Real ms to wait until the timeline reaches at, rounded up; 0 if past;
 * -1 for "forever" (at == UINT64_MAX). For poll() timeouts. */
int clock_ms_until(const struct clock *c, uint64_t at);

#endif
