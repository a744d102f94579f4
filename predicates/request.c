/* request.c: pod request vectors (k8s.io/component-helpers/resource/helpers.go
 * PodRequests / AggregateContainerRequests, scheduler framework
 * computePodResourceRequest) and wanted host ports (scheduler util
 * GetHostPorts). */
#include "request.h"

#include <stdlib.h>

#include "quantity.h"
#include "resource_name.h"
#include "sat.h"

/* A small growable name -> milli map used while aggregating. */
struct qmap {
	struct hr_qty_entry *v;
	size_t n, cap;
	struct hr_arena *arena;
	bool oom;
};

static void qmap_init(struct qmap *m, struct hr_arena *arena)
{
	memset(m, 0, sizeof(*m));
	m->arena = arena;
}

static struct hr_qty_entry *qmap_slot(struct qmap *m, struct hr_str name)
{
	for (size_t i = 0; i < m->n; i++)
		if (hr_str_eq(m->v[i].name, name))
			return &m->v[i];
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;
		struct hr_qty_entry *v = hr_arena_grow(m->arena, m->v, m->n, cap, sizeof(*v));
		if (!v) {
			m->oom = true;
			return NULL;
		}
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n] = (struct hr_qty_entry){.name = name, .milli = 0};
	return &m->v[m->n++];
}

static void qmap_add(struct qmap *m, struct hr_str name, int64_t milli)
{
	struct hr_qty_entry *e = qmap_slot(m, name);
	if (e)
		e->milli = hr_i64_add_sat(e->milli, milli); /* sat.h: held at the cap */
}

static void qmap_max(struct qmap *m, struct hr_str name, int64_t milli)
{
	struct hr_qty_entry *e = qmap_slot(m, name);
	if (e && milli > e->milli)
		e->milli = milli;
}

static void qmap_set(struct qmap *m, struct hr_str name, int64_t milli)
{
	struct hr_qty_entry *e = qmap_slot(m, name);
	if (e)
		e->milli = milli;
}

static void qmap_add_list(struct qmap *m, struct hr_qty_list l)
{
	for (size_t i = 0; i < l.n; i++)
		qmap_add(m, l.v[i].name, l.v[i].milli);
}

static void qmap_max_map(struct qmap *m, const struct qmap *other)
{
	for (size_t i = 0; i < other->n; i++)
		qmap_max(m, other->v[i].name, other->v[i].milli);
}

static void qmap_copy(struct qmap *dst, const struct qmap *src)
{
	dst->n = 0;
	for (size_t i = 0; i < src->n; i++)
		qmap_set(dst, src->v[i].name, src->v[i].milli);
}

static enum hr_code qmap_status(const struct qmap *m, struct hr_err *err)
{
	if (m->oom)
		return hr_err_set(err, HR_ENOMEM, NULL, "out of memory computing pod requests");
	return HR_OK;
}

/* Scoring's non-zero defaults a container lacking cpu/memory gets. */
enum nonmissing { DEFAULT_NONE = 0, DEFAULT_CPU = 1, DEFAULT_MEMORY = 2 };

static bool qmap_has(const struct qmap *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (hr_str_eq_c(m->v[i].name, name))
			return true;
	return false;
}

/* A container's effective requests: spec, raised by in-place resize status
 * (existing pods), plus the non-missing defaults asked for (scoring). */
static void container_requests(const struct hr_container *c, bool resize_infeasible,
                               unsigned defaults, struct qmap *out)
{
	out->n = 0;
	if (!c->has_status_resources || !resize_infeasible)
		qmap_add_list(out, c->requests);
	if (c->has_status_resources) {
		for (size_t i = 0; i < c->status_requests.n; i++)
			qmap_max(out, c->status_requests.v[i].name, c->status_requests.v[i].milli);
		for (size_t i = 0; i < c->status_allocated.n; i++)
			qmap_max(out, c->status_allocated.v[i].name,
			         c->status_allocated.v[i].milli);
	}
	if ((defaults & DEFAULT_CPU) && !qmap_has(out, "cpu"))
		qmap_set(out, HR_STR_LIT("cpu"), HR_DEFAULT_MILLI_CPU_REQUEST);
	if ((defaults & DEFAULT_MEMORY) && !qmap_has(out, "memory"))
		qmap_set(out, HR_STR_LIT("memory"), HR_DEFAULT_MEMORY_REQUEST * 1000);
}

