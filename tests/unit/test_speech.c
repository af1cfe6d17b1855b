#include "speech.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

static void test_clean(void **state)
{
	(void)state;
	static const struct { const char *in, *want; } cases[] = {
		{ "Roll up toward the knee", "Roll up toward the knee" },
		{ "", "" },
		{ "esc \x1b[31mred\x1b[0m", "esc [31mred[0m" },
		{ "bell\x07 and nul-free \x01\x02\x7f", "bell and nul-free" },
		{ "tab\there\nnew line\r\nend", "tab here new line end" },
		{ "  leading and trailing  ", "leading and trailing" },
		{ "many     spaces", "many spaces" },
		{ "C1 \xc2\x9b" "31m csi", "C1 31m csi" },
		{ "NEL\xc2\x85line", "NEL line" },
		{ "LS\xe2\x80\xa8PS\xe2\x80\xa9", "LS PS" },
		{ "invalid \xff\xfe bytes \xc3", "invalid bytes" },
		{ "overlong \xc0\xaf slash", "overlong slash" },
		{ "Wadenmuskel \xc3\xbc \xe2\x80\x94 caf\xc3\xa9", "Wadenmuskel \xc3\xbc \xe2\x80\x94 caf\xc3\xa9" },
		{ "\x1b\x1b\x1b", "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct strbuf b = { 0 };

		speech_clean(&b, cases[i].in);
		assert_string_equal(b.p ? b.p : "", cases[i].want);
		strbuf_free(&b);
	}
}

/* The text is cleaned on its own: what the buffer held stays as it was. */
static void test_clean_appends(void **state)
{
	struct strbuf b = { 0 };

	(void)state;
	strbuf_add(&b, "x\x01 ");
	speech_clean(&b, " \ty\t");
	assert_string_equal(b.p, "x\x01 y");
	strbuf_free(&b);
}

static void test_numbers(void **state)
{
	(void)state;
	static const struct { unsigned long n; const char *want; } cases[] = {
		{ 0, "zero" }, { 1, "one" }, { 3, "three" }, { 12, "twelve" }, { 19, "nineteen" },
		{ 20, "twenty" }, { 21, "twenty-one" }, { 45, "forty-five" }, { 99, "ninety-nine" },
		{ 100, "one hundred" }, { 105, "one hundred and five" }, { 342, "three hundred and forty-two" },
		{ 1000, "one thousand" }, { 1005, "one thousand and five" },
		{ 1200, "one thousand two hundred" }, { 14000, "fourteen thousand" },
		{ 14400, "fourteen thousand four hundred" },
		{ 999999, "nine hundred and ninety-nine thousand nine hundred and ninety-nine" },
		{ 1000000, "1000000" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct strbuf b = { 0 };

		speech_number(&b, cases[i].n);
		assert_string_equal(b.p, cases[i].want);
		strbuf_free(&b);
	}
}

static void test_durations(void **state)
{
	(void)state;
	static const struct { uint64_t ms; const char *want; } cases[] = {
		{ 45000, "forty-five seconds" }, { 1000, "one second" }, { 1999, "one second" },
		{ 0, "zero seconds" }, { 60000, "one minute" }, { 90000, "one minute thirty seconds" },
		{ 121000, "two minutes one second" }, { 3600000, "one hour" },
		{ 3900000, "one hour five minutes" }, { 14400000, "four hours" },
		{ 3601000, "one hour one second" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct strbuf b = { 0 };

		speech_duration(&b, cases[i].ms);
		assert_string_equal(b.p, cases[i].want);
		strbuf_free(&b);
	}
}

/* A plan by hand: lead-in, a two-sided drill with a switch, rest, a drill
 * without sides. */
static char up[] = "Roll up toward the knee", down[] = "Roll back down to the Achilles";
static char up_loud[] = "roll UP toward the knee!", bend[] = "Bend the knee";
static char calf[] = "Calf / Achilles tendon", thigh[] = "Outer thigh - knee bending", name[] = "Test";
static char *steps0[] = { up, down };
static char *steps1[] = { up_loud, bend };
static struct drill drills[] = {
	{ .name = calf, .duration_ms = 45000, .sides = { SIDE_LEFT, SIDE_RIGHT },
	  .n_sides = 2, .steps = steps0, .n_steps = 2, .step_ms = 2000 },
	{ .name = thigh, .duration_ms = 90000, .steps = steps1, .n_steps = 2,
	  .step_ms = 2000 },
};
static struct routine routine = { .name = name, .drills = drills, .n_drills = 2 };
static struct phase phases[] = {
	{ PHASE_LEAD_IN, -1, SIDE_NONE, 0, 5000 },
	{ PHASE_WORK, 0, SIDE_LEFT, 5000, 45000 },
	{ PHASE_SWITCH, 0, SIDE_NONE, 50000, 5000 },
	{ PHASE_WORK, 0, SIDE_RIGHT, 55000, 45000 },
	{ PHASE_REST, 0, SIDE_NONE, 100000, 10000 },
	{ PHASE_WORK, 1, SIDE_NONE, 110000, 90000 },
};
static struct plan plan = { .routine = &routine, .phases = phases, .n_phases = 6, .total_ms = 200000 };

static struct event ev_phase(size_t phase)
{
	return (struct event){ .kind = EV_PHASE_START, .t = phases[phase].start_ms, .phase = phase };
}

static struct event ev_cue(size_t phase, enum cue_kind kind, const char *text, unsigned step)
{
	return (struct event){ .kind = EV_CUE, .phase = phase, .cue = kind, .text = text, .step = step };
}

static struct event ev_count(size_t phase, unsigned s)
{
	return (struct event){ .kind = EV_COUNTDOWN, .phase = phase, .seconds = s };
}

static void test_events(void **state)
{
	(void)state;
	const struct { struct event ev; const char *want; } seq[] = {
		{ { .kind = EV_SESSION_START }, "" },
		{ ev_phase(0), "Get ready. First: Calf and Achilles tendon." },
		{ ev_count(0, 3), "" },     /* only work bouts count down aloud */
		{ { .kind = EV_PHASE_END, .phase = 0 }, "" },
		{ ev_phase(1), "Calf and Achilles tendon, left side, forty-five seconds." },
		{ ev_cue(1, CUE_MOVEMENT, steps0[0], 0), "Roll up toward the knee." },
		{ ev_cue(1, CUE_MOVEMENT, steps0[1], 1), "" },  /* one movement cue per bout */
		{ ev_cue(1, CUE_MOVEMENT, steps0[0], 0), "" },
		{ ev_cue(1, CUE_LINGER, "Don't linger - keep moving", 0), "Don't linger, keep moving." },
		{ ev_cue(1, CUE_PROMPT, "Point and flex the foot!", 0), "Point and flex the foot!" },
		{ { .kind = EV_TENDER, .phase = 1 }, "" },
		{ { .kind = EV_PAUSE, .phase = 1 }, "Paused." },
		{ { .kind = EV_RESUME, .phase = 1 }, "Resumed." },
		{ ev_count(1, 3), "Three." },
		{ ev_count(1, 2), "Two." },
		{ ev_count(1, 1), "One." },
		{ ev_phase(2), "Switch sides." },
		{ ev_count(2, 1), "" },
		{ ev_phase(3), "Calf and Achilles tendon, right side, forty-five seconds." },
		/* The same movement as last spoken: not repeated on the second side. */
		{ ev_cue(3, CUE_MOVEMENT, steps0[0], 0), "" },
		{ ev_phase(4), "Rest. Next: Outer thigh, knee bending." },
		{ ev_phase(5), "Outer thigh, knee bending, one minute thirty seconds." },
		/* Same words, other case and punctuation: the same meaning. */
		{ ev_cue(5, CUE_MOVEMENT, steps1[0], 0), "" },
		{ ev_cue(5, CUE_MOVEMENT, steps1[1], 1), "" },  /* the bout had its one */
		{ ev_phase(5), "Outer thigh, knee bending, one minute thirty seconds." },  /* back */
		{ ev_cue(5, CUE_MOVEMENT, steps1[1], 1), "Bend the knee." },
		{ { .kind = EV_SESSION_END, .phase = 5, .status = SESSION_COMPLETED }, "Session complete." },
		{ { .kind = EV_SESSION_END, .phase = 5, .status = SESSION_STOPPED }, "Session stopped." },
		{ { .kind = EV_SESSION_END, .phase = 5, .status = SESSION_INTERRUPTED }, "" },
	};
	struct speech sp;

	speech_init(&sp, &plan);
	for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
		struct strbuf b = { 0 };

		speech_event(&sp, &seq[i].ev, &b);
		if (strcmp(b.p ? b.p : "", seq[i].want) != 0)
			fail_msg("event %zu: said \"%s\", wanted \"%s\"", i, b.p ? b.p : "", seq[i].want);
		strbuf_free(&b);
	}
}

/* Events of one instant join into one utterance; silent ones add nothing. */
static void test_joined(void **state)
{
	struct event end = { .kind = EV_PHASE_END, .phase = 0 };
	struct event start = ev_phase(1);
	struct event move = ev_cue(1, CUE_MOVEMENT, steps0[0], 0);
	struct strbuf b = { 0 };
	struct speech sp;

	(void)state;
	speech_init(&sp, &plan);
	speech_event(&sp, &end, &b);
	speech_event(&sp, &start, &b);
	speech_event(&sp, &move, &b);
	speech_event(&sp, &end, &b);
	assert_string_equal(b.p, "Calf and Achilles tendon, left side, forty-five seconds. Roll up toward the knee.");
	strbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_clean_appends),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_joined),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
