/* workload.c: finding the pod (template) in a capacity request. */
#include "workload.h"

#include <stdio.h>
#include <string.h>

#include "jsonget.h"

static const char *const template_kinds[] = {"Deployment", "ReplicaSet", "StatefulSet",
                                             "ReplicationController", "Job"};

static void copy_name(const cJSON *obj, char *dst, size_t size)
{
	const cJSON *name = hr_cj_member(hr_cj_member(obj, "metadata"), "name");
	snprintf(dst, size, "%s", cJSON_IsString(name) ? name->valuestring : "");
}

/* spec.template of a workload, or spec.jobTemplate.spec.template of a CronJob. */
static const cJSON *find_template(const cJSON *doc, const char *kind, struct hr_err *err)
{
	bool cron = strcmp(kind, "CronJob") == 0;
	const cJSON *spec = hr_cj_member(doc, "spec");
	if (cron)
		spec = hr_cj_member(hr_cj_member(spec, "jobTemplate"), "spec");
	const cJSON *tmpl = hr_cj_member(spec, "template");
	if (!cJSON_IsObject(tmpl)) {
		hr_err_set(err, HR_EINVAL,
		           cron ? "spec.jobTemplate.spec.template" : "spec.template",
		           "a %s needs a pod template object", kind);
		return NULL;
	}
	return tmpl;
}

/* {"metadata": template.metadata (+namespace), "spec": template.spec} */
static cJSON *pod_from_template(const cJSON *doc, const cJSON *tmpl)
{
	cJSON *pod = cJSON_CreateObject();
	cJSON *meta = cJSON_CreateObject();
	if (!pod || !meta)
		goto out_fail;
	cJSON_AddItemToObject(pod, "metadata", meta);
	const cJSON *tmeta = hr_cj_member(tmpl, "metadata"), *it;
	cJSON_ArrayForEach(it, tmeta)
	{
		if (strcmp(it->string, "namespace") != 0)
			cJSON_AddItemReferenceToObject(meta, it->string, (cJSON *)it);
	}
	const cJSON *ns = hr_cj_member(hr_cj_member(doc, "metadata"), "namespace");
	if (cJSON_IsString(ns))
		cJSON_AddItemReferenceToObject(meta, "namespace", (cJSON *)ns);
	const cJSON *spec = hr_cj_member(tmpl, "spec");
	if (spec)
		cJSON_AddItemReferenceToObject(pod, "spec", (cJSON *)spec);
	return pod;
out_fail:
	cJSON_Delete(pod);
	cJSON_Delete(meta);
	return NULL;
}

/* The group/version the API serves each kind at (older ones such as
 * apps/v1beta2 and batch/v1beta1 are gone since 1.16 and 1.25). */
static const char *served_version(const char *kind)
{
	static const struct {
		const char *kind, *api_version;
	} served[] = {{"Pod", "v1"},
	              {"ReplicationController", "v1"},
	              {"Deployment", "apps/v1"},
	              {"ReplicaSet", "apps/v1"},
	              {"StatefulSet", "apps/v1"},
	              {"Job", "batch/v1"},
	              {"CronJob", "batch/v1"}};
	for (size_t i = 0; i < sizeof(served) / sizeof(served[0]); i++)
		if (strcmp(kind, served[i].kind) == 0)
			return served[i].api_version;
	return NULL;
}

/* An apiVersion, when given, must be the one the kind is served at: the API
 * server answers anything else with "no matches for kind". */
static enum hr_code check_api_version(const cJSON *doc, const char *kind, struct hr_err *err)
{
	const cJSON *v = hr_cj_member(doc, "apiVersion");
	const char *want = served_version(kind);
	if (!v || !want)
		return HR_OK;
	if (!cJSON_IsString(v))
		return hr_err_set(err, HR_EINVAL, "apiVersion", "must be a string, got %s",
		                  hr_cj_type_name(v));
	if (strcmp(v->valuestring, want) != 0)
		return hr_err_set(err, HR_EINVAL, "apiVersion",
		                  "\"%.40s\" does not serve kind %s (it is %s)", v->valuestring,
		                  kind, want);
	return HR_OK;
}

