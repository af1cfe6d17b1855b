/*
 * The session engine, driven with hand-built routines: exact event
 * sequences for each routine shape and each command in each phase kind,
 * then thousands of random sessions checked against invariants.
 *
 * Events are rendered as CODE@t, with [N] before the first event of each
 * run of events that belong to phase N:
 *   S session_start   P phase_start   M<step> movement   Q:<text> prompt
 *   L linger   C<n> countdown   E phase_end completed   X phase_end skipped
 *   Z pause   R resume   T tender   END(status,elapsed,work) session_end
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

/* Routine strings are never written through; the casts only satisfy char *. */
#define TXT(s) ((char *)(s))

#define MAX_DRILLS 3
#define MAX_PROMPTS 4

struct fx {
	struct routine r;
	struct drill d[MAX_DRILLS];
	struct prompt p[MAX_DRILLS][MAX_PROMPTS];
	char *steps[MAX_DRILLS][3];
};

static void base(struct fx *f, uint64_t lead, uint64_t sw, uint64_t rest, uint64_t linger)
{
	memset(f, 0, sizeof *f);
	f->r = (struct routine){ .name = TXT("test"), .lead_in_ms = lead, .switch_ms = sw,
	                         .rest_ms = rest, .linger_every_ms = linger,
	                         .linger_text = TXT("keep"), .drills = f->d };
}

static struct drill *drill(struct fx *f, unsigned i, uint64_t ms, unsigned n_sides,
                           enum side a, enum side b)
{
	f->d[i] = (struct drill){ .name = TXT("drill"), .duration_ms = ms,
	                          .sides = { a, b }, .n_sides = n_sides,
	                          .steps = f->steps[i], .prompts = f->p[i] };
	f->r.n_drills = i + 1;
	return &f->d[i];
}

static void steps(struct drill *d, uint64_t every, unsigned n, const char *const *text)
{
	for (unsigned i = 0; i < n; i++)
		d->steps[i] = TXT(text[i]);
	d->n_steps = n;
	d->step_ms = every;
}

static void prompt(struct drill *d, const char *text, uint64_t at, uint64_t every)
{
	d->prompts[d->n_prompts++] = (struct prompt){ .text = TXT(text), .at_ms = at,
	                                              .every_ms = every };
}

static const char *const up_down[] = { "up", "down" };

/* Shaped like the bundled pre-run. */
static void shape_prerun(struct fx *f)
{
	base(f, 5000, 5000, 10000, 15000);
	for (unsigned i = 0; i < 3; i++) {
		struct drill *d = drill(f, i, 45000, 2, SIDE_LEFT, SIDE_RIGHT);

		steps(d, 2000, 2, up_down);
		prompt(d, "turn", 20000, 0);
	}
}

/*
 * Small enough to write every event by hand, with every phase kind:
 * 0 lead_in [0,3000)  1 work A left [3000,9000)  2 switch [9000,12000)
 * 3 work A right [12000,18000)  4 rest [18000,22000)  5 work B [22000,28000)
 */
static void shape_cmd(struct fx *f)
{
	base(f, 3000, 3000, 4000, 5000);
	steps(drill(f, 0, 6000, 2, SIDE_LEFT, SIDE_RIGHT), 4000, 2, up_down);
	drill(f, 1, 6000, 0, SIDE_NONE, SIDE_NONE);
}

static void shape_nosides(struct fx *f)
{
	static const char *const x[] = { "x" };

	base(f, 2000, 5000, 3000, 0);
	steps(drill(f, 0, 8000, 0, SIDE_NONE, SIDE_NONE), 3000, 1, x);
	drill(f, 1, 5000, 1, SIDE_RIGHT, SIDE_NONE);
}

static void shape_zero(struct fx *f)
{
	base(f, 0, 0, 0, 0);
	drill(f, 0, 5000, 2, SIDE_LEFT, SIDE_RIGHT);
	drill(f, 1, 5000, 2, SIDE_LEFT, SIDE_RIGHT);
}

static void shape_prompts(struct fx *f)
{
	struct drill *d;

	base(f, 0, 0, 0, 10000);
	d = drill(f, 0, 24000, 0, SIDE_NONE, SIDE_NONE);
	prompt(d, "a", 5000, 0);
	prompt(d, "b", 0, 6000);
	prompt(d, "c", 12000, 0);
	prompt(d, "d", 0, 4000);
}

static void shape_cycle(struct fx *f)
{
	static const char *const abc[] = { "a", "b", "c" };

	base(f, 0, 0, 0, 0);
	steps(drill(f, 0, 10000, 2, SIDE_LEFT, SIDE_RIGHT), 3000, 3, abc);
}

static void shape_longlinger(struct fx *f)
{
	base(f, 0, 0, 0, 30000);
	drill(f, 0, 20000, 0, SIDE_NONE, SIDE_NONE);
	drill(f, 1, 35000, 0, SIDE_NONE, SIDE_NONE);
}

/* The routine lingers every 4 s; one drill turns it off, one sets 3 s. */
static void shape_drill_linger(struct fx *f)
{
	struct drill *d;

	base(f, 0, 0, 0, 4000);
	d = drill(f, 0, 9000, 0, SIDE_NONE, SIDE_NONE);
	d->linger_set = true;
	d->linger_every_ms = 0;
	d = drill(f, 1, 7000, 0, SIDE_NONE, SIDE_NONE);
	d->linger_set = true;
	d->linger_every_ms = 3000;
	drill(f, 2, 9000, 0, SIDE_NONE, SIDE_NONE);
}

static void shape_empty(struct fx *f)
{
	base(f, 0, 0, 0, 0);
}

/* ---- recording events, and what must hold for any session ---- */

struct rec {
	const struct plan *plan;
	char *buf;
	size_t len, cap;
	size_t n_events, n_tender;
	bool any, ended, paused, back, after_phase_end;
	size_t last_phase, cur;
	uint64_t last_t;
	/* Work time kept from the events alone, to check the engine's. */
	bool in_work;
	uint64_t seg_start, work;
	struct event end;
};

static void put(struct rec *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(r->buf + r->len, r->cap - r->len, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if (r->len + (size_t)n < r->cap)
			break;
		r->cap = r->cap * 2 + (size_t)n + 64;
		r->buf = realloc(r->buf, r->cap);
		assert_non_null(r->buf);
	}
	r->len += (size_t)n;
}

static void close_work(struct rec *r, uint64_t t)
{
	if (r->in_work && !r->paused)
		r->work += t - r->seg_start;
	r->in_work = false;
}

