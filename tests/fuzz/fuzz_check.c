#include "fuzz_check.h"

#include <stdio.h>
#include <stdlib.h>

void fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	abort();
}

/* Length of the UTF-8 sequence at s and its code point, or 0. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c, min;

	if (n == 0)
		return 0;
	if (s[0] <= 0x7f) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc0 && s[0] <= 0xdf) {
		len = 2, c = s[0] & 0x1fu, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3, c = s[0] & 0x0fu, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf7) {
		len = 4, c = s[0] & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
		c = c << 6 | (s[i] & 0x3fu);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, w;
	uint32_t cp;

	while (i < n) {
		w = utf8_next(s + i, n - i, &cp);
		if (w == 0)
			return false;
		i += w;
	}
	return true;
}

bool has_control(const unsigned char *s, size_t n, bool allow_tab_nl)
{
	size_t i = 0, w;
	uint32_t cp;

	while (i < n) {
		w = utf8_next(s + i, n - i, &cp);
		if (w == 0) {
			if (s[i] >= 0x80 && s[i] <= 0x9f)
				return true;
			i++;
			continue;
		}
		if (cp < 0x20 && !(allow_tab_nl && (cp == '\t' || cp == '\n')))
			return true;
		if (cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
			return true;
		i += w;
	}
	return false;
}

static int hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool read_u16(const unsigned char *s, size_t n, size_t i, uint32_t *v)
{
	*v = 0;
	if (n - i < 4)
		return false;
	for (size_t k = 0; k < 4; k++) {
		int h = hex(s[i + k]);
		if (h < 0)
			return false;
		*v = *v << 4 | (uint32_t)h;
	}
	return true;
}

static void put_utf8(unsigned char *o, size_t *len, uint32_t c)
{
	if (c < 0x80) {
		o[(*len)++] = (unsigned char)c;
	} else if (c < 0x800) {
		o[(*len)++] = (unsigned char)(0xc0 | c >> 6);
		o[(*len)++] = (unsigned char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		o[(*len)++] = (unsigned char)(0xe0 | c >> 12);
		o[(*len)++] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		o[(*len)++] = (unsigned char)(0x80 | (c & 0x3f));
	} else {
		o[(*len)++] = (unsigned char)(0xf0 | c >> 18);
		o[(*len)++] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
		o[(*len)++] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		o[(*len)++] = (unsigned char)(0x80 | (c & 0x3f));
	}
}

bool json_string_decode(const unsigned char *s, size_t n, unsigned char *out, size_t *dlen)
{
	size_t i = 1, len = 0;

	if (n < 2 || s[0] != '"' || !utf8_valid(s, n))
		return false;
	while (i < n && s[i] != '"') {
		uint32_t c, lo;

		if (s[i] < 0x20)
			return false;
		if (s[i] != '\\') {
			if (out)
				out[len] = s[i];
			len++;
			i++;
			continue;
		}
		if (++i == n)
			return false;
		switch (s[i]) {
		case '"': c = '"'; break;
		case '\\': c = '\\'; break;
		case '/': c = '/'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			if (!read_u16(s, n, i + 1, &c))
				return false;
			i += 4;
			if (c >= 0xdc00 && c <= 0xdfff)
				return false;
			if (c >= 0xd800 && c <= 0xdbff) {
				if (n - i < 7 || s[i + 1] != '\\' || s[i + 2] != 'u' ||
				    !read_u16(s, n, i + 3, &lo) || lo < 0xdc00 || lo > 0xdfff)
					return false;
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i += 6;
			}
			break;
		default:
			return false;
		}
		i++;
		if (out) {
			put_utf8(out, &len, c);
		} else {
			unsigned char tmp[4];
			size_t t = 0;
			put_utf8(tmp, &t, c);
			len += t;
		}
	}
	/* The closing quote, and nothing after it. */
	if (i != n - 1)
		return false;
	if (dlen)
		*dlen = len;
	return true;
}

bool json_string_valid(const unsigned char *s, size_t n)
{
	return json_string_decode(s, n, NULL, NULL);
}
