/* store.c: reference-counted objects in per-kind hash tables. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clone.h"
#include "decode.h"
#include "jsonget.h"
#include "request.h"

static const char *const kind_names[XT_KIND_COUNT] = {"Node", "Pod", "Namespace", "LimitRange",
                                                      "RuntimeClass"};

const char *xt_kind_name(enum xt_kind kind)
{
	return kind < XT_KIND_COUNT ? kind_names[kind] : "?";
}

static bool namespaced(enum xt_kind kind)
{
	return kind == XT_KIND_POD || kind == XT_KIND_LIMIT_RANGE;
}

bool xt_obj_key(enum xt_kind kind, const cJSON *json, char *out, size_t size)
{
	const cJSON *meta = hr_cj_member(json, "metadata");
	const cJSON *name = hr_cj_member(meta, "name");
	const cJSON *ns = hr_cj_member(meta, "namespace");
	if (!cJSON_IsString(name) || !name->valuestring[0])
		return false;
	int n;
	if (namespaced(kind))
		n = snprintf(out, size, "%s/%s", cJSON_IsString(ns) ? ns->valuestring : "default",
		             name->valuestring);
	else
		n = snprintf(out, size, "%s", name->valuestring);
	return n > 0 && (size_t)n < size;
}

/* ---- objects -------------------------------------------------------------- */

/* Decodes json into scratch; *model points into scratch. */
static enum hr_code decode(enum xt_kind kind, const cJSON *json, struct hr_arena *scratch,
                           void *model, struct hr_err *err)
{
	struct hr_decoder d;
	hr_decoder_init(&d, scratch, NULL, err);
	switch (kind) {
	case XT_KIND_NODE:
		return hr_decode_node(&d, json, model);
	case XT_KIND_POD: {
		enum hr_code rc = hr_decode_pod(&d, json, model);
		return rc == HR_OK ? hr_pod_finalize(model, scratch, err) : rc;
	}
	case XT_KIND_NAMESPACE:
		return hr_decode_namespace(&d, json, model);
	case XT_KIND_LIMIT_RANGE:
		return hr_decode_limit_range(&d, json, model);
	case XT_KIND_RUNTIME_CLASS:
		return hr_decode_runtime_class(&d, json, model);
	default:
		return hr_err_set(err, HR_EINVAL, NULL, "unknown kind");
	}
}

static void *clone(enum xt_kind kind, const void *model, struct hr_arena *dst)
{
	switch (kind) {
	case XT_KIND_NODE:
		return hr_node_clone(model, dst, NULL);
	case XT_KIND_POD:
		return hr_pod_clone_compact(model, dst, NULL);
	case XT_KIND_NAMESPACE:
		return hr_namespace_clone(model, dst, NULL);
	case XT_KIND_LIMIT_RANGE:
		return hr_limit_range_clone(model, dst, NULL);
	case XT_KIND_RUNTIME_CLASS:
		return hr_runtime_class_clone(model, dst, NULL);
	default:
		return NULL;
	}
}

static struct hr_str model_rv(enum xt_kind kind, const void *model)
{
	switch (kind) {
	case XT_KIND_NODE:
		return ((const struct hr_node *)model)->resource_version;
	case XT_KIND_POD:
		return ((const struct hr_pod *)model)->resource_version;
	default:
		return HR_STR_LIT("");
	}
}