static void aggregate(const struct hr_pod *pod, unsigned defaults, struct qmap *reqs,
                      struct hr_arena *arena)
{
	struct qmap c, sidecars, init_max, tmp;
	qmap_init(&c, arena);
	qmap_init(&sidecars, arena);
	qmap_init(&init_max, arena);
	qmap_init(&tmp, arena);
	for (size_t i = 0; i < pod->n_containers; i++) {
		container_requests(&pod->containers[i], pod->resize_infeasible, defaults, &c);
		qmap_add_list(reqs, (struct hr_qty_list){c.v, c.n});
	}
	for (size_t i = 0; i < pod->n_init_containers; i++) {
		const struct hr_container *ic = &pod->init_containers[i];
		/* only sidecars follow resize status; ordinary init containers use the spec */
		struct hr_container spec_only = *ic;
		if (!ic->restartable)
			spec_only.has_status_resources = false;
		container_requests(&spec_only, pod->resize_infeasible, defaults, &c);
		if (ic->restartable) {
			qmap_add_list(reqs, (struct hr_qty_list){c.v, c.n});
			qmap_add_list(&sidecars, (struct hr_qty_list){c.v, c.n});
			qmap_max_map(&init_max, &sidecars);
		} else {
			qmap_copy(&tmp, &c);
			qmap_add_list(&tmp, (struct hr_qty_list){sidecars.v, sidecars.n});
			qmap_max_map(&init_max, &tmp);
		}
	}
	qmap_max_map(reqs, &init_max);
	reqs->oom |= c.oom | sidecars.oom | init_max.oom | tmp.oom;
}

static int entry_cmp(const void *a, const void *b)
{
	return hr_str_cmp(((const struct hr_qty_entry *)a)->name,
	                  ((const struct hr_qty_entry *)b)->name);
}

enum hr_code hr_aggregate_container_requests(const struct hr_pod *pod, bool nonmissing,
                                             struct hr_arena *arena, struct hr_qty_list *out,
                                             struct hr_err *err)
{
	struct qmap reqs;
	qmap_init(&reqs, arena);
	aggregate(pod, nonmissing ? DEFAULT_CPU | DEFAULT_MEMORY : DEFAULT_NONE, &reqs, arena);
	enum hr_code rc = qmap_status(&reqs, err);
	if (rc != HR_OK)
		return rc;
	if (reqs.n)
		qsort(reqs.v, reqs.n, sizeof(*reqs.v), entry_cmp);
	out->v = reqs.v;
	out->n = reqs.n;
	return HR_OK;
}

static bool is_pod_level_resource(struct hr_str name)
{
	return hr_str_eq_c(name, "cpu") || hr_str_eq_c(name, "memory") ||
	       hr_is_hugepages_resource(name);
}

/* defaultPodRequests (pkg/apis/core/v1/defaults.go), run only when pod-level
 * limits are set: missing cpu/memory requests default to the container
 * aggregate, then any missing supported request to the pod-level limit. */
