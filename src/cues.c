#include "cues.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "event_json.h"
#include "speech.h"
#include "strbuf.h"
#include "words.h"

extern char **environ;

/* Speech programs tried in order when $WARMUP_SAY is not set. */
static const char *const speakers[] = { "espeak-ng", "espeak", "say", "spd-say" };

enum role { ROLE_SPEECH, ROLE_HOOK };

/* A speaker cut short may take a moment to die; room for those and every hook. */
#define MAX_CHILDREN (CUES_MAX_HOOKS + 8)
#define MAX_WARNINGS 32

struct child {
	pid_t pid;              /* 0: free slot */
	enum role role;
	bool killed;            /* we stopped it: its end is no failure */
};

struct cues {
	struct cues_config cfg;
	struct speech speech;
	char **say_argv;        /* words, then a slot for the text, then NULL */
	int say_argc;
	char *say_path;         /* resolved program, or NULL: silent */
	char **hook_argv;
	char *hook_path;
	char **hook_env;        /* environ without WARMUP_EVENT, after a slot for ours */
	char env_event[64];     /* "WARMUP_EVENT=phase_start" */
	struct strbuf pending;  /* what to say at the end of this loop turn */
	uint64_t pending_t;     /* the instant it belongs to */
	struct strbuf line;     /* scratch: a hook's JSON line, a cleaned utterance */
	struct child children[MAX_CHILDREN];
	char *warnings[MAX_WARNINGS];
	size_t n_warnings, n_taken;
};

/* Queues a warning unless the same one was given before: a failure that
 * repeats on every event is still one line. */
static void warn(struct cues *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct cues *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	for (i = 0; i < c->n_warnings; i++)
		if (strcmp(c->warnings[i], msg) == 0)
			return;
	if (c->n_warnings < MAX_WARNINGS && (c->warnings[c->n_warnings] = strdup(msg)))
		c->n_warnings++;
}

/* A program name fit for a message: control characters made visible. */
static void shown(char *buf, size_t size, const char *name)
{
	struct strbuf b = { 0 };

	strbuf_text(&b, name);
	snprintf(buf, size, "%s", b.p ? b.p : "?");
	strbuf_free(&b);
}

static bool executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Where name runs from: itself when it holds a slash, else the first match
 * along PATH. Returns a malloc'ed path or NULL. */
static char *find_program(const char *name)
{
	const char *path = getenv("PATH"), *p, *colon;
	char *full;
	size_t dirlen;

	if (strchr(name, '/'))
		return executable(name) ? strdup(name) : NULL;
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = colon + 1) {
		colon = strchr(p, ':');
		dirlen = colon ? (size_t)(colon - p) : strlen(p);
		full = malloc(dirlen + strlen(name) + 3);
		if (!full)
			return NULL;
		/* An empty entry means the current folder, as for execvp. */
		sprintf(full, "%.*s/%s", (int)(dirlen ? dirlen : 1), dirlen ? p : ".", name);
		if (executable(full))
			return full;
		free(full);
		if (!colon)
			return NULL;
	}
}

static enum cues_err setup_hook(struct cues *c, char *err, size_t errsize)
{
	enum words_err we;
	char name[256];
	size_t n = 0, i, j;
	int argc;

	we = words_split(c->cfg.hook, &c->hook_argv, &argc);
	if (we == WORDS_NOMEM)
		return CUES_ERR_NOMEM;
	if (we != WORDS_OK) {
		snprintf(err, errsize, "--on-event wants a command line: %s", words_strerror(we));
		return CUES_ERR_HOOK;
	}
	c->hook_path = find_program(c->hook_argv[0]);
	if (!c->hook_path) {
		shown(name, sizeof name, c->hook_argv[0]);
		snprintf(err, errsize, "--on-event: cannot run '%s': %s", name,
		         strchr(c->hook_argv[0], '/') ? "no such executable file" : "not found on PATH");
		return CUES_ERR_HOOK;
	}
	while (environ && environ[n])
		n++;
	c->hook_env = calloc(n + 2, sizeof *c->hook_env);
	if (!c->hook_env)
		return CUES_ERR_NOMEM;
	/* Borrowed from environ, which nothing changes during a session. */
	c->hook_env[0] = c->env_event;
	for (i = 0, j = 1; i < n; i++)
		if (strncmp(environ[i], "WARMUP_EVENT=", 13) != 0)
			c->hook_env[j++] = environ[i];
	return CUES_OK;
}

