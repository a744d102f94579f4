/* pod_fields.h: the field names a Pod may carry (core/v1, Kubernetes 1.34),
 * to catch misspelled fields in a pod a user wrote.
 *
 * The API server's strict field validation (kubectl's default
 * --validate=strict) refuses `resources: {request: ...}`; a decoder that
 * skips unknown keys would read it as a pod asking for nothing and answer a
 * wrong count. This checks the pod object, its metadata, its spec and every
 * nested type the scheduler reads (containers, resources, ports, affinity
 * and its terms and selectors, tolerations, topology spread constraints);
 * values it does not model (volumes, probes, securityContext, ...) are not
 * descended into. Fields added by later releases that the scheduler of 1.34
 * ignores are accepted, so a manifest written for a newer cluster is not
 * refused. Pure; thread-safety: reentrant. */
#ifndef HR_POD_FIELDS_H
#define HR_POD_FIELDS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* Finds the first field of pod (a Pod object, or {metadata, spec}) that its
 * type does not have. Returns false when every field is known; otherwise
 * true with its path in out (e.g. "spec.containers[0].resources.request"),
 * after prefix and a dot when prefix is not NULL, truncated to out_len. */
bool hr_pod_unknown_field(const cJSON *pod, const char *prefix, char *out, size_t out_len);

#endif
