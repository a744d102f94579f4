/* decode.h: Kubernetes JSON (a cJSON tree) -> model objects.
 *
 * Reads v1 Node, Pod, Namespace, LimitRange and node.k8s.io/v1 RuntimeClass
 * objects. Applies the API server's defaulting that is idempotent and matters
 * for scheduling (spec/predicates.md §6.1–6.5): every quantity rounded up to a
 * whole milli, requests defaulted from limits, port protocol TCP, hostNetwork
 * host ports, pod-level request defaulting, node allocatable defaulted from
 * capacity, namespace "default". Admission plugins (DefaultTolerationSeconds,
 * LimitRanger, RuntimeClass) are not applied here: see admit.h.
 *
 * Ownership: every string and array of the result is copied into the
 * decoder's arena (strings through its interner when one is set); the cJSON
 * tree may be deleted right after. On error the arena keeps what was
 * allocated (freed with the arena) and err names the JSON path.
 * Thread-safety: a decoder is used by one thread at a time. */
#ifndef HR_DECODE_H
#define HR_DECODE_H

#include <cjson/cJSON.h>
#include "arena.h"
#include "err.h"
#include "intern.h"
#include "model.h"

enum hr_decode_flags {
	/* Keep only what an existing (bound) pod needs once its request vector
	 * is computed: drops per-container specs (hr_pod_finalize runs first). */
	HR_DECODE_COMPACT = 1u << 0,
};

struct hr_decoder {
	struct hr_arena *arena;   /* where the model goes (borrowed) */
	struct hr_intern *intern; /* optional: dedupes repeated strings */
	struct hr_path path;      /* current JSON path, for errors */
	struct hr_err *err;       /* first error (borrowed) */
	unsigned flags;           /* enum hr_decode_flags */
};

/* Prepares a decoder. intern may be NULL. */
void hr_decoder_init(struct hr_decoder *d, struct hr_arena *arena, struct hr_intern *intern,
                     struct hr_err *err);

/* Each decodes one object. The path prefix (e.g. "items[3]") may be set in
 * d->path by the caller; it is restored on return. */
enum hr_code hr_decode_node(struct hr_decoder *d, const cJSON *obj, struct hr_node *out)
    __attribute__((warn_unused_result));
enum hr_code hr_decode_pod(struct hr_decoder *d, const cJSON *obj, struct hr_pod *out)
    __attribute__((warn_unused_result));
enum hr_code hr_decode_namespace(struct hr_decoder *d, const cJSON *obj, struct hr_namespace *out)
    __attribute__((warn_unused_result));
enum hr_code hr_decode_limit_range(struct hr_decoder *d, const cJSON *obj,
                                   struct hr_limit_range *out) __attribute__((warn_unused_result));
enum hr_code hr_decode_runtime_class(struct hr_decoder *d, const cJSON *obj,
                                     struct hr_runtime_class *out)
    __attribute__((warn_unused_result));

/* A bare metav1.LabelSelector (as used in affinity terms and spread
 * constraints). A JSON null/absent selector gives present=false. Invalid
 * requirements are not errors: they mark the selector invalid (it then
 * matches nothing and InterPodAffinity reports it), as kube-scheduler does. */
enum hr_code hr_decode_label_selector(struct hr_decoder *d, const cJSON *sel,
                                      struct hr_label_selector *out)
    __attribute__((warn_unused_result));

/* Parses one quantity item (JSON string or number) at d->path into milli-units,
 * rounded up to a whole milli as API defaulting does. */
enum hr_code hr_decode_quantity_milli(struct hr_decoder *d, const cJSON *item, int64_t *milli)
    __attribute__((warn_unused_result));

#endif
