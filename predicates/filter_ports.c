/* filter_ports.c: NodePorts (P/nodeports/node_ports.go, HostPortInfo.CheckConflict;
 * spec/predicates.md §2.5). */
#include "filter.h"

/* Would binding `want` clash with `have`? 0.0.0.0 clashes with every IP;
 * a specific IP clashes with itself and with 0.0.0.0. "::" is not a wildcard. */
static bool conflicts(const struct hr_host_port *want, const struct hr_host_port *have)
{
	if (want->port != have->port || !hr_str_eq(want->protocol, have->protocol))
		return false;
	if (hr_str_eq_c(want->ip, "0.0.0.0"))
		return true;
	return hr_str_eq(have->ip, want->ip) || hr_str_eq_c(have->ip, "0.0.0.0");
}

static bool any_conflict(const struct hr_pod *pod, const struct hr_host_port *used, size_t n_used)
{
	for (size_t i = 0; i < pod->n_host_ports; i++)
		for (size_t k = 0; k < n_used; k++)
			if (conflicts(&pod->host_ports[i], &used[k]))
				return true;
	return false;
}

bool hr_filter_ports(const struct hr_pod *pod, const struct hr_node_info *info, int64_t added,
                     struct hr_node_status *out)
{
	if (pod->n_host_ports == 0)
		return true;
	/* an assumed copy holds exactly the pod's own ports, so it always clashes */
	bool clash = added > 0 || any_conflict(pod, info->ports, info->n_ports);
	if (!clash)
		return true;
	out->code = HR_STATUS_UNSCHEDULABLE;
	out->plugin = HR_PLUGIN_NODE_PORTS;
	out->reasons = 1u << HR_R_PORTS;
	return false;
}
