#ifndef WARMUP_FUZZ_CHECK_H
#define WARMUP_FUZZ_CHECK_H

/*
 * Checks the fuzz targets share. They are written independently of the
 * code under test (src/strbuf.c and src/routine.c have their own UTF-8
 * decoders), so that one decoder's mistake cannot hide another's.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Aborts, so libFuzzer saves the input, with the failed condition. */
#define FUZZ_ASSERT(c) ((c) ? (void)0 : fuzz_fail(#c, __FILE__, __LINE__))
_Noreturn void fuzz_fail(const char *what, const char *file, int line);

/* Strict UTF-8: no overlong forms, surrogates or values past U+10FFFF. */
bool utf8_valid(const unsigned char *s, size_t n);

/* Whether s holds a byte or code point a terminal may act on: C0, DEL or
 * C1 (as raw bytes 0x80-0x9F or as U+0080-U+009F). With allow_tab_nl, tab
 * and newline are fine (routine text may hold them; output never). */
bool has_control(const unsigned char *s, size_t n, bool allow_tab_nl);

/*
 * Whether s is exactly one JSON string literal (RFC 8259): quotes, no raw
 * byte below 0x20, only the defined escapes, \u with four hex digits and
 * surrogates in pairs. When decoded is not NULL, the literal's value is
 * written there as UTF-8 (it must hold n bytes) with its length in *dlen.
 */
bool json_string_valid(const unsigned char *s, size_t n);
bool json_string_decode(const unsigned char *s, size_t n, unsigned char *decoded, size_t *dlen);

#endif
