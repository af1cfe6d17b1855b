/*
 * The full-screen front end. It draws the session from the plan, the
 * engine's events and session_view(), and knows nothing of YAML. Every wake
 * redraws stdscr from scratch and refresh() lets curses send only the cells
 * that changed, so a quiet second costs a few bytes on the wire.
 *
 * The only file in the program that includes <curses.h>.
 */
#include "ui.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include "bigfont.h"
#include "duration.h"
#include "signals.h"
#include "strbuf.h"

enum {
	MIN_ROWS = 6, MIN_COLS = 20,    /* below this: one line asking for more room */
	PROMPT_HIGHLIGHT_MS = 3000,     /* real ms a prompt stays highlighted */
	FRAME_MS = 100,                 /* real ms between frames of the movement track */
	TRACK_MAX = 60,                 /* columns: a longer sweep is hard to follow */
	CUE_MAX_LINES = 3,
	TEXT_MAX = 512,                 /* wide characters kept of one routine string */
	MAX_SCALE = 6,
	BIG_SLACK_ROWS = 3,             /* scale digits up only if this much air remains */
	ESC_DELAY_MS = 25,
	EMPTY_READS_EOF = 3,            /* "readable" yet no key this often: stdin is at EOF */
};

/* No session command: the key or signal was handled here. */
enum { NO_CMD = -100 };

/*
 * Characters for the chrome. In a UTF-8 locale they are box drawing and
 * blocks; elsewhere plain ASCII, which every terminal shows.
 */
struct glyphs {
	wchar_t ink, hline, lend, rend, marker, done, todo_work, todo_other;
	wchar_t ellipsis, placeholder, left, right;
	const char *dash;       /* between a drill's name and its side */
};

static const struct glyphs glyphs_utf8 = {
	L'\u2588', L'\u2500', L'\u251c', L'\u2524', L'\u25cf', L'\u2588', L'\u2591', L'\u00b7',
	L'\u2026', L'\ufffd', L'\u2190', L'\u2192', " \u2014 ",
};

static const struct glyphs glyphs_ascii = {
	L'#', L'-', L'|', L'|', L'O', L'#', L'=', L'-',
	L'~', L'?', L'<', L'>', " - ",
};

/* Keys as data: the key line and the help overlay are generated from it. */
enum key_act { KA_COMMAND, KA_ASK_STOP, KA_HELP, KA_REDRAW };

struct key_binding {
	int key;
	enum key_act act;
	enum session_cmd cmd;   /* KA_COMMAND only */
	const char *name;       /* as the runner sees it */
	const char *bar;        /* short label in the key line; NULL keeps it out */
	const char *help;       /* the overlay's explanation */
};

static const struct key_binding key_bindings[] = {
	{ ' ', KA_COMMAND, CMD_TOGGLE_PAUSE, "space", "pause", "pause or resume" },
	{ 'n', KA_COMMAND, CMD_SKIP, "n", "skip", "skip to the next phase" },
	{ KEY_RIGHT, KA_COMMAND, CMD_SKIP, "Right", NULL, NULL },
	{ 'p', KA_COMMAND, CMD_BACK, "p", "back", "restart the phase (early on: the one before)" },
	{ KEY_LEFT, KA_COMMAND, CMD_BACK, "Left", NULL, NULL },
	{ '+', KA_COMMAND, CMD_EXTEND, "+", "10s", "add 10 seconds to this phase" },
	{ 't', KA_COMMAND, CMD_TENDER, "t", "tender", "mark a tender spot, then keep moving" },
	{ 'q', KA_ASK_STOP, CMD__COUNT, "q", "quit", "stop the session (asks first)" },
	{ '?', KA_HELP, CMD__COUNT, "?", "help", "show or hide this help" },
	{ 'L' & 0x1f, KA_REDRAW, CMD__COUNT, "^L", NULL, "redraw the screen" },
};

#define N_KEYS (sizeof key_bindings / sizeof key_bindings[0])

enum { PAIR_LEAD_IN = 1, PAIR_WORK, PAIR_SWITCH, PAIR_REST, PAIR_PROMPT };

static const short phase_pair[PHASE__COUNT] = {
	[PHASE_LEAD_IN] = PAIR_LEAD_IN, [PHASE_WORK] = PAIR_WORK,
	[PHASE_SWITCH] = PAIR_SWITCH, [PHASE_REST] = PAIR_REST,
};

struct cui {
	struct ui_config cfg;
	const struct plan *plan;
	SCREEN *screen;
	const struct glyphs *g;
	bool utf8, color;
	const char *prompt;         /* the last prompt or linger cue of this phase */
	/* Real time, not the timeline: a runner needs the same 3 s to read it
	 * whatever the speed, and a paused session should not hold it lit. */
	uint64_t prompt_until_wall; /* wall ms its highlight ends */
	bool asking;                /* "Stop the session? y/n" is up */
	bool help;
	bool track_shown;           /* the last frame drew a moving marker */
	/* What the last full frame showed, so frames that only move the
	 * marker redraw just the track rows (the idle cost is in draw()). */
	struct frame_key {
		uint64_t sec, phase_left, session_left;   /* whole seconds shown */
		size_t phase;
		int lines, cols;
		bool paused, highlight, help, asking;
	} drawn;
	bool drawn_valid;           /* cleared by every event, key and resize */
	int track_y, track_h;       /* where that frame put the track */
	bool suspend_pending;       /* Ctrl-Z came; pause first, then stop */
	bool suspend_paused;        /* the pause for it was asked for */
	bool keys_pending;          /* curses may hold keys poll() cannot see */
	bool stdin_open;
	unsigned empty_reads;
	bool ended;
	enum session_status status;
};

