#include "duration.h"

#include <stdio.h>

/* Units in the order a duration must give them: a unit may only follow a
 * larger one, so "1m1m" and "30s1m" are rejected. */
static const struct {
	char name;
	uint64_t ms;
} units[] = {
	{ 'h', 3600ULL * 1000 },
	{ 'm', 60ULL * 1000 },
	{ 's', 1000 },
};

#define N_UNITS (sizeof units / sizeof units[0])

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads the digits at *p into *n, advancing *p; 0 when there is no digit. */
static enum duration_err read_number(const char **p, uint64_t *n)
{
	const char *s = *p;
	uint64_t v = 0;

	if (!is_digit(*s))
		return DURATION_SYNTAX;
	for (; is_digit(*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return DURATION_OVERFLOW;
		v = v * 10 + d;
	}
	*p = s;
	*n = v;
	return DURATION_OK;
}

/* total += n * unit, refusing to wrap. */
static enum duration_err add_scaled(uint64_t *total, uint64_t n, uint64_t unit)
{
	if (n > UINT64_MAX / unit)
		return DURATION_OVERFLOW;
	if (*total > UINT64_MAX - n * unit)
		return DURATION_OVERFLOW;
	*total += n * unit;
	return DURATION_OK;
}

enum duration_err duration_parse(const char *s, uint64_t *ms)
{
	uint64_t total = 0, n;
	size_t next_unit = 0;
	enum duration_err err;

	if (s == NULL || *s == '\0')
		return DURATION_EMPTY;

	err = read_number(&s, &n);
	if (err != DURATION_OK)
		return err;
	if (*s == '\0') {
		err = add_scaled(&total, n, 1000);
		if (err == DURATION_OK)
			*ms = total;
		return err;
	}

	for (;;) {
		size_t u = next_unit;
		while (u < N_UNITS && units[u].name != *s)
			u++;
		if (u == N_UNITS)
			return DURATION_SYNTAX;
		err = add_scaled(&total, n, units[u].ms);
		if (err != DURATION_OK)
			return err;
		next_unit = u + 1;
		s++;
		if (*s == '\0')
			break;
		err = read_number(&s, &n);
		if (err != DURATION_OK)
			return err;
		/* A trailing bare number ("1m30") would be ambiguous. */
		if (*s == '\0')
			return DURATION_SYNTAX;
	}
	*ms = total;
	return DURATION_OK;
}

const char *duration_strerror(enum duration_err err)
{
	switch (err) {
	case DURATION_OK:
		return "a valid duration";
	case DURATION_EMPTY:
		return "the duration is empty: expected a duration such as 45s, 1m30s, 2m "
		       "or a number of seconds";
	case DURATION_SYNTAX:
		return "expected a duration such as 45s, 1m30s, 2m or a number of seconds "
		       "(units h, m, s, each at most once and in that order)";
	case DURATION_OVERFLOW:
		return "the number is too large: expected a duration such as 45s, 1m30s, 2m "
		       "or a number of seconds";
	}
	return "expected a duration such as 45s, 1m30s, 2m or a number of seconds";
}

void duration_format(uint64_t ms, char *buf, size_t size)
{
	uint64_t s = ms / 1000;

	if (size == 0)
		return;
	if (s >= 3600)
		snprintf(buf, size, "%llu:%02u:%02u", (unsigned long long)(s / 3600),
		         (unsigned)(s / 60 % 60), (unsigned)(s % 60));
	else
		snprintf(buf, size, "%u:%02u", (unsigned)(s / 60), (unsigned)(s % 60));
}