enum hr_code xt_obj_from_json(enum xt_kind kind, const cJSON *json, struct hr_arena *scratch,
                              struct xt_obj **out, struct hr_err *err)
{
	union {
		struct hr_node node;
		struct hr_pod pod;
		struct hr_namespace ns;
		struct hr_limit_range lr;
		struct hr_runtime_class rc;
	} tmp;
	char key[600];
	const cJSON *rvj = hr_cj_member(hr_cj_member(json, "metadata"), "resourceVersion");
	const char *rv = cJSON_IsString(rvj) ? rvj->valuestring : "";
	if (!xt_obj_key(kind, json, key, sizeof(key)))
		return hr_err_set(err, HR_EINVAL, "metadata.name", "%s without a name",
		                  xt_kind_name(kind));
	hr_arena_reset(scratch);
	enum hr_code rc = decode(kind, json, scratch, &tmp, err);
	if (rc != HR_OK)
		return rc;
	/* measure the compact clone once, then make it in one right-sized block */
	struct hr_arena measure;
	hr_arena_init(&measure, NULL, 0);
	void *probe = clone(kind, &tmp, &measure);
	size_t bytes = measure.used_bytes + strlen(key) + strlen(rv) + 64;
	hr_arena_fini(&measure);
	struct xt_obj *o = calloc(1, sizeof(*o));
	if (!probe || !o) {
		free(o);
		return hr_err_set(err, HR_ENOMEM, key, "out of memory storing the object");
	}
	hr_arena_init(&o->arena, NULL, 0);
	hr_arena_set_first_block(&o->arena, bytes);
	o->kind = kind;
	atomic_init(&o->refs, 1);
	o->m.any = clone(kind, &tmp, &o->arena);
	o->key = hr_arena_strdup(&o->arena, hr_str_c(key));
	o->resource_version = model_rv(kind, o->m.any);
	if (!o->resource_version.n)
		o->resource_version = hr_arena_strdup(&o->arena, hr_str_c(rv));
	if (!o->m.any || !o->key.p || !o->resource_version.p) {
		xt_obj_release(o);
		return hr_err_set(err, HR_ENOMEM, key, "out of memory storing the object");
	}
	*out = o;
	return HR_OK;
}

void xt_obj_retain(struct xt_obj *o)
{
	atomic_fetch_add(&o->refs, 1);
}

void xt_obj_release(struct xt_obj *o)
{
	if (!o || atomic_fetch_sub(&o->refs, 1) != 1)
		return;
	hr_arena_fini(&o->arena);
	free(o);
}

/* ---- tables ------------------------------------------------------------------ */

static uint64_t hash_key(struct hr_str k)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < k.n; i++)
		h = (h ^ (unsigned char)k.p[i]) * 1099511628211ULL;
	return h;
}

static void grow(struct xt_store_kind *t)
{
	size_t n = t->n_buckets ? t->n_buckets * 2 : 1024;
	struct xt_obj **b = calloc(n, sizeof(*b));
	if (!b)
		return; /* keep the old, longer chains */
	for (size_t i = 0; i < t->n_buckets; i++)
		for (struct xt_obj *o = t->buckets[i], *next; o; o = next) {
			next = o->next;
			size_t k = hash_key(o->key) & (n - 1);
			o->next = b[k];
			b[k] = o;
		}
	free(t->buckets);
	t->buckets = b;
	t->n_buckets = n;
}

/* Unlinks the object with key; returns it (the caller releases). */
static struct xt_obj *unlink_key(struct xt_store_kind *t, struct hr_str key)
{
	if (!t->n_buckets)
		return NULL;
	struct xt_obj **pp = &t->buckets[hash_key(key) & (t->n_buckets - 1)];
	for (; *pp; pp = &(*pp)->next)
		if (hr_str_eq((*pp)->key, key)) {
			struct xt_obj *o = *pp;
			*pp = o->next;
			o->next = NULL;
			t->count--;
			return o;
		}
	return NULL;
}

static void link_obj(struct xt_store_kind *t, struct xt_obj *o)
{
	if (t->count + 1 > t->n_buckets)
		grow(t);
	size_t k = hash_key(o->key) & (t->n_buckets - 1);
	o->next = t->buckets[k];
	t->buckets[k] = o;
	t->count++;
}

static void clear_kind(struct xt_store_kind *t)
{
	for (size_t i = 0; i < t->n_buckets; i++)
		for (struct xt_obj *o = t->buckets[i], *next; o; o = next) {
			next = o->next;
			o->next = NULL;
			xt_obj_release(o);
		}
	if (t->buckets)
		memset(t->buckets, 0, t->n_buckets * sizeof(*t->buckets));
	t->count = 0;
}

