/* The routine loader: defaults, limits, and every message with its line and
 * column. YAML is inline; the corpus in tests/routines covers files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "routine.h"

/* A drill list that is valid on its own, for cases about other keys. */
#define ONE_DRILL "drills: [{name: a, duration: 5s}]\n"

struct want {
	unsigned line, col;
	const char *text;       /* must appear in the message */
};

struct bad {
	const char *name;
	const char *yaml;
	struct want w[4];       /* in file order; unused entries have text NULL */
};

static enum routine_err load(const char *yaml, struct routine **r, struct diags *d)
{
	return routine_load_data(yaml, strlen(yaml), "t.yaml", r, d);
}

static void print_diags(const char *name, const struct diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_error("  %s: %u:%u: %s\n", name, d->v[i].line, d->v[i].col, d->v[i].msg);
}

/* Loads yaml, which must fail with exactly the problems in w; prints what
 * differs and returns false otherwise. */
static bool check_bad(const char *name, const char *yaml, size_t len, const struct want *w)
{
	struct routine *r = NULL;
	struct diags d = { 0 };
	size_t n = 0;
	bool good = true;
	enum routine_err err = routine_load_data(yaml, len, "t.yaml", &r, &d);

	while (n < 4 && w[n].text != NULL)
		n++;
	if (err != ROUTINE_ERR_INVALID || d.n != n || r != NULL) {
		print_error("%s: err %d with %zu problems, wanted %d with %zu\n", name, (int)err,
		            d.n, (int)ROUTINE_ERR_INVALID, n);
		good = false;
	}
	for (size_t i = 0; good && i < n; i++) {
		if (d.v[i].line != w[i].line || d.v[i].col != w[i].col ||
		    strstr(d.v[i].msg, w[i].text) == NULL) {
			print_error("%s: problem %zu is %u:%u '%s', wanted %u:%u with '%s'\n", name,
			            i, d.v[i].line, d.v[i].col, d.v[i].msg, w[i].line, w[i].col,
			            w[i].text);
			good = false;
		}
	}
	if (!good)
		print_diags(name, &d);
	routine_free(r);
	diags_free(&d);
	return good;
}

static void expect_bad(const char *name, const char *yaml, size_t len, const struct want *w)
{
	if (!check_bad(name, yaml, len, w))
		fail();
}

static void expect_one(const char *yaml, unsigned line, unsigned col, const char *text)
{
	struct want w[4] = { { line, col, text } };
	expect_bad("expect_one", yaml, strlen(yaml), w);
}

static struct routine *expect_ok(const char *yaml)
{
	struct routine *r = NULL;
	struct diags d = { 0 };
	enum routine_err err = load(yaml, &r, &d);

	if (err != ROUTINE_OK) {
		print_diags("expect_ok", &d);
		fail_msg("valid routine refused (err %d):\n%s", (int)err, yaml);
	}
	assert_int_equal(d.n, 0);
	assert_non_null(r);
	diags_free(&d);
	return r;
}

static void ok(const char *yaml)
{
	routine_free(expect_ok(yaml));
}

/* ---- Every message, with its position ---- */

