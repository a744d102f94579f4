/* store.h: the live cache's objects, kept current by the reflectors.
 *
 * One table per kind (Node, Pod, Namespace, LimitRange, RuntimeClass) maps
 * "namespace/name" to a decoded, compact, reference-counted object. The
 * reflectors upsert, delete and (after a relist) replace whole kinds; the
 * publisher turns the current contents into an immutable snapshot that
 * borrows the objects, holding one reference on each until the snapshot is
 * freed, so objects replaced meanwhile live exactly as long as needed.
 * Thread-safety: every function locks the store; objects are immutable. */
#ifndef XT_STORE_H
#define XT_STORE_H

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "cache.h"
#include "err.h"
#include "model.h"

enum xt_kind {
	XT_KIND_NODE,
	XT_KIND_POD,
	XT_KIND_NAMESPACE,
	XT_KIND_LIMIT_RANGE,
	XT_KIND_RUNTIME_CLASS,
	XT_KIND_COUNT
};

/* "Node", "Pod", ... */
const char *xt_kind_name(enum xt_kind kind);

struct xt_obj {
	atomic_int refs;
	enum xt_kind kind;
	struct hr_str key;              /* "namespace/name" or "name" */
	struct hr_str resource_version; /* of this object */
	struct hr_arena arena;          /* owns everything of the object */
	union {
		struct hr_node *node;
		struct hr_pod *pod;
		struct hr_namespace *ns;
		struct hr_limit_range *lr;
		struct hr_runtime_class *rc;
		void *any;
	} m;
	struct xt_obj *next; /* hash chain */
};

/* Decodes a Kubernetes object of `kind` into a new object (refs = 1).
 * scratch is reused memory for decoding (reset here). */
enum hr_code xt_obj_from_json(enum xt_kind kind, const cJSON *json, struct hr_arena *scratch,
                              struct xt_obj **out, struct hr_err *err);
void xt_obj_retain(struct xt_obj *o);
void xt_obj_release(struct xt_obj *o);

/* The "namespace/name" key of a JSON object (for DELETED events). */
bool xt_obj_key(enum xt_kind kind, const cJSON *json, char *out, size_t size);

struct xt_store_kind {
	struct xt_obj **buckets;
	size_t n_buckets;
	size_t count;
	char resource_version[128]; /* of the last list or event applied */
	bool synced;                /* a full LIST has landed */
};

struct xt_store {
	pthread_mutex_t lock;
	struct xt_store_kind kinds[XT_KIND_COUNT];
	uint64_t version; /* bumped on every change */
};

void xt_store_init(struct xt_store *s);
void xt_store_fini(struct xt_store *s);

/* Adds or replaces by key (takes the caller's reference). */
void xt_store_upsert(struct xt_store *s, struct xt_obj *o, const char *resource_version);
/* Removes by key (no-op when absent). */
void xt_store_delete(struct xt_store *s, enum xt_kind kind, const char *key,
                     const char *resource_version);
/* A relist: the kind now holds exactly objs (references taken) and is synced. */
void xt_store_replace(struct xt_store *s, enum xt_kind kind, struct xt_obj **objs, size_t n,
                      const char *resource_version);
/* Bookmarks: only the resourceVersion moves. */
void xt_store_set_resource_version(struct xt_store *s, enum xt_kind kind, const char *rv);
/* Marks a kind synced and empty (an optional kind the API does not serve). */
void xt_store_mark_synced(struct xt_store *s, enum xt_kind kind);

bool xt_store_synced(struct xt_store *s, enum xt_kind kind);
uint64_t xt_store_version(struct xt_store *s);

/* Builds a snapshot of the current contents (borrowing the objects). */
enum hr_code xt_store_snapshot(struct xt_store *s, const char *source, struct xt_snap **out,
                               struct hr_err *err);

/* JSON summary for /debug/cache: per kind, synced, resourceVersion and
 * every object's key and resourceVersion (sorted by key). */
void xt_store_describe(struct xt_store *s, struct hr_buf *out);

#endif