static void set_rv(struct xt_store_kind *t, const char *rv)
{
	if (rv && rv[0])
		snprintf(t->resource_version, sizeof(t->resource_version), "%s", rv);
}

void xt_store_init(struct xt_store *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
}

void xt_store_fini(struct xt_store *s)
{
	for (int k = 0; k < XT_KIND_COUNT; k++) {
		clear_kind(&s->kinds[k]);
		free(s->kinds[k].buckets);
	}
	pthread_mutex_destroy(&s->lock);
}

void xt_store_upsert(struct xt_store *s, struct xt_obj *o, const char *resource_version)
{
	pthread_mutex_lock(&s->lock);
	struct xt_store_kind *t = &s->kinds[o->kind];
	struct xt_obj *old = unlink_key(t, o->key);
	link_obj(t, o);
	set_rv(t, resource_version);
	s->version++;
	pthread_mutex_unlock(&s->lock);
	xt_obj_release(old);
}

void xt_store_delete(struct xt_store *s, enum xt_kind kind, const char *key,
                     const char *resource_version)
{
	pthread_mutex_lock(&s->lock);
	struct xt_obj *old = unlink_key(&s->kinds[kind], hr_str_c(key));
	set_rv(&s->kinds[kind], resource_version);
	s->version++;
	pthread_mutex_unlock(&s->lock);
	xt_obj_release(old);
}

void xt_store_replace(struct xt_store *s, enum xt_kind kind, struct xt_obj **objs, size_t n,
                      const char *resource_version)
{
	pthread_mutex_lock(&s->lock);
	struct xt_store_kind *t = &s->kinds[kind];
	clear_kind(t);
	for (size_t i = 0; i < n; i++) {
		struct xt_obj *dup = unlink_key(t, objs[i]->key); /* a list never repeats a key */
		xt_obj_release(dup);
		link_obj(t, objs[i]);
	}
	set_rv(t, resource_version);
	t->synced = true;
	s->version++;
	pthread_mutex_unlock(&s->lock);
}

void xt_store_set_resource_version(struct xt_store *s, enum xt_kind kind, const char *rv)
{
	pthread_mutex_lock(&s->lock);
	set_rv(&s->kinds[kind], rv);
	pthread_mutex_unlock(&s->lock);
}

void xt_store_mark_synced(struct xt_store *s, enum xt_kind kind)
{
	pthread_mutex_lock(&s->lock);
	if (!s->kinds[kind].synced) {
		s->kinds[kind].synced = true;
		s->version++;
	}
	pthread_mutex_unlock(&s->lock);
}

bool xt_store_synced(struct xt_store *s, enum xt_kind kind)
{
	pthread_mutex_lock(&s->lock);
	bool synced = s->kinds[kind].synced;
	pthread_mutex_unlock(&s->lock);
	return synced;
}

uint64_t xt_store_version(struct xt_store *s)
{
	pthread_mutex_lock(&s->lock);
	uint64_t v = s->version;
	pthread_mutex_unlock(&s->lock);
	return v;
}

/* ---- snapshots --------------------------------------------------------------- */

struct retained {
	struct xt_obj **v;
	size_t n;
};

static void release_retained(void *ctx)
{
	struct retained *r = ctx;
	for (size_t i = 0; i < r->n; i++)
		xt_obj_release(r->v[i]);
	free(r->v);
	free(r);
}

static enum hr_code add_obj(struct hr_snap_builder *b, struct xt_obj *o)
{
	switch (o->kind) {
	case XT_KIND_NODE:
		return hr_snap_builder_add_node(b, o->m.node);
	case XT_KIND_POD:
		return hr_snap_builder_add_pod(b, o->m.pod);
	case XT_KIND_NAMESPACE:
		return hr_snap_builder_add_namespace(b, o->m.ns);
	case XT_KIND_LIMIT_RANGE:
		return hr_snap_builder_add_limit_range(b, o->m.lr);
	case XT_KIND_RUNTIME_CLASS:
		return hr_snap_builder_add_runtime_class(b, o->m.rc);
	default:
		return HR_OK;
	}
}

