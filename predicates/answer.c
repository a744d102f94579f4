/* answer.c: capacity answers as JSON and as a table. */
#include "answer.h"

#include <stdio.h>

#include "admit.h"

/* ---- notes ---------------------------------------------------------------- */

static const struct {
	unsigned bit;
	const char *text;
} unmodelled_notes[] = {
    {HR_UNMODELLED_PVC, "the pod mounts PersistentVolumeClaims: volume binding, volume zones "
                        "and volume limits are not modelled"},
    {HR_UNMODELLED_EPHEMERAL_VOLUME,
     "the pod uses generic ephemeral volumes: volume binding is not modelled"},
    {HR_UNMODELLED_INLINE_DISK, "the pod mounts inline cloud disks: VolumeRestrictions and "
                                "volume limits are not modelled"},
    {HR_UNMODELLED_RESOURCE_CLAIMS,
     "the pod uses dynamic resource claims (DRA): device allocation is not modelled"},
    {HR_UNMODELLED_SCHEDULING_GATES,
     "the pod has schedulingGates: kube-scheduler places no copy until they are removed; the "
     "count assumes they are gone"},
};

void hr_answer_notes(const struct hr_capacity_result *r, const struct hr_pod *pod,
                     const struct hr_snapshot *snap, const struct hr_answer_info *info,
                     void (*emit)(void *ctx, const char *note), void *ctx)
{
	char tmp[384];
	for (size_t i = 0; i < sizeof(unmodelled_notes) / sizeof(unmodelled_notes[0]); i++)
		if (pod->unmodelled & unmodelled_notes[i].bit)
			emit(ctx, unmodelled_notes[i].text);
	if (info->admitted & HR_ADMIT_RUNTIME_CLASS_UNKNOWN)
		emit(ctx, "runtimeClassName is set but the snapshot has no RuntimeClass objects: "
		          "its overhead and scheduling rules are not applied");
	if (snap->n_namespaces && !hr_snap_find_namespace(snap, pod->namespace)) {
		snprintf(tmp, sizeof(tmp),
		         "namespace %.*s is not in the snapshot: the API server refuses pods in a "
		         "namespace that does not exist (counted as if it did)",
		         (int)(pod->namespace.n > 63 ? 63 : pod->namespace.n), pod->namespace.p);
		emit(ctx, tmp);
	}
	if (info->unknown_field) {
		snprintf(tmp, sizeof(tmp),
		         "unknown field \"%.160s\" (misspelled?) was ignored: the API server "
		         "refuses it under kubectl's default --validate=strict",
		         info->unknown_field);
		emit(ctx, tmp);
	}
	if (info->skipped_documents) {
		snprintf(tmp, sizeof(tmp),
		         "the YAML held %zu other document(s) without a pod template: skipped",
		         info->skipped_documents);
		emit(ctx, tmp);
	}
	if (snap->stats.pods_unknown_node) {
		snprintf(
		    tmp, sizeof(tmp),
		    "%zu pod(s) are bound to nodes that are not in the snapshot and were ignored",
		    snap->stats.pods_unknown_node);
		emit(ctx, tmp);
	}
	if (snap->stats.nodes_duplicate) {
		snprintf(tmp, sizeof(tmp),
		         "%zu Node object(s) repeat a name seen before: the later one is used",
		         snap->stats.nodes_duplicate);
		emit(ctx, tmp);
	}
	if (snap->stats.pods_duplicate) {
		snprintf(tmp, sizeof(tmp),
		         "%zu Pod object(s) repeat a namespace/name seen before: each pod is "
		         "counted once, as its later object",
		         snap->stats.pods_duplicate);
		emit(ctx, tmp);
	}
	if (r->limited) {
		snprintf(tmp, sizeof(tmp), "counting stopped at %lld copies (%s): more may fit",
		         (long long)r->count,
		         r->out_of_time ? "the time limit, --max-capacity-ms" : "the limit");
		emit(ctx, tmp);
	}
	if (r->coupled && !r->exact) {
		snprintf(tmp, sizeof(tmp),
		         "copies interact and kube-scheduler breaks score ties at random: "
		         "depending on its choices %lld or %lld copies fit",
		         (long long)(r->count < r->count_other ? r->count : r->count_other),
		         (long long)(r->count < r->count_other ? r->count_other : r->count));
		emit(ctx, tmp);
	}
	if (r->coupled && snap->n_nodes >= 100)
		emit(ctx, "on clusters of 100 or more nodes kube-scheduler scores only a sample of "
		          "the feasible nodes, so it may place coupled copies differently");
}

