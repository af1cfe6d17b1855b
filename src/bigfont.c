#include "bigfont.h"

#include <string.h>

struct glyph {
	char c;
	unsigned width;
	const char *rows[BIGFONT_ROWS];
};

static const struct glyph glyphs[] = {
	{'0', 3, {"###", "#.#", "#.#", "#.#", "###"}},
	{'1', 3, {".#.", "##.", ".#.", ".#.", "###"}},
	{'2', 3, {"###", "..#", "###", "#..", "###"}},
	{'3', 3, {"###", "..#", "###", "..#", "###"}},
	{'4', 3, {"#.#", "#.#", "###", "..#", "..#"}},
	{'5', 3, {"###", "#..", "###", "..#", "###"}},
	{'6', 3, {"###", "#..", "###", "#.#", "###"}},
	{'7', 3, {"###", "..#", "..#", "..#", "..#"}},
	{'8', 3, {"###", "#.#", "###", "#.#", "###"}},
	{'9', 3, {"###", "#.#", "###", "..#", "###"}},
	{':', 1, {".", "#", ".", "#", "."}},
};

static const struct glyph *glyph_of(char c)
{
	for (size_t i = 0; i < sizeof glyphs / sizeof glyphs[0]; i++)
		if (glyphs[i].c == c)
			return &glyphs[i];
	return NULL;
}

/* Width in pixels, gaps included; 0 for an empty string or an unknown character. */
static size_t pixel_width(const char *s)
{
	size_t w = 0;
	for (const char *p = s; *p; p++) {
		const struct glyph *g = glyph_of(*p);
		if (!g)
			return 0;
		w += g->width + (p == s ? 0 : 1);
	}
	return w;
}

size_t bigfont_width(const char *s, unsigned scale)
{
	return pixel_width(s) * 2 * scale;
}

size_t bigfont_height(unsigned scale)
{
	return (size_t)BIGFONT_ROWS * scale;
}

size_t bigfont_row(const char *s, unsigned scale, unsigned row, char *out, size_t size)
{
	size_t width = bigfont_width(s, scale);
	if (size > 0)
		out[0] = '\0';
	if (width == 0 || row >= bigfont_height(scale) || size < width + 1)
		return 0;
	unsigned y = row / scale;
	size_t x = 0;
	for (const char *p = s; *p; p++) {
		const struct glyph *g = glyph_of(*p);
		if (p != s) {
			memset(out + x, ' ', 2 * (size_t)scale);
			x += 2 * (size_t)scale;
		}
		for (unsigned gx = 0; gx < g->width; gx++) {
			memset(out + x, g->rows[y][gx] == '#' ? '#' : ' ', 2 * (size_t)scale);
			x += 2 * (size_t)scale;
		}
	}
	out[x] = '\0';
	return x;
}
