/* filter.c: the Filter framework: PreFilter, per-node plugin chain in
 * default-profile order (stop at the first failure), capacity overlay, and
 * the reason texts (spec/predicates.md §1, §2). */
#include "filter.h"

#include <stdio.h>

#include "filter_coupled.h"

const char *hr_plugin_name(enum hr_plugin p)
{
	switch (p) {
	case HR_PLUGIN_NONE:
		return "";
	case HR_PLUGIN_NODE_UNSCHEDULABLE:
		return "NodeUnschedulable";
	case HR_PLUGIN_NODE_NAME:
		return "NodeName";
	case HR_PLUGIN_TAINT_TOLERATION:
		return "TaintToleration";
	case HR_PLUGIN_NODE_AFFINITY:
		return "NodeAffinity";
	case HR_PLUGIN_NODE_PORTS:
		return "NodePorts";
	case HR_PLUGIN_NODE_RESOURCES_FIT:
		return "NodeResourcesFit";
	case HR_PLUGIN_POD_TOPOLOGY_SPREAD:
		return "PodTopologySpread";
	case HR_PLUGIN_INTER_POD_AFFINITY:
		return "InterPodAffinity";
	case HR_PLUGIN_EXTENDER:
		return "headroom";
	}
	return "";
}

enum hr_code hr_filter_prepare(struct hr_filter_ctx *ctx, const struct hr_snapshot *snap,
                               const struct hr_pod *pod, bool overlay, struct hr_arena *arena,
                               struct hr_err *err)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->snap = snap;
	ctx->pod = pod;
	ctx->arena = arena;
	if (overlay) {
		ctx->added = hr_arena_calloc(arena, snap->n_nodes + 1, sizeof(*ctx->added));
		if (!ctx->added)
			return hr_err_set(err, HR_ENOMEM, NULL, "out of memory for the overlay");
	}
	/* PreFilter order: NodeAffinity, ..., PodTopologySpread, InterPodAffinity.
	 * An UnschedulableAndUnresolvable PreFilter stops the cycle at once. */
	bool conflict;
	enum hr_code rc =
	    hr_node_affinity_prefilter(pod, snap, arena, &ctx->allowed, &conflict, err);
	if (rc != HR_OK)
		return rc;
	if (conflict) {
		ctx->prefilter_rejected = true;
		ctx->prefilter_plugin = HR_PLUGIN_NODE_AFFINITY;
		ctx->prefilter_message = "pod affinity terms conflict";
		return HR_OK;
	}
	if ((rc = hr_spread_prepare(ctx, err)) != HR_OK)
		return rc;
	return hr_affinity_prepare(ctx, err);
}

bool hr_filter_node_own(const struct hr_filter_ctx *ctx, const struct hr_node_info *info,
                        struct hr_node_status *out)
{
	const struct hr_pod *pod = ctx->pod;
	const struct hr_node *node = info->node;
	bool in_snapshot =
	    info->index < ctx->snap->n_nodes && &ctx->snap->nodes[info->index] == info;
	int64_t added = in_snapshot && ctx->added ? ctx->added[info->index] : 0;
	memset(out, 0, sizeof(*out));
	if (in_snapshot && ctx->allowed && !ctx->allowed[info->index]) {
		out->code = HR_STATUS_UNRESOLVABLE;
		out->plugin = HR_PLUGIN_NODE_AFFINITY;
		out->reasons = 1u << HR_R_PREFILTER_EXCLUDED;
		return false;
	}
	return hr_filter_node_unschedulable(pod, node, out) &&
	       hr_filter_node_name(pod, node, out) && hr_filter_taints(pod, node, out) &&
	       hr_filter_node_affinity(pod, node, out) && hr_filter_ports(pod, info, added, out) &&
	       hr_filter_resources(pod, info, added, out);
}

bool hr_filter_node_coupled(const struct hr_filter_ctx *ctx, const struct hr_node_info *info,
                            struct hr_node_status *out)
{
	return hr_spread_filter(ctx, info, out) && hr_affinity_filter(ctx, info, out);
}

void hr_filter_node(const struct hr_filter_ctx *ctx, const struct hr_node_info *info,
                    struct hr_node_status *out)
{
	if (hr_filter_node_own(ctx, info, out))
		hr_filter_node_coupled(ctx, info, out);
}

void hr_filter_assume(struct hr_filter_ctx *ctx, size_t index)
{
	if (ctx->added)
		ctx->added[index]++;
	hr_spread_assume(ctx, index);
	hr_affinity_assume(ctx, index);
}

/* Sets *key to k, or checks that it already is k. */
static bool same_key(struct hr_str *key, bool *have, struct hr_str k)
{
	if (*have)
		return hr_str_eq(*key, k);
	*key = k;
	*have = true;
	return true;
}

