/* capacity_api.c: body -> workload -> admitted pod -> capacity -> answer. */
#include "capacity_api.h"

#include <string.h>

#include "answer.h"
#include "capacity.h"
#include "incoming.h"
#include "jsonget.h"
#include "jsonspan.h"
#include "pod_fields.h"
#include "workload.h"
#include "yaml_json.h"
#include "yaml_out.h"

#define BODY_MAX_DEPTH 64

void xt_deadline_start(struct xt_deadline *d, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, &d->end);
	d->enabled = ms > 0;
	d->end.tv_sec += ms / 1000;
	d->end.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (d->end.tv_nsec >= 1000000000L) {
		d->end.tv_sec++;
		d->end.tv_nsec -= 1000000000L;
	}
}

bool xt_deadline_passed(void *ctx)
{
	const struct xt_deadline *d = ctx;
	struct timespec now;
	if (!d->enabled)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > d->end.tv_sec ||
	       (now.tv_sec == d->end.tv_sec && now.tv_nsec >= d->end.tv_nsec);
}

#define ANSWER_ARENA_CAP (512u << 20)

/* "Deployment web" for the error that lists a manifest's candidates. */
static void describe_object(const cJSON *doc, struct hr_buf *out)
{
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(doc, "kind");
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(meta, "name");
	if (out->len)
		hr_buf_puts(out, ", ");
	hr_buf_puts(out, cJSON_IsString(kind) ? kind->valuestring : "(no kind)");
	if (cJSON_IsString(name)) {
		hr_buf_putc(out, ' ');
		hr_buf_puts(out, name->valuestring);
	}
}

/* A YAML body may hold several documents, as a manifest file does: the one
 * with a pod (hr_workload_has_pod) is used and the others are counted in
 * *skipped; two or more candidates are an error, as the question would be
 * ambiguous. With none, the first document is returned so its error is the
 * one reported. */
static cJSON *pick_document(cJSON *all, size_t *skipped, struct hr_err *err)
{
	int n = cJSON_GetArraySize(all), found = -1, candidates = 0;
	for (int i = 0; i < n; i++)
		if (hr_workload_has_pod(cJSON_GetArrayItem(all, i))) {
			candidates++;
			if (found < 0)
				found = i;
		}
	if (candidates > 1) {
		struct hr_buf names;
		hr_buf_init(&names, 512);
		for (int i = 0; i < n; i++)
			if (hr_workload_has_pod(cJSON_GetArrayItem(all, i)))
				describe_object(cJSON_GetArrayItem(all, i), &names);
		hr_err_set(err, HR_EINVAL, NULL,
		           "the YAML holds %d objects with a pod (%.*s): send one of them",
		           candidates, (int)names.len, names.p ? names.p : "");
		hr_buf_fini(&names);
		cJSON_Delete(all);
		return NULL;
	}
	cJSON *doc = cJSON_DetachItemFromArray(all, found < 0 ? 0 : found);
	*skipped = (size_t)(n - 1);
	cJSON_Delete(all);
	return doc;
}

