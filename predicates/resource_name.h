/* resource_name.h: how kube-scheduler classifies resource names.
 *
 * cpu, memory, ephemeral-storage and pods are fixed fields of a resource
 * vector; "scalar" resources are extended resources (example.com/gpu),
 * hugepages-*, names containing "kubernetes.io/" and attachable-volumes-*;
 * anything else (an unknown name without '/') is ignored entirely
 * (k8s.io/kubernetes/pkg/scheduler/util IsScalarResourceName,
 * pkg/apis/core/v1/helper IsExtendedResourceName).
 * Thread-safety: reentrant. */
#ifndef HR_RESOURCE_NAME_H
#define HR_RESOURCE_NAME_H

#include <stdbool.h>
#include "str.h"

enum hr_res_kind {
	HR_RES_CPU,
	HR_RES_MEMORY,
	HR_RES_EPHEMERAL_STORAGE,
	HR_RES_PODS,
	HR_RES_SCALAR,
	HR_RES_IGNORED,
};

enum hr_res_kind hr_resource_kind(struct hr_str name);
bool hr_is_extended_resource(struct hr_str name);
bool hr_is_hugepages_resource(struct hr_str name);
/* Resources whose requests must equal their limits (API validation):
 * extended resources and hugepages. */
bool hr_is_non_overcommittable(struct hr_str name);

#endif
