#include "routine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cyaml/cyaml.h>
#include <yaml.h>

#include "duration.h"

/*
 * Loading runs in stages, each stopping the next when it finds a problem:
 *  1. the raw bytes: size, NUL, UTF-8, characters YAML forbids;
 *  2. a libyaml event scan: syntax, anchors and aliases, depth, node count;
 *  3. the libyaml document walked alongside libcyaml's schema tables, which
 *     gives exact marks for unknown keys, types, counts and enums;
 *  4. libcyaml fills the raw structs (it can no longer fail on content);
 *  5. checks the schema cannot express (durations, limits, the total),
 *     with marks found by looking paths up in the still-alive document;
 *  6. conversion into struct routine with every default applied.
 * libcyaml on its own reports the last node it reached, not the mistake,
 * which is why stages 2, 3 and 5 keep the libyaml document at hand.
 */

#define MAX_DEPTH        32      /* a routine needs 5 levels */
#define MAX_NODES        50000   /* 100 full drills need about 16000 */
#define MAX_DIAGS        100
#define MAX_CYAML_BYTES  (16u << 20)
#define MAX_FIELDS       16

/* libcyaml limits strings in bytes and we limit them in characters; the
 * schema holds 4 bytes per character (the UTF-8 maximum), so libcyaml's
 * own check never fires before ours, and the walk divides back. */
#define CHARS(n)         ((n) * 4)
#define MAX_DESCRIPTION  1000
#define MAX_CUE          500
#define MAX_TEXT         200

#define SEC(n)           ((uint64_t)(n) * 1000)
#define MINUTES(n)       SEC((n) * 60)

/* Duration limits, inclusive; docs/routine-format.md repeats them. */
#define DRILL_MIN        SEC(5)
#define DRILL_MAX        MINUTES(10)
#define STEP_MIN         SEC(1)
#define STEP_MAX         MINUTES(1)
#define LEAD_IN_MAX      MINUTES(5)
#define SWITCH_MAX       MINUTES(2)
#define REST_MAX         MINUTES(10)
#define LINGER_MAX       MINUTES(10)
#define PROMPT_MIN       SEC(1)

#define DEFAULT_LEAD_IN  SEC(5)
#define DEFAULT_SWITCH   SEC(5)
#define DEFAULT_REST     SEC(10)
#define DEFAULT_LINGER   SEC(15)
#define DEFAULT_STEP     SEC(2)
#define DEFAULT_LINGER_TEXT "Keep it moving: don't park on one spot"

/* --- What libcyaml loads: durations stay strings, optional scalars are
 * pointers so that "absent" differs from any value. --- */

struct raw_prompt {
	char *text;
	char *at;
	char *every;
};

struct raw_movement {
	char **steps;
	unsigned steps_count;
	char *every;
};

struct raw_variants {
	char *roller;
	char *travel_roller;
	char *stick;
	char *ball;
	char *trigger_point_tool;
};

struct raw_drill {
	char *name;
	char *duration;
	enum side *sides;
	unsigned sides_count;
	char *cue;
	struct raw_movement *movement;
	struct raw_prompt *prompts;
	unsigned prompts_count;
	struct raw_variants *equipment;
};

struct raw_routine {
	int version;
	char *name;
	char *description;
	enum equipment *equipment;
	char *lead_in;
	char *switch_;
	char *rest;
	char *linger_every;
	char *linger_text;
	struct raw_drill *drills;
	unsigned drills_count;
};

static const cyaml_strval_t equipment_strings[] = {
	{ "roller", EQUIP_ROLLER },
	{ "travel-roller", EQUIP_TRAVEL_ROLLER },
	{ "stick", EQUIP_STICK },
	{ "ball", EQUIP_BALL },
	{ "trigger-point-tool", EQUIP_TRIGGER_POINT_TOOL },
};

static const cyaml_strval_t side_strings[] = {
	{ "left", SIDE_LEFT },
	{ "right", SIDE_RIGHT },
};

static const cyaml_strval_t version_strings[] = {
	{ "1", 1 },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Same order as enum equipment, so variant[e] lines up. */
static const size_t variant_offsets[EQUIP__COUNT] = {
	offsetof(struct raw_variants, roller),
	offsetof(struct raw_variants, travel_roller),
	offsetof(struct raw_variants, stick),
	offsetof(struct raw_variants, ball),
	offsetof(struct raw_variants, trigger_point_tool),
};

#define OPT (CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL)

static const cyaml_schema_value_t text_entry = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, CHARS(MAX_TEXT)),
};

static const cyaml_schema_value_t side_entry = {
	CYAML_VALUE_ENUM(CYAML_FLAG_STRICT, enum side, side_strings, COUNT(side_strings)),
};

static const cyaml_schema_field_t prompt_fields[] = {
	CYAML_FIELD_STRING_PTR("text", CYAML_FLAG_POINTER, struct raw_prompt, text,
	                       1, CHARS(MAX_TEXT)),
	CYAML_FIELD_STRING_PTR("at", OPT, struct raw_prompt, at, 0, CYAML_UNLIMITED),
	CYAML_FIELD_STRING_PTR("every", OPT, struct raw_prompt, every, 0, CYAML_UNLIMITED),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t prompt_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct raw_prompt, prompt_fields),
};

static const cyaml_schema_field_t movement_fields[] = {
	CYAML_FIELD_SEQUENCE("steps", CYAML_FLAG_POINTER, struct raw_movement, steps,
	                     &text_entry, 1, ROUTINE_MAX_STEPS),
	CYAML_FIELD_STRING_PTR("every", OPT, struct raw_movement, every, 0, CYAML_UNLIMITED),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t variant_fields[] = {
	CYAML_FIELD_STRING_PTR("roller", OPT, struct raw_variants, roller, 1, CHARS(MAX_CUE)),
	CYAML_FIELD_STRING_PTR("travel-roller", OPT, struct raw_variants, travel_roller,
	                       1, CHARS(MAX_CUE)),
	CYAML_FIELD_STRING_PTR("stick", OPT, struct raw_variants, stick, 1, CHARS(MAX_CUE)),
	CYAML_FIELD_STRING_PTR("ball", OPT, struct raw_variants, ball, 1, CHARS(MAX_CUE)),
	CYAML_FIELD_STRING_PTR("trigger-point-tool", OPT, struct raw_variants,
	                       trigger_point_tool, 1, CHARS(MAX_CUE)),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t drill_fields[] = {
	CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct raw_drill, name,
	                       1, CHARS(ROUTINE_MAX_NAME)),
	CYAML_FIELD_STRING_PTR("duration", CYAML_FLAG_POINTER, struct raw_drill, duration,
	                       0, CYAML_UNLIMITED),
	CYAML_FIELD_SEQUENCE("sides", OPT, struct raw_drill, sides, &side_entry, 1, 2),
	CYAML_FIELD_STRING_PTR("cue", OPT, struct raw_drill, cue, 1, CHARS(MAX_CUE)),
	CYAML_FIELD_MAPPING_PTR("movement", OPT, struct raw_drill, movement, movement_fields),
	CYAML_FIELD_SEQUENCE("prompts", OPT, struct raw_drill, prompts, &prompt_entry,
	                     0, ROUTINE_MAX_PROMPTS),
	CYAML_FIELD_MAPPING_PTR("equipment", OPT, struct raw_drill, equipment, variant_fields),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t drill_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct raw_drill, drill_fields),
};