static void check_event(struct rec *r, const struct event *ev)
{
	const struct plan *p = r->plan;

	assert_false(r->ended);
	assert_true(ev->kind < EV__COUNT);
	if (!r->any) {
		assert_int_equal(ev->kind, EV_SESSION_START);
		assert_int_equal(ev->t, 0);
	} else {
		assert_int_not_equal(ev->kind, EV_SESSION_START);
		assert_true(ev->t >= r->last_t);
	}
	if (p->n_phases > 0)
		assert_true(ev->phase < p->n_phases);
	if (r->after_phase_end) {
		/* A phase end is followed at once by the next start or the end. */
		assert_int_equal(ev->t, r->last_t);
		assert_true(ev->kind == EV_PHASE_START || ev->kind == EV_SESSION_END);
		r->after_phase_end = false;
	}
	if (r->paused)
		assert_true(ev->kind == EV_RESUME || ev->kind == EV_PHASE_END ||
		            ev->kind == EV_SESSION_END);

	switch (ev->kind) {
	case EV_PHASE_START:
		if (r->back)
			assert_true(ev->phase == r->cur || ev->phase + 1 == r->cur);
		else if (r->cur == SIZE_MAX)
			assert_int_equal(ev->phase, 0);
		else
			assert_int_equal(ev->phase, r->cur + 1);
		r->back = false;
		close_work(r, ev->t);
		r->cur = ev->phase;
		r->in_work = p->phases[ev->phase].kind == PHASE_WORK;
		r->seg_start = ev->t;
		break;
	case EV_CUE: {
		const struct phase *ph = &p->phases[ev->phase];
		const struct drill *d = &p->routine->drills[ph->drill];

		assert_int_equal(ev->phase, r->cur);
		assert_int_equal(ph->kind, PHASE_WORK);
		if (ev->cue == CUE_MOVEMENT) {
			assert_true(ev->step < d->n_steps);
			assert_ptr_equal(ev->text, d->steps[ev->step]);
		} else if (ev->cue == CUE_LINGER) {
			assert_ptr_equal(ev->text, p->routine->linger_text);
		} else {
			bool found = false;

			assert_int_equal(ev->cue, CUE_PROMPT);
			for (unsigned j = 0; j < d->n_prompts; j++)
				found |= ev->text == d->prompts[j].text;
			assert_true(found);
		}
		break;
	}
	case EV_COUNTDOWN:
		assert_int_equal(ev->phase, r->cur);
		assert_true(ev->seconds >= 1 && ev->seconds <= 3);
		break;
	case EV_PHASE_END:
		assert_int_equal(ev->phase, r->cur);
		close_work(r, ev->t);
		r->after_phase_end = true;
		break;
	case EV_PAUSE:
		if (r->in_work)
			r->work += ev->t - r->seg_start;
		r->paused = true;
		break;
	case EV_RESUME:
		r->seg_start = ev->t;
		r->paused = false;
		break;
	case EV_TENDER:
		assert_int_equal(p->phases[ev->phase].kind, PHASE_WORK);
		r->n_tender++;
		break;
	case EV_SESSION_END:
		assert_true(ev->status != SESSION_RUNNING);
		assert_int_equal(ev->elapsed_ms, ev->t);
		assert_int_equal(ev->work_ms, r->work);
		r->ended = true;
		r->end = *ev;
		break;
	case EV_SESSION_START:
	case EV__COUNT:
		break;
	}
	r->any = true;
	r->last_t = ev->t;
	r->n_events++;
}

static void on_event(void *ctx, const struct event *ev)
{
	struct rec *r = ctx;

	check_event(r, ev);
	if (r->n_events == 1 || ev->phase != r->last_phase)
		put(r, "%s[%zu]", r->n_events == 1 ? "" : "\n", ev->phase);
	r->last_phase = ev->phase;
	switch (ev->kind) {
	case EV_SESSION_START: put(r, " S"); break;
	case EV_PHASE_START: put(r, " P"); break;
	case EV_CUE:
		if (ev->cue == CUE_MOVEMENT)
			put(r, " M%u", ev->step);
		else if (ev->cue == CUE_PROMPT)
			put(r, " Q:%s", ev->text);
		else
			put(r, " L");
		break;
	case EV_COUNTDOWN: put(r, " C%u", ev->seconds); break;
	case EV_PHASE_END: put(r, " %s", ev->phase_status == PHASE_COMPLETED ? "E" : "X"); break;
	case EV_PAUSE: put(r, " Z"); break;
	case EV_RESUME: put(r, " R"); break;
	case EV_TENDER: put(r, " T"); break;
	case EV_SESSION_END:
		put(r, " END(%s,%llu,%llu)", session_status_name(ev->status),
		    (unsigned long long)ev->elapsed_ms, (unsigned long long)ev->work_ms);
		break;
	case EV__COUNT: break;
	}
	put(r, "@%llu", (unsigned long long)ev->t);
}

static void rec_init(struct rec *r, const struct plan *p)
{
	memset(r, 0, sizeof *r);
	r->plan = p;
	r->cur = SIZE_MAX;
	r->cap = 256;
	r->buf = malloc(r->cap);
	assert_non_null(r->buf);
	r->buf[0] = '\0';
}

/* What must hold once a session has ended, whatever was done to it. */
static void check_end(const struct rec *r, struct session *s)
{
	const struct session_totals *t = session_totals(s);
	const struct plan *p = r->plan;
	unsigned tender = 0;

	assert_true(r->ended);
	assert_true(session_done(s));
	assert_int_equal(session_next_deadline(s), UINT64_MAX);
	assert_int_equal(t->planned_ms, p->total_ms);
	assert_int_equal(t->elapsed_ms, r->end.elapsed_ms);
	assert_int_equal(t->work_ms, r->end.work_ms);
	assert_true(t->work_ms <= t->elapsed_ms);
	assert_int_equal(t->phases_completed + t->phases_skipped + t->phases_not_reached,
	                 p->n_phases);
	assert_true(t->drills_completed <= p->routine->n_drills);
	for (unsigned i = 0; i < p->routine->n_drills * 3; i++)
		tender += t->tender[i];
	assert_int_equal(tender, r->n_tender);
	for (int c = 0; c < CMD__COUNT; c++)
		assert_false(session_command(s, (enum session_cmd)c, r->last_t));
}

/* ---- the table of exact sequences ---- */

struct cmd_at {
	bool on;
	uint64_t t;
	enum session_cmd cmd;
	bool ok;
};
#define AT(t, c, ok) { true, t, c, ok }

struct scase {
	const char *name;
	void (*shape)(struct fx *);
	uint64_t fit_ms;
	struct cmd_at cmds[10];
	const char *want;
	const char *counts;     /* completed/skipped/not_reached/drills_completed */
	const char *tender;     /* the nonzero counts as index=n, or NULL for none */
};

/*
 * Runs a case as a front end would, sleeping from deadline to deadline
 * (deadlines true), or in big jumps straight to each command and then past
 * the end. Both must give the same events with the same times.
 */
