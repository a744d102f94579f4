/* request.h: a pod's resource request vector and host ports, computed the way
 * kube-scheduler 1.34 computes them (spec/predicates.md §2.5, §2.6, §6.3).
 *
 * R = sum of regular containers, raised by the init-container walk
 * (sidecars add to the running total), then pod-level requests replace
 * cpu/memory/hugepages when set, then overhead is added. Sums are exact in
 * milli-units and converted once: cpu -> milli, everything else -> ceil to
 * whole units. Existing pods use max(spec, status) per resized container.
 * Not here: fitting against a node (filter_resources.c).
 * Thread-safety: reentrant; writes only the pod it is given. */
#ifndef HR_REQUEST_H
#define HR_REQUEST_H

#include "arena.h"
#include "err.h"
#include "model.h"

/* Computes pod->request, the non-zero scoring requests and pod->host_ports,
 * after applying pod-level request defaulting. Allocates from arena. Fails
 * with HR_ERANGE when a sum overflows int64. Idempotent. */
enum hr_code hr_pod_finalize(struct hr_pod *pod, struct hr_arena *arena, struct hr_err *err)
    __attribute__((warn_unused_result));

/* Only the API server's defaulting of pod-level requests (defaultPodRequests),
 * the first step of hr_pod_finalize, for a caller that validates the pod
 * (admit.h) before finalizing it: with pod-level limits set, a missing cpu or
 * memory request := the containers' aggregate, then any other missing one :=
 * its pod-level limit. Idempotent. */
enum hr_code hr_pod_default_requests(struct hr_pod *pod, struct hr_arena *arena, struct hr_err *err)
    __attribute__((warn_unused_result));

/* Drops what an existing pod no longer needs once finalized (containers,
 * status resources), keeping its request, ports, labels and affinity. */
void hr_pod_compact(struct hr_pod *pod);

/* Per-container requests aggregated with the init-container rule, in
 * milli-units by resource name (no pod-level requests, no overhead):
 * resourcehelper.AggregateContainerRequests. With nonmissing, a container
 * lacking cpu/memory counts 100m / 200Mi (scoring's non-zero defaults). */
enum hr_code hr_aggregate_container_requests(const struct hr_pod *pod, bool nonmissing,
                                             struct hr_arena *arena, struct hr_qty_list *out,
                                             struct hr_err *err)
    __attribute__((warn_unused_result));

/* Non-zero defaults used by scoring (k8s.io/kubernetes/pkg/scheduler/util). */
#define HR_DEFAULT_MILLI_CPU_REQUEST 100
#define HR_DEFAULT_MEMORY_REQUEST    (200LL * 1024 * 1024)

#endif