static const cyaml_schema_field_t routine_fields[] = {
	CYAML_FIELD_ENUM("version", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
	                 struct raw_routine, version, version_strings, COUNT(version_strings)),
	CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct raw_routine, name,
	                       1, CHARS(ROUTINE_MAX_NAME)),
	CYAML_FIELD_STRING_PTR("description", OPT, struct raw_routine, description,
	                       1, CHARS(MAX_DESCRIPTION)),
	CYAML_FIELD_ENUM_PTR("equipment", OPT | CYAML_FLAG_STRICT, struct raw_routine,
	                     equipment, equipment_strings, COUNT(equipment_strings)),
	CYAML_FIELD_STRING_PTR("lead_in", OPT, struct raw_routine, lead_in, 0, CYAML_UNLIMITED),
	CYAML_FIELD_STRING_PTR("switch", OPT, struct raw_routine, switch_, 0, CYAML_UNLIMITED),
	CYAML_FIELD_STRING_PTR("rest", OPT, struct raw_routine, rest, 0, CYAML_UNLIMITED),
	CYAML_FIELD_STRING_PTR("linger_every", OPT, struct raw_routine, linger_every,
	                       0, CYAML_UNLIMITED),
	CYAML_FIELD_STRING_PTR("linger_text", OPT, struct raw_routine, linger_text,
	                       1, CHARS(MAX_TEXT)),
	CYAML_FIELD_SEQUENCE("drills", CYAML_FLAG_POINTER, struct raw_routine, drills,
	                     &drill_entry, 1, ROUTINE_MAX_DRILLS),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t routine_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct raw_routine, routine_fields),
};

/* --- Loader state: one per call, nothing global. --- */

struct loader {
	struct diags *d;
	size_t first;           /* index in d of this load's first diag */
	unsigned problems;
	bool full;              /* MAX_DIAGS reached: further problems dropped */
	bool nomem;
	yaml_document_t doc;
	bool have_doc;
};

static const char root_what[] = "the routine";

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

static int diag_push(struct diags *d, unsigned line, unsigned col, char *msg)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct diag *v = realloc(d->v, cap * sizeof *v);
		if (v == NULL)
			return -1;
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n++] = (struct diag){ .line = line, .col = col, .msg = msg };
	return 0;
}

static char *vformat(const char *fmt, va_list ap)
{
	va_list aq;
	int len;
	char *s;

	va_copy(aq, ap);
	len = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (len < 0)
		return NULL;
	s = malloc((size_t)len + 1);
	if (s != NULL)
		vsnprintf(s, (size_t)len + 1, fmt, ap);
	return s;
}

PRINTF_LIKE(4, 5)
static void diag_at(struct loader *L, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (L->full || L->nomem)
		return;
	if (L->problems == MAX_DIAGS) {
		L->full = true;
		msg = strdup("too many problems; stopping here (fix the ones above first)");
	} else {
		va_start(ap, fmt);
		msg = vformat(fmt, ap);
		va_end(ap);
	}
	L->problems++;
	if (msg == NULL || diag_push(L->d, line, col, msg) != 0) {
		free(msg);
		L->nomem = true;
	}
}

/* snprintf that appends at *o and never runs past size: message parts are
 * cut rather than refused. */
PRINTF_LIKE(4, 5)
static void append(char *buf, size_t size, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*o >= size)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *o, size - *o, fmt, ap);
	va_end(ap);
	if (w < 0)
		return;
	*o += (size_t)w;
	if (*o >= size)
		*o = size - 1;
}

#define diag_mark(L, m, ...) \
	diag_at((L), (unsigned)(m).line + 1, (unsigned)(m).column + 1, __VA_ARGS__)

/* Stable by position, so the caller can print problems in file order. */
static void diags_sort(struct diags *d, size_t first)
{
	for (size_t i = first + 1; i < d->n; i++) {
		struct diag x = d->v[i];
		size_t j = i;
		while (j > first && (d->v[j - 1].line > x.line ||
		       (d->v[j - 1].line == x.line && d->v[j - 1].col > x.col))) {
			d->v[j] = d->v[j - 1];
			j--;
		}
		d->v[j] = x;
	}
}

void diags_free(struct diags *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].msg);
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

/* --- UTF-8 --- */

/* Decodes one character; returns its length, or 0 if the bytes are not
 * well-formed UTF-8 (overlong forms, surrogates and values past U+10FFFF
 * included). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t least[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len;
	uint32_t c;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xE0) == 0xC0) {
		len = 2;
		c = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3;
		c = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < least[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* C0 except tab and newline, DEL, and C1. */
static bool is_control(uint32_t c)
{
	return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7F || (c >= 0x80 && c <= 0x9F);
}

/*
 * Copies s into buf for quoting in a message: at most 40 characters, control
 * characters shown as '?', "..." when cut. buf must hold 170 bytes.
 */
