#include "report.h"

#include <string.h>

#include "duration.h"
#include "strbuf.h"

static void put_text(FILE *f, const char *s, int width)
{
	struct strbuf b = { 0 };

	strbuf_text_cell(&b, s, (size_t)width);
	if (b.p)
		fputs(b.p, f);
	strbuf_free(&b);
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
	/* The inverse of history_day_number. */
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static void sessions_table(FILE *f, const struct history *h)
{
	char when[17], time[16];
	size_t i;

	fprintf(f, "%-16s  %-30s  %-11s  %7s\n", "DATE", "ROUTINE", "STATUS", "TIME");
	for (i = 0; i < h->n; i++) {
		const struct history_entry *e = &h->v[i];

		/* "2026-11-25T07:12:00+01:00" -> "2026-11-25 07:12" */
		snprintf(when, sizeof when, "%.10s %.5s", e->start, strlen(e->start) >= 16 ? e->start + 11 : "");
		duration_format(e->elapsed_ms, time, sizeof time);
		put_text(f, when, 16);
		fputs("  ", f);
		put_text(f, e->routine, 30);
		fputs("  ", f);
		put_text(f, e->status, 11);
		fprintf(f, "  %7s\n", time);
	}
}

static void chart(FILE *f, const struct history_stats *s, long today)
{
	static const char *const wday[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	uint64_t most = 0;
	int i, y, m, d;

	for (i = 0; i < 14; i++)
		if (s->day_ms[i] > most)
			most = s->day_ms[i];
	fputs("\nLast 14 days (minutes rolling)\n", f);
	for (i = 0; i < 14; i++) {
		long day = today - 13 + i;
		unsigned bar = most ? (unsigned)((s->day_ms[i] * 40 + most - 1) / most) : 0;
		unsigned minutes = (unsigned)((s->day_ms[i] + 30000) / 60000);

		civil_from_days(day, &y, &m, &d);
		fprintf(f, "%s %02d-%02d |", wday[((day % 7) + 7 + 3) % 7], m, d);
		while (bar--)
			fputc('#', f);
		if (s->day_ms[i])
			fprintf(f, " %u", minutes);
		fputc('\n', f);
	}
}

/* Left/right counts per drill over the sessions shown. */
static void tender_table(FILE *f, const struct history *h)
{
	struct row { const char *drill; unsigned left, right, none; } rows[64];
	size_t n = 0, i, j, k;

	for (i = 0; i < h->n; i++)
		for (j = 0; j < h->v[i].n_tender; j++) {
			const struct history_tender *t = &h->v[i].tender[j];

			for (k = 0; k < n && strcmp(rows[k].drill, t->drill) != 0; k++)
				;
			if (k == n) {
				if (n == sizeof rows / sizeof rows[0])
					continue;
				rows[n++] = (struct row){ t->drill, 0, 0, 0 };
			}
			rows[k].left += t->left;
			rows[k].right += t->right;
			rows[k].none += t->none;
		}
	if (!n)
		return;
	fprintf(f, "\nTender spots marked\n%-32s  %5s  %5s  %7s\n", "DRILL", "LEFT", "RIGHT", "NO SIDE");
	for (k = 0; k < n; k++) {
		put_text(f, rows[k].drill, 32);
		fprintf(f, "  %5u  %5u  %7u\n", rows[k].left, rows[k].right, rows[k].none);
	}
}

void report_print(FILE *f, const struct history *h, const struct history_stats *s, long today)
{
	char a[16], b[16];

	sessions_table(f, h);
	duration_format(s->this_week_ms, a, sizeof a);
	duration_format(s->last_week_ms, b, sizeof b);
	fprintf(f, "\nThis week: %u session%s, %s    Last week: %u session%s, %s\n",
	        s->this_week_sessions, s->this_week_sessions == 1 ? "" : "s", a,
	        s->last_week_sessions, s->last_week_sessions == 1 ? "" : "s", b);
	fprintf(f, "Streak: %u day%s in a row with a completed session\n", s->streak, s->streak == 1 ? "" : "s");
	chart(f, s, today);
	tender_table(f, h);
}