static const struct bad bad_cases[] = {
	{ "unknown top key, suggestion", "nmae: Calf\n" ONE_DRILL,
	  { { 1, 1, "unknown key 'nmae' in the routine; did you mean 'name'?" } } },
	{ "unknown top key, list", "name: x\ncolour: red\n" ONE_DRILL,
	  { { 2, 1, "unknown key 'colour' in the routine; expected one of: version, name, "
	            "description, equipment, lead_in, switch, rest, linger_every, linger_text, "
	            "drills" } } },
	{ "case and dash find the key", "name: x\nlead-in: 5s\nRest: 5s\n" ONE_DRILL,
	  { { 2, 1, "did you mean 'lead_in'?" }, { 3, 1, "did you mean 'rest'?" } } },
	{ "unknown drill key", "name: x\ndrills:\n  - name: Calf\n    duraton: 45s\n",
	  { { 4, 5, "unknown key 'duraton' in drill 'Calf'; did you mean 'duration'?" } } },
	{ "bad durations are reported beside other problems",
	  "name: x\nrest: 1.5m\ndrills:\n  - name: Calf\n    duraton: 45s\n"
	  "  - name: Thigh\n    duration: 4x\n    prompts: [{text: hi, every: -5s}]\n",
	  { { 2, 7, "invalid duration '1.5m' for 'rest': expected" },
	    { 5, 5, "did you mean 'duration'?" },
	    { 7, 15, "invalid duration '4x' for 'duration' of drill 'Thigh'" },
	    { 8, 33, "invalid duration '-5s'" } } },
	{ "unknown movement key",
	  "name: x\ndrills:\n  - name: Calf\n    duration: 45s\n    movement:\n"
	  "      steps: [a]\n      evry: 2s\n",
	  { { 7, 7, "unknown key 'evry' in 'movement' of drill 'Calf'; did you mean 'every'?" } } },
	{ "unknown prompt key",
	  "name: x\ndrills:\n  - name: Calf\n    duration: 45s\n    prompts:\n"
	  "      - txt: hi\n        at: 5s\n",
	  { { 6, 9, "unknown key 'txt' in prompt 1 of drill 'Calf'; did you mean 'text'?" } } },
	{ "unknown equipment variant",
	  "name: x\ndrills:\n  - name: Calf\n    duration: 45s\n    equipment:\n"
	  "      bal: Use a tennis ball.\n",
	  { { 6, 7, "unknown key 'bal' in 'equipment' of drill 'Calf'; did you mean 'ball'?" } } },
	{ "missing name", ONE_DRILL,
	  { { 1, 1, "the routine is missing required key 'name'" } } },
	{ "missing drills", "# header\nname: x\n",
	  { { 2, 1, "the routine is missing required key 'drills'" } } },
	{ "missing duration", "name: x\ndrills:\n  - name: Calf\n    cue: roll\n",
	  { { 3, 5, "drill 'Calf' is missing required key 'duration'" } } },
	{ "missing drill name", "name: x\ndrills:\n  - duration: 5s\n",
	  { { 3, 5, "drill 1 is missing required key 'name'" } } },
	{ "missing prompt text",
	  "name: x\ndrills:\n  - name: Calf\n    duration: 45s\n    prompts:\n      - at: 5s\n",
	  { { 6, 9, "prompt 1 of drill 'Calf' is missing required key 'text'" } } },
	{ "missing steps",
	  "name: x\ndrills:\n  - name: Calf\n    duration: 45s\n    movement:\n      every: 2s\n",
	  { { 6, 7, "'movement' of drill 'Calf' is missing required key 'steps'" } } },
	{ "drills not a list", "name: x\ndrills: 5\n",
	  { { 2, 9, "'drills' must be a list, found '5'" } } },
	{ "drill not a mapping", "name: x\ndrills:\n  - hello\n",
	  { { 3, 5, "drill 1 must be a mapping of keys, found 'hello'" } } },
	{ "name is a list", "name: [a, b]\n" ONE_DRILL,
	  { { 1, 7, "'name' must be a single value, found a list" } } },
	{ "cue is a mapping", "name: x\ndrills:\n  - name: Calf\n    duration: 45s\n    cue: {a: b}\n",
	  { { 5, 10, "'cue' of drill 'Calf' must be a single value, found a mapping" } } },
	{ "movement is text",
	  "name: x\ndrills:\n  - name: Calf\n    duration: 45s\n    movement: roll\n",
	  { { 5, 15, "'movement' of drill 'Calf' must be a mapping of keys, found 'roll'" } } },
	{ "movement is empty", "name: x\ndrills:\n  - name: Calf\n    duration: 45s\n    movement:\n",
	  { { 5, 14, "'movement' of drill 'Calf' must be a mapping of keys, found nothing" } } },
	{ "routine is a list", "- name: x\n",
	  { { 1, 1, "a routine must be a mapping of keys such as name and drills, found a list" } } },
	{ "routine is text", "hello\n",
	  { { 1, 1, "a routine must be a mapping of keys such as name and drills, found 'hello'" } } },
	{ "key is a list", "name: x\n[a]: b\n" ONE_DRILL,
	  { { 2, 1, "keys in the routine must be plain names, found a list" } } },
	{ "bad equipment", "name: x\nequipment: foam\n" ONE_DRILL,
	  { { 2, 12, "invalid value 'foam' for 'equipment': expected one of roller, "
	             "travel-roller, stick, ball, trigger-point-tool" } } },
	{ "equipment near miss", "name: x\nequipment: travel_roller\n" ONE_DRILL,
	  { { 2, 12, "did you mean 'travel-roller'?" } } },
	{ "equipment is case-sensitive", "name: x\nequipment: Ball\n" ONE_DRILL,
	  { { 2, 12, "did you mean 'ball'?" } } },
	{ "bad side", "name: x\ndrills:\n  - name: Calf\n    duration: 45s\n    sides: [left, centre]\n",
	  { { 5, 19, "invalid value 'centre' for side 2 of drill 'Calf': expected one of left, "
	             "right" } } },
	{ "sides not a list", "name: x\ndrills:\n  - name: Calf\n    duration: 45s\n    sides: left\n",
	  { { 5, 12, "'sides' of drill 'Calf' must be a list, found 'left'" } } },
	{ "sides empty", "name: x\ndrills:\n  - name: Calf\n    duration: 45s\n    sides: []\n",
	  { { 5, 12, "'sides' of drill 'Calf' is empty; it needs at least 1 entry" } } },
	{ "three sides",
	  "name: x\ndrills:\n  - name: Calf\n    duration: 45s\n    sides: [left, right, left]\n",
	  { { 5, 26, "'sides' of drill 'Calf' has 3 entries; at most 2 are allowed" } } },
	{ "duplicate side", "name: x\ndrills:\n  - name: Calf\n    duration: 45s\n    sides: [right, right]\n",
	  { { 5, 20, "side 'right' is listed twice in drill 'Calf'" } } },
	{ "bad version", "version: 2\nname: x\n" ONE_DRILL,
	  { { 1, 10, "invalid value '2' for 'version': expected 1" } } },
	{ "duplicate key", "name: x\nrest: 5s\nname: y\n" ONE_DRILL,
	  { { 3, 1, "duplicate key 'name' in the routine; it was first given on line 1" } } },
	{ "duplicate drill key",
	  "name: x\ndrills:\n  - name: Calf\n    duration: 45s\n    duration: 30s\n",
	  { { 5, 5, "duplicate key 'duration' in drill 'Calf'; it was first given on line 4" } } },
	{ "empty routine name", "name: \"\"\n" ONE_DRILL,
	  { { 1, 7, "'name' is empty; it needs at least 1 character" } } },
	{ "empty plain name", "name:\n" ONE_DRILL,
	  { { 1, 6, "'name' is empty" } } },
	{ "empty drill name", "name: x\ndrills: [{name: '', duration: 5s}]\n",
	  { { 2, 17, "'name' of drill 1 is empty" } } },
	{ "name too long",
	  "name: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
	  ONE_DRILL,
	  { { 1, 7, "'name' is too long (81 characters); at most 80 are allowed" } } },
	{ "empty step", "name: x\ndrills:\n  - name: C\n    duration: 45s\n    movement: {steps: [a, '']}\n",
	  { { 5, 27, "step 2 of 'movement' of drill 'C' is empty" } } },
	{ "control character", "name: \"bell\\a\"\n" ONE_DRILL,
	  { { 1, 7, "'name' contains the control character U+0007" } } },
	{ "C1 control character", "name: x\ndescription: \"a\\x85b\"\n" ONE_DRILL,
	  { { 2, 14, "'description' contains the control character U+0085" } } },
	{ "NUL escape", "name: x\nlinger_text: \"a\\0b\"\n" ONE_DRILL,
	  { { 2, 14, "'linger_text' contains the control character U+0000" } } },
	{ "DEL in a cue", "name: x\ndrills:\n  - name: C\n    duration: 5s\n    cue: \"x\\x7F\"\n",
	  { { 5, 10, "U+007F" } } },
	{ "invalid duration", "name: x\ndrills:\n  - name: Calf\n    duration: 4x\n",
	  { { 4, 15, "invalid duration '4x' for 'duration' of drill 'Calf': expected a "
	             "duration such as 45s, 1m30s, 2m or a number of seconds" } } },
	{ "empty duration", "name: x\ndrills:\n  - name: Calf\n    duration: ''\n",
	  { { 4, 15, "invalid duration '' for 'duration' of drill 'Calf': the duration is empty" } } },
	{ "overflowing duration", "name: x\nrest: 99999999999999h\n" ONE_DRILL,
	  { { 2, 7, "invalid duration '99999999999999h' for 'rest': the number is too large" } } },
	{ "duration too short", "name: x\ndrills:\n  - name: Calf\n    duration: 4s\n",
	  { { 4, 15, "'duration' of drill 'Calf' is 4s, which is too short: it must be from "
	             "5s to 10m" } } },
	{ "duration too long", "name: x\ndrills:\n  - name: Calf\n    duration: 10m1s\n",
	  { { 4, 15, "'duration' of drill 'Calf' is 10m1s, which is too long" } } },
	{ "lead_in too long", "name: x\nlead_in: 5m1s\n" ONE_DRILL,
	  { { 2, 10, "'lead_in' is 5m1s, which is too long: it must be from 0s to 5m" } } },
	{ "switch too long", "name: x\nswitch: 2m1s\n" ONE_DRILL,
	  { { 2, 9, "'switch' is 2m1s, which is too long: it must be from 0s to 2m" } } },
	{ "rest too long", "name: x\nrest: 601\n" ONE_DRILL,
	  { { 2, 7, "'rest' is 10m1s, which is too long: it must be from 0s to 10m" } } },
	{ "linger_every too long", "name: x\nlinger_every: 1h\n" ONE_DRILL,
	  { { 2, 15, "'linger_every' is 1h, which is too long: it must be from 0s to 10m" } } },
	{ "a drill's linger_every too long",
	  "name: x\ndrills:\n  - name: Calf\n    duration: 45s\n    linger_every: 11m\n",
	  { { 5, 19, "'linger_every' of drill 'Calf' is 11m, which is too long: it must be from 0s to 10m" } } },
	{ "a drill's linger_every misspelt",
	  "name: x\ndrills:\n  - name: Calf\n    duration: 45s\n    linger_evry: 5s\n",
	  { { 5, 5, "did you mean 'linger_every'?" } } },
	{ "step every too short",
	  "name: x\ndrills:\n  - name: C\n    duration: 45s\n    movement: {steps: [a], every: 0}\n",
	  { { 5, 35, "'every' of 'movement' of drill 'C' is 0s, which is too short: it must be "
	             "from 1s to 1m" } } },
	{ "step every too long",
	  "name: x\ndrills:\n  - name: C\n    duration: 5m\n    movement: {steps: [a], every: 61}\n",
	  { { 5, 35, "is 1m1s, which is too long" } } },
	{ "at equals duration",
	  "name: x\ndrills:\n  - name: C\n    duration: 45s\n    prompts:\n"
	  "      - text: t\n        at: 45s\n",
	  { { 7, 13, "'at' of prompt 1 of drill 'C' is 45s, not inside the 45s bout: it must be "
	             "less than the drill's duration" } } },
	{ "every past duration",
	  "name: x\ndrills:\n  - name: C\n    duration: 45s\n    prompts:\n"
	  "      - text: t\n        every: 1m\n",
	  { { 7, 16, "'every' of prompt 1 of drill 'C' is 1m, not inside the 45s bout" } } },
	{ "at zero",
	  "name: x\ndrills:\n  - name: C\n    duration: 45s\n    prompts:\n"
	  "      - {text: t, at: 0}\n",
	  { { 6, 23, "'at' of prompt 1 of drill 'C' is 0s, which is too short: it must be at "
	             "least 1s" } } },
	{ "bad at",
	  "name: x\ndrills:\n  - name: C\n    duration: 45s\n    prompts:\n"
	  "      - {text: t, at: soon}\n",
	  { { 6, 23, "invalid duration 'soon' for 'at' of prompt 1 of drill 'C'" } } },
	{ "both at and every",
	  "name: x\ndrills:\n  - name: C\n    duration: 45s\n    prompts:\n"
	  "      - text: t\n        every: 10s\n        at: 5s\n",
	  { { 8, 9, "prompt 1 of drill 'C' has both 'at' and 'every'; give exactly one" } } },
	{ "neither at nor every",
	  "name: x\ndrills:\n  - name: C\n    duration: 45s\n    prompts:\n      - text: t\n",
	  { { 6, 9, "prompt 1 of drill 'C' needs one of 'at' (once per bout) or 'every'" } } },
	{ "prompt limit uses a bad duration only once",
	  "name: x\ndrills:\n  - name: C\n    duration: 3s\n    prompts:\n"
	  "      - {text: t, at: 10s}\n",
	  { { 4, 15, "too short" } } },
	{ "total over four hours",
	  "name: x\nlead_in: 0\nrest: 0\nswitch: 0\ndrills:\n"
	  "  - {name: a, duration: 10m, sides: [left, right]}\n"
	  "  - {name: a, duration: 10m, sides: [left, right]}\n"
	  "  - {name: a, duration: 10m, sides: [left, right]}\n"
	  "  - {name: a, duration: 10m, sides: [left, right]}\n"
	  "  - {name: a, duration: 10m, sides: [left, right]}\n"
	  "  - {name: a, duration: 10m, sides: [left, right]}\n"
	  "  - {name: a, duration: 10m, sides: [left, right]}\n"
	  "  - {name: a, duration: 10m, sides: [left, right]}\n"
	  "  - {name: a, duration: 10m, sides: [left, right]}\n"
	  "  - {name: a, duration: 10m, sides: [left, right]}\n"
	  "  - {name: a, duration: 10m, sides: [left, right]}\n"
	  "  - {name: a, duration: 10m, sides: [left, right]}\n"
	  "  - {name: a, duration: 5s}\n",
	  { { 5, 1, "the whole session lasts 4:00:05" }, } },
	{ "syntax error", "name: x\n  bad: y\n" ONE_DRILL,
	  { { 2, 6, "YAML syntax error: mapping values are not allowed in this context" } } },
	{ "unclosed quote", "name: \"x\n",
	  { { 1, 7, "YAML syntax error: found unexpected end of stream (while scanning a quoted "
	            "scalar that starts here)" } } },
	{ "tab indentation", "name: x\ndrills:\n\t- name: y\n",
	  { { 3, 1, "indent with spaces" } } },
	{ "anchor and alias", "name: &n x\ndrills:\n  - name: *n\n    duration: 5s\n",
	  { { 1, 7, "anchor '&n': aliases and anchors are not supported" },
	    { 3, 11, "alias '*n': aliases and anchors are not supported" } } },
	{ "two documents", "name: x\n" ONE_DRILL "---\nname: y\n",
	  { { 3, 1, "a second YAML document" } } },
	{ "empty", "", { { 1, 1, "file is empty: expected a routine with name and drills" } } },
	{ "comments only", "# nothing\n\n   # here\n", { { 1, 1, "file is empty" } } },
	{ "document marker only", "---\n", { { 1, 1, "file is empty" } } },
	{ "invalid UTF-8", "name: x\ndescription: caf\xC3(\n" ONE_DRILL,
	  { { 2, 17, "invalid UTF-8 (byte 0xC3)" } } },
	{ "overlong UTF-8", "name: \xC0\xAF\n" ONE_DRILL, { { 1, 7, "invalid UTF-8" } } },
	{ "surrogate in UTF-8", "name: \xED\xA0\x80\n" ONE_DRILL, { { 1, 7, "invalid UTF-8" } } },
	{ "raw control character", "name: a\x01z\n" ONE_DRILL,
	  { { 1, 8, "control character U+0001 is not allowed in a routine file" } } },
	{ "raw C1 character", "name: \xC2\x85\n" ONE_DRILL,
	  { { 1, 7, "control character U+0085" } } },
	{ "columns count characters", "name: \xC3\xA9\xC3\xA9\x01\n" ONE_DRILL,
	  { { 1, 9, "U+0001" } } },
	{ "problems in file order",
	  "nme: x\nequipment: foam\ndrills:\n  - name: a\n    duration: 5s\n    sidez: [left]\n"
	  "  - name: b\n",
	  { { 1, 1, "did you mean 'name'?" }, { 2, 12, "invalid value 'foam'" },
	    { 6, 5, "did you mean 'sides'?" }, { 7, 5, "drill 'b' is missing required key "
	                                              "'duration'" } } },
	{ "CRLF and BOM keep positions",
	  "\xEF\xBB\xBFname: x\r\ndrills:\r\n  - name: a\r\n    duraton: 5s\r\n",
	  { { 4, 5, "did you mean 'duration'?" } } },
	{ "old Mac line ends", "name: x\rdrills:\r  - name: a\r    duration: 1s\r",
	  { { 4, 15, "too short" } } },
	{ "long values are cut in messages",
	  "name: x\nequipment: abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\n" ONE_DRILL,
	  { { 2, 12, "'abcdefghijklmnopqrstuvwxyzabcdefghijklmn...'" } } },
};