static cJSON *parse_body(const char *body, size_t len, size_t *skipped, struct hr_err *err)
{
	*skipped = 0;
	if (len == 0) {
		hr_err_set(err, HR_EINVAL, NULL,
		           "empty body: send a Pod or workload (JSON or YAML)");
		return NULL;
	}
	if (!xt_looks_like_json(body, len)) {
		cJSON *all = xt_yaml_to_json_all(body, len, NULL, err);
		return all ? pick_document(all, skipped, err) : NULL;
	}
	size_t used;
	enum hr_json_type t = hr_json_skip(body, len, BODY_MAX_DEPTH, NULL, &used);
	if (t == HR_JSON_INVALID && hr_json_too_deep(body, len, BODY_MAX_DEPTH, used)) {
		hr_err_set(err, HR_EINVAL, NULL, "body nests deeper than %d levels (near byte %zu)",
		           BODY_MAX_DEPTH, used);
		return NULL;
	}
	if (t != HR_JSON_OBJECT) {
		hr_err_set(err, HR_EINVAL, NULL,
		           t == HR_JSON_INVALID ? "body is not valid JSON near byte %zu"
		                                : "body is not a JSON object (byte %zu)",
		           used);
		return NULL;
	}
	size_t junk = hr_json_trailing_bytes(body, len, used);
	if (junk < len) {
		hr_err_set(err, HR_EINVAL, NULL,
		           "unexpected bytes after the JSON object at byte %zu", junk);
		return NULL;
	}
	cJSON *doc = cJSON_ParseWithLength(body, len);
	if (!doc)
		hr_err_set(err, HR_EINVAL, NULL, "body is not valid JSON near byte %zu", used);
	else if (hr_cj_no_duplicate_keys(doc, err) != HR_OK) {
		cJSON_Delete(doc);
		doc = NULL;
	}
	return doc;
}

/* Where the pod's fields are in the document the user sent. */
static const char *pod_prefix(const struct hr_workload *w, bool envelope)
{
	if (strcmp(w->kind, "Pod") == 0)
		return envelope ? "template" : NULL;
	if (strcmp(w->kind, "CronJob") == 0)
		return envelope ? "template.spec.jobTemplate.spec.template"
		                : "spec.jobTemplate.spec.template";
	return envelope ? "template.spec.template" : "spec.template";
}

/* Gives the object (the envelope's template) the asked namespace when it
 * names none, as kubectl does before sending it; a different one is refused
 * unless ns is only the default. Values of other types are the decoder's to
 * report. */
static enum hr_code apply_namespace(cJSON *doc, bool envelope, const char *ns, bool only_default,
                                    struct hr_err *err)
{
	cJSON *obj = envelope ? cJSON_GetObjectItemCaseSensitive(doc, "template") : doc;
	if (!ns || !cJSON_IsObject(obj))
		return HR_OK;
	const char *where = envelope ? "template.metadata.namespace" : "metadata.namespace";
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	if (cJSON_IsNull(meta)) { /* YAML's empty "metadata:" line */
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "metadata");
		meta = NULL;
	}
	if (!meta)
		meta = cJSON_AddObjectToObject(obj, "metadata");
	if (!cJSON_IsObject(meta))
		return meta ? HR_OK : hr_err_set(err, HR_ENOMEM, NULL, "out of memory");
	cJSON *have = cJSON_GetObjectItemCaseSensitive(meta, "namespace");
	if (cJSON_IsString(have) && have->valuestring[0]) {
		if (only_default || strcmp(have->valuestring, ns) == 0)
			return HR_OK;
		return hr_err_set(err, HR_EINVAL, where,
		                  "\"%.63s\" does not match the namespace asked for, \"%s\"",
		                  have->valuestring, ns);
	}
	if (have && !cJSON_IsString(have) && !cJSON_IsNull(have))
		return HR_OK;
	cJSON *value = cJSON_CreateString(ns);
	if (!value || (have ? !cJSON_ReplaceItemInObjectCaseSensitive(meta, "namespace", value)
	                    : !cJSON_AddItemToObject(meta, "namespace", value))) {
		cJSON_Delete(value);
		return hr_err_set(err, HR_ENOMEM, NULL, "out of memory");
	}
	return HR_OK;
}

static enum hr_code render(const struct hr_capacity_result *r, const struct hr_pod *pod,
                           const struct hr_snapshot *snap, const struct hr_answer_info *info,
                           enum xt_output output, struct hr_buf *out, struct hr_err *err)
{
	if (output == XT_OUTPUT_TABLE) {
		hr_answer_capacity_table(r, pod, snap, info, out);
		return HR_OK;
	}
	if (output == XT_OUTPUT_JSON) {
		hr_answer_capacity_json(r, pod, snap, info, out);
		return HR_OK;
	}
	struct hr_buf json;
	hr_buf_init(&json, out->max_len);
	hr_answer_capacity_json(r, pod, snap, info, &json);
	cJSON *tree = hr_buf_ok(&json) ? cJSON_ParseWithLength(json.p, json.len) : NULL;
	hr_buf_fini(&json);
	if (!tree)
		return hr_err_set(err, HR_ENOMEM, NULL, "out of memory rendering YAML");
	xt_yaml_write(tree, out);
	cJSON_Delete(tree);
	return HR_OK;
}

