#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cues.h"
#include "duration.h"
#include "history.h"
#include "locate.h"
#include "plan.h"
#include "report.h"
#include "routine.h"
#include "run.h"
#include "strbuf.h"
#include "ui.h"

#ifndef WARMUP_VERSION
#define WARMUP_VERSION "unknown"
#endif

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *synopsis;
	const char *help;
};

static const struct command *find_command(const char *name);
static int help_for(const char *name);

/* Prints routine-provided or user-provided text to a stream with every
 * control character made visible, so nothing reaches a terminal raw. */
static void put_text(FILE *f, const char *s)
{
	struct strbuf b = { 0 };

	strbuf_text(&b, s);
	if (b.p)
		fputs(b.p, f);
	strbuf_free(&b);
}

static int usage_error(const char *cmd, const char *msg, const char *arg)
{
	fputs("warmup: ", stderr);
	fputs(msg, stderr);
	if (arg)
		put_text(stderr, arg);
	fprintf(stderr, "\nTry 'warmup help%s%s' for more information.\n", cmd ? " " : "", cmd ? cmd : "");
	return EX_USAGE;
}

/* Reports an option getopt_long rejected (opterr is off), as typed. */
static int bad_option(const char *cmd, char **argv, int next)
{
	return usage_error(cmd, "unknown option, or an option missing its value: ", argv[next - 1]);
}

/* The routine loading step every command shares: resolve, load, report. */
struct loaded {
	char *path;
	struct routine *routine;
};

static void print_diags(const char *path, const struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		put_text(stderr, path);
		if (d->v[i].line)
			fprintf(stderr, ":%u:%u", d->v[i].line, d->v[i].col);
		fputs(": error: ", stderr);
		put_text(stderr, d->v[i].msg);
		fputc('\n', stderr);
	}
}

static void print_search_path(const struct search_path *sp)
{
	size_t i;

	for (i = 0; i < sp->n; i++) {
		fputs("  ", stderr);
		put_text(stderr, sp->dirs[i]);
		fputc('\n', stderr);
	}
}

static void print_not_found(const char *arg, const struct search_path *sp)
{
	put_text(stderr, arg);
	fputs(": No such file or directory\n", stderr);
	if (strchr(arg, '/'))
		return;
	fputs("warmup: looked for it as a path and in:\n", stderr);
	print_search_path(sp);
}

/* Returns 0 or the exit status for the failure (already reported). */
static int load_routine(const char *arg, struct loaded *out)
{
	struct search_path sp;
	struct diags d = { 0 };
	enum routine_err err;
	int rc = 0;

	out->path = NULL;
	out->routine = NULL;
	if (search_path_get(&sp) == -1) {
		fputs("warmup: out of memory\n", stderr);
		return EX_SOFTWARE;
	}
	out->path = locate_routine(arg, &sp);
	if (!out->path) {
		print_not_found(arg, &sp);
		search_path_free(&sp);
		return EX_NOINPUT;
	}
	search_path_free(&sp);
	err = routine_load(out->path, &out->routine, &d);
	switch (err) {
	case ROUTINE_OK: rc = 0; break;
	case ROUTINE_ERR_INVALID: rc = EX_DATAERR; break;
	case ROUTINE_ERR_NOT_FOUND: rc = EX_NOINPUT; break;
	case ROUTINE_ERR_IO: rc = EX_IOERR; break;
	case ROUTINE_ERR_NOMEM: rc = EX_SOFTWARE; break;
	}
	if (rc)
		print_diags(out->path, &d);
	if (rc == EX_SOFTWARE && d.n == 0)
		fputs("warmup: out of memory\n", stderr);
	diags_free(&d);
	if (rc) {
		/* On failure the caller owns nothing. */
		free(out->path);
		out->path = NULL;
	}
	return rc;
}

static void loaded_free(struct loaded *l)
{
	routine_free(l->routine);
	free(l->path);
	l->routine = NULL;
	l->path = NULL;
}

/* Options shared by run and show that shape the plan. */
struct plan_args {
	const char *equipment;
	const char *fit;
};