static char *run_case(const struct scase *c, bool deadlines)
{
	struct fx f;
	struct plan p;
	struct plan_options o = { .equipment = -1, .fit_ms = c->fit_ms };
	struct session *s;
	struct rec r;
	char buf[64];
	const struct session_totals *t;
	size_t n = 0;

	c->shape(&f);
	assert_int_equal(plan_build(&f.r, &o, &p), PLAN_OK);
	rec_init(&r, &p);
	s = session_new(&p, on_event, &r);
	assert_non_null(s);
	assert_int_equal(session_next_deadline(s), 0);
	session_advance(s, 0);
	for (const struct cmd_at *a = c->cmds; a->on; a++) {
		if (deadlines) {
			while (!session_done(s) && session_next_deadline(s) <= a->t) {
				size_t before = r.n_events;

				session_advance(s, session_next_deadline(s));
				/* A deadline is exactly when something happens. */
				assert_true(r.n_events > before);
			}
		}
		/* Events due before the command are not the back's doing. */
		session_advance(s, a->t);
		r.back = a->cmd == CMD_BACK;
		assert_int_equal(session_command(s, a->cmd, a->t), a->ok);
		r.back = false;
	}
	if (deadlines) {
		while (!session_done(s)) {
			assert_int_not_equal(session_next_deadline(s), UINT64_MAX);
			session_advance(s, session_next_deadline(s));
		}
	} else {
		session_advance(s, UINT64_MAX / 2);
	}
	check_end(&r, s);
	t = session_totals(s);
	snprintf(buf, sizeof buf, "%u/%u/%u/%u", t->phases_completed, t->phases_skipped,
	         t->phases_not_reached, t->drills_completed);
	assert_string_equal(buf, c->counts);
	buf[0] = '\0';
	for (unsigned i = 0; i < f.r.n_drills * 3; i++)
		if (t->tender[i])
			n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%u=%u", n ? " " : "", i,
			                      t->tender[i]);
	assert_string_equal(buf, c->tender ? c->tender : "");
	session_free(s);
	plan_free(&p);
	return r.buf;
}

/* Names the first difference, which a 200-event string comparison hides. */
static void expect_same(const char *got, const char *want)
{
	size_t i = 0, line = 1, col = 0;

	while (got[i] && got[i] == want[i]) {
		col = got[i] == '\n' ? 0 : col + 1;
		line += got[i] == '\n';
		i++;
	}
	if (got[i] == want[i])
		return;
	print_error("events differ at line %zu, column %zu:\n got: %.60s\nwant: %.60s\n",
	            line, col + 1, got + i - (col < 20 ? col : 20), want + i - (col < 20 ? col : 20));
	print_error("all events:\n%s\n", got);
	fail();
}

static void test_case(void **state)
{
	const struct scase *c = *state;
	char *stepped = run_case(c, true);
	char *jumped = run_case(c, false);

	expect_same(stepped, c->want);
	expect_same(jumped, stepped);
	free(stepped);
	free(jumped);
}

#define CMD_BASELINE_3_TO_5 \
	"[3] P@12000 M0@12000 C3@15000 M1@16000 C2@16000 L@17000 C1@17000 E@18000\n" \
	"[4] P@18000 C3@19000 C2@20000 C1@21000 E@22000\n" \
	"[5] P@22000 C3@25000 C2@26000 L@27000 C1@27000 E@28000 END(completed,28000,18000)@28000"

