/* Unit tests of the session log: day arithmetic, weekly figures, streaks
 * across month ends and DST changes, and reading damaged files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "history.h"

static void test_day_numbers(void **state)
{
	(void)state;
	assert_int_equal(history_day_number(1970, 1, 1), 0);
	assert_int_equal(history_day_number(1970, 1, 2), 1);
	assert_int_equal(history_day_number(2000, 3, 1) - history_day_number(2000, 2, 28), 2); /* leap */
	assert_int_equal(history_day_number(2100, 3, 1) - history_day_number(2100, 2, 28), 1); /* not leap */
	assert_int_equal(history_day_number(2026, 2, 1) - history_day_number(2026, 1, 31), 1);
	assert_int_equal(history_day_number(2027, 1, 1) - history_day_number(2026, 12, 31), 1);
}

/* Writes lines to a temporary file and reads them back. */
struct warned { size_t lines[16]; size_t n; };

static void on_warn(void *ctx, size_t line, const char *why)
{
	struct warned *w = ctx;
	(void)why;
	if (w->n < 16)
		w->lines[w->n++] = line;
}

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/warmup-history-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

#define LINE(date, status, ms) \
	"{\"start\":\"" date "\",\"routine\":\"R\",\"file\":\"f\",\"status\":\"" status "\"," \
	"\"planned_ms\":" #ms ",\"elapsed_ms\":" #ms ",\"work_ms\":1000,\"drills_completed\":1," \
	"\"drills_total\":1,\"skipped\":0,\"equipment\":\"roller\",\"fit_ms\":null,\"tender\":{}," \
	"\"version\":\"0.1.0\",\"format\":1}\n"

static void read_text(const char *text, struct history *h, struct warned *w)
{
	char *path = write_temp(text);
	memset(w, 0, sizeof *w);
	assert_int_equal(history_read(path, h, on_warn, w), 0);
	unlink(path);
	free(path);
}

static void test_streak_across_month_end(void **state)
{
	struct history h;
	struct history_stats s;
	struct warned w;

	(void)state;
	read_text(LINE("2026-01-29T07:00:00+00:00", "completed", 60000)
	          LINE("2026-01-30T07:00:00+00:00", "completed", 60000)
	          LINE("2026-01-31T23:59:00+00:00", "completed", 60000)
	          LINE("2026-02-01T00:01:00+00:00", "completed", 120000), &h, &w);
	assert_int_equal(h.n, 4);
	assert_int_equal(w.n, 0);
	history_stats(&h, history_day_number(2026, 2, 1), &s);
	assert_int_equal(s.streak, 4);
	/* 2026-02-01 is a Sunday: the week began on Monday 26 January. */
	assert_int_equal(s.this_week_sessions, 4);
	assert_int_equal(s.this_week_ms, 300000);
	assert_int_equal(s.day_ms[13], 120000);
	assert_int_equal(s.day_ms[12], 60000);
	/* Next day, nothing yet: the streak still stands; the week is new. */
	history_stats(&h, history_day_number(2026, 2, 2), &s);
	assert_int_equal(s.streak, 4);
	assert_int_equal(s.this_week_sessions, 0);
	assert_int_equal(s.last_week_sessions, 4);
	assert_int_equal(s.last_week_ms, 300000);
	/* Two days later the streak is broken. */
	history_stats(&h, history_day_number(2026, 2, 3), &s);
	assert_int_equal(s.streak, 0);
	history_free(&h);
}

static void test_streak_across_dst_change(void **state)
{
	struct history h;
	struct history_stats s;
	struct warned w;

	(void)state;
	/* Europe/London springs forward on 29 March 2026: the offsets differ
	 * but each line's own local date counts. */
	read_text(LINE("2026-03-28T23:30:00+00:00", "completed", 60000)
	          LINE("2026-03-29T00:30:00+00:00", "completed", 60000)
	          LINE("2026-03-30T00:10:00+01:00", "completed", 60000), &h, &w);
	history_stats(&h, history_day_number(2026, 3, 30), &s);
	assert_int_equal(s.streak, 3);
	assert_int_equal(s.this_week_sessions, 1);  /* Monday 30 March */
	assert_int_equal(s.last_week_sessions, 2);
	history_free(&h);
}

