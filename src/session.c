#include "session.h"

#include <stdlib.h>
#include <string.h>

/* Back within this long after a phase starts goes to the previous phase. */
#define BACK_WINDOW_MS 2000u
#define EXTEND_MS 10000u
#define PPM 1000000u

enum state { ST_IDLE, ST_RUNNING, ST_PAUSED, ST_DONE, ST__COUNT };

enum outcome { OUT_NONE, OUT_COMPLETED, OUT_SKIPPED };

/*
 * Inside a phase, every event is a point (offset from the phase's start,
 * rank). Points are emitted in (offset, rank) order and the session only
 * remembers the last one emitted; the next is computed from the rules, so
 * a phase needs no list and an extend just moves the end. Ranks give the
 * order of points due at the same instant.
 */
enum {
	RANK_START,
	RANK_MOVEMENT,
	RANK_PROMPT,    /* prompt j: `at` at RANK_PROMPT + 2j, `every` one above */
};

static unsigned rank_linger(unsigned n_prompts) { return RANK_PROMPT + 2 * n_prompts; }
static unsigned rank_countdown(unsigned n_prompts) { return RANK_PROMPT + 2 * n_prompts + 1; }

struct point {
	uint64_t off;
	unsigned rank;
	struct event ev;    /* kind and payload; t and phase filled on emit */
};

struct session {
	const struct plan *plan;
	session_emit_fn emit;
	void *ctx;
	enum state state;
	uint64_t now;           /* the latest time advanced to */
	size_t cur;
	uint64_t t0;            /* the current phase's start, shifted by pauses */
	uint64_t len;           /* its plan duration plus extensions */
	uint64_t paused_at;
	bool emitted;           /* whether last_off/last_rank hold a point yet */
	uint64_t last_off;
	unsigned last_rank;
	uint64_t work_done;     /* work time of bouts already left */
	uint64_t end_t;
	unsigned char *outcome; /* enum outcome per phase */
	struct session_totals totals;
};

static const char *const event_names[EV__COUNT] = {
	[EV_SESSION_START] = "session_start",
	[EV_PHASE_START] = "phase_start",
	[EV_CUE] = "cue",
	[EV_COUNTDOWN] = "countdown",
	[EV_PHASE_END] = "phase_end",
	[EV_PAUSE] = "pause",
	[EV_RESUME] = "resume",
	[EV_TENDER] = "tender",
	[EV_SESSION_END] = "session_end",
};

const char *event_kind_name(enum event_kind k)
{
	return (unsigned)k < EV__COUNT ? event_names[k] : NULL;
}

const char *cue_kind_name(enum cue_kind k)
{
	switch (k) {
	case CUE_MOVEMENT: return "movement";
	case CUE_PROMPT: return "prompt";
	case CUE_LINGER: return "linger";
	}
	return NULL;
}

const char *session_status_name(enum session_status st)
{
	switch (st) {
	case SESSION_RUNNING: return "running";
	case SESSION_COMPLETED: return "completed";
	case SESSION_STOPPED: return "stopped";
	case SESSION_INTERRUPTED: return "interrupted";
	}
	return NULL;
}

const char *phase_status_name(enum phase_status st)
{
	switch (st) {
	case PHASE_COMPLETED: return "completed";
	case PHASE_SKIPPED: return "skipped";
	}
	return NULL;
}

static const struct phase *cur_phase(const struct session *s)
{
	return &s->plan->phases[s->cur];
}

static void emit(struct session *s, struct event ev, uint64_t t)
{
	ev.t = t;
	ev.phase = s->cur;
	if (s->emit)
		s->emit(s->ctx, &ev);
}

/* The earliest offset a point of this rank may have and still come next. */
static uint64_t lowest(const struct session *s, unsigned rank)
{
	if (!s->emitted)
		return 0;
	return rank > s->last_rank ? s->last_off : s->last_off + 1;
}

/* The first multiple of every, at least first * every, that is >= lo. */
static uint64_t next_multiple(uint64_t every, uint64_t lo, uint64_t first)
{
	uint64_t m = lo / every + (lo % every != 0);

	return (m < first ? first : m) * every;
}

static void consider(struct point *best, bool *found, const struct point *p)
{
	if (!*found || p->off < best->off || (p->off == best->off && p->rank < best->rank)) {
		*best = *p;
		*found = true;
	}
}

static uint64_t prompt_at(const struct plan *p, int drill, const struct prompt *pr)
{
	return pr->at_ms * p->at_scale_ppm[drill] / PPM;
}