#define QUOTE_SIZE 170
static const char *quote(char *buf, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0, chars = 0;

	while (i < len && chars < 40) {
		uint32_t c;
		size_t w = utf8_decode(p + i, len - i, &c);
		if (w == 0 || is_control(c) || c == '\n' || c == '\t') {
			buf[o++] = '?';
			i += w ? w : 1;
		} else {
			memcpy(buf + o, p + i, w);
			o += w;
			i += w;
		}
		chars++;
	}
	if (i < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* --- Stage 1: bytes --- */

/* Reports the first byte that no YAML file may hold, with its position.
 * Columns count characters, as libyaml's marks do. */
static bool check_bytes(struct loader *L, const unsigned char *s, size_t n)
{
	unsigned line = 1, col = 1;
	size_t i = 0;

	while (i < n) {
		uint32_t c;
		size_t w = utf8_decode(s + i, n - i, &c);

		if (w == 0) {
			diag_at(L, line, col, "invalid UTF-8 (byte 0x%02X): a routine file must be "
			        "UTF-8 text", s[i]);
			return false;
		}
		if (c == 0) {
			diag_at(L, line, col, "NUL byte: a routine file must be UTF-8 text");
			return false;
		}
		if (c != '\r' && is_control(c)) {
			diag_at(L, line, col, "control character U+%04X is not allowed in a "
			        "routine file", (unsigned)c);
			return false;
		}
		if (c == 0xFFFE || c == 0xFFFF) {
			diag_at(L, line, col, "character U+%04X is not allowed in a routine file",
			        (unsigned)c);
			return false;
		}
		i += w;
		if (c == '\n' || c == 0x2028 || c == 0x2029 || (c == '\r' && (i >= n || s[i] != '\n'))) {
			line++;
			col = 1;
		} else if (c != '\r') {
			col++;
		}
	}
	return true;
}

/* --- Stage 2: events --- */

/* The character at a 1-based line and column, counted as check_bytes does. */
static uint32_t char_at(const unsigned char *s, size_t n, size_t line, size_t col)
{
	size_t l = 1, c = 1, i = 0;

	while (i < n) {
		uint32_t ch = 0;
		size_t w = utf8_decode(s + i, n - i, &ch);
		if (w == 0)
			return 0;
		if (l == line && c == col)
			return ch;
		i += w;
		if (ch == '\n' || ch == 0x2028 || ch == 0x2029 ||
		    (ch == '\r' && (i >= n || s[i] != '\n'))) {
			l++;
			c = 1;
		} else if (ch != '\r') {
			c++;
		}
	}
	return 0;
}

static void syntax_error(struct loader *L, const yaml_parser_t *p, const unsigned char *s,
                         size_t n)
{
	const char *problem = p->problem ? p->problem : "unknown problem";
	const yaml_mark_t *pm = &p->problem_mark, *cm = &p->context_mark;
	const char *hint = char_at(s, n, pm->line + 1, pm->column + 1) == '\t'
	                   ? "; indent with spaces, YAML does not allow tabs there" : "";

	/* At the end of the input, where the unclosed thing began is what a
	 * coach needs to see. */
	if (p->context != NULL && strstr(problem, "end of stream") != NULL)
		diag_mark(L, *cm, "YAML syntax error: %s (%s that starts here)%s", problem,
		          p->context, hint);
	else if (p->context != NULL && (cm->line != pm->line || cm->column != pm->column))
		diag_mark(L, *pm, "YAML syntax error: %s (%s that starts at line %zu, column %zu)%s",
		          problem, p->context, cm->line + 1, cm->column + 1, hint);
	else if (p->context != NULL)
		diag_mark(L, *pm, "YAML syntax error: %s (%s)%s", problem, p->context, hint);
	else
		diag_mark(L, *pm, "YAML syntax error: %s%s", problem, hint);
}

static const yaml_char_t *event_anchor(const yaml_event_t *e)
{
	switch (e->type) {
	case YAML_SCALAR_EVENT:
		return e->data.scalar.anchor;
	case YAML_SEQUENCE_START_EVENT:
		return e->data.sequence_start.anchor;
	case YAML_MAPPING_START_EVENT:
		return e->data.mapping_start.anchor;
	default:
		return NULL;
	}
}

/*
 * Walks the event stream once before anything is built, so that alias
 * bombs, absurd nesting and huge node counts stop here, cheaply.
 * Returns true when the document may be loaded.
 */
static bool scan_events(struct loader *L, const unsigned char *s, size_t n)
{
	yaml_parser_t p;
	yaml_event_t e;
	unsigned depth = 0, nodes = 0, documents = 0;
	bool ok = true, done = false;
	char q[QUOTE_SIZE];

	if (!yaml_parser_initialize(&p)) {
		L->nomem = true;
		return false;
	}
	yaml_parser_set_input_string(&p, s, n);
	while (!done) {
		const yaml_char_t *anchor;

		if (!yaml_parser_parse(&p, &e)) {
			if (p.error == YAML_MEMORY_ERROR)
				L->nomem = true;
			else
				syntax_error(L, &p, s, n);
			ok = false;
			break;
		}
		switch (e.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1) {
				diag_mark(L, e.start_mark, "a second YAML document: a routine file "
				          "holds exactly one");
				ok = false;
				done = true;
			}
			break;
		case YAML_ALIAS_EVENT:
			diag_mark(L, e.start_mark, "alias '*%s': aliases and anchors are not "
			          "supported; write the value out in full",
			          quote(q, (const char *)e.data.alias.anchor,
			                strlen((const char *)e.data.alias.anchor)));
			ok = false;
			nodes++;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > MAX_DEPTH) {
				diag_mark(L, e.start_mark, "nesting deeper than %d levels: a routine "
				          "needs far fewer", MAX_DEPTH);
				ok = false;
				done = true;
			}
			/* fall through */
		case YAML_SCALAR_EVENT:
			anchor = event_anchor(&e);
			if (anchor != NULL) {
				diag_mark(L, e.start_mark, "anchor '&%s': aliases and anchors are "
				          "not supported; write the value out in full",
				          quote(q, (const char *)anchor, strlen((const char *)anchor)));
				ok = false;
			}
			if (++nodes > MAX_NODES && !done) {
				diag_mark(L, e.start_mark, "more than %d YAML values: a routine "
				          "needs far fewer", MAX_NODES);
				ok = false;
				done = true;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&p);
	if (ok && documents == 0) {
		diag_at(L, 1, 1, "file is empty: expected a routine with name and drills");
		ok = false;
	}
	return ok;
}

static bool load_document(struct loader *L, const unsigned char *s, size_t n)
{
	yaml_parser_t p;
	bool ok;

	if (!yaml_parser_initialize(&p)) {
		L->nomem = true;
		return false;
	}
	yaml_parser_set_input_string(&p, s, n);
	ok = yaml_parser_load(&p, &L->doc) != 0;
	if (!ok) {
		if (p.error == YAML_MEMORY_ERROR)
			L->nomem = true;
		else
			syntax_error(L, &p, s, n);
	}
	yaml_parser_delete(&p);
	L->have_doc = ok;
	return ok;
}

/* --- Document helpers --- */

static yaml_node_t *node_get(struct loader *L, int id)
{
	return yaml_document_get_node(&L->doc, id);
}

static bool scalar_is(const yaml_node_t *n, const char *s)
{
	size_t len = strlen(s);
	return n != NULL && n->type == YAML_SCALAR_NODE && n->data.scalar.length == len &&
	       memcmp(n->data.scalar.value, s, len) == 0;
}

/* The value under key in a mapping node, or NULL; *key_out gets the key. */
static yaml_node_t *map_get(struct loader *L, yaml_node_t *map, const char *key,
                            yaml_node_t **key_out)
{
	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node_get(L, p->key);
		if (scalar_is(k, key)) {
			if (key_out != NULL)
				*key_out = k;
			return node_get(L, p->value);
		}
	}
	return NULL;
}

static yaml_node_t *seq_get(struct loader *L, yaml_node_t *seq, size_t i)
{
	if (seq == NULL || seq->type != YAML_SEQUENCE_NODE)
		return NULL;
	if (i >= (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start))
		return NULL;
	return node_get(L, seq->data.sequence.items.start[i]);
}

/* "a mapping", "a list", "nothing" or the quoted value, for "found ..." in
 * messages; q must hold KIND_SIZE bytes. */
#define KIND_SIZE (QUOTE_SIZE + 2)
static const char *node_kind(const yaml_node_t *n, char *q)
{
	char inner[QUOTE_SIZE];
	size_t o = 0;

	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_SCALAR_NODE:
		if (n->data.scalar.length == 0)
			return "nothing";
		append(q, KIND_SIZE, &o, "'%s'",
		       quote(inner, (const char *)n->data.scalar.value, n->data.scalar.length));
		return q;
	default:
		return "something else";
	}
}

