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
 *     it also notes the document's shape: entries per list, entry names;
 *  3. the events walked again alongside libcyaml's schema tables, which
 *     gives exact marks for unknown keys, types, counts and enums;
 *  4. libcyaml fills the raw structs (it can no longer fail on content);
 *  5. checks the schema cannot express (durations, limits, the total);
 *     when one fails, the walk runs again to note every value's mark;
 *  6. conversion into struct routine with every default applied, taking
 *     over libcyaml's strings.
 * libcyaml on its own reports the last node it reached, not the mistake,
 * which is why stages 2, 3 and 5 read libyaml's events themselves. No
 * stage builds a whole libyaml document: a 1 MiB file would be held in
 * memory several times over.
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
	char *linger_every;
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
	CYAML_FIELD_STRING_PTR("linger_every", OPT, struct raw_drill, linger_every,
	                       0, CYAML_UNLIMITED),
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

/*
 * What the scan learns for the walk, which meets each list before its
 * entries and each entry before its keys: how many entries every sequence
 * has, and the name each list entry gives itself (its first 'name' key).
 */
struct shape {
	uint32_t *counts;       /* by sequence number */
	size_t n_counts, cap_counts;
	uint32_t *names;        /* by entry number: 1 + offset in text, or 0 */
	size_t n_names, cap_names;
	char *text;             /* the names, quoted for messages, each NUL-ended */
	size_t n_text, cap_text;
};

/*
 * Where the walk puts positions when asked to: a slot per value, and for a
 * mapping one slot per schema field (in the schema's order; 0 lines for
 * absent keys) or for a sequence one per entry, numbered from kids. Lines
 * and columns are 1-based. check_semantics reads it.
 */
struct slot {
	uint32_t line, col;
	uint32_t key_line, key_col;     /* the key's, for a mapping's value */
	uint32_t kids, n_kids;
};

struct marks {
	struct slot *v;
	size_t n, cap;
};

struct loader {
	struct diags *d;
	size_t first;           /* index in d of this load's first diag */
	unsigned problems;
	bool full;              /* MAX_DIAGS reached: further problems dropped */
	bool nomem;
	bool counting;          /* problems are counted, not reported */
	yaml_mark_t root;       /* the document's root node */
	struct shape shape;
	struct marks marks;
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

	if (L->counting) {
		L->problems++;
		return;
	}
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

/* Shared by every pass that reads events: the stream cannot nest deeper. */
static void too_deep(struct loader *L, yaml_mark_t m)
{
	diag_mark(L, m, "nesting deeper than %d levels: a routine needs far fewer", MAX_DEPTH);
}

#define NONE UINT32_MAX

/* One open mapping or sequence. */
struct frame {
	bool seq;
	bool key_next;          /* in a mapping: the next node is a key */
	bool name_key;          /* scan: this key is the entry's first 'name' */
	bool named;             /* scan: the entry's first 'name' key was seen */
	uint32_t id;            /* see struct events */
};

/*
 * The event stream with each node's place in it: whether it is a key, and
 * a number for each sequence and for each mapping that is a list entry,
 * counted in document order, so that a later pass finds what the scan
 * recorded about the same node.
 */
struct events {
	yaml_parser_t p;
	yaml_event_t e;
	bool have;              /* e holds an event */
	struct frame stack[MAX_DEPTH + 1];
	unsigned depth;
	struct frame *parent;   /* the current node's container; NULL for the root */
	bool is_key;            /* the current node is a key of parent */
	uint32_t id;            /* the current node's sequence or entry number, or NONE */
	uint32_t seqs, entries;
};

static bool events_open(struct loader *L, struct events *E, const unsigned char *s, size_t n)
{
	memset(E, 0, sizeof *E);
	if (!yaml_parser_initialize(&E->p)) {
		L->nomem = true;
		return false;
	}
	yaml_parser_set_input_string(&E->p, s, n);
	return true;
}

static void events_close(struct events *E)
{
	if (E->have)
		yaml_event_delete(&E->e);
	E->have = false;
	yaml_parser_delete(&E->p);
}

static bool starts_node(yaml_event_type_t t)
{
	return t == YAML_SCALAR_EVENT || t == YAML_ALIAS_EVENT ||
	       t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT;
}

/* The next event into E->e; false after a syntax error or when out of memory. */
static bool events_next(struct loader *L, struct events *E, const unsigned char *s, size_t n)
{
	yaml_event_type_t t;

	if (E->have)
		yaml_event_delete(&E->e);
	E->have = false;
	if (!yaml_parser_parse(&E->p, &E->e)) {
		if (E->p.error == YAML_MEMORY_ERROR)
			L->nomem = true;
		else
			syntax_error(L, &E->p, s, n);
		return false;
	}
	E->have = true;
	t = E->e.type;
	E->parent = NULL;
	E->is_key = false;
	E->id = NONE;
	if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
		E->depth--;
		return true;
	}
	if (!starts_node(t))
		return true;
	if (E->depth > 0) {
		E->parent = &E->stack[E->depth - 1];
		if (!E->parent->seq) {
			E->is_key = E->parent->key_next;
			E->parent->key_next = !E->parent->key_next;
		}
	}
	if (t == YAML_SEQUENCE_START_EVENT)
		E->id = E->seqs++;
	else if (t == YAML_MAPPING_START_EVENT && E->parent != NULL && E->parent->seq)
		E->id = E->entries++;
	if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
		/* The scan stops at the first level past MAX_DEPTH, so this
		 * only guards the stack. */
		if (E->depth == COUNT(E->stack)) {
			too_deep(L, E->e.start_mark);
			return false;
		}
		E->stack[E->depth++] = (struct frame){
			.seq = t == YAML_SEQUENCE_START_EVENT, .key_next = true, .id = E->id,
		};
	}
	return true;
}