static void work_points(const struct session *s, struct point *best, bool *found)
{
	const struct routine *r = s->plan->routine;
	const struct drill *d = &r->drills[cur_phase(s)->drill];
	struct point p;

	if (d->n_steps > 0 && d->step_ms > 0) {
		p.off = next_multiple(d->step_ms, lowest(s, RANK_MOVEMENT), 0);
		if (p.off < s->len) {
			p.rank = RANK_MOVEMENT;
			p.ev = (struct event){ .kind = EV_CUE, .cue = CUE_MOVEMENT };
			p.ev.step = (unsigned)(p.off / d->step_ms % d->n_steps);
			p.ev.text = d->steps[p.ev.step];
			consider(best, found, &p);
		}
	}
	for (unsigned j = 0; j < d->n_prompts; j++) {
		const struct prompt *pr = &d->prompts[j];

		p.ev = (struct event){ .kind = EV_CUE, .cue = CUE_PROMPT, .text = pr->text };
		p.rank = RANK_PROMPT + 2 * j;
		p.off = prompt_at(s->plan, cur_phase(s)->drill, pr);
		if (pr->at_ms > 0 && p.off >= lowest(s, p.rank) && p.off < s->len)
			consider(best, found, &p);
		p.rank++;
		if (pr->every_ms > 0) {
			p.off = next_multiple(pr->every_ms, lowest(s, p.rank), 1);
			if (p.off < s->len)
				consider(best, found, &p);
		}
	}
	/* A drill may set its own interval (0 for none), e.g. a dynamic drill
	 * after the rolling, where "don't linger" would make no sense. */
	uint64_t linger = d->linger_set ? d->linger_every_ms : r->linger_every_ms;
	if (linger > 0) {
		p.rank = rank_linger(d->n_prompts);
		p.off = next_multiple(linger, lowest(s, p.rank), 1);
		p.ev = (struct event){ .kind = EV_CUE, .cue = CUE_LINGER, .text = r->linger_text };
		if (p.off < s->len)
			consider(best, found, &p);
	}
}

/* The next point of the current phase, or false when only its end is left. */
static bool next_point(const struct session *s, struct point *out)
{
	const struct phase *ph = cur_phase(s);
	unsigned n_prompts = 0;
	bool found = false;
	struct point p;

	if (!s->emitted) {
		*out = (struct point){ .off = 0, .rank = RANK_START, .ev.kind = EV_PHASE_START };
		return true;
	}
	if (ph->kind == PHASE_WORK) {
		n_prompts = s->plan->routine->drills[ph->drill].n_prompts;
		work_points(s, out, &found);
	}
	p.rank = rank_countdown(n_prompts);
	for (unsigned sec = 3; sec >= 1; sec--) {
		if (s->len <= sec * 1000u)
			continue;
		p.off = s->len - sec * 1000u;
		if (p.off < lowest(s, p.rank))
			continue;
		p.ev = (struct event){ .kind = EV_COUNTDOWN, .seconds = sec };
		consider(out, &found, &p);
		break;
	}
	return found;
}

static enum outcome outcome_of(enum phase_status st)
{
	return st == PHASE_COMPLETED ? OUT_COMPLETED : OUT_SKIPPED;
}

static void count_outcomes(struct session *s)
{
	const struct plan *p = s->plan;
	struct session_totals *t = &s->totals;

	t->phases_completed = t->phases_skipped = t->drills_completed = 0;
	for (size_t i = 0; i < p->n_phases; i++) {
		t->phases_completed += s->outcome[i] == OUT_COMPLETED;
		t->phases_skipped += s->outcome[i] == OUT_SKIPPED;
	}
	t->phases_not_reached = (unsigned)p->n_phases - t->phases_completed - t->phases_skipped;
	for (unsigned d = 0; d < p->routine->n_drills; d++) {
		unsigned bouts = 0, done = 0;

		for (size_t i = 0; i < p->n_phases; i++) {
			if (p->phases[i].kind != PHASE_WORK || p->phases[i].drill != (int)d)
				continue;
			bouts++;
			done += s->outcome[i] == OUT_COMPLETED;
		}
		t->drills_completed += bouts > 0 && done == bouts;
	}
}

static void set_outcome(struct session *s, size_t phase, enum outcome o)
{
	s->outcome[phase] = (unsigned char)o;
	count_outcomes(s);
}

