#include "words.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/*
 * Reads one word starting at *s (not a blank) into out, which has room for
 * the rest of the line, and moves *s past it. Returns false on an unclosed
 * quote or a trailing backslash.
 */
static bool read_word(const char **s, char *out)
{
	const char *p = *s;
	char quote = 0;

	while (*p && (quote || !is_blank(*p))) {
		if (quote == '\'') {
			if (*p == '\'')
				quote = 0;
			else
				*out++ = *p;
			p++;
		} else if (quote == '"') {
			if (*p == '"') {
				quote = 0;
			} else if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) {
				*out++ = *++p;
			} else {
				*out++ = *p;
			}
			p++;
		} else if (*p == '\'' || *p == '"') {
			quote = *p++;
		} else if (*p == '\\') {
			if (!p[1])
				return false;
			*out++ = p[1];
			p += 2;
		} else {
			*out++ = *p++;
		}
	}
	*out = '\0';
	*s = p;
	return quote == 0;
}

enum words_err words_split(const char *line, char ***argv, int *argc)
{
	size_t len = strlen(line), n = 0;
	enum words_err err = WORDS_OK;
	char **v, *word;
	const char *p = line;

	/* A line of len bytes holds at most len / 2 + 1 words. */
	v = calloc(len / 2 + 2, sizeof *v);
	if (!v)
		return WORDS_NOMEM;
	for (;;) {
		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		word = malloc(len + 1);
		if (!word) {
			err = WORDS_NOMEM;
			goto out;
		}
		v[n++] = word;
		if (!read_word(&p, word)) {
			err = WORDS_UNCLOSED;
			goto out;
		}
	}
	if (n == 0)
		err = WORDS_EMPTY;
out:
	if (err != WORDS_OK) {
		words_free(v);
		return err;
	}
	*argv = v;
	*argc = (int)n;
	return WORDS_OK;
}

void words_free(char **argv)
{
	char **p;

	if (!argv)
		return;
	for (p = argv; *p; p++)
		free(*p);
	free(argv);
}

const char *words_strerror(enum words_err err)
{
	switch (err) {
	case WORDS_OK: return "no error";
	case WORDS_EMPTY: return "it names no program";
	case WORDS_UNCLOSED: return "a quote is not closed, or a backslash ends it";
	case WORDS_NOMEM: return "out of memory";
	}
	return "unknown error";
}
