/* capacity.c: the capacity engine (fast path and placement loop). */
#include "capacity.h"

#include "fit_message.h"
#include "placement.h"
#include "score.h"

static enum hr_code oom(struct hr_err *err)
{
	return hr_err_set(err, HR_ENOMEM, NULL, "out of memory computing capacity");
}

static enum hr_code init_result(const struct hr_snapshot *snap, struct hr_arena *arena,
                                struct hr_capacity_result *out, struct hr_err *err)
{
	memset(out, 0, sizeof(*out));
	out->exact = true;
	out->message = "";
	out->n_nodes = snap->n_nodes;
	out->nodes = hr_arena_calloc(arena, snap->n_nodes + 1, sizeof(*out->nodes));
	if (!out->nodes)
		return oom(err);
	for (size_t k = 0; k < snap->n_nodes; k++)
		out->nodes[k].info = &snap->nodes[k];
	return HR_OK;
}

static enum hr_code set_message(const struct hr_pod *pod, struct hr_arena *arena,
                                struct hr_capacity_result *out, struct hr_err *err)
{
	struct hr_buf buf;
	hr_buf_init(&buf, 1 << 20);
	struct hr_node_status *st = hr_arena_calloc(arena, out->n_nodes + 1, sizeof(*st));
	if (!st) {
		hr_buf_fini(&buf);
		return oom(err);
	}
	for (size_t k = 0; k < out->n_nodes; k++)
		st[k] = out->nodes[k].status;
	enum hr_code rc = hr_fit_message(st, out->n_nodes, pod, arena, &buf);
	if (rc == HR_OK) {
		struct hr_str copy =
		    hr_arena_strdup(arena, (struct hr_str){buf.p ? buf.p : "", buf.len});
		if (!copy.p)
			rc = HR_ENOMEM;
		out->message = copy.p;
	}
	hr_buf_fini(&buf);
	return rc == HR_OK ? HR_OK : oom(err);
}

static enum hr_code prefilter_answer(const struct hr_filter_ctx *ctx, struct hr_arena *arena,
                                     struct hr_capacity_result *out, struct hr_err *err)
{
	struct hr_buf buf;
	hr_buf_init(&buf, 4096);
	hr_fit_message_prefilter(out->n_nodes, ctx->prefilter_message, &buf);
	struct hr_str copy = hr_arena_strdup(arena, (struct hr_str){buf.p ? buf.p : "", buf.len});
	hr_buf_fini(&buf);
	if (!copy.p)
		return oom(err);
	out->message = copy.p;
	out->prefilter_rejected = true;
	for (size_t k = 0; k < out->n_nodes; k++) {
		out->nodes[k].status.code = HR_STATUS_UNRESOLVABLE;
		out->nodes[k].status.plugin = ctx->prefilter_plugin;
	}
	return HR_OK;
}

/* Uncoupled pods: each node independently takes all the copies it can hold. */
static void fast_path(struct hr_filter_ctx *ctx, int64_t max, struct hr_capacity_result *out)
{
	for (size_t k = 0; k < out->n_nodes; k++) {
		struct hr_capacity_node *cn = &out->nodes[k];
		hr_filter_node(ctx, cn->info, &cn->status);
		if (cn->status.code != HR_STATUS_SUCCESS)
			continue;
		int64_t fit = hr_copies_that_fit(ctx->pod, cn->info, 0);
		if (max > 0 && fit > max - out->count) {
			fit = max - out->count;
			out->limited = true;
		}
		cn->count = fit;
		out->count += fit;
		ctx->added[k] = fit;
		hr_filter_node(ctx, cn->info, &cn->status);
	}
}