static const struct scase scases[] = {
	{ "pre-run shape", shape_prerun, 0, { { 0 } },
	  "[0] S@0 P@0 C3@2000 C2@3000 C1@4000 E@5000\n"
	  "[1] P@5000 M0@5000 M1@7000 M0@9000 M1@11000 M0@13000 M1@15000 M0@17000 M1@19000 L@20000 M0@21000 M1@23000 M0@25000 Q:turn@25000 M1@27000 M0@29000 M1@31000 M0@33000 M1@35000 L@35000 M0@37000 M1@39000 M0@41000 M1@43000 M0@45000 M1@47000 C3@47000 C2@48000 M0@49000 C1@49000 E@50000\n"
	  "[2] P@50000 C3@52000 C2@53000 C1@54000 E@55000\n"
	  "[3] P@55000 M0@55000 M1@57000 M0@59000 M1@61000 M0@63000 M1@65000 M0@67000 M1@69000 L@70000 M0@71000 M1@73000 M0@75000 Q:turn@75000 M1@77000 M0@79000 M1@81000 M0@83000 M1@85000 L@85000 M0@87000 M1@89000 M0@91000 M1@93000 M0@95000 M1@97000 C3@97000 C2@98000 M0@99000 C1@99000 E@100000\n"
	  "[4] P@100000 C3@107000 C2@108000 C1@109000 E@110000\n"
	  "[5] P@110000 M0@110000 M1@112000 M0@114000 M1@116000 M0@118000 M1@120000 M0@122000 M1@124000 L@125000 M0@126000 M1@128000 M0@130000 Q:turn@130000 M1@132000 M0@134000 M1@136000 M0@138000 M1@140000 L@140000 M0@142000 M1@144000 M0@146000 M1@148000 M0@150000 M1@152000 C3@152000 C2@153000 M0@154000 C1@154000 E@155000\n"
	  "[6] P@155000 C3@157000 C2@158000 C1@159000 E@160000\n"
	  "[7] P@160000 M0@160000 M1@162000 M0@164000 M1@166000 M0@168000 M1@170000 M0@172000 M1@174000 L@175000 M0@176000 M1@178000 M0@180000 Q:turn@180000 M1@182000 M0@184000 M1@186000 M0@188000 M1@190000 L@190000 M0@192000 M1@194000 M0@196000 M1@198000 M0@200000 M1@202000 C3@202000 C2@203000 M0@204000 C1@204000 E@205000\n"
	  "[8] P@205000 C3@212000 C2@213000 C1@214000 E@215000\n"
	  "[9] P@215000 M0@215000 M1@217000 M0@219000 M1@221000 M0@223000 M1@225000 M0@227000 M1@229000 L@230000 M0@231000 M1@233000 M0@235000 Q:turn@235000 M1@237000 M0@239000 M1@241000 M0@243000 M1@245000 L@245000 M0@247000 M1@249000 M0@251000 M1@253000 M0@255000 M1@257000 C3@257000 C2@258000 M0@259000 C1@259000 E@260000\n"
	  "[10] P@260000 C3@262000 C2@263000 C1@264000 E@265000\n"
	  "[11] P@265000 M0@265000 M1@267000 M0@269000 M1@271000 M0@273000 M1@275000 M0@277000 M1@279000 L@280000 M0@281000 M1@283000 M0@285000 Q:turn@285000 M1@287000 M0@289000 M1@291000 M0@293000 M1@295000 L@295000 M0@297000 M1@299000 M0@301000 M1@303000 M0@305000 M1@307000 C3@307000 C2@308000 M0@309000 C1@309000 E@310000 END(completed,310000,270000)@310000",
	  "12/0/0/3", NULL },

	/* Bouts of 9, 9, 9, 9, 8, 8 s; `at` 20 s scaled to 4 s, and to
	 * 3.555 s for the last drill; movement and linger keep their tempo. */
	{ "pre-run fitted down to 60 s", shape_prerun, 60000, { { 0 } },
	  "[0] S@0 P@0 E@1000\n"
	  "[1] P@1000 M0@1000 M1@3000 M0@5000 Q:turn@5000 M1@7000 C3@7000 C2@8000 M0@9000 C1@9000 E@10000\n"
	  "[2] P@10000 E@11000\n"
	  "[3] P@11000 M0@11000 M1@13000 M0@15000 Q:turn@15000 M1@17000 C3@17000 C2@18000 M0@19000 C1@19000 E@20000\n"
	  "[4] P@20000 C1@21000 E@22000\n"
	  "[5] P@22000 M0@22000 M1@24000 M0@26000 Q:turn@26000 M1@28000 C3@28000 C2@29000 M0@30000 C1@30000 E@31000\n"
	  "[6] P@31000 E@32000\n"
	  "[7] P@32000 M0@32000 M1@34000 M0@36000 Q:turn@36000 M1@38000 C3@38000 C2@39000 M0@40000 C1@40000 E@41000\n"
	  "[8] P@41000 C1@42000 E@43000\n"
	  "[9] P@43000 M0@43000 M1@45000 Q:turn@46555 M0@47000 C3@48000 M1@49000 C2@49000 C1@50000 E@51000\n"
	  "[10] P@51000 E@52000\n"
	  "[11] P@52000 M0@52000 M1@54000 Q:turn@55555 M0@56000 C3@57000 M1@58000 C2@58000 C1@59000 E@60000 END(completed,60000,52000)@60000",
	  "12/0/0/3", NULL },

	/* x1.5: lead-in and switch both 4.5 s, the earlier one rounds up. */
	{ "fitted up to 42 s", shape_cmd, 42000, { { 0 } },
	  "[0] S@0 P@0 C3@2000 C2@3000 C1@4000 E@5000\n"
	  "[1] P@5000 M0@5000 M1@9000 L@10000 C3@11000 C2@12000 M0@13000 C1@13000 E@14000\n"
	  "[2] P@14000 C3@15000 C2@16000 C1@17000 E@18000\n"
	  "[3] P@18000 M0@18000 M1@22000 L@23000 C3@24000 C2@25000 M0@26000 C1@26000 E@27000\n"
	  "[4] P@27000 C3@30000 C2@31000 C1@32000 E@33000\n"
	  "[5] P@33000 L@38000 C3@39000 C2@40000 C1@41000 E@42000 END(completed,42000,27000)@42000",
	  "6/0/0/2", NULL },

	{ "drills without sides and with one", shape_nosides, 0, { { 0 } },
	  "[0] S@0 P@0 C1@1000 E@2000\n"
	  "[1] P@2000 M0@2000 M0@5000 C3@7000 M0@8000 C2@8000 C1@9000 E@10000\n"
	  "[2] P@10000 C2@11000 C1@12000 E@13000\n"
	  "[3] P@13000 C3@15000 C2@16000 C1@17000 E@18000 END(completed,18000,13000)@18000",
	  "4/0/0/2", NULL },

	{ "zero lead-in, switch and rest", shape_zero, 0, { { 0 } },
	  "[0] S@0 P@0 C3@2000 C2@3000 C1@4000 E@5000\n"
	  "[1] P@5000 C3@7000 C2@8000 C1@9000 E@10000\n"
	  "[2] P@10000 C3@12000 C2@13000 C1@14000 E@15000\n"
	  "[3] P@15000 C3@17000 C2@18000 C1@19000 E@20000 END(completed,20000,20000)@20000",
	  "4/0/0/2", NULL },

	/* Same-instant order at 12 s: prompts in routine order. Nothing at 24 s. */
	{ "prompts at and every", shape_prompts, 0, { { 0 } },
	  "[0] S@0 P@0 Q:d@4000 Q:a@5000 Q:b@6000 Q:d@8000 L@10000 Q:b@12000 Q:c@12000 "
	  "Q:d@12000 Q:d@16000 Q:b@18000 Q:d@20000 L@20000 C3@21000 C2@22000 C1@23000 "
	  "E@24000 END(completed,24000,24000)@24000",
	  "1/0/0/1", NULL },

	{ "movement steps cycle, from the first in each bout", shape_cycle, 0, { { 0 } },
	  "[0] S@0 P@0 M0@0 M1@3000 M2@6000 C3@7000 C2@8000 M0@9000 C1@9000 E@10000\n"
	  "[1] P@10000 M0@10000 M1@13000 M2@16000 C3@17000 C2@18000 M0@19000 C1@19000 E@20000 "
	  "END(completed,20000,20000)@20000",
	  "2/0/0/1", NULL },

	{ "linger interval longer than a bout", shape_longlinger, 0, { { 0 } },
	  "[0] S@0 P@0 C3@17000 C2@18000 C1@19000 E@20000\n"
	  "[1] P@20000 L@50000 C3@52000 C2@53000 C1@54000 E@55000 "
	  "END(completed,55000,55000)@55000",
	  "2/0/0/2", NULL },

	{ "a drill's own linger interval, or none", shape_drill_linger, 0, { { 0 } },
	  "[0] S@0 P@0 C3@6000 C2@7000 C1@8000 E@9000\n"
	  "[1] P@9000 L@12000 C3@13000 C2@14000 L@15000 C1@15000 E@16000\n"
	  "[2] P@16000 L@20000 C3@22000 C2@23000 L@24000 C1@24000 E@25000 "
	  "END(completed,25000,25000)@25000",
	  "3/0/0/3", NULL },

	{ "no commands", shape_cmd, 0, { { 0 } },
	  "[0] S@0 P@0 C2@1000 C1@2000 E@3000\n"
	  "[1] P@3000 M0@3000 C3@6000 M1@7000 C2@7000 L@8000 C1@8000 E@9000\n"
	  "[2] P@9000 C2@10000 C1@11000 E@12000\n"
	  CMD_BASELINE_3_TO_5,
	  "6/0/0/2", NULL },

	{ "pause and resume in the lead-in", shape_cmd, 0,
	  { AT(1500, CMD_PAUSE, true), AT(4000, CMD_RESUME, true) },
	  "[0] S@0 P@0 C2@1000 Z@1500 R@4000 C1@4500 E@5500\n"
	  "[1] P@5500 M0@5500 C3@8500 M1@9500 C2@9500 L@10500 C1@10500 E@11500\n"
	  "[2] P@11500 C2@12500 C1@13500 E@14500\n"
	  "[3] P@14500 M0@14500 C3@17500 M1@18500 C2@18500 L@19500 C1@19500 E@20500\n"
	  "[4] P@20500 C3@21500 C2@22500 C1@23500 E@24500\n"
	  "[5] P@24500 C3@27500 C2@28500 L@29500 C1@29500 E@30500 END(completed,30500,18000)@30500",
	  "6/0/0/2", NULL },

	{ "toggle pause in work; resume while running and pause while paused refused", shape_cmd, 0,
	  { AT(3500, CMD_RESUME, false), AT(4000, CMD_TOGGLE_PAUSE, true),
	    AT(5000, CMD_PAUSE, false), AT(6000, CMD_TOGGLE_PAUSE, true) },
	  "[0] S@0 P@0 C2@1000 C1@2000 E@3000\n"
	  "[1] P@3000 M0@3000 Z@4000 R@6000 C3@8000 M1@9000 C2@9000 L@10000 C1@10000 E@11000\n"
	  "[2] P@11000 C2@12000 C1@13000 E@14000\n"
	  "[3] P@14000 M0@14000 C3@17000 M1@18000 C2@18000 L@19000 C1@19000 E@20000\n"
	  "[4] P@20000 C3@21000 C2@22000 C1@23000 E@24000\n"
	  "[5] P@24000 C3@27000 C2@28000 L@29000 C1@29000 E@30000 END(completed,30000,18000)@30000",
	  "6/0/0/2", NULL },

	{ "pause in a switch across its end", shape_cmd, 0,
	  { AT(10500, CMD_PAUSE, true), AT(20000, CMD_RESUME, true) },
	  "[0] S@0 P@0 C2@1000 C1@2000 E@3000\n"
	  "[1] P@3000 M0@3000 C3@6000 M1@7000 C2@7000 L@8000 C1@8000 E@9000\n"
	  "[2] P@9000 C2@10000 Z@10500 R@20000 C1@20500 E@21500\n"
	  "[3] P@21500 M0@21500 C3@24500 M1@25500 C2@25500 L@26500 C1@26500 E@27500\n"
	  "[4] P@27500 C3@28500 C2@29500 C1@30500 E@31500\n"
	  "[5] P@31500 C3@34500 C2@35500 L@36500 C1@36500 E@37500 END(completed,37500,18000)@37500",
	  "6/0/0/2", NULL },

	{ "pause in a rest, at a countdown", shape_cmd, 0,
	  { AT(19000, CMD_PAUSE, true), AT(19500, CMD_RESUME, true) },
	  "[0] S@0 P@0 C2@1000 C1@2000 E@3000\n"
	  "[1] P@3000 M0@3000 C3@6000 M1@7000 C2@7000 L@8000 C1@8000 E@9000\n"
	  "[2] P@9000 C2@10000 C1@11000 E@12000\n"
	  "[3] P@12000 M0@12000 C3@15000 M1@16000 C2@16000 L@17000 C1@17000 E@18000\n"
	  "[4] P@18000 C3@19000 Z@19000 R@19500 C2@20500 C1@21500 E@22500\n"
	  "[5] P@22500 C3@25500 C2@26500 L@27500 C1@27500 E@28500 END(completed,28500,18000)@28500",
	  "6/0/0/2", NULL },

	{ "while paused only resume and stop apply; nothing after the end", shape_cmd, 0,
	  { AT(4000, CMD_PAUSE, true), AT(4500, CMD_TENDER, false), AT(5000, CMD_SKIP, false),
	    AT(5500, CMD_BACK, false), AT(6000, CMD_EXTEND, false), AT(6500, CMD_PAUSE, false),
	    AT(7000, CMD_STOP, true), AT(8000, CMD_RESUME, false), AT(9000, CMD_SKIP, false) },
	  "[0] S@0 P@0 C2@1000 C1@2000 E@3000\n"
	  "[1] P@3000 M0@3000 Z@4000 X@7000 END(stopped,7000,1000)@7000",
	  "1/1/4/0", NULL },

	{ "skip in every phase kind, and on the last phase", shape_cmd, 0,
	  { AT(500, CMD_SKIP, true), AT(1500, CMD_SKIP, true), AT(2000, CMD_SKIP, true),
	    AT(8100, CMD_SKIP, true), AT(11500, CMD_SKIP, true) },
	  "[0] S@0 P@0 X@500\n"
	  "[1] P@500 M0@500 X@1500\n"
	  "[2] P@1500 X@2000\n"
	  "[3] P@2000 M0@2000 C3@5000 M1@6000 C2@6000 L@7000 C1@7000 E@8000\n"
	  "[4] P@8000 X@8100\n"
	  "[5] P@8100 C3@11100 X@11500 END(completed,11500,10400)@11500",
	  "1/5/0/0", NULL },

	/* Restart the lead-in (the first phase), restart a bout after 2 s,
	 * from a switch back to the bout, restart a rest, and exactly 2 s
	 * into the last bout back to the rest. */
	{ "back in every phase kind, and on the first", shape_cmd, 0,
	  { AT(1500, CMD_BACK, true), AT(7000, CMD_BACK, true), AT(13500, CMD_BACK, true),
	    AT(31000, CMD_BACK, true), AT(37000, CMD_BACK, true) },
	  "[0] S@0 P@0 C2@1000 P@1500 C2@2500 C1@3500 E@4500\n"
	  "[1] P@4500 M0@4500 P@7000 M0@7000 C3@10000 M1@11000 C2@11000 L@12000 C1@12000 E@13000\n"
	  "[2] P@13000\n"
	  "[1] P@13500 M0@13500 C3@16500 M1@17500 C2@17500 L@18500 C1@18500 E@19500\n"
	  "[2] P@19500 C2@20500 C1@21500 E@22500\n"
	  "[3] P@22500 M0@22500 C3@25500 M1@26500 C2@26500 L@27500 C1@27500 E@28500\n"
	  "[4] P@28500 C3@29500 C2@30500 P@31000 C3@32000 C2@33000 C1@34000 E@35000\n"
	  "[5] P@35000\n"
	  "[4] P@37000 C3@38000 C2@39000 C1@40000 E@41000\n"
	  "[5] P@41000 C3@44000 C2@45000 L@46000 C1@46000 E@47000 END(completed,47000,28500)@47000",
	  "6/0/0/2", NULL },

	{ "back after a skip erases the skip", shape_cmd, 0,
	  { AT(500, CMD_SKIP, true), AT(1000, CMD_BACK, true) },
	  "[0] S@0 P@0 X@500\n"
	  "[1] P@500 M0@500\n"
	  "[0] P@1000 C2@2000 C1@3000 E@4000\n"
	  "[1] P@4000 M0@4000 C3@7000 M1@8000 C2@8000 L@9000 C1@9000 E@10000\n"
	  "[2] P@10000 C2@11000 C1@12000 E@13000\n"
	  "[3] P@13000 M0@13000 C3@16000 M1@17000 C2@17000 L@18000 C1@18000 E@19000\n"
	  "[4] P@19000 C3@20000 C2@21000 C1@22000 E@23000\n"
	  "[5] P@23000 C3@26000 C2@27000 L@28000 C1@28000 E@29000 END(completed,29000,18500)@29000",
	  "6/0/0/2", NULL },

	/* In the bout, extend comes between countdown 2 and 1: the countdown
	 * starts again against the new end; cues already given are not repeated. */
	{ "extend in every phase kind, and during a countdown", shape_cmd, 0,
	  { AT(500, CMD_EXTEND, true), AT(17500, CMD_EXTEND, true), AT(29500, CMD_EXTEND, true),
	    AT(30000, CMD_EXTEND, true), AT(59500, CMD_EXTEND, true), AT(72000, CMD_EXTEND, true) },
	  "[0] S@0 P@0 C3@10000 C2@11000 C1@12000 E@13000\n"
	  "[1] P@13000 M0@13000 C3@16000 M1@17000 C2@17000 L@18000 M0@21000 L@23000 M1@25000 "
	  "C3@26000 C2@27000 L@28000 C1@28000 E@29000\n"
	  "[2] P@29000 C3@49000 C2@50000 C1@51000 E@52000\n"
	  "[3] P@52000 M0@52000 C3@55000 M1@56000 C2@56000 L@57000 C1@57000 E@58000\n"
	  "[4] P@58000 C3@59000 C3@69000 C2@70000 C1@71000 E@72000\n"
	  "[5] P@72000 L@77000 L@82000 C3@85000 C2@86000 L@87000 C1@87000 E@88000 "
	  "END(completed,88000,38000)@88000",
	  "6/0/0/2", NULL },

	{ "stop in the lead-in", shape_cmd, 0,
	  { AT(1500, CMD_STOP, true), AT(2000, CMD_SKIP, false) },
	  "[0] S@0 P@0 C2@1000 X@1500 END(stopped,1500,0)@1500",
	  "0/1/5/0", NULL },

	{ "stop in a bout", shape_cmd, 0, { AT(4000, CMD_STOP, true) },
	  "[0] S@0 P@0 C2@1000 C1@2000 E@3000\n"
	  "[1] P@3000 M0@3000 X@4000 END(stopped,4000,1000)@4000",
	  "1/1/4/0", NULL },

	{ "interrupt in a switch, at a countdown", shape_cmd, 0, { AT(10000, CMD_INTERRUPT, true) },
	  "[0] S@0 P@0 C2@1000 C1@2000 E@3000\n"
	  "[1] P@3000 M0@3000 C3@6000 M1@7000 C2@7000 L@8000 C1@8000 E@9000\n"
	  "[2] P@9000 C2@10000 X@10000 END(interrupted,10000,6000)@10000",
	  "2/1/3/0", NULL },

	{ "stop in a rest", shape_cmd, 0, { AT(20000, CMD_STOP, true) },
	  "[0] S@0 P@0 C2@1000 C1@2000 E@3000\n"
	  "[1] P@3000 M0@3000 C3@6000 M1@7000 C2@7000 L@8000 C1@8000 E@9000\n"
	  "[2] P@9000 C2@10000 C1@11000 E@12000\n"
	  "[3] P@12000 M0@12000 C3@15000 M1@16000 C2@16000 L@17000 C1@17000 E@18000\n"
	  "[4] P@18000 C3@19000 C2@20000 X@20000 END(stopped,20000,12000)@20000",
	  "4/1/1/1", NULL },

	{ "interrupt while paused; paused time is elapsed, not work", shape_cmd, 0,
	  { AT(24000, CMD_PAUSE, true), AT(60000, CMD_INTERRUPT, true) },
	  "[0] S@0 P@0 C2@1000 C1@2000 E@3000\n"
	  "[1] P@3000 M0@3000 C3@6000 M1@7000 C2@7000 L@8000 C1@8000 E@9000\n"
	  "[2] P@9000 C2@10000 C1@11000 E@12000\n"
	  "[3] P@12000 M0@12000 C3@15000 M1@16000 C2@16000 L@17000 C1@17000 E@18000\n"
	  "[4] P@18000 C3@19000 C2@20000 C1@21000 E@22000\n"
	  "[5] P@22000 Z@24000 X@60000 END(interrupted,60000,14000)@60000",
	  "5/1/0/1", NULL },

	/* Tender counts go to [drill * 3 + side]: A left is 1, B (no side) is 3. */
	{ "tender in work only", shape_cmd, 0,
	  { AT(1000, CMD_TENDER, false), AT(4000, CMD_TENDER, true), AT(4000, CMD_TENDER, true),
	    AT(10000, CMD_TENDER, false), AT(19000, CMD_TENDER, false),
	    AT(23000, CMD_TENDER, true) },
	  "[0] S@0 P@0 C2@1000 C1@2000 E@3000\n"
	  "[1] P@3000 M0@3000 T@4000 L@4000 T@4000 L@4000 C3@6000 M1@7000 C2@7000 L@8000 C1@8000 E@9000\n"
	  "[2] P@9000 C2@10000 C1@11000 E@12000\n"
	  "[3] P@12000 M0@12000 C3@15000 M1@16000 C2@16000 L@17000 C1@17000 E@18000\n"
	  "[4] P@18000 C3@19000 C2@20000 C1@21000 E@22000\n"
	  "[5] P@22000 T@23000 L@23000 C3@25000 C2@26000 L@27000 C1@27000 E@28000 "
	  "END(completed,28000,18000)@28000",
	  "6/0/0/2", "1=2 3=1" },

	{ "a plan without phases starts and ends at 0", shape_empty, 0, { { 0 } },
	  "[0] S@0 END(completed,0,0)@0", "0/0/0/0", NULL },
};

