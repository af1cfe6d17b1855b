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

/* True when this program is build/warmup (or a variant's) inside the source
 * tree it was compiled from, so `make run` finds the bundled routines. */
static bool running_from_build_tree(void)
{
	char exe[PATH_MAX], build[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	size_t lb;

	if (n <= 0 || WARMUP_SRCDIR[0] == '\0')
		return false;
	exe[n] = '\0';
	snprintf(build, sizeof build, "%s/build/", WARMUP_SRCDIR);
	lb = strlen(build);
	return strncmp(exe, build, lb) == 0;
}

int search_path_get(struct search_path *sp)
{
	const char *env = getenv("WARMUP_PATH");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

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
	if (xdg && *xdg) {
		if (push(sp, join(xdg, "warmup/routines")) == -1)
			goto fail;
	} else if (home && *home) {
		if (push(sp, join(home, ".config/warmup/routines")) == -1)
			goto fail;
	}
	if (push(sp, strdup(WARMUP_DATADIR "/routines")) == -1)
		goto fail;
	if (running_from_build_tree() && push(sp, strdup(WARMUP_SRCDIR "/routines")) == -1)
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
