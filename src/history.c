#include "history.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *history_path(void)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	const char *base, *rest;
	char *p;
	size_t n;

	if (state && state[0] == '/') {
		base = state;
		rest = "/warmup/history.jsonl";
	} else if (home && *home) {
		base = home;
		rest = "/.local/state/warmup/history.jsonl";
	} else {
		return NULL;
	}
	n = strlen(base) + strlen(rest) + 1;
	p = malloc(n);
	if (p)
		snprintf(p, n, "%s%s", base, rest);
	return p;
}

void history_format_time(time_t t, char *buf, size_t size)
{
	struct tm tm;
	char off[8];
	size_t len;

	localtime_r(&t, &tm);
	len = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(off, sizeof off, "%z", &tm);
	/* %z gives +0100; ISO 8601's extended form wants +01:00. */
	if (len && strlen(off) == 5)
		snprintf(buf + len, size - len, "%.3s:%.2s", off, off + 3);
}

/* mkdir -p for the folders above path, each 0700. */
static int make_parents(const char *path)
{
	char *dir = strdup(path), *p;
	int rc = 0;

	if (!dir)
		return -1;
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			rc = -1;
			break;
		}
		*p = '/';
	}
	free(dir);
	return rc;
}

static json_t *entry_to_json(const struct history_entry *e)
{
	json_t *o = json_object(), *tender = json_object();
	size_t i;

	if (!o || !tender) {
		json_decref(o);
		json_decref(tender);
		return NULL;
	}
	json_object_set_new(o, "start", json_string(e->start));
	json_object_set_new(o, "routine", json_string(e->routine));
	json_object_set_new(o, "file", json_string(e->file));
	json_object_set_new(o, "status", json_string(e->status));
	json_object_set_new(o, "planned_ms", json_integer((json_int_t)e->planned_ms));
	json_object_set_new(o, "elapsed_ms", json_integer((json_int_t)e->elapsed_ms));
	json_object_set_new(o, "work_ms", json_integer((json_int_t)e->work_ms));
	json_object_set_new(o, "drills_completed", json_integer(e->drills_completed));
	json_object_set_new(o, "drills_total", json_integer(e->drills_total));
	json_object_set_new(o, "skipped", json_integer(e->skipped));
	json_object_set_new(o, "equipment", json_string(e->equipment));
	json_object_set_new(o, "fit_ms", e->fit_ms < 0 ? json_null() : json_integer(e->fit_ms));
	for (i = 0; i < e->n_tender; i++)
		json_object_set_new(tender, e->tender[i].drill,
		                    json_pack("{s:I,s:I,s:I}", "left", (json_int_t)e->tender[i].left,
		                              "right", (json_int_t)e->tender[i].right, "none",
		                              (json_int_t)e->tender[i].none));
	json_object_set_new(o, "tender", tender);
	json_object_set_new(o, "version", json_string(e->version));
	json_object_set_new(o, "format", json_integer(HISTORY_FORMAT));
	return o;
}

char *history_entry_line(const struct history_entry *e)
{
	json_t *o = entry_to_json(e);
	char *s = NULL, *line = NULL;
	size_t len;

	/* ASCII only, so no byte of a routine's text can reach a terminal raw. */
	if (o)
		s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(o);
	if (!s)
		return NULL;
	len = strlen(s);
	/* One spare byte, so history_append can put a newline in front. */
	line = malloc(len + 3);
	if (line) {
		memcpy(line, s, len);
		memcpy(line + len, "\n", 2);
	}
	free(s);
	return line;
}

