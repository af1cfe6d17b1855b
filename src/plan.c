#include "plan.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A fitted work bout never gets shorter than this: less is not a drill. */
#define FIT_MIN_WORK_MS 5000u
#define PPM 1000000u

static const char *const phase_kind_names[PHASE__COUNT] = {
	[PHASE_LEAD_IN] = "lead_in",
	[PHASE_WORK] = "work",
	[PHASE_SWITCH] = "switch",
	[PHASE_REST] = "rest",
};

const char *phase_kind_name(enum phase_kind k)
{
	return (unsigned)k < PHASE__COUNT ? phase_kind_names[k] : NULL;
}

/* A hand-built routine may claim more than two sides; only two exist. */
static unsigned drill_bouts(const struct drill *d)
{
	if (d->n_sides == 0)
		return 1;
	return d->n_sides > 2 ? 2 : d->n_sides;
}

uint64_t plan_min_fit_ms(const struct routine *r)
{
	uint64_t min = 0;

	for (unsigned i = 0; i < r->n_drills; i++)
		if (r->drills[i].duration_ms > 0)
			min += (uint64_t)FIT_MIN_WORK_MS * drill_bouts(&r->drills[i]);
	return min;
}

const char *plan_cue(const struct plan *p, int drill)
{
	const struct drill *d;

	if (drill < 0 || (unsigned)drill >= p->routine->n_drills)
		return NULL;
	d = &p->routine->drills[drill];
	if ((unsigned)p->equipment < EQUIP__COUNT && d->variant[p->equipment])
		return d->variant[p->equipment];
	return d->cue;
}

static size_t max_phases(const struct routine *r)
{
	size_t n = 1;

	for (unsigned i = 0; i < r->n_drills; i++)
		n += 2 * (size_t)drill_bouts(&r->drills[i]);
	return n;
}

static void add(struct phase *ph, size_t *n, enum phase_kind kind, int drill,
                enum side side, uint64_t ms)
{
	if (ms == 0)
		return;
	ph[*n] = (struct phase){ .kind = kind, .drill = drill, .side = side, .duration_ms = ms };
	(*n)++;
}