static enum hr_code default_pod_level_requests(struct hr_pod *pod, struct hr_arena *arena,
                                               struct hr_err *err)
{
	if (pod->pod_limits.n == 0)
		return HR_OK;
	struct hr_qty_list aggr;
	enum hr_code rc = hr_aggregate_container_requests(pod, false, arena, &aggr, err);
	if (rc != HR_OK)
		return rc;
	struct qmap reqs;
	qmap_init(&reqs, arena);
	qmap_add_list(&reqs, pod->pod_requests);
	for (size_t i = 0; i < aggr.n; i++) {
		struct hr_str name = aggr.v[i].name;
		bool cpu_or_mem = hr_str_eq_c(name, "cpu") || hr_str_eq_c(name, "memory");
		if (cpu_or_mem && !hr_qty_list_get(pod->pod_requests, name))
			qmap_set(&reqs, name, aggr.v[i].milli);
	}
	for (size_t i = 0; i < pod->pod_limits.n; i++) {
		struct hr_str name = pod->pod_limits.v[i].name;
		bool have = false;
		for (size_t k = 0; k < reqs.n; k++)
			have |= hr_str_eq(reqs.v[k].name, name);
		if (!have && is_pod_level_resource(name))
			qmap_set(&reqs, name, pod->pod_limits.v[i].milli);
	}
	if ((rc = qmap_status(&reqs, err)) != HR_OK)
		return rc;
	if (reqs.n)
		qsort(reqs.v, reqs.n, sizeof(*reqs.v), entry_cmp);
	pod->pod_requests = (struct hr_qty_list){reqs.v, reqs.n};
	return HR_OK;
}

enum hr_code hr_pod_default_requests(struct hr_pod *pod, struct hr_arena *arena, struct hr_err *err)
{
	return default_pod_level_requests(pod, arena, err);
}

static bool pod_level_requests_set(const struct hr_pod *pod)
{
	for (size_t i = 0; i < pod->pod_requests.n; i++)
		if (is_pod_level_resource(pod->pod_requests.v[i].name))
			return true;
	return false;
}

/* PodRequests: aggregate, pod-level override, then overhead. */
static enum hr_code pod_requests(const struct hr_pod *pod, unsigned defaults,
                                 struct hr_arena *arena, struct qmap *reqs, struct hr_err *err)
{
	qmap_init(reqs, arena);
	aggregate(pod, defaults, reqs, arena);
	if (pod_level_requests_set(pod))
		for (size_t i = 0; i < pod->pod_requests.n; i++)
			if (is_pod_level_resource(pod->pod_requests.v[i].name))
				qmap_set(reqs, pod->pod_requests.v[i].name,
				         pod->pod_requests.v[i].milli);
	qmap_add_list(reqs, pod->overhead);
	return qmap_status(reqs, err);
}

static enum hr_code to_resources(const struct qmap *m, struct hr_arena *arena,
                                 struct hr_resources *out, struct hr_err *err)
{
	memset(out, 0, sizeof(*out));
	struct hr_scalar *sc = hr_arena_calloc(arena, m->n ? m->n : 1, sizeof(*sc));
	if (!sc)
		return hr_err_set(err, HR_ENOMEM, NULL, "out of memory computing pod requests");
	size_t n = 0;
	for (size_t i = 0; i < m->n; i++) {
		int64_t milli = m->v[i].milli;
		int64_t value = hr_milli_to_value_ceil(milli);
		switch (hr_resource_kind(m->v[i].name)) {
		case HR_RES_CPU:
			out->cpu_milli = milli;
			break;
		case HR_RES_MEMORY:
			out->mem_bytes = value;
			break;
		case HR_RES_EPHEMERAL_STORAGE:
			out->eph_bytes = value;
			break;
		case HR_RES_SCALAR:
			sc[n++] = (struct hr_scalar){.name = m->v[i].name, .value = value};
			break;
		case HR_RES_PODS:
		case HR_RES_IGNORED:
			break;
		}
	}
	for (size_t i = 1; i < n; i++) /* insertion sort: a handful of entries */
		for (size_t k = i; k > 0 && hr_str_cmp(sc[k - 1].name, sc[k].name) > 0; k--) {
			struct hr_scalar t = sc[k];
			sc[k] = sc[k - 1];
			sc[k - 1] = t;
		}
	out->scalars = sc;
	out->n_scalars = n;
	return HR_OK;
}