/* ---- JSON ----------------------------------------------------------------- */

static void json_key(struct hr_buf *b, const char *key)
{
	hr_buf_json_str(b, hr_str_c(key));
	hr_buf_putc(b, ':');
}

static void emit_json_note(void *ctx, const char *note)
{
	struct hr_buf *b = ctx;
	if (b->p[b->len - 1] != '[')
		hr_buf_putc(b, ',');
	hr_buf_json_str(b, hr_str_c(note));
}

static void admission_json(struct hr_buf *b, unsigned admitted)
{
	static const struct {
		unsigned bit;
		const char *name;
	} steps[] = {{HR_ADMIT_LIMIT_RANGER, "LimitRanger"},
	             {HR_ADMIT_DEFAULT_TOLERATIONS, "DefaultTolerationSeconds"},
	             {HR_ADMIT_RUNTIME_CLASS, "RuntimeClass"},
	             {HR_ADMIT_LABEL_KEYS, "MatchLabelKeys"}};
	bool first = true;
	json_key(b, "admission");
	hr_buf_putc(b, '[');
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (!(admitted & steps[i].bit))
			continue;
		if (!first)
			hr_buf_putc(b, ',');
		first = false;
		hr_buf_json_str(b, hr_str_c(steps[i].name));
	}
	hr_buf_putc(b, ']');
}

/* A key that needs no escaping, as a literal: one append. */
#define LITERAL_KEY(b, key) hr_buf_append(b, "\"" key "\":", sizeof(key) + 2)

static void per_node_json(struct hr_buf *b, const struct hr_capacity_result *r,
                          const struct hr_pod *pod)
{
	struct hr_buf reason;
	hr_buf_init(&reason, 4096);
	LITERAL_KEY(b, "perNode");
	hr_buf_putc(b, '[');
	for (size_t k = 0; k < r->n_nodes; k++) {
		const struct hr_capacity_node *cn = &r->nodes[k];
		hr_buf_append(b, k ? ",{" : "{", k ? 2 : 1);
		LITERAL_KEY(b, "node");
		hr_buf_json_str(b, cn->info->node->name);
		hr_buf_putc(b, ',');
		LITERAL_KEY(b, "count");
		hr_buf_i64(b, cn->count);
		if (cn->status.code != HR_STATUS_SUCCESS) {
			hr_buf_reset(&reason);
			hr_status_text(&cn->status, pod, &reason);
			if (hr_buf_ok(&reason) && reason.len) {
				hr_buf_putc(b, ',');
				LITERAL_KEY(b, "reason");
				hr_buf_json_str(b, (struct hr_str){reason.p, reason.len});
			}
		}
		hr_buf_putc(b, '}');
	}
	hr_buf_putc(b, ']');
	hr_buf_fini(&reason);
}

/* The smallest and largest count the scheduler could reach: the count
 * itself, or with another tie-breaking count_other too (!exact). */
static void counts_seen(const struct hr_capacity_result *r, int64_t *low, int64_t *high)
{
	int64_t other = r->exact ? r->count : r->count_other;
	*low = r->count < other ? r->count : other;
	*high = r->count < other ? other : r->count;
}

enum verdict { FITS, DOES_NOT_FIT, CANNOT_TELL };
static const char *const verdict_json[] = {"true", "false", "null"};
static const char *const verdict_text[] = {"fits", "does not fit", "cannot tell"};

/* Whether the asked replicas fit. It cannot tell when a bound (max copies or
 * time) stopped the count below them, or when the scheduler's random tie
 * breaks give counts on both sides of them. */
static enum verdict replicas_verdict(const struct hr_capacity_result *r, int64_t replicas)
{
	int64_t low, high;
	counts_seen(r, &low, &high);
	if (low >= replicas)
		return FITS;
	return r->limited || high >= replicas ? CANNOT_TELL : DOES_NOT_FIT;
}

