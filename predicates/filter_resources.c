/* filter_resources.c: NodeResourcesFit Filter (P/noderesources/fit.go
 * fitsRequest; spec/predicates.md §2.6), with the capacity overlay: `added`
 * copies of the pod already assumed on the node. */
#include "filter.h"

#include "resource_name.h"

/* Room left for a resource after `added` copies: alloc - used - added*req,
 * computed without overflow. */
static __int128 room(int64_t alloc, int64_t used, int64_t added, int64_t req)
{
	return (__int128)alloc - used - (__int128)added * req;
}

static bool pod_requests_nothing(const struct hr_pod *pod)
{
	const struct hr_resources *r = &pod->request;
	return r->cpu_milli == 0 && r->mem_bytes == 0 && r->eph_bytes == 0 && r->n_scalars == 0;
}

bool hr_filter_resources(const struct hr_pod *pod, const struct hr_node_info *info, int64_t added,
                         struct hr_node_status *out)
{
	const struct hr_resources *req = &pod->request;
	const struct hr_resources *alloc = &info->node->allocatable;
	const struct hr_resources *used = &info->requested;
	uint32_t reasons = 0;
	uint64_t scalars = 0;
	bool never_fits = false;

	if ((__int128)info->n_pods + added + 1 > alloc->pods)
		reasons |= 1u << HR_R_TOO_MANY_PODS;
	if (!pod_requests_nothing(pod)) {
		const struct {
			int64_t want, alloc, used;
			enum hr_reason reason;
		} fixed[] = {
		    {req->cpu_milli, alloc->cpu_milli, used->cpu_milli, HR_R_INSUFFICIENT_CPU},
		    {req->mem_bytes, alloc->mem_bytes, used->mem_bytes, HR_R_INSUFFICIENT_MEMORY},
		    {req->eph_bytes, alloc->eph_bytes, used->eph_bytes,
		     HR_R_INSUFFICIENT_EPHEMERAL},
		};
		for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
			if (fixed[i].want <= 0 ||
			    fixed[i].want <=
			        room(fixed[i].alloc, fixed[i].used, added, fixed[i].want))
				continue;
			reasons |= 1u << fixed[i].reason;
			never_fits |= fixed[i].want > fixed[i].alloc;
		}
		for (size_t i = 0; i < req->n_scalars && i < HR_MAX_POD_SCALARS; i++) {
			const struct hr_scalar *s = &req->scalars[i];
			int64_t a = hr_resources_scalar(alloc, s->name);
			if (s->value == 0 || s->value <= room(a, hr_resources_scalar(used, s->name),
			                                      added, s->value))
				continue;
			reasons |= 1u << HR_R_INSUFFICIENT_SCALAR;
			scalars |= 1ull << i;
			never_fits |= s->value > a;
		}
	}
	if (!reasons)
		return true;
	out->code = never_fits ? HR_STATUS_UNRESOLVABLE : HR_STATUS_UNSCHEDULABLE;
	out->plugin = HR_PLUGIN_NODE_RESOURCES_FIT;
	out->reasons = reasons;
	out->scalar_bits = scalars;
	return false;
}

/* floor(room / want) clamped to [0, cap]. */
static int64_t copies_for(__int128 left, int64_t want, int64_t cap)
{
	if (left < want)
		return 0;
	__int128 k = left / want;
	return k < cap ? (int64_t)k : cap;
}

int64_t hr_copies_that_fit(const struct hr_pod *pod, const struct hr_node_info *info, int64_t added)
{
	const struct hr_resources *req = &pod->request;
	const struct hr_resources *alloc = &info->node->allocatable;
	const struct hr_resources *used = &info->requested;
	__int128 slots = (__int128)alloc->pods - (__int128)info->n_pods - added;
	if (slots <= 0)
		return 0;
	int64_t k = slots > INT64_MAX ? INT64_MAX : (int64_t)slots;
	if (pod->n_host_ports > 0) {
		struct hr_node_status st;
		if (added > 0 || !hr_filter_ports(pod, info, 0, &st))
			return 0;
		k = k < 1 ? k : 1;
	}
	if (pod_requests_nothing(pod))
		return k;
	if (req->cpu_milli > 0)
		k = copies_for(room(alloc->cpu_milli, used->cpu_milli, added, req->cpu_milli),
		               req->cpu_milli, k);
	if (req->mem_bytes > 0)
		k = copies_for(room(alloc->mem_bytes, used->mem_bytes, added, req->mem_bytes),
		               req->mem_bytes, k);
	if (req->eph_bytes > 0)
		k = copies_for(room(alloc->eph_bytes, used->eph_bytes, added, req->eph_bytes),
		               req->eph_bytes, k);
	for (size_t i = 0; i < req->n_scalars; i++) {
		const struct hr_scalar *s = &req->scalars[i];
		if (s->value > 0)
			k = copies_for(room(hr_resources_scalar(alloc, s->name),
			                    hr_resources_scalar(used, s->name), added, s->value),
			               s->value, k);
	}
	return k;
}
