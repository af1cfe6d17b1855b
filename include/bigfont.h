#ifndef WARMUP_BIGFONT_H
#define WARMUP_BIGFONT_H

#include <stddef.h>

/*
 * The block font of the session countdown, as plain data so it can be
 * tested without a terminal. A glyph is BIGFONT_ROWS pixels tall; digits are
 * 3 pixels wide and ':' is 1. Drawn at scale s, a pixel is s rows tall and
 * 2*s cells wide (terminal cells are about twice as tall as they are wide),
 * and glyphs are one pixel apart.
 */

#define BIGFONT_ROWS 5

/* Cells across s at scale, or 0 when s is empty or holds a character
 * without a glyph (only 0-9 and ':' have one). */
size_t bigfont_width(const char *s, unsigned scale);

/* Rows down at scale. */
size_t bigfont_height(unsigned scale);

/*
 * Writes cell row `row` (0 to bigfont_height(scale) - 1) of s at scale into
 * out as '#' for ink and ' ' for blank, NUL-terminated. Returns the width,
 * or 0 (out set to "" when size allows) when s has no glyphs, row is out of
 * range or out is smaller than the width plus one.
 */
size_t bigfont_row(const char *s, unsigned scale, unsigned row, char *out, size_t size);

#endif