/* Coupled pods: place copies one at a time where the scheduler would. */
static enum hr_code placement_loop(struct hr_filter_ctx *ctx, const struct hr_capacity_opts *opts,
                                   int64_t max, bool tie_last, struct hr_arena *arena,
                                   struct hr_capacity_result *out, bool *tied, struct hr_err *err)
{
	struct hr_scorer scorer;
	enum hr_code rc = hr_scorer_init(&scorer, ctx, arena, err);
	if (rc != HR_OK)
		return rc;
	scorer.tie_last = tie_last;
	struct hr_placement by_domain = {.ctx = ctx,
	                                 .scorer = &scorer,
	                                 .max = max,
	                                 .tie_last = tie_last,
	                                 .should_stop = opts->should_stop,
	                                 .stop_ctx = opts->stop_ctx};
	if (opts->mode != HR_CAPACITY_PLAIN_LOOP &&
	    hr_filter_coupled_by_domain(ctx, &by_domain.key) && hr_scorer_is_node_local(&scorer))
		return hr_place_by_domain(&by_domain, arena, out, tied, err);
	size_t *feasible = hr_arena_calloc(arena, out->n_nodes + 1, sizeof(*feasible));
	struct hr_node_status *own = hr_arena_calloc(arena, out->n_nodes + 1, sizeof(*own));
	bool *own_ok = hr_arena_calloc(arena, out->n_nodes + 1, sizeof(*own_ok));
	if (!feasible || !own || !own_ok)
		return oom(err);
	out->coupled = true;
	/* A node's own plugins change only when a copy lands on it: evaluate them
	 * once and again per placement; the coupled ones every round. */
	for (size_t k = 0; k < out->n_nodes; k++)
		own_ok[k] = hr_filter_node_own(ctx, out->nodes[k].info, &own[k]);
	for (;;) {
		size_t n_feasible = 0;
		for (size_t k = 0; k < out->n_nodes; k++) {
			struct hr_node_status *st = &out->nodes[k].status;
			*st = own[k];
			if (own_ok[k] && hr_filter_node_coupled(ctx, out->nodes[k].info, st))
				feasible[n_feasible++] = k;
		}
		if (n_feasible == 0)
			break;
		if (out->count >= max) {
			out->limited = true;
			break;
		}
		if (opts->should_stop && opts->should_stop(opts->stop_ctx)) {
			out->limited = out->out_of_time = true;
			break;
		}
		bool tie = false;
		size_t pick = hr_scorer_pick(&scorer, feasible, n_feasible, &tie);
		*tied |= tie;
		hr_filter_assume(ctx, pick);
		hr_scorer_assume(&scorer, pick);
		own_ok[pick] = hr_filter_node_own(ctx, out->nodes[pick].info, &own[pick]);
		out->nodes[pick].count++;
		out->count++;
		out->iterations++;
	}
	return HR_OK;
}

/* kube-scheduler breaks score ties at random. headroom took the first tied
 * node in name order; placing again with the last one shows whether the
 * choice can change the count (two extremes, not every order: a count that
 * agrees is very likely, not proven, to be the only one). */
static enum hr_code check_tie_breaking(const struct hr_snapshot *snap, const struct hr_pod *pod,
                                       const struct hr_capacity_opts *opts, int64_t max,
                                       struct hr_arena *arena, struct hr_capacity_result *out,
                                       struct hr_err *err)
{
	struct hr_capacity_result other;
	struct hr_filter_ctx ctx;
	bool tied = false;
	enum hr_code rc = init_result(snap, arena, &other, err);
	if (rc == HR_OK)
		rc = hr_filter_prepare(&ctx, snap, pod, true, arena, err);
	if (rc == HR_OK)
		rc = placement_loop(&ctx, opts, max, true, arena, &other, &tied, err);
	if (rc == HR_OK && !other.limited && other.count != out->count) {
		out->exact = false;
		out->count_other = other.count;
	}
	return rc;
}

enum hr_code hr_capacity(const struct hr_snapshot *snap, const struct hr_pod *pod,
                         const struct hr_capacity_opts *opts, struct hr_arena *arena,
                         struct hr_capacity_result *out, struct hr_err *err)
{
	struct hr_filter_ctx ctx;
	enum hr_code rc = init_result(snap, arena, out, err);
	if (rc != HR_OK)
		return rc;
	if ((rc = hr_filter_prepare(&ctx, snap, pod, true, arena, err)) != HR_OK)
		return rc;
	if (ctx.prefilter_rejected)
		return prefilter_answer(&ctx, arena, out, err);
	bool coupled = hr_pod_is_coupled(pod, snap);
	if (opts->mode != HR_CAPACITY_AUTO || coupled) {
		int64_t max =
		    opts->max_copies > 0 ? opts->max_copies : HR_CAPACITY_DEFAULT_LOOP_MAX;
		bool tied = false;
		rc = placement_loop(&ctx, opts, max, false, arena, out, &tied, err);
		if (rc == HR_OK && tied && coupled && !out->limited)
			rc = check_tie_breaking(snap, pod, opts, max, arena, out, err);
	} else {
		fast_path(&ctx, opts->max_copies, out);
	}
	if (rc != HR_OK)
		return rc;
	if (out->limited)
		return HR_OK; /* the next copy may fit: there is no FitError to report */
	return set_message(pod, arena, out, err);
}