/* A routine string made safe and measured, ready for the screen. */
struct wtext {
	wchar_t s[TEXT_MAX];
	size_t n;
	int width;
};

enum { TX_UPPER = 1, TX_CENTRE = 2, TX_RIGHT = 4 };

static int cell_width(wchar_t wc)
{
	int w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

/* Direction overrides and isolates can make a line read differently from
 * what it holds, and can leak into the rest of the terminal line. */
static bool is_bidi_control(wchar_t wc)
{
	return wc == 0x200e || wc == 0x200f || (wc >= 0x202a && wc <= 0x202e) ||
	       (wc >= 0x2066 && wc <= 0x2069);
}

/*
 * Decodes UTF-8 into t. Tabs and line breaks become spaces. Any other
 * control character (C0, DEL, C1), a bidi control, an undecodable byte or
 * a code point the terminal cannot print becomes a visible placeholder, so
 * no routine text reaches the terminal as an escape sequence.
 */
static void wtext_set(const struct cui *u, struct wtext *t, const char *s, unsigned flags)
{
	mbstate_t st;
	size_t len = s ? strlen(s) : 0;

	memset(&st, 0, sizeof st);
	t->n = 0;
	t->width = 0;
	while (len > 0 && t->n < TEXT_MAX - 1) {
		wchar_t wc;
		size_t k = 1;

		if (u->utf8) {
			k = mbrtowc(&wc, s, len, &st);
			if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
				wc = u->g->placeholder;
				k = 1;
				memset(&st, 0, sizeof st);
			}
		} else {
			wc = (unsigned char)*s < 0x80 ? (wchar_t)*s : u->g->placeholder;
		}
		s += k;
		len -= k;
		if (wc == L'\t' || wc == L'\n')
			wc = L' ';  /* the loader allows them in text; one line shows them as space */
		else if (wc < 0x20 || (wc >= 0x7f && wc < 0xa0) || is_bidi_control(wc))
			wc = u->g->placeholder;
		if (flags & TX_UPPER)
			wc = (wchar_t)towupper((wint_t)wc);
		if (wcwidth(wc) < 0)
			wc = u->g->placeholder;
		t->s[t->n++] = wc;
		t->width += cell_width(wc);
	}
	t->s[t->n] = L'\0';
}

/* Cuts t to at most w columns, ending in an ellipsis where something went. */
static void wtext_fit(const struct cui *u, struct wtext *t, int w)
{
	size_t i = 0;
	int used = 0;

	if (t->width <= w)
		return;
	while (i < t->n && used + cell_width(t->s[i]) <= w - 1) {
		used += cell_width(t->s[i]);
		i++;
	}
	t->n = i;
	if (w >= 1) {
		t->s[t->n++] = u->g->ellipsis;
		used++;
	}
	t->s[t->n] = L'\0';
	t->width = used;
}

static void put_wtext(int y, int x, const struct wtext *t, attr_t attr)
{
	attrset(attr);
	mvaddnwstr(y, x, t->s, (int)t->n);
	attrset(A_NORMAL);
}

/* Draws s within columns [x, x + w) of row y. Returns the columns used. */
static int draw_str(const struct cui *u, int y, int x, int w, const char *s, attr_t attr,
                    unsigned flags)
{
	struct wtext t;

	if (w <= 0)
		return 0;
	wtext_set(u, &t, s, flags);
	wtext_fit(u, &t, w);
	if (flags & TX_CENTRE)
		x += (w - t.width) / 2;
	else if (flags & TX_RIGHT)
		x += w - t.width;
	put_wtext(y, x, &t, attr);
	return t.width;
}

static void put_glyph(int y, int x, wchar_t wc, attr_t attr)
{
	wchar_t s[2] = { wc, L'\0' };

	attrset(attr);
	mvaddnwstr(y, x, s, 1);
	attrset(A_NORMAL);
}

/*
 * Splits t at spaces into at most max lines of at most w columns; the last
 * line takes the rest and ends in an ellipsis if it is too long.
 */
static int wrap(const struct cui *u, const struct wtext *t, int w, int max, struct wtext *lines)
{
	size_t i = 0;
	int n = 0;

	while (n < max) {
		size_t j, end, brk = 0;
		int used = 0;

		while (i < t->n && t->s[i] == L' ')
			i++;
		if (i >= t->n)
			break;
		for (j = i; j < t->n && used + cell_width(t->s[j]) <= w; j++) {
			if (t->s[j] == L' ')
				brk = j;
			used += cell_width(t->s[j]);
		}
		end = j;
		if (n == max - 1)
			end = t->n;
		else if (j < t->n && t->s[j] != L' ' && brk > i)
			end = brk;
		lines[n].n = 0;
		lines[n].width = 0;
		for (j = i; j < end; j++) {
			lines[n].s[lines[n].n++] = t->s[j];
			lines[n].width += cell_width(t->s[j]);
		}
		while (lines[n].n > 0 && lines[n].s[lines[n].n - 1] == L' ') {
			lines[n].n--;
			lines[n].width--;
		}
		lines[n].s[lines[n].n] = L'\0';
		wtext_fit(u, &lines[n], w);
		n++;
		i = end;
	}
	return n;
}

