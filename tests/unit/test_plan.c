/* The plan: phases, starts and totals for routines built by hand, and fit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "plan.h"

/* Routine strings are never written through; the casts only satisfy char *. */
#define TXT(s) ((char *)(s))

struct fx {
	struct routine r;
	struct drill d[4];
	struct prompt p[4][2];
};

static void drill(struct fx *f, unsigned i, uint64_t ms, unsigned n_sides,
                  enum side a, enum side b)
{
	f->d[i] = (struct drill){ .name = TXT("drill"), .duration_ms = ms,
	                          .sides = { a, b }, .n_sides = n_sides };
	f->r.n_drills = i + 1;
}

static void base(struct fx *f, uint64_t lead, uint64_t sw, uint64_t rest)
{
	memset(f, 0, sizeof *f);
	f->r = (struct routine){ .name = TXT("test"), .equipment = EQUIP_ROLLER,
	                         .lead_in_ms = lead, .switch_ms = sw, .rest_ms = rest,
	                         .linger_every_ms = 15000, .linger_text = TXT("keep"),
	                         .drills = f->d };
}

/* Shaped like the bundled pre-run: 3 drills x [left, right] x 45 s. */
static void shape_prerun(struct fx *f)
{
	base(f, 5000, 5000, 10000);
	for (unsigned i = 0; i < 3; i++)
		drill(f, i, 45000, 2, SIDE_LEFT, SIDE_RIGHT);
}

static void shape_nosides(struct fx *f)
{
	base(f, 2000, 5000, 3000);
	drill(f, 0, 8000, 0, SIDE_NONE, SIDE_NONE);
	drill(f, 1, 5000, 1, SIDE_RIGHT, SIDE_NONE);
}

static void shape_zero(struct fx *f)
{
	base(f, 0, 0, 0);
	drill(f, 0, 5000, 2, SIDE_LEFT, SIDE_RIGHT);
	drill(f, 1, 7000, 2, SIDE_RIGHT, SIDE_LEFT);
}

static void shape_onedrill(struct fx *f)
{
	base(f, 5000, 5000, 10000);
	drill(f, 0, 30000, 2, SIDE_LEFT, SIDE_RIGHT);
}

/* Two drills of very different lengths, so fit clamps only the short one. */
static void shape_uneven(struct fx *f)
{
	base(f, 0, 0, 0);
	drill(f, 0, 10000, 0, SIDE_NONE, SIDE_NONE);
	drill(f, 1, 60000, 0, SIDE_NONE, SIDE_NONE);
}

/* Renders phases as "kind:drill:side:start+duration" joined by spaces. */
static void render(const struct plan *p, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->n_phases; i++) {
		const struct phase *ph = &p->phases[i];
		const char *side = ph->side == SIDE_LEFT ? "L" : ph->side == SIDE_RIGHT ? "R" : "-";

		n += (size_t)snprintf(buf + n, cap - n, "%s%s:%d:%s:%llu+%llu", i ? " " : "",
		                      phase_kind_name(ph->kind), ph->drill, side,
		                      (unsigned long long)ph->start_ms,
		                      (unsigned long long)ph->duration_ms);
		assert_true(n < cap);
	}
}

struct pcase {
	const char *name;
	void (*shape)(struct fx *);
	uint64_t fit_ms;
	const char *want;
	uint64_t total_ms;
};