static void test_messages(void **state)
{
	size_t failed = 0;
	(void)state;
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++)
		failed += !check_bad(bad_cases[i].name, bad_cases[i].yaml,
		                     strlen(bad_cases[i].yaml), bad_cases[i].w);
	assert_int_equal(failed, 0);
}

static void test_nul_byte(void **state)
{
	static const char yaml[] = "name: a\0b\n" ONE_DRILL;
	const struct want w[4] = { { 1, 8, "NUL byte" } };
	(void)state;
	expect_bad("NUL byte", yaml, sizeof yaml - 1, w);
}

/* ---- Defaults and values ---- */

static void test_defaults(void **state)
{
	struct routine *r = expect_ok("name: Minimal\ndrills:\n  - name: Calf\n    duration: 45s\n");
	(void)state;

	assert_string_equal(r->file, "t.yaml");
	assert_string_equal(r->name, "Minimal");
	assert_null(r->description);
	assert_int_equal(r->equipment, EQUIP_ROLLER);
	assert_int_equal(r->lead_in_ms, 5000);
	assert_int_equal(r->switch_ms, 5000);
	assert_int_equal(r->rest_ms, 10000);
	assert_int_equal(r->linger_every_ms, 15000);
	assert_non_null(r->linger_text);
	assert_true(strlen(r->linger_text) > 0);
	assert_int_equal(r->n_drills, 1);
	const struct drill *d = &r->drills[0];
	assert_string_equal(d->name, "Calf");
	assert_int_equal(d->duration_ms, 45000);
	assert_int_equal(d->n_sides, 0);
	assert_null(d->cue);
	assert_int_equal(d->n_steps, 0);
	assert_int_equal(d->step_ms, 2000);
	assert_int_equal(d->n_prompts, 0);
	for (int e = 0; e < EQUIP__COUNT; e++)
		assert_null(d->variant[e]);
	routine_free(r);
}

