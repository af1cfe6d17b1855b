/* The headless front end: one line per event on stdout, as readable text
 * for logs and people or as JSON Lines for programs. When standard input is
 * a pipe, it also takes commands from it, one word per line. */
#include "ui.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "duration.h"
#include "signals.h"
#include "event_json.h"
#include "strbuf.h"

struct headless {
	const struct ui_config *cfg;
	struct strbuf line;
	bool io_error;
	int cmd_fd;             /* a pipe of commands, or -1 */
	bool suspend_pending;   /* Ctrl-Z came and the session is paused for it */
	bool resume_after;      /* that pause was ours to undo after fg */
	char in[256];           /* a partial command line */
	size_t in_len;
};

/* The words a script may send, one per line. */
static const struct { const char *word; enum session_cmd cmd; } words[] = {
	{ "pause", CMD_PAUSE }, { "resume", CMD_RESUME }, { "toggle", CMD_TOGGLE_PAUSE },
	{ "skip", CMD_SKIP }, { "next", CMD_SKIP }, { "back", CMD_BACK }, { "extend", CMD_EXTEND },
	{ "stop", CMD_STOP }, { "tender", CMD_TENDER },
};

static int headless_start(void **state, const struct ui_config *cfg)
{
	struct headless *h = calloc(1, sizeof *h);
	struct stat st;

	if (!h)
		return -1;
	h->cfg = cfg;
	/* Only a pipe carries commands in time; a file or /dev/null would
	 * deliver them all at once, and a virtual clock has no "when". */
	h->cmd_fd = cfg->wall && fstat(STDIN_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
	            ? STDIN_FILENO : -1;
	*state = h;
	return 0;
}

/* Takes the first complete line from the input buffer as a command. */
static int next_command(struct headless *h)
{
	char *nl;
	size_t i, len;

	while ((nl = memchr(h->in, '\n', h->in_len))) {
		int cmd = -1;

		len = (size_t)(nl - h->in);
		if (len && h->in[len - 1] == '\r')
			len--;
		for (i = 0; i < sizeof words / sizeof words[0]; i++)
			if (strlen(words[i].word) == len && memcmp(words[i].word, h->in, len) == 0)
				cmd = (int)words[i].cmd;
		h->in_len -= (size_t)(nl + 1 - h->in);
		memmove(h->in, nl + 1, h->in_len);
		if (cmd >= 0)
			return cmd;
	}
	if (h->in_len == sizeof h->in)
		h->in_len = 0;  /* an over-long line is no command */
	return -1;
}


/* One write and one flush per line, so a reader sees each event the moment
 * it happens and never half a line. */
static void emit_line(struct headless *h)
{
	if (h->io_error)
		return;
	if (h->line.failed || fwrite(h->line.p, 1, h->line.len, stdout) != h->line.len ||
	    fflush(stdout) == EOF)
		h->io_error = true;
	strbuf_reset(&h->line);
}

static const struct phase *phase_of(const struct headless *h, const struct event *ev)
{
	return &h->cfg->plan->phases[ev->phase];
}

static const char *drill_name(const struct headless *h, const struct phase *ph)
{
	return ph->drill >= 0 ? h->cfg->plan->routine->drills[ph->drill].name : NULL;
}

static void stamp(struct strbuf *b, uint64_t t)
{
	unsigned long long s = t / 1000;
	strbuf_addf(b, "[%02llu:%02llu] ", s / 60, s % 60);
}

static void text_phase_title(struct headless *h, const struct phase *ph)
{
	struct strbuf *b = &h->line;
	const struct plan *p = h->cfg->plan;
	char len[16];

	duration_format(ph->duration_ms, len, sizeof len);
	switch (ph->kind) {
	case PHASE_LEAD_IN:
		strbuf_addf(b, "Get ready, %s", len);
		break;
	case PHASE_WORK:
		strbuf_text(b, drill_name(h, ph));
		if (ph->side != SIDE_NONE)
			strbuf_addf(b, ", %s side", side_name(ph->side));
		strbuf_addf(b, ", %s", len);
		break;
	case PHASE_SWITCH:
		strbuf_addf(b, "Switch sides, %s", len);
		break;
	case PHASE_REST:
		strbuf_addf(b, "Rest, %s", len);
		if (ph + 1 < p->phases + p->n_phases && ph[1].drill >= 0) {
			strbuf_add(b, "; next: ");
			strbuf_text(b, p->routine->drills[ph[1].drill].name);
		}
		break;
	case PHASE__COUNT:
		break;
	}
}

static void event_text(struct headless *h, const struct event *ev)
{
	const struct plan *p = h->cfg->plan;
	const struct phase *ph = phase_of(h, ev);
	struct strbuf *b = &h->line;
	char total[16], a[16], w[16];

	switch (ev->kind) {
	case EV_SESSION_START:
		duration_format(p->total_ms, total, sizeof total);
		strbuf_add(b, "warmup: ");
		strbuf_text(b, p->routine->name);
		strbuf_add(b, " (");
		strbuf_text(b, h->cfg->file);
		strbuf_addf(b, "), %zu phases, total %s, equipment %s\n", p->n_phases, total,
		            equipment_name(p->equipment));
		break;
	case EV_PHASE_START:
		stamp(b, ev->t);
		text_phase_title(h, ph);
		strbuf_add(b, "\n");
		if (ph->kind == PHASE_WORK && plan_cue(p, ph->drill)) {
			strbuf_add(b, "        ");
			strbuf_text(b, plan_cue(p, ph->drill));
			strbuf_add(b, "\n");
		}
		break;
	case EV_CUE:
		stamp(b, ev->t);
		strbuf_add(b, ev->cue == CUE_MOVEMENT ? "  ~ " : ev->cue == CUE_LINGER ? "  ! " : "  > ");
		strbuf_text(b, ev->text);
		strbuf_add(b, "\n");
		break;
	case EV_PHASE_END:
		if (ev->phase_status == PHASE_SKIPPED) {
			stamp(b, ev->t);
			strbuf_add(b, "Skipped\n");
		}
		break;
	case EV_PAUSE:
		stamp(b, ev->t);
		strbuf_add(b, "Paused\n");
		break;
	case EV_RESUME:
		stamp(b, ev->t);
		strbuf_add(b, "Resumed\n");
		break;
	case EV_TENDER:
		stamp(b, ev->t);
		strbuf_add(b, "Tender spot marked: ");
		strbuf_text(b, drill_name(h, ph));
		if (ph->side != SIDE_NONE)
			strbuf_addf(b, ", %s side", side_name(ph->side));
		strbuf_add(b, "\n");
		break;
	case EV_SESSION_END:
		duration_format(ev->elapsed_ms, a, sizeof a);
		duration_format(ev->work_ms, w, sizeof w);
		stamp(b, ev->t);
		strbuf_addf(b, "Session %s: %s elapsed, %s rolling\n", session_status_name(ev->status), a, w);
		break;
	case EV_COUNTDOWN:
	case EV__COUNT:
		/* The 3-2-1 is for the bell; in a log it is noise. */
		break;
	}
	if (b->len)
		emit_line(h);
}

static void headless_event(void *state, const struct event *ev, uint64_t wall_ms)
{
	struct headless *h = state;

	if (h->cfg->format == UI_FORMAT_JSONL) {
		event_json(&h->line, h->cfg->plan, h->cfg->file, h->cfg->wall, ev, wall_ms);
		emit_line(h);
	} else
		event_text(h, ev);
}

/* Reads what the command pipe has; false when it is closed. */
static bool read_commands(struct headless *h)
{
	ssize_t n = read(h->cmd_fd, h->in + h->in_len, sizeof h->in - h->in_len);

	if (n > 0)
		h->in_len += (size_t)n;
	return n > 0 || (n == -1 && (errno == EINTR || errno == EAGAIN));
}

/*
 * Waits for the deadline, a command on the pipe or a signal. poll() watches
 * the signal pipe, so a signal that lands just before the wait is seen at
 * once; the last two milliseconds are slept on the clock's absolute
 * deadline, so events stay on time.
 */
static int headless_wait(void *state, struct clock *c, const struct session *s, uint64_t deadline)
{
	struct headless *h = state;

	if (h->io_error)
		return UI_QUIT_IO;
	if (c->kind == CLOCK_KIND_VIRTUAL) {
		clock_sleep_until(c, deadline);
		return UI_WAKE;
	}
	for (;;) {
		struct pollfd fds[2];
		int cmd = next_command(h), ms, n, nfds = 0;

		if (cmd >= 0)
			return cmd;
		/* Ctrl-Z: pause first so the stopped time is not counted, stop,
		 * and after fg carry on (a log has no key to resume with). */
		if (h->suspend_pending) {
			h->suspend_pending = false;
			signals_suspend_self();
			if (h->resume_after) {
				h->resume_after = false;
				return CMD_RESUME;
			}
			continue;
		}
		if (signals_take_tstp()) {
			h->suspend_pending = true;
			h->resume_after = !session_paused(s);
			if (h->resume_after)
				return CMD_PAUSE;
			continue;
		}
		ms = clock_ms_until(c, deadline);
		if (ms == 0)
			return UI_WAKE;
		if (ms > 0 && ms <= 2) {
			clock_sleep_until(c, deadline);
			return UI_WAKE;
		}
		if (signals_fd() >= 0)
			fds[nfds++] = (struct pollfd){ .fd = signals_fd(), .events = POLLIN };
		if (h->cmd_fd >= 0)
			fds[nfds++] = (struct pollfd){ .fd = h->cmd_fd, .events = POLLIN };
		/* poll() may overrun its timeout by about 0.1%: wake a little
		 * earlier the longer the wait, and go round again. */
		n = poll(fds, (nfds_t)nfds, ms < 0 ? -1 : ms - 2 - ms / 500);
		if (n == -1)
			return UI_WAKE;     /* a signal: let the loop look */
		for (int i = 0; i < nfds; i++) {
			if (!fds[i].revents)
				continue;
			if (fds[i].fd != h->cmd_fd) {
				signals_drain();
				return UI_WAKE;
			}
			if (!read_commands(h))
				h->cmd_fd = -1;     /* the script is done talking */
		}
	}
}

static int headless_finish(void *state, const struct session *s)
{
	struct headless *h = state;
	const struct session_totals *t;
	int rc;

	if (s && h->cfg->format == UI_FORMAT_TEXT && !h->io_error) {
		t = session_totals(s);
		strbuf_addf(&h->line, "Summary: %u of %u drills completed, %u phases skipped\n",
		            t->drills_completed, h->cfg->plan->routine->n_drills, t->phases_skipped);
		emit_line(h);
	}
	rc = h->io_error ? -1 : 0;
	strbuf_free(&h->line);
	free(h);
	return rc;
}

const struct ui_ops ui_headless_ops = {
	headless_start, headless_event, headless_wait, headless_finish,
};
