/* pod_fields.c: see pod_fields.h. Field names are those of k8s.io/api/core/v1
 * and meta/v1 types in Kubernetes 1.34. */
#include "pod_fields.h"

#include <stdio.h>
#include <string.h>

struct object_type;

/* One field of a type: type NULL means its value is not checked further;
 * list means the value is an array of objects of type. */
struct field {
	const char *key;
	const struct object_type *type;
	bool list;
};

struct object_type {
	const struct field *fields; /* ends with a NULL key */
};

#define T(name) (&name##_type)
#define TYPE(name, ...)                                                                            \
	static const struct field name##_fields[] = {__VA_ARGS__, {NULL, NULL, false}};            \
	static const struct object_type name##_type = {name##_fields}

TYPE(requirement, {"key", NULL, false}, {"operator", NULL, false}, {"values", NULL, false});
TYPE(label_selector, {"matchLabels", NULL, false}, {"matchExpressions", T(requirement), true});
TYPE(node_selector_term, {"matchExpressions", T(requirement), true},
     {"matchFields", T(requirement), true});
TYPE(node_selector, {"nodeSelectorTerms", T(node_selector_term), true});
TYPE(preferred_scheduling_term, {"weight", NULL, false},
     {"preference", T(node_selector_term), false});
TYPE(node_affinity, {"requiredDuringSchedulingIgnoredDuringExecution", T(node_selector), false},
     {"preferredDuringSchedulingIgnoredDuringExecution", T(preferred_scheduling_term), true});
TYPE(pod_affinity_term, {"labelSelector", T(label_selector), false},
     {"namespaceSelector", T(label_selector), false}, {"namespaces", NULL, false},
     {"topologyKey", NULL, false}, {"matchLabelKeys", NULL, false},
     {"mismatchLabelKeys", NULL, false});
TYPE(weighted_pod_affinity_term, {"weight", NULL, false},
     {"podAffinityTerm", T(pod_affinity_term), false});
TYPE(pod_affinity, {"requiredDuringSchedulingIgnoredDuringExecution", T(pod_affinity_term), true},
     {"preferredDuringSchedulingIgnoredDuringExecution", T(weighted_pod_affinity_term), true});
TYPE(affinity, {"nodeAffinity", T(node_affinity), false}, {"podAffinity", T(pod_affinity), false},
     {"podAntiAffinity", T(pod_affinity), false});
TYPE(toleration, {"key", NULL, false}, {"operator", NULL, false}, {"value", NULL, false},
     {"effect", NULL, false}, {"tolerationSeconds", NULL, false});
TYPE(spread_constraint, {"maxSkew", NULL, false}, {"topologyKey", NULL, false},
     {"whenUnsatisfiable", NULL, false}, {"labelSelector", T(label_selector), false},
     {"minDomains", NULL, false}, {"nodeAffinityPolicy", NULL, false},
     {"nodeTaintsPolicy", NULL, false}, {"matchLabelKeys", NULL, false});
TYPE(resources, {"limits", NULL, false}, {"requests", NULL, false}, {"claims", NULL, false});
TYPE(container_port, {"name", NULL, false}, {"hostPort", NULL, false},
     {"containerPort", NULL, false}, {"protocol", NULL, false}, {"hostIP", NULL, false});
TYPE(container, {"name", NULL, false}, {"image", NULL, false}, {"command", NULL, false},
     {"args", NULL, false}, {"workingDir", NULL, false}, {"ports", T(container_port), true},
     {"envFrom", NULL, false}, {"env", NULL, false}, {"resources", T(resources), false},
     {"resizePolicy", NULL, false}, {"restartPolicy", NULL, false},
     {"restartPolicyRules", NULL, false}, {"volumeMounts", NULL, false},
     {"volumeDevices", NULL, false}, {"livenessProbe", NULL, false},
     {"readinessProbe", NULL, false}, {"startupProbe", NULL, false}, {"lifecycle", NULL, false},
     {"terminationMessagePath", NULL, false}, {"terminationMessagePolicy", NULL, false},
     {"imagePullPolicy", NULL, false}, {"securityContext", NULL, false}, {"stdin", NULL, false},
     {"stdinOnce", NULL, false}, {"tty", NULL, false});