static void test_every_key(void **state)
{
	struct routine *r = expect_ok(
		"# yaml-language-server: $schema=../docs/routine.schema.json\n"
		"version: 1\n"
		"name: Pre-run rolling\n"
		"description: |\n  Two lines\n  of text.\n"
		"equipment: ball\n"
		"lead_in: 0\n"
		"switch: 3s\n"
		"rest: 1m\n"
		"linger_every: 0s\n"
		"linger_text: Move on\n"
		"drills:\n"
		"  - name: Calf / Achilles tendon\n"
		"    duration: 1m30s\n"
		"    sides: [right, left]\n"
		"    cue: \"Roll\\tslowly\"\n"
		"    movement:\n"
		"      steps: [up, down, \"caf\u00e9\"]\n"
		"      every: 3\n"
		"    prompts:\n"
		"      - text: Turn the foot\n"
		"        at: 20s\n"
		"      - every: 30s\n"
		"        text: Breathe\n"
		"    linger_every: 20s\n"
		"    equipment:\n"
		"      ball: Sit on the floor.\n"
		"      trigger-point-tool: Press and hold.\n"
		"  - name: Quads\n"
		"    duration: 90\n"
		"    sides: [left]\n"
		"  - name: Skips\n"
		"    duration: 30s\n"
		"    linger_every: 0\n");
	(void)state;

	assert_string_equal(r->name, "Pre-run rolling");
	assert_string_equal(r->description, "Two lines\nof text.\n");
	assert_int_equal(r->equipment, EQUIP_BALL);
	assert_int_equal(r->lead_in_ms, 0);
	assert_int_equal(r->switch_ms, 3000);
	assert_int_equal(r->rest_ms, 60000);
	assert_int_equal(r->linger_every_ms, 0);
	assert_string_equal(r->linger_text, "Move on");
	assert_int_equal(r->n_drills, 3);

	const struct drill *d = &r->drills[0];
	assert_string_equal(d->name, "Calf / Achilles tendon");
	assert_int_equal(d->duration_ms, 90000);
	assert_int_equal(d->n_sides, 2);
	assert_int_equal(d->sides[0], SIDE_RIGHT);
	assert_int_equal(d->sides[1], SIDE_LEFT);
	assert_string_equal(d->cue, "Roll\tslowly");
	assert_int_equal(d->n_steps, 3);
	assert_string_equal(d->steps[0], "up");
	assert_string_equal(d->steps[2], "caf\xC3\xA9");
	assert_int_equal(d->step_ms, 3000);
	assert_int_equal(d->n_prompts, 2);
	assert_string_equal(d->prompts[0].text, "Turn the foot");
	assert_int_equal(d->prompts[0].at_ms, 20000);
	assert_int_equal(d->prompts[0].every_ms, 0);
	assert_string_equal(d->prompts[1].text, "Breathe");
	assert_int_equal(d->prompts[1].at_ms, 0);
	assert_int_equal(d->prompts[1].every_ms, 30000);
	assert_string_equal(d->variant[EQUIP_BALL], "Sit on the floor.");
	assert_string_equal(d->variant[EQUIP_TRIGGER_POINT_TOOL], "Press and hold.");
	assert_null(d->variant[EQUIP_ROLLER]);
	assert_null(d->variant[EQUIP_STICK]);

	assert_true(d->linger_set);
	assert_int_equal(d->linger_every_ms, 20000);

	d = &r->drills[1];
	assert_int_equal(d->duration_ms, 90000);
	assert_int_equal(d->n_sides, 1);
	assert_int_equal(d->sides[0], SIDE_LEFT);
	assert_false(d->linger_set);    /* the routine's interval applies */

	d = &r->drills[2];
	assert_true(d->linger_set);
	assert_int_equal(d->linger_every_ms, 0);
	routine_free(r);
}