/* ---- the rest of the interface ---- */

static void test_deadlines_and_view(void **state)
{
	struct fx f;
	struct plan p;
	struct plan_options o = { .equipment = -1 };
	struct session *s;
	struct session_view v;
	struct rec r;

	(void)state;
	shape_cmd(&f);
	assert_int_equal(plan_build(&f.r, &o, &p), PLAN_OK);
	rec_init(&r, &p);
	s = session_new(&p, on_event, &r);
	assert_non_null(s);

	session_view(s, 0, &v);
	assert_int_equal(v.phase, 0);
	assert_int_equal(v.phase_len_ms, 3000);
	assert_int_equal(v.phase_remaining_ms, 3000);
	assert_int_equal(v.session_remaining_ms, 28000);

	/* A command before the first advance starts the session first. */
	assert_true(session_command(s, CMD_PAUSE, 0));
	assert_true(session_paused(s));
	assert_int_equal(session_next_deadline(s), UINT64_MAX);
	assert_true(session_command(s, CMD_RESUME, 500));
	assert_false(session_paused(s));
	assert_int_equal(session_next_deadline(s), 1500);

	session_advance(s, 2000);
	session_view(s, 2000, &v);
	assert_int_equal(v.phase, 0);
	assert_int_equal(v.phase_elapsed_ms, 1500);
	assert_int_equal(v.phase_remaining_ms, 1500);
	assert_int_equal(v.session_remaining_ms, 26500);
	assert_false(v.paused);
	/* The view may look ahead of the last advance, but not past the end. */
	session_view(s, 9000, &v);
	assert_int_equal(v.phase_elapsed_ms, 3000);
	assert_int_equal(v.phase_remaining_ms, 0);

	assert_true(session_command(s, CMD_EXTEND, 2000));
	session_view(s, 2000, &v);
	assert_int_equal(v.phase_len_ms, 13000);
	assert_int_equal(v.session_remaining_ms, 36500);
	assert_int_equal(session_next_deadline(s), 10500);

	assert_true(session_command(s, CMD_PAUSE, 4000));
	session_view(s, 7000, &v);
	assert_true(v.paused);
	assert_int_equal(v.phase_elapsed_ms, 3500);
	assert_int_equal(session_totals(s)->elapsed_ms, 4000);
	session_advance(s, 7000);
	assert_int_equal(session_totals(s)->elapsed_ms, 7000);
	assert_int_equal(session_totals(s)->work_ms, 0);

	assert_true(session_command(s, CMD_SKIP, 7000) == false);
	assert_true(session_command(s, CMD_RESUME, 7000));
	assert_true(session_command(s, CMD_SKIP, 7000));
	session_view(s, 8000, &v);
	assert_int_equal(v.phase, 1);
	assert_int_equal(v.phase_elapsed_ms, 1000);
	assert_int_equal(v.session_remaining_ms, 24000);
	session_advance(s, 8000);
	assert_int_equal(session_totals(s)->work_ms, 1000);

	assert_true(session_command(s, CMD_STOP, 8000));
	session_view(s, 9000, &v);
	assert_int_equal(v.phase_remaining_ms, 0);
	assert_int_equal(v.session_remaining_ms, 0);
	assert_true(session_done(s));
	check_end(&r, s);
	free(r.buf);
	session_free(s);
	plan_free(&p);
}

