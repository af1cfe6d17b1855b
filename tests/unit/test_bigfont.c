#include "bigfont.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

static void test_widths(void **state)
{
	(void)state;
	static const struct { const char *s; unsigned scale; size_t width; } cases[] = {
		{"0", 1, 6},
		{"0:45", 1, 26},      /* 3+1+1+1+3+1+3 pixels, 2 cells each */
		{"10:00", 1, 34},
		{"0:45", 2, 52},
		{"1:00:00", 1, 2 * (3 + 1 + 1 + 1 + 3 + 1 + 3 + 1 + 1 + 1 + 3 + 1 + 3)},
		{"", 1, 0},
		{"0:4x", 1, 0},
		{"-1", 1, 0},
		{"0", 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(bigfont_width(cases[i].s, cases[i].scale), cases[i].width);
	assert_int_equal(bigfont_height(1), 5);
	assert_int_equal(bigfont_height(3), 15);
}

static void test_rows_scale_1(void **state)
{
	(void)state;
	static const char *want[BIGFONT_ROWS] = {
		"######      ##  ##  ######",
		"##  ##  ##  ##  ##  ##    ",
		"##  ##      ######  ######",
		"##  ##  ##      ##      ##",
		"######          ##  ######",
	};
	char buf[64];
	for (unsigned r = 0; r < BIGFONT_ROWS; r++) {
		assert_int_equal(bigfont_row("0:45", 1, r, buf, sizeof buf), 26);
		assert_string_equal(buf, want[r]);
	}
}

static void test_rows_scale_2(void **state)
{
	(void)state;
	char small[16], big[16];
	for (unsigned r = 0; r < bigfont_height(2); r++) {
		assert_int_equal(bigfont_row("7", 2, r, big, sizeof big), 12);
		bigfont_row("7", 1, r / 2, small, sizeof small);
		/* Every pixel doubles in both directions. */
		for (size_t x = 0; x < 12; x++)
			assert_int_equal(big[x], small[x / 2]);
	}
}

/* A reader tells the digits apart only if no two share a pattern. */
static void test_digits_distinct(void **state)
{
	(void)state;
	char pat[10][BIGFONT_ROWS * 8];
	for (int d = 0; d < 10; d++) {
		char s[2] = {(char)('0' + d), '\0'}, row[8];
		pat[d][0] = '\0';
		for (unsigned r = 0; r < BIGFONT_ROWS; r++) {
			assert_int_equal(bigfont_row(s, 1, r, row, sizeof row), 6);
			strcat(pat[d], row);
		}
		for (int e = 0; e < d; e++)
			assert_string_not_equal(pat[d], pat[e]);
	}
}

static void test_refusals(void **state)
{
	(void)state;
	char buf[32];
	strcpy(buf, "junk");
	assert_int_equal(bigfont_row("0:45", 1, 5, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	assert_int_equal(bigfont_row("0:45", 1, 0, buf, 26), 0);  /* no room for the NUL */
	assert_int_equal(bigfont_row("0:45", 1, 0, buf, 27), 26);
	assert_int_equal(bigfont_row("a", 1, 0, buf, sizeof buf), 0);
	assert_int_equal(bigfont_row("", 1, 0, buf, sizeof buf), 0);
	assert_int_equal(bigfont_row("1", 1, 0, buf, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_rows_scale_1),
		cmocka_unit_test(test_rows_scale_2),
		cmocka_unit_test(test_digits_distinct),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