static int make_plan(const char *cmd, const struct plan_args *a, const struct routine *r, struct plan *p)
{
	struct plan_options o = { -1, 0 };
	enum plan_err err;
	char min[16], max[16];

	if (a->equipment) {
		o.equipment = equipment_parse(a->equipment);
		if (o.equipment < 0)
			return usage_error(cmd, "--equipment must be roller, travel-roller, stick, ball or trigger-point-tool, not ", a->equipment);
	}
	if (a->fit && (duration_parse(a->fit, &o.fit_ms) != DURATION_OK || o.fit_ms == 0))
		return usage_error(cmd, "--fit wants a duration such as 5m, 4m30s or 300, not ", a->fit);
	err = plan_build(r, &o, p);
	switch (err) {
	case PLAN_OK:
		return 0;
	case PLAN_ERR_FIT_TOO_SHORT:
		duration_format(plan_min_fit_ms(r), min, sizeof min);
		fprintf(stderr, "warmup: --fit %s is too short for this routine: the shortest it can be fitted to is %s (5 s per bout)\n", a->fit, min);
		return EX_USAGE;
	case PLAN_ERR_FIT_TOO_LONG:
		duration_format(ROUTINE_MAX_TOTAL_MS, max, sizeof max);
		fprintf(stderr, "warmup: --fit %s is too long: a session lasts at most %s\n", a->fit, max);
		return EX_USAGE;
	case PLAN_ERR_NOMEM:
		break;
	}
	fputs("warmup: out of memory\n", stderr);
	return EX_SOFTWARE;
}

/* Flushes stdout and turns a write failure into exit 74. */
static int finish_output(int rc)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno != EPIPE)
			fprintf(stderr, "warmup: cannot write output: %s\n", strerror(errno));
		return rc ? rc : EX_IOERR;
	}
	return rc;
}

static int cmd_validate(int argc, char **argv)
{
	static const struct option longopts[] = { { "help", no_argument, NULL, 'h' }, { 0, 0, 0, 0 } };
	int rc = 0, c, i;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (c == 'h')
			return help_for("validate");
		return bad_option("validate", argv, optind);
	}
	if (optind >= argc)
		return usage_error("validate", "validate needs at least one routine file or name", NULL);
	for (i = optind; i < argc; i++) {
		struct loaded l;
		struct plan p;
		int one = load_routine(argv[i], &l);

		if (one == 0) {
			struct plan_options o = { -1, 0 };
			char total[16];

			if (plan_build(l.routine, &o, &p) != PLAN_OK) {
				fputs("warmup: out of memory\n", stderr);
				one = EX_SOFTWARE;
			} else {
				duration_format(p.total_ms, total, sizeof total);
				put_text(stdout, l.path);
				printf(": ok (%u drill%s, total %s)\n", l.routine->n_drills,
				       l.routine->n_drills == 1 ? "" : "s", total);
				plan_free(&p);
			}
		}
		/* The worst problem decides the status: I/O, then missing, then invalid. */
		if (one == EX_IOERR || one == EX_SOFTWARE || (one == EX_NOINPUT && rc != EX_IOERR) ||
		    (one == EX_DATAERR && rc == 0))
			rc = one;
		loaded_free(&l);
	}
	return finish_output(rc);
}

static void show_text(const struct plan *p, const char *path)
{
	const struct routine *r = p->routine;
	char start[16], len[16], total[16];
	size_t i;

	duration_format(p->total_ms, total, sizeof total);
	put_text(stdout, r->name);
	fputs(" (", stdout);
	put_text(stdout, path);
	printf(")\nequipment: %s, total %s, %zu phases\n\n", equipment_name(p->equipment), total, p->n_phases);
	printf("%7s  %-8s %-6s %7s  %s\n", "START", "KIND", "SIDE", "LENGTH", "DRILL");
	for (i = 0; i < p->n_phases; i++) {
		const struct phase *ph = &p->phases[i];

		duration_format(ph->start_ms, start, sizeof start);
		duration_format(ph->duration_ms, len, sizeof len);
		printf("%7s  %-8s %-6s %7s  ", start, phase_kind_name(ph->kind),
		       ph->side != SIDE_NONE ? side_name(ph->side) : "-", len);
		if (ph->drill >= 0)
			put_text(stdout, r->drills[ph->drill].name);
		else
			fputs("-", stdout);
		fputc('\n', stdout);
	}
	printf("%7s  end\n", total);
}