/* --- Stage 3: the document against the schema --- */

#define WHAT_SIZE 256

/* How a value is named in messages: "'duration' of drill 'Calf'". */
struct place {
	const char *what;
	const char *owner;      /* the mapping holding the value */
	const char *key;        /* the key naming it, or NULL */
};

/* Optimal string alignment distance, ignoring case and '-' versus '_',
 * so "Name", "lead-in" and "duraton" all find their key. */
static unsigned edit_distance(const char *a, size_t la, const char *b)
{
	enum { MAXLEN = 32 };
	unsigned rows[3][MAXLEN + 1];
	size_t lb = strlen(b);

	if (la > MAXLEN || lb > MAXLEN)
		return MAXLEN;
	for (size_t j = 0; j <= lb; j++)
		rows[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned *cur = rows[i % 3], *prev = rows[(i - 1) % 3], *prev2 = rows[(i + 1) % 3];
		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			char ca = a[i - 1], cb = b[j - 1];
			ca = ca == '-' ? '_' : (ca >= 'A' && ca <= 'Z') ? (char)(ca - 'A' + 'a') : ca;
			cb = cb == '-' ? '_' : (cb >= 'A' && cb <= 'Z') ? (char)(cb - 'A' + 'a') : cb;
			unsigned best = prev[j - 1] + (ca != cb);
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1) {
				char pa = a[i - 2], pb = b[j - 2];
				pa = pa == '-' ? '_' : (pa >= 'A' && pa <= 'Z') ? (char)(pa - 'A' + 'a') : pa;
				pb = pb == '-' ? '_' : (pb >= 'A' && pb <= 'Z') ? (char)(pb - 'A' + 'a') : pb;
				if (ca == pb && pa == cb && prev2[j - 2] + 1 < best)
					best = prev2[j - 2] + 1;
			}
			cur[j] = best;
		}
	}
	return rows[la % 3][lb];
}

/* The closest of names (count entries, stride bytes apart) within a typo or
 * two of s, or NULL. */
static const char *suggest(const char *s, size_t len, const void *names, size_t count,
                           size_t stride)
{
	const char *best = NULL;
	unsigned best_d = ~0u;

	for (size_t i = 0; i < count; i++) {
		const char *name = *(const char *const *)((const char *)names + i * stride);
		size_t nlen = strlen(name);
		unsigned limit = nlen <= 4 ? 1 : 2, d = edit_distance(s, len, name);
		if (d <= limit && d < best_d && !(len == nlen && memcmp(s, name, len) == 0)) {
			best = name;
			best_d = d;
		}
	}
	return best;
}

static size_t field_count(const cyaml_schema_field_t *f)
{
	size_t n = 0;
	while (f[n].key != NULL)
		n++;
	return n;
}

/* "name, duration, sides, ..." into buf. */
static const char *list_names(char *buf, size_t size, const void *names, size_t count,
                              size_t stride)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < count; i++)
		append(buf, size, &o, "%s%s", i ? ", " : "",
		       *(const char *const *)((const char *)names + i * stride));
	return buf;
}

/* "drill 'Calf'", "prompt 2 of drill 'Calf'": an entry of a list is named
 * by its key's singular and by its own name when it has one. */
static void entry_what(struct loader *L, char *buf, const struct place *list, size_t i,
                       yaml_node_t *entry)
{
	char noun[64], q[QUOTE_SIZE];
	const char *key = list->key ? list->key : "entry";
	size_t len = strlen(key);
	yaml_node_t *name = map_get(L, entry, "name", NULL);
	size_t o = 0;

	if (len > 1 && key[len - 1] == 's')
		len--;
	if (len >= sizeof noun)
		len = sizeof noun - 1;
	memcpy(noun, key, len);
	noun[len] = '\0';

	if (name != NULL && name->type == YAML_SCALAR_NODE && name->data.scalar.length > 0)
		append(buf, WHAT_SIZE, &o, "%s '%s'", noun,
		       quote(q, (const char *)name->data.scalar.value, name->data.scalar.length));
	else
		append(buf, WHAT_SIZE, &o, "%s %zu", noun, i + 1);
	if (list->owner != root_what)
		append(buf, WHAT_SIZE, &o, " of %s", list->owner);
}

static void field_what(char *buf, const char *owner, const char *key)
{
	size_t o = 0;

	if (owner == root_what)
		append(buf, WHAT_SIZE, &o, "'%s'", key);
	else
		append(buf, WHAT_SIZE, &o, "'%s' of %s", key, owner);
}

static void walk(struct loader *L, yaml_node_t *n, const cyaml_schema_value_t *s,
                 const struct place *at);

static void type_error(struct loader *L, yaml_node_t *n, const struct place *at,
                       const char *expected)
{
	char q[KIND_SIZE];

	if (at->what == root_what)
		diag_mark(L, n->start_mark, "a routine must be a mapping of keys such as name "
		          "and drills, found %s", node_kind(n, q));
	else
		diag_mark(L, n->start_mark, "%s must be %s, found %s", at->what, expected,
		          node_kind(n, q));
}