static bool reserve(void **v, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return true;
	while (c < need)
		c *= 2;
	p = realloc(*v, c * size);
	if (p == NULL)
		return false;
	*v = p;
	*cap = c;
	return true;
}

static bool push_u32(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
	void *p = *v;

	if (!reserve(&p, cap, *n + 1, sizeof **v))
		return false;
	*v = p;
	(*v)[(*n)++] = x;
	return true;
}

static void shape_free(struct shape *S)
{
	free(S->counts);
	free(S->names);
	free(S->text);
	memset(S, 0, sizeof *S);
}

/* The quoted name of entry number id, or NULL when it has none. */
static const char *shape_name(const struct shape *S, uint32_t id)
{
	if (id == NONE || id >= S->n_names || S->names[id] == 0)
		return NULL;
	return S->text + S->names[id] - 1;
}

static bool shape_note(struct shape *S, struct events *E)
{
	const yaml_event_t *e = &E->e;
	struct frame *up = E->parent;

	if (!starts_node(e->type))
		return true;
	if (up != NULL && up->seq)
		S->counts[up->id]++;
	if (e->type == YAML_SEQUENCE_START_EVENT &&
	    !push_u32(&S->counts, &S->n_counts, &S->cap_counts, 0))
		return false;
	if (e->type == YAML_MAPPING_START_EVENT && E->id != NONE &&
	    !push_u32(&S->names, &S->n_names, &S->cap_names, 0))
		return false;
	if (up == NULL || up->seq || up->id == NONE)
		return true;
	if (E->is_key) {
		up->name_key = !up->named && e->type == YAML_SCALAR_EVENT &&
		               e->data.scalar.length == 4 &&
		               memcmp(e->data.scalar.value, "name", 4) == 0;
		up->named |= up->name_key;
	} else if (up->name_key) {
		up->name_key = false;
		if (e->type == YAML_SCALAR_EVENT && e->data.scalar.length > 0) {
			char q[QUOTE_SIZE];
			size_t len = strlen(quote(q, (const char *)e->data.scalar.value,
			                          e->data.scalar.length)) + 1;
			void *p = S->text;
			if (!reserve(&p, &S->cap_text, S->n_text + len, 1))
				return false;
			S->text = p;
			memcpy(S->text + S->n_text, q, len);
			S->names[up->id] = (uint32_t)S->n_text + 1;
			S->n_text += len;
		}
	}
	return true;
}

/*
 * Walks the event stream once before anything is built, so that alias
 * bombs, absurd nesting and huge node counts stop here, cheaply, and
 * records the document's shape for the walk. Returns true when the
 * document may be walked.
 */
static bool scan_events(struct loader *L, struct shape *S, const unsigned char *s, size_t n)
{
	struct events E;
	unsigned nodes = 0, documents = 0;
	bool ok = true, done = false;
	char q[QUOTE_SIZE];

	if (!events_open(L, &E, s, n))
		return false;
	while (!done) {
		const yaml_event_t *e = &E.e;
		const yaml_char_t *anchor;

		if (!events_next(L, &E, s, n)) {
			ok = false;
			break;
		}
		/* Only a document that passes is walked. */
		if (ok && !shape_note(S, &E)) {
			L->nomem = true;
			ok = false;
			break;
		}
		switch (e->type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1) {
				diag_mark(L, e->start_mark, "a second YAML document: a routine file "
				          "holds exactly one");
				ok = false;
				done = true;
			}
			break;
		case YAML_ALIAS_EVENT:
			diag_mark(L, e->start_mark, "alias '*%s': aliases and anchors are not "
			          "supported; write the value out in full",
			          quote(q, (const char *)e->data.alias.anchor,
			                strlen((const char *)e->data.alias.anchor)));
			ok = false;
			nodes++;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (E.depth > MAX_DEPTH) {
				too_deep(L, e->start_mark);
				ok = false;
				done = true;
			}
			/* fall through */
		case YAML_SCALAR_EVENT:
			anchor = event_anchor(e);
			if (anchor != NULL) {
				diag_mark(L, e->start_mark, "anchor '&%s': aliases and anchors are "
				          "not supported; write the value out in full",
				          quote(q, (const char *)anchor, strlen((const char *)anchor)));
				ok = false;
			}
			if (++nodes > MAX_NODES && !done) {
				diag_mark(L, e->start_mark, "more than %d YAML values: a routine "
				          "needs far fewer", MAX_NODES);
				ok = false;
				done = true;
			}
			break;
		default:
			break;
		}
	}
	events_close(&E);
	if (ok && documents == 0) {
		diag_at(L, 1, 1, "file is empty: expected a routine with name and drills");
		ok = false;
	}
	return ok;
}

