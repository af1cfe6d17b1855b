#include "run.h"

#include <stdlib.h>
#include <string.h>

#include "signals.h"

struct loop {
	const struct ui_ops *ops;
	void *state;
	struct clock *c;
	const struct plan *plan;
	struct cues *cues;
	bool started_work;
	enum session_status status;
};

static void on_event(void *ctx, const struct event *ev)
{
	struct loop *l = ctx;
	uint64_t wall_ms;

	if (ev->kind == EV_PHASE_START && l->plan->phases[ev->phase].kind == PHASE_WORK)
		l->started_work = true;
	if (ev->kind == EV_SESSION_END)
		l->status = ev->status;
	wall_ms = clock_wall_ms(l->c);
	l->ops->event(l->state, ev, wall_ms);
	/* After the front end, so a hook or a voice never delays the screen;
	 * both only start processes here, never wait for them. */
	cues_event(l->cues, ev, wall_ms);
}

int run_session(const struct plan *p, const struct ui_ops *ops, const struct ui_config *cfg,
                struct clock *c, struct cues *cues, struct run_result *res)
{
	struct loop l = { ops, NULL, c, p, cues, false, SESSION_RUNNING };
	const struct session_totals *t;
	struct session *s;
	size_t n;

	memset(res, 0, sizeof *res);
	if (signals_install() == -1)
		return -1;
	if (ops->start(&l.state, cfg) == -1) {
		res->ui_failed = true;
		return 0;
	}
	s = session_new(p, on_event, &l);
	if (!s) {
		ops->finish(l.state, NULL);
		return -1;
	}
	clock_start(c, c->kind, c->speed);
	for (;;) {
		int cmd;

		session_advance(s, clock_now(c));
		/* Speak what this turn brought and reap children every turn, so
		 * none is left a zombie for longer than one wait. */
		cues_turn(cues);
		if (session_done(s))
			break;
		if (signals_terminating()) {
			res->signal = signals_terminating();
			session_command(s, CMD_INTERRUPT, clock_now(c));
			break;
		}
		cmd = ops->wait(l.state, c, s, session_next_deadline(s));
		if (cmd == UI_QUIT_IO) {
			res->io_error = true;
			session_command(s, CMD_INTERRUPT, clock_now(c));
			break;
		}
		if (cmd >= 0)
			session_command(s, (enum session_cmd)cmd, clock_now(c));
	}
	cues_turn(cues);    /* the last words: "Session complete." */
	if (ops->finish(l.state, s) == -1)
		res->io_error = true;

	t = session_totals(s);
	res->status = l.status;
	res->totals = *t;
	n = (size_t)p->routine->n_drills * 3;
	res->totals.tender = calloc(n ? n : 1, sizeof *res->totals.tender);
	if (res->totals.tender && t->tender)
		memcpy(res->totals.tender, t->tender, n * sizeof *t->tender);
	res->started_work = l.started_work;
	session_free(s);
	return 0;
}

void run_result_free(struct run_result *res)
{
	free(res->totals.tender);
	res->totals.tender = NULL;
}
