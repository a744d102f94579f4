/* review.c: reading AdmissionReviews for scale-ups, writing responses. */
#include "review.h"

#include <stdio.h>
#include <string.h>

#include "jsonget.h"
#include "jsonspan.h"

#define REVIEW_MAX_DEPTH 128

static bool copy_string(const cJSON *obj, const char *key, char *dst, size_t size)
{
	const cJSON *v = hr_cj_member(obj, key);
	if (!cJSON_IsString(v)) {
		dst[0] = '\0';
		return false;
	}
	snprintf(dst, size, "%s", v->valuestring);
	return true;
}

/* spec.replicas of a workload or Scale; def when absent. */
static enum hr_code replicas_of(const cJSON *obj, const char *where, int64_t def, int64_t *out,
                                struct hr_err *err)
{
	struct hr_path path;
	bool found = false;
	hr_path_init(&path);
	hr_path_push_key(&path, where);
	hr_path_push_key(&path, "spec");
	enum hr_code rc =
	    hr_cj_int(hr_cj_member(obj, "spec"), "replicas", 0, INT32_MAX, out, &found, &path, err);
	if (rc == HR_OK && !found)
		*out = def;
	return rc;
}

static bool is_workload_resource(const struct hr_review *r)
{
	if (strcmp(r->group, "apps") == 0)
		return strcmp(r->resource, "deployments") == 0 ||
		       strcmp(r->resource, "statefulsets") == 0 ||
		       strcmp(r->resource, "replicasets") == 0;
	return r->group[0] == '\0' && strcmp(r->resource, "replicationcontrollers") == 0;
}

/* The workload kind of a resource, or the resource itself for any other
 * (logs then say "configmaps", not a kind it is not). */
static const char *kind_of_resource(const char *resource)
{
	if (strcmp(resource, "deployments") == 0)
		return "Deployment";
	if (strcmp(resource, "statefulsets") == 0)
		return "StatefulSet";
	if (strcmp(resource, "replicasets") == 0)
		return "ReplicaSet";
	if (strcmp(resource, "replicationcontrollers") == 0)
		return "ReplicationController";
	return resource;
}

static void allow(struct hr_review *r, const char *why)
{
	r->need = HR_REVIEW_ALLOW;
	r->why = why;
}

static enum hr_code decide_scale(struct hr_review *r, const cJSON *object, const cJSON *old,
                                 struct hr_err *err)
{
	enum hr_code rc;
	if ((rc = replicas_of(object, "request.object", 0, &r->new_replicas, err)) != HR_OK ||
	    (rc = replicas_of(old, "request.oldObject", 0, &r->old_replicas, err)) != HR_OK)
		return rc;
	r->delta = r->new_replicas - r->old_replicas;
	if (r->delta <= 0) {
		allow(r, "replicas do not grow");
		return HR_OK;
	}
	if (!r->namespace[0] || !r->name[0])
		return hr_err_set(err, HR_EINVAL, "request.name",
		                  "a scale review needs the workload's name and namespace");
	r->need = HR_REVIEW_FETCH;
	if (r->group[0])
		snprintf(r->fetch_path, sizeof(r->fetch_path), "/apis/%s/%s/namespaces/%s/%s/%s",
		         r->group, r->version[0] ? r->version : "v1", r->namespace, r->resource,
		         r->name);
	else
		snprintf(r->fetch_path, sizeof(r->fetch_path), "/api/v1/namespaces/%s/%s/%s",
		         r->namespace, r->resource, r->name);
	return HR_OK;
}

static bool paused(const cJSON *workload)
{
	return cJSON_IsTrue(hr_cj_member(hr_cj_member(workload, "spec"), "paused"));
}

/* The name of the Deployment that controls this object (a controller
 * ownerReference of kind Deployment), or NULL. */
