/* clone.c: deep copies of model objects. Every helper works on a `struct
 * cloner` whose `failed` flag turns sticky on the first allocation failure,
 * so a clone is written straight through and checked once at the end. */
#include "clone.h"

struct cloner {
	struct hr_arena *dst;
	struct hr_intern *intern;
	bool failed;
};

static void *alloc(struct cloner *c, size_t count, size_t size)
{
	if (c->failed || count == 0)
		return NULL;
	void *p = hr_arena_alloc(c->dst, count * size); /* count is small: no overflow */
	if (!p)
		c->failed = true;
	return p;
}

static struct hr_str copy_str(struct cloner *c, struct hr_str s)
{
	if (c->failed || s.n == 0)
		return HR_STR_LIT("");
	struct hr_str out = hr_arena_strdup(c->dst, s);
	if (!out.p)
		c->failed = true;
	return out;
}

/* Strings that repeat across objects (label keys, values, namespaces). */
static struct hr_str shared_str(struct cloner *c, struct hr_str s)
{
	if (!c->intern)
		return copy_str(c, s);
	if (c->failed || s.n == 0)
		return HR_STR_LIT("");
	struct hr_str out = hr_intern_get(c->intern, s);
	if (!out.p)
		c->failed = true;
	return out;
}

static const struct hr_str *str_array(struct cloner *c, const struct hr_str *v, size_t n)
{
	struct hr_str *out = alloc(c, n, sizeof(*out));
	for (size_t i = 0; out && i < n; i++)
		out[i] = shared_str(c, v[i]);
	return out;
}

static struct hr_labels labels(struct cloner *c, struct hr_labels in)
{
	struct hr_label *v = alloc(c, in.n, sizeof(*v));
	for (size_t i = 0; v && i < in.n; i++) {
		v[i].key = shared_str(c, in.v[i].key);
		v[i].value = shared_str(c, in.v[i].value);
	}
	return (struct hr_labels){v, v ? in.n : 0};
}

static const struct hr_requirement *requirements(struct cloner *c, const struct hr_requirement *in,
                                                 size_t n)
{
	struct hr_requirement *v = alloc(c, n, sizeof(*v));
	for (size_t i = 0; v && i < n; i++) {
		v[i] = in[i];
		v[i].key = shared_str(c, in[i].key);
		v[i].values = str_array(c, in[i].values, in[i].n_values);
	}
	return v;
}

static struct hr_label_selector selector(struct cloner *c, const struct hr_label_selector *in)
{
	struct hr_label_selector out = *in;
	out.reqs = requirements(c, in->reqs, in->n_reqs);
	out.invalid_reason = in->invalid_reason; /* static text */
	return out;
}

static struct hr_affinity_terms terms(struct cloner *c, struct hr_affinity_terms in)
{
	struct hr_affinity_term *v = alloc(c, in.n, sizeof(*v));
	for (size_t i = 0; v && i < in.n; i++) {
		const struct hr_affinity_term *t = &in.v[i];
		v[i] = *t;
		v[i].selector = selector(c, &t->selector);
		v[i].ns_selector = selector(c, &t->ns_selector);
		v[i].namespaces = str_array(c, t->namespaces, t->n_namespaces);
		v[i].topology_key = shared_str(c, t->topology_key);
		v[i].match_label_keys = str_array(c, t->match_label_keys, t->n_match_label_keys);
		v[i].mismatch_label_keys =
		    str_array(c, t->mismatch_label_keys, t->n_mismatch_label_keys);
	}
	return (struct hr_affinity_terms){v, v ? in.n : 0};
}

static struct hr_resources resources(struct cloner *c, const struct hr_resources *in)
{
	struct hr_resources out = *in;
	struct hr_scalar *sc = alloc(c, in->n_scalars, sizeof(*sc));
	for (size_t i = 0; sc && i < in->n_scalars; i++) {
		sc[i].name = shared_str(c, in->scalars[i].name);
		sc[i].value = in->scalars[i].value;
	}
	out.scalars = sc;
	out.n_scalars = sc ? in->n_scalars : 0;
	return out;
}

static struct hr_qty_list qty_list(struct cloner *c, struct hr_qty_list in)
{
	struct hr_qty_entry *v = alloc(c, in.n, sizeof(*v));
	for (size_t i = 0; v && i < in.n; i++) {
		v[i].name = shared_str(c, in.v[i].name);
		v[i].milli = in.v[i].milli;
	}
	return (struct hr_qty_list){v, v ? in.n : 0};
}

static const struct hr_toleration *tolerations(struct cloner *c, const struct hr_toleration *in,
                                               size_t n)
{
	struct hr_toleration *v = alloc(c, n, sizeof(*v));
	for (size_t i = 0; v && i < n; i++) {
		v[i] = in[i];
		v[i].key = shared_str(c, in[i].key);
		v[i].value = shared_str(c, in[i].value);
	}
	return v;
}