static void show_json(const struct plan *p, const char *path)
{
	struct strbuf b = { 0 };
	size_t i;

	strbuf_add(&b, "{\"name\":");
	strbuf_json(&b, p->routine->name);
	strbuf_add(&b, ",\"file\":");
	strbuf_json(&b, path);
	strbuf_addf(&b, ",\"equipment\":\"%s\",\"total_ms\":%llu,\"phases\":[", equipment_name(p->equipment),
	            (unsigned long long)p->total_ms);
	for (i = 0; i < p->n_phases; i++) {
		const struct phase *ph = &p->phases[i];

		strbuf_addf(&b, "%s{\"kind\":\"%s\",\"drill\":", i ? "," : "", phase_kind_name(ph->kind));
		strbuf_json(&b, ph->drill >= 0 ? p->routine->drills[ph->drill].name : NULL);
		if (ph->drill >= 0)
			strbuf_addf(&b, ",\"drill_index\":%d", ph->drill);
		else
			strbuf_add(&b, ",\"drill_index\":null");
		strbuf_add(&b, ",\"side\":");
		strbuf_json(&b, side_name(ph->side));
		strbuf_addf(&b, ",\"start_ms\":%llu,\"duration_ms\":%llu}", (unsigned long long)ph->start_ms,
		            (unsigned long long)ph->duration_ms);
	}
	strbuf_add(&b, "]}\n");
	if (b.p)
		fputs(b.p, stdout);
	strbuf_free(&b);
}

static int parse_format(const char *cmd, const char *arg, const char *alt, bool *is_alt)
{
	if (strcmp(arg, "text") == 0) {
		*is_alt = false;
		return 0;
	}
	if (strcmp(arg, alt) == 0) {
		*is_alt = true;
		return 0;
	}
	fprintf(stderr, "warmup: --format must be text or %s, not ", alt);
	put_text(stderr, arg);
	fprintf(stderr, "\nTry 'warmup help %s' for more information.\n", cmd);
	return EX_USAGE;
}

static int cmd_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "equipment", required_argument, NULL, 'e' },
		{ "fit", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct plan_args pa = { NULL, NULL };
	bool json = false;
	struct loaded l;
	struct plan p;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((rc = parse_format("show", optarg, "json", &json)))
				return rc;
			break;
		case 'e': pa.equipment = optarg; break;
		case 'F': pa.fit = optarg; break;
		case 'h': return help_for("show");
		default: return bad_option("show", argv, optind);
		}
	}
	if (argc - optind != 1)
		return usage_error("show", "show takes exactly one routine file or name", NULL);
	if ((rc = load_routine(argv[optind], &l)))
		return rc;
	if ((rc = make_plan("show", &pa, l.routine, &p)) == 0) {
		if (json)
			show_json(&p, l.path);
		else
			show_text(&p, l.path);
		plan_free(&p);
	}
	loaded_free(&l);
	return finish_output(rc);
}

/* Prints s cut to width characters and padded to width with spaces.
 * printf's "%-32.32s" counts bytes and can cut a character in half, which
 * puts invalid UTF-8 on the terminal. s is valid UTF-8 (the loader's
 * promise), so skipping continuation bytes finds each character's end. */