/* Totals while running: going back to a phase erases its outcome at once. */
static void test_totals_midway(void **state)
{
	struct fx f;
	struct plan p;
	struct plan_options o = { .equipment = -1 };
	struct session *s;
	const struct session_totals *t;

	(void)state;
	shape_cmd(&f);
	assert_int_equal(plan_build(&f.r, &o, &p), PLAN_OK);
	s = session_new(&p, NULL, NULL);
	assert_non_null(s);
	t = session_totals(s);
	assert_int_equal(t->planned_ms, 28000);
	assert_int_equal(t->phases_not_reached, 6);

	session_advance(s, 9000);
	assert_int_equal(t->phases_completed, 2);
	assert_int_equal(t->work_ms, 6000);
	assert_true(session_command(s, CMD_SKIP, 9500));
	assert_int_equal(t->phases_skipped, 1);
	assert_int_equal(t->phases_not_reached, 3);
	/* 0.5 s into the right bout: back to the switch, which was skipped. */
	assert_true(session_command(s, CMD_BACK, 10000));
	assert_int_equal(t->phases_completed, 2);
	assert_int_equal(t->phases_skipped, 0);
	assert_int_equal(t->phases_not_reached, 4);
	assert_int_equal(t->work_ms, 6500);
	assert_int_equal(t->elapsed_ms, 10000);
	/* Back again: into the left bout, which had completed. */
	assert_true(session_command(s, CMD_BACK, 10000));
	assert_int_equal(t->phases_completed, 1);
	assert_int_equal(t->drills_completed, 0);
	assert_true(session_command(s, CMD_TENDER, 10000));
	assert_int_equal(t->tender[0 * 3 + SIDE_LEFT], 1);
	session_free(s);
	plan_free(&p);
}

