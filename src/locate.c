#include "locate.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef WARMUP_DATADIR
#define WARMUP_DATADIR "/usr/local/share/warmup"
#endif
#ifndef WARMUP_SRCDIR
#define WARMUP_SRCDIR ""
#endif

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);

	if (!s)
		return NULL;
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

static int push(struct search_path *sp, char *dir)
{
	char **v;

	if (!dir)
		return -1;
	v = realloc(sp->dirs, (sp->n + 1) * sizeof *v);
	if (!v) {
		free(dir);
		return -1;
	}
	sp->dirs = v;
	sp->dirs[sp->n++] = dir;
	return 0;
}

/* Where this program's own file is, or "" when it cannot be told. */
static void own_path(char *exe, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", exe, size - 1);

	exe[n > 0 ? n : 0] = '\0';
}

/* True when this program is build/warmup (or a variant's) inside the source
 * tree it was compiled from, so `make run` finds the bundled routines. */
static bool running_from_build_tree(const char *exe)
{
	char build[PATH_MAX];

	if (!exe[0] || WARMUP_SRCDIR[0] == '\0')
		return false;
	snprintf(build, sizeof build, "%s/build/", WARMUP_SRCDIR);
	return strncmp(exe, build, strlen(build)) == 0;
}

/* PREFIX/share/warmup/routines for a program installed as PREFIX/bin/warmup,
 * so an installation found under another prefix (or a DESTDIR) still finds
 * its own routines; NULL otherwise. */
static char *routines_beside(const char *exe)
{
	const char *tail = "/bin/warmup";
	size_t le = strlen(exe), lt = strlen(tail);
	char *dir;

	if (le <= lt || strcmp(exe + le - lt, tail) != 0)
		return NULL;
	dir = malloc(le - lt + sizeof "/share/warmup/routines");
	if (dir)
		sprintf(dir, "%.*s/share/warmup/routines", (int)(le - lt), exe);
	return dir;
}

int search_path_get(struct search_path *sp)
{
	const char *env = getenv("WARMUP_PATH");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char exe[PATH_MAX], *beside;

	sp->dirs = NULL;
	sp->n = 0;
	if (env && *env) {
		const char *p = env;
		while (*p) {
			size_t len = strcspn(p, ":");
			if (len > 0) {
				char *d = strndup(p, len);
				if (push(sp, d) == -1)
					goto fail;
			}
			p += len;
			if (*p == ':')
				p++;
		}
	}
	/* The XDG spec says a relative path there is to be ignored. */
	if (xdg && xdg[0] == '/') {
		if (push(sp, join(xdg, "warmup/routines")) == -1)
			goto fail;
	} else if (home && *home) {
		if (push(sp, join(home, ".config/warmup/routines")) == -1)
			goto fail;
	}
	if (push(sp, strdup(WARMUP_DATADIR "/routines")) == -1)
		goto fail;
	own_path(exe, sizeof exe);
	beside = routines_beside(exe);
	if (beside && strcmp(beside, WARMUP_DATADIR "/routines") != 0) {
		if (push(sp, beside) == -1)
			goto fail;
	} else {
		free(beside);
	}
	if (running_from_build_tree(exe) && push(sp, strdup(WARMUP_SRCDIR "/routines")) == -1)
		goto fail;
	return 0;
fail:
	search_path_free(sp);
	return -1;
}

void search_path_free(struct search_path *sp)
{
	size_t i;

	for (i = 0; i < sp->n; i++)
		free(sp->dirs[i]);
	free(sp->dirs);
	sp->dirs = NULL;
	sp->n = 0;
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

char *locate_routine(const char *arg, const struct search_path *sp)
{
	size_t i;

	if (exists(arg))
		return strdup(arg);
	/* A path with a slash names one place; only bare names are searched. */
	if (strchr(arg, '/') || !*arg)
		return NULL;
	for (i = 0; i < sp->n; i++) {
		char *p = join(sp->dirs[i], arg);
		if (!p)
			return NULL;
		if (exists(p))
			return p;
		free(p);
		if (!ends_with(arg, ".yaml")) {
			char name[NAME_MAX + 1];
			snprintf(name, sizeof name, "%s.yaml", arg);
			p = join(sp->dirs[i], name);
			if (!p)
				return NULL;
			if (exists(p))
				return p;
			free(p);
		}
	}
	return NULL;
}
