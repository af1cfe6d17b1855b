#ifndef WARMUP_DURATION_H
#define WARMUP_DURATION_H

#include <stddef.h>
#include <stdint.h>

/*
 * Durations as coaches write them: a bare count of seconds ("90") or one or
 * more number-unit parts with units h, m, s, each unit at most once and in
 * that order ("45s", "1m30s", "2h"). No sign, no fraction, no spaces.
 */

enum duration_err {
	DURATION_OK,
	DURATION_EMPTY,     /* "" */
	DURATION_SYNTAX,    /* not one of the accepted forms */
	DURATION_OVERFLOW,  /* a number too large to represent */
};

/* Parses s into milliseconds. On error *ms is left untouched. */
enum duration_err duration_parse(const char *s, uint64_t *ms);

/* A sentence naming the accepted forms, for error messages. */
const char *duration_strerror(enum duration_err err);

/* Formats ms as M:SS (or H:MM:SS from one hour), rounding down to seconds. */
void duration_format(uint64_t ms, char *buf, size_t size);

#endif
