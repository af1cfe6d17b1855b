/*
 * libFuzzer target: the whole routine loader from bytes (raw checks, the
 * libyaml scan, the schema walk with its position map, libcyaml, the
 * semantic checks), then, for every routine it accepts, plan_build with
 * each equipment and with fit, and a session run to its end whose event
 * texts go through both escapers.
 *
 * What must hold, besides "no crash, no leak, no undefined behaviour":
 *  - on failure *out is untouched and there is at least one message;
 *  - no message holds a control character (they quote file text);
 *  - every accepted routine is within the documented limits, and its
 *    strings are valid UTF-8 without control characters other than tab
 *    and newline;
 *  - the plan's phases tile its total exactly.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "routine.h"
#include "session.h"
#include "strbuf.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, bool allow_null)
{
	if (s == NULL) {
		FUZZ_ASSERT(allow_null);
		return;
	}
	FUZZ_ASSERT(utf8_valid((const unsigned char *)s, strlen(s)));
	FUZZ_ASSERT(!has_control((const unsigned char *)s, strlen(s), true));
}

static void check_routine(const struct routine *r)
{
	FUZZ_ASSERT(r->n_drills >= 1 && r->n_drills <= ROUTINE_MAX_DRILLS);
	FUZZ_ASSERT((unsigned)r->equipment < EQUIP__COUNT);
	check_text(r->name, false);
	check_text(r->description, true);
	check_text(r->linger_text, false);
	for (unsigned i = 0; i < r->n_drills; i++) {
		const struct drill *d = &r->drills[i];
		check_text(d->name, false);
		check_text(d->cue, true);
		FUZZ_ASSERT(d->n_sides <= 2);
		FUZZ_ASSERT(d->n_steps <= ROUTINE_MAX_STEPS);
		FUZZ_ASSERT(d->n_prompts <= ROUTINE_MAX_PROMPTS);
		FUZZ_ASSERT(d->duration_ms >= 5000 && d->duration_ms <= 600000);
		for (unsigned j = 0; j < d->n_steps; j++)
			check_text(d->steps[j], false);
		for (unsigned j = 0; j < d->n_prompts; j++) {
			check_text(d->prompts[j].text, false);
			FUZZ_ASSERT((d->prompts[j].at_ms == 0) != (d->prompts[j].every_ms == 0));
			FUZZ_ASSERT(d->prompts[j].at_ms < d->duration_ms);
			FUZZ_ASSERT(d->prompts[j].every_ms < d->duration_ms);
		}
		for (int e = 0; e < EQUIP__COUNT; e++)
			check_text(d->variant[e], true);
	}
}

static void check_plan(const struct plan *p)
{
	uint64_t t = 0;

	FUZZ_ASSERT(p->n_phases > 0);
	for (size_t i = 0; i < p->n_phases; i++) {
		FUZZ_ASSERT(p->phases[i].start_ms == t);
		FUZZ_ASSERT(p->phases[i].duration_ms > 0);
		t += p->phases[i].duration_ms;
	}
	FUZZ_ASSERT(t == p->total_ms);
	FUZZ_ASSERT(p->total_ms <= ROUTINE_MAX_TOTAL_MS);
	if (p->fit_ms)
		FUZZ_ASSERT(p->total_ms == p->fit_ms);
}

struct run {
	struct strbuf b;
	size_t events;
};

/* What ui_headless does with event text: both escapers, checked. */
static void on_event(void *ctx, const struct event *ev)
{
	struct run *run = ctx;

	run->events++;
	if (ev->kind != EV_CUE)
		return;
	strbuf_reset(&run->b);
	strbuf_json(&run->b, ev->text);
	FUZZ_ASSERT(!run->b.failed);
	FUZZ_ASSERT(json_string_valid((const unsigned char *)run->b.p, run->b.len));
	strbuf_reset(&run->b);
	strbuf_text(&run->b, ev->text);
	FUZZ_ASSERT(!has_control((const unsigned char *)run->b.p, run->b.len, false));
}

/* The shortest fitted session: every phase, few events. */
static void run_session(const struct plan *p)
{
	struct run run = { 0 };
	struct session *s = session_new(p, on_event, &run);
	uint64_t now = 0;

	FUZZ_ASSERT(s != NULL);
	session_advance(s, 0);
	while (!session_done(s)) {
		uint64_t next = session_next_deadline(s);
		FUZZ_ASSERT(next != UINT64_MAX && next >= now);
		now = next;
		session_advance(s, now);
		FUZZ_ASSERT(run.events < 1000000);
	}
	FUZZ_ASSERT(session_totals(s)->elapsed_ms == p->total_ms);
	session_free(s);
	strbuf_free(&run.b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct routine *r = NULL, *const untouched = NULL;
	struct diags d = { 0 };
	enum routine_err err;

	err = routine_load_data((const char *)data, size, "fuzz.yaml", &r, &d);
	if (err != ROUTINE_OK) {
		FUZZ_ASSERT(r == untouched);
		FUZZ_ASSERT(err == ROUTINE_ERR_INVALID);
		FUZZ_ASSERT(d.n > 0);
		for (size_t i = 0; i < d.n; i++) {
			const unsigned char *m = (const unsigned char *)d.v[i].msg;
			FUZZ_ASSERT(m != NULL);
			FUZZ_ASSERT(utf8_valid(m, strlen((const char *)m)));
			FUZZ_ASSERT(!has_control(m, strlen((const char *)m), false));
		}
		diags_free(&d);
		return 0;
	}
	FUZZ_ASSERT(d.n == 0);
	FUZZ_ASSERT(r != NULL);
	check_routine(r);

	for (int e = -1; e < EQUIP__COUNT; e++) {
		struct plan_options o = { .equipment = e, .fit_ms = 0 };
		struct plan p;
		FUZZ_ASSERT(plan_build(r, &o, &p) == PLAN_OK);
		check_plan(&p);
		for (unsigned i = 0; i < r->n_drills; i++)
			check_text(plan_cue(&p, (int)i), true);
		plan_free(&p);
	}

	struct plan_options fit = { .equipment = -1, .fit_ms = plan_min_fit_ms(r) };
	struct plan p;
	FUZZ_ASSERT(plan_build(r, &fit, &p) == PLAN_OK);
	check_plan(&p);
	run_session(&p);
	plan_free(&p);

	fit.fit_ms = ROUTINE_MAX_TOTAL_MS;
	FUZZ_ASSERT(plan_build(r, &fit, &p) == PLAN_OK);
	check_plan(&p);
	plan_free(&p);

	routine_free(r);
	diags_free(&d);
	return 0;
}