static enum cues_err setup_speech(struct cues *c)
{
	enum words_err we = WORDS_EMPTY;
	char name[256];
	char **v = NULL;
	size_t i;
	int argc = 0;

	if (c->cfg.say_cmd && *c->cfg.say_cmd) {
		we = words_split(c->cfg.say_cmd, &v, &argc);
		if (we == WORDS_NOMEM)
			return CUES_ERR_NOMEM;
		if (we != WORDS_OK) {
			warn(c, "WARMUP_SAY is not a usable command line (%s); the session runs silently",
			     words_strerror(we));
			return CUES_OK;
		}
		c->say_path = find_program(v[0]);
		if (!c->say_path) {
			shown(name, sizeof name, v[0]);
			warn(c, "WARMUP_SAY names '%s', which cannot be run; the session runs silently", name);
			words_free(v);
			return CUES_OK;
		}
	} else {
		for (i = 0; i < sizeof speakers / sizeof speakers[0] && !c->say_path; i++)
			c->say_path = find_program(speakers[i]);
		if (!c->say_path) {
			warn(c, "--say: no speech program found (espeak-ng, espeak, say, spd-say); "
			        "install espeak-ng or set WARMUP_SAY; the session runs silently");
			return CUES_OK;
		}
		v = calloc(2, sizeof *v);
		if (!v || !(v[0] = strdup(strrchr(c->say_path, '/') + 1))) {
			free(v);
			return CUES_ERR_NOMEM;
		}
		argc = 1;
	}
	/* Room for the text and the terminating NULL. */
	c->say_argv = realloc(v, ((size_t)argc + 2) * sizeof *v);
	if (!c->say_argv) {
		words_free(v);
		return CUES_ERR_NOMEM;
	}
	c->say_argv[argc] = c->say_argv[argc + 1] = NULL;
	c->say_argc = argc;
	return CUES_OK;
}

enum cues_err cues_new(const struct cues_config *cfg, struct cues **out, char *err, size_t errsize)
{
	struct cues *c = calloc(1, sizeof *c);
	enum cues_err e = CUES_OK;

	if (!c)
		return CUES_ERR_NOMEM;
	c->cfg = *cfg;
	speech_init(&c->speech, cfg->plan);
	if (cfg->hook && (e = setup_hook(c, err, errsize)) != CUES_OK)
		goto out;
	if (cfg->say && !cfg->dry)
		e = setup_speech(c);
out:
	if (e != CUES_OK) {
		cues_free(c);
		return e;
	}
	*out = c;
	return CUES_OK;
}

static struct child *free_slot(struct cues *c)
{
	size_t i;

	for (i = 0; i < MAX_CHILDREN; i++)
		if (!c->children[i].pid)
			return &c->children[i];
	return NULL;
}

/*
 * Starts argv[0] at path in its own process group with default signal
 * actions (we ignore SIGPIPE, which exec would pass on) and the streams
 * set out in cues.h. in_fd becomes its standard input, or -1 for
 * /dev/null. Returns 0 or an errno value.
 */