/* The phases in order with their plan durations; zero-length ones left out. */
static size_t lay_out(const struct routine *r, struct phase *ph)
{
	size_t n = 0;

	add(ph, &n, PHASE_LEAD_IN, -1, SIDE_NONE, r->lead_in_ms);
	for (unsigned i = 0; i < r->n_drills; i++) {
		const struct drill *d = &r->drills[i];
		unsigned bouts = drill_bouts(d);

		if (i > 0)
			add(ph, &n, PHASE_REST, -1, SIDE_NONE, r->rest_ms);
		for (unsigned b = 0; b < bouts; b++) {
			if (b > 0)
				add(ph, &n, PHASE_SWITCH, (int)i, SIDE_NONE, r->switch_ms);
			add(ph, &n, PHASE_WORK, (int)i, d->n_sides ? d->sides[b] : SIDE_NONE,
			    d->duration_ms);
		}
	}
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

struct share {
	uint64_t rem;
	size_t idx;
};

/* Largest remainder first; ties go to the earlier phase, so fit is deterministic. */
static int cmp_share(const void *a, const void *b)
{
	const struct share *x = a, *y = b;

	if (x->rem != y->rem)
		return x->rem < y->rem ? 1 : -1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/*
 * Scales ph so the durations sum to target (whole seconds). Every work
 * phase is max(5 s, f * d) and every other phase f * d for one factor f.
 * With the work phases sorted by length, the clamped ones are a prefix;
 * for each prefix length k the factor is f = N / M with
 * N = target - 5 s * k and M = the summed length of the rest, and the k
 * whose f is consistent (the clamped ones at most 5 s when scaled, the
 * others at least) is the answer. All exact in integers, so the rounding
 * below can hand out exactly the seconds that are missing.
 */
static enum plan_err fit(struct phase *ph, size_t n, uint64_t target)
{
	uint64_t *work = malloc((n ? n : 1) * sizeof *work);
	struct share *share = malloc((n ? n : 1) * sizeof *share);
	uint64_t total = 0, clamped = 0, N = 0, M = 0, secs = 0;
	size_t nw = 0, k, n_share = 0;
	enum plan_err err = PLAN_OK;
	bool found = false;

	if (!work || !share) {
		err = PLAN_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		total += ph[i].duration_ms;
		if (ph[i].kind == PHASE_WORK)
			work[nw++] = ph[i].duration_ms;
	}
	qsort(work, nw, sizeof *work, cmp_u64);
	for (k = 0; k <= nw; k++) {
		if (k > 0)
			clamped += work[k - 1];
		if (target < (uint64_t)FIT_MIN_WORK_MS * k)
			break;
		N = target - (uint64_t)FIT_MIN_WORK_MS * k;
		M = total - clamped;
		if (M == 0) {
			found = N == 0;
			break;
		}
		if (k > 0 && work[k - 1] * N > FIT_MIN_WORK_MS * M)
			continue;
		if (k < nw && work[k] * N < FIT_MIN_WORK_MS * M)
			continue;
		found = true;
		break;
	}
	if (!found) {
		/* Only a routine with nothing to stretch (no phase longer
		 * than zero) gets here, with any request above its minimum. */
		err = PLAN_ERR_FIT_TOO_LONG;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t d = ph[i].duration_ms;

		if (M == 0 || (ph[i].kind == PHASE_WORK && d * N <= FIT_MIN_WORK_MS * M)) {
			ph[i].duration_ms = ph[i].kind == PHASE_WORK ? FIT_MIN_WORK_MS : 0;
		} else {
			uint64_t unit = M * 1000;

			ph[i].duration_ms = d * N / unit * 1000;
			share[n_share++] = (struct share){ .rem = d * N % unit, .idx = i };
		}
		secs += ph[i].duration_ms / 1000;
	}
	/* The scaled values sum to target exactly, so the missing seconds are
	 * fewer than the phases that were rounded down. */
	qsort(share, n_share, sizeof *share, cmp_share);
	for (size_t j = 0; j < n_share && secs < target / 1000; j++, secs++)
		ph[share[j].idx].duration_ms += 1000;
out:
	free(work);
	free(share);
	return err;
}

enum plan_err plan_build(const struct routine *r, const struct plan_options *o, struct plan *p)
{
	struct plan q = { .routine = r, .equipment = r->equipment };
	uint64_t *orig = NULL;
	size_t n;
	enum plan_err err = PLAN_OK;

	if (o && o->equipment >= 0 && o->equipment < EQUIP__COUNT)
		q.equipment = (enum equipment)o->equipment;
	if (o && o->fit_ms > 0) {
		if (o->fit_ms < plan_min_fit_ms(r))
			return PLAN_ERR_FIT_TOO_SHORT;
		if (o->fit_ms > ROUTINE_MAX_TOTAL_MS)
			return PLAN_ERR_FIT_TOO_LONG;
		q.fit_ms = o->fit_ms;
	}
	q.phases = malloc(max_phases(r) * sizeof *q.phases);
	q.at_scale_ppm = malloc((r->n_drills ? r->n_drills : 1) * sizeof *q.at_scale_ppm);
	orig = malloc((r->n_drills ? r->n_drills : 1) * sizeof *orig);
	if (!q.phases || !q.at_scale_ppm || !orig) {
		err = PLAN_ERR_NOMEM;
		goto out;
	}
	n = lay_out(r, q.phases);
	for (unsigned i = 0; i < r->n_drills; i++) {
		q.at_scale_ppm[i] = PPM;
		orig[i] = r->drills[i].duration_ms;
	}
	if (q.fit_ms) {
		size_t kept = 0;
		/* Whole seconds: a request with a fraction goes to the nearest one. */
		uint64_t target = (q.fit_ms + 500) / 1000 * 1000;

		err = fit(q.phases, n, target);
		if (err != PLAN_OK)
			goto out;
		/* A drill's first bout sets its prompts' scale; its other
		 * side differs by at most the one rounded-up second. */
		for (size_t i = n; i-- > 0;) {
			const struct phase *ph = &q.phases[i];
			uint64_t ppm;

			if (ph->kind != PHASE_WORK || orig[ph->drill] == 0)
				continue;
			ppm = (ph->duration_ms * PPM + orig[ph->drill] / 2) / orig[ph->drill];
			q.at_scale_ppm[ph->drill] = ppm > UINT32_MAX ? UINT32_MAX : (uint32_t)ppm;
		}
		for (size_t i = 0; i < n; i++)
			if (q.phases[i].duration_ms > 0)
				q.phases[kept++] = q.phases[i];
		n = kept;
	}
	for (size_t i = 0; i < n; i++) {
		q.phases[i].start_ms = q.total_ms;
		q.total_ms += q.phases[i].duration_ms;
	}
	q.n_phases = n;
	*p = q;
	q.phases = NULL;
	q.at_scale_ppm = NULL;
out:
	free(q.phases);
	free(q.at_scale_ppm);
	free(orig);
	return err;
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	free(p->phases);
	free(p->at_scale_ppm);
	memset(p, 0, sizeof *p);
}
