/* workload.h: the pod a capacity question is about.
 *
 * A capacity request names a Pod, or a workload whose pod template is used
 * (apps/v1 Deployment, ReplicaSet, StatefulSet, DaemonSet is refused; v1
 * ReplicationController; batch/v1 Job, CronJob), or an envelope
 * {"template": <one of those>, "replicas": K, "max": M}. This module finds
 * the pod object in such a document: for a workload it builds
 * {"metadata": template.metadata + the workload's namespace, "spec":
 * template.spec} (referencing, not copying, the template's parts).
 * Thread-safety: reentrant. */
#ifndef HR_WORKLOAD_H
#define HR_WORKLOAD_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include "err.h"

struct hr_workload {
	cJSON *pod;        /* the pod object; free with hr_workload_fini */
	char kind[32];     /* "Pod", "Deployment", ... */
	char name[254];    /* metadata.name of the pod or workload, "" if none */
	bool has_replicas; /* replicas asked for (envelope, or the workload's spec.replicas) */
	int64_t replicas;
	int64_t max; /* envelope "max" (0 = not given) */
};

/* Resolves doc (borrowed; must outlive the result) into a pod. */
enum hr_code hr_workload_resolve(const cJSON *doc, struct hr_workload *out, struct hr_err *err)
    __attribute__((warn_unused_result));

/* True when doc is something hr_workload_resolve can take a pod from: a Pod,
 * a workload kind above, an envelope, or a kind-less object with
 * spec.containers. Picks the one object out of a multi-document manifest
 * (a Deployment next to its Service and ConfigMap). */
bool hr_workload_has_pod(const cJSON *doc);

/* True when doc is the envelope {"template": ..., "replicas": K, "max": M}
 * (a template and no kind; null counts as absent). */
bool hr_workload_is_envelope(const cJSON *doc);

/* Frees what hr_workload_resolve built (never doc itself). */
void hr_workload_fini(struct hr_workload *w);

#endif