int history_append(const char *path, const struct history_entry *e, char *err, size_t errsize)
{
	char *line = history_entry_line(e);
	struct flock lock = { 0 };
	struct stat st;
	size_t len;
	ssize_t n;
	int fd = -1, rc = -1;
	char last;

	if (!line) {
		snprintf(err, errsize, "cannot record the session: out of memory");
		goto out;
	}
	len = strlen(line);
	if (make_parents(path) == -1) {
		snprintf(err, errsize, "cannot create the folder for %s: %s", path, strerror(errno));
		goto out;
	}
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		snprintf(err, errsize, "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	/* Sessions ending together take turns, so none reads another's line
	 * half-written below; the append itself is still one write. */
	lock.l_type = F_WRLCK;
	lock.l_whence = SEEK_SET;
	while (fcntl(fd, F_SETLKW, &lock) == -1 && errno == EINTR)
		;
	/* A crash or a full disk may have left a last line without its newline;
	 * start on a fresh line so this session is not glued onto it. */
	if (fstat(fd, &st) == 0 && st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) == 1 &&
	    last != '\n') {
		memmove(line + 1, line, len + 1);
		line[0] = '\n';
		len++;
	}
	/* One write: O_APPEND makes it land whole after whatever is there. */
	n = write(fd, line, len);
	if (n != (ssize_t)len) {
		snprintf(err, errsize, "cannot write to %s: %s", path,
		         n < 0 ? strerror(errno) : "short write (disk full?)");
		goto out;
	}
	if (fsync(fd) == -1 && errno != EINVAL) {
		snprintf(err, errsize, "cannot sync %s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd != -1 && close(fd) == -1 && rc == 0) {
		snprintf(err, errsize, "cannot write to %s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	return rc;
}

static char *dup_string(json_t *o, const char *key, const char *fallback)
{
	json_t *v = json_object_get(o, key);
	const char *s = json_is_string(v) ? json_string_value(v) : fallback;
	return s ? strdup(s) : NULL;
}

static uint64_t get_uint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
}

static void entry_free(struct history_entry *e)
{
	size_t i;

	free(e->start);
	free(e->routine);
	free(e->file);
	free(e->status);
	free(e->equipment);
	free(e->version);
	free(e->json);
	for (i = 0; i < e->n_tender; i++)
		free(e->tender[i].drill);
	free(e->tender);
}

/* Fills e from one parsed line. Returns NULL, or why the line is unusable. */
static const char *entry_from_json(json_t *o, struct history_entry *e)
{
	const char *start, *key;
	json_t *tender, *v;
	size_t i;

	memset(e, 0, sizeof *e);
	if (!json_is_object(o))
		return "not a JSON object";
	v = json_object_get(o, "start");
	start = json_is_string(v) ? json_string_value(v) : NULL;
	if (!start || sscanf(start, "%4d-%2d-%2d", &e->year, &e->month, &e->day) != 3 ||
	    e->month < 1 || e->month > 12 || e->day < 1 || e->day > 31)
		return "no valid \"start\" time";
	if (!json_is_string(json_object_get(o, "status")))
		return "no \"status\"";
	e->start = strdup(start);
	e->routine = dup_string(o, "routine", "?");
	e->file = dup_string(o, "file", "");
	e->status = dup_string(o, "status", "?");
	e->equipment = dup_string(o, "equipment", "");
	e->version = dup_string(o, "version", "");
	e->planned_ms = get_uint(o, "planned_ms");
	e->elapsed_ms = get_uint(o, "elapsed_ms");
	e->work_ms = get_uint(o, "work_ms");
	e->drills_completed = (unsigned)get_uint(o, "drills_completed");
	e->drills_total = (unsigned)get_uint(o, "drills_total");
	e->skipped = (unsigned)get_uint(o, "skipped");
	v = json_object_get(o, "fit_ms");
	e->fit_ms = json_is_integer(v) ? json_integer_value(v) : -1;
	tender = json_object_get(o, "tender");
	if (json_is_object(tender) && json_object_size(tender) > 0) {
		e->tender = calloc(json_object_size(tender), sizeof *e->tender);
		if (e->tender) {
			i = 0;
			json_object_foreach(tender, key, v) {
				struct history_tender *t = &e->tender[i];
				t->drill = strdup(key);
				if (!t->drill)
					break;
				t->left = (unsigned)get_uint(v, "left");
				t->right = (unsigned)get_uint(v, "right");
				t->none = (unsigned)get_uint(v, "none");
				i++;
			}
			e->n_tender = i;
		}
	}
	if (!e->start || !e->routine || !e->file || !e->status || !e->equipment || !e->version) {
		entry_free(e);
		return "out of memory";
	}
	return NULL;
}

int history_read(const char *path, struct history *h, history_warn_fn warn, void *ctx)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;

	h->v = NULL;
	h->n = 0;
	if (!f)
		return errno == ENOENT ? 0 : -1;
	while ((len = getline(&line, &cap, f)) != -1) {
		struct history_entry e, *nv;
		json_error_t jerr;
		const char *why;
		json_t *o;
		char msg[160];

		lineno++;
		if (len == 1 && line[0] == '\n')
			continue;
		if (line[len - 1] != '\n') {
			warn(ctx, lineno, "the last line is incomplete (a session ended while it was written); skipped");
			break;
		}
		o = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, &jerr);
		if (!o) {
			warn(ctx, lineno, "not valid JSON; skipped");
			continue;
		}
		why = entry_from_json(o, &e);
		if (why) {
			snprintf(msg, sizeof msg, "%s; skipped", why);
			warn(ctx, lineno, msg);
			json_decref(o);
			continue;
		}
		if (get_uint(o, "format") > HISTORY_FORMAT) {
			snprintf(msg, sizeof msg, "written by a newer warmup (format %llu); read what this version understands",
			         (unsigned long long)get_uint(o, "format"));
			warn(ctx, lineno, msg);
		}
		/* Kept whole, so `history --format jsonl` passes on fields this
		 * version does not know, escaped so no byte reaches a terminal raw. */
		e.json = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
		json_decref(o);
		if (!e.json) {
			entry_free(&e);
			break;
		}
		nv = realloc(h->v, (h->n + 1) * sizeof *nv);
		if (!nv) {
			entry_free(&e);
			break;
		}
		h->v = nv;
		h->v[h->n++] = e;
	}
	free(line);
	fclose(f);
	return 0;
}

void history_free(struct history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		entry_free(&h->v[i]);
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

long history_day_number(int y, int m, int d)
{
	/* Days from civil, after Howard Hinnant's public-domain derivation:
	 * count from 1 March so the leap day falls at the end of the year. */
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void history_stats(const struct history *h, long today, struct history_stats *s)
{
	/* 1970-01-01 was a Thursday: Monday-based weekday = (days + 3) % 7. */
	long monday = today - ((today % 7 + 7 + 3) % 7);
	long day;
	size_t i;

	memset(s, 0, sizeof *s);
	for (i = 0; i < h->n; i++) {
		const struct history_entry *e = &h->v[i];

		day = history_day_number(e->year, e->month, e->day);
		if (day >= monday && day <= today) {
			s->this_week_ms += e->elapsed_ms;
			s->this_week_sessions++;
		} else if (day >= monday - 7 && day < monday) {
			s->last_week_ms += e->elapsed_ms;
			s->last_week_sessions++;
		}
		if (day > today - 14 && day <= today)
			s->day_ms[13 - (today - day)] += e->elapsed_ms;
	}
	/* A streak still counts when today's session has not happened yet. */
	day = today;
	for (;;) {
		bool found = false;

		for (i = 0; i < h->n && !found; i++)
			found = strcmp(h->v[i].status, "completed") == 0 &&
			        history_day_number(h->v[i].year, h->v[i].month, h->v[i].day) == day;
		if (found)
			s->streak++;
		else if (day != today)
			break;
		day--;
	}
}
