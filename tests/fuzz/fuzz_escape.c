/*
 * libFuzzer target: the two escapers every line of output goes through.
 * strbuf_json must give exactly one valid JSON string literal, free of raw
 * control bytes, whose value is the input with each invalid UTF-8 byte
 * replaced by U+FFFD. strbuf_text must give valid UTF-8 free of control
 * characters and bidi controls, and leave text that has none unchanged.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as strbuf_json should decode: invalid bytes as U+FFFD. */
static size_t expected_json_value(const unsigned char *s, size_t n, unsigned char *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		size_t w = 1;
		/* The longest valid sequence starting here, tried from 1 to 4. */
		while (w <= 4 && (i + w > n || !utf8_valid(s + i, w)))
			w++;
		if (w > 4) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		} else {
			memcpy(out + o, s + i, w);
			o += w;
			i += w;
		}
	}
	return o;
}

/* The bidi controls (U+200E, U+200F, U+202A-E, U+2066-9), which both
 * escapers must also write as escapes: they reorder what a terminal shows. */
static bool has_bidi(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i + 2 < n; i++)
		if (s[i] == 0xe2 && s[i + 1] == 0x80 && (s[i + 2] == 0x8e || s[i + 2] == 0x8f ||
		                                          (s[i + 2] >= 0xaa && s[i + 2] <= 0xae)))
			return true;
		else if (s[i] == 0xe2 && s[i + 1] == 0x81 && s[i + 2] >= 0xa6 && s[i + 2] <= 0xa9)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	unsigned char *want, *got;
	struct strbuf b = { 0 };
	size_t len, want_len, got_len = 0;

	FUZZ_ASSERT(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);    /* the escapers take C strings: stop at a NUL */

	strbuf_json(&b, s);
	FUZZ_ASSERT(!b.failed);
	FUZZ_ASSERT(b.len == strlen(b.p));
	FUZZ_ASSERT(!has_control((const unsigned char *)b.p, b.len, false));
	FUZZ_ASSERT(!has_bidi((const unsigned char *)b.p, b.len));
	got = malloc(b.len);
	want = malloc(len * 3 + 1);
	FUZZ_ASSERT(got != NULL && want != NULL);
	FUZZ_ASSERT(json_string_decode((const unsigned char *)b.p, b.len, got, &got_len));
	want_len = expected_json_value((const unsigned char *)s, len, want);
	FUZZ_ASSERT(got_len == want_len && memcmp(got, want, got_len) == 0);
	free(got);
	free(want);

	strbuf_reset(&b);
	strbuf_text(&b, s);
	FUZZ_ASSERT(!b.failed || len == 0);
	if (b.p != NULL) {
		FUZZ_ASSERT(b.len == strlen(b.p));
		FUZZ_ASSERT(utf8_valid((const unsigned char *)b.p, b.len));
		FUZZ_ASSERT(!has_control((const unsigned char *)b.p, b.len, false));
		FUZZ_ASSERT(!has_bidi((const unsigned char *)b.p, b.len));
		if (utf8_valid((const unsigned char *)s, len) &&
		    !has_control((const unsigned char *)s, len, false) &&
		    !has_bidi((const unsigned char *)s, len))
			FUZZ_ASSERT(b.len == len && memcmp(b.p, s, len) == 0);
	} else {
		FUZZ_ASSERT(len == 0);
	}

	/* NULL is JSON null and no text. */
	strbuf_reset(&b);
	strbuf_json(&b, NULL);
	FUZZ_ASSERT(b.len == 4 && memcmp(b.p, "null", 4) == 0);

	strbuf_free(&b);
	free(s);
	return 0;
}