static void test_quoted_numbers(void **state)
{
	/* A duration may be a quoted string; a name may look like a number. */
	struct routine *r = expect_ok("name: 123\ndrills: [{name: 'yes', duration: '45'}]\n");
	(void)state;
	assert_string_equal(r->name, "123");
	assert_string_equal(r->drills[0].name, "yes");
	assert_int_equal(r->drills[0].duration_ms, 45000);
	routine_free(r);
}

/* ---- Limits: the edge passes, one step past it fails ---- */

static void test_duration_limits(void **state)
{
	(void)state;
	ok("name: x\ndrills: [{name: a, duration: 5s}]\n");
	ok("name: x\ndrills: [{name: a, duration: 10m}]\n");
	ok("name: x\nlead_in: 5m\nswitch: 2m\nrest: 10m\nlinger_every: 10m\n" ONE_DRILL);
	ok("name: x\nlead_in: 0\nswitch: 0\nrest: 0\nlinger_every: 0\n" ONE_DRILL);
	ok("name: x\ndrills: [{name: a, duration: 5m, movement: {steps: [a], every: 1s}}]\n");
	ok("name: x\ndrills: [{name: a, duration: 5m, movement: {steps: [a], every: 1m}}]\n");
	ok("name: x\ndrills: [{name: a, duration: 45s, prompts: [{text: t, at: 44s}]}]\n");
	ok("name: x\ndrills: [{name: a, duration: 45s, prompts: [{text: t, at: 1s}]}]\n");
	ok("name: x\ndrills: [{name: a, duration: 45s, prompts: [{text: t, every: 44s}]}]\n");
	ok("name: x\ndrills: [{name: a, duration: 45s, prompts: [{text: t, every: 1s}]}]\n");
}