static attr_t phase_attr(const struct cui *u, enum phase_kind k)
{
	return u->color ? (attr_t)COLOR_PAIR(phase_pair[k]) | A_BOLD : A_BOLD;
}

static attr_t prompt_attr(const struct cui *u, bool highlight)
{
	attr_t a = u->color ? (attr_t)COLOR_PAIR(PAIR_PROMPT) | A_BOLD : A_BOLD;
	return highlight ? a | A_REVERSE : a;
}

/* M:SS, counting a started second as whole so 0:00 never shows mid-phase. */
static void format_countdown(uint64_t ms, char *buf, size_t size)
{
	duration_format((ms + 999) / 1000 * 1000, buf, size);
}

/* --- Layout ------------------------------------------------------------- */

enum item { IT_HEADER, IT_TITLE, IT_COUNT, IT_CUE, IT_TRACK, IT_PROMPT, IT_NEXT,
            IT_PROGRESS, IT_KEYS, IT__COUNT };

/* Least important first: the order in which lines leave a shrinking screen.
 * The phase title and the countdown never leave. */
static const enum item drop_order[] = {
	IT_KEYS, IT_PROGRESS, IT_HEADER, IT_NEXT, IT_CUE, IT_TRACK, IT_PROMPT,
};

/* Where blank rows go first when there is room to spare. */
static const enum item gap_before[] = { IT_TITLE, IT_TRACK, IT_NEXT, IT_CUE, IT_PROMPT };

struct layout {
	unsigned scale;             /* big digits at this scale, or 0: plain digits */
	int y[IT__COUNT], h[IT__COUNT];
};

/* What one frame wants to show, which decides the layout. */
struct content {
	char count[24];
	int cue_lines;              /* 0: no cue */
	bool track;
};

static int rows_needed(const int *h)
{
	int sum = 0;
	for (int i = 0; i < IT__COUNT; i++)
		sum += h[i];
	return sum;
}

/*
 * Richest first: big digits as large as fit with room to spare; big digits
 * with the track and cue on one line each; plain digits; plain digits with
 * the track and cue on one line each; then lines leave in drop_order until
 * the rest fits. The caller has ruled out screens below MIN_ROWS x MIN_COLS.
 */
static void layout_fit(int rows, int cols, const struct content *c, struct layout *l)
{
	const int n_drop = (int)(sizeof drop_order / sizeof drop_order[0]);
	int h[IT__COUNT];

	memset(l, 0, sizeof *l);
	for (int level = 0;; level++) {
		bool big = level <= 1, compact = level == 1 || level >= 3;
		int dropped = level > 3 ? level - 3 : 0;

		h[IT_HEADER] = h[IT_TITLE] = h[IT_PROMPT] = h[IT_NEXT] = 1;
		h[IT_PROGRESS] = h[IT_KEYS] = 1;
		h[IT_CUE] = c->cue_lines > 0 ? (compact ? 1 : c->cue_lines) : 0;
		h[IT_TRACK] = c->track ? (compact ? 1 : 2) : 0;
		for (int d = 0; d < dropped; d++)
			h[drop_order[d]] = 0;
		if (big) {
			unsigned scale;
			for (scale = level == 0 ? MAX_SCALE : 1; scale >= 1; scale--) {
				int slack = scale > 1 ? BIG_SLACK_ROWS : 0;
				h[IT_COUNT] = (int)bigfont_height(scale) + 1;  /* + the PAUSED row */
				if (bigfont_width(c->count, scale) + 2 <= (size_t)cols &&
				    rows_needed(h) + slack <= rows)
					break;
			}
			if (scale >= 1) {
				l->scale = scale;
				break;
			}
			continue;
		}
		h[IT_COUNT] = 1;
		if (rows_needed(h) <= rows || dropped >= n_drop)
			break;
	}
	memcpy(l->h, h, sizeof h);

	int top = 0, bottom = rows;
	int gap[IT__COUNT] = { 0 };
	for (int i = 0; i < IT__COUNT; i++)
		l->y[i] = -1;
	if (h[IT_HEADER])
		l->y[IT_HEADER] = top++;
	if (h[IT_KEYS])
		l->y[IT_KEYS] = --bottom;
	if (h[IT_PROGRESS])
		l->y[IT_PROGRESS] = --bottom;

	int spare = bottom - top;
	for (int i = IT_TITLE; i <= IT_NEXT; i++)
		spare -= h[i];
	for (size_t g = 0; g < sizeof gap_before / sizeof gap_before[0] && spare > 0; g++) {
		enum item it = gap_before[g];
		if (h[it] == 0 || (it == IT_TITLE && !h[IT_HEADER]))
			continue;
		gap[it] = 1;
		spare--;
	}
	/* Centre what is left between the header and the bar. */
	int y = top + (spare > 0 ? spare / 2 : 0);
	for (int i = IT_TITLE; i <= IT_NEXT; i++) {
		if (h[i] == 0)
			continue;
		y += gap[i];
		l->y[i] = y;
		y += h[i];
	}
}

/* --- Drawing ------------------------------------------------------------ */

/* The drill a phase belongs to or leads to; -1 after the last. */
static int drill_near(const struct plan *p, size_t phase)
{
	for (size_t i = phase; i < p->n_phases; i++)
		if (p->phases[i].drill >= 0)
			return p->phases[i].drill;
	return -1;
}

