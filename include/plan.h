#ifndef WARMUP_PLAN_H
#define WARMUP_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "routine.h"

/*
 * The plan: a routine plus run options, laid out as the list of phases with
 * their start offsets. `warmup show` prints it and the session engine steps
 * through it, so both always agree. Phases of zero length are left out;
 * there is no rest after the last drill, and a switch only between the two
 * sides of one drill.
 */

enum phase_kind { PHASE_LEAD_IN, PHASE_WORK, PHASE_SWITCH, PHASE_REST, PHASE__COUNT };

struct phase {
	enum phase_kind kind;
	int drill;              /* index into routine->drills, or -1 (lead-in) */
	enum side side;         /* SIDE_NONE outside work, or for a drill without sides */
	uint64_t start_ms;
	uint64_t duration_ms;
};

struct plan_options {
	int equipment;          /* an enum equipment, or -1 for the routine's own */
	uint64_t fit_ms;        /* scale the whole session to this total, or 0 */
};

struct plan {
	const struct routine *routine;  /* borrowed; must outlive the plan */
	enum equipment equipment;
	uint64_t fit_ms;                /* as requested, or 0 */
	struct phase *phases;
	size_t n_phases;
	uint64_t total_ms;
	/* Per drill: how its prompts' `at` offsets were scaled by fit, in
	 * parts per million (1000000 without fit): its first bout's fitted
	 * length over its planned one. */
	uint32_t *at_scale_ppm;
};

enum plan_err {
	PLAN_OK,
	PLAN_ERR_FIT_TOO_SHORT,  /* request below the minimum: see plan_min_fit_ms */
	PLAN_ERR_FIT_TOO_LONG,   /* request above ROUTINE_MAX_TOTAL_MS */
	PLAN_ERR_NOMEM,
};

/*
 * Fills *p. With fit, every phase is scaled by one factor, rounded to whole
 * seconds so the total equals the request, and work bouts keep at least 5 s.
 */
enum plan_err plan_build(const struct routine *r, const struct plan_options *o, struct plan *p);
void plan_free(struct plan *p);

/* The shortest total fit can reach for r: 5 s per work bout. */
uint64_t plan_min_fit_ms(const struct routine *r);

/* The main instruction for a drill with the plan's equipment, or NULL. */
const char *plan_cue(const struct plan *p, int drill);

const char *phase_kind_name(enum phase_kind k);  /* "lead_in", "work", ... */

#endif