/* "a mapping", "a list", "nothing" or the quoted value, for "found ..." in
 * messages; q must hold KIND_SIZE bytes. */
#define KIND_SIZE (QUOTE_SIZE + 2)
static const char *node_kind(const yaml_event_t *e, char *q)
{
	char inner[QUOTE_SIZE];
	size_t o = 0;

	switch (e->type) {
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	case YAML_SCALAR_EVENT:
		if (e->data.scalar.length == 0)
			return "nothing";
		append(q, KIND_SIZE, &o, "'%s'",
		       quote(inner, (const char *)e->data.scalar.value, e->data.scalar.length));
		return q;
	default:
		return "something else";
	}
}

/* --- Stage 3: the events against the schema --- */

#define WHAT_SIZE 256

/* How a value is named in messages: "'duration' of drill 'Calf'". */
struct place {
	const char *what;
	const char *owner;      /* the mapping holding the value */
	const char *key;        /* the key naming it, or NULL */
};

/* Adds count zeroed slots; returns the first's index, or NONE. */
static uint32_t marks_add(struct loader *L, struct marks *M, size_t count)
{
	void *p = M->v;
	size_t first = M->n;

	if (count > UINT32_MAX - 1 - M->n || !reserve(&p, &M->cap, M->n + count, sizeof *M->v)) {
		L->nomem = true;
		return NONE;
	}
	M->v = p;
	memset(M->v + first, 0, count * sizeof *M->v);
	M->n += count;
	return (uint32_t)first;
}

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
 * by its key's singular and by its own name (already quoted) when it has one. */