/* A table cell of routine text: escaped, cut or padded to width characters. */
static void put_cell(const char *s, size_t width)
{
	struct strbuf b = { 0 };

	strbuf_text_cell(&b, s, width);
	if (b.p)
		fputs(b.p, stdout);
	strbuf_free(&b);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .yaml files of one folder, sorted; a missing folder has none. */
static size_t yaml_files(const char *dir, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	*out = NULL;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char **nv;

		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0 || e->d_name[0] == '.')
			continue;
		nv = realloc(v, (n + 1) * sizeof *v);
		if (!nv)
			break;
		v = nv;
		v[n] = malloc(strlen(dir) + len + 2);
		if (!v[n])
			break;
		sprintf(v[n], "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	qsort(v, n, sizeof *v, compare_names);
	*out = v;
	return n;
}

static int cmd_list(int argc, char **argv)
{
	struct search_path sp;
	size_t i, j, found = 0;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", (const struct option[]){ { "help", no_argument, NULL, 'h' }, { 0, 0, 0, 0 } }, NULL)) != -1) {
		if (c == 'h')
			return help_for("list");
		return bad_option("list", argv, optind);
	}
	if (optind != argc)
		return usage_error("list", "list takes no arguments", NULL);
	if (search_path_get(&sp) == -1) {
		fputs("warmup: out of memory\n", stderr);
		return EX_SOFTWARE;
	}
	for (i = 0; i < sp.n; i++) {
		char **files;
		size_t n = yaml_files(sp.dirs[i], &files);

		for (j = 0; j < n; j++) {
			struct routine *r = NULL;
			struct diags d = { 0 };
			struct plan p;
			struct plan_options o = { -1, 0 };
			char total[16] = "-";

			if (routine_load(files[j], &r, &d) == ROUTINE_OK && plan_build(r, &o, &p) == PLAN_OK) {
				duration_format(p.total_ms, total, sizeof total);
				put_cell(r->name, 32);
				printf(" %7s  ", total);
				plan_free(&p);
			} else {
				printf("%-32s %7s  ", "(invalid: run warmup validate)", "-");
			}
			put_text(stdout, files[j]);
			fputc('\n', stdout);
			found++;
			routine_free(r);
			diags_free(&d);
			free(files[j]);
		}
		free(files);
	}
	if (!found) {
		fputs("warmup: no routines found; looked in:\n", stderr);
		print_search_path(&sp);
	}
	search_path_free(&sp);
	return finish_output(0);
}

/* Appends the session to the history; a failure is one warning, never fatal. */
static void record_session(time_t started, const struct plan *p, const char *file,
                           const struct run_result *res)
{
	const struct routine *r = p->routine;
	struct history_tender tender[ROUTINE_MAX_DRILLS];
	struct history_entry e;
	char start[40], err[512], version[] = WARMUP_VERSION;
	char *path = history_path();
	unsigned i;

	if (!path) {
		fputs("warmup: warning: session not recorded: neither XDG_STATE_HOME nor HOME is set\n", stderr);
		return;
	}
	history_format_time(started, start, sizeof start);
	memset(&e, 0, sizeof e);
	e.start = start;
	e.routine = r->name;
	e.file = (char *)file;
	e.status = (char *)session_status_name(res->status);
	e.equipment = (char *)equipment_name(p->equipment);
	e.version = version;
	e.planned_ms = res->totals.planned_ms;
	e.elapsed_ms = res->totals.elapsed_ms;
	e.work_ms = res->totals.work_ms;
	e.drills_completed = res->totals.drills_completed;
	e.drills_total = r->n_drills;
	e.skipped = res->totals.phases_skipped;
	e.fit_ms = p->fit_ms ? (int64_t)p->fit_ms : -1;
	e.tender = tender;
	for (i = 0; i < r->n_drills && res->totals.tender; i++) {
		const unsigned *c = &res->totals.tender[i * 3];

		if (c[SIDE_LEFT] + c[SIDE_RIGHT] + c[SIDE_NONE] == 0)
			continue;
		tender[e.n_tender++] = (struct history_tender){ r->drills[i].name, c[SIDE_LEFT], c[SIDE_RIGHT], c[SIDE_NONE] };
	}
	if (history_append(path, &e, err, sizeof err) == -1) {
		fputs("warmup: warning: session not recorded: ", stderr);
		put_text(stderr, err);
		fputc('\n', stderr);
	}
	free(path);
}

static void print_cue_warnings(struct cues *c)
{
	const char *w;

	while ((w = cues_next_warning(c)))
		fprintf(stderr, "warmup: warning: %s\n", w);
}