static void walk_mapping(struct loader *L, yaml_node_t *n, const cyaml_schema_field_t *fields,
                         const struct place *at)
{
	yaml_node_t *seen[MAX_FIELDS] = { 0 };
	bool hinted[MAX_FIELDS] = { false };
	size_t nf = field_count(fields);
	char q[QUOTE_SIZE], list[512];

	if (nf > MAX_FIELDS)
		nf = MAX_FIELDS;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node_get(L, p->key), *v = node_get(L, p->value);
		const char *ks, *hint;
		size_t klen, i;

		if (k->type != YAML_SCALAR_NODE) {
			char kq[KIND_SIZE];
			diag_mark(L, k->start_mark, "keys in %s must be plain names, found %s",
			          at->what, node_kind(k, kq));
			continue;
		}
		ks = (const char *)k->data.scalar.value;
		klen = k->data.scalar.length;
		for (i = 0; i < nf; i++)
			if (strlen(fields[i].key) == klen && memcmp(fields[i].key, ks, klen) == 0)
				break;
		if (i == nf) {
			hint = suggest(ks, klen, &fields[0].key, nf, sizeof fields[0]);
			for (size_t j = 0; hint != NULL && j < nf; j++)
				hinted[j] |= fields[j].key == hint;
			if (hint != NULL)
				diag_mark(L, k->start_mark, "unknown key '%s' in %s; did you mean '%s'?",
				          quote(q, ks, klen), at->what, hint);
			else
				diag_mark(L, k->start_mark, "unknown key '%s' in %s; expected one of: %s",
				          quote(q, ks, klen), at->what,
				          list_names(list, sizeof list, &fields[0].key, nf, sizeof fields[0]));
			continue;
		}
		if (seen[i] != NULL) {
			diag_mark(L, k->start_mark, "duplicate key '%s' in %s; it was first given on "
			          "line %zu", fields[i].key, at->what, seen[i]->start_mark.line + 1);
			continue;
		}
		seen[i] = k;

		char what[WHAT_SIZE];
		field_what(what, at->what, fields[i].key);
		struct place child = { .what = what, .owner = at->what, .key = fields[i].key };
		walk(L, v, &fields[i].value, &child);
	}
	for (size_t i = 0; i < nf; i++)
		/* A misspelt key already says what is missing. */
		if (seen[i] == NULL && !hinted[i] && !(fields[i].value.flags & CYAML_FLAG_OPTIONAL))
			diag_mark(L, n->start_mark, "%s is missing required key '%s'", at->what,
			          fields[i].key);
}

static void check_string(struct loader *L, yaml_node_t *n, const cyaml_schema_value_t *s,
                         const struct place *at)
{
	const unsigned char *v = n->data.scalar.value;
	size_t len = n->data.scalar.length, chars = 0;
	uint32_t bad = 0;
	bool has_bad = false;

	for (size_t i = 0; i < len;) {
		uint32_t c;
		size_t w = utf8_decode(v + i, len - i, &c);
		if (w == 0) {
			/* Escapes in quoted scalars always encode well; be safe anyway. */
			diag_mark(L, n->start_mark, "%s is not valid UTF-8 text", at->what);
			return;
		}
		if (is_control(c) && !has_bad) {
			has_bad = true;
			bad = c;
		}
		chars++;
		i += w;
	}
	if (has_bad)
		diag_mark(L, n->start_mark, "%s contains the control character U+%04X; only "
		          "tabs and line breaks are allowed in text", at->what, (unsigned)bad);
	if (chars < s->string.min) {
		if (chars == 0)
			diag_mark(L, n->start_mark, "%s is empty; it needs at least %u character%s",
			          at->what, (unsigned)s->string.min, s->string.min == 1 ? "" : "s");
		else
			diag_mark(L, n->start_mark, "%s is too short (%zu characters); it needs at "
			          "least %u", at->what, chars, (unsigned)s->string.min);
	}
	if (s->string.max != CYAML_UNLIMITED && chars > s->string.max / 4)
		diag_mark(L, n->start_mark, "%s is too long (%zu characters); at most %u are "
		          "allowed", at->what, chars, (unsigned)(s->string.max / 4));
}

static void check_enum(struct loader *L, yaml_node_t *n, const cyaml_schema_value_t *s,
                       const struct place *at)
{
	const char *v = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;
	const cyaml_strval_t *strs = s->enumeration.strings;
	char q[QUOTE_SIZE], list[512];
	const char *hint;

	for (size_t i = 0; i < s->enumeration.count; i++)
		if (strlen(strs[i].str) == len && memcmp(strs[i].str, v, len) == 0)
			return;
	list_names(list, sizeof list, &strs[0].str, s->enumeration.count, sizeof strs[0]);
	hint = s->enumeration.count > 1
	       ? suggest(v, len, &strs[0].str, s->enumeration.count, sizeof strs[0]) : NULL;
	if (hint != NULL)
		diag_mark(L, n->start_mark, "invalid value '%s' for %s: expected one of %s; "
		          "did you mean '%s'?", quote(q, v, len), at->what, list, hint);
	else
		diag_mark(L, n->start_mark, "invalid value '%s' for %s: expected %s%s",
		          quote(q, v, len), at->what, s->enumeration.count > 1 ? "one of " : "",
		          list);
}

static void walk_sequence(struct loader *L, yaml_node_t *n, const cyaml_schema_value_t *s,
                          const struct place *at)
{
	size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);

	if (count < s->sequence.min) {
		if (count == 0)
			diag_mark(L, n->start_mark, "%s is empty; it needs at least %u entr%s",
			          at->what, (unsigned)s->sequence.min, s->sequence.min == 1 ? "y" : "ies");
		else
			diag_mark(L, n->start_mark, "%s has %zu entries; it needs at least %u",
			          at->what, count, (unsigned)s->sequence.min);
	}
	if (s->sequence.max != CYAML_UNLIMITED && count > s->sequence.max)
		diag_mark(L, seq_get(L, n, s->sequence.max)->start_mark, "%s has %zu entries; at "
		          "most %u are allowed", at->what, count, (unsigned)s->sequence.max);
	for (size_t i = 0; i < count && !L->full && !L->nomem; i++) {
		yaml_node_t *e = seq_get(L, n, i);
		char what[WHAT_SIZE];
		entry_what(L, what, at, i, e);
		struct place child = { .what = what, .owner = at->what, .key = at->key };
		walk(L, e, s->sequence.entry, &child);
	}
}

/* The one message for a duration that does not parse, wherever it is found. */
static void duration_syntax_error(struct loader *L, yaml_node_t *n, const char *what,
                                  const char *raw, size_t len, enum duration_err err)
{
	char q[QUOTE_SIZE];

	diag_mark(L, n->start_mark, "invalid duration '%s' for %s: %s",
	          quote(q, raw, len), what, duration_strerror(err));
}

/* Every key of these names holds a duration, wherever it appears. */
static bool is_duration_key(const char *key)
{
	static const char *const keys[] = { "lead_in", "switch", "rest", "linger_every",
	                                    "duration", "every", "at" };

	for (size_t i = 0; key != NULL && i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(key, keys[i]) == 0)
			return true;
	return false;
}

