#ifndef WARMUP_SIGNALS_H
#define WARMUP_SIGNALS_H

/*
 * Signals only set a flag and write a byte to a self-pipe; the loop acts.
 * Installed before curses starts, so ncurses leaves SIGINT/SIGTERM alone.
 */

/* Catches SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGCONT, SIGWINCH and SIGCHLD (a
 * wake-up only); ignores SIGPIPE.
 * Returns 0 or -1 (errno set). */
int signals_install(void);

/* The read end of the self-pipe (non-blocking), for poll(); -1 if not installed. */
int signals_fd(void);

/* The first terminating signal caught (SIGINT, SIGTERM, SIGHUP), or 0. */
int signals_terminating(void);

/* Returns and clears whether SIGTSTP / SIGCONT / SIGWINCH arrived. */
int signals_take_tstp(void);
int signals_take_cont(void);
int signals_take_winch(void);

/* Empties the self-pipe after a wake-up. */
void signals_drain(void);

/* Stops the process with the default SIGTSTP action, then returns after SIGCONT. */
void signals_suspend_self(void);

/* Calls restore (once) if the program crashes (SIGSEGV, SIGBUS, SIGFPE,
 * SIGILL, SIGABRT), then lets the crash go on as it would have, so the
 * terminal comes back and sanitizers still report. NULL disarms it. */
void signals_on_crash(void (*restore)(void));

#endif