static void test_total_limit(void **state)
{
	char yaml[4096];
	size_t o = 0;
	(void)state;

	/* 4 h exactly: lead-in 4 m, then 4 drills of 2 x 10 m + 5 s switch, with
	 * 3 rests; 4m + 4*(20m + 5s) + 3 rests = 4h when rest is 10m - 20s/3.
	 * Simpler: 24 one-sided 10-minute drills with no rest and no lead-in. */
	o += (size_t)snprintf(yaml + o, sizeof yaml - o, "name: x\nlead_in: 0\nrest: 0\ndrills:\n");
	for (int i = 0; i < 24; i++)
		o += (size_t)snprintf(yaml + o, sizeof yaml - o, "  - {name: a, duration: 10m}\n");
	routine_free(expect_ok(yaml));

	/* One second more. */
	o = 0;
	o += (size_t)snprintf(yaml + o, sizeof yaml - o, "name: x\nlead_in: 1\nrest: 0\ndrills:\n");
	for (int i = 0; i < 24; i++)
		o += (size_t)snprintf(yaml + o, sizeof yaml - o, "  - {name: a, duration: 10m}\n");
	expect_one(yaml, 4, 1, "the whole session lasts 4:00:01 (lead-in, bouts, switches and "
	           "rests); the total must be at most 4:00:00");

	/* Rest counts between drills only, switch only between two sides. */
	o = 0;
	o += (size_t)snprintf(yaml + o, sizeof yaml - o,
	                      "name: x\nlead_in: 0\nrest: 10m\nswitch: 2m\ndrills:\n");
	for (int i = 0; i < 10; i++)
		o += (size_t)snprintf(yaml + o, sizeof yaml - o,
		                      "  - {name: a, duration: 9m, sides: [left, right]}\n");
	/* 10 * (18m + 2m) + 9 * 10m = 290m: too long; 8 drills give 230m. */
	expect_one(yaml, 5, 1, "4:50:00");
	o = 0;
	o += (size_t)snprintf(yaml + o, sizeof yaml - o,
	                      "name: x\nlead_in: 0\nrest: 10m\nswitch: 2m\ndrills:\n");
	for (int i = 0; i < 8; i++)
		o += (size_t)snprintf(yaml + o, sizeof yaml - o,
		                      "  - {name: a, duration: 9m, sides: [left, right]}\n");
	routine_free(expect_ok(yaml));
}