static enum hr_code resolve_object(const cJSON *doc, struct hr_workload *out, struct hr_err *err)
{
	const cJSON *kind = hr_cj_member(doc, "kind");
	const char *k = cJSON_IsString(kind) ? kind->valuestring : "";
	if (!cJSON_IsObject(doc))
		return hr_err_set(err, HR_EINVAL, NULL, "expected a Pod or workload object, got %s",
		                  hr_cj_type_name(doc));
	if (kind && !cJSON_IsString(kind))
		return hr_err_set(err, HR_EINVAL, "kind", "must be a string, got %s",
		                  hr_cj_type_name(kind));
	enum hr_code rc = check_api_version(doc, k, err);
	if (rc != HR_OK)
		return rc;
	/* a bare object with a spec.containers list is a pod even without kind */
	bool pod_like = k[0] == '\0' && hr_cj_member(hr_cj_member(doc, "spec"), "containers");
	snprintf(out->kind, sizeof(out->kind), "%s", pod_like ? "Pod" : k);
	copy_name(doc, out->name, sizeof(out->name));
	if (pod_like || strcmp(k, "Pod") == 0) {
		out->pod = cJSON_CreateObjectReference(doc->child);
		return out->pod ? HR_OK : hr_err_set(err, HR_ENOMEM, NULL, "out of memory");
	}
	bool known = strcmp(k, "CronJob") == 0;
	for (size_t i = 0; i < sizeof(template_kinds) / sizeof(template_kinds[0]); i++)
		known |= strcmp(k, template_kinds[i]) == 0;
	if (!known) {
		if (k[0] == '\0')
			return hr_err_set(
			    err, HR_EINVAL, "kind",
			    "missing: expected Pod, Deployment, ReplicaSet, StatefulSet, "
			    "ReplicationController, Job or CronJob");
		return hr_err_set(err, HR_EINVAL, "kind",
		                  "\"%.40s\" has no pod template headroom can use (expected Pod, "
		                  "Deployment, ReplicaSet, StatefulSet, ReplicationController, Job "
		                  "or CronJob)",
		                  k);
	}
	/* the workload's own metadata gives the pod its namespace: a wrong type
	 * must not read as "none" (and the default namespace) */
	const cJSON *meta = hr_cj_member(doc, "metadata");
	const cJSON *ns = hr_cj_member(meta, "namespace");
	if (meta && !cJSON_IsObject(meta))
		return hr_err_set(err, HR_EINVAL, "metadata", "must be an object, got %s",
		                  hr_cj_type_name(meta));
	if (ns && !cJSON_IsString(ns))
		return hr_err_set(err, HR_EINVAL, "metadata.namespace", "must be a string, got %s",
		                  hr_cj_type_name(ns));
	const cJSON *tmpl = find_template(doc, k, err);
	if (!tmpl)
		return HR_EINVAL;
	const cJSON *tmeta = hr_cj_member(tmpl, "metadata");
	if (tmeta && !cJSON_IsObject(tmeta))
		return hr_err_set(err, HR_EINVAL,
		                  strcmp(k, "CronJob") == 0
		                      ? "spec.jobTemplate.spec.template.metadata"
		                      : "spec.template.metadata",
		                  "must be an object, got %s", hr_cj_type_name(tmeta));
	if (strcmp(k, "Job") != 0 && strcmp(k, "CronJob") != 0) {
		struct hr_path path;
		hr_path_init(&path);
		hr_path_push_key(&path, "spec");
		rc = hr_cj_int(hr_cj_member(doc, "spec"), "replicas", 0, INT32_MAX, &out->replicas,
		               &out->has_replicas, &path, err);
		if (rc != HR_OK)
			return rc;
	}
	out->pod = pod_from_template(doc, tmpl);
	return out->pod ? HR_OK : hr_err_set(err, HR_ENOMEM, NULL, "out of memory");
}

