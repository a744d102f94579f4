/* clone.h: deep copies of model objects into another arena.
 *
 * Decoding allocates generously (whole container specs, temporary lists);
 * a snapshot or a watch store keeps objects for a long time, so it decodes
 * into a scratch arena and clones only what the predicates read into its own
 * memory. A compact pod keeps what an *existing* pod contributes to filters
 * and scores (request vectors, host ports, labels, namespace, required and
 * preferred pod (anti-)affinity terms, phase, deletion state) and drops its
 * containers, tolerations and node affinity. Strings go through `intern`
 * when it is not NULL (label keys and values, namespaces, topology keys)
 * and are copied otherwise; names and uids are always copied.
 * Each function returns NULL when dst runs out of memory.
 * Thread-safety: reentrant; the source is only read. */
#ifndef HR_CLONE_H
#define HR_CLONE_H

#include "arena.h"
#include "intern.h"
#include "model.h"

/* src must be finalized (hr_pod_finalize). */
struct hr_pod *hr_pod_clone_compact(const struct hr_pod *src, struct hr_arena *dst,
                                    struct hr_intern *intern);
struct hr_node *hr_node_clone(const struct hr_node *src, struct hr_arena *dst,
                              struct hr_intern *intern);
struct hr_namespace *hr_namespace_clone(const struct hr_namespace *src, struct hr_arena *dst,
                                        struct hr_intern *intern);
struct hr_limit_range *hr_limit_range_clone(const struct hr_limit_range *src, struct hr_arena *dst,
                                            struct hr_intern *intern);
struct hr_runtime_class *hr_runtime_class_clone(const struct hr_runtime_class *src,
                                                struct hr_arena *dst, struct hr_intern *intern);

#endif
