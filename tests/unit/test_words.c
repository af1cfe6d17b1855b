#include "words.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

static void test_split(void **state)
{
	(void)state;
	static const struct { const char *line; int argc; const char *argv[5]; } cases[] = {
		{ "espeak-ng", 1, { "espeak-ng" } },
		{ "espeak-ng -v en-gb -s 150", 5, { "espeak-ng", "-v", "en-gb", "-s", "150" } },
		{ "  \tlead\n trail  ", 2, { "lead", "trail" } },
		{ "notify-send 'Warm up'", 2, { "notify-send", "Warm up" } },
		{ "say \"a \\\"quoted\\\" \\\\ word\"", 2, { "say", "a \"quoted\" \\ word" } },
		{ "a\\ b c", 2, { "a b", "c" } },
		{ "'it''s' x", 2, { "its", "x" } },
		{ "echo '' end", 3, { "echo", "", "end" } },
		{ "no $HOME *.c ~ `x` $(y); z", 5, { "no", "$HOME", "*.c", "~", "`x`" } },
		{ "'single \\ keeps \"all\"'", 1, { "single \\ keeps \"all\"" } },
		{ "\"mixed\"'quotes'glued", 1, { "mixedquotesglued" } },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char **argv = NULL;
		int argc = -1, j;

		assert_int_equal(words_split(cases[i].line, &argv, &argc), WORDS_OK);
		if (i == 8) {
			/* Only the first five of "no $HOME *.c ~ `x` $(y); z" are listed. */
			assert_int_equal(argc, 7);
			assert_string_equal(argv[5], "$(y);");
			assert_string_equal(argv[6], "z");
		} else {
			assert_int_equal(argc, cases[i].argc);
		}
		for (j = 0; j < cases[i].argc; j++)
			assert_string_equal(argv[j], cases[i].argv[j]);
		assert_null(argv[argc]);
		words_free(argv);
	}
}

static void test_errors(void **state)
{
	(void)state;
	static const struct { const char *line; enum words_err err; } cases[] = {
		{ "", WORDS_EMPTY },
		{ " \t\n", WORDS_EMPTY },
		{ "'unclosed", WORDS_UNCLOSED },
		{ "say \"unclosed", WORDS_UNCLOSED },
		{ "trailing\\", WORDS_UNCLOSED },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char **argv = (char **)&cases;  /* must stay untouched */
		int argc = -7;

		assert_int_equal(words_split(cases[i].line, &argv, &argc), cases[i].err);
		assert_ptr_equal(argv, (char **)&cases);
		assert_int_equal(argc, -7);
		assert_true(strlen(words_strerror(cases[i].err)) > 0);
	}
}

/* The most words a line can hold: every other character a blank. */
static void test_many_words(void **state)
{
	char line[201], **argv;
	int argc, i;

	(void)state;
	for (i = 0; i < 200; i++)
		line[i] = i % 2 ? ' ' : 'a' + i % 26;
	line[200] = '\0';
	assert_int_equal(words_split(line, &argv, &argc), WORDS_OK);
	assert_int_equal(argc, 100);
	assert_null(argv[100]);
	words_free(argv);
	assert_int_equal(words_split("''''''''", &argv, &argc), WORDS_OK);
	assert_int_equal(argc, 1);
	words_free(argv);
	assert_int_equal(words_split("'' '' '' ''", &argv, &argc), WORDS_OK);
	assert_int_equal(argc, 4);
	assert_null(argv[4]);
	words_free(argv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_many_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
