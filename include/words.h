#ifndef WARMUP_WORDS_H
#define WARMUP_WORDS_H

/*
 * Splits a command line such as $WARMUP_SAY or the --on-event value into
 * an argv, without a shell: words are separated by blanks (space, tab,
 * newline); '...' keeps everything literally, "..." keeps everything but
 * lets \" and \\ stand for " and \, and a backslash outside quotes takes
 * the next character literally. Nothing is expanded ($, *, ~ stay as they
 * are), so a command line can never run more than the one program it names.
 */

enum words_err {
	WORDS_OK,
	WORDS_EMPTY,        /* no word at all */
	WORDS_UNCLOSED,     /* a quote is not closed, or a backslash ends the line */
	WORDS_NOMEM,
};

/*
 * On success *argv is a malloc'ed, NULL-terminated vector of malloc'ed
 * words and *argc their count; free it with words_free. On failure both
 * are left untouched.
 */
enum words_err words_split(const char *line, char ***argv, int *argc);
void words_free(char **argv);

/* A sentence saying what went wrong, for error messages. */
const char *words_strerror(enum words_err err);

#endif
