/*
 * libFuzzer target: duration_parse against a reference written from the
 * grammar in duration.h ("90", or h, m, s parts in that order, each at most
 * once; digits only), and duration_format into buffers of every small size.
 * The two must agree on which strings are valid and on their value; which
 * error an invalid string gets (syntax or overflow) may differ.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Returns whether s matches the grammar; *fits and *ms give the value. */
static bool reference(const char *s, bool *fits, uint64_t *ms)
{
	static const char units[] = "hms";
	static const uint64_t unit_ms[] = { 3600000, 60000, 1000 };
	unsigned __int128 total = 0;
	const unsigned __int128 cap = (unsigned __int128)UINT64_MAX;
	size_t next = 0;
	bool any = false, big = false;

	if (*s == '\0')
		return false;
	while (*s) {
		unsigned __int128 n = 0;
		const char *digits = s;
		while (*s >= '0' && *s <= '9') {
			n = n * 10 + (unsigned)(*s - '0');
			if (n > cap)
				big = true, n = cap + 1;
			s++;
		}
		if (s == digits)
			return false;
		if (*s == '\0' && !any) {   /* a bare count of seconds */
			total = n * 1000;
			any = true;
			break;
		}
		const char *u = *s ? strchr(units + next, *s) : NULL;
		if (u == NULL)
			return false;
		total += n * unit_ms[u - units];
		if (total > cap)
			big = true, total = cap + 1;
		next = (size_t)(u - units) + 1;
		any = true;
		s++;
	}
	*fits = !big && total <= cap;
	*ms = *fits ? (uint64_t)total : 0;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), buf[40];
	const uint64_t sentinel = 0x5a5a5a5a5a5a5a5aULL;
	uint64_t ms = sentinel, ref_ms = 0;
	bool fits = false, valid;
	enum duration_err err;

	FUZZ_ASSERT(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';

	err = duration_parse(s, &ms);
	valid = reference(s, &fits, &ref_ms);
	if (err == DURATION_OK) {
		FUZZ_ASSERT(valid && fits);
		FUZZ_ASSERT(ms == ref_ms);
		FUZZ_ASSERT(ms % 1000 == 0);
	} else {
		FUZZ_ASSERT(ms == sentinel);        /* untouched on error */
		FUZZ_ASSERT(!(valid && fits));
		FUZZ_ASSERT(duration_strerror(err) != NULL);
		if (*s == '\0')
			FUZZ_ASSERT(err == DURATION_EMPTY);
		ms = ref_ms;
		if (size >= 8)                      /* any value for the formatter */
			memcpy(&ms, data, sizeof ms);
	}

	for (size_t n = 1; n <= sizeof buf; n++) {
		memset(buf, 'x', sizeof buf);
		duration_format(ms, buf, n);
		FUZZ_ASSERT(memchr(buf, '\0', n) != NULL);
	}
	free(s);
	return 0;
}