static void phase_title(const struct cui *u, const struct phase *ph, char *buf, size_t size)
{
	const struct routine *r = u->plan->routine;

	switch (ph->kind) {
	case PHASE_WORK:
		if (ph->side != SIDE_NONE)
			snprintf(buf, size, "%s%s%s", r->drills[ph->drill].name, u->g->dash, side_name(ph->side));
		else
			snprintf(buf, size, "%s", r->drills[ph->drill].name);
		break;
	case PHASE_SWITCH: snprintf(buf, size, "Switch sides"); break;
	case PHASE_REST: snprintf(buf, size, "Rest"); break;
	case PHASE_LEAD_IN:
	case PHASE__COUNT: snprintf(buf, size, "Get ready"); break;
	}
}

/* The phase in capitals. When a drill's name is too long, it is the name
 * that gets cut, never the side: the side is what the runner must not miss. */
static void draw_title(const struct cui *u, const struct phase *ph, int y)
{
	char title[TEXT_MAX], side[64];
	struct wtext t, s;
	int w = COLS - 2;

	phase_title(u, ph, title, sizeof title);
	wtext_set(u, &t, title, TX_UPPER);
	if (t.width <= w || ph->kind != PHASE_WORK || ph->side == SIDE_NONE) {
		draw_str(u, y, 1, w, title, phase_attr(u, ph->kind), TX_UPPER | TX_CENTRE);
		return;
	}
	snprintf(side, sizeof side, "%s%s", u->g->dash, side_name(ph->side));
	wtext_set(u, &s, side, TX_UPPER);
	wtext_set(u, &t, u->plan->routine->drills[ph->drill].name, TX_UPPER);
	wtext_fit(u, &t, w - s.width);
	for (size_t i = 0; i < s.n && t.n < TEXT_MAX - 1; i++) {
		t.s[t.n++] = s.s[i];
		t.width += cell_width(s.s[i]);
	}
	t.s[t.n] = L'\0';
	put_wtext(y, 1 + (w - t.width) / 2, &t, phase_attr(u, ph->kind));
}

static void draw_header(const struct cui *u, const struct session_view *v, uint64_t now, int y)
{
	const struct routine *r = u->plan->routine;
	int d = drill_near(u->plan, v->phase);
	char el[24], left[24], right[96];
	int cols = COLS - 2, w;

	duration_format(now, el, sizeof el);
	format_countdown(v->session_remaining_ms, left, sizeof left);
	d = d < 0 ? (int)r->n_drills : d + 1;
	snprintf(right, sizeof right, "Drill %d of %u   %s elapsed   %s left", d, r->n_drills, el, left);
	if ((int)strlen(right) + 12 > cols)
		snprintf(right, sizeof right, "%d/%u  %s  -%s", d, r->n_drills, el, left);
	if ((int)strlen(right) + 6 > cols)
		snprintf(right, sizeof right, "%d/%u -%s", d, r->n_drills, left);
	w = draw_str(u, y, 1, cols, right, A_NORMAL, TX_RIGHT);
	draw_str(u, y, 1, cols - w - 2, r->name, A_BOLD, 0);
}

static void draw_countdown(const struct cui *u, const struct layout *l, const struct content *c,
                           const struct session_view *v, enum phase_kind kind)
{
	attr_t a = phase_attr(u, kind);
	int y = l->y[IT_COUNT];
	char row[512];

	if (l->scale == 0) {
		char line[64];
		snprintf(line, sizeof line, "%s%s", c->count, v->paused ? "  PAUSED" : "");
		draw_str(u, y, 0, COLS, line, a, TX_CENTRE);
		return;
	}
	size_t w = bigfont_width(c->count, l->scale);
	int x0 = (COLS - (int)w) / 2;
	for (unsigned r = 0; r < bigfont_height(l->scale); r++) {
		if (bigfont_row(c->count, l->scale, r, row, sizeof row) == 0)
			break;
		for (size_t x = 0; x < w; x++)
			if (row[x] == '#')
				put_glyph(y + (int)r, x0 + (int)x, u->g->ink, a);
	}
	if (v->paused)
		draw_str(u, y + (int)bigfont_height(l->scale), 0, COLS, " PAUSED - space resumes ",
		         A_BOLD | A_REVERSE, TX_CENTRE);
}

static void draw_cue(const struct cui *u, const struct layout *l, const char *cue)
{
	struct wtext t, lines[CUE_MAX_LINES];
	int n;

	wtext_set(u, &t, cue, 0);
	n = wrap(u, &t, COLS - 4, l->h[IT_CUE], lines);
	for (int i = 0; i < n; i++)
		put_wtext(l->y[IT_CUE] + i, 2 + (COLS - 4 - lines[i].width) / 2, &lines[i], A_NORMAL);
}

/*
 * The visual metronome. Each movement step is one sweep from end to end,
 * alternating direction, so the marker turns exactly when the step changes;
 * a smoothstep eases it through the turns.
 */
