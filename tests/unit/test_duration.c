/* The duration parser: every accepted form, every rejected form, overflow,
 * and the M:SS / H:MM:SS formatter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "duration.h"

static const struct {
	const char *in;
	uint64_t ms;
} accepted[] = {
	{ "0", 0 },
	{ "90", 90000 },
	{ "5", 5000 },
	{ "007", 7000 },
	{ "0s", 0 },
	{ "45s", 45000 },
	{ "2m", 120000 },
	{ "1m30s", 90000 },
	{ "1h", 3600000 },
	{ "1h5m", 3900000 },
	{ "1h0m1s", 3601000 },
	{ "1h30s", 3630000 },
	{ "90s", 90000 },     /* parts need not be normalised */
	{ "75m", 4500000 },
	{ "18446744073709551s", 18446744073709551000ULL },
	{ "18446744073709551", 18446744073709551000ULL },
	{ "5124095576030h25m", 18446744073709500000ULL },
};

static const struct {
	const char *in;
	enum duration_err err;
} rejected[] = {
	{ "", DURATION_EMPTY },
	{ "4x", DURATION_SYNTAX },
	{ "-5s", DURATION_SYNTAX },
	{ "-5", DURATION_SYNTAX },
	{ "+5", DURATION_SYNTAX },
	{ "+5s", DURATION_SYNTAX },
	{ "1.5.2m", DURATION_SYNTAX },
	{ "4.5", DURATION_SYNTAX },
	{ "1.5m", DURATION_SYNTAX },
	{ "1m1m", DURATION_SYNTAX },
	{ "30s1m", DURATION_SYNTAX },
	{ "1s1s", DURATION_SYNTAX },
	{ "1m30", DURATION_SYNTAX },
	{ "5 s", DURATION_SYNTAX },
	{ " 5s", DURATION_SYNTAX },
	{ "5s ", DURATION_SYNTAX },
	{ "s", DURATION_SYNTAX },
	{ "m30s", DURATION_SYNTAX },
	{ "1hm", DURATION_SYNTAX },
	{ "5S", DURATION_SYNTAX },
	{ "1d", DURATION_SYNTAX },
	{ "1ms", DURATION_SYNTAX },
	{ "0x1e", DURATION_SYNTAX },
	{ "1:30", DURATION_SYNTAX },
	{ "five", DURATION_SYNTAX },
	{ "99999999999999h", DURATION_OVERFLOW },
	{ "18446744073709551616", DURATION_OVERFLOW },
	{ "18446744073709552", DURATION_OVERFLOW },     /* seconds fit, ms do not */
	{ "99999999999999999999999s", DURATION_OVERFLOW },
	{ "5124095576030431h", DURATION_OVERFLOW },
	{ "5124095576030h26m", DURATION_OVERFLOW },     /* each part fits, the sum not */
	{ "18446744073709551s1s", DURATION_SYNTAX },    /* wrong order before overflow */
};

static void test_accepted(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
		uint64_t ms = 12345;
		enum duration_err err = duration_parse(accepted[i].in, &ms);
		if (err != DURATION_OK || ms != accepted[i].ms)
			fail_msg("'%s': err %d, %llu ms, wanted %llu", accepted[i].in, (int)err,
			         (unsigned long long)ms, (unsigned long long)accepted[i].ms);
	}
}

static void test_rejected(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof rejected / sizeof rejected[0]; i++) {
		uint64_t ms = 12345;
		enum duration_err err = duration_parse(rejected[i].in, &ms);
		if (err != rejected[i].err)
			fail_msg("'%s': err %d, wanted %d", rejected[i].in, (int)err,
			         (int)rejected[i].err);
		/* Outputs are untouched on failure. */
		assert_int_equal(ms, 12345);
	}
}

static void test_null(void **state)
{
	uint64_t ms = 1;
	(void)state;
	assert_int_equal(duration_parse(NULL, &ms), DURATION_EMPTY);
	assert_int_equal(ms, 1);
}

static void test_overflow_edge(void **state)
{
	uint64_t ms = 0;
	char buf[32];
	(void)state;
	/* The largest whole number of seconds that fits in milliseconds. */
	snprintf(buf, sizeof buf, "%llus", (unsigned long long)(UINT64_MAX / 1000));
	assert_int_equal(duration_parse(buf, &ms), DURATION_OK);
	assert_true(ms == UINT64_MAX / 1000 * 1000);
	snprintf(buf, sizeof buf, "%llus", (unsigned long long)(UINT64_MAX / 1000 + 1));
	assert_int_equal(duration_parse(buf, &ms), DURATION_OVERFLOW);
}

static void test_strerror(void **state)
{
	(void)state;
	/* Every error names the accepted forms, so a coach can fix the value. */
	const enum duration_err errs[] = { DURATION_EMPTY, DURATION_SYNTAX, DURATION_OVERFLOW };
	for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
		const char *s = duration_strerror(errs[i]);
		assert_non_null(strstr(s, "45s"));
		assert_non_null(strstr(s, "1m30s"));
		assert_non_null(strstr(s, "seconds"));
	}
	assert_non_null(strstr(duration_strerror(DURATION_OVERFLOW), "too large"));
	assert_non_null(strstr(duration_strerror(DURATION_EMPTY), "empty"));
}

static void test_format(void **state)
{
	static const struct {
		uint64_t ms;
		const char *want;
	} cases[] = {
		{ 0, "0:00" },
		{ 999, "0:00" },
		{ 1000, "0:01" },
		{ 59999, "0:59" },
		{ 60000, "1:00" },
		{ 90000, "1:30" },
		{ 600000, "10:00" },
		{ 3599999, "59:59" },
		{ 3600000, "1:00:00" },
		{ 3661000, "1:01:01" },
		{ 14400000, "4:00:00" },
		{ 36000000 * 10ULL, "100:00:00" },
	};
	char buf[32];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		duration_format(cases[i].ms, buf, sizeof buf);
		assert_string_equal(buf, cases[i].want);
	}
	/* A short buffer is cut, never overrun. */
	memset(buf, 'x', sizeof buf);
	duration_format(3661000, buf, 4);
	assert_string_equal(buf, "1:0");
	assert_int_equal(buf[4], 'x');
	duration_format(3661000, buf, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_overflow_edge),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