/* Time the current phase has run, pauses left out, as of t. */
static uint64_t active_ms(const struct session *s, uint64_t t)
{
	uint64_t at = s->state == ST_PAUSED ? s->paused_at : t;

	return at > s->t0 ? at - s->t0 : 0;
}

static void leave_phase(struct session *s, uint64_t t)
{
	if (cur_phase(s)->kind == PHASE_WORK)
		s->work_done += active_ms(s, t);
}

static void enter_phase(struct session *s, size_t phase, uint64_t t)
{
	s->cur = phase;
	s->t0 = t;
	s->len = s->plan->phases[phase].duration_ms;
	s->emitted = false;
}

static void end_session(struct session *s, uint64_t t, enum session_status st)
{
	struct event ev = { .kind = EV_SESSION_END, .status = st };

	s->state = ST_DONE;
	s->end_t = t;
	ev.elapsed_ms = t;
	ev.work_ms = s->work_done;
	emit(s, ev, t);
}

static void finish_phase(struct session *s, uint64_t t, enum phase_status st)
{
	emit(s, (struct event){ .kind = EV_PHASE_END, .phase_status = st }, t);
	set_outcome(s, s->cur, outcome_of(st));
	leave_phase(s, t);
	if (s->cur + 1 < s->plan->n_phases)
		enter_phase(s, s->cur + 1, t);
	else
		end_session(s, t, SESSION_COMPLETED);
}

static void run_to(struct session *s, uint64_t now)
{
	struct point p;

	if (s->state == ST_IDLE) {
		s->state = ST_RUNNING;
		emit(s, (struct event){ .kind = EV_SESSION_START }, 0);
		if (s->plan->n_phases == 0)
			end_session(s, 0, SESSION_COMPLETED);
		else
			enter_phase(s, 0, 0);
	}
	while (s->state == ST_RUNNING) {
		if (next_point(s, &p)) {
			if (s->t0 + p.off > now)
				break;
			s->emitted = true;
			s->last_off = p.off;
			s->last_rank = p.rank;
			emit(s, p.ev, s->t0 + p.off);
		} else {
			if (s->t0 + s->len > now)
				break;
			finish_phase(s, s->t0 + s->len, PHASE_COMPLETED);
		}
	}
}

static void refresh_times(struct session *s)
{
	s->totals.elapsed_ms = s->state == ST_DONE ? s->end_t : s->now;
	s->totals.work_ms = s->work_done;
	if ((s->state == ST_RUNNING || s->state == ST_PAUSED) && cur_phase(s)->kind == PHASE_WORK)
		s->totals.work_ms += active_ms(s, s->now);
}

static bool cmd_pause(struct session *s, uint64_t now)
{
	s->state = ST_PAUSED;
	s->paused_at = now;
	emit(s, (struct event){ .kind = EV_PAUSE }, now);
	return true;
}

static bool cmd_resume(struct session *s, uint64_t now)
{
	s->t0 += now - s->paused_at;
	s->state = ST_RUNNING;
	emit(s, (struct event){ .kind = EV_RESUME }, now);
	return true;
}

static bool cmd_skip(struct session *s, uint64_t now)
{
	finish_phase(s, now, PHASE_SKIPPED);
	return true;
}

static bool cmd_back(struct session *s, uint64_t now)
{
	size_t to = s->cur;

	if (active_ms(s, now) <= BACK_WINDOW_MS && s->cur > 0)
		to = s->cur - 1;
	leave_phase(s, now);
	set_outcome(s, to, OUT_NONE);
	enter_phase(s, to, now);
	return true;
}

static bool cmd_extend(struct session *s, uint64_t now)
{
	(void)now;
	s->len += EXTEND_MS;
	return true;
}

static void stop(struct session *s, uint64_t now, enum session_status st)
{
	emit(s, (struct event){ .kind = EV_PHASE_END, .phase_status = PHASE_SKIPPED }, now);
	set_outcome(s, s->cur, OUT_SKIPPED);
	leave_phase(s, now);
	end_session(s, now, st);
}

static bool cmd_stop(struct session *s, uint64_t now)
{
	stop(s, now, SESSION_STOPPED);
	return true;
}

static bool cmd_interrupt(struct session *s, uint64_t now)
{
	stop(s, now, SESSION_INTERRUPTED);
	return true;
}