static void test_stopped_sessions_do_not_extend_a_streak(void **state)
{
	struct history h;
	struct history_stats s;
	struct warned w;

	(void)state;
	read_text(LINE("2026-05-01T07:00:00+02:00", "completed", 1000)
	          LINE("2026-05-02T07:00:00+02:00", "stopped", 1000)
	          LINE("2026-05-03T07:00:00+02:00", "completed", 1000), &h, &w);
	history_stats(&h, history_day_number(2026, 5, 3), &s);
	assert_int_equal(s.streak, 1);
	history_free(&h);
}

static void test_damaged_lines_are_skipped_with_their_numbers(void **state)
{
	struct history h;
	struct warned w;

	(void)state;
	read_text(LINE("2026-05-01T07:00:00+02:00", "completed", 1000)
	          "this is not json\n"
	          "{\"hello\":\"world\"}\n"
	          "\n"
	          "{\"start\":\"2026-05-02T07:00:00+02:00\",\"status\":\"completed\",\"format\":7,\"new_field\":[1]}\n"
	          LINE("2026-05-03T07:00:00+02:00", "completed", 1000)
	          "{\"start\":\"2026-05-04T07:", &h, &w);
	assert_int_equal(h.n, 3);
	assert_int_equal(w.n, 4);
	assert_int_equal(w.lines[0], 2);   /* not JSON */
	assert_int_equal(w.lines[1], 3);   /* foreign object */
	assert_int_equal(w.lines[2], 5);   /* newer format: read with a warning */
	assert_int_equal(w.lines[3], 7);   /* truncated last line */
	assert_int_equal(h.v[1].day, 2);
	history_free(&h);
}

static void test_append_round_trip(void **state)
{
	char dir[] = "/tmp/warmup-hist-XXXXXX", path[256], err[256];
	struct history_tender t = { (char *)"Calf \x1b[31m", 2, 1, 0 };
	struct history_entry e = { 0 };
	struct history h;
	struct warned w = { 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/a/b/history.jsonl", dir);
	e.start = (char *)"2026-11-25T07:00:00+01:00";
	e.routine = (char *)"Pre-run";
	e.file = (char *)"pre-run.yaml";
	e.status = (char *)"completed";
	e.equipment = (char *)"ball";
	e.version = (char *)"0.1.0";
	e.elapsed_ms = 310000;
	e.fit_ms = -1;
	e.tender = &t;
	e.n_tender = 1;
	assert_int_equal(history_append(path, &e, err, sizeof err), 0);
	assert_int_equal(history_append(path, &e, err, sizeof err), 0);
	assert_int_equal(history_read(path, &h, on_warn, &w), 0);
	assert_int_equal(h.n, 2);
	assert_int_equal(w.n, 0);
	assert_string_equal(h.v[1].equipment, "ball");
	assert_int_equal(h.v[1].elapsed_ms, 310000);
	assert_int_equal(h.v[1].fit_ms, -1);
	assert_int_equal(h.v[1].n_tender, 1);
	assert_string_equal(h.v[1].tender[0].drill, "Calf \x1b[31m");
	assert_int_equal(h.v[1].tender[0].left, 2);
	history_free(&h);
	/* A file where a folder should be: a clear error, no crash. */
	snprintf(path, sizeof path, "%s/a/b/history.jsonl/x", dir);
	assert_int_equal(history_append(path, &e, err, sizeof err), -1);
	assert_non_null(strstr(err, "history.jsonl"));
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

static void test_iso_time_has_extended_offset(void **state)
{
	char buf[40];

	(void)state;
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	history_format_time(1785000000, buf, sizeof buf);   /* July: CEST */
	assert_string_equal(buf + 19, "+02:00");
	history_format_time(1765000000, buf, sizeof buf);   /* December: CET */
	assert_string_equal(buf + 19, "+01:00");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_day_numbers),
		cmocka_unit_test(test_streak_across_month_end),
		cmocka_unit_test(test_streak_across_dst_change),
		cmocka_unit_test(test_stopped_sessions_do_not_extend_a_streak),
		cmocka_unit_test(test_damaged_lines_are_skipped_with_their_numbers),
		cmocka_unit_test(test_append_round_trip),
		cmocka_unit_test(test_iso_time_has_extended_offset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