/* Bad duration syntax is reported during the walk, beside any other problem
 * in the file, so a coach sees them all at once; ranges come later. */
static void check_duration_syntax(struct loader *L, yaml_node_t *n, const struct place *at)
{
	char raw[64];
	size_t len = n->data.scalar.length;
	enum duration_err err;
	uint64_t ms;

	if (len >= sizeof raw)
		err = DURATION_SYNTAX;
	else {
		memcpy(raw, n->data.scalar.value, len);
		raw[len] = '\0';
		err = duration_parse(raw, &ms);
	}
	if (err != DURATION_OK)
		duration_syntax_error(L, n, at->what, (const char *)n->data.scalar.value, len, err);
}

static void walk(struct loader *L, yaml_node_t *n, const cyaml_schema_value_t *s,
                 const struct place *at)
{
	switch (s->type) {
	case CYAML_MAPPING:
		if (n->type != YAML_MAPPING_NODE)
			type_error(L, n, at, "a mapping of keys");
		else
			walk_mapping(L, n, s->mapping.fields, at);
		break;
	case CYAML_SEQUENCE:
	case CYAML_SEQUENCE_FIXED:
		if (n->type != YAML_SEQUENCE_NODE)
			type_error(L, n, at, "a list");
		else
			walk_sequence(L, n, s, at);
		break;
	default:
		if (n->type != YAML_SCALAR_NODE)
			type_error(L, n, at, "a single value");
		else if (s->type == CYAML_STRING && is_duration_key(at->key))
			check_duration_syntax(L, n, at);
		else if (s->type == CYAML_STRING)
			check_string(L, n, s, at);
		else if (s->type == CYAML_ENUM)
			check_enum(L, n, s, at);
		break;
	}
}

/* --- Stage 4: libcyaml --- */

/* Caps what libcyaml may allocate; each block carries its size in front. */
struct budget {
	size_t used, cap;
};

static void *budget_mem(void *ctx, void *ptr, size_t size)
{
	struct budget *b = ctx;
	const size_t head = sizeof(max_align_t);
	size_t old = 0;
	unsigned char *base = NULL;

	if (ptr != NULL) {
		base = (unsigned char *)ptr - head;
		memcpy(&old, base, sizeof old);
	}
	if (size == 0) {
		free(base);
		b->used -= old;
		return NULL;
	}
	if (size > b->cap - (b->used - old) || size > SIZE_MAX - head)
		return NULL;
	base = realloc(base, head + size);
	if (base == NULL)
		return NULL;
	memcpy(base, &size, sizeof size);
	b->used = b->used - old + size;
	return base + head;
}

struct cyaml_log {
	char first[200];
};

static void cyaml_log_capture(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
	struct cyaml_log *log = ctx;

	(void)level;
	if (log->first[0] == '\0') {
		vsnprintf(log->first, sizeof log->first, fmt, args);
		log->first[strcspn(log->first, "\n")] = '\0';
	}
}

static cyaml_config_t cyaml_config(struct budget *b, struct cyaml_log *log)
{
	return (cyaml_config_t){
		.log_fn = cyaml_log_capture,
		.log_ctx = log,
		.mem_fn = budget_mem,
		.mem_ctx = b,
		.log_level = CYAML_LOG_ERROR,
		.flags = CYAML_CFG_NO_ALIAS,
	};
}

/* --- Stage 5: what the schema cannot say --- */

/* "1m30s", "10m", "0s": limits as a coach would write them. */
static const char *compact(char *buf, size_t size, uint64_t ms)
{
	uint64_t s = ms / 1000;
	unsigned h = (unsigned)(s / 3600), m = (unsigned)(s / 60 % 60), sec = (unsigned)(s % 60);
	size_t o = 0;

	buf[0] = '\0';
	if (h)
		append(buf, size, &o, "%uh", h);
	if (m)
		append(buf, size, &o, "%um", m);
	if (sec || s == 0)
		append(buf, size, &o, "%us", sec);
	return buf;
}

/*
 * Parses the duration under key in map (raw is its loaded text, NULL when
 * absent) and checks min..max. Returns true and sets *ms when it is valid;
 * leaves *ms alone when the key is absent.
 */
static bool check_duration(struct loader *L, yaml_node_t *map, const char *owner,
                           const char *key, const char *raw, uint64_t min, uint64_t max,
                           uint64_t *ms)
{
	char what[WHAT_SIZE], a[32], b[32], c[32];
	yaml_node_t *n;
	enum duration_err err;
	uint64_t v = 0;

	if (raw == NULL)
		return true;
	n = map_get(L, map, key, NULL);
	field_what(what, owner, key);
	err = duration_parse(raw, &v);
	if (err != DURATION_OK) {
		duration_syntax_error(L, n, what, raw, strlen(raw), err);
		return false;
	}
	if (v < min && max == UINT64_MAX) {
		diag_mark(L, n->start_mark, "%s is %s, which is too short: it must be at least %s",
		          what, compact(a, sizeof a, v), compact(b, sizeof b, min));
		return false;
	}
	if (v < min || v > max) {
		diag_mark(L, n->start_mark, "%s is %s, which is too %s: it must be from %s to %s",
		          what, compact(a, sizeof a, v), v < min ? "short" : "long",
		          compact(b, sizeof b, min), compact(c, sizeof c, max));
		return false;
	}
	*ms = v;
	return true;
}

static void check_prompt(struct loader *L, yaml_node_t *pn, const char *what,
                         const struct raw_prompt *p, uint64_t bout_ms, bool bout_ok)
{
	yaml_node_t *at_key = NULL, *every_key = NULL;
	char a[32], b[32];
	uint64_t v = 0;

	map_get(L, pn, "at", &at_key);
	map_get(L, pn, "every", &every_key);
	if (p->at != NULL && p->every != NULL) {
		yaml_node_t *later = at_key->start_mark.index > every_key->start_mark.index
		                     ? at_key : every_key;
		diag_mark(L, later->start_mark, "%s has both 'at' and 'every'; give exactly one: "
		          "'at' for once per bout, 'every' to repeat", what);
		return;
	}
	if (p->at == NULL && p->every == NULL) {
		diag_mark(L, pn->start_mark, "%s needs one of 'at' (once per bout) or 'every' "
		          "(repeating)", what);
		return;
	}

	const char *key = p->at != NULL ? "at" : "every";
	const char *raw = p->at != NULL ? p->at : p->every;
	if (!check_duration(L, pn, what, key, raw, PROMPT_MIN, UINT64_MAX, &v) || !bout_ok)
		return;
	if (v >= bout_ms) {
		yaml_node_t *n = map_get(L, pn, key, NULL);
		diag_mark(L, n->start_mark, "'%s' of %s is %s, not inside the %s bout: it must "
		          "be less than the drill's duration", key, what, compact(a, sizeof a, v),
		          compact(b, sizeof b, bout_ms));
	}
}

