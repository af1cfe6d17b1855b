#include "speech.h"

#include <string.h>

void speech_init(struct speech *sp, const struct plan *p)
{
	sp->plan = p;
	sp->moved = false;
	sp->last_movement = NULL;
}

static const char *const small[] = {
	"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
	"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
	"eighteen", "nineteen",
};
static const char *const tens[] = {
	"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
};

/* 1 to 999, never "zero". */
static void below_thousand(struct strbuf *out, unsigned long n)
{
	if (n >= 100) {
		strbuf_add(out, small[n / 100]);
		strbuf_add(out, " hundred");
		n %= 100;
		if (!n)
			return;
		strbuf_add(out, " and ");
	}
	if (n < 20) {
		strbuf_add(out, small[n]);
		return;
	}
	strbuf_add(out, tens[n / 10]);
	if (n % 10) {
		strbuf_add(out, "-");
		strbuf_add(out, small[n % 10]);
	}
}

void speech_number(struct strbuf *out, unsigned long n)
{
	if (n >= 1000000) {
		strbuf_addf(out, "%lu", n);
		return;
	}
	if (n == 0) {
		strbuf_add(out, small[0]);
		return;
	}
	if (n >= 1000) {
		below_thousand(out, n / 1000);
		strbuf_add(out, " thousand");
		n %= 1000;
		if (!n)
			return;
		strbuf_add(out, n < 100 ? " and " : " ");
	}
	below_thousand(out, n);
}

static void unit(struct strbuf *out, bool *first, unsigned long n, const char *name)
{
	if (!*first)
		strbuf_add(out, " ");
	*first = false;
	speech_number(out, n);
	strbuf_addf(out, " %s%s", name, n == 1 ? "" : "s");
}

void speech_duration(struct strbuf *out, uint64_t ms)
{
	unsigned long s = (unsigned long)(ms / 1000);
	bool first = true;

	if (s >= 3600)
		unit(out, &first, s / 3600, "hour");
	if (s % 3600 >= 60)
		unit(out, &first, s % 3600 / 60, "minute");
	if (s % 60 || s == 0)
		unit(out, &first, s % 60, "second");
}

static void trim_spaces(struct strbuf *out)
{
	while (out->len && out->p[out->len - 1] == ' ')
		out->p[--out->len] = '\0';
}

/*
 * Routine text as it should sound: "Calf / Achilles" is "Calf and
 * Achilles", "spots - keep moving" pauses instead of saying "minus".
 */
static void add_spoken(struct strbuf *out, const char *text)
{
	const char *p = text;

	while (*p) {
		if (*p == '/') {
			trim_spaces(out);
			strbuf_add(out, " and ");
			for (p++; *p == ' '; p++)
				;
		} else if (*p == ' ' && p[1] == '-' && p[2] == ' ') {
			strbuf_add(out, ",");
			p += 2;
		} else {
			strbuf_addn(out, p, 1);
			p++;
		}
	}
}

/* A sentence: the text and a full stop unless it already ends in one. */
static void add_sentence(struct strbuf *out, const char *text)
{
	add_spoken(out, text);
	trim_spaces(out);
	if (out->len && !strchr(".!?", out->p[out->len - 1]))
		strbuf_add(out, ".");
}

static const char *drill_name(const struct plan *p, size_t phase)
{
	if (phase >= p->n_phases || p->phases[phase].drill < 0)
		return NULL;
	return p->routine->drills[p->phases[phase].drill].name;
}

/* Letters, digits and anything beyond ASCII carry meaning; spaces and
 * punctuation do not. */