static void test_names(void **state)
{
	static const char *const events[EV__COUNT] = {
		"session_start", "phase_start", "cue", "countdown", "phase_end",
		"pause", "resume", "tender", "session_end",
	};

	(void)state;
	for (int k = 0; k < EV__COUNT; k++)
		assert_string_equal(event_kind_name((enum event_kind)k), events[k]);
	assert_null(event_kind_name(EV__COUNT));
	assert_string_equal(cue_kind_name(CUE_MOVEMENT), "movement");
	assert_string_equal(cue_kind_name(CUE_PROMPT), "prompt");
	assert_string_equal(cue_kind_name(CUE_LINGER), "linger");
	assert_string_equal(session_status_name(SESSION_RUNNING), "running");
	assert_string_equal(session_status_name(SESSION_COMPLETED), "completed");
	assert_string_equal(session_status_name(SESSION_STOPPED), "stopped");
	assert_string_equal(session_status_name(SESSION_INTERRUPTED), "interrupted");
	assert_string_equal(phase_status_name(PHASE_COMPLETED), "completed");
	assert_string_equal(phase_status_name(PHASE_SKIPPED), "skipped");
}

/* ---- random sessions ---- */

/* xorshift64*: small, and the same sequence on every machine. */
static uint64_t rnd_next(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 2685821657736338717ULL;
}

static uint64_t rnd(uint64_t *x, uint64_t n)
{
	return n ? rnd_next(x) % n : 0;
}

static uint64_t rnd_secs(uint64_t *x, uint64_t lo, uint64_t hi)
{
	return (lo + rnd(x, hi - lo + 1)) * 1000;
}

