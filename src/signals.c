#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* A signal handler can reach nothing else, so this module keeps the one
 * piece of global state in the program. */
static volatile sig_atomic_t terminating, tstp, cont, winch;
static int pipe_fd[2] = { -1, -1 };
static void (*crash_restore)(void);
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
static struct sigaction crash_old[sizeof crash_signals / sizeof crash_signals[0]];

static void on_signal(int sig)
{
	int saved = errno;
	char byte = 0;

	switch (sig) {
	case SIGINT: case SIGTERM: case SIGHUP:
		if (!terminating)
			terminating = sig;
		break;
	case SIGTSTP: tstp = 1; break;
	case SIGCONT: cont = 1; break;
	case SIGWINCH: winch = 1; break;
	default: break;
	}
	if (pipe_fd[1] != -1 && write(pipe_fd[1], &byte, 1) == -1) {
		/* A full pipe already holds a wake-up. */
	}
	errno = saved;
}

static int set_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int signals_install(void)
{
	/* SIGCHLD only wakes the loop, so a finished speaker or hook is reaped
	 * at once, even while the session is paused and nothing else is due. */
	static const int caught[] = { SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGCONT, SIGWINCH, SIGCHLD };
	struct sigaction sa;
	size_t i;

	if (pipe_fd[0] == -1) {
		if (pipe(pipe_fd) == -1)
			return -1;
		if (set_flags(pipe_fd[0]) == -1 || set_flags(pipe_fd[1]) == -1)
			return -1;
	}
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: sleeps and polls must return so the loop sees the flag. */
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_NOCLDSTOP;
	for (i = 0; i < sizeof caught / sizeof caught[0]; i++)
		if (sigaction(caught[i], &sa, NULL) == -1)
			return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

int signals_fd(void)
{
	return pipe_fd[0];
}

int signals_terminating(void)
{
	return terminating;
}

static int take(volatile sig_atomic_t *flag)
{
	int was = *flag;
	*flag = 0;
	return was;
}

int signals_take_tstp(void) { return take(&tstp); }
int signals_take_cont(void) { return take(&cont); }
int signals_take_winch(void) { return take(&winch); }

void signals_drain(void)
{
	char buf[64];

	if (pipe_fd[0] == -1)
		return;
	while (read(pipe_fd[0], buf, sizeof buf) > 0)
		;
}

void signals_suspend_self(void)
{
	struct sigaction dfl, ours;
	sigset_t set, old;

	memset(&dfl, 0, sizeof dfl);
	sigemptyset(&dfl.sa_mask);
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGTSTP, &dfl, &ours);
	sigemptyset(&set);
	sigaddset(&set, SIGTSTP);
	sigprocmask(SIG_UNBLOCK, &set, &old);
	raise(SIGTSTP);
	/* Execution resumes here after SIGCONT. */
	sigprocmask(SIG_SETMASK, &old, NULL);
	sigaction(SIGTSTP, &ours, NULL);
	cont = 0;
}

/* After a crash: put the terminal back, then let the signal do what it did
 * before (the default, or a sanitizer's report) by reinstating that action
 * and raising the signal again. */
static void on_crash(int sig)
{
	if (crash_restore) {
		void (*restore)(void) = crash_restore;
		crash_restore = NULL;
		restore();
	}
	for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
		if (crash_signals[i] == sig)
			sigaction(sig, &crash_old[i], NULL);
	raise(sig);
}

void signals_on_crash(void (*restore)(void))
{
	struct sigaction sa;
	size_t i;

	crash_restore = restore;
	if (!restore)
		return;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_crash;
	for (i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
		sigaction(crash_signals[i], &sa, &crash_old[i]);
}