struct hr_pod *hr_pod_clone_compact(const struct hr_pod *src, struct hr_arena *dst,
                                    struct hr_intern *intern)
{
	struct cloner c = {dst, intern, false};
	struct hr_pod *p = alloc(&c, 1, sizeof(*p));
	if (!p)
		return NULL;
	memset(p, 0, sizeof(*p));
	p->name = copy_str(&c, src->name);
	p->namespace = shared_str(&c, src->namespace);
	p->uid = copy_str(&c, src->uid);
	p->resource_version = copy_str(&c, src->resource_version);
	p->node_name = shared_str(&c, src->node_name);
	p->scheduler_name = shared_str(&c, src->scheduler_name);
	p->labels = labels(&c, src->labels);
	p->phase = src->phase;
	p->terminating = src->terminating;
	p->priority = src->priority;
	p->pod_affinity = terms(&c, src->pod_affinity);
	p->pod_anti_affinity = terms(&c, src->pod_anti_affinity);
	p->pref_pod_affinity = terms(&c, src->pref_pod_affinity);
	p->pref_pod_anti_affinity = terms(&c, src->pref_pod_anti_affinity);
	p->unmodelled = src->unmodelled;
	p->finalized = src->finalized;
	p->request = resources(&c, &src->request);
	p->nonzero_cpu_milli = src->nonzero_cpu_milli;
	p->nonzero_mem_bytes = src->nonzero_mem_bytes;
	struct hr_host_port *ports = alloc(&c, src->n_host_ports, sizeof(*ports));
	for (size_t i = 0; ports && i < src->n_host_ports; i++) {
		ports[i].ip = shared_str(&c, src->host_ports[i].ip);
		ports[i].protocol = shared_str(&c, src->host_ports[i].protocol);
		ports[i].port = src->host_ports[i].port;
	}
	p->host_ports = ports;
	p->n_host_ports = ports ? src->n_host_ports : 0;
	return c.failed ? NULL : p;
}

struct hr_node *hr_node_clone(const struct hr_node *src, struct hr_arena *dst,
                              struct hr_intern *intern)
{
	struct cloner c = {dst, intern, false};
	struct hr_node *n = alloc(&c, 1, sizeof(*n));
	if (!n)
		return NULL;
	*n = *src;
	n->name = copy_str(&c, src->name);
	n->uid = copy_str(&c, src->uid);
	n->resource_version = copy_str(&c, src->resource_version);
	n->labels = labels(&c, src->labels);
	struct hr_taint *taints = alloc(&c, src->n_taints, sizeof(*taints));
	for (size_t i = 0; taints && i < src->n_taints; i++) {
		taints[i] = src->taints[i];
		taints[i].key = shared_str(&c, src->taints[i].key);
		taints[i].value = shared_str(&c, src->taints[i].value);
	}
	n->taints = taints;
	n->allocatable = resources(&c, &src->allocatable);
	struct hr_image *images = alloc(&c, src->n_images, sizeof(*images));
	for (size_t i = 0; images && i < src->n_images; i++) {
		images[i].size_bytes = src->images[i].size_bytes;
		images[i].n_names = src->images[i].n_names;
		images[i].names = str_array(&c, src->images[i].names, src->images[i].n_names);
	}
	n->images = images;
	return c.failed ? NULL : n;
}

struct hr_namespace *hr_namespace_clone(const struct hr_namespace *src, struct hr_arena *dst,
                                        struct hr_intern *intern)
{
	struct cloner c = {dst, intern, false};
	struct hr_namespace *ns = alloc(&c, 1, sizeof(*ns));
	if (!ns)
		return NULL;
	ns->name = shared_str(&c, src->name);
	ns->labels = labels(&c, src->labels);
	ns->enforce = shared_str(&c, src->enforce);
	return c.failed ? NULL : ns;
}

struct hr_limit_range *hr_limit_range_clone(const struct hr_limit_range *src, struct hr_arena *dst,
                                            struct hr_intern *intern)
{
	struct cloner c = {dst, intern, false};
	struct hr_limit_range *lr = alloc(&c, 1, sizeof(*lr));
	if (!lr)
		return NULL;
	lr->name = copy_str(&c, src->name);
	lr->namespace = shared_str(&c, src->namespace);
	struct hr_limit_range_item *items = alloc(&c, src->n_items, sizeof(*items));
	for (size_t i = 0; items && i < src->n_items; i++) {
		items[i].default_limits = qty_list(&c, src->items[i].default_limits);
		items[i].default_requests = qty_list(&c, src->items[i].default_requests);
		items[i].max = qty_list(&c, src->items[i].max);
		items[i].min = qty_list(&c, src->items[i].min);
	}
	lr->items = items;
	lr->n_items = items ? src->n_items : 0;
	return c.failed ? NULL : lr;
}

struct hr_runtime_class *hr_runtime_class_clone(const struct hr_runtime_class *src,
                                                struct hr_arena *dst, struct hr_intern *intern)
{
	struct cloner c = {dst, intern, false};
	struct hr_runtime_class *rc = alloc(&c, 1, sizeof(*rc));
	if (!rc)
		return NULL;
	rc->name = copy_str(&c, src->name);
	rc->handler = copy_str(&c, src->handler);
	rc->overhead = qty_list(&c, src->overhead);
	rc->node_selector = labels(&c, src->node_selector);
	rc->tolerations = tolerations(&c, src->tolerations, src->n_tolerations);
	rc->n_tolerations = rc->tolerations ? src->n_tolerations : 0;
	return c.failed ? NULL : rc;
}