static int spawn(struct cues *c, enum role role, const char *path, char **argv, char **envp, int in_fd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct child *slot = free_slot(c);
	bool quiet = role == ROLE_SPEECH || c->cfg.quiet;
	sigset_t all, none;
	pid_t pid;
	int rc;

	if (!slot)
		return EAGAIN;
	if ((rc = posix_spawn_file_actions_init(&fa)))
		return rc;
	if ((rc = posix_spawnattr_init(&attr))) {
		posix_spawn_file_actions_destroy(&fa);
		return rc;
	}
	sigfillset(&all);
	sigemptyset(&none);
	if (in_fd >= 0)
		rc = posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO);
	else
		rc = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (!rc && quiet)
		rc = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	else if (!rc)
		rc = posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
	if (!rc && quiet)
		rc = posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	if (!rc)
		rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
		                                     POSIX_SPAWN_SETSIGMASK);
	if (!rc)
		rc = posix_spawnattr_setpgroup(&attr, 0);
	if (!rc)
		rc = posix_spawnattr_setsigdefault(&attr, &all);
	if (!rc)
		rc = posix_spawnattr_setsigmask(&attr, &none);
	if (!rc)
		rc = posix_spawn(&pid, path, &fa, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return rc;
	*slot = (struct child){ pid, role, false };
	return 0;
}

static const char *role_name(enum role r)
{
	return r == ROLE_SPEECH ? "speech program" : "--on-event command";
}