static bool stdout_is_terminal(void)
{
	const char *term = getenv("TERM");
	return isatty(STDOUT_FILENO) && term && *term && strcmp(term, "dumb") != 0;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "headless", no_argument, NULL, 'H' },
		{ "format", required_argument, NULL, 'f' },
		{ "speed", required_argument, NULL, 's' },
		{ "instant", no_argument, NULL, 'i' },
		{ "fit", required_argument, NULL, 'F' },
		{ "equipment", required_argument, NULL, 'e' },
		{ "no-bell", no_argument, NULL, 'B' },
		{ "no-color", no_argument, NULL, 'C' },
		{ "no-colour", no_argument, NULL, 'C' },
		{ "no-history", no_argument, NULL, 'N' },
		{ "say", no_argument, NULL, 'S' },
		{ "on-event", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct plan_args pa = { NULL, NULL };
	bool headless = false, jsonl = false, format_given = false, instant = false, say = false;
	const char *hook = NULL;
	struct cues *cues = NULL;
	struct cues_config cc;
	char err[512];
	bool bell = true, color = true, history = true;
	const char *no_history = getenv("WARMUP_NO_HISTORY");
	time_t started;
	double speed = 0;
	const char *no_color = getenv("NO_COLOR");
	struct run_result res;
	struct ui_config cfg;
	const struct ui_ops *ops;
	struct clock clk;
	struct loaded l;
	struct plan p;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'H': headless = true; break;
		case 'f':
			if ((rc = parse_format("run", optarg, "jsonl", &jsonl)))
				return rc;
			format_given = true;
			break;
		case 's':
			errno = 0;
			speed = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(speed) || speed < 0.1 || speed > 1000)
				return usage_error("run", "--speed wants a number from 0.1 to 1000, not ", optarg);
			break;
		case 'i': instant = true; break;
		case 'F': pa.fit = optarg; break;
		case 'e': pa.equipment = optarg; break;
		case 'B': bell = false; break;
		case 'C': color = false; break;
		case 'N': history = false; break;
		case 'S': say = true; break;
		case 'O': hook = optarg; break;
		case 'h': return help_for("run");
		default: return bad_option("run", argv, optind);
		}
	}
	if (argc - optind != 1)
		return usage_error("run", "run takes exactly one routine file or name", NULL);
	if (instant && speed > 0)
		return usage_error("run", "--instant and --speed cannot be used together", NULL);
	if (no_color && *no_color)
		color = false;
	if (format_given && jsonl && !headless)
		headless = true;
	if ((rc = load_routine(argv[optind], &l)))
		return rc;
	if ((rc = make_plan("run", &pa, l.routine, &p))) {
		loaded_free(&l);
		return rc;
	}
	if (!headless && !stdout_is_terminal()) {
		fputs("warmup: standard output is not a terminal; running headless\n", stderr);
		headless = true;
	}
	/* Checked before the session starts: a hook that cannot run is one
	 * error now, not one per event. --instant is a dry run: it checks the
	 * hook but neither speaks nor runs it (there is no time to keep). */
	cc = (struct cues_config){ &p, l.path, !instant, say, getenv("WARMUP_SAY"), hook, !headless, instant };
	if (say || hook) {
		enum cues_err ce = cues_new(&cc, &cues, err, sizeof err);

		if (ce != CUES_OK) {
			if (ce == CUES_ERR_HOOK)
				fprintf(stderr, "warmup: %s\nTry 'warmup help run' for more information.\n", err);
			else
				fputs("warmup: out of memory\n", stderr);
			plan_free(&p);
			loaded_free(&l);
			return ce == CUES_ERR_HOOK ? EX_USAGE : EX_SOFTWARE;
		}
	}
	print_cue_warnings(cues);
	cfg = (struct ui_config){ &p, l.path, jsonl ? UI_FORMAT_JSONL : UI_FORMAT_TEXT, !instant, bell, color };
	clk.kind = instant ? CLOCK_KIND_VIRTUAL : speed > 0 ? CLOCK_KIND_SCALED : CLOCK_KIND_REAL;
	clk.speed = speed > 0 ? speed : 1;
	ops = headless ? &ui_headless_ops : &ui_curses_ops;
	/* A virtual run is a dry run: it never counts as a warm-up done. */
	if (instant || (no_history && strcmp(no_history, "1") == 0))
		history = false;
	started = time(NULL);
	rc = run_session(&p, ops, &cfg, &clk, cues, &res);
	if (rc == 0 && res.ui_failed) {
		/* Over ssh TERM may name a terminal this host does not know: the
		 * runner still gets the session, as text. */
		const char *term = getenv("TERM");

		fputs("warmup: cannot drive terminal type '", stderr);
		put_text(stderr, term ? term : "");
		fputs("'; running headless\n", stderr);
		run_result_free(&res);
		rc = run_session(&p, &ui_headless_ops, &cfg, &clk, cues, &res);
	}
	/* The last words may still be spoken; then the warnings queued while
	 * the screen was up can be printed. */
	cues_finish(cues, rc == -1 || res.ui_failed || res.signal || res.io_error);
	print_cue_warnings(cues);
	cues_free(cues);
	if (rc == -1) {
		fputs("warmup: out of memory\n", stderr);
		rc = EX_SOFTWARE;
	} else if (res.ui_failed) {
		fputs("warmup: cannot start the terminal screen\n", stderr);
		rc = EX_SOFTWARE;
	} else {
		if (history && res.started_work)
			record_session(started, &p, l.path, &res);
		if (res.signal)
			rc = 128 + res.signal;
		else if (res.io_error)
			rc = EX_IOERR;
	}
	run_result_free(&res);
	plan_free(&p);
	loaded_free(&l);
	if (rc == 0)
		rc = finish_output(0);
	return rc;
}

