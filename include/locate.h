#ifndef WARMUP_LOCATE_H
#define WARMUP_LOCATE_H

#include <stddef.h>

/*
 * Where routines are looked for, in order: each folder of $WARMUP_PATH
 * (colon-separated), $XDG_CONFIG_HOME/warmup/routines (default
 * ~/.config/warmup/routines), the installed share/warmup/routines (as
 * configured, and beside the program when it runs as PREFIX/bin/warmup from
 * elsewhere), and the source tree's routines/ when the program runs from
 * its build folder.
 */

struct search_path {
	char **dirs;
	size_t n;
};

/* Fills sp; returns 0 or -1 when out of memory. Free with search_path_free. */
int search_path_get(struct search_path *sp);
void search_path_free(struct search_path *sp);

/*
 * Resolves ROUTINE: an existing path is taken as it is; a bare NAME (with or
 * without .yaml) is looked up along the search path. Returns a malloc'ed
 * path, or NULL when nothing was found (or out of memory).
 */
char *locate_routine(const char *arg, const struct search_path *sp);

#endif