static void ended(struct cues *c, struct child *ch, int status)
{
	char name[256];

	ch->pid = 0;
	/* However a speaker we cut short ends (killed, or exit 143 from a
	 * script that caught SIGTERM), it did as told. */
	if (ch->killed)
		return;
	shown(name, sizeof name, ch->role == ROLE_SPEECH ? c->say_argv[0] : c->hook_argv[0]);
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		warn(c, "%s '%s' exited with status %d", role_name(ch->role), name, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		warn(c, "%s '%s' was killed by signal %d (%s)", role_name(ch->role), name,
		     WTERMSIG(status), strsignal(WTERMSIG(status)));
}

static void reap(struct cues *c)
{
	size_t i;
	int status;

	for (i = 0; i < MAX_CHILDREN; i++) {
		struct child *ch = &c->children[i];
		pid_t r;

		if (!ch->pid)
			continue;
		r = waitpid(ch->pid, &status, WNOHANG);
		if (r == ch->pid)
			ended(c, ch, status);
		else if (r == -1 && errno == ECHILD)
			ch->pid = 0;    /* not ours to wait for any more */
	}
}

/* Cuts short every utterance still going: the process group, so a
 * WARMUP_SAY script takes its own children (an audio player) with it. */
static void hush(struct cues *c, int sig)
{
	size_t i;

	for (i = 0; i < MAX_CHILDREN; i++) {
		struct child *ch = &c->children[i];

		if (ch->pid && ch->role == ROLE_SPEECH) {
			if (kill(-ch->pid, sig) == -1)
				kill(ch->pid, sig);
			ch->killed = true;
		}
	}
}

static size_t running(const struct cues *c, enum role role)
{
	size_t i, n = 0;

	for (i = 0; i < MAX_CHILDREN; i++)
		n += c->children[i].pid && c->children[i].role == role;
	return n;
}

static void run_hook(struct cues *c, const struct event *ev, uint64_t wall_ms)
{
	char name[256];
	int fds[2], rc;
	ssize_t n;

	shown(name, sizeof name, c->hook_argv[0]);
	if (running(c, ROLE_HOOK) >= CUES_MAX_HOOKS) {
		warn(c, "--on-event command '%s' is too slow: %d runs still going, so some events "
		        "were not passed on", name, CUES_MAX_HOOKS);
		return;
	}
	strbuf_reset(&c->line);
	event_json(&c->line, c->cfg.plan, c->cfg.file, c->cfg.wall, ev, wall_ms);
	if (c->line.failed || pipe(fds) == -1) {
		warn(c, "--on-event: cannot make a pipe: %s", strerror(errno));
		return;
	}
	/* The write end stays ours only and never blocks the timer. */
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
	snprintf(c->env_event, sizeof c->env_event, "WARMUP_EVENT=%s", event_kind_name(ev->kind));
	rc = spawn(c, ROLE_HOOK, c->hook_path, c->hook_argv, c->hook_env, fds[0]);
	close(fds[0]);
	if (rc) {
		warn(c, "cannot run --on-event command '%s': %s", name, strerror(rc));
		close(fds[1]);
		return;
	}
	/* A fresh pipe holds 64 KiB, more than any line; should it be full
	 * anyway, or the hook gone (EPIPE: it need not read), the line is
	 * dropped rather than waited for. */
	n = write(fds[1], c->line.p, c->line.len);
	if (n >= 0 && (size_t)n < c->line.len)
		warn(c, "--on-event command '%s' got a truncated line: its pipe was full", name);
	close(fds[1]);
}

void cues_event(struct cues *c, const struct event *ev, uint64_t wall_ms)
{
	if (!c || c->cfg.dry)
		return;
	if (c->hook_path)
		run_hook(c, ev, wall_ms);
	if (!c->say_path)
		return;
	/* Text still waiting belongs to an earlier instant (the loop fell
	 * behind): the newer one matters more. */
	if (c->pending.len && ev->t != c->pending_t)
		strbuf_reset(&c->pending);
	speech_event(&c->speech, ev, &c->pending);
	if (c->pending.len)
		c->pending_t = ev->t;
}

static void speak(struct cues *c)
{
	char name[256];
	int rc;

	strbuf_reset(&c->line);
	speech_clean(&c->line, c->pending.p);
	strbuf_reset(&c->pending);
	if (!c->line.len || c->line.failed)
		return;
	hush(c, SIGTERM);
	c->say_argv[c->say_argc] = c->line.p;
	rc = spawn(c, ROLE_SPEECH, c->say_path, c->say_argv, environ, -1);
	c->say_argv[c->say_argc] = NULL;
	if (rc) {
		shown(name, sizeof name, c->say_argv[0]);
		warn(c, "cannot run speech program '%s': %s", name, strerror(rc));
	}
}

void cues_turn(struct cues *c)
{
	if (!c || c->cfg.dry)
		return;
	reap(c);
	if (c->pending.len)
		speak(c);
}

/* Waits until no child of role (any role when all) runs or ms of real time
 * pass. A short nap between looks: this runs after the session, when
 * nothing else needs the time. */
static void wait_for_children(struct cues *c, uint64_t ms, bool all)
{
	const struct timespec nap = { 0, 10 * 1000000L };
	struct clock clk;

	clock_start(&clk, CLOCK_KIND_REAL, 1);
	for (;;) {
		reap(c);
		if (running(c, ROLE_SPEECH) == 0 && (!all || running(c, ROLE_HOOK) == 0))
			return;
		if (clock_wall_ms(&clk) >= ms)
			return;
		nanosleep(&nap, NULL);
	}
}

void cues_finish(struct cues *c, bool hurry)
{
	size_t i;
	int status;

	if (!c || c->cfg.dry)
		return;
	if (c->pending.len && !hurry)
		speak(c);
	if (hurry)
		hush(c, SIGTERM);
	else
		wait_for_children(c, CUES_FINISH_WAIT_MS, true);
	hush(c, SIGTERM);
	wait_for_children(c, 200, false);
	/* A speaker that ignores SIGTERM still must not outlive us as a zombie. */
	for (i = 0; i < MAX_CHILDREN; i++) {
		struct child *ch = &c->children[i];

		if (ch->pid && ch->role == ROLE_SPEECH) {
			kill(-ch->pid, SIGKILL);
			kill(ch->pid, SIGKILL);
			if (waitpid(ch->pid, &status, 0) == ch->pid)
				ended(c, ch, status);
			ch->pid = 0;
		}
	}
	reap(c);
}

const char *cues_next_warning(struct cues *c)
{
	if (!c || c->n_taken >= c->n_warnings)
		return NULL;
	return c->warnings[c->n_taken++];
}

void cues_free(struct cues *c)
{
	size_t i;

	if (!c)
		return;
	words_free(c->say_argv);
	words_free(c->hook_argv);
	free(c->say_path);
	free(c->hook_path);
	free(c->hook_env);
	strbuf_free(&c->pending);
	strbuf_free(&c->line);
	for (i = 0; i < c->n_warnings; i++)
		free(c->warnings[i]);
	free(c);
}