static bool same_port(const struct hr_host_port *a, const struct hr_host_port *b)
{
	return a->port == b->port && hr_str_eq(a->ip, b->ip) && hr_str_eq(a->protocol, b->protocol);
}

static void collect_ports(const struct hr_container *cs, size_t n, bool sidecars_only,
                          struct hr_host_port *out, size_t *count)
{
	for (size_t i = 0; i < n; i++) {
		if (sidecars_only && !cs[i].restartable)
			continue;
		for (size_t k = 0; k < cs[i].n_ports; k++) {
			const struct hr_container_port *p = &cs[i].ports[k];
			if (p->host_port <= 0)
				continue;
			struct hr_host_port hp = {
			    .ip = p->host_ip.n ? p->host_ip : HR_STR_LIT("0.0.0.0"),
			    .protocol = p->protocol.n ? p->protocol : HR_STR_LIT("TCP"),
			    .port = p->host_port};
			bool dup = false;
			for (size_t j = 0; j < *count && !dup; j++)
				dup = same_port(&out[j], &hp);
			if (!dup)
				out[(*count)++] = hp;
		}
	}
}

static enum hr_code host_ports(struct hr_pod *pod, struct hr_arena *arena, struct hr_err *err)
{
	size_t total = 0;
	for (size_t i = 0; i < pod->n_containers; i++)
		total += pod->containers[i].n_ports;
	for (size_t i = 0; i < pod->n_init_containers; i++)
		total += pod->init_containers[i].n_ports;
	pod->host_ports = NULL;
	pod->n_host_ports = 0;
	if (total == 0)
		return HR_OK;
	struct hr_host_port *v = hr_arena_calloc(arena, total, sizeof(*v));
	if (!v)
		return hr_err_set(err, HR_ENOMEM, NULL, "out of memory collecting host ports");
	size_t n = 0;
	collect_ports(pod->containers, pod->n_containers, false, v, &n);
	collect_ports(pod->init_containers, pod->n_init_containers, true, v, &n);
	pod->host_ports = v;
	pod->n_host_ports = n;
	return HR_OK;
}

/* getNonMissingContainerRequests (scheduler framework types.go): without
 * pod-level requests every container lacking cpu/memory counts the default;
 * with them, a default applies only to a resource the whole pod lacks. */
static unsigned nonzero_defaults(const struct hr_pod *pod, const struct qmap *reqs)
{
	if (!pod_level_requests_set(pod))
		return DEFAULT_CPU | DEFAULT_MEMORY;
	return (qmap_has(reqs, "cpu") ? 0 : DEFAULT_CPU) |
	       (qmap_has(reqs, "memory") ? 0 : DEFAULT_MEMORY);
}

enum hr_code hr_pod_finalize(struct hr_pod *pod, struct hr_arena *arena, struct hr_err *err)
{
	if (pod->finalized)
		return HR_OK;
	struct qmap reqs, nonzero;
	enum hr_code rc;
	if ((rc = default_pod_level_requests(pod, arena, err)) != HR_OK ||
	    (rc = pod_requests(pod, DEFAULT_NONE, arena, &reqs, err)) != HR_OK ||
	    (rc = to_resources(&reqs, arena, &pod->request, err)) != HR_OK ||
	    (rc = pod_requests(pod, nonzero_defaults(pod, &reqs), arena, &nonzero, err)) != HR_OK ||
	    (rc = host_ports(pod, arena, err)) != HR_OK)
		return rc;
	struct hr_resources nz;
	if ((rc = to_resources(&nonzero, arena, &nz, err)) != HR_OK)
		return rc;
	pod->nonzero_cpu_milli = nz.cpu_milli;
	pod->nonzero_mem_bytes = nz.mem_bytes;
	pod->finalized = true;
	return HR_OK;
}

void hr_pod_compact(struct hr_pod *pod)
{
	pod->containers = NULL;
	pod->n_containers = 0;
	pod->init_containers = NULL;
	pod->n_init_containers = 0;
}