static void history_warning(void *ctx, size_t line, const char *why)
{
	fputs("warmup: warning: ", stderr);
	put_text(stderr, ctx);
	fprintf(stderr, ":%zu: %s\n", line, why);
}

static bool parse_date(const char *s, long *day)
{
	int y, m, d, n = 0;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || s[n] || strlen(s) != 10 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	*day = history_day_number(y, m, d);
	return true;
}

static int cmd_history(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "last", required_argument, NULL, 'l' },
		{ "since", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct history h, shown;
	struct history_stats st;
	long since = LONG_MIN, today;
	size_t last = SIZE_MAX, i, first;
	bool jsonl = false;
	char *path, *end;
	struct tm tm;
	time_t now;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			errno = 0;
			last = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-')
				return usage_error("history", "--last wants a whole number, not ", optarg);
			break;
		case 's':
			if (!parse_date(optarg, &since))
				return usage_error("history", "--since wants a date as YYYY-MM-DD, not ", optarg);
			break;
		case 'f':
			if ((rc = parse_format("history", optarg, "jsonl", &jsonl)))
				return rc;
			break;
		case 'h': return help_for("history");
		default: return bad_option("history", argv, optind);
		}
	}
	if (optind != argc)
		return usage_error("history", "history takes no file; unexpected ", argv[optind]);
	path = history_path();
	if (!path) {
		fputs("warmup: no history: neither XDG_STATE_HOME nor HOME is set\n", stderr);
		return 0;
	}
	if (history_read(path, &h, history_warning, path) == -1) {
		fprintf(stderr, "warmup: cannot read %s: %s\n", path, strerror(errno));
		free(path);
		return EX_IOERR;
	}
	if (h.n == 0) {
		printf("No sessions recorded yet (%s).\n", path);
		free(path);
		return finish_output(0);
	}
	now = time(NULL);
	localtime_r(&now, &tm);
	today = history_day_number(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	/* The table shows the chosen period; the weekly figures, streak and
	 * chart always look back from today. */
	/* Lines need not be in date order (merged files, a clock change), so
	 * every entry is checked; shown borrows the entries of h. */
	shown.n = 0;
	shown.v = malloc(h.n * sizeof *shown.v);
	if (!shown.v) {
		fputs("warmup: out of memory\n", stderr);
		history_free(&h);
		free(path);
		return EX_SOFTWARE;
	}
	for (i = 0; i < h.n; i++)
		if (history_day_number(h.v[i].year, h.v[i].month, h.v[i].day) >= since)
			shown.v[shown.n++] = h.v[i];
	first = shown.n > last ? shown.n - last : 0;
	if (jsonl) {
		for (i = first; i < shown.n; i++)
			printf("%s\n", shown.v[i].json);
	} else if (shown.n == 0) {
		puts("No sessions in that period.");
	} else {
		struct history tail = { shown.v + first, shown.n - first };

		history_stats(&h, today, &st);
		report_print(stdout, &tail, &st, today);
	}
	free(shown.v);
	history_free(&h);
	free(path);
	return finish_output(0);
}

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{ "run", cmd_run,
	  "warmup run [--headless] [--format text|jsonl] [--speed X | --instant] [--fit DURATION]\n"
	  "           [--equipment NAME] [--no-bell] [--no-color] [--no-history] [--say]\n"
	  "           [--on-event CMD] ROUTINE",
	  "Runs a session. On a terminal it shows the full-screen timer; with --headless,\n"
	  "or when standard output is not a terminal, it prints one line per event.\n\n"
	  "  --headless          no screen: print events (text, or JSON Lines with --format jsonl)\n"
	  "  --format FORMAT     text (default) or jsonl (implies --headless)\n"
	  "  --speed X           run the timeline X times faster (0.1 to 1000)\n"
	  "  --instant           no waiting: the same events and times, at once\n"
	  "  --fit DURATION      scale the whole session to this length (work bouts keep 5 s)\n"
	  "  --equipment NAME    roller, travel-roller, stick, ball or trigger-point-tool\n"
	  "  --no-bell           silence the terminal bell\n"
	  "  --no-color          monochrome screen (also when NO_COLOR is set)\n"
	  "  --no-history        do not record this session\n"
	  "  --say               speak the drills, sides, prompts and 3-2-1 aloud through\n"
	  "                      $WARMUP_SAY, else espeak-ng, espeak, say or spd-say\n"
	  "  --on-event CMD      run CMD (words, no shell) for every event, with its JSON\n"
	  "                      line on stdin and WARMUP_EVENT set to the event's name\n\n"
	  "Keys: space pause/resume, n or Right skip, p or Left back, + add 10 s,\n"
	  "t mark a tender spot, q stop, ? help.\n" },
	{ "validate", cmd_validate, "warmup validate ROUTINE...",
	  "Checks routine files. Prints 'FILE: ok (N drills, total M:SS)' for each valid\n"
	  "one and 'FILE:LINE:COLUMN: error: MESSAGE' for every problem in the others.\n" },
	{ "show", cmd_show, "warmup show [--format text|json] [--equipment NAME] [--fit DURATION] ROUTINE",
	  "Prints the plan: every phase with its start, kind, drill, side and length.\n" },
	{ "list", cmd_list, "warmup list",
	  "Lists the routines on the search path with name, total time and file.\n" },
	{ "history", cmd_history, "warmup history [--last N] [--since YYYY-MM-DD] [--format text|jsonl]",
	  "Shows recorded sessions, this week's and last week's totals, the streak of\n"
	  "days with a completed session, a 14-day chart and the tender spots marked.\n"
	  "Sessions are kept in $XDG_STATE_HOME/warmup/history.jsonl.\n" },
	{ "help", cmd_help, "warmup help [COMMAND]", "Shows help for a command.\n" },
};

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	size_t i;

	fputs("Usage:\n", f);
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %s\n", commands[i].synopsis);
	fputs("  warmup --help | --version\n\n"
	      "ROUTINE is a file, or a name looked up in $WARMUP_PATH, ~/.config/warmup/routines\n"
	      "and the installed routines (try 'warmup list'). 'warmup help COMMAND' tells more.\n", f);
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		fputs("warmup: a terminal timer for foam-rolling warm-ups before a run.\n\n", stdout);
		usage(stdout);
		return finish_output(0);
	}
	return help_for(argv[1]);
}

static int help_for(const char *name)
{
	const struct command *c = find_command(name);

	if (!c)
		return usage_error(NULL, "no such command: ", name);
	printf("Usage: %s\n\n%s", c->synopsis, c->help);
	return finish_output(0);
}

int cli_main(int argc, char **argv)
{
	const struct command *c;

	opterr = 0;
	if (argc < 2) {
		usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_help(1, argv);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("warmup %s\n", WARMUP_VERSION);
		return finish_output(0);
	}
	c = find_command(argv[1]);
	if (!c) {
		if (argv[1][0] == '-')
			return usage_error(NULL, "unknown option: ", argv[1]);
		return usage_error(NULL, "no such command: ", argv[1]);
	}
	return c->fn(argc - 1, argv + 1);
}