static void draw_track(const struct cui *u, const struct layout *l, const struct drill *d,
                       const struct session_view *v, enum phase_kind kind)
{
	uint64_t e = v->phase_elapsed_ms, k = e / d->step_ms;
	double f = (double)(e % d->step_ms) / (double)d->step_ms;
	bool back = k % 2 == 1;
	double pos;
	int y = l->y[IT_TRACK], tw, x0, tx, textw;
	char step[TEXT_MAX];

	f = f * f * (3 - 2 * f);
	pos = back ? 1 - f : f;
	if (l->h[IT_TRACK] >= 2) {
		tw = COLS - 4 < TRACK_MAX ? COLS - 4 : TRACK_MAX;
		x0 = (COLS - tw) / 2;
		tx = 2;
		textw = COLS - 4;
	} else {
		tw = (COLS - 2) / 3;
		x0 = 1;
		tx = x0 + tw + 1;
		textw = COLS - tx - 1;
	}
	put_glyph(y, x0, u->g->lend, A_NORMAL);
	for (int x = 1; x < tw - 1; x++)
		put_glyph(y, x0 + x, u->g->hline, A_NORMAL);
	put_glyph(y, x0 + tw - 1, u->g->rend, A_NORMAL);
	put_glyph(y, x0 + 1 + (int)(pos * (tw - 3) + 0.5), u->g->marker, phase_attr(u, kind));

	/* The arrow shows which way the marker is heading. */
	struct wtext arrow = { { back ? u->g->left : u->g->right, L' ', L'\0' }, 2, 2 };
	struct wtext t;
	snprintf(step, sizeof step, "%s", d->steps[k % d->n_steps]);
	wtext_set(u, &t, step, 0);
	wtext_fit(u, &t, textw - 2);
	if (l->h[IT_TRACK] >= 2) {
		y++;
		tx += (textw - t.width - 2) / 2;
	}
	put_wtext(y, tx, &arrow, phase_attr(u, kind));
	put_wtext(y, tx + 2, &t, A_BOLD);
}

static void draw_prompt(const struct cui *u, int y, uint64_t wall)
{
	char line[TEXT_MAX + 4];

	if (u->asking) {
		draw_str(u, y, 1, COLS - 2, " Stop the session? y/n ", prompt_attr(u, true), TX_CENTRE);
		return;
	}
	if (!u->prompt)
		return;
	snprintf(line, sizeof line, " %s ", u->prompt);
	draw_str(u, y, 1, COLS - 2, line, prompt_attr(u, wall < u->prompt_until_wall), TX_CENTRE);
}

static void draw_next(const struct cui *u, const struct session_view *v, int y)
{
	const struct plan *p = u->plan;
	char line[TEXT_MAX + 64], len[24], what[TEXT_MAX];

	if (v->phase + 1 >= p->n_phases) {
		draw_str(u, y, 1, COLS - 2, "Next: done", A_NORMAL, TX_CENTRE);
		return;
	}
	const struct phase *ph = &p->phases[v->phase + 1];
	phase_title(u, ph, what, sizeof what);
	duration_format(ph->duration_ms, len, sizeof len);
	snprintf(line, sizeof line, "Next: %s (%s)", what, len);
	draw_str(u, y, 1, COLS - 2, line, A_NORMAL, TX_CENTRE);
}

/* One cell per slice of the planned session, each in its phase's colour
 * once passed, so the bar shows the phases and where the runner stands. */
static void draw_progress(const struct cui *u, const struct session_view *v, int y)
{
	const struct plan *p = u->plan;
	const struct phase *cur = &p->phases[v->phase];
	int w = COLS - 2;
	uint64_t pos = cur->start_ms;
	size_t j = 0;

	if (p->total_ms == 0 || w <= 0)
		return;
	if (v->phase_len_ms > 0)
		pos += cur->duration_ms * v->phase_elapsed_ms / v->phase_len_ms;
	for (int x = 0; x < w; x++) {
		uint64_t mid = ((uint64_t)x * 2 + 1) * p->total_ms / ((uint64_t)w * 2);
		while (j + 1 < p->n_phases && p->phases[j + 1].start_ms <= mid)
			j++;
		enum phase_kind k = p->phases[j].kind;
		if (mid < pos)
			put_glyph(y, 1 + x, u->g->done, u->color ? (attr_t)COLOR_PAIR(phase_pair[k]) : A_NORMAL);
		else
			put_glyph(y, 1 + x, k == PHASE_WORK ? u->g->todo_work : u->g->todo_other, A_NORMAL);
	}
}

static void draw_keys(const struct cui *u, int y)
{
	const char *help_bar = "? help";
	char line[256] = "";
	size_t room = (size_t)(COLS - 2), len = 0, reserve = strlen(help_bar);

	for (size_t i = 0; i < N_KEYS; i++) {
		const struct key_binding *k = &key_bindings[i];
		char item[32];
		int n;

		if (!k->bar || k->act == KA_HELP)
			continue;
		n = snprintf(item, sizeof item, "%s %s   ", k->name, k->bar);
		if (n < 0 || len + (size_t)n + reserve > room || len + (size_t)n >= sizeof line)
			continue;
		memcpy(line + len, item, (size_t)n + 1);
		len += (size_t)n;
	}
	if (len + reserve <= room && len + reserve < sizeof line)
		memcpy(line + len, help_bar, reserve + 1);
	draw_str(u, y, 1, COLS - 2, line, A_NORMAL, TX_CENTRE);
}

static bool same_action(const struct key_binding *a, const struct key_binding *b)
{
	return a->act == b->act && (a->act != KA_COMMAND || a->cmd == b->cmd);
}