static bool cmd_tender(struct session *s, uint64_t now)
{
	const struct phase *ph = cur_phase(s);

	if (ph->kind != PHASE_WORK)
		return false;
	emit(s, (struct event){ .kind = EV_TENDER }, now);
	emit(s, (struct event){ .kind = EV_CUE, .cue = CUE_LINGER,
	                        .text = s->plan->routine->linger_text }, now);
	s->totals.tender[(size_t)ph->drill * 3 + ph->side]++;
	return true;
}

typedef bool (*cmd_fn)(struct session *s, uint64_t now);

/* An empty cell: the command does not apply in that state. */
static const cmd_fn commands[ST__COUNT][CMD__COUNT] = {
	[ST_RUNNING] = {
		[CMD_PAUSE] = cmd_pause,
		[CMD_TOGGLE_PAUSE] = cmd_pause,
		[CMD_SKIP] = cmd_skip,
		[CMD_BACK] = cmd_back,
		[CMD_EXTEND] = cmd_extend,
		[CMD_STOP] = cmd_stop,
		[CMD_INTERRUPT] = cmd_interrupt,
		[CMD_TENDER] = cmd_tender,
	},
	[ST_PAUSED] = {
		[CMD_RESUME] = cmd_resume,
		[CMD_TOGGLE_PAUSE] = cmd_resume,
		[CMD_STOP] = cmd_stop,
		[CMD_INTERRUPT] = cmd_interrupt,
	},
};

struct session *session_new(const struct plan *p, session_emit_fn fn, void *ctx)
{
	struct session *s = calloc(1, sizeof *s);
	size_t n_tender = (size_t)p->routine->n_drills * 3;

	if (!s)
		return NULL;
	s->plan = p;
	s->emit = fn;
	s->ctx = ctx;
	s->outcome = calloc(p->n_phases ? p->n_phases : 1, sizeof *s->outcome);
	s->totals.tender = calloc(n_tender ? n_tender : 1, sizeof *s->totals.tender);
	if (!s->outcome || !s->totals.tender) {
		session_free(s);
		return NULL;
	}
	s->totals.planned_ms = p->total_ms;
	count_outcomes(s);
	return s;
}

void session_free(struct session *s)
{
	if (!s)
		return;
	free(s->outcome);
	free(s->totals.tender);
	free(s);
}

void session_advance(struct session *s, uint64_t now)
{
	if (now > s->now)
		s->now = now;
	run_to(s, s->now);
	refresh_times(s);
}

bool session_command(struct session *s, enum session_cmd cmd, uint64_t now)
{
	cmd_fn fn;
	bool ok;

	session_advance(s, now);
	if ((unsigned)cmd >= CMD__COUNT || !(fn = commands[s->state][cmd]))
		return false;
	ok = fn(s, s->now);
	/* A skip or back starts a phase now: its first points are due at once. */
	run_to(s, s->now);
	refresh_times(s);
	return ok;
}

uint64_t session_next_deadline(const struct session *s)
{
	struct point p;

	switch (s->state) {
	case ST_IDLE:
		return 0;
	case ST_RUNNING:
		return s->t0 + (next_point(s, &p) ? p.off : s->len);
	case ST_PAUSED:
	case ST_DONE:
	case ST__COUNT:
		break;
	}
	return UINT64_MAX;
}

bool session_done(const struct session *s)
{
	return s->state == ST_DONE;
}

bool session_paused(const struct session *s)
{
	return s->state == ST_PAUSED;
}

void session_view(const struct session *s, uint64_t now, struct session_view *v)
{
	const struct plan *p = s->plan;
	const struct phase *ph;

	memset(v, 0, sizeof *v);
	v->paused = s->state == ST_PAUSED;
	if (p->n_phases == 0)
		return;
	v->phase = s->cur;
	ph = cur_phase(s);
	v->phase_len_ms = s->state == ST_IDLE ? ph->duration_ms : s->len;
	if (s->state == ST_DONE)
		v->phase_elapsed_ms = v->phase_len_ms;
	else if (s->state != ST_IDLE)
		v->phase_elapsed_ms = active_ms(s, now > s->now ? now : s->now);
	if (v->phase_elapsed_ms > v->phase_len_ms)
		v->phase_elapsed_ms = v->phase_len_ms;
	v->phase_remaining_ms = v->phase_len_ms - v->phase_elapsed_ms;
	v->session_remaining_ms = v->phase_remaining_ms;
	if (s->state != ST_DONE)
		v->session_remaining_ms += p->total_ms - ph->start_ms - ph->duration_ms;
}

const struct session_totals *session_totals(const struct session *s)
{
	return &s->totals;
}
