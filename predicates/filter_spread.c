/* filter_spread.c: PodTopologySpread Filter for DoNotSchedule constraints
 * (P/podtopologyspread/filtering.go, common.go; spec/predicates.md §2.8).
 *
 * PreFilter counts, per constraint, the matching pods in every eligible
 * topology domain; Filter compares a node's domain count (+1 if the pod
 * matches its own selector) with the global minimum plus maxSkew. */
#include "filter_coupled.h"

#include "selector.h"
#include "spread_constraint.h"
#include "spread_domains.h"

struct spread_constraint {
	const struct hr_spread_constraint *c;
	struct hr_label_selector selector; /* labelSelector AND matchLabelKeys */
	bool count_nothing;                /* empty or nil selector: counts are 0 (1.34 quirk) */
	bool self_match;                   /* does the incoming pod match the selector? */
	struct hr_spread_domains domains;  /* matching pods per topology value */
};

struct hr_spread_state {
	struct spread_constraint *cs;
	size_t n;
	bool *eligible; /* [node * n + i]: node counts for constraint i */
};

static bool node_has_all_keys(const struct hr_spread_state *s, const struct hr_node *node)
{
	for (size_t i = 0; i < s->n; i++)
		if (!hr_labels_get(node->labels, s->cs[i].c->topology_key))
			return false;
	return true;
}

static int64_t count_matching(const struct spread_constraint *sc, const struct hr_node_info *info,
                              struct hr_str ns)
{
	if (sc->count_nothing)
		return 0;
	int64_t count = 0;
	for (size_t i = 0; i < info->n_pods; i++) {
		const struct hr_pod *p = info->pods[i];
		if (p->terminating || !hr_str_eq(p->namespace, ns))
			continue;
		if (hr_label_selector_matches(&sc->selector, p->labels))
			count++;
	}
	return count;
}

enum hr_code hr_spread_prepare(struct hr_filter_ctx *ctx, struct hr_err *err)
{
	const struct hr_pod *pod = ctx->pod;
	const struct hr_snapshot *snap = ctx->snap;
	size_t n = 0;
	for (size_t i = 0; i < pod->n_spread; i++)
		n += pod->spread[i].when == HR_DO_NOT_SCHEDULE;
	if (n == 0)
		return HR_OK; /* Skip: system default constraints are ScheduleAnyway */
	struct hr_spread_state *s = hr_arena_calloc(ctx->arena, 1, sizeof(*s));
	if (s)
		s->cs = hr_arena_calloc(ctx->arena, n, sizeof(*s->cs));
	if (s && s->cs)
		s->eligible = hr_arena_calloc(ctx->arena, snap->n_nodes * n + 1, sizeof(bool));
	if (!s || !s->cs || !s->eligible)
		return hr_err_set(err, HR_ENOMEM, NULL, "out of memory in PodTopologySpread");
	for (size_t i = 0; i < pod->n_spread; i++) {
		const struct hr_spread_constraint *c = &pod->spread[i];
		if (c->when != HR_DO_NOT_SCHEDULE)
			continue;
		struct spread_constraint *sc = &s->cs[s->n++];
		sc->c = c;
		if (!hr_spread_selector(c, pod, ctx->arena, &sc->selector))
			return hr_err_set(err, HR_ENOMEM, NULL,
			                  "out of memory in PodTopologySpread");
		sc->count_nothing = !sc->selector.present || sc->selector.n_reqs == 0;
		sc->self_match = hr_label_selector_matches(&sc->selector, pod->labels);
		if (!hr_spread_domains_init(&sc->domains, snap, c->topology_key, ctx->arena))
			return hr_err_set(err, HR_ENOMEM, NULL,
			                  "out of memory in PodTopologySpread");
	}
	for (size_t k = 0; k < snap->n_nodes; k++) {
		const struct hr_node_info *info = &snap->nodes[k];
		if (!node_has_all_keys(s, info->node))
			continue;
		for (size_t i = 0; i < s->n; i++) {
			struct spread_constraint *sc = &s->cs[i];
			if (!hr_spread_node_included(sc->c, pod, info->node))
				continue;
			s->eligible[k * s->n + i] = true;
			hr_spread_domains_add(&sc->domains, sc->domains.node_domain[k],
			                      count_matching(sc, info, pod->namespace));
		}
	}
	for (size_t i = 0; i < s->n; i++)
		hr_spread_domains_update_min(&s->cs[i].domains);
	ctx->spread = s;
	return HR_OK;
}

/* The node's domain id for constraint i; a node from outside the snapshot
 * (filter verb with full Node objects) is looked up by its labels. */
static int32_t domain_of(const struct hr_filter_ctx *ctx, const struct spread_constraint *sc,
                         const struct hr_node_info *info)
{
	bool in_snapshot =
	    info->index < ctx->snap->n_nodes && &ctx->snap->nodes[info->index] == info;
	return in_snapshot ? sc->domains.node_domain[info->index]
	                   : hr_spread_domains_of(&sc->domains, info->node);
}

bool hr_spread_filter(const struct hr_filter_ctx *ctx, const struct hr_node_info *info,
                      struct hr_node_status *out)
{
	const struct hr_spread_state *s = ctx->spread;
	if (!s)
		return true;
	for (size_t i = 0; i < s->n; i++) {
		const struct spread_constraint *sc = &s->cs[i];
		int32_t id = domain_of(ctx, sc, info);
		if (id < 0 && !hr_labels_get(info->node->labels, sc->c->topology_key)) {
			out->code = HR_STATUS_UNRESOLVABLE;
			out->plugin = HR_PLUGIN_POD_TOPOLOGY_SPREAD;
			out->reasons = 1u << HR_R_SPREAD_MISSING_LABEL;
			return false;
		}
		const struct hr_spread_domains *d = &sc->domains;
		int64_t matching = id >= 0 && d->registered[id] ? d->count[id] : 0;
		/* fewer eligible domains than minDomains: the global minimum is 0 */
		int64_t min = d->n_registered < (size_t)sc->c->min_domains ? 0 : d->min;
		if (matching + (sc->self_match ? 1 : 0) - min > sc->c->max_skew) {
			out->code = HR_STATUS_UNSCHEDULABLE;
			out->plugin = HR_PLUGIN_POD_TOPOLOGY_SPREAD;
			out->reasons = 1u << HR_R_SPREAD;
			return false;
		}
	}
	return true;
}

void hr_spread_assume(struct hr_filter_ctx *ctx, size_t index)
{
	struct hr_spread_state *s = ctx->spread;
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		struct spread_constraint *sc = &s->cs[i];
		/* the copy counts like an existing pod: same namespace, own labels */
		if (!s->eligible[index * s->n + i] || sc->count_nothing || !sc->self_match)
			continue;
		int64_t min = sc->domains.min;
		hr_spread_domains_bump(&sc->domains, sc->domains.node_domain[index]);
		if (sc->domains.min != min)
			ctx->coupled_epoch++;
	}
}