/* schedulingGroup and evictionResponders come after 1.34 (accepted, ignored). */
TYPE(pod_spec, {"volumes", NULL, false}, {"initContainers", T(container), true},
     {"containers", T(container), true}, {"ephemeralContainers", NULL, false},
     {"restartPolicy", NULL, false}, {"terminationGracePeriodSeconds", NULL, false},
     {"activeDeadlineSeconds", NULL, false}, {"dnsPolicy", NULL, false},
     {"nodeSelector", NULL, false}, {"serviceAccountName", NULL, false},
     {"serviceAccount", NULL, false}, {"automountServiceAccountToken", NULL, false},
     {"nodeName", NULL, false}, {"hostNetwork", NULL, false}, {"hostPID", NULL, false},
     {"hostIPC", NULL, false}, {"shareProcessNamespace", NULL, false},
     {"securityContext", NULL, false}, {"imagePullSecrets", NULL, false}, {"hostname", NULL, false},
     {"subdomain", NULL, false}, {"affinity", T(affinity), false}, {"schedulerName", NULL, false},
     {"tolerations", T(toleration), true}, {"hostAliases", NULL, false},
     {"priorityClassName", NULL, false}, {"priority", NULL, false}, {"dnsConfig", NULL, false},
     {"readinessGates", NULL, false}, {"runtimeClassName", NULL, false},
     {"enableServiceLinks", NULL, false}, {"preemptionPolicy", NULL, false},
     {"overhead", NULL, false}, {"topologySpreadConstraints", T(spread_constraint), true},
     {"setHostnameAsFQDN", NULL, false}, {"os", NULL, false}, {"hostUsers", NULL, false},
     {"schedulingGates", NULL, false}, {"resourceClaims", NULL, false},
     {"resources", T(resources), false}, {"hostnameOverride", NULL, false},
     {"schedulingGroup", NULL, false}, {"evictionResponders", NULL, false});
TYPE(object_meta, {"name", NULL, false}, {"generateName", NULL, false}, {"namespace", NULL, false},
     {"selfLink", NULL, false}, {"uid", NULL, false}, {"resourceVersion", NULL, false},
     {"generation", NULL, false}, {"creationTimestamp", NULL, false},
     {"deletionTimestamp", NULL, false}, {"deletionGracePeriodSeconds", NULL, false},
     {"labels", NULL, false}, {"annotations", NULL, false}, {"ownerReferences", NULL, false},
     {"finalizers", NULL, false}, {"managedFields", NULL, false});
TYPE(pod, {"apiVersion", NULL, false}, {"kind", NULL, false}, {"metadata", T(object_meta), false},
     {"spec", T(pod_spec), false}, {"status", NULL, false});

static const struct field *find_field(const struct object_type *type, const char *key)
{
	for (const struct field *f = type->fields; f->key; f++)
		if (strcmp(f->key, key) == 0)
			return f;
	return NULL;
}

/* Appends to the path in out[0..len): ".key" (or "key" at the start) or
 * "[index]"; returns the new length, kept below out_len. */
static size_t path_append(char *out, size_t out_len, size_t len, const char *key, int index)
{
	if (len >= out_len)
		return len;
	int n = key ? snprintf(out + len, out_len - len, "%s%s", len ? "." : "", key)
	            : snprintf(out + len, out_len - len, "[%d]", index);
	if (n < 0)
		return len;
	size_t end = len + (size_t)n;
	return end < out_len ? end : out_len - 1;
}

static bool unknown_in(const cJSON *obj, const struct object_type *type, char *out, size_t out_len,
                       size_t len);

static bool unknown_in_value(const cJSON *value, const struct field *f, char *out, size_t out_len,
                             size_t len)
{
	if (!f->type)
		return false;
	if (!f->list)
		return cJSON_IsObject(value) && unknown_in(value, f->type, out, out_len, len);
	if (!cJSON_IsArray(value))
		return false; /* the decoder names a wrong type */
	int i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, value)
	{
		size_t at = path_append(out, out_len, len, NULL, i++);
		if (cJSON_IsObject(item) && unknown_in(item, f->type, out, out_len, at))
			return true;
	}
	return false;
}

static bool unknown_in(const cJSON *obj, const struct object_type *type, char *out, size_t out_len,
                       size_t len)
{
	const cJSON *member;
	cJSON_ArrayForEach(member, obj)
	{
		const char *key = member->string ? member->string : "";
		size_t at = path_append(out, out_len, len, key, 0);
		const struct field *f = find_field(type, key);
		if (!f || unknown_in_value(member, f, out, out_len, at))
			return true;
	}
	out[len] = '\0';
	return false;
}

bool hr_pod_unknown_field(const cJSON *pod, const char *prefix, char *out, size_t out_len)
{
	if (!out || out_len == 0)
		return false;
	out[0] = '\0';
	size_t len = prefix ? path_append(out, out_len, 0, prefix, 0) : 0;
	return cJSON_IsObject(pod) && unknown_in(pod, T(pod), out, out_len, len);
}