bool hr_workload_has_pod(const cJSON *doc)
{
	if (!cJSON_IsObject(doc))
		return false;
	const cJSON *kind = hr_cj_member(doc, "kind");
	if (!kind)
		return cJSON_GetObjectItemCaseSensitive(doc, "template") ||
		       hr_cj_member(hr_cj_member(doc, "spec"), "containers");
	if (!cJSON_IsString(kind))
		return false;
	const char *k = kind->valuestring;
	bool known = strcmp(k, "Pod") == 0 || strcmp(k, "CronJob") == 0;
	for (size_t i = 0; i < sizeof(template_kinds) / sizeof(template_kinds[0]); i++)
		known |= strcmp(k, template_kinds[i]) == 0;
	return known;
}

bool hr_workload_is_envelope(const cJSON *doc)
{
	return cJSON_IsObject(doc) && hr_cj_member(doc, "template") && !hr_cj_member(doc, "kind");
}

/* The envelope is headroom's own: a key it does not have is a typo (replica
 * for replicas) that would otherwise drop the question silently. */
static enum hr_code check_envelope_keys(const cJSON *doc, struct hr_err *err)
{
	const cJSON *member;
	cJSON_ArrayForEach(member, doc)
	{
		const char *k = member->string ? member->string : "";
		if (strcmp(k, "template") && strcmp(k, "replicas") && strcmp(k, "max"))
			return hr_err_set(
			    err, HR_EINVAL, NULL,
			    "%.60s: unknown field in the envelope (it takes template, "
			    "replicas and max)",
			    k);
	}
	return HR_OK;
}

static enum hr_code envelope_int(const cJSON *doc, const char *key, int64_t min, int64_t *out,
                                 bool *found, struct hr_err *err)
{
	struct hr_path path;
	hr_path_init(&path);
	return hr_cj_int(doc, key, min, 100000000, out, found, &path, err);
}

/* {"replicas": K} or {"max": M} without a template: an envelope missing its
 * object, not a pod missing its kind. */
static bool envelope_without_template(const cJSON *doc)
{
	return !hr_cj_member(doc, "kind") && !hr_cj_member(doc, "spec") &&
	       (hr_cj_member(doc, "replicas") || hr_cj_member(doc, "max") ||
	        cJSON_GetObjectItemCaseSensitive(doc, "template")); /* "template": null */
}

enum hr_code hr_workload_resolve(const cJSON *doc, struct hr_workload *out, struct hr_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(doc))
		return hr_err_set(err, HR_EINVAL, NULL, "expected a JSON object, got %s",
		                  hr_cj_type_name(doc));
	const cJSON *tmpl = hr_cj_member(doc, "template");
	if (!tmpl && envelope_without_template(doc))
		return hr_err_set(err, HR_EINVAL, "template",
		                  "required: the Pod or workload to count (with replicas and max "
		                  "beside it)");
	if (!hr_workload_is_envelope(doc))
		return resolve_object(doc, out, err);
	/* envelope: {"template": ..., "replicas": K, "max": M} */
	bool has_replicas = false, has_max = false;
	int64_t replicas = 0, max = 0;
	enum hr_code rc;
	if ((rc = check_envelope_keys(doc, err)) != HR_OK ||
	    (rc = envelope_int(doc, "replicas", 0, &replicas, &has_replicas, err)) != HR_OK ||
	    (rc = envelope_int(doc, "max", 1, &max, &has_max, err)) != HR_OK)
		return rc;
	rc = resolve_object(tmpl, out, err);
	if (rc != HR_OK) {
		if (err && err->code != HR_OK && err->where[0] == '\0')
			snprintf(err->where, sizeof(err->where), "template");
		return rc;
	}
	if (has_replicas) {
		out->has_replicas = true;
		out->replicas = replicas;
	}
	if (has_max)
		out->max = max;
	return HR_OK;
}

void hr_workload_fini(struct hr_workload *w)
{
	cJSON_Delete(w->pod);
	w->pod = NULL;
}