static void draw_help(const struct cui *u)
{
	char lines[N_KEYS + 3][128];
	int n = 0, maxw = 0;

	snprintf(lines[n++], sizeof lines[0], "Keys");
	for (size_t i = 0; i < N_KEYS; i++) {
		char names[48] = "";
		size_t j;

		for (j = 0; j < i && !same_action(&key_bindings[j], &key_bindings[i]); j++)
			;
		if (j < i)
			continue;  /* an alias, listed with the first key for its action */
		for (j = i; j < N_KEYS; j++) {
			if (!same_action(&key_bindings[j], &key_bindings[i]))
				continue;
			if (names[0])
				strncat(names, ", ", sizeof names - strlen(names) - 1);
			strncat(names, key_bindings[j].name, sizeof names - strlen(names) - 1);
		}
		snprintf(lines[n++], sizeof lines[0], "%-10s %s", names, key_bindings[i].help);
	}
	snprintf(lines[n++], sizeof lines[0], "Any key closes this help.");
	for (int i = 0; i < n; i++)
		if ((int)strlen(lines[i]) > maxw)
			maxw = (int)strlen(lines[i]);

	int bw = maxw + 4 < COLS ? maxw + 4 : COLS;
	int bh = n + 2 < LINES ? n + 2 : LINES;
	int x0 = (COLS - bw) / 2, y0 = (LINES - bh) / 2;
	for (int y = y0; y < y0 + bh; y++)
		mvhline(y, x0, ' ', bw);
	mvaddch(y0, x0, ACS_ULCORNER);
	mvhline(y0, x0 + 1, ACS_HLINE, bw - 2);
	mvaddch(y0, x0 + bw - 1, ACS_URCORNER);
	mvvline(y0 + 1, x0, ACS_VLINE, bh - 2);
	mvvline(y0 + 1, x0 + bw - 1, ACS_VLINE, bh - 2);
	mvaddch(y0 + bh - 1, x0, ACS_LLCORNER);
	mvhline(y0 + bh - 1, x0 + 1, ACS_HLINE, bw - 2);
	mvaddch(y0 + bh - 1, x0 + bw - 1, ACS_LRCORNER);
	for (int i = 0; i < n && i < bh - 2; i++)
		draw_str(u, y0 + 1 + i, x0 + 2, bw - 4, lines[i], i == 0 ? A_BOLD : A_NORMAL, 0);
}

static void draw_tiny(const struct cui *u)
{
	const char *msg = u->asking ? "Stop? y/n" : COLS >= MIN_COLS ? "Enlarge the terminal" : "Enlarge";
	draw_str(u, LINES / 2, 0, COLS, msg, A_BOLD, TX_CENTRE);
}

/* Everything on screen but the track changes only when one of these does. */
static bool same_frame(const struct frame_key *a, const struct frame_key *b)
{
	return a->sec == b->sec && a->phase_left == b->phase_left &&
	       a->session_left == b->session_left && a->phase == b->phase && a->lines == b->lines &&
	       a->cols == b->cols && a->paused == b->paused && a->highlight == b->highlight &&
	       a->help == b->help && a->asking == b->asking;
}

static void draw(struct cui *u, const struct session_view *v, uint64_t now, uint64_t wall)
{
	const struct plan *p = u->plan;
	const struct phase *ph = &p->phases[v->phase];
	const struct drill *d = ph->drill >= 0 ? &p->routine->drills[ph->drill] : NULL;
	int cue_drill = ph->kind == PHASE_WORK || ph->kind == PHASE_SWITCH ? ph->drill
	              : drill_near(p, v->phase);
	const char *cue = cue_drill >= 0 ? plan_cue(p, cue_drill) : NULL;
	struct frame_key key = { now / 1000, (v->phase_remaining_ms + 999) / 1000,
	                         (v->session_remaining_ms + 999) / 1000, v->phase, LINES, COLS, v->paused,
	                         u->prompt && u->prompt_until_wall > wall, u->help, u->asking };
	struct content c;
	struct layout l;

	if (u->drawn_valid && u->track_shown && d && same_frame(&key, &u->drawn)) {
		struct layout tl = { 0 };

		tl.y[IT_TRACK] = u->track_y;
		tl.h[IT_TRACK] = u->track_h;
		for (int y = u->track_y; y < u->track_y + u->track_h; y++) {
			move(y, 0);
			clrtoeol();
		}
		draw_track(u, &tl, d, v, ph->kind);
		refresh();
		return;
	}
	erase();
	u->track_shown = false;
	u->drawn = key;
	u->drawn_valid = true;
	if (LINES < MIN_ROWS || COLS < MIN_COLS) {
		draw_tiny(u);
		refresh();
		return;
	}
	format_countdown(v->phase_remaining_ms, c.count, sizeof c.count);
	c.track = ph->kind == PHASE_WORK && d && d->n_steps > 0 && d->step_ms > 0;
	c.cue_lines = 0;
	if (cue) {
		struct wtext t, lines[CUE_MAX_LINES];
		wtext_set(u, &t, cue, 0);
		c.cue_lines = wrap(u, &t, COLS - 4, CUE_MAX_LINES, lines);
	}
	layout_fit(LINES, COLS, &c, &l);
	u->track_y = l.y[IT_TRACK];
	u->track_h = l.h[IT_TRACK];

	if (l.h[IT_HEADER])
		draw_header(u, v, now, l.y[IT_HEADER]);
	draw_title(u, ph, l.y[IT_TITLE]);
	draw_countdown(u, &l, &c, v, ph->kind);
	if (l.h[IT_CUE])
		draw_cue(u, &l, cue);
	if (l.h[IT_TRACK]) {
		draw_track(u, &l, d, v, ph->kind);
		u->track_shown = true;
	}
	if (l.h[IT_PROMPT])
		draw_prompt(u, l.y[IT_PROMPT], wall);
	if (l.h[IT_NEXT])
		draw_next(u, v, l.y[IT_NEXT]);
	if (l.h[IT_PROGRESS])
		draw_progress(u, v, l.y[IT_PROGRESS]);
	if (l.h[IT_KEYS])
		draw_keys(u, l.y[IT_KEYS]);
	if (u->help)
		draw_help(u);
	refresh();
}

