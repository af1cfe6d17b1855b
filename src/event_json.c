#include "event_json.h"

static const char *drill_name(const struct plan *p, const struct phase *ph)
{
	return ph->drill >= 0 ? p->routine->drills[ph->drill].name : NULL;
}

static void phase_fields(struct strbuf *b, const struct plan *p, const struct phase *ph)
{
	strbuf_addf(b, ",\"phase\":\"%s\",\"drill\":", phase_kind_name(ph->kind));
	strbuf_json(b, drill_name(p, ph));
	if (ph->drill >= 0)
		strbuf_addf(b, ",\"drill_index\":%d", ph->drill);
	else
		strbuf_add(b, ",\"drill_index\":null");
	strbuf_add(b, ",\"side\":");
	strbuf_json(b, side_name(ph->side));
}

void event_json(struct strbuf *b, const struct plan *p, const char *file, bool wall,
                const struct event *ev, uint64_t wall_ms)
{
	const struct phase *ph = &p->phases[ev->phase];

	strbuf_addf(b, "{\"t\":%llu,", (unsigned long long)ev->t);
	if (wall)
		strbuf_addf(b, "\"wall_ms\":%llu,", (unsigned long long)wall_ms);
	strbuf_addf(b, "\"event\":\"%s\"", event_kind_name(ev->kind));
	switch (ev->kind) {
	case EV_SESSION_START:
		strbuf_add(b, ",\"routine\":");
		strbuf_json(b, p->routine->name);
		strbuf_add(b, ",\"file\":");
		strbuf_json(b, file);
		strbuf_addf(b, ",\"total_ms\":%llu,\"phases\":%zu,\"equipment\":\"%s\"",
		            (unsigned long long)p->total_ms, p->n_phases, equipment_name(p->equipment));
		break;
	case EV_PHASE_START:
		phase_fields(b, p, ph);
		strbuf_addf(b, ",\"phase_index\":%zu,\"duration_ms\":%llu", ev->phase,
		            (unsigned long long)ph->duration_ms);
		if (ph->kind == PHASE_WORK) {
			strbuf_add(b, ",\"cue\":");
			strbuf_json(b, plan_cue(p, ph->drill));
		}
		break;
	case EV_CUE:
		strbuf_addf(b, ",\"kind\":\"%s\",\"text\":", cue_kind_name(ev->cue));
		strbuf_json(b, ev->text);
		if (ev->cue == CUE_MOVEMENT)
			strbuf_addf(b, ",\"step\":%u", ev->step);
		break;
	case EV_COUNTDOWN:
		strbuf_addf(b, ",\"remaining_s\":%u", ev->seconds);
		break;
	case EV_PHASE_END:
		strbuf_addf(b, ",\"status\":\"%s\"", phase_status_name(ev->phase_status));
		phase_fields(b, p, ph);
		strbuf_addf(b, ",\"phase_index\":%zu", ev->phase);
		break;
	case EV_TENDER:
		phase_fields(b, p, ph);
		break;
	case EV_SESSION_END:
		strbuf_addf(b, ",\"status\":\"%s\",\"elapsed_ms\":%llu,\"work_ms\":%llu",
		            session_status_name(ev->status), (unsigned long long)ev->elapsed_ms,
		            (unsigned long long)ev->work_ms);
		break;
	case EV_PAUSE:
	case EV_RESUME:
	case EV__COUNT:
		break;
	}
	strbuf_add(b, "}\n");
}
