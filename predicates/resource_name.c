/* resource_name.c: resource name classification. */
#include "resource_name.h"

#include "selector.h"

bool hr_is_hugepages_resource(struct hr_str name)
{
	return hr_str_has_prefix(name, "hugepages-");
}

static bool is_native(struct hr_str name)
{
	return !memchr(name.p, '/', name.n) || hr_str_contains(name, "kubernetes.io/");
}

bool hr_is_extended_resource(struct hr_str name)
{
	if (name.n == 0 || is_native(name) || hr_str_has_prefix(name, "requests."))
		return false;
	/* "requests.<name>" must be a qualified name (quota naming rule) */
	char quota[320];
	if (name.n + 9 > sizeof(quota))
		return false;
	memcpy(quota, "requests.", 9);
	memcpy(quota + 9, name.p, name.n);
	return hr_is_qualified_name((struct hr_str){quota, name.n + 9});
}

enum hr_res_kind hr_resource_kind(struct hr_str name)
{
	if (hr_str_eq_c(name, "cpu"))
		return HR_RES_CPU;
	if (hr_str_eq_c(name, "memory"))
		return HR_RES_MEMORY;
	if (hr_str_eq_c(name, "ephemeral-storage"))
		return HR_RES_EPHEMERAL_STORAGE;
	if (hr_str_eq_c(name, "pods"))
		return HR_RES_PODS;
	if (hr_is_extended_resource(name) || hr_is_hugepages_resource(name) ||
	    hr_str_contains(name, "kubernetes.io/") ||
	    hr_str_has_prefix(name, "attachable-volumes-"))
		return HR_RES_SCALAR;
	return HR_RES_IGNORED;
}

bool hr_is_non_overcommittable(struct hr_str name)
{
	return hr_is_extended_resource(name) || hr_is_hugepages_resource(name);
}