static const char *controlling_deployment(const cJSON *object)
{
	const cJSON *refs = hr_cj_member(hr_cj_member(object, "metadata"), "ownerReferences");
	if (!cJSON_IsArray(refs))
		return NULL;
	const cJSON *ref;
	cJSON_ArrayForEach(ref, refs)
	{
		const cJSON *kind = hr_cj_member(ref, "kind"), *name = hr_cj_member(ref, "name");
		if (cJSON_IsTrue(hr_cj_member(ref, "controller")) && cJSON_IsString(kind) &&
		    strcmp(kind->valuestring, "Deployment") == 0 && cJSON_IsString(name))
			return name->valuestring;
	}
	return NULL;
}

static enum hr_code decide_object(struct hr_review *r, const cJSON *object, const cJSON *old,
                                  struct hr_err *err)
{
	enum hr_code rc;
	/* A Deployment's rollout moves replicas between its ReplicaSets on every
	 * step: the Deployment's own scale-ups are what is checked. */
	if (strcmp(r->resource, "replicasets") == 0 && controlling_deployment(object)) {
		allow(r, "the ReplicaSet is managed by a Deployment");
		return HR_OK;
	}
	bool create = strcmp(r->operation, "CREATE") == 0;
	/* API defaulting sets spec.replicas to 1 when it is absent */
	if ((rc = replicas_of(object, "request.object", 1, &r->new_replicas, err)) != HR_OK)
		return rc;
	if (create)
		r->old_replicas = 0;
	else if ((rc = replicas_of(old, "request.oldObject", 1, &r->old_replicas, err)) != HR_OK)
		return rc;
	r->delta = r->new_replicas - r->old_replicas;
	if (r->delta <= 0) {
		allow(r, "replicas do not grow");
		return HR_OK;
	}
	if (paused(object)) {
		allow(r, "the Deployment is paused");
		return HR_OK;
	}
	r->need = HR_REVIEW_CHECK;
	r->workload = object;
	return HR_OK;
}

static enum hr_code read_request(const cJSON *req, struct hr_review *r, struct hr_err *err)
{
	const cJSON *uid = hr_cj_member(req, "uid");
	if (uid && !cJSON_IsString(uid))
		return hr_err_set(err, HR_EINVAL, "request.uid", "must be a string, got %s",
		                  hr_cj_type_name(uid));
	if (!copy_string(req, "uid", r->uid, sizeof(r->uid)) || !r->uid[0])
		return hr_err_set(err, HR_EINVAL, "request.uid", "required");
	copy_string(req, "operation", r->operation, sizeof(r->operation));
	copy_string(req, "subResource", r->subresource, sizeof(r->subresource));
	copy_string(req, "namespace", r->namespace, sizeof(r->namespace));
	copy_string(req, "name", r->name, sizeof(r->name));
	const cJSON *kind = hr_cj_member(req, "kind"), *res = hr_cj_member(req, "resource");
	if (!cJSON_IsObject(res))
		return hr_err_set(err, HR_EINVAL, "request.resource",
		                  "required: {group, version, resource}");
	copy_string(kind, "kind", r->kind, sizeof(r->kind));
	copy_string(res, "group", r->group, sizeof(r->group));
	copy_string(res, "version", r->version, sizeof(r->version));
	copy_string(res, "resource", r->resource, sizeof(r->resource));
	r->dry_run = cJSON_IsTrue(hr_cj_member(req, "dryRun"));
	return HR_OK;
}