static const struct pcase pcases[] = {
	{ "prerun", shape_prerun, 0,
	  "lead_in:-1:-:0+5000 work:0:L:5000+45000 switch:0:-:50000+5000 work:0:R:55000+45000 "
	  "rest:-1:-:100000+10000 work:1:L:110000+45000 switch:1:-:155000+5000 "
	  "work:1:R:160000+45000 rest:-1:-:205000+10000 work:2:L:215000+45000 "
	  "switch:2:-:260000+5000 work:2:R:265000+45000", 310000 },
	{ "no sides and one side", shape_nosides, 0,
	  "lead_in:-1:-:0+2000 work:0:-:2000+8000 rest:-1:-:10000+3000 work:1:R:13000+5000",
	  18000 },
	{ "zero lead-in, switch and rest", shape_zero, 0,
	  "work:0:L:0+5000 work:0:R:5000+5000 work:1:R:10000+7000 work:1:L:17000+7000", 24000 },
	{ "one drill: no rest", shape_onedrill, 0,
	  "lead_in:-1:-:0+5000 work:0:L:5000+30000 switch:0:-:35000+5000 work:0:R:40000+30000",
	  70000 },
	/* f = 60/310: lead-in and switches round up (.968), rests next (.935),
	 * then the first four bouts (.710), the rest stay down. */
	{ "fit down", shape_prerun, 60000,
	  "lead_in:-1:-:0+1000 work:0:L:1000+9000 switch:0:-:10000+1000 work:0:R:11000+9000 "
	  "rest:-1:-:20000+2000 work:1:L:22000+9000 switch:1:-:31000+1000 work:1:R:32000+9000 "
	  "rest:-1:-:41000+2000 work:2:L:43000+8000 switch:2:-:51000+1000 work:2:R:52000+8000",
	  60000 },
	{ "fit to the minimum drops everything but 5 s bouts", shape_prerun, 30000,
	  "work:0:L:0+5000 work:0:R:5000+5000 work:1:L:10000+5000 work:1:R:15000+5000 "
	  "work:2:L:20000+5000 work:2:R:25000+5000", 30000 },
	/* f = 313/310: every phase .435 or so over, ties to the earliest. */
	{ "fit up by 3 s", shape_prerun, 313000,
	  "lead_in:-1:-:0+5000 work:0:L:5000+46000 switch:0:-:51000+5000 work:0:R:56000+46000 "
	  "rest:-1:-:102000+10000 work:1:L:112000+46000 switch:1:-:158000+5000 "
	  "work:1:R:163000+45000 rest:-1:-:208000+10000 work:2:L:218000+45000 "
	  "switch:2:-:263000+5000 work:2:R:268000+45000", 313000 },
	{ "fit up by a factor of 2", shape_prerun, 620000,
	  "lead_in:-1:-:0+10000 work:0:L:10000+90000 switch:0:-:100000+10000 "
	  "work:0:R:110000+90000 rest:-1:-:200000+20000 work:1:L:220000+90000 "
	  "switch:1:-:310000+10000 work:1:R:320000+90000 rest:-1:-:410000+20000 "
	  "work:2:L:430000+90000 switch:2:-:520000+10000 work:2:R:530000+90000", 620000 },
	{ "fit clamps the short drill only", shape_uneven, 20000,
	  "work:0:-:0+5000 work:1:-:5000+15000", 20000 },
	{ "fit with a fraction of a second goes to the nearest", shape_zero, 48400,
	  "work:0:L:0+10000 work:0:R:10000+10000 work:1:R:20000+14000 work:1:L:34000+14000",
	  48000 },
	{ "fit rounds a half up", shape_zero, 47500,
	  "work:0:L:0+10000 work:0:R:10000+10000 work:1:R:20000+14000 work:1:L:34000+14000",
	  48000 },
};

static void test_shape(void **state)
{
	const struct pcase *c = *state;
	struct plan_options o = { .equipment = -1, .fit_ms = c->fit_ms };
	struct fx f;
	struct plan p;
	char buf[2048];

	c->shape(&f);
	assert_int_equal(plan_build(&f.r, &o, &p), PLAN_OK);
	render(&p, buf, sizeof buf);
	assert_string_equal(buf, c->want);
	assert_int_equal(p.total_ms, c->total_ms);
	assert_int_equal(p.fit_ms, c->fit_ms);
	assert_ptr_equal(p.routine, &f.r);
	plan_free(&p);
	assert_null(p.phases);
}

static void test_fit_limits(void **state)
{
	struct plan_options o = { .equipment = -1 };
	struct fx f;
	struct plan p, untouched;

	(void)state;
	shape_prerun(&f);
	assert_int_equal(plan_min_fit_ms(&f.r), 30000);
	memset(&p, 0x5a, sizeof p);
	untouched = p;

	o.fit_ms = 29999;
	assert_int_equal(plan_build(&f.r, &o, &p), PLAN_ERR_FIT_TOO_SHORT);
	assert_memory_equal(&p, &untouched, sizeof p);
	o.fit_ms = ROUTINE_MAX_TOTAL_MS + 1;
	assert_int_equal(plan_build(&f.r, &o, &p), PLAN_ERR_FIT_TOO_LONG);
	assert_memory_equal(&p, &untouched, sizeof p);

	o.fit_ms = ROUTINE_MAX_TOTAL_MS;
	assert_int_equal(plan_build(&f.r, &o, &p), PLAN_OK);
	assert_int_equal(p.total_ms, ROUTINE_MAX_TOTAL_MS);
	plan_free(&p);

	shape_nosides(&f);
	assert_int_equal(plan_min_fit_ms(&f.r), 10000);
	shape_zero(&f);
	assert_int_equal(plan_min_fit_ms(&f.r), 20000);
}

/*
 * Every request from the minimum to 20 minutes, second by second: the total
 * is exact, bouts keep 5 s, everything is whole seconds, and each phase is
 * within a second of the ideal max(5 s, f * d) for the f the bouts imply.
 */