enum hr_code xt_capacity_answer(const struct xt_snap *snap, const char *body, size_t len,
                                const struct xt_capacity_params *params, struct hr_buf *out,
                                struct xt_capacity_outcome *outcome, struct hr_err *err)
{
	struct hr_workload w = {0};
	struct hr_arena arena;
	struct hr_pod *pod;
	unsigned admitted = 0;
	enum hr_code rc;
	hr_arena_init(&arena, NULL, ANSWER_ARENA_CAP);
	size_t skipped_documents;
	cJSON *doc = parse_body(body, len, &skipped_documents, err);
	if (!doc) {
		rc = err->code != HR_OK ? err->code : HR_EINVAL;
		goto out_free_arena;
	}
	bool envelope = hr_workload_is_envelope(doc);
	char unknown[256];
	bool has_unknown = false;
	if ((rc = apply_namespace(doc, envelope, params->namespace, params->namespace_is_default,
	                          err)) != HR_OK ||
	    (rc = hr_workload_resolve(doc, &w, err)) != HR_OK)
		goto out_free_doc;
	if (params->validate != XT_VALIDATE_IGNORE)
		has_unknown =
		    hr_pod_unknown_field(w.pod, pod_prefix(&w, envelope), unknown, sizeof(unknown));
	if (has_unknown && params->validate == XT_VALIDATE_STRICT) {
		rc = hr_err_set(
		    err, HR_EINVAL, unknown,
		    "unknown field (misspelled?): the API server refuses it under "
		    "kubectl's default --validate=strict; validate=warn (CLI and plugin: "
		    "--validate warn) answers anyway");
		goto out_free_doc;
	}
	if ((rc = hr_incoming_pod(w.pod, snap->snap, true, pod_prefix(&w, envelope), &arena, &pod,
	                          &admitted, err)) != HR_OK)
		goto out_free_doc;

	struct xt_deadline deadline;
	xt_deadline_start(&deadline, params->max_ms);
	struct hr_capacity_opts opts = {.max_copies = params->max_copies,
	                                .should_stop = xt_deadline_passed,
	                                .stop_ctx = &deadline};
	if (w.max > 0 && (opts.max_copies <= 0 || w.max < opts.max_copies))
		opts.max_copies = w.max;
	struct hr_capacity_result r;
	if ((rc = hr_capacity(snap->snap, pod, &opts, &arena, &r, err)) != HR_OK)
		goto out_free_doc;

	struct hr_answer_info info = {
	    .kind = w.kind,
	    .name = w.name,
	    .has_replicas = params->has_replicas || w.has_replicas,
	    .replicas = params->has_replicas ? params->replicas : w.replicas,
	    .admitted = admitted,
	    .resource_version = snap->snap->resource_version.p,
	    .age_seconds = xt_snap_age_seconds(snap),
	    .per_node = params->per_node,
	    .skipped_documents = skipped_documents,
	    .unknown_field = has_unknown ? unknown : NULL,
	};
	rc = render(&r, pod, snap->snap, &info, params->output, out, err);
	if (rc == HR_OK && !hr_buf_ok(out))
		rc = hr_err_set(err, HR_ENOMEM, NULL, "the answer is larger than allowed");
	if (outcome) {
		outcome->count = r.count;
		outcome->coupled = r.coupled;
		outcome->limited = r.limited;
	}
out_free_doc:
	hr_workload_fini(&w);
	cJSON_Delete(doc);
out_free_arena:
	hr_arena_fini(&arena);
	return rc;
}