void hr_answer_capacity_json(const struct hr_capacity_result *r, const struct hr_pod *pod,
                             const struct hr_snapshot *snap, const struct hr_answer_info *info,
                             struct hr_buf *b)
{
	hr_buf_putc(b, '{');
	json_key(b, "count");
	hr_buf_i64(b, r->count);
	if (info->has_replicas) {
		hr_buf_putc(b, ',');
		json_key(b, "replicas");
		hr_buf_i64(b, info->replicas);
		hr_buf_putc(b, ',');
		json_key(b, "fits");
		hr_buf_puts(b, verdict_json[replicas_verdict(r, info->replicas)]);
	}
	hr_buf_puts(b, ",\"exact\":");
	hr_buf_puts(b, r->exact ? "true" : "false");
	if (!r->exact) { /* both counts, smaller first */
		int64_t lo, hi;
		counts_seen(r, &lo, &hi);
		hr_buf_printf(b, ",\"countsSeen\":[%lld,%lld]", (long long)lo, (long long)hi);
	}
	hr_buf_puts(b, ",\"limited\":");
	hr_buf_puts(b, r->limited ? "true" : "false");
	if (info->per_node) {
		hr_buf_putc(b, ',');
		per_node_json(b, r, pod);
	}
	hr_buf_putc(b, ',');
	json_key(b, "message");
	hr_buf_json_str(b, hr_str_c(r->message));
	hr_buf_puts(b, ",\"pod\":{");
	json_key(b, "kind");
	hr_buf_json_str(b, hr_str_c(info->kind));
	hr_buf_putc(b, ',');
	json_key(b, "name");
	hr_buf_json_str(b, hr_str_c(info->name));
	hr_buf_putc(b, ',');
	json_key(b, "namespace");
	hr_buf_json_str(b, pod->namespace);
	hr_buf_puts(b, "},");
	admission_json(b, info->admitted);
	hr_buf_putc(b, ',');
	json_key(b, "notes");
	hr_buf_putc(b, '[');
	hr_answer_notes(r, pod, snap, info, emit_json_note, b);
	hr_buf_puts(b, "],\"snapshot\":{");
	json_key(b, "resourceVersion");
	hr_buf_json_str(b, hr_str_c(info->resource_version ? info->resource_version : ""));
	hr_buf_puts(b, ",\"nodes\":");
	hr_buf_i64(b, (int64_t)snap->n_nodes);
	hr_buf_puts(b, ",\"pods\":");
	hr_buf_i64(b, (int64_t)snap->n_pods);
	hr_buf_printf(b, ",\"ageSeconds\":%.3f}}", info->age_seconds);
	hr_buf_putc(b, '\n');
}

/* ---- table ---------------------------------------------------------------- */

static void emit_table_note(void *ctx, const char *note)
{
	hr_buf_printf(ctx, "note: %s\n", note);
}

void hr_answer_capacity_table(const struct hr_capacity_result *r, const struct hr_pod *pod,
                              const struct hr_snapshot *snap, const struct hr_answer_info *info,
                              struct hr_buf *b)
{
	int width = 4;
	for (size_t k = 0; k < r->n_nodes; k++)
		if ((int)r->nodes[k].info->node->name.n > width)
			width = (int)r->nodes[k].info->node->name.n;
	if (info->per_node) {
		hr_buf_printf(b, "%-*s  %6s  %s\n", width, "NODE", "COPIES", "WHY NOT MORE");
		for (size_t k = 0; k < r->n_nodes; k++) {
			const struct hr_capacity_node *cn = &r->nodes[k];
			hr_buf_printf(b, "%-*.*s  %6lld  ", width, (int)cn->info->node->name.n,
			              cn->info->node->name.p, (long long)cn->count);
			if (cn->status.code != HR_STATUS_SUCCESS)
				hr_status_text(&cn->status, pod, b);
			else if (r->limited)
				hr_buf_puts(b, "(counting stopped)");
			hr_buf_putc(b, '\n');
		}
		hr_buf_putc(b, '\n');
	}
	hr_buf_printf(b, "%s %s%s%.*s: %lld more cop%s%s", info->kind, info->name,
	              info->name[0] ? " in " : "in ", (int)pod->namespace.n, pod->namespace.p,
	              (long long)r->count, r->count == 1 ? "y fits" : "ies fit",
	              r->limited ? " (at least)" : "");
	if (info->has_replicas) {
		enum verdict v = replicas_verdict(r, info->replicas);
		hr_buf_printf(b, "; %lld asked: %s%s", (long long)info->replicas, verdict_text[v],
		              v != CANNOT_TELL ? ""
		              : r->limited     ? " (counting stopped first)"
		                               : " (kube-scheduler's random tie-breaking decides)");
	}
	hr_buf_putc(b, '\n');
	if (r->message[0])
		hr_buf_printf(b, "next copy: %s\n", r->message);
	hr_answer_notes(r, pod, snap, info, emit_table_note, b);
}