static void entry_what(char *buf, const struct place *list, size_t i, const char *name)
{
	char noun[64];
	const char *key = list->key ? list->key : "entry";
	size_t len = strlen(key);
	size_t o = 0;

	if (len > 1 && key[len - 1] == 's')
		len--;
	if (len >= sizeof noun)
		len = sizeof noun - 1;
	memcpy(noun, key, len);
	noun[len] = '\0';

	if (name != NULL)
		append(buf, WHAT_SIZE, &o, "%s '%s'", noun, name);
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

/*
 * The walk reads the events of the one document in order, the schema in
 * hand, and reports what libcyaml would refuse (or report at the wrong
 * place) with the mark of the event at fault. Each function is called on
 * the event that starts its node and consumes the node's last event; each
 * returns false only when the stream cannot be read further.
 */
struct walker {
	struct loader *L;
	struct events E;
	const struct shape *S;
	struct marks *M;        /* where to note positions, or NULL */
	const unsigned char *s;
	size_t n;
};

static bool next(struct walker *W)
{
	return events_next(W->L, &W->E, W->s, W->n);
}

/* Consumes the rest of the node the current event starts. */
static bool skip(struct walker *W)
{
	unsigned depth = W->E.depth;
	yaml_event_type_t t = W->E.e.type;

	if (t != YAML_SEQUENCE_START_EVENT && t != YAML_MAPPING_START_EVENT)
		return true;
	while (W->E.depth >= depth)
		if (!next(W))
			return false;
	return true;
}

static void note(struct walker *W, uint32_t slot, yaml_mark_t m)
{
	if (slot != NONE) {
		W->M->v[slot].line = (uint32_t)m.line + 1;
		W->M->v[slot].col = (uint32_t)m.column + 1;
	}
}

static bool walk(struct walker *W, const cyaml_schema_value_t *s, const struct place *at,
                 uint32_t slot);

static void type_error(struct loader *L, const yaml_event_t *e, const struct place *at,
                       const char *expected)
{
	char q[KIND_SIZE];

	if (at->what == root_what)
		diag_mark(L, e->start_mark, "a routine must be a mapping of keys such as name "
		          "and drills, found %s", node_kind(e, q));
	else
		diag_mark(L, e->start_mark, "%s must be %s, found %s", at->what, expected,
		          node_kind(e, q));
}

static bool walk_mapping(struct walker *W, const cyaml_schema_field_t *fields,
                         const struct place *at, uint32_t slot)
{
	struct loader *L = W->L;
	const yaml_event_t *e = &W->E.e;
	yaml_mark_t start = e->start_mark, seen[MAX_FIELDS];
	bool found[MAX_FIELDS] = { false }, hinted[MAX_FIELDS] = { false };
	size_t nf = field_count(fields);
	uint32_t kids = NONE;
	char q[QUOTE_SIZE], list[512];

	if (nf > MAX_FIELDS)
		nf = MAX_FIELDS;
	if (slot != NONE) {
		kids = marks_add(L, W->M, nf);
		W->M->v[slot].kids = kids == NONE ? 0 : kids;
		W->M->v[slot].n_kids = kids == NONE ? 0 : (uint32_t)nf;
	}
	for (;;) {
		const char *ks, *hint;
		size_t klen, i;

		if (!next(W))
			return false;
		if (e->type == YAML_MAPPING_END_EVENT)
			break;
		if (e->type != YAML_SCALAR_EVENT) {
			char kq[KIND_SIZE];
			diag_mark(L, e->start_mark, "keys in %s must be plain names, found %s",
			          at->what, node_kind(e, kq));
			if (!skip(W) || !next(W) || !skip(W))
				return false;
			continue;
		}
		ks = (const char *)e->data.scalar.value;
		klen = e->data.scalar.length;
		for (i = 0; i < nf; i++)
			if (strlen(fields[i].key) == klen && memcmp(fields[i].key, ks, klen) == 0)
				break;
		if (i == nf) {
			hint = suggest(ks, klen, &fields[0].key, nf, sizeof fields[0]);
			for (size_t j = 0; hint != NULL && j < nf; j++)
				hinted[j] |= fields[j].key == hint;
			if (hint != NULL)
				diag_mark(L, e->start_mark, "unknown key '%s' in %s; did you mean '%s'?",
				          quote(q, ks, klen), at->what, hint);
			else
				diag_mark(L, e->start_mark, "unknown key '%s' in %s; expected one of: %s",
				          quote(q, ks, klen), at->what,
				          list_names(list, sizeof list, &fields[0].key, nf, sizeof fields[0]));
			if (!next(W) || !skip(W))
				return false;
			continue;
		}
		if (found[i]) {
			diag_mark(L, e->start_mark, "duplicate key '%s' in %s; it was first given on "
			          "line %zu", fields[i].key, at->what, seen[i].line + 1);
			if (!next(W) || !skip(W))
				return false;
			continue;
		}
		found[i] = true;
		seen[i] = e->start_mark;
		if (kids != NONE) {
			W->M->v[kids + i].key_line = (uint32_t)e->start_mark.line + 1;
			W->M->v[kids + i].key_col = (uint32_t)e->start_mark.column + 1;
		}

		char what[WHAT_SIZE];
		field_what(what, at->what, fields[i].key);
		struct place child = { .what = what, .owner = at->what, .key = fields[i].key };
		uint32_t kid = kids == NONE ? NONE : kids + (uint32_t)i;
		if (!next(W) || !walk(W, &fields[i].value, &child, kid))
			return false;
	}
	for (size_t i = 0; i < nf; i++)
		/* A misspelt key already says what is missing. */
		if (!found[i] && !hinted[i] && !(fields[i].value.flags & CYAML_FLAG_OPTIONAL))
			diag_mark(L, start, "%s is missing required key '%s'", at->what,
			          fields[i].key);
	return true;
}

static void check_string(struct loader *L, const yaml_event_t *e, const cyaml_schema_value_t *s,
                         const struct place *at)
{
	const unsigned char *v = e->data.scalar.value;
	size_t len = e->data.scalar.length, chars = 0;
	uint32_t bad = 0;
	bool has_bad = false;

	for (size_t i = 0; i < len;) {
		uint32_t c;
		size_t w = utf8_decode(v + i, len - i, &c);
		if (w == 0) {
			/* Escapes in quoted scalars always encode well; be safe anyway. */
			diag_mark(L, e->start_mark, "%s is not valid UTF-8 text", at->what);
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
		diag_mark(L, e->start_mark, "%s contains the control character U+%04X; only "
		          "tabs and line breaks are allowed in text", at->what, (unsigned)bad);
	if (chars < s->string.min) {
		if (chars == 0)
			diag_mark(L, e->start_mark, "%s is empty; it needs at least %u character%s",
			          at->what, (unsigned)s->string.min, s->string.min == 1 ? "" : "s");
		else
			diag_mark(L, e->start_mark, "%s is too short (%zu characters); it needs at "
			          "least %u", at->what, chars, (unsigned)s->string.min);
	}
	if (s->string.max != CYAML_UNLIMITED && chars > s->string.max / 4)
		diag_mark(L, e->start_mark, "%s is too long (%zu characters); at most %u are "
		          "allowed", at->what, chars, (unsigned)(s->string.max / 4));
}

static void check_enum(struct loader *L, const yaml_event_t *e, const cyaml_schema_value_t *s,
                       const struct place *at)
{
	const char *v = (const char *)e->data.scalar.value;
	size_t len = e->data.scalar.length;
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
		diag_mark(L, e->start_mark, "invalid value '%s' for %s: expected one of %s; "
		          "did you mean '%s'?", quote(q, v, len), at->what, list, hint);
	else
		diag_mark(L, e->start_mark, "invalid value '%s' for %s: expected %s%s",
		          quote(q, v, len), at->what, s->enumeration.count > 1 ? "one of " : "",
		          list);
}

static bool walk_sequence(struct walker *W, const cyaml_schema_value_t *s,
                          const struct place *at, uint32_t slot)
{
	struct loader *L = W->L;
	const yaml_event_t *e = &W->E.e;
	size_t count = W->S->counts[W->E.id], late = SIZE_MAX;
	uint32_t kids = NONE;

	if (count < s->sequence.min) {
		if (count == 0)
			diag_mark(L, e->start_mark, "%s is empty; it needs at least %u entr%s",
			          at->what, (unsigned)s->sequence.min, s->sequence.min == 1 ? "y" : "ies");
		else
			diag_mark(L, e->start_mark, "%s has %zu entries; it needs at least %u",
			          at->what, count, (unsigned)s->sequence.min);
	}
	if (s->sequence.max != CYAML_UNLIMITED && count > s->sequence.max) {
		/* Reported here, in the order of a walk over a built document;
		 * the entry it points at comes later. */
		bool kept = !L->full && !L->nomem && L->problems < MAX_DIAGS;
		size_t before = L->d->n;
		diag_at(L, 0, 0, "%s has %zu entries; at most %u are allowed", at->what, count,
		        (unsigned)s->sequence.max);
		if (kept && L->d->n > before)
			late = before;
	}
	if (slot != NONE) {
		kids = marks_add(L, W->M, count);
		W->M->v[slot].kids = kids == NONE ? 0 : kids;
		W->M->v[slot].n_kids = kids == NONE ? 0 : (uint32_t)count;
	}
	for (size_t i = 0;; i++) {
		if (!next(W))
			return false;
		if (e->type == YAML_SEQUENCE_END_EVENT)
			break;
		if (late != SIZE_MAX && i == s->sequence.max) {
			L->d->v[late].line = (unsigned)e->start_mark.line + 1;
			L->d->v[late].col = (unsigned)e->start_mark.column + 1;
		}
		if (L->full || L->nomem || i >= count) {
			if (!skip(W))
				return false;
			continue;
		}
		char what[WHAT_SIZE];
		entry_what(what, at, i, e->type == YAML_MAPPING_START_EVENT
		                        ? shape_name(W->S, W->E.id) : NULL);
		struct place child = { .what = what, .owner = at->what, .key = at->key };
		if (!walk(W, s->sequence.entry, &child, kids == NONE ? NONE : kids + (uint32_t)i))
			return false;
	}
	return true;
}

/* The one message for a duration that does not parse, wherever it is found;
 * line and col are 1-based. */
static void duration_syntax_error(struct loader *L, unsigned line, unsigned col,
                                  const char *what, const char *raw, size_t len,
                                  enum duration_err err)
{
	char q[QUOTE_SIZE];

	diag_at(L, line, col, "invalid duration '%s' for %s: %s",
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
static void check_duration_syntax(struct loader *L, const yaml_event_t *e, const struct place *at)
{
	char raw[64];
	size_t len = e->data.scalar.length;
	enum duration_err err;
	uint64_t ms;

	if (len >= sizeof raw)
		err = DURATION_SYNTAX;
	else {
		memcpy(raw, e->data.scalar.value, len);
		raw[len] = '\0';
		err = duration_parse(raw, &ms);
	}
	if (err != DURATION_OK)
		duration_syntax_error(L, (unsigned)e->start_mark.line + 1,
		                      (unsigned)e->start_mark.column + 1, at->what,
		                      (const char *)e->data.scalar.value, len, err);
}

static bool walk(struct walker *W, const cyaml_schema_value_t *s, const struct place *at,
                 uint32_t slot)
{
	const yaml_event_t *e = &W->E.e;

	note(W, slot, e->start_mark);
	switch (s->type) {
	case CYAML_MAPPING:
		if (e->type == YAML_MAPPING_START_EVENT)
			return walk_mapping(W, s->mapping.fields, at, slot);
		type_error(W->L, e, at, "a mapping of keys");
		return skip(W);
	case CYAML_SEQUENCE:
	case CYAML_SEQUENCE_FIXED:
		if (e->type == YAML_SEQUENCE_START_EVENT)
			return walk_sequence(W, s, at, slot);
		type_error(W->L, e, at, "a list");
		return skip(W);
	default:
		if (e->type != YAML_SCALAR_EVENT) {
			type_error(W->L, e, at, "a single value");
			return skip(W);
		}
		if (s->type == CYAML_STRING && is_duration_key(at->key))
			check_duration_syntax(W->L, e, at);
		else if (s->type == CYAML_STRING)
			check_string(W->L, e, s, at);
		else if (s->type == CYAML_ENUM)
			check_enum(W->L, e, s, at);
		return true;
	}
}

/*
 * Walks the document against routine_schema; with M, also notes where every
 * value the schema knows is, the root in slot 0. Returns false when the
 * walk could not run to the end (no memory, or an empty document, reported).
 */
static bool walk_document(struct loader *L, const struct shape *S, struct marks *M,
                          const unsigned char *s, size_t n)
{
	struct walker W = { .L = L, .S = S, .M = M, .s = s, .n = n };
	struct place top = { .what = root_what, .owner = NULL, .key = NULL };
	uint32_t root = NONE;
	bool ok;

	if (!events_open(L, &W.E, s, n))
		return false;
	/* The scan saw one document: stream start, document start, its root. */
	do
		ok = next(&W);
	while (ok && !starts_node(W.E.e.type));
	if (ok && W.E.e.type == YAML_SCALAR_EVENT && W.E.e.data.scalar.length == 0) {
		diag_at(L, 1, 1, "file is empty: expected a routine with name and drills");
		ok = false;
	}
	if (ok) {
		L->root = W.E.e.start_mark;
		if (M != NULL && (root = marks_add(L, M, 1)) == NONE)
			ok = false;
	}
	ok = ok && walk(&W, &routine_schema, &top, root);
	events_close(&W.E);
	return ok && !L->nomem;
}

/* --- Stage 4: libcyaml --- */

/*
 * Caps what libcyaml may ask for. Every request counts and nothing is given
 * back, so its blocks need no size in front and stay plain malloc() blocks
 * that convert() can take over; the walk has bounded what a routine can ask
 * for far below the cap.
 */
struct budget {
	size_t used, cap;
};

static void *budget_mem(void *ctx, void *ptr, size_t size)
{
	struct budget *b = ctx;
	void *p;

	if (size == 0) {
		free(ptr);
		return NULL;
	}
	if (size > b->cap - b->used)
		return NULL;
	p = realloc(ptr, size);
	if (p != NULL)
		b->used += size;
	return p;
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
 * Positions for check_semantics, found in the marks the walk noted. With no
 * marks (the first, silent run) every lookup gives NULL, and diag_at only
 * counts.
 */
static const struct slot *slot_field(const struct marks *M, const struct slot *map,
                                     const cyaml_schema_field_t *fields, const char *key)
{
	if (M == NULL || map == NULL)
		return NULL;
	for (uint32_t i = 0; i < map->n_kids && fields[i].key != NULL; i++)
		if (strcmp(fields[i].key, key) == 0)
			return M->v[map->kids + i].line != 0 ? &M->v[map->kids + i] : NULL;
	return NULL;
}

static const struct slot *slot_entry(const struct marks *M, const struct slot *seq, size_t i)
{
	if (M == NULL || seq == NULL || i >= seq->n_kids)
		return NULL;
	return &M->v[seq->kids + i];
}

/* The later of two keys in the file. */
static const struct slot *later_key(const struct slot *a, const struct slot *b)
{
	if (a == NULL || b == NULL)
		return a ? a : b;
	return a->key_line > b->key_line || (a->key_line == b->key_line && a->key_col > b->key_col)
	       ? a : b;
}

#define diag_slot(L, sl, ...) \
	diag_at((L), (sl) ? (sl)->line : 0, (sl) ? (sl)->col : 0, __VA_ARGS__)
#define diag_key(L, sl, ...) \
	diag_at((L), (sl) ? (sl)->key_line : 0, (sl) ? (sl)->key_col : 0, __VA_ARGS__)

/*
 * Parses the duration under key in map (raw is its loaded text, NULL when
 * absent) and checks min..max. Returns true and sets *ms when it is valid;
 * leaves *ms alone when the key is absent.
 */
static bool check_duration(struct loader *L, const struct marks *M, const struct slot *map,
                           const cyaml_schema_field_t *fields, const char *owner,
                           const char *key, const char *raw, uint64_t min, uint64_t max,
                           uint64_t *ms)
{
	char what[WHAT_SIZE], a[32], b[32], c[32];
	const struct slot *n;
	enum duration_err err;
	uint64_t v = 0;

	if (raw == NULL)
		return true;
	n = slot_field(M, map, fields, key);
	field_what(what, owner, key);
	err = duration_parse(raw, &v);
	if (err != DURATION_OK) {
		duration_syntax_error(L, n ? n->line : 0, n ? n->col : 0, what, raw, strlen(raw),
		                      err);
		return false;
	}
	if (v < min && max == UINT64_MAX) {
		diag_slot(L, n, "%s is %s, which is too short: it must be at least %s",
		          what, compact(a, sizeof a, v), compact(b, sizeof b, min));
		return false;
	}
	if (v < min || v > max) {
		diag_slot(L, n, "%s is %s, which is too %s: it must be from %s to %s",
		          what, compact(a, sizeof a, v), v < min ? "short" : "long",
		          compact(b, sizeof b, min), compact(c, sizeof c, max));
		return false;
	}
	*ms = v;
	return true;
}

static void check_prompt(struct loader *L, const struct marks *M, const struct slot *pn,
                         const char *what, const struct raw_prompt *p, uint64_t bout_ms,
                         bool bout_ok)
{
	const struct slot *at = slot_field(M, pn, prompt_fields, "at");
	const struct slot *every = slot_field(M, pn, prompt_fields, "every");
	char a[32], b[32];
	uint64_t v = 0;

	if (p->at != NULL && p->every != NULL) {
		diag_key(L, later_key(at, every), "%s has both 'at' and 'every'; give exactly "
		         "one: 'at' for once per bout, 'every' to repeat", what);
		return;
	}
	if (p->at == NULL && p->every == NULL) {
		diag_slot(L, pn, "%s needs one of 'at' (once per bout) or 'every' "
		          "(repeating)", what);
		return;
	}

	const char *key = p->at != NULL ? "at" : "every";
	const char *raw = p->at != NULL ? p->at : p->every;
	if (!check_duration(L, M, pn, prompt_fields, what, key, raw, PROMPT_MIN, UINT64_MAX, &v) ||
	    !bout_ok)
		return;
	if (v >= bout_ms)
		diag_slot(L, p->at != NULL ? at : every, "'%s' of %s is %s, not inside the %s "
		          "bout: it must be less than the drill's duration", key, what,
		          compact(a, sizeof a, v), compact(b, sizeof b, bout_ms));
}

/*
 * The checks libcyaml's schema cannot express, run on what it loaded. M
 * gives each problem its position; without it problems are only counted
 * (see load()).
 */
static void check_semantics(struct loader *L, const struct marks *M,
                            const struct raw_routine *raw)
{
	uint64_t lead_in = DEFAULT_LEAD_IN, sw = DEFAULT_SWITCH, rest = DEFAULT_REST;
	uint64_t linger = DEFAULT_LINGER, total;
	const struct slot *root = M != NULL && M->n > 0 ? &M->v[0] : NULL;
	const struct slot *drills = slot_field(M, root, routine_fields, "drills");
	bool ok = true;

	ok &= check_duration(L, M, root, routine_fields, root_what, "lead_in", raw->lead_in, 0,
	                     LEAD_IN_MAX, &lead_in);
	ok &= check_duration(L, M, root, routine_fields, root_what, "switch", raw->switch_, 0,
	                     SWITCH_MAX, &sw);
	ok &= check_duration(L, M, root, routine_fields, root_what, "rest", raw->rest, 0,
	                     REST_MAX, &rest);
	ok &= check_duration(L, M, root, routine_fields, root_what, "linger_every",
	                     raw->linger_every, 0, LINGER_MAX, &linger);
	total = lead_in;

	for (unsigned i = 0; i < raw->drills_count; i++) {
		const struct raw_drill *dr = &raw->drills[i];
		const struct slot *dn = slot_entry(M, drills, i);
		struct place list = { .what = "'drills'", .owner = root_what, .key = "drills" };
		char what[WHAT_SIZE], q[QUOTE_SIZE];
		uint64_t bout = 0, step = DEFAULT_STEP;
		bool bout_ok;

		/* The walk saw to it that the name is text without NULs. */
		entry_what(what, &list, i, quote(q, dr->name, strlen(dr->name)));
		bout_ok = check_duration(L, M, dn, drill_fields, what, "duration", dr->duration,
		                         DRILL_MIN, DRILL_MAX, &bout);
		ok &= bout_ok;

		if (dr->sides_count == 2 && dr->sides[0] == dr->sides[1]) {
			const struct slot *second =
				slot_entry(M, slot_field(M, dn, drill_fields, "sides"), 1);
			diag_slot(L, second, "side '%s' is listed twice in %s; give each side at "
			          "most once", side_name(dr->sides[1]), what);
			ok = false;
		}
		uint64_t own_linger = 0;
		ok &= check_duration(L, M, dn, drill_fields, what, "linger_every", dr->linger_every,
		                     0, LINGER_MAX, &own_linger);
		if (dr->movement != NULL) {
			char mwhat[WHAT_SIZE];
			field_what(mwhat, what, "movement");
			ok &= check_duration(L, M, slot_field(M, dn, drill_fields, "movement"),
			                     movement_fields, mwhat, "every", dr->movement->every,
			                     STEP_MIN, STEP_MAX, &step);
		}
		const struct slot *prompts = slot_field(M, dn, drill_fields, "prompts");
		for (unsigned j = 0; j < dr->prompts_count; j++) {
			struct place plist = { .what = NULL, .owner = what, .key = "prompts" };
			char pwhat[WHAT_SIZE];
			unsigned before = L->problems;
			/* Prompts have no 'name' key. */
			entry_what(pwhat, &plist, j, NULL);
			check_prompt(L, M, slot_entry(M, prompts, j), pwhat, &dr->prompts[j], bout,
			             bout_ok);
			ok &= L->problems == before;
		}
		unsigned bouts = dr->sides_count ? dr->sides_count : 1;
		total += bouts * bout + (bouts == 2 ? sw : 0) + (i + 1 < raw->drills_count ? rest : 0);
	}
	if (ok && total > ROUTINE_MAX_TOTAL_MS) {
		char t[32];
		duration_format(total, t, sizeof t);
		diag_key(L, drills, "the whole session lasts %s (lead-in, bouts, switches and "
		         "rests); the total must be at most 4:00:00", t);
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

/* Moves a string out of what libcyaml loaded: its blocks are plain malloc()
 * blocks (see budget_mem), and cyaml_free() skips the NULL left behind. */
static char *take(char **s)
{
	char *t = *s;
	*s = NULL;
	return t;
}

static bool convert_drill(struct drill *d, struct raw_drill *raw)
{
	d->name = take(&raw->name);
	d->cue = take(&raw->cue);
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
			d->steps[i] = take(&raw->movement->steps[i]);
			d->n_steps = i + 1;
		}
	}
	if (raw->prompts_count > 0) {
		d->prompts = calloc(raw->prompts_count, sizeof *d->prompts);
		if (d->prompts == NULL)
			return false;
		for (unsigned i = 0; i < raw->prompts_count; i++) {
			struct raw_prompt *rp = &raw->prompts[i];
			struct prompt *p = &d->prompts[i];
			p->text = take(&rp->text);
			d->n_prompts = i + 1;
			p->at_ms = duration_or(rp->at, 0);
			p->every_ms = duration_or(rp->every, 0);
		}
	}
	if (raw->equipment != NULL)
		for (size_t e = 0; e < EQUIP__COUNT; e++)
			d->variant[e] = take((char **)((char *)raw->equipment + variant_offsets[e]));
	d->linger_set = raw->linger_every != NULL;
	d->linger_every_ms = duration_or(raw->linger_every, 0);
	return true;
}

/* Builds the routine from raw, taking its strings. */
static struct routine *convert(struct raw_routine *raw, const char *file)
{
	struct routine *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->name = take(&raw->name);
	r->description = take(&raw->description);
	r->linger_text = raw->linger_text ? take(&raw->linger_text) : strdup(DEFAULT_LINGER_TEXT);
	r->file = file ? strdup(file) : NULL;
	if (r->linger_text == NULL || (file != NULL && r->file == NULL))
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
	shape_free(&L->shape);
	free(L->marks.v);
	L->marks = (struct marks){ 0 };
	diags_sort(L->d, L->first);
	if (L->nomem)
		return ROUTINE_ERR_NOMEM;
	if (err == ROUTINE_OK && L->problems > 0)
		return ROUTINE_ERR_INVALID;
	return err;
}

/*
 * The text is read three times, and never held twice over: the scan notes
 * the document's shape, the walk checks it against the schema, and libcyaml
 * fills the raw structs, whose strings the routine then keeps. Positions for
 * the checks after loading are found only when one of them fails.
 */
static enum routine_err load(struct loader *L, const unsigned char *s, size_t n,
                             const char *file, struct routine **out)
{
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
	if (!check_bytes(L, s, n) || !scan_events(L, &L->shape, s, n) ||
	    !walk_document(L, &L->shape, NULL, s, n) || L->problems > 0)
		return finish(L, ROUTINE_ERR_INVALID);

	cerr = cyaml_load_data(s, n, &cfg, &routine_schema, (cyaml_data_t **)&raw, NULL);
	if (cerr == CYAML_ERR_OOM)
		L->nomem = true;
	if (cerr != CYAML_OK || raw == NULL) {
		/* The walk above should have caught anything libcyaml refuses. */
		diag_mark(L, L->root, "internal error: libcyaml refused the routine (%s%s%s)",
		          cyaml_strerror(cerr), log.first[0] ? ": " : "", log.first);
		return finish(L, ROUTINE_ERR_INVALID);
	}
	/* A valid routine needs no positions, so the checks run first without
	 * them; only when one fails is the text walked again to note where
	 * everything is, and the checks run again to say where. */
	L->counting = true;
	check_semantics(L, NULL, raw);
	L->counting = false;
	if (L->problems > 0) {
		L->problems = 0;
		if (walk_document(L, &L->shape, &L->marks, s, n))
			check_semantics(L, &L->marks, raw);
	}
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