static void test_count_limits(void **state)
{
	char *yaml = malloc(64 * 1024);
	size_t o, size = 64 * 1024;
	(void)state;
	assert_non_null(yaml);

	/* 100 drills pass, the 101st is pointed at. */
	o = (size_t)snprintf(yaml, size, "name: x\nlead_in: 0\nrest: 0\ndrills:\n");
	for (int i = 0; i < 100; i++)
		o += (size_t)snprintf(yaml + o, size - o, "  - {name: a, duration: 5s}\n");
	routine_free(expect_ok(yaml));
	snprintf(yaml + o, size - o, "  - {name: a, duration: 5s}\n");
	expect_one(yaml, 105, 5, "'drills' has 101 entries; at most 100 are allowed");

	/* 8 steps pass, 9 do not. */
	ok("name: x\ndrills: [{name: a, duration: 5s, movement: {steps: [1,2,3,4,5,6,7,8]}}]\n");
	expect_one("name: x\ndrills: [{name: a, duration: 5s, movement: {steps: [1,2,3,4,5,6,7,8,9]}}]\n",
	           2, 69, "'steps' of 'movement' of drill 'a' has 9 entries; at most 8 are allowed");

	/* 16 prompts pass, 17 do not. */
	o = (size_t)snprintf(yaml, size, "name: x\ndrills:\n  - name: a\n    duration: 1m\n"
	                     "    prompts:\n");
	for (int i = 0; i < 16; i++)
		o += (size_t)snprintf(yaml + o, size - o, "      - {text: t, at: %ds}\n", i + 1);
	routine_free(expect_ok(yaml));
	snprintf(yaml + o, size - o, "      - {text: t, every: 5s}\n");
	expect_one(yaml, 22, 9, "'prompts' of drill 'a' has 17 entries; at most 16 are allowed");
	free(yaml);
}

static void test_text_limits(void **state)
{
	char yaml[2048];
	char name[512];
	size_t o = 0;
	(void)state;

	/* 80 characters of two bytes each: the limit counts characters. */
	for (int i = 0; i < 80; i++)
		o += (size_t)snprintf(name + o, sizeof name - o, "\xC3\xA9");
	snprintf(yaml, sizeof yaml, "name: %s\n" ONE_DRILL, name);
	struct routine *r = expect_ok(yaml);
	assert_int_equal(strlen(r->name), 160);
	routine_free(r);
	snprintf(yaml, sizeof yaml, "name: x\ndrills: [{name: %s\xC3\xA9, duration: 5s}]\n", name);
	expect_one(yaml, 2, 17, "is too long (81 characters); at most 80 are allowed");

	/* Tabs and line breaks are fine in text. */
	ok("name: x\ndescription: \"a\\tb\\nc\"\n" ONE_DRILL);
}

static void test_many_problems_are_capped(void **state)
{
	char *yaml = malloc(64 * 1024);
	size_t o = 0, size = 64 * 1024;
	struct routine *r = NULL;
	struct diags d = { 0 };
	(void)state;
	assert_non_null(yaml);

	o += (size_t)snprintf(yaml + o, size - o, "name: x\n" ONE_DRILL);
	for (int i = 0; i < 300; i++)
		o += (size_t)snprintf(yaml + o, size - o, "bad%d: 1\n", i);
	assert_int_equal(load(yaml, &r, &d), ROUTINE_ERR_INVALID);
	assert_null(r);
	assert_int_equal(d.n, 101);
	assert_non_null(strstr(d.v[100].msg, "too many problems"));
	diags_free(&d);
	free(yaml);
}

static void test_resource_limits(void **state)
{
	size_t size = ROUTINE_MAX_FILE_BYTES + 1;
	char *yaml = malloc(size + 1);
	struct routine *r = NULL;
	struct diags d = { 0 };
	size_t o;
	(void)state;
	assert_non_null(yaml);

	/* Over 1 MiB: refused before parsing. */
	memset(yaml, ' ', size);
	memcpy(yaml, "name: x\n", 8);
	assert_int_equal(routine_load_data(yaml, size, "big", &r, &d), ROUTINE_ERR_INVALID);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.v[0].msg, "file is larger than 1 MiB"));
	diags_free(&d);

	/* Too many values, even in a small file. */
	o = (size_t)snprintf(yaml, size, "name: x\n" ONE_DRILL "x: [");
	for (int i = 0; i < 60000; i++)
		o += (size_t)snprintf(yaml + o, size - o, "1,");
	snprintf(yaml + o, size - o, "1]\n");
	/* 12 nodes come before the list's first entry, at column 5. */
	expect_one(yaml, 3, 5 + 2 * (50001 - 12 - 1), "more than 50000 YAML values");

	/* Deep nesting stops at 32 levels. */
	o = (size_t)snprintf(yaml, size, "x: ");
	for (int i = 0; i < 1000; i++)
		yaml[o++] = '[';
	for (int i = 0; i < 1000; i++)
		yaml[o++] = ']';
	yaml[o] = '\0';
	/* The top mapping is level 1, so the 32nd bracket is one too many. */
	expect_one(yaml, 1, 4 + 31, "nesting deeper than 32 levels");

	/* A billion laughs: stopped at the first anchor, nothing expanded. */
	expect_bad("laughs",
	           "a: &a [x, x, x, x, x, x, x, x, x]\n"
	           "b: &b [*a, *a]\n",
	           sizeof "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a]\n" - 1,
	           (const struct want[4]){ { 1, 4, "anchor '&a'" }, { 2, 4, "anchor '&b'" },
	                                   { 2, 8, "alias '*a'" }, { 2, 12, "alias '*a'" } });
	free(yaml);
}

