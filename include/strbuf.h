#ifndef WARMUP_STRBUF_H
#define WARMUP_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A growable string for building one output line at a time, and the two
 * escapers that keep routine text from ever reaching a terminal raw.
 * Allocation failure is sticky: `failed` is set and later calls do nothing.
 */

struct strbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

void strbuf_add(struct strbuf *b, const char *s);
void strbuf_addn(struct strbuf *b, const char *s, size_t n);
void strbuf_addf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A JSON string literal with its quotes, or null for NULL. Every control
 * character, DEL, C1 and bidi control becomes \uXXXX; invalid UTF-8 bytes
 * become U+FFFD. */
void strbuf_json(struct strbuf *b, const char *s);

/* Text for a terminal or log: printable UTF-8 kept, control bytes (C0, DEL)
 * shown as \xHH, C1 and bidi controls as \u0080-style, invalid bytes as \xHH. */
void strbuf_text(struct strbuf *b, const char *s);

/* strbuf_text cut or padded to exactly width characters (code points), for
 * table columns; never cuts inside a character. */
void strbuf_text_cell(struct strbuf *b, const char *s, size_t width);

/* Decodes one UTF-8 sequence at s (NUL-terminated). Returns its length and
 * sets *cp, or returns 0 for an invalid or overlong sequence (skip one byte).
 * Shared so every writer agrees on what valid UTF-8 is. */
size_t strbuf_utf8_decode(const unsigned char *s, uint32_t *cp);

void strbuf_reset(struct strbuf *b);
void strbuf_free(struct strbuf *b);

#endif