static bool meaningful(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static unsigned char fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Does b say what a says, ignoring case, spaces and punctuation? */
static bool same_meaning(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	for (;;) {
		while (*x && !meaningful(*x))
			x++;
		while (*y && !meaningful(*y))
			y++;
		if (!*x || !*y)
			return !*x && !*y;
		if (fold(*x++) != fold(*y++))
			return false;
	}
}

static void phase_start(struct speech *sp, const struct event *ev, struct strbuf *out)
{
	const struct phase *ph = &sp->plan->phases[ev->phase];
	const char *next = drill_name(sp->plan, ev->phase + 1);

	switch (ph->kind) {
	case PHASE_LEAD_IN:
		add_sentence(out, "Get ready");
		if (next) {
			strbuf_add(out, " First: ");
			add_sentence(out, next);
		}
		break;
	case PHASE_WORK:
		sp->moved = false;
		add_spoken(out, sp->plan->routine->drills[ph->drill].name);
		trim_spaces(out);
		if (ph->side != SIDE_NONE)
			strbuf_add(out, ph->side == SIDE_LEFT ? ", left side" : ", right side");
		strbuf_add(out, ", ");
		speech_duration(out, ph->duration_ms);
		strbuf_add(out, ".");
		break;
	case PHASE_SWITCH:
		add_sentence(out, "Switch sides");
		break;
	case PHASE_REST:
		add_sentence(out, "Rest");
		if (next) {
			strbuf_add(out, " Next: ");
			add_sentence(out, next);
		}
		break;
	case PHASE__COUNT:
		break;
	}
}

static void cue(struct speech *sp, const struct event *ev, struct strbuf *out)
{
	if (ev->cue == CUE_MOVEMENT) {
		bool first = !sp->moved;

		sp->moved = true;
		if (!first || (sp->last_movement && same_meaning(sp->last_movement, ev->text)))
			return;
		sp->last_movement = ev->text;
	}
	add_sentence(out, ev->text);
}

static void countdown(struct speech *sp, const struct event *ev, struct strbuf *out)
{
	size_t start = out->len;

	if (sp->plan->phases[ev->phase].kind != PHASE_WORK)
		return;
	speech_number(out, ev->seconds);
	if (out->len > start && out->p[start] >= 'a' && out->p[start] <= 'z')
		out->p[start] = (char)(out->p[start] - 'a' + 'A');
	strbuf_add(out, ".");
}

void speech_event(struct speech *sp, const struct event *ev, struct strbuf *out)
{
	size_t mark = out->len;
	bool sep = out->len > 0;

	/* Utterances of one instant are joined into one, a space apart. */
	if (sep)
		strbuf_add(out, " ");
	switch (ev->kind) {
	case EV_PHASE_START:
		phase_start(sp, ev, out);
		break;
	case EV_CUE:
		cue(sp, ev, out);
		break;
	case EV_COUNTDOWN:
		countdown(sp, ev, out);
		break;
	case EV_PAUSE:
		add_sentence(out, "Paused");
		break;
	case EV_RESUME:
		add_sentence(out, "Resumed");
		break;
	case EV_SESSION_END:
		if (ev->status == SESSION_COMPLETED)
			add_sentence(out, "Session complete");
		else if (ev->status == SESSION_STOPPED)
			add_sentence(out, "Session stopped");
		break;
	case EV_SESSION_START:
	case EV_PHASE_END:
	case EV_TENDER:     /* the linger cue that follows says it all */
	case EV__COUNT:
		break;
	}
	if (sep && out->len == mark + 1 && !out->failed) {
		out->len = mark;    /* nothing to say: drop the separator */
		out->p[mark] = '\0';
	}
}

void speech_clean(struct strbuf *out, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t start = out->len, n;
	bool space = false;
	uint32_t cp;

	for (; *p; p += n ? n : 1) {
		n = strbuf_utf8_decode(p, &cp);
		if (n == 0)
			continue;
		if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' ||
		    cp == 0x85 || cp == 0x2028 || cp == 0x2029) {
			space = true;
			continue;
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			continue;
		if (space && out->len > start)
			strbuf_add(out, " ");
		space = false;
		strbuf_addn(out, (const char *)p, n);
	}
}
