#ifndef WARMUP_HISTORY_H
#define WARMUP_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * The session log: one JSON object per line in
 * $XDG_STATE_HOME/warmup/history.jsonl (default ~/.local/state/...).
 * Lines are appended with a single write(2) on an O_APPEND file and then
 * fsync'ed, so concurrent sessions never interleave and a crash can at most
 * lose the line being written, never corrupt an earlier one. Reading skips
 * what it cannot understand, with a warning, and never rewrites the file.
 */

#define HISTORY_FORMAT 1   /* the "format" field of lines this version writes */

struct history_tender {
	char *drill;
	unsigned left, right, none;
};

struct history_entry {
	char *start;            /* ISO 8601 local time with offset, as written */
	int year, month, day;   /* the local date of start */
	char *routine, *file, *status, *equipment, *version;
	uint64_t planned_ms, elapsed_ms, work_ms;
	unsigned drills_completed, drills_total, skipped;
	int64_t fit_ms;         /* -1 for null */
	struct history_tender *tender;
	size_t n_tender;
	char *json;             /* the line as read, re-encoded in ASCII (reading only) */
};

struct history {
	struct history_entry *v;
	size_t n;
};

/* The log's path, malloc'ed, or NULL when neither XDG_STATE_HOME nor HOME is set. */
char *history_path(void);

/* ISO 8601 local time with a +HH:MM offset, for the start field. */
void history_format_time(time_t t, char *buf, size_t size);

/*
 * Appends e as one line, creating the folders (mode 0700) and the file
 * (0600). Returns 0, or -1 with a sentence saying where and why in err.
 */
int history_append(const char *path, const struct history_entry *e, char *err, size_t errsize);

/* e as one JSON line with its newline, malloc'ed; NULL when out of memory. */
char *history_entry_line(const struct history_entry *e);

/* Called for every line that is skipped or only partly understood. */
typedef void (*history_warn_fn)(void *ctx, size_t line, const char *why);

/*
 * Reads the log into h (in file order). A missing file is an empty history.
 * Returns 0, or -1 with errno set when the file exists but cannot be read.
 */
int history_read(const char *path, struct history *h, history_warn_fn warn, void *ctx);
void history_free(struct history *h);

/* Days since 1970-01-01 of a civil date (proleptic Gregorian), for streaks. */
long history_day_number(int year, int month, int day);

struct history_stats {
	uint64_t this_week_ms, last_week_ms;    /* rolling time, weeks start on Monday */
	unsigned this_week_sessions, last_week_sessions;
	unsigned streak;                        /* days in a row with a completed session */
	uint64_t day_ms[14];                    /* rolling time per day, [13] is today */
};

/* Figures for the report, as seen on the local date `today` (a day number). */
void history_stats(const struct history *h, long today, struct history_stats *s);

#endif