static void test_fit_sweep(void **state)
{
	void (*shapes[])(struct fx *) = { shape_prerun, shape_nosides, shape_zero, shape_uneven };

	(void)state;
	for (size_t sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++) {
		struct fx f;
		struct plan base_plan;
		struct plan_options none = { .equipment = -1 };

		shapes[sh](&f);
		assert_int_equal(plan_build(&f.r, &none, &base_plan), PLAN_OK);
		for (uint64_t req = plan_min_fit_ms(&f.r); req <= 1200000; req += 1000) {
			struct plan_options o = { .equipment = -1, .fit_ms = req };
			struct plan p;
			uint64_t sum = 0;
			double lo = 0, hi = 1e9;

			assert_int_equal(plan_build(&f.r, &o, &p), PLAN_OK);
			assert_int_equal(p.total_ms, req);
			/* The factor lies between what each unclamped phase implies. */
			for (size_t i = 0; i < p.n_phases; i++) {
				const struct phase *ph = &p.phases[i];

				assert_int_equal(ph->start_ms, sum);
				assert_int_equal(ph->duration_ms % 1000, 0);
				assert_true(ph->duration_ms > 0);
				if (ph->kind == PHASE_WORK)
					assert_true(ph->duration_ms >= 5000);
				sum += ph->duration_ms;
			}
			for (size_t i = 0, j = 0; i < base_plan.n_phases; i++) {
				const struct phase *b = &base_plan.phases[i];
				double got = 0, ideal_lo, ideal_hi;

				if (j < p.n_phases && p.phases[j].kind == b->kind &&
				    p.phases[j].drill == b->drill && p.phases[j].side == b->side)
					got = (double)p.phases[j++].duration_ms;
				if (b->kind == PHASE_WORK && got <= 5000)
					continue;
				ideal_lo = (got - 1000) / (double)b->duration_ms;
				ideal_hi = (got + 1000) / (double)b->duration_ms;
				if (ideal_lo > lo)
					lo = ideal_lo;
				if (ideal_hi < hi)
					hi = ideal_hi;
			}
			assert_true(lo <= hi);
			plan_free(&p);
		}
		plan_free(&base_plan);
	}
}

static void test_at_scale(void **state)
{
	struct plan_options o = { .equipment = -1 };
	struct fx f;
	struct plan p;

	(void)state;
	shape_prerun(&f);
	assert_int_equal(plan_build(&f.r, &o, &p), PLAN_OK);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(p.at_scale_ppm[i], 1000000);
	plan_free(&p);

	/* Bouts of 9, 9 and 8 s out of 45. */
	o.fit_ms = 60000;
	assert_int_equal(plan_build(&f.r, &o, &p), PLAN_OK);
	assert_int_equal(p.at_scale_ppm[0], 200000);
	assert_int_equal(p.at_scale_ppm[1], 200000);
	assert_int_equal(p.at_scale_ppm[2], 177778);
	plan_free(&p);

	/* Drill 1's bouts got 46 and 45 s: the first bout sets the scale. */
	o.fit_ms = 313000;
	assert_int_equal(plan_build(&f.r, &o, &p), PLAN_OK);
	assert_int_equal(p.at_scale_ppm[1], 1022222);
	assert_int_equal(p.at_scale_ppm[2], 1000000);
	plan_free(&p);

	o.fit_ms = 620000;
	assert_int_equal(plan_build(&f.r, &o, &p), PLAN_OK);
	assert_int_equal(p.at_scale_ppm[0], 2000000);
	plan_free(&p);
}

static void test_equipment_and_cue(void **state)
{
	struct plan_options o = { .equipment = -1 };
	struct fx f;
	struct plan p;

	(void)state;
	shape_prerun(&f);
	f.r.equipment = EQUIP_STICK;
	f.d[0].cue = TXT("roll the calf");
	f.d[0].variant[EQUIP_BALL] = TXT("press the ball in");
	f.d[0].variant[EQUIP_STICK] = TXT("roll the stick down");
	f.d[1].cue = TXT("outer thigh");

	assert_int_equal(plan_build(&f.r, &o, &p), PLAN_OK);
	assert_int_equal(p.equipment, EQUIP_STICK);
	assert_string_equal(plan_cue(&p, 0), "roll the stick down");
	assert_string_equal(plan_cue(&p, 1), "outer thigh");
	assert_null(plan_cue(&p, 2));
	assert_null(plan_cue(&p, -1));
	assert_null(plan_cue(&p, 3));
	plan_free(&p);

	o.equipment = EQUIP_BALL;
	assert_int_equal(plan_build(&f.r, &o, &p), PLAN_OK);
	assert_int_equal(p.equipment, EQUIP_BALL);
	assert_string_equal(plan_cue(&p, 0), "press the ball in");
	assert_string_equal(plan_cue(&p, 1), "outer thigh");
	plan_free(&p);

	o.equipment = EQUIP_ROLLER;
	assert_int_equal(plan_build(&f.r, &o, &p), PLAN_OK);
	assert_string_equal(plan_cue(&p, 0), "roll the calf");
	plan_free(&p);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(phase_kind_name(PHASE_LEAD_IN), "lead_in");
	assert_string_equal(phase_kind_name(PHASE_WORK), "work");
	assert_string_equal(phase_kind_name(PHASE_SWITCH), "switch");
	assert_string_equal(phase_kind_name(PHASE_REST), "rest");
	assert_null(phase_kind_name(PHASE__COUNT));
}

int main(void)
{
	struct CMUnitTest tests[sizeof pcases / sizeof pcases[0] + 5];
	size_t n = 0;

	for (size_t i = 0; i < sizeof pcases / sizeof pcases[0]; i++)
		tests[n++] = (struct CMUnitTest){ .name = pcases[i].name, .test_func = test_shape,
		                                  .initial_state = (void *)&pcases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fit_limits);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fit_sweep);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_at_scale);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_equipment_and_cue);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_names);
	return _cmocka_run_group_tests("plan", tests, n, NULL, NULL);
}
