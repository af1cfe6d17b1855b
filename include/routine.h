#ifndef WARMUP_ROUTINE_H
#define WARMUP_ROUTINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A routine as loaded from YAML, checked and with every default applied.
 * Times are milliseconds. Strings are valid UTF-8 and owned by the routine.
 */

enum equipment {
	EQUIP_ROLLER,
	EQUIP_TRAVEL_ROLLER,
	EQUIP_STICK,
	EQUIP_BALL,
	EQUIP_TRIGGER_POINT_TOOL,
	EQUIP__COUNT
};

enum side { SIDE_NONE, SIDE_LEFT, SIDE_RIGHT };

struct prompt {
	char *text;
	uint64_t at_ms;     /* once per bout at this offset, or 0 */
	uint64_t every_ms;  /* at each multiple inside the bout, or 0 */
};

struct drill {
	char *name;
	uint64_t duration_ms;           /* per side */
	enum side sides[2];
	unsigned n_sides;               /* 0: one bout without a side */
	char *cue;                      /* may be NULL */
	char **steps;                   /* movement steps, may be none */
	unsigned n_steps;
	uint64_t step_ms;
	struct prompt *prompts;
	unsigned n_prompts;
	char *variant[EQUIP__COUNT];    /* cue replacement per equipment, or NULL */
	bool linger_set;                /* the drill has its own linger_every ... */
	uint64_t linger_every_ms;       /* ... this one (0: no prompt), else the routine's */
};

struct routine {
	char *file;                     /* as given to routine_load */
	char *name;
	char *description;              /* may be NULL */
	enum equipment equipment;
	uint64_t lead_in_ms, switch_ms, rest_ms, linger_every_ms;
	char *linger_text;
	struct drill *drills;
	unsigned n_drills;
};

/* Limits of format version 1; docs/routine-format.md lists them too. */
#define ROUTINE_MAX_FILE_BYTES   (1024 * 1024)
#define ROUTINE_MAX_NAME         80
#define ROUTINE_MAX_DRILLS       100
#define ROUTINE_MAX_STEPS        8
#define ROUTINE_MAX_PROMPTS      16
#define ROUTINE_MAX_TOTAL_MS     (4ULL * 3600 * 1000)

/* One problem found in a routine file; line and column are 1-based, 0 if unknown. */
struct diag {
	unsigned line, col;
	char *msg;
};

struct diags {
	struct diag *v;
	size_t n, cap;
};

enum routine_err {
	ROUTINE_OK,
	ROUTINE_ERR_INVALID,    /* the file was read but is not a valid routine: see diags */
	ROUTINE_ERR_NOT_FOUND,  /* missing or unreadable; diags has the reason */
	ROUTINE_ERR_IO,         /* read error; diags has the reason */
	ROUTINE_ERR_NOMEM,
};

/*
 * Loads and checks a routine file. On success *out owns the routine. On
 * failure *out is untouched and every problem found is appended to d, in
 * file order. The caller frees d with diags_free in both cases; d may be
 * NULL when only the verdict matters. A diag about the file as a whole (not
 * found, not a regular file, over 1 MiB) has line and column 0.
 */
enum routine_err routine_load(const char *path, struct routine **out, struct diags *d);

/* The same from memory; file is only recorded, never opened. */
enum routine_err routine_load_data(const char *data, size_t len, const char *file,
                                   struct routine **out, struct diags *d);

void routine_free(struct routine *r);
void diags_free(struct diags *d);

/* Name of an equipment as written in YAML ("travel-roller"), and back; -1 if unknown. */
const char *equipment_name(enum equipment e);
int equipment_parse(const char *s);
const char *side_name(enum side s);  /* "left", "right" or NULL */

#endif