static void shape_random(struct fx *f, uint64_t *x)
{
	static const char *const words[] = { "one", "two", "three" };
	static const char *const texts[] = { "p0", "p1", "p2", "p3" };
	unsigned n = 1 + (unsigned)rnd(x, MAX_DRILLS);

	base(f, rnd(x, 2) ? rnd_secs(x, 1, 6) : 0, rnd(x, 2) ? rnd_secs(x, 1, 6) : 0,
	     rnd(x, 2) ? rnd_secs(x, 1, 8) : 0, rnd(x, 3) ? rnd_secs(x, 2, 25) : 0);
	for (unsigned i = 0; i < n; i++) {
		uint64_t ms = rnd_secs(x, 5, 25);
		unsigned n_sides = (unsigned)rnd(x, 3);
		enum side first = rnd(x, 2) ? SIDE_LEFT : SIDE_RIGHT;
		struct drill *d = drill(f, i, ms, n_sides, first,
		                        first == SIDE_LEFT ? SIDE_RIGHT : SIDE_LEFT);
		unsigned n_prompts = (unsigned)rnd(x, MAX_PROMPTS + 1);

		if (rnd(x, 3))
			steps(d, rnd_secs(x, 1, 5), 1 + (unsigned)rnd(x, 3), words);
		for (unsigned j = 0; j < n_prompts; j++) {
			if (rnd(x, 2))
				prompt(d, texts[j], rnd_secs(x, 1, ms / 1000 - 1), 0);
			else
				prompt(d, texts[j], 0, rnd_secs(x, 1, 12));
		}
	}
}

/* Whether a command should apply, from what the events have shown. */
static bool expect_ok(const struct rec *r, const struct session *s, enum session_cmd c)
{
	bool paused = session_paused(s);

	if (session_done(s))
		return false;
	switch (c) {
	case CMD_PAUSE: return !paused;
	case CMD_RESUME: return paused;
	case CMD_TOGGLE_PAUSE:
	case CMD_STOP:
	case CMD_INTERRUPT: return true;
	case CMD_SKIP:
	case CMD_BACK:
	case CMD_EXTEND: return !paused;
	case CMD_TENDER: return !paused && r->plan->phases[r->cur].kind == PHASE_WORK;
	case CMD__COUNT: break;
	}
	return false;
}

struct script {
	size_t n;
	uint64_t t[32];
	enum session_cmd cmd[32];
};

/*
 * One random session, driven from deadline to deadline with stray wake-ups
 * between (jumps false), or straight from command to command. Returns the
 * rendered events.
 */
static char *run_random(const struct plan *p, const struct script *sc, bool jumps,
                        uint64_t *x)
{
	struct session *s;
	struct rec r;

	rec_init(&r, p);
	s = session_new(p, on_event, &r);
	assert_non_null(s);
	session_advance(s, 0);
	for (size_t i = 0; i < sc->n; i++) {
		size_t before;
		bool ok, want;

		while (!jumps && !session_done(s) && session_next_deadline(s) <= sc->t[i]) {
			uint64_t d = session_next_deadline(s);

			if (rnd(x, 4) == 0 && d > r.last_t + 1)
				session_advance(s, r.last_t + rnd(x, d - r.last_t));
			before = r.n_events;
			session_advance(s, d);
			assert_true(r.n_events > before);
		}
		session_advance(s, sc->t[i]);
		if (!session_done(s) && !session_paused(s))
			assert_true(session_next_deadline(s) > sc->t[i]);
		before = r.n_events;
		want = expect_ok(&r, s, sc->cmd[i]);
		r.back = sc->cmd[i] == CMD_BACK;
		ok = session_command(s, sc->cmd[i], sc->t[i]);
		r.back = false;
		assert_int_equal(ok, want);
		if (!ok)
			assert_int_equal(r.n_events, before);
	}
	/* Leave no session paused forever. */
	if (session_paused(s))
		assert_true(session_command(s, CMD_RESUME, r.last_t));
	if (jumps) {
		session_advance(s, UINT64_MAX / 2);
	} else {
		while (!session_done(s)) {
			uint64_t d = session_next_deadline(s);

			assert_int_not_equal(d, UINT64_MAX);
			assert_true(d >= r.last_t);
			session_advance(s, d);
		}
	}
	check_end(&r, s);
	if (sc->n == 0) {
		const struct session_totals *t = session_totals(s);
		uint64_t work = 0;

		for (size_t i = 0; i < p->n_phases; i++)
			if (p->phases[i].kind == PHASE_WORK)
				work += p->phases[i].duration_ms;
		assert_int_equal(r.end.t, p->total_ms);
		assert_int_equal(r.end.status, SESSION_COMPLETED);
		assert_int_equal(r.end.work_ms, work);
		assert_int_equal(t->phases_completed, p->n_phases);
		assert_int_equal(t->drills_completed, p->routine->n_drills);
	}
	session_free(s);
	return r.buf;
}

static void test_random(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 5000; seed++) {
		uint64_t x = seed * 0x9E3779B97F4A7C15ULL;
		struct plan_options o = { .equipment = -1 };
		struct fx f;
		struct plan p;
		struct script sc = { 0 };
		char *stepped, *jumped;
		uint64_t t = 0;

		shape_random(&f, &x);
		if (rnd(&x, 4) == 0) {
			assert_int_equal(plan_build(&f.r, &o, &p), PLAN_OK);
			o.fit_ms = plan_min_fit_ms(&f.r) + rnd(&x, 2 * p.total_ms);
			plan_free(&p);
		}
		assert_int_equal(plan_build(&f.r, &o, &p), PLAN_OK);
		if (o.fit_ms)
			assert_true(p.total_ms + 500 >= o.fit_ms && p.total_ms <= o.fit_ms + 500);
		sc.n = rnd(&x, 5) == 0 ? 0 : rnd(&x, 32);
		for (size_t i = 0; i < sc.n; i++) {
			/* Often the same instant, often a phase boundary or so. */
			t += rnd(&x, 3) == 0 ? 0 : rnd(&x, p.total_ms / 4 + 2);
			sc.t[i] = t;
			/* Mostly commands that keep the session going. */
			sc.cmd[i] = rnd(&x, 8) ? (enum session_cmd)rnd(&x, CMD_STOP)
			                       : (enum session_cmd)rnd(&x, CMD__COUNT);
		}
		stepped = run_random(&p, &sc, false, &x);
		jumped = run_random(&p, &sc, true, &x);
		if (strcmp(stepped, jumped) != 0) {
			print_error("seed %llu: driving by deadlines and by jumps differ\n",
			            (unsigned long long)seed);
			expect_same(jumped, stepped);
		}
		free(stepped);
		free(jumped);
		plan_free(&p);
	}
}

int main(void)
{
	struct CMUnitTest tests[sizeof scases / sizeof scases[0] + 4];
	size_t n = 0;

	for (size_t i = 0; i < sizeof scases / sizeof scases[0]; i++)
		tests[n++] = (struct CMUnitTest){ .name = scases[i].name, .test_func = test_case,
		                                  .initial_state = (void *)&scases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_deadlines_and_view);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_totals_midway);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_names);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_random);
	return _cmocka_run_group_tests("session", tests, n, NULL, NULL);
}
