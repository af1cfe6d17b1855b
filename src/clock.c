#include "clock.h"

#include <errno.h>
#include <stdint.h>
#include <time.h>

static uint64_t ts_ms_since(const struct timespec *from, const struct timespec *to)
{
	int64_t ns = (int64_t)(to->tv_sec - from->tv_sec) * 1000000000 + (to->tv_nsec - from->tv_nsec);
	return ns > 0 ? (uint64_t)ns / 1000000 : 0;
}

static struct timespec ts_add_ms(struct timespec t, double ms)
{
	int64_t ns = t.tv_nsec + (int64_t)(ms * 1e6);
	t.tv_sec += ns / 1000000000;
	t.tv_nsec = ns % 1000000000;
	return t;
}

void clock_start(struct clock *c, enum clock_kind kind, double speed)
{
	c->kind = kind;
	c->speed = kind == CLOCK_KIND_SCALED ? speed : 1.0;
	c->virtual_now = 0;
	clock_gettime(CLOCK_MONOTONIC, &c->start);
}

uint64_t clock_wall_ms(const struct clock *c)
{
	struct timespec now;

	if (c->kind == CLOCK_KIND_VIRTUAL)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return ts_ms_since(&c->start, &now);
}

uint64_t clock_now(const struct clock *c)
{
	struct timespec now;
	double ns;

	if (c->kind == CLOCK_KIND_VIRTUAL)
		return c->virtual_now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (double)(now.tv_sec - c->start.tv_sec) * 1e9 + (double)(now.tv_nsec - c->start.tv_nsec);
	return ns > 0 ? (uint64_t)(ns * c->speed / 1e6) : 0;
}

/* The real instant at which the timeline reaches `at`. */
static struct timespec real_instant(const struct clock *c, uint64_t at)
{
	return ts_add_ms(c->start, (double)at / c->speed);
}

int clock_sleep_until(struct clock *c, uint64_t at)
{
	struct timespec when;
	int rc;

	if (c->kind == CLOCK_KIND_VIRTUAL) {
		if (at != UINT64_MAX && at > c->virtual_now)
			c->virtual_now = at;
		return 0;
	}
	if (at == UINT64_MAX) {
		/* Nothing is due: wait for a signal. */
		struct timespec day = { 86400, 0 };
		if (nanosleep(&day, NULL) == -1)
			return -1;
		return 0;
	}
	when = real_instant(c, at);
	/* Converting back may land a hair early; sleep again until the
	 * timeline really reads `at`, so the caller never sees it short. */
	do {
		rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &when, NULL);
		if (rc == EINTR) {
			errno = EINTR;
			return -1;
		}
		when = ts_add_ms(when, 0.05);
	} while (clock_now(c) < at);
	return 0;
}

int clock_ms_until(const struct clock *c, uint64_t at)
{
	uint64_t now;
	double real;

	if (at == UINT64_MAX)
		return -1;
	if (c->kind == CLOCK_KIND_VIRTUAL)
		return 0;
	now = clock_now(c);
	if (now >= at)
		return 0;
	real = (double)(at - now) / c->speed;
	if (real > 86400000.0)
		return 86400000;
	return (int)real + 1;
}
