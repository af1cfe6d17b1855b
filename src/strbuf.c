#include "strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(struct strbuf *b, size_t more)
{
	size_t want, cap;
	char *p;

	if (b->failed)
		return false;
	if (more > SIZE_MAX / 2 - b->len) {
		b->failed = true;
		return false;
	}
	want = b->len + more + 1;
	if (want <= b->cap)
		return true;
	cap = b->cap ? b->cap : 128;
	while (cap < want)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void strbuf_addn(struct strbuf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void strbuf_add(struct strbuf *b, const char *s)
{
	strbuf_addn(b, s, strlen(s));
}

void strbuf_addf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

size_t strbuf_utf8_decode(const unsigned char *s, uint32_t *cp)
{
	uint32_t c;
	size_t n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) { n = 2; c = s[0] & 0x1f; }
	else if (s[0] >= 0xe0 && s[0] <= 0xef) { n = 3; c = s[0] & 0x0f; }
	else if (s[0] >= 0xf0 && s[0] <= 0xf4) { n = 4; c = s[0] & 0x07; }
	else return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Control characters, and the invisible bidi controls that can make a
 * terminal show text in another order than it was written. */
static bool is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

void strbuf_json(struct strbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	if (!s) {
		strbuf_add(b, "null");
		return;
	}
	strbuf_add(b, "\"");
	while (*p) {
		n = strbuf_utf8_decode(p, &cp);
		if (n == 0) {
			strbuf_add(b, "\\ufffd");
			p++;
			continue;
		}
		if (cp == '"')
			strbuf_add(b, "\\\"");
		else if (cp == '\\')
			strbuf_add(b, "\\\\");
		else if (cp == '\n')
			strbuf_add(b, "\\n");
		else if (cp == '\t')
			strbuf_add(b, "\\t");
		else if (is_control(cp))
			strbuf_addf(b, "\\u%04x", (unsigned)cp);
		else
			strbuf_addn(b, (const char *)p, n);
		p += n;
	}
	strbuf_add(b, "\"");
}

void strbuf_text(struct strbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	if (!s)
		return;
	while (*p) {
		n = strbuf_utf8_decode(p, &cp);
		if (n == 0) {
			strbuf_addf(b, "\\x%02x", *p);
			p++;
			continue;
		}
		if (cp < 0x80 && is_control(cp))
			strbuf_addf(b, "\\x%02x", (unsigned)cp);
		else if (is_control(cp))
			strbuf_addf(b, "\\u%04x", (unsigned)cp);
		else
			strbuf_addn(b, (const char *)p, n);
		p += n;
	}
}

void strbuf_reset(struct strbuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void strbuf_free(struct strbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}

void strbuf_text_cell(struct strbuf *b, const char *s, size_t width)
{
	struct strbuf t = { 0 };
	size_t i = 0, chars = 0;

	strbuf_text(&t, s);
	while (t.p && t.p[i] && chars < width) {
		i++;
		while (((unsigned char)t.p[i] & 0xc0) == 0x80)
			i++;
		chars++;
	}
	if (t.p)
		strbuf_addn(b, t.p, i);
	if (t.failed)
		b->failed = true;
	for (; chars < width; chars++)
		strbuf_add(b, " ");
	strbuf_free(&t);
}