/* The checks libcyaml's schema cannot express, run on what it loaded; the
 * document gives each problem its position. */
static void check_semantics(struct loader *L, const struct raw_routine *raw, yaml_node_t *root)
{
	uint64_t lead_in = DEFAULT_LEAD_IN, sw = DEFAULT_SWITCH, rest = DEFAULT_REST;
	uint64_t linger = DEFAULT_LINGER, total;
	yaml_node_t *drills_key = NULL, *drills = map_get(L, root, "drills", &drills_key);
	bool ok = true;

	ok &= check_duration(L, root, root_what, "lead_in", raw->lead_in, 0, LEAD_IN_MAX, &lead_in);
	ok &= check_duration(L, root, root_what, "switch", raw->switch_, 0, SWITCH_MAX, &sw);
	ok &= check_duration(L, root, root_what, "rest", raw->rest, 0, REST_MAX, &rest);
	ok &= check_duration(L, root, root_what, "linger_every", raw->linger_every, 0,
	                     LINGER_MAX, &linger);
	total = lead_in;

	for (unsigned i = 0; i < raw->drills_count; i++) {
		const struct raw_drill *dr = &raw->drills[i];
		yaml_node_t *dn = seq_get(L, drills, i);
		struct place list = { .what = "'drills'", .owner = root_what, .key = "drills" };
		char what[WHAT_SIZE];
		uint64_t bout = 0, step = DEFAULT_STEP;
		bool bout_ok;

		entry_what(L, what, &list, i, dn);
		bout_ok = check_duration(L, dn, what, "duration", dr->duration, DRILL_MIN,
		                         DRILL_MAX, &bout);
		ok &= bout_ok;

		if (dr->sides_count == 2 && dr->sides[0] == dr->sides[1]) {
			yaml_node_t *second = seq_get(L, map_get(L, dn, "sides", NULL), 1);
			diag_mark(L, second->start_mark, "side '%s' is listed twice in %s; give "
			          "each side at most once", side_name(dr->sides[1]), what);
			ok = false;
		}
		if (dr->movement != NULL) {
			char mwhat[WHAT_SIZE];
			field_what(mwhat, what, "movement");
			ok &= check_duration(L, map_get(L, dn, "movement", NULL), mwhat, "every",
			                     dr->movement->every, STEP_MIN, STEP_MAX, &step);
		}
		yaml_node_t *prompts = map_get(L, dn, "prompts", NULL);
		for (unsigned j = 0; j < dr->prompts_count; j++) {
			yaml_node_t *pn = seq_get(L, prompts, j);
			struct place plist = { .what = NULL, .owner = what, .key = "prompts" };
			char pwhat[WHAT_SIZE];
			unsigned before = L->problems;
			entry_what(L, pwhat, &plist, j, pn);
			check_prompt(L, pn, pwhat, &dr->prompts[j], bout, bout_ok);
			ok &= L->problems == before;
		}
		unsigned bouts = dr->sides_count ? dr->sides_count : 1;
		total += bouts * bout + (bouts == 2 ? sw : 0) + (i + 1 < raw->drills_count ? rest : 0);
	}
	if (ok && total > ROUTINE_MAX_TOTAL_MS) {
		char t[32];
		duration_format(total, t, sizeof t);
		diag_mark(L, drills_key->start_mark, "the whole session lasts %s (lead-in, bouts, "
		          "switches and rests); the total must be at most 4:00:00", t);
	}
}

/* --- Stage 6: conversion --- */

static uint64_t duration_or(const char *s, uint64_t fallback)
{
	uint64_t v = fallback;
	if (s != NULL)
		duration_parse(s, &v);
	return v;
}

static bool dup_into(char **dst, const char *src)
{
	if (src == NULL) {
		*dst = NULL;
		return true;
	}
	*dst = strdup(src);
	return *dst != NULL;
}

static bool convert_drill(struct drill *d, const struct raw_drill *raw)
{
	if (!dup_into(&d->name, raw->name) || !dup_into(&d->cue, raw->cue))
		return false;
	d->duration_ms = duration_or(raw->duration, 0);
	d->n_sides = raw->sides_count;
	for (unsigned i = 0; i < raw->sides_count && i < 2; i++)
		d->sides[i] = raw->sides[i];
	d->step_ms = DEFAULT_STEP;
	if (raw->movement != NULL) {
		d->step_ms = duration_or(raw->movement->every, DEFAULT_STEP);
		d->steps = calloc(raw->movement->steps_count, sizeof *d->steps);
		if (d->steps == NULL)
			return false;
		for (unsigned i = 0; i < raw->movement->steps_count; i++) {
			if (!dup_into(&d->steps[i], raw->movement->steps[i]))
				return false;
			d->n_steps = i + 1;
		}
	}
	if (raw->prompts_count > 0) {
		d->prompts = calloc(raw->prompts_count, sizeof *d->prompts);
		if (d->prompts == NULL)
			return false;
		for (unsigned i = 0; i < raw->prompts_count; i++) {
			const struct raw_prompt *rp = &raw->prompts[i];
			struct prompt *p = &d->prompts[i];
			if (!dup_into(&p->text, rp->text))
				return false;
			d->n_prompts = i + 1;
			p->at_ms = duration_or(rp->at, 0);
			p->every_ms = duration_or(rp->every, 0);
		}
	}
	if (raw->equipment != NULL) {
		for (size_t e = 0; e < EQUIP__COUNT; e++) {
			const char *v;
			memcpy(&v, (const char *)raw->equipment + variant_offsets[e], sizeof v);
			if (!dup_into(&d->variant[e], v))
				return false;
		}
	}
	return true;
}

static struct routine *convert(const struct raw_routine *raw, const char *file)
{
	struct routine *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	if (!dup_into(&r->file, file) || !dup_into(&r->name, raw->name) ||
	    !dup_into(&r->description, raw->description) ||
	    !dup_into(&r->linger_text, raw->linger_text ? raw->linger_text : DEFAULT_LINGER_TEXT))
		goto fail;
	r->equipment = raw->equipment ? *raw->equipment : EQUIP_ROLLER;
	r->lead_in_ms = duration_or(raw->lead_in, DEFAULT_LEAD_IN);
	r->switch_ms = duration_or(raw->switch_, DEFAULT_SWITCH);
	r->rest_ms = duration_or(raw->rest, DEFAULT_REST);
	r->linger_every_ms = duration_or(raw->linger_every, DEFAULT_LINGER);
	r->drills = calloc(raw->drills_count, sizeof *r->drills);
	if (r->drills == NULL)
		goto fail;
	for (unsigned i = 0; i < raw->drills_count; i++) {
		r->n_drills = i + 1;
		if (!convert_drill(&r->drills[i], &raw->drills[i]))
			goto fail;
	}
	return r;
fail:
	routine_free(r);
	return NULL;
}

