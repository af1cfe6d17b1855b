/* The JSON Lines contract of `run --format jsonl`, one event kind at a time:
 * every line parses, has exactly the contract's fields (plus the documented
 * extras) with the right types, and routine text is escaped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "event_json.h"

static char name[] = "Calf \x1b[31m";
static char routine_name[] = "R";
static char step[] = "up";
static char *steps[] = { step };

/* A two-sided drill after a lead-in: lead_in, work L, switch, work R. */
static void make_plan(struct routine *r, struct drill *d, struct plan *p)
{
	struct plan_options o = { -1, 0 };

	memset(r, 0, sizeof *r);
	memset(d, 0, sizeof *d);
	d->name = name;
	d->duration_ms = 10000;
	d->sides[0] = SIDE_LEFT;
	d->sides[1] = SIDE_RIGHT;
	d->n_sides = 2;
	d->steps = steps;
	d->n_steps = 1;
	d->step_ms = 2000;
	r->name = routine_name;
	r->lead_in_ms = 5000;
	r->switch_ms = 5000;
	r->drills = d;
	r->n_drills = 1;
	assert_int_equal(plan_build(r, &o, p), PLAN_OK);
	assert_int_equal(p->n_phases, 4);
}

struct shape {
	struct event ev;
	const char *keys;       /* every key, space-separated, in no order */
};

static json_t *parse_line(const struct plan *p, const struct event *ev, bool wall)
{
	struct strbuf b = { 0 };
	json_error_t err;
	json_t *o;

	event_json(&b, p, "f.yaml", wall, ev, 1234);
	assert_false(b.failed);
	assert_true(b.len > 0 && b.p[b.len - 1] == '\n');
	assert_null(memchr(b.p, '\x1b', b.len));
	assert_null(memchr(b.p, '\n', b.len - 1));
	o = json_loadb(b.p, b.len, 0, &err);
	if (!o)
		fail_msg("not JSON: %s (%s)", b.p, err.text);
	strbuf_free(&b);
	return o;
}

static void assert_keys(json_t *o, const char *keys)
{
	char buf[512], *k, *save;
	size_t n = 0;

	snprintf(buf, sizeof buf, "%s", keys);
	for (k = strtok_r(buf, " ", &save); k; k = strtok_r(NULL, " ", &save), n++)
		if (!json_object_get(o, k))
			fail_msg("missing key %s", k);
	assert_int_equal(json_object_size(o), n);
}

static void test_every_event_shape(void **state)
{
	struct routine r;
	struct drill d;
	struct plan p;
	const char *phase = "phase drill drill_index side";
	char keys[256];
	size_t i;

	(void)state;
	make_plan(&r, &d, &p);
	const struct shape shapes[] = {
		{ { .kind = EV_SESSION_START, .t = 0 }, "routine file total_ms phases equipment" },
		{ { .kind = EV_PHASE_START, .t = 5000, .phase = 1 }, "PHASE phase_index duration_ms cue" },
		{ { .kind = EV_PHASE_START, .t = 0, .phase = 0 }, "PHASE phase_index duration_ms" },
		{ { .kind = EV_CUE, .t = 5000, .phase = 1, .cue = CUE_MOVEMENT, .text = step }, "kind text step" },
		{ { .kind = EV_CUE, .t = 6000, .phase = 1, .cue = CUE_LINGER, .text = step }, "kind text" },
		{ { .kind = EV_CUE, .t = 6000, .phase = 1, .cue = CUE_PROMPT, .text = step }, "kind text" },
		{ { .kind = EV_COUNTDOWN, .t = 12000, .phase = 1, .seconds = 3 }, "remaining_s" },
		{ { .kind = EV_PHASE_END, .t = 15000, .phase = 1, .phase_status = PHASE_SKIPPED }, "status PHASE phase_index" },
		{ { .kind = EV_PAUSE, .t = 7000, .phase = 1 }, "" },
		{ { .kind = EV_RESUME, .t = 9000, .phase = 1 }, "" },
		{ { .kind = EV_TENDER, .t = 8000, .phase = 3 }, "PHASE" },
		{ { .kind = EV_SESSION_END, .t = 30000, .phase = 3, .status = SESSION_STOPPED,
		    .elapsed_ms = 30000, .work_ms = 20000 }, "status elapsed_ms work_ms" },
	};

	for (i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		const struct shape *s = &shapes[i];
		const char *at = strstr(s->keys, "PHASE");
		json_t *o;

		if (at)
			snprintf(keys, sizeof keys, "t event %.*s%s%s", (int)(at - s->keys), s->keys, phase, at + 5);
		else
			snprintf(keys, sizeof keys, "t event %s", s->keys);
		o = parse_line(&p, &s->ev, false);
		assert_keys(o, keys);
		assert_string_equal(json_string_value(json_object_get(o, "event")), event_kind_name(s->ev.kind));
		assert_int_equal(json_integer_value(json_object_get(o, "t")), s->ev.t);
		json_decref(o);
		/* Real time adds wall_ms and nothing else. */
		o = parse_line(&p, &s->ev, true);
		assert_int_equal(json_integer_value(json_object_get(o, "wall_ms")), 1234);
		json_decref(o);
	}
	plan_free(&p);
}

static void test_values(void **state)
{
	struct routine r;
	struct drill d;
	struct plan p;
	json_t *o;

	(void)state;
	make_plan(&r, &d, &p);
	o = parse_line(&p, &(struct event){ .kind = EV_PHASE_START, .t = 20000, .phase = 3 }, false);
	assert_string_equal(json_string_value(json_object_get(o, "phase")), "work");
	assert_string_equal(json_string_value(json_object_get(o, "drill")), name);  /* escaped, decoded back */
	assert_int_equal(json_integer_value(json_object_get(o, "drill_index")), 0);
	assert_string_equal(json_string_value(json_object_get(o, "side")), "right");
	assert_int_equal(json_integer_value(json_object_get(o, "duration_ms")), 10000);
	json_decref(o);
	o = parse_line(&p, &(struct event){ .kind = EV_PHASE_START, .phase = 0 }, false);
	assert_true(json_is_null(json_object_get(o, "drill")));
	assert_true(json_is_null(json_object_get(o, "drill_index")));
	assert_true(json_is_null(json_object_get(o, "side")));
	assert_string_equal(json_string_value(json_object_get(o, "phase")), "lead_in");
	json_decref(o);
	o = parse_line(&p, &(struct event){ .kind = EV_COUNTDOWN, .t = 2000, .seconds = 3 }, false);
	assert_int_equal(json_integer_value(json_object_get(o, "remaining_s")), 3);
	json_decref(o);
	o = parse_line(&p, &(struct event){ .kind = EV_PHASE_END, .t = 5000, .phase_status = PHASE_COMPLETED }, false);
	assert_string_equal(json_string_value(json_object_get(o, "status")), "completed");
	json_decref(o);
	o = parse_line(&p, &(struct event){ .kind = EV_SESSION_END, .t = 9, .status = SESSION_INTERRUPTED }, false);
	assert_string_equal(json_string_value(json_object_get(o, "status")), "interrupted");
	json_decref(o);
	o = parse_line(&p, &(struct event){ .kind = EV_SESSION_START }, false);
	assert_int_equal(json_integer_value(json_object_get(o, "total_ms")), p.total_ms);
	assert_int_equal(json_integer_value(json_object_get(o, "phases")), 4);
	assert_string_equal(json_string_value(json_object_get(o, "file")), "f.yaml");
	json_decref(o);
	plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_event_shape),
		cmocka_unit_test(test_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