bool hr_filter_coupled_by_domain(const struct hr_filter_ctx *ctx, struct hr_str *key)
{
	const struct hr_pod *pod = ctx->pod;
	bool have = false;
	if (pod->pod_affinity.n || hr_affinity_has_existing_anti(ctx))
		return false;
	for (size_t i = 0; i < pod->n_spread; i++)
		if (pod->spread[i].when == HR_DO_NOT_SCHEDULE &&
		    !same_key(key, &have, pod->spread[i].topology_key))
			return false;
	for (size_t t = 0; t < pod->pod_anti_affinity.n; t++)
		if (!same_key(key, &have, pod->pod_anti_affinity.v[t].topology_key))
			return false;
	return have;
}

bool hr_pod_is_coupled(const struct hr_pod *pod, const struct hr_snapshot *snap)
{
	(void)snap;
	if (pod->pod_affinity.n || pod->pod_anti_affinity.n)
		return true;
	for (size_t i = 0; i < pod->n_spread; i++)
		if (pod->spread[i].when == HR_DO_NOT_SCHEDULE)
			return true;
	return false;
}

/* ---- reasons ------------------------------------------------------------ */

static const char *const reason_text[HR_R_COUNT] = {
    [HR_R_NODE_UNSCHEDULABLE] = "node(s) were unschedulable",
    [HR_R_NODE_NAME] = "node(s) didn't match the requested node name",
    [HR_R_NODE_AFFINITY] = "node(s) didn't match Pod's node affinity/selector",
    [HR_R_PREFILTER_EXCLUDED] = "node(s) didn't satisfy plugin(s) [NodeAffinity]",
    [HR_R_PORTS] = "node(s) didn't have free ports for the requested pod ports",
    [HR_R_TOO_MANY_PODS] = "Too many pods",
    [HR_R_INSUFFICIENT_CPU] = "Insufficient cpu",
    [HR_R_INSUFFICIENT_MEMORY] = "Insufficient memory",
    [HR_R_INSUFFICIENT_EPHEMERAL] = "Insufficient ephemeral-storage",
    [HR_R_SPREAD_MISSING_LABEL] =
        "node(s) didn't match pod topology spread constraints (missing required label)",
    [HR_R_SPREAD] = "node(s) didn't match pod topology spread constraints",
    [HR_R_AFFINITY] = "node(s) didn't match pod affinity rules",
    [HR_R_ANTI_AFFINITY] = "node(s) didn't match pod anti-affinity rules",
    [HR_R_EXISTING_ANTI_AFFINITY] = "node(s) didn't satisfy existing pods anti-affinity rules",
    [HR_R_UNKNOWN_NODE] = "node(s) were not found in headroom's cluster snapshot",
};

void hr_status_reasons(const struct hr_node_status *st, const struct hr_pod *pod,
                       void (*emit)(void *ctx, const char *text, size_t len), void *emit_ctx)
{
	char tmp[600];
	for (int r = 0; r < HR_R_COUNT; r++) {
		if (!(st->reasons & (1u << r)))
			continue;
		if (r == HR_R_TAINT && st->taint) {
			int n =
			    snprintf(tmp, sizeof(tmp), "node(s) had untolerated taint {%.*s: %.*s}",
			             (int)st->taint->key.n, st->taint->key.p,
			             (int)st->taint->value.n, st->taint->value.p);
			emit(emit_ctx, tmp, n < (int)sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
		} else if (r == HR_R_INSUFFICIENT_SCALAR) {
			for (size_t i = 0; i < pod->request.n_scalars && i < HR_MAX_POD_SCALARS;
			     i++) {
				if (!(st->scalar_bits & (1ull << i)))
					continue;
				const struct hr_str name = pod->request.scalars[i].name;
				int n = snprintf(tmp, sizeof(tmp), "Insufficient %.*s", (int)name.n,
				                 name.p);
				emit(emit_ctx, tmp,
				     n < (int)sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
			}
		} else if (reason_text[r]) {
			emit(emit_ctx, reason_text[r], strlen(reason_text[r]));
		}
	}
}

struct joiner {
	struct hr_buf *buf;
	bool first;
};

static void append_joined(void *ctx, const char *text, size_t len)
{
	struct joiner *j = ctx;
	if (!j->first)
		hr_buf_puts(j->buf, ", ");
	j->first = false;
	hr_buf_append(j->buf, text, len);
}

void hr_status_text(const struct hr_node_status *st, const struct hr_pod *pod, struct hr_buf *buf)
{
	struct joiner j = {buf, true};
	hr_status_reasons(st, pod, append_joined, &j);
}