enum hr_code hr_review_parse(const char *body, size_t len, struct hr_review *r, cJSON **tree,
                             struct hr_err *err)
{
	memset(r, 0, sizeof(*r));
	*tree = NULL;
	size_t used;
	if (hr_json_trailing_bytes(body, len, 0) == len)
		return hr_err_set(err, HR_EINVAL, NULL,
		                  "empty body: send an admission.k8s.io/v1 AdmissionReview");
	enum hr_json_type t = hr_json_skip(body, len, REVIEW_MAX_DEPTH, NULL, &used);
	if (t == HR_JSON_INVALID && hr_json_too_deep(body, len, REVIEW_MAX_DEPTH, used))
		return hr_err_set(err, HR_EINVAL, NULL,
		                  "body nests deeper than %d levels (near byte %zu)",
		                  REVIEW_MAX_DEPTH, used);
	if (t == HR_JSON_INVALID)
		return hr_err_set(err, HR_EINVAL, NULL, "body is not valid JSON near byte %zu",
		                  used);
	if (t != HR_JSON_OBJECT)
		return hr_err_set(err, HR_EINVAL, NULL, "body is not a JSON object");
	size_t junk = hr_json_trailing_bytes(body, len, used);
	if (junk < len)
		return hr_err_set(err, HR_EINVAL, NULL,
		                  "unexpected bytes after the JSON object at byte %zu", junk);
	*tree = cJSON_ParseWithLength(body, len);
	if (!*tree)
		return hr_err_set(err, HR_ENOMEM, NULL, "out of memory parsing the review");
	char api_version[64], kind[64];
	copy_string(*tree, "apiVersion", api_version, sizeof(api_version));
	copy_string(*tree, "kind", kind, sizeof(kind));
	if (strcmp(kind, "AdmissionReview") != 0 || strcmp(api_version, "admission.k8s.io/v1") != 0)
		return hr_err_set(
		    err, HR_EINVAL, "apiVersion",
		    "expected an admission.k8s.io/v1 AdmissionReview, got apiVersion \"%.60s\" "
		    "kind \"%.60s\"",
		    api_version, kind);
	const cJSON *req = hr_cj_member(*tree, "request");
	if (!cJSON_IsObject(req))
		return hr_err_set(err, HR_EINVAL, "request", "required");
	enum hr_code rc = read_request(req, r, err);
	if (rc != HR_OK)
		return rc;
	snprintf(r->workload_kind, sizeof(r->workload_kind), "%s", kind_of_resource(r->resource));
	bool create = strcmp(r->operation, "CREATE") == 0;
	bool update = strcmp(r->operation, "UPDATE") == 0;
	if ((!create && !update) || !is_workload_resource(r)) {
		allow(r, "not a workload scale-up");
		return HR_OK;
	}
	const cJSON *object = hr_cj_member(req, "object"), *old = hr_cj_member(req, "oldObject");
	if (!cJSON_IsObject(object))
		return hr_err_set(err, HR_EINVAL, "request.object", "required for %s",
		                  r->operation);
	if (update && !cJSON_IsObject(old))
		return hr_err_set(err, HR_EINVAL, "request.oldObject", "required for UPDATE");
	if (strcmp(r->subresource, "scale") == 0)
		return update ? decide_scale(r, object, old, err)
		              : (allow(r, "scale CREATE"), HR_OK);
	if (r->subresource[0]) {
		allow(r, "another subresource");
		return HR_OK;
	}
	return decide_object(r, object, old, err);
}

void hr_review_use_fetched(struct hr_review *r, const cJSON *workload)
{
	if (paused(workload)) {
		allow(r, "the Deployment is paused");
		return;
	}
	r->need = HR_REVIEW_CHECK;
	r->workload = workload;
}

const char *hr_review_enforce_annotation(const cJSON *workload)
{
	const cJSON *v = hr_cj_member(
	    hr_cj_member(hr_cj_member(workload, "metadata"), "annotations"), "headroom.io/enforce");
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

void hr_review_respond(const char *uid, const struct hr_review_answer *a, struct hr_buf *out)
{
	hr_buf_puts(out, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
	                 "\"response\":{\"uid\":");
	hr_buf_json_str(out, hr_str_c(uid));
	hr_buf_puts(out, a->allowed ? ",\"allowed\":true" : ",\"allowed\":false");
	if (!a->allowed) {
		hr_buf_printf(out, ",\"status\":{\"code\":%d,\"reason\":\"Forbidden\",\"message\":",
		              a->code ? a->code : 403);
		hr_buf_json_str(out, hr_str_c(a->message ? a->message : ""));
		hr_buf_putc(out, '}');
	}
	if (a->n_warnings) {
		hr_buf_puts(out, ",\"warnings\":[");
		for (size_t i = 0; i < a->n_warnings; i++) {
			if (i)
				hr_buf_putc(out, ',');
			hr_buf_json_str(out, hr_str_c(a->warnings[i]));
		}
		hr_buf_putc(out, ']');
	}
	hr_buf_puts(out, "}}\n");
}