/* --- Input and signals -------------------------------------------------- */

static void resize(void)
{
	struct winsize ws;

	/* Our own SIGWINCH handler runs instead of ncurses', so ask the
	 * terminal for its size ourselves. */
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
}

static int on_key(struct cui *u, int ch)
{
	u->drawn_valid = false;
	if (ch == KEY_RESIZE)
		return NO_CMD;  /* the next frame lays out for the new size */
	if (u->asking) {
		u->asking = false;
		return ch == 'y' || ch == 'Y' ? CMD_STOP : NO_CMD;
	}
	if (u->help) {
		u->help = false;
		return NO_CMD;
	}
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct key_binding *k = &key_bindings[i];
		if (k->key != ch)
			continue;
		switch (k->act) {
		case KA_COMMAND: return (int)k->cmd;
		case KA_ASK_STOP: u->asking = true; return NO_CMD;
		case KA_HELP: u->help = true; return NO_CMD;
		case KA_REDRAW: clearok(curscr, TRUE); return NO_CMD;
		}
	}
	return NO_CMD;
}

/* Reads keys until one makes a command. Returns it, or NO_CMD once curses
 * has none left; the count of keys read goes to *got. */
static int read_keys(struct cui *u, unsigned *got)
{
	for (;;) {
		int ch = getch(), cmd;

		if (ch == ERR) {
			u->keys_pending = false;
			return NO_CMD;
		}
		(*got)++;
		cmd = on_key(u, ch);
		if (cmd != NO_CMD) {
			/* More keys may wait in curses' own buffer, out of poll's sight. */
			u->keys_pending = true;
			return cmd;
		}
	}
}

static void suspend(void)
{
	endwin();
	signals_suspend_self();
	/* The terminal may have changed size while we were stopped; the next
	 * refresh() takes the screen back and repaints all of it. */
	resize();
	clearok(curscr, TRUE);
}