/* --- Entry points --- */

static enum routine_err finish(struct loader *L, enum routine_err err)
{
	if (L->have_doc)
		yaml_document_delete(&L->doc);
	L->have_doc = false;
	diags_sort(L->d, L->first);
	if (L->nomem)
		return ROUTINE_ERR_NOMEM;
	if (err == ROUTINE_OK && L->problems > 0)
		return ROUTINE_ERR_INVALID;
	return err;
}

static enum routine_err load(struct loader *L, const unsigned char *s, size_t n,
                             const char *file, struct routine **out)
{
	yaml_node_t *root;
	struct raw_routine *raw = NULL;
	struct budget budget = { .used = 0, .cap = MAX_CYAML_BYTES };
	struct cyaml_log log = { .first = "" };
	cyaml_config_t cfg = cyaml_config(&budget, &log);
	cyaml_err_t cerr;
	struct routine *r;

	if (n > ROUTINE_MAX_FILE_BYTES) {
		diag_at(L, 0, 0, "file is larger than 1 MiB (%zu bytes); a routine is far smaller", n);
		return finish(L, ROUTINE_ERR_INVALID);
	}
	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3;
		n -= 3;
	}
	if (!check_bytes(L, s, n) || !scan_events(L, s, n) || !load_document(L, s, n))
		return finish(L, ROUTINE_ERR_INVALID);

	root = yaml_document_get_root_node(&L->doc);
	if (root == NULL || (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0)) {
		diag_at(L, 1, 1, "file is empty: expected a routine with name and drills");
		return finish(L, ROUTINE_ERR_INVALID);
	}
	struct place top = { .what = root_what, .owner = NULL, .key = NULL };
	walk(L, root, &routine_schema, &top);
	if (L->problems > 0 || L->nomem)
		return finish(L, ROUTINE_ERR_INVALID);

	cerr = cyaml_load_data(s, n, &cfg, &routine_schema, (cyaml_data_t **)&raw, NULL);
	if (cerr == CYAML_ERR_OOM)
		L->nomem = true;
	if (cerr != CYAML_OK || raw == NULL) {
		/* The walk above should have caught anything libcyaml refuses. */
		diag_mark(L, root->start_mark, "internal error: libcyaml refused the routine (%s%s%s)",
		          cyaml_strerror(cerr), log.first[0] ? ": " : "", log.first);
		return finish(L, ROUTINE_ERR_INVALID);
	}
	check_semantics(L, raw, root);
	if (L->problems == 0 && !L->nomem) {
		r = convert(raw, file);
		if (r == NULL)
			L->nomem = true;
		else
			*out = r;
	}
	cyaml_free(&cfg, &routine_schema, raw, 0);
	return finish(L, ROUTINE_OK);
}

enum routine_err routine_load_data(const char *data, size_t len, const char *file,
                                   struct routine **out, struct diags *d)
{
	struct diags local = { 0 };
	struct loader L = { .d = d ? d : &local };
	enum routine_err err;

	L.first = L.d->n;
	err = load(&L, (const unsigned char *)data, len, file, out);
	diags_free(&local);
	return err;
}

static const char *file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "a special file";
}

enum routine_err routine_load(const char *path, struct routine **out, struct diags *d)
{
	struct diags local = { 0 };
	struct loader L = { .d = d ? d : &local };
	enum routine_err err = ROUTINE_OK;
	unsigned char *buf = NULL;
	size_t len = 0;
	struct stat st;
	int fd;

	L.first = L.d->n;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		diag_at(&L, 0, 0, "%s", strerror(errno));
		err = ROUTINE_ERR_NOT_FOUND;
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		diag_at(&L, 0, 0, "%s", strerror(errno));
		err = ROUTINE_ERR_IO;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		diag_at(&L, 0, 0, "not a regular file (%s): a routine must be a regular file",
		        file_kind(st.st_mode));
		err = ROUTINE_ERR_INVALID;
		goto out;
	}
	if (st.st_size > ROUTINE_MAX_FILE_BYTES) {
		diag_at(&L, 0, 0, "file is larger than 1 MiB (%lld bytes); a routine is far "
		        "smaller", (long long)st.st_size);
		err = ROUTINE_ERR_INVALID;
		goto out;
	}
	/* One byte more than the cap shows a file that grew after fstat. */
	buf = malloc(ROUTINE_MAX_FILE_BYTES + 1);
	if (buf == NULL) {
		err = ROUTINE_ERR_NOMEM;
		goto out;
	}
	while (len < ROUTINE_MAX_FILE_BYTES + 1) {
		ssize_t got = read(fd, buf + len, ROUTINE_MAX_FILE_BYTES + 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			diag_at(&L, 0, 0, "read error: %s", strerror(errno));
			err = ROUTINE_ERR_IO;
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	fd = -1;
	err = routine_load_data((const char *)buf, len, path, out, L.d);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	if (L.nomem)
		err = ROUTINE_ERR_NOMEM;
	diags_free(&local);
	return err;
}

void routine_free(struct routine *r)
{
	if (r == NULL)
		return;
	for (unsigned i = 0; i < r->n_drills; i++) {
		struct drill *d = &r->drills[i];
		free(d->name);
		free(d->cue);
		for (unsigned j = 0; j < d->n_steps; j++)
			free(d->steps[j]);
		free(d->steps);
		for (unsigned j = 0; j < d->n_prompts; j++)
			free(d->prompts[j].text);
		free(d->prompts);
		for (size_t e = 0; e < EQUIP__COUNT; e++)
			free(d->variant[e]);
	}
	free(r->drills);
	free(r->file);
	free(r->name);
	free(r->description);
	free(r->linger_text);
	free(r);
}

const char *equipment_name(enum equipment e)
{
	for (size_t i = 0; i < COUNT(equipment_strings); i++)
		if (equipment_strings[i].val == (int64_t)e)
			return equipment_strings[i].str;
	return NULL;
}

int equipment_parse(const char *s)
{
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < COUNT(equipment_strings); i++)
		if (strcmp(equipment_strings[i].str, s) == 0)
			return (int)equipment_strings[i].val;
	return -1;
}

const char *side_name(enum side s)
{
	for (size_t i = 0; i < COUNT(side_strings); i++)
		if (side_strings[i].val == (int64_t)s)
			return side_strings[i].str;
	return NULL;
}