/* ---- Files ---- */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_routine.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int remove_tmpdir(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_files(void **state)
{
	char path[128];
	struct routine *r = NULL;
	struct diags d = { 0 };
	(void)state;

	/* Missing: not found, with the system's reason. */
	snprintf(path, sizeof path, "%s/missing.yaml", tmpdir);
	assert_int_equal(routine_load(path, &r, &d), ROUTINE_ERR_NOT_FOUND);
	assert_null(r);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].msg, strerror(ENOENT));
	diags_free(&d);

	/* A directory and a FIFO are refused without blocking. */
	assert_int_equal(routine_load(tmpdir, &r, &d), ROUTINE_ERR_INVALID);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.v[0].msg, "not a regular file (a directory)"));
	diags_free(&d);
	snprintf(path, sizeof path, "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(routine_load(path, &r, &d), ROUTINE_ERR_INVALID);
	assert_non_null(strstr(d.v[0].msg, "not a regular file (a FIFO)"));
	diags_free(&d);

	/* Too big on disk. */
	snprintf(path, sizeof path, "%s/big.yaml", tmpdir);
	char *big = calloc(1, ROUTINE_MAX_FILE_BYTES + 10);
	assert_non_null(big);
	memset(big, '#', ROUTINE_MAX_FILE_BYTES + 10);
	write_file(path, big, ROUTINE_MAX_FILE_BYTES + 10);
	free(big);
	assert_int_equal(routine_load(path, &r, &d), ROUTINE_ERR_INVALID);
	assert_non_null(strstr(d.v[0].msg, "file is larger than 1 MiB"));
	diags_free(&d);

	/* A good file, then a bad one appending to the same list. */
	snprintf(path, sizeof path, "%s/good.yaml", tmpdir);
	write_file(path, "name: x\n" ONE_DRILL, strlen("name: x\n" ONE_DRILL));
	assert_int_equal(routine_load(path, &r, &d), ROUTINE_OK);
	assert_non_null(r);
	assert_string_equal(r->file, path);
	assert_int_equal(d.n, 0);
	routine_free(r);
	r = NULL;
	snprintf(path, sizeof path, "%s/bad.yaml", tmpdir);
	write_file(path, "name: x\n", 8);
	assert_int_equal(routine_load(path, &r, &d), ROUTINE_ERR_INVALID);
	assert_int_equal(routine_load(path, &r, &d), ROUTINE_ERR_INVALID);
	assert_null(r);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.v[1].line, 1);
	diags_free(&d);

	/* An empty file. */
	snprintf(path, sizeof path, "%s/empty.yaml", tmpdir);
	write_file(path, "", 0);
	assert_int_equal(routine_load(path, &r, &d), ROUTINE_ERR_INVALID);
	assert_non_null(strstr(d.v[0].msg, "file is empty"));
	diags_free(&d);

	/* Diagnostics are optional for callers that only want a verdict. */
	assert_int_equal(routine_load(path, &r, NULL), ROUTINE_ERR_INVALID);
	assert_null(r);
}

/* ---- Names ---- */

static void test_names(void **state)
{
	(void)state;
	for (int e = 0; e < EQUIP__COUNT; e++) {
		const char *name = equipment_name((enum equipment)e);
		assert_non_null(name);
		assert_int_equal(equipment_parse(name), e);
	}
	assert_string_equal(equipment_name(EQUIP_TRAVEL_ROLLER), "travel-roller");
	assert_string_equal(equipment_name(EQUIP_TRIGGER_POINT_TOOL), "trigger-point-tool");
	assert_null(equipment_name(EQUIP__COUNT));
	assert_int_equal(equipment_parse("foam"), -1);
	assert_int_equal(equipment_parse("Roller"), -1);
	assert_int_equal(equipment_parse(NULL), -1);
	assert_string_equal(side_name(SIDE_LEFT), "left");
	assert_string_equal(side_name(SIDE_RIGHT), "right");
	assert_null(side_name(SIDE_NONE));
	routine_free(NULL);
	diags_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_quoted_numbers),
		cmocka_unit_test(test_duration_limits),
		cmocka_unit_test(test_total_limit),
		cmocka_unit_test(test_count_limits),
		cmocka_unit_test(test_text_limits),
		cmocka_unit_test(test_many_problems_are_capped),
		cmocka_unit_test(test_resource_limits),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