/* Acts on Ctrl-Z, fg and resizes. Returns a command for the loop or NO_CMD. */
static int take_signals(struct cui *u, const struct session *s)
{
	if (signals_take_winch())
		resize();
	if (signals_take_cont())
		clearok(curscr, TRUE);  /* something else may have drawn on the terminal */
	if (signals_take_tstp()) {
		u->suspend_pending = true;
		u->suspend_paused = false;
	}
	if (!u->suspend_pending)
		return NO_CMD;
	/* Pause at the moment of Ctrl-Z, so the time stopped is not counted,
	 * and stay paused after fg until the runner presses space. */
	if (!session_paused(s) && !u->suspend_paused) {
		u->suspend_paused = true;
		return CMD_PAUSE;
	}
	u->suspend_pending = false;
	suspend();
	return NO_CMD;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Real ms until something on screen changes: the deadline, the next whole
 * second of the countdown or the clock, the end of a highlight, or the next
 * frame of a moving marker. -1: nothing until a key or signal. */
static int redraw_timeout(const struct cui *u, const struct clock *c, const struct session_view *v,
                          uint64_t now, uint64_t wall, uint64_t deadline)
{
	uint64_t next = deadline;
	uint64_t rem = v->phase_remaining_ms;
	int ms;

	if (!v->paused && rem > 0)
		next = min_u64(next, now + (rem % 1000 ? rem % 1000 : 1000));
	next = min_u64(next, now + 1000 - now % 1000);
	ms = clock_ms_until(c, next);
	if (u->prompt && u->prompt_until_wall > wall &&
	    (ms < 0 || u->prompt_until_wall - wall < (uint64_t)ms))
		ms = (int)(u->prompt_until_wall - wall);
	if (u->track_shown && !v->paused && (ms < 0 || ms > FRAME_MS))
		ms = FRAME_MS;
	return ms;
}

/* --- The ui_ops --------------------------------------------------------- */

static bool locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

static void colours_start(struct cui *u)
{
	short bg = -1;

	if (!u->cfg.color || !has_colors() || start_color() == ERR || COLORS < 8)
		return;
	if (use_default_colors() == ERR)
		bg = COLOR_BLACK;
	init_pair(PAIR_LEAD_IN, COLOR_MAGENTA, bg);
	init_pair(PAIR_WORK, COLOR_GREEN, bg);
	init_pair(PAIR_SWITCH, COLOR_YELLOW, bg);
	init_pair(PAIR_REST, COLOR_CYAN, bg);
	init_pair(PAIR_PROMPT, COLOR_RED, bg);
	u->color = true;
}

/* A crash must not leave the runner's terminal raw and without echo. */
static void restore_terminal(void)
{
	endwin();
}

static int curses_start(void **state, const struct ui_config *cfg)
{
	struct cui *u = calloc(1, sizeof *u);

	if (!u)
		return -1;
	u->cfg = *cfg;
	u->plan = cfg->plan;
	setlocale(LC_ALL, "");
	u->utf8 = locale_is_utf8();
	u->g = u->utf8 ? &glyphs_utf8 : &glyphs_ascii;
	/* newterm, not initscr: initscr exits on an unknown terminal, and we
	 * would rather report it through run's ui_failed. */
	u->screen = newterm(NULL, stdout, stdin);
	if (!u->screen) {
		free(u);
		return -1;
	}
	signals_on_crash(restore_terminal);
	set_escdelay(ESC_DELAY_MS);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	leaveok(stdscr, TRUE);
	curs_set(0);
	colours_start(u);
	u->stdin_open = true;
	*state = u;
	return 0;
}

static void ring(const struct cui *u)
{
	if (u->cfg.bell)
		beep();
}

static void curses_event(void *state, const struct event *ev, uint64_t wall_ms)
{
	struct cui *u = state;

	u->drawn_valid = false;
	switch (ev->kind) {
	case EV_PHASE_START:
		u->prompt = NULL;
		ring(u);
		break;
	case EV_CUE:
		if (ev->cue != CUE_MOVEMENT) {
			u->prompt = ev->text;
			u->prompt_until_wall = wall_ms + PROMPT_HIGHLIGHT_MS;
		}
		break;
	case EV_COUNTDOWN:
		ring(u);
		break;
	case EV_SESSION_END:
		u->ended = true;
		u->status = ev->status;
		break;
	default:
		break;
	}
}

static int curses_wait(void *state, struct clock *c, const struct session *s, uint64_t deadline)
{
	struct cui *u = state;

	for (;;) {
		struct pollfd fds[2];
		struct session_view v;
		unsigned got = 0;
		uint64_t now, wall;
		int cmd, n, nfds = 0, timeout;

		if ((cmd = take_signals(u, s)) != NO_CMD)
			return cmd;
		if (signals_terminating())
			return UI_WAKE;
		if (u->keys_pending && (cmd = read_keys(u, &got)) != NO_CMD)
			return cmd;
		now = clock_now(c);
		if (now >= deadline)
			return UI_WAKE;
		session_view(s, now, &v);
		wall = clock_wall_ms(c);
		draw(u, &v, now, wall);
		timeout = redraw_timeout(u, c, &v, now, wall, deadline);

		if (signals_fd() >= 0)
			fds[nfds++] = (struct pollfd){ .fd = signals_fd(), .events = POLLIN };
		if (u->stdin_open)
			fds[nfds++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		n = poll(fds, (nfds_t)nfds, timeout);
		if (n < 0 && errno != EINTR) {
			/* Cannot wait for input: at least wait for the time. */
			clock_sleep_until(c, deadline == UINT64_MAX ? now + 1000 : deadline);
			continue;
		}
		for (int i = 0; i < nfds && n > 0; i++) {
			if (fds[i].fd != STDIN_FILENO) {
				if (fds[i].revents)
					signals_drain();
				continue;
			}
			if (fds[i].revents & POLLIN) {
				cmd = read_keys(u, &got);
				u->empty_reads = got ? 0 : u->empty_reads + 1;
				if (u->empty_reads >= EMPTY_READS_EOF)
					u->stdin_open = false;
				if (cmd != NO_CMD)
					return cmd;
			} else if (fds[i].revents & (POLLHUP | POLLERR | POLLNVAL)) {
				u->stdin_open = false;
			}
		}
	}
}

static const char *status_words(enum session_status st)
{
	switch (st) {
	case SESSION_COMPLETED: return "completed";
	case SESSION_STOPPED: return "stopped";
	case SESSION_INTERRUPTED: return "interrupted";
	case SESSION_RUNNING: break;
	}
	return "ended";
}

/* The summary goes to the normal screen after endwin; routine text passes
 * through the same escaper as headless output. */
static int print_summary(const struct cui *u, const struct session *s)
{
	const struct routine *r = u->plan->routine;
	const struct session_totals *t = session_totals(s);
	struct strbuf b = { NULL, 0, 0, false };
	char el[24], planned[24];
	unsigned marks = 0;
	int rc = 0;

	duration_format(t->elapsed_ms, el, sizeof el);
	duration_format(t->planned_ms, planned, sizeof planned);
	strbuf_text(&b, r->name);
	strbuf_addf(&b, ": session %s after %s (planned %s).\n",
	            status_words(u->ended ? u->status : SESSION_RUNNING), el, planned);
	strbuf_addf(&b, "Drills done: %u of %u. Phases skipped: %u.\n",
	            t->drills_completed, r->n_drills, t->phases_skipped);
	for (unsigned d = 0; t->tender && d < r->n_drills; d++) {
		for (unsigned side = 0; side < 3; side++) {
			unsigned k = t->tender[d * 3 + side];
			if (k == 0)
				continue;
			strbuf_add(&b, marks++ ? "; " : "Tender spots marked: ");
			strbuf_text(&b, r->drills[d].name);
			if (side_name((enum side)side))
				strbuf_addf(&b, ", %s", side_name((enum side)side));
			strbuf_addf(&b, ": %u", k);
		}
	}
	if (marks)
		strbuf_add(&b, ".\n");
	if (b.failed || fwrite(b.p, 1, b.len, stdout) != b.len || fflush(stdout) == EOF)
		rc = -1;
	strbuf_free(&b);
	return rc;
}

static int curses_finish(void *state, const struct session *s)
{
	struct cui *u = state;
	int rc = 0;

	if (!u)
		return 0;
	signals_on_crash(NULL);
	endwin();
	delscreen(u->screen);
	if (s)
		rc = print_summary(u, s);
	free(u);
	return rc;
}

const struct ui_ops ui_curses_ops = {
	curses_start, curses_event, curses_wait, curses_finish,
};