enum hr_code xt_store_snapshot(struct xt_store *s, const char *source, struct xt_snap **out,
                               struct hr_err *err)
{
	struct xt_snap *snap = xt_snap_new(source);
	struct retained *r = calloc(1, sizeof(*r));
	if (!snap || !r) {
		free(r);
		xt_snap_release(snap);
		return hr_err_set(err, HR_ENOMEM, NULL, "out of memory building a snapshot");
	}
	struct hr_snap_builder b;
	hr_snap_builder_init(&b, &snap->arena, err);
	enum hr_code rc = HR_OK;
	pthread_mutex_lock(&s->lock);
	size_t total = 0;
	for (int k = 0; k < XT_KIND_COUNT; k++)
		total += s->kinds[k].count;
	r->v = malloc((total + 1) * sizeof(*r->v));
	if (!r->v)
		rc = hr_err_set(err, HR_ENOMEM, NULL, "out of memory building a snapshot");
	for (int k = 0; k < XT_KIND_COUNT && rc == HR_OK; k++) {
		struct xt_store_kind *t = &s->kinds[k];
		for (size_t i = 0; i < t->n_buckets && rc == HR_OK; i++)
			for (struct xt_obj *o = t->buckets[i]; o && rc == HR_OK; o = o->next) {
				rc = add_obj(&b, o);
				xt_obj_retain(o);
				r->v[r->n++] = o;
			}
	}
	hr_snap_builder_set_resource_version(&b, hr_str_c(s->kinds[XT_KIND_POD].resource_version));
	pthread_mutex_unlock(&s->lock);
	snap->on_free = release_retained;
	snap->on_free_ctx = r;
	if (rc == HR_OK)
		rc = hr_snap_builder_finish(&b, &snap->snap);
	hr_snap_builder_fini(&b);
	if (rc != HR_OK) {
		xt_snap_release(snap);
		return rc;
	}
	*out = snap;
	return HR_OK;
}

/* ---- description ------------------------------------------------------------- */

static int by_key(const void *a, const void *b)
{
	return hr_str_cmp((*(struct xt_obj *const *)a)->key, (*(struct xt_obj *const *)b)->key);
}

void xt_store_describe(struct xt_store *s, struct hr_buf *out)
{
	pthread_mutex_lock(&s->lock);
	hr_buf_putc(out, '{');
	for (int k = 0; k < XT_KIND_COUNT; k++) {
		struct xt_store_kind *t = &s->kinds[k];
		struct xt_obj **v = malloc((t->count + 1) * sizeof(*v));
		size_t n = 0;
		for (size_t i = 0; v && i < t->n_buckets; i++)
			for (struct xt_obj *o = t->buckets[i]; o; o = o->next)
				v[n++] = o;
		if (n)
			qsort(v, n, sizeof(*v), by_key);
		hr_buf_printf(out, "%s\"%s\":{\"synced\":%s,\"resourceVersion\":", k ? "," : "",
		              kind_names[k], t->synced ? "true" : "false");
		hr_buf_json_str(out, hr_str_c(t->resource_version));
		hr_buf_puts(out, ",\"objects\":[");
		for (size_t i = 0; i < n; i++) {
			hr_buf_puts(out, i ? ",[" : "[");
			hr_buf_json_str(out, v[i]->key);
			hr_buf_putc(out, ',');
			hr_buf_json_str(out, v[i]->resource_version);
			hr_buf_putc(out, ']');
		}
		hr_buf_puts(out, "]}");
		free(v);
	}
	hr_buf_puts(out, "}\n");
	pthread_mutex_unlock(&s->lock);
}
