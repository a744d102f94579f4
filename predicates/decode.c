/* decode.c: cJSON -> model, with the API server's idempotent defaulting.
 * Field names follow k8s.io/api/core/v1 types; defaulting follows
 * pkg/apis/core/v1/defaults.go (spec/predicates.md §6). */
#include "decode.h"

#include <stdlib.h>

#include "jsonget.h"
#include "quantity.h"
#include "resource_name.h"
#include "sat.h"
#include "selector.h"

/* Upper bounds on what one object may hold; beyond them the object is
 * rejected instead of making the model (and every predicate) slow. */
#define MAX_ITEMS 4096

void hr_decoder_init(struct hr_decoder *d, struct hr_arena *arena, struct hr_intern *intern,
                     struct hr_err *err)
{
	d->arena = arena;
	d->intern = intern;
	hr_path_init(&d->path);
	d->err = err;
	d->flags = 0;
}

/* ---- small helpers ---------------------------------------------------- */

static enum hr_code oom(struct hr_decoder *d)
{
	return hr_err_at(d->err, HR_ENOMEM, &d->path, "out of memory while decoding");
}

static void *alloc_array(struct hr_decoder *d, size_t count, size_t size)
{
	return hr_arena_calloc(d->arena, count ? count : 1, size);
}

/* Copies (or interns) a string into the decoder's memory. */
static enum hr_code keep_str(struct hr_decoder *d, struct hr_str in, struct hr_str *out)
{
	struct hr_str s = d->intern ? hr_intern_get(d->intern, in) : hr_arena_strdup(d->arena, in);
	if (!s.p)
		return oom(d);
	*out = s;
	return HR_OK;
}

static enum hr_code get_str(struct hr_decoder *d, const cJSON *obj, const char *key,
                            struct hr_str *out)
{
	struct hr_str v = HR_STR_NULL;
	enum hr_code rc = hr_cj_string(obj, key, &v, &d->path, d->err);
	if (rc != HR_OK)
		return rc;
	if (!v.p) {
		*out = HR_STR_LIT("");
		return HR_OK;
	}
	return keep_str(d, v, out);
}

static enum hr_code get_object(struct hr_decoder *d, const cJSON *obj, const char *key,
                               const cJSON **out)
{
	return hr_cj_object(obj, key, out, &d->path, d->err);
}

static enum hr_code get_array(struct hr_decoder *d, const cJSON *obj, const char *key,
                              const cJSON **out, size_t *count)
{
	enum hr_code rc = hr_cj_array(obj, key, out, &d->path, d->err);
	*count = 0;
	if (rc != HR_OK || !*out)
		return rc;
	int n = cJSON_GetArraySize(*out);
	if (n > MAX_ITEMS) {
		size_t saved = hr_path_push_key(&d->path, key);
		rc = hr_err_at(d->err, HR_ERANGE, &d->path,
		               "has %d entries, more than the limit %d", n, MAX_ITEMS);
		hr_path_pop(&d->path, saved);
		return rc;
	}
	*count = (size_t)n;
	return HR_OK;
}

/* Decodes one list element into slot (zeroed); ctx is whatever the caller
 * passes along (host networking, whether terms are weighted, ...). */
typedef enum hr_code (*decode_elem_fn)(struct hr_decoder *d, const cJSON *it, void *slot,
                                       const void *ctx);

/* Decodes the array obj[key] into a new arena array of elem_size slots, one
 * decode_elem call per element with its index on the error path. Walks the
 * cJSON list once: cJSON_GetArrayItem per index would be quadratic. *count
 * is how many decoded; after an error the result is only for dropping. */
static enum hr_code decode_list(struct hr_decoder *d, const cJSON *obj, const char *key,
                                size_t elem_size, decode_elem_fn decode_elem, const void *ctx,
                                void **out, size_t *count)
{
	const cJSON *arr;
	size_t n;
	enum hr_code rc = get_array(d, obj, key, &arr, &n);
	*out = NULL;
	*count = 0;
	if (rc != HR_OK || !arr)
		return rc;
	unsigned char *v = alloc_array(d, n, elem_size);
	if (!v)
		return oom(d);
	size_t saved = hr_path_push_key(&d->path, key);
	size_t i = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
	{
		size_t s2 = hr_path_push_index(&d->path, i);
		rc = decode_elem(d, it, v + i * elem_size, ctx);
		hr_path_pop(&d->path, s2);
		if (rc != HR_OK)
			break;
		i++;
	}
	hr_path_pop(&d->path, saved);
	*out = v;
	*count = i;
	return rc;
}

static enum hr_code get_int(struct hr_decoder *d, const cJSON *obj, const char *key, int64_t min,
                            int64_t max, int64_t *out, bool *found)
{
	return hr_cj_int(obj, key, min, max, out, found, &d->path, d->err);
}

static enum hr_code get_i32(struct hr_decoder *d, const cJSON *obj, const char *key, int32_t *out)
{
	int64_t v = *out;
	enum hr_code rc = get_int(d, obj, key, INT32_MIN, INT32_MAX, &v, NULL);
	*out = (int32_t)v;
	return rc;
}

static int label_cmp(const void *a, const void *b)
{
	return hr_str_cmp(((const struct hr_label *)a)->key, ((const struct hr_label *)b)->key);
}

/* A map of string -> string (labels, nodeSelector), sorted by key. */
static enum hr_code get_labels(struct hr_decoder *d, const cJSON *obj, const char *key,
                               struct hr_labels *out)
{
	const cJSON *map;
	enum hr_code rc = get_object(d, obj, key, &map);
	out->v = NULL;
	out->n = 0;
	if (rc != HR_OK || !map)
		return rc;
	int n = cJSON_GetArraySize(map);
	if (n > MAX_ITEMS)
		return hr_err_at(d->err, HR_ERANGE, &d->path, "%s has more than %d entries", key,
		                 MAX_ITEMS);
	struct hr_label *v = alloc_array(d, (size_t)n, sizeof(*v));
	if (!v)
		return oom(d);
	size_t saved = hr_path_push_key(&d->path, key);
	size_t i = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, map)
	{
		if (!cJSON_IsString(it)) {
			size_t s2 = hr_path_push_key(&d->path, it->string);
			rc = hr_err_at(d->err, HR_EINVAL, &d->path, "must be a string, got %s",
			               hr_cj_type_name(it));
			hr_path_pop(&d->path, s2);
			break;
		}
		if ((rc = keep_str(d, hr_str_c(it->string), &v[i].key)) != HR_OK ||
		    (rc = keep_str(d, hr_cj_view(it), &v[i].value)) != HR_OK)
			break;
		i++;
	}
	hr_path_pop(&d->path, saved);
	if (rc != HR_OK)
		return rc;
	qsort(v, i, sizeof(*v), label_cmp);
	/* cJSON keeps duplicate keys; Go's decoder keeps the last one. */
	size_t w = 0;
	for (size_t r = 0; r < i; r++) {
		if (w > 0 && hr_str_eq(v[w - 1].key, v[r].key))
			v[w - 1] = v[r];
		else
			v[w++] = v[r];
	}
	out->v = v;
	out->n = w;
	return HR_OK;
}

static enum hr_code decode_str_elem(struct hr_decoder *d, const cJSON *it, void *slot,
                                    const void *ctx)
{
	(void)ctx;
	if (!cJSON_IsString(it))
		return hr_err_at(d->err, HR_EINVAL, &d->path, "must be a string, got %s",
		                 hr_cj_type_name(it));
	return keep_str(d, hr_cj_view(it), slot);
}

static enum hr_code get_str_array(struct hr_decoder *d, const cJSON *obj, const char *key,
                                  const struct hr_str **out, size_t *count)
{
	void *v;
	enum hr_code rc = decode_list(d, obj, key, sizeof(**out), decode_str_elem, NULL, &v, count);
	*out = v;
	return rc;
}

/* ---- quantities ------------------------------------------------------- */

enum hr_code hr_decode_quantity_milli(struct hr_decoder *d, const cJSON *item, int64_t *milli)
{
	char numtext[40];
	struct hr_str text;
	if (cJSON_IsString(item) && item->valuestring) {
		text = hr_cj_view(item);
	} else if (cJSON_IsNumber(item)) {
		hr_cj_number_text(item, numtext, sizeof(numtext));
		text = hr_str_c(numtext);
	} else {
		return hr_err_at(d->err, HR_EINVAL, &d->path, "quantity must be a string, got %s",
		                 hr_cj_type_name(item));
	}
	struct hr_qty q;
	enum hr_code rc = hr_qty_parse(text, d->path.buf, &q, d->err);
	if (rc != HR_OK)
		return rc;
	/* Beyond int64 milli-units (8 PiB, 9.2e15 cores): held at the bound (sat.h),
	 * which fits no node, as the API server accepts such amounts. */
	if (hr_qty_milli(hr_qty_round_milli(q), milli) != HR_OK)
		*milli = hr_qty_is_negative(q) ? INT64_MIN : INT64_MAX;
	return HR_OK;
}

static int qty_cmp(const void *a, const void *b)
{
	return hr_str_cmp(((const struct hr_qty_entry *)a)->name,
	                  ((const struct hr_qty_entry *)b)->name);
}

/* A ResourceList map (name -> quantity), values in milli-units, sorted. */
static enum hr_code get_qty_list(struct hr_decoder *d, const cJSON *obj, const char *key,
                                 struct hr_qty_list *out)
{
	const cJSON *map;
	enum hr_code rc = get_object(d, obj, key, &map);
	out->v = NULL;
	out->n = 0;
	if (rc != HR_OK || !map)
		return rc;
	int n = cJSON_GetArraySize(map);
	if (n > 256)
		return hr_err_at(d->err, HR_ERANGE, &d->path, "%s has more than 256 resources",
		                 key);
	struct hr_qty_entry *v = alloc_array(d, (size_t)n, sizeof(*v));
	if (!v)
		return oom(d);
	size_t saved = hr_path_push_key(&d->path, key);
	size_t i = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, map)
	{
		size_t s2 = hr_path_push_key(&d->path, it->string);
		rc = hr_decode_quantity_milli(d, it, &v[i].milli);
		if (rc == HR_OK)
			rc = keep_str(d, hr_str_c(it->string), &v[i].name);
		hr_path_pop(&d->path, s2);
		if (rc != HR_OK)
			break;
		i++;
	}
	hr_path_pop(&d->path, saved);
	if (rc != HR_OK)
		return rc;
	qsort(v, i, sizeof(*v), qty_cmp);
	out->v = v;
	out->n = i;
	return HR_OK;
}

/* requests := limits for every resource that has a limit but no request
 * (SetDefaults_Container / SetDefaults_Pod). */
static enum hr_code default_requests_from_limits(struct hr_decoder *d, struct hr_qty_list *req,
                                                 struct hr_qty_list lim)
{
	size_t add = 0;
	for (size_t i = 0; i < lim.n; i++)
		if (!hr_qty_list_get(*req, lim.v[i].name))
			add++;
	if (add == 0)
		return HR_OK;
	struct hr_qty_entry *v = alloc_array(d, req->n + add, sizeof(*v));
	if (!v)
		return oom(d);
	if (req->n)
		memcpy(v, req->v, req->n * sizeof(*v));
	size_t n = req->n;
	for (size_t i = 0; i < lim.n; i++)
		if (!hr_qty_list_get(*req, lim.v[i].name))
			v[n++] = lim.v[i];
	qsort(v, n, sizeof(*v), qty_cmp);
	req->v = v;
	req->n = n;
	return HR_OK;
}

/* Converts a ResourceList to a resource vector the way the scheduler's
 * Resource.Add does (cpu milli, others ceil to whole units, unknown names
 * dropped). Used for node allocatable. */
static enum hr_code qty_list_to_resources(struct hr_decoder *d, struct hr_qty_list list,
                                          struct hr_resources *out)
{
	memset(out, 0, sizeof(*out));
	struct hr_scalar *sc = alloc_array(d, list.n, sizeof(*sc));
	if (!sc)
		return oom(d);
	size_t n = 0;
	for (size_t i = 0; i < list.n; i++) {
		int64_t milli = list.v[i].milli;
		int64_t value = hr_milli_to_value_ceil(milli);
		switch (hr_resource_kind(list.v[i].name)) {
		case HR_RES_CPU:
			out->cpu_milli = milli;
			break;
		case HR_RES_MEMORY:
			out->mem_bytes = value;
			break;
		case HR_RES_EPHEMERAL_STORAGE:
			out->eph_bytes = value;
			break;
		case HR_RES_PODS:
			out->pods = value;
			break;
		case HR_RES_SCALAR:
			sc[n].name = list.v[i].name;
			sc[n].value = value;
			n++;
			break;
		case HR_RES_IGNORED:
			break;
		}
	}
	out->scalars = sc;
	out->n_scalars = n;
	return HR_OK;
}

/* ---- taints and tolerations -------------------------------------------- */

static enum hr_effect parse_effect(struct hr_str s)
{
	if (s.n == 0)
		return HR_EFFECT_ANY;
	if (hr_str_eq_c(s, "NoSchedule"))
		return HR_EFFECT_NO_SCHEDULE;
	if (hr_str_eq_c(s, "PreferNoSchedule"))
		return HR_EFFECT_PREFER_NO_SCHEDULE;
	if (hr_str_eq_c(s, "NoExecute"))
		return HR_EFFECT_NO_EXECUTE;
	return HR_EFFECT_UNKNOWN;
}

static enum hr_code decode_taint(struct hr_decoder *d, const cJSON *it, void *slot, const void *ctx)
{
	struct hr_taint *t = slot;
	struct hr_str effect = HR_STR_NULL;
	enum hr_code rc;
	(void)ctx;
	if (!cJSON_IsObject(it))
		return hr_err_at(d->err, HR_EINVAL, &d->path, "must be an object");
	if ((rc = get_str(d, it, "key", &t->key)) != HR_OK ||
	    (rc = get_str(d, it, "value", &t->value)) != HR_OK ||
	    (rc = hr_cj_string(it, "effect", &effect, &d->path, d->err)) != HR_OK)
		return rc;
	t->effect = parse_effect(effect);
	return HR_OK;
}

static enum hr_code get_taints(struct hr_decoder *d, const cJSON *spec, struct hr_node *node)
{
	void *v;
	enum hr_code rc = decode_list(d, spec, "taints", sizeof(*node->taints), decode_taint, NULL,
	                              &v, &node->n_taints);
	node->taints = v;
	return rc;
}

static enum hr_code decode_toleration(struct hr_decoder *d, const cJSON *it, void *slot,
                                      const void *ctx)
{
	struct hr_toleration *t = slot;
	struct hr_str op = HR_STR_NULL, effect = HR_STR_NULL;
	enum hr_code rc;
	(void)ctx;
	if (!cJSON_IsObject(it))
		return hr_err_at(d->err, HR_EINVAL, &d->path, "must be an object");
	if ((rc = get_str(d, it, "key", &t->key)) != HR_OK ||
	    (rc = get_str(d, it, "value", &t->value)) != HR_OK ||
	    (rc = hr_cj_string(it, "operator", &op, &d->path, d->err)) != HR_OK ||
	    (rc = hr_cj_string(it, "effect", &effect, &d->path, d->err)) != HR_OK ||
	    (rc = get_int(d, it, "tolerationSeconds", INT64_MIN, INT64_MAX, &t->seconds,
	                  &t->has_seconds)) != HR_OK)
		return rc;
	if (op.n == 0 || hr_str_eq_c(op, "Equal"))
		t->op = HR_TOL_EQUAL;
	else if (hr_str_eq_c(op, "Exists"))
		t->op = HR_TOL_EXISTS;
	else
		t->op = HR_TOL_INVALID;
	t->effect = parse_effect(effect);
	return HR_OK;
}

static enum hr_code get_tolerations(struct hr_decoder *d, const cJSON *obj, const char *key,
                                    const struct hr_toleration **out, size_t *count)
{
	void *v;
	enum hr_code rc =
	    decode_list(d, obj, key, sizeof(**out), decode_toleration, NULL, &v, count);
	*out = v;
	return rc;
}

/* ---- selectors ----------------------------------------------------------- */

static bool parse_op(struct hr_str s, enum hr_sel_op *op)
{
	static const struct {
		const char *name;
		enum hr_sel_op op;
	} ops[] = {{"In", HR_OP_IN},         {"NotIn", HR_OP_NOT_IN},
	           {"Exists", HR_OP_EXISTS}, {"DoesNotExist", HR_OP_DOES_NOT_EXIST},
	           {"Gt", HR_OP_GT},         {"Lt", HR_OP_LT}};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (hr_str_eq_c(s, ops[i].name)) {
			*op = ops[i].op;
			return true;
		}
	return false;
}

/* Checks a requirement the way labels.NewRequirement does; returns a reason
 * text or NULL when it is well-formed. allow_numeric permits Gt/Lt. */
static const char *requirement_problem(const struct hr_requirement *r, bool allow_numeric,
                                       bool check_key)
{
	if (check_key && !hr_is_qualified_name(r->key))
		return "invalid label key";
	switch (r->op) {
	case HR_OP_IN:
	case HR_OP_NOT_IN:
		if (r->n_values == 0)
			return "for 'in', 'notin' operators, values set can't be empty";
		break;
	case HR_OP_EXISTS:
	case HR_OP_DOES_NOT_EXIST:
		if (r->n_values != 0)
			return "values set must be empty for exists and does not exist";
		break;
	case HR_OP_GT:
	case HR_OP_LT:
		if (!allow_numeric)
			return "is not a valid label selector operator";
		if (r->n_values != 1)
			return "for 'Gt', 'Lt' operators, exactly one value is required";
		break;
	default:
		break;
	}
	/* matchFields values are node names, not label values (check_key false) */
	for (size_t i = 0; check_key && i < r->n_values; i++)
		if (r->op != HR_OP_GT && r->op != HR_OP_LT && !hr_is_label_value(r->values[i]))
			return "invalid label value";
	return NULL;
}

/* One {key, operator, values} entry. *bad gets a reason when the entry is
 * malformed (unknown operator, bad values): that is not a decoding error. */
static enum hr_code decode_requirement(struct hr_decoder *d, const cJSON *it,
                                       struct hr_requirement *r, bool allow_numeric, bool check_key,
                                       const char **bad)
{
	struct hr_str op = HR_STR_NULL;
	enum hr_code rc;
	if (!cJSON_IsObject(it))
		return hr_err_at(d->err, HR_EINVAL, &d->path, "must be an object");
	if ((rc = get_str(d, it, "key", &r->key)) != HR_OK ||
	    (rc = hr_cj_string(it, "operator", &op, &d->path, d->err)) != HR_OK ||
	    (rc = get_str_array(d, it, "values", &r->values, &r->n_values)) != HR_OK)
		return rc;
	if (!parse_op(op, &r->op)) {
		*bad = "unknown operator";
		return HR_OK;
	}
	*bad = requirement_problem(r, allow_numeric, check_key);
	if (!*bad && (r->op == HR_OP_GT || r->op == HR_OP_LT) &&
	    !hr_parse_int64(r->values[0], &r->number))
		*bad = "for 'Gt', 'Lt' operators, the value must be an integer";
	return HR_OK;
}

enum hr_code hr_decode_label_selector(struct hr_decoder *d, const cJSON *sel,
                                      struct hr_label_selector *out)
{
	memset(out, 0, sizeof(*out));
	if (!sel || cJSON_IsNull(sel))
		return HR_OK;
	if (!cJSON_IsObject(sel))
		return hr_err_at(d->err, HR_EINVAL, &d->path, "label selector must be an object");
	out->present = true;
	struct hr_labels ml;
	const cJSON *exprs;
	size_t n_exprs;
	enum hr_code rc = get_labels(d, sel, "matchLabels", &ml);
	if (rc == HR_OK)
		rc = get_array(d, sel, "matchExpressions", &exprs, &n_exprs);
	if (rc != HR_OK)
		return rc;
	struct hr_requirement *reqs = alloc_array(d, ml.n + n_exprs, sizeof(*reqs));
	if (!reqs)
		return oom(d);
	size_t n = 0;
	for (size_t i = 0; i < ml.n; i++, n++) {
		struct hr_str *val = hr_arena_alloc(d->arena, sizeof(*val));
		if (!val)
			return oom(d);
		*val = ml.v[i].value;
		reqs[n] = (struct hr_requirement){
		    .key = ml.v[i].key, .op = HR_OP_EQUALS, .values = val, .n_values = 1};
		if (!hr_is_qualified_name(ml.v[i].key) || !hr_is_label_value(ml.v[i].value)) {
			out->invalid = true;
			out->invalid_reason = "invalid label key or value in matchLabels";
		}
	}
	size_t saved = hr_path_push_key(&d->path, "matchExpressions");
	for (size_t i = 0; i < n_exprs; i++, n++) {
		const char *bad = NULL;
		size_t s2 = hr_path_push_index(&d->path, i);
		rc = decode_requirement(d, cJSON_GetArrayItem(exprs, (int)i), &reqs[n], false, true,
		                        &bad);
		hr_path_pop(&d->path, s2);
		if (rc != HR_OK)
			break;
		if (bad && !out->invalid) {
			out->invalid = true;
			out->invalid_reason = bad;
		}
	}
	hr_path_pop(&d->path, saved);
	out->reqs = reqs;
	out->n_reqs = n;
	return rc;
}

static enum hr_code decode_node_term(struct hr_decoder *d, const cJSON *it, struct hr_node_term *t)
{
	const cJSON *exprs, *fields;
	size_t n_exprs, n_fields;
	enum hr_code rc;
	memset(t, 0, sizeof(*t));
	if (!cJSON_IsObject(it))
		return hr_err_at(d->err, HR_EINVAL, &d->path, "must be an object");
	if ((rc = get_array(d, it, "matchExpressions", &exprs, &n_exprs)) != HR_OK ||
	    (rc = get_array(d, it, "matchFields", &fields, &n_fields)) != HR_OK)
		return rc;
	struct hr_requirement *e = alloc_array(d, n_exprs, sizeof(*e));
	struct hr_requirement *f = alloc_array(d, n_fields, sizeof(*f));
	if (!e || !f)
		return oom(d);
	for (size_t pass = 0; pass < 2 && rc == HR_OK; pass++) {
		const cJSON *arr = pass == 0 ? exprs : fields;
		size_t n = pass == 0 ? n_exprs : n_fields;
		struct hr_requirement *dst = pass == 0 ? e : f;
		size_t saved =
		    hr_path_push_key(&d->path, pass == 0 ? "matchExpressions" : "matchFields");
		for (size_t i = 0; i < n && rc == HR_OK; i++) {
			const char *bad = NULL;
			size_t s2 = hr_path_push_index(&d->path, i);
			rc = decode_requirement(d, cJSON_GetArrayItem(arr, (int)i), &dst[i],
			                        pass == 0, pass == 0, &bad);
			hr_path_pop(&d->path, s2);
			/* fields: only In/NotIn with exactly one value */
			if (!bad && pass == 1 &&
			    (dst[i].n_values != 1 ||
			     (dst[i].op != HR_OP_IN && dst[i].op != HR_OP_NOT_IN)))
				bad = "not a valid node field selector";
			if (!bad && pass == 1 && !hr_str_eq_c(dst[i].key, "metadata.name"))
				bad = "not a valid field selector key (the only one is "
				      "metadata.name)";
			if (bad && !t->malformed) {
				t->malformed = true;
				t->malformed_reason = bad;
			}
		}
		hr_path_pop(&d->path, saved);
	}
	t->exprs = e;
	t->n_exprs = n_exprs;
	t->fields = f;
	t->n_fields = n_fields;
	return rc;
}

static enum hr_code decode_node_term_elem(struct hr_decoder *d, const cJSON *it, void *slot,
                                          const void *ctx)
{
	(void)ctx;
	return decode_node_term(d, it, slot);
}

static enum hr_code decode_node_selector(struct hr_decoder *d, const cJSON *ns,
                                         struct hr_node_selector *out)
{
	memset(out, 0, sizeof(*out));
	if (!ns)
		return HR_OK;
	out->present = true;
	void *v;
	enum hr_code rc = decode_list(d, ns, "nodeSelectorTerms", sizeof(*out->terms),
	                              decode_node_term_elem, NULL, &v, &out->n_terms);
	out->terms = v;
	return rc;
}

static enum hr_code decode_preferred_node_term(struct hr_decoder *d, const cJSON *it, void *slot,
                                               const void *ctx)
{
	struct hr_weighted_node_term *t = slot;
	const cJSON *pref;
	enum hr_code rc;
	(void)ctx;
	if (!cJSON_IsObject(it))
		return hr_err_at(d->err, HR_EINVAL, &d->path, "must be an object");
	if ((rc = get_i32(d, it, "weight", &t->weight)) != HR_OK ||
	    (rc = get_object(d, it, "preference", &pref)) != HR_OK)
		return rc;
	if (!pref) {
		t->term.malformed = true; /* an absent preference matches nothing */
		return HR_OK;
	}
	size_t saved = hr_path_push_key(&d->path, "preference");
	rc = decode_node_term(d, pref, &t->term);
	hr_path_pop(&d->path, saved);
	return rc;
}

static enum hr_code decode_preferred_node_terms(struct hr_decoder *d, const cJSON *na,
                                                struct hr_pod *pod)
{
	void *v;
	enum hr_code rc =
	    decode_list(d, na, "preferredDuringSchedulingIgnoredDuringExecution",
	                sizeof(*pod->preferred_node_affinity), decode_preferred_node_term, NULL, &v,
	                &pod->n_preferred_node_affinity);
	pod->preferred_node_affinity = v;
	return rc;
}

static enum hr_code decode_affinity_term(struct hr_decoder *d, const cJSON *it,
                                         struct hr_affinity_term *t)
{
	const cJSON *sel, *nssel;
	enum hr_code rc;
	memset(t, 0, sizeof(*t));
	if (!cJSON_IsObject(it))
		return hr_err_at(d->err, HR_EINVAL, &d->path, "must be an object");
	if ((rc = get_object(d, it, "labelSelector", &sel)) != HR_OK ||
	    (rc = get_object(d, it, "namespaceSelector", &nssel)) != HR_OK ||
	    (rc = get_str_array(d, it, "namespaces", &t->namespaces, &t->n_namespaces)) != HR_OK ||
	    (rc = get_str(d, it, "topologyKey", &t->topology_key)) != HR_OK ||
	    (rc = get_str_array(d, it, "matchLabelKeys", &t->match_label_keys,
	                        &t->n_match_label_keys)) != HR_OK ||
	    (rc = get_str_array(d, it, "mismatchLabelKeys", &t->mismatch_label_keys,
	                        &t->n_mismatch_label_keys)) != HR_OK)
		return rc;
	size_t saved = hr_path_push_key(&d->path, "labelSelector");
	rc = hr_decode_label_selector(d, sel, &t->selector);
	hr_path_pop(&d->path, saved);
	if (rc != HR_OK)
		return rc;
	saved = hr_path_push_key(&d->path, "namespaceSelector");
	rc = hr_decode_label_selector(d, nssel, &t->ns_selector);
	hr_path_pop(&d->path, saved);
	return rc;
}

static enum hr_code decode_required_affinity_term(struct hr_decoder *d, const cJSON *it, void *slot,
                                                  const void *ctx)
{
	(void)ctx;
	return decode_affinity_term(d, it, slot);
}

/* WeightedPodAffinityTerm: {weight, podAffinityTerm}. */
static enum hr_code decode_weighted_affinity_term(struct hr_decoder *d, const cJSON *it, void *slot,
                                                  const void *ctx)
{
	struct hr_affinity_term *t = slot;
	const cJSON *term = NULL;
	int32_t weight = 0;
	enum hr_code rc;
	(void)ctx;
	if (!cJSON_IsObject(it))
		return hr_err_at(d->err, HR_EINVAL, &d->path, "must be an object");
	if ((rc = get_i32(d, it, "weight", &weight)) != HR_OK ||
	    (rc = get_object(d, it, "podAffinityTerm", &term)) != HR_OK)
		return rc;
	if (!term)
		return hr_err_at(d->err, HR_EINVAL, &d->path, "podAffinityTerm is required");
	size_t saved = hr_path_push_key(&d->path, "podAffinityTerm");
	rc = decode_affinity_term(d, term, t);
	hr_path_pop(&d->path, saved);
	t->weight = weight;
	return rc;
}

/* required: an array of PodAffinityTerm; preferred: of WeightedPodAffinityTerm. */
static enum hr_code decode_affinity_terms(struct hr_decoder *d, const cJSON *obj, const char *key,
                                          bool weighted, struct hr_affinity_terms *out)
{
	void *v;
	enum hr_code rc =
	    decode_list(d, obj, key, sizeof(*out->v),
	                weighted ? decode_weighted_affinity_term : decode_required_affinity_term,
	                NULL, &v, &out->n);
	out->v = v;
	return rc;
}

static enum hr_code decode_affinity(struct hr_decoder *d, const cJSON *spec, struct hr_pod *pod)
{
	const cJSON *aff, *na, *pa, *paa, *req;
	enum hr_code rc = get_object(d, spec, "affinity", &aff);
	if (rc != HR_OK || !aff)
		return rc;
	size_t saved = hr_path_push_key(&d->path, "affinity");
	if ((rc = get_object(d, aff, "nodeAffinity", &na)) == HR_OK && na) {
		size_t s2 = hr_path_push_key(&d->path, "nodeAffinity");
		rc = get_object(d, na, "requiredDuringSchedulingIgnoredDuringExecution", &req);
		if (rc == HR_OK) {
			size_t s3 = hr_path_push_key(
			    &d->path, "requiredDuringSchedulingIgnoredDuringExecution");
			rc = decode_node_selector(d, req, &pod->node_affinity);
			hr_path_pop(&d->path, s3);
		}
		if (rc == HR_OK)
			rc = decode_preferred_node_terms(d, na, pod);
		hr_path_pop(&d->path, s2);
	}
	if (rc == HR_OK && (rc = get_object(d, aff, "podAffinity", &pa)) == HR_OK && pa) {
		size_t s2 = hr_path_push_key(&d->path, "podAffinity");
		rc = decode_affinity_terms(d, pa, "requiredDuringSchedulingIgnoredDuringExecution",
		                           false, &pod->pod_affinity);
		if (rc == HR_OK)
			rc = decode_affinity_terms(
			    d, pa, "preferredDuringSchedulingIgnoredDuringExecution", true,
			    &pod->pref_pod_affinity);
		hr_path_pop(&d->path, s2);
	}
	if (rc == HR_OK && (rc = get_object(d, aff, "podAntiAffinity", &paa)) == HR_OK && paa) {
		size_t s2 = hr_path_push_key(&d->path, "podAntiAffinity");
		rc = decode_affinity_terms(d, paa, "requiredDuringSchedulingIgnoredDuringExecution",
		                           false, &pod->pod_anti_affinity);
		if (rc == HR_OK)
			rc = decode_affinity_terms(
			    d, paa, "preferredDuringSchedulingIgnoredDuringExecution", true,
			    &pod->pref_pod_anti_affinity);
		hr_path_pop(&d->path, s2);
	}
	hr_path_pop(&d->path, saved);
	return rc;
}

static enum hr_code get_policy(struct hr_decoder *d, const cJSON *it, const char *key,
                               enum hr_inclusion_policy *out)
{
	struct hr_str s = HR_STR_NULL;
	enum hr_code rc = hr_cj_string(it, key, &s, &d->path, d->err);
	if (rc != HR_OK || !s.p)
		return rc;
	if (hr_str_eq_c(s, "Honor"))
		*out = HR_POLICY_HONOR;
	else if (hr_str_eq_c(s, "Ignore"))
		*out = HR_POLICY_IGNORE;
	else
		return hr_err_at(d->err, HR_EINVAL, &d->path, "%s must be Honor or Ignore", key);
	return HR_OK;
}

static enum hr_code decode_spread_constraint(struct hr_decoder *d, const cJSON *it,
                                             struct hr_spread_constraint *c)
{
	const cJSON *sel;
	struct hr_str when = HR_STR_NULL;
	int64_t skew = 0, min_domains = 1;
	bool has_skew = false, has_min = false;
	enum hr_code rc;
	memset(c, 0, sizeof(*c));
	c->node_affinity_policy = HR_POLICY_HONOR;
	c->node_taints_policy = HR_POLICY_IGNORE;
	if (!cJSON_IsObject(it))
		return hr_err_at(d->err, HR_EINVAL, &d->path, "must be an object");
	if ((rc = get_int(d, it, "maxSkew", 1, INT32_MAX, &skew, &has_skew)) != HR_OK ||
	    (rc = get_int(d, it, "minDomains", 1, INT32_MAX, &min_domains, &has_min)) != HR_OK ||
	    (rc = get_str(d, it, "topologyKey", &c->topology_key)) != HR_OK ||
	    (rc = hr_cj_string(it, "whenUnsatisfiable", &when, &d->path, d->err)) != HR_OK ||
	    (rc = get_object(d, it, "labelSelector", &sel)) != HR_OK ||
	    (rc = get_policy(d, it, "nodeAffinityPolicy", &c->node_affinity_policy)) != HR_OK ||
	    (rc = get_policy(d, it, "nodeTaintsPolicy", &c->node_taints_policy)) != HR_OK ||
	    (rc = get_str_array(d, it, "matchLabelKeys", &c->match_label_keys,
	                        &c->n_match_label_keys)) != HR_OK)
		return rc;
	if (!has_skew)
		return hr_err_at(d->err, HR_EINVAL, &d->path, "maxSkew is required (>= 1)");
	if (c->topology_key.n == 0)
		return hr_err_at(d->err, HR_EINVAL, &d->path, "topologyKey is required");
	if (hr_str_eq_c(when, "DoNotSchedule"))
		c->when = HR_DO_NOT_SCHEDULE;
	else if (hr_str_eq_c(when, "ScheduleAnyway"))
		c->when = HR_SCHEDULE_ANYWAY;
	else
		return hr_err_at(d->err, HR_EINVAL, &d->path,
		                 "whenUnsatisfiable must be DoNotSchedule or ScheduleAnyway");
	c->max_skew = (int32_t)skew;
	c->min_domains = (int32_t)min_domains;
	size_t saved = hr_path_push_key(&d->path, "labelSelector");
	rc = hr_decode_label_selector(d, sel, &c->selector);
	hr_path_pop(&d->path, saved);
	return rc;
}

static enum hr_code decode_spread_elem(struct hr_decoder *d, const cJSON *it, void *slot,
                                       const void *ctx)
{
	(void)ctx;
	return decode_spread_constraint(d, it, slot);
}

static enum hr_code decode_spread(struct hr_decoder *d, const cJSON *spec, struct hr_pod *pod)
{
	void *v;
	enum hr_code rc = decode_list(d, spec, "topologySpreadConstraints", sizeof(*pod->spread),
	                              decode_spread_elem, NULL, &v, &pod->n_spread);
	pod->spread = v;
	return rc;
}

/* ---- containers --------------------------------------------------------- */

/* ctx: the pod's hostNetwork, under which hostPort defaults to containerPort. */
static enum hr_code decode_port(struct hr_decoder *d, const cJSON *it, void *slot, const void *ctx)
{
	struct hr_container_port *p = slot;
	bool host_network = *(const bool *)ctx;
	enum hr_code rc;
	if (!cJSON_IsObject(it))
		return hr_err_at(d->err, HR_EINVAL, &d->path, "must be an object");
	if ((rc = get_i32(d, it, "containerPort", &p->container_port)) != HR_OK ||
	    (rc = get_i32(d, it, "hostPort", &p->host_port)) != HR_OK ||
	    (rc = get_str(d, it, "protocol", &p->protocol)) != HR_OK ||
	    (rc = get_str(d, it, "hostIP", &p->host_ip)) != HR_OK)
		return rc;
	if (p->protocol.n == 0)
		p->protocol = HR_STR_LIT("TCP");
	if (host_network && p->host_port == 0)
		p->host_port = p->container_port;
	return HR_OK;
}

static enum hr_code decode_ports(struct hr_decoder *d, const cJSON *c, bool host_network,
                                 struct hr_container *out)
{
	void *v;
	enum hr_code rc = decode_list(d, c, "ports", sizeof(*out->ports), decode_port,
	                              &host_network, &v, &out->n_ports);
	out->ports = v;
	return rc;
}

static enum hr_code decode_container(struct hr_decoder *d, const cJSON *c, bool host_network,
                                     bool is_init, struct hr_container *out)
{
	const cJSON *res;
	struct hr_str restart = HR_STR_NULL;
	enum hr_code rc;
	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(c))
		return hr_err_at(d->err, HR_EINVAL, &d->path, "must be an object");
	if ((rc = get_str(d, c, "name", &out->name)) != HR_OK ||
	    (rc = get_str(d, c, "image", &out->image)) != HR_OK ||
	    (rc = hr_cj_string(c, "restartPolicy", &restart, &d->path, d->err)) != HR_OK ||
	    (rc = get_object(d, c, "resources", &res)) != HR_OK)
		return rc;
	out->restartable = is_init && hr_str_eq_c(restart, "Always");
	if (res) {
		size_t saved = hr_path_push_key(&d->path, "resources");
		rc = get_qty_list(d, res, "requests", &out->requests);
		if (rc == HR_OK)
			rc = get_qty_list(d, res, "limits", &out->limits);
		if (rc == HR_OK)
			rc = default_requests_from_limits(d, &out->requests, out->limits);
		hr_path_pop(&d->path, saved);
		if (rc != HR_OK)
			return rc;
	}
	return decode_ports(d, c, host_network, out);
}

struct container_ctx {
	bool host_network;
	bool is_init;
};

static enum hr_code decode_container_elem(struct hr_decoder *d, const cJSON *it, void *slot,
                                          const void *ctx)
{
	const struct container_ctx *c = ctx;
	return decode_container(d, it, c->host_network, c->is_init, slot);
}

static enum hr_code decode_containers(struct hr_decoder *d, const cJSON *spec, const char *key,
                                      bool host_network, const struct hr_container **out,
                                      size_t *count)
{
	struct container_ctx ctx = {host_network, strcmp(key, "initContainers") == 0};
	void *v;
	enum hr_code rc =
	    decode_list(d, spec, key, sizeof(**out), decode_container_elem, &ctx, &v, count);
	*out = v;
	return rc;
}

/* status.containerStatuses[].resources / allocatedResources, matched to the
 * spec containers by name (in-place resize, spec/predicates.md §2.6). */
static enum hr_code decode_status_resources(struct hr_decoder *d, const cJSON *status,
                                            const char *key, const struct hr_container *cs,
                                            size_t n_cs)
{
	const cJSON *arr;
	size_t n;
	enum hr_code rc = get_array(d, status, key, &arr, &n);
	if (rc != HR_OK || !arr)
		return rc;
	size_t saved = hr_path_push_key(&d->path, key);
	for (size_t i = 0; i < n && rc == HR_OK; i++) {
		const cJSON *st = cJSON_GetArrayItem(arr, (int)i), *res;
		struct hr_str name = HR_STR_NULL;
		size_t s2 = hr_path_push_index(&d->path, i);
		if (!cJSON_IsObject(st) ||
		    (rc = hr_cj_string(st, "name", &name, &d->path, d->err)) != HR_OK ||
		    (rc = get_object(d, st, "resources", &res)) != HR_OK || !res) {
			hr_path_pop(&d->path, s2);
			continue;
		}
		for (size_t k = 0; k < n_cs; k++) {
			/* the model is ours until finalized: cast away const to fill it */
			struct hr_container *c = (struct hr_container *)&cs[k];
			if (!hr_str_eq(c->name, name))
				continue;
			c->has_status_resources = true;
			size_t s3 = hr_path_push_key(&d->path, "resources");
			rc = get_qty_list(d, res, "requests", &c->status_requests);
			hr_path_pop(&d->path, s3);
			if (rc == HR_OK)
				rc =
				    get_qty_list(d, st, "allocatedResources", &c->status_allocated);
			break;
		}
		hr_path_pop(&d->path, s2);
	}
	hr_path_pop(&d->path, saved);
	return rc;
}

/* ---- pod ----------------------------------------------------------------- */

static enum hr_pod_phase parse_phase(struct hr_str s)
{
	if (hr_str_eq_c(s, "Pending"))
		return HR_PHASE_PENDING;
	if (hr_str_eq_c(s, "Running"))
		return HR_PHASE_RUNNING;
	if (hr_str_eq_c(s, "Succeeded"))
		return HR_PHASE_SUCCEEDED;
	if (hr_str_eq_c(s, "Failed"))
		return HR_PHASE_FAILED;
	return HR_PHASE_UNKNOWN;
}

static enum hr_code decode_metadata(struct hr_decoder *d, const cJSON *obj, struct hr_str *name,
                                    struct hr_str *ns, struct hr_str *uid, struct hr_str *rv,
                                    struct hr_labels *labels, bool *deleting)
{
	const cJSON *meta;
	enum hr_code rc = get_object(d, obj, "metadata", &meta);
	if (rc != HR_OK)
		return rc;
	size_t saved = hr_path_push_key(&d->path, "metadata");
	*name = HR_STR_LIT("");
	if (meta) {
		if ((rc = get_str(d, meta, "name", name)) == HR_OK && ns)
			rc = get_str(d, meta, "namespace", ns);
		if (rc == HR_OK && uid)
			rc = get_str(d, meta, "uid", uid);
		if (rc == HR_OK && rv)
			rc = get_str(d, meta, "resourceVersion", rv);
		if (rc == HR_OK && labels)
			rc = get_labels(d, meta, "labels", labels);
		if (rc == HR_OK && deleting)
			*deleting = hr_cj_member(meta, "deletionTimestamp") != NULL;
	}
	hr_path_pop(&d->path, saved);
	return rc;
}

static void note_volumes(const cJSON *spec, struct hr_pod *pod)
{
	static const char *inline_disks[] = {"gcePersistentDisk",
	                                     "awsElasticBlockStore",
	                                     "iscsi",
	                                     "rbd",
	                                     "azureDisk",
	                                     "cinder",
	                                     "csi"};
	const cJSON *vols = hr_cj_member(spec, "volumes"), *v;
	if (!cJSON_IsArray(vols))
		return;
	cJSON_ArrayForEach(v, vols)
	{
		if (hr_cj_member(v, "persistentVolumeClaim"))
			pod->unmodelled |= HR_UNMODELLED_PVC;
		if (hr_cj_member(v, "ephemeral"))
			pod->unmodelled |= HR_UNMODELLED_EPHEMERAL_VOLUME;
		for (size_t i = 0; i < sizeof(inline_disks) / sizeof(inline_disks[0]); i++)
			if (hr_cj_member(v, inline_disks[i]))
				pod->unmodelled |= HR_UNMODELLED_INLINE_DISK;
	}
}

static void note_conditions(const cJSON *status, struct hr_pod *pod)
{
	const cJSON *conds = hr_cj_member(status, "conditions"), *c;
	if (!cJSON_IsArray(conds))
		return;
	cJSON_ArrayForEach(c, conds)
	{
		const cJSON *type = hr_cj_member(c, "type"), *reason = hr_cj_member(c, "reason");
		if (cJSON_IsString(type) && cJSON_IsString(reason) &&
		    strcmp(type->valuestring, "PodResizePending") == 0 &&
		    strcmp(reason->valuestring, "Infeasible") == 0)
			pod->resize_infeasible = true;
	}
}

static enum hr_code decode_pod_spec(struct hr_decoder *d, const cJSON *spec, struct hr_pod *pod)
{
	const cJSON *res, *gates, *claims;
	struct hr_str preemption = HR_STR_NULL;
	size_t n_gates = 0, n_claims = 0;
	enum hr_code rc;
	if ((rc = hr_cj_bool(spec, "hostNetwork", &pod->host_network, &d->path, d->err)) != HR_OK ||
	    (rc = get_str(d, spec, "nodeName", &pod->node_name)) != HR_OK ||
	    (rc = get_str(d, spec, "schedulerName", &pod->scheduler_name)) != HR_OK ||
	    (rc = get_str(d, spec, "runtimeClassName", &pod->runtime_class_name)) != HR_OK ||
	    (rc = get_i32(d, spec, "priority", &pod->priority)) != HR_OK ||
	    (rc = hr_cj_string(spec, "preemptionPolicy", &preemption, &d->path, d->err)) != HR_OK ||
	    (rc = decode_containers(d, spec, "containers", pod->host_network, &pod->containers,
	                            &pod->n_containers)) != HR_OK ||
	    (rc = decode_containers(d, spec, "initContainers", pod->host_network,
	                            &pod->init_containers, &pod->n_init_containers)) != HR_OK ||
	    (rc = get_qty_list(d, spec, "overhead", &pod->overhead)) != HR_OK ||
	    (rc = get_object(d, spec, "resources", &res)) != HR_OK ||
	    (rc = get_labels(d, spec, "nodeSelector", &pod->node_selector)) != HR_OK ||
	    (rc = decode_affinity(d, spec, pod)) != HR_OK ||
	    (rc = get_tolerations(d, spec, "tolerations", &pod->tolerations,
	                          &pod->n_tolerations)) != HR_OK ||
	    (rc = decode_spread(d, spec, pod)) != HR_OK ||
	    (rc = get_array(d, spec, "schedulingGates", &gates, &n_gates)) != HR_OK ||
	    (rc = get_array(d, spec, "resourceClaims", &claims, &n_claims)) != HR_OK)
		return rc;
	if (pod->scheduler_name.n == 0)
		pod->scheduler_name = HR_STR_LIT("default-scheduler");
	pod->preemption_never = hr_str_eq_c(preemption, "Never");
	if (res) {
		size_t saved = hr_path_push_key(&d->path, "resources");
		rc = get_qty_list(d, res, "requests", &pod->pod_requests);
		if (rc == HR_OK)
			rc = get_qty_list(d, res, "limits", &pod->pod_limits);
		hr_path_pop(&d->path, saved);
		if (rc != HR_OK)
			return rc;
	}
	if (n_gates) {
		struct hr_str *g = alloc_array(d, n_gates, sizeof(*g));
		if (!g)
			return oom(d);
		size_t k = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, gates)
		{
			const cJSON *name = hr_cj_member(it, "name");
			if (cJSON_IsString(name) && keep_str(d, hr_cj_view(name), &g[k]) == HR_OK)
				k++;
		}
		pod->scheduling_gates = g;
		pod->n_scheduling_gates = k;
		pod->unmodelled |= HR_UNMODELLED_SCHEDULING_GATES;
	}
	if (n_claims)
		pod->unmodelled |= HR_UNMODELLED_RESOURCE_CLAIMS;
	note_volumes(spec, pod);
	return HR_OK;
}

enum hr_code hr_decode_pod(struct hr_decoder *d, const cJSON *obj, struct hr_pod *pod)
{
	const cJSON *spec, *status;
	struct hr_str phase = HR_STR_NULL;
	enum hr_code rc;
	memset(pod, 0, sizeof(*pod));
	if (!cJSON_IsObject(obj))
		return hr_err_at(d->err, HR_EINVAL, &d->path, "pod must be a JSON object, got %s",
		                 hr_cj_type_name(obj));
	if ((rc = decode_metadata(d, obj, &pod->name, &pod->namespace, &pod->uid,
	                          &pod->resource_version, &pod->labels, &pod->terminating)) !=
	        HR_OK ||
	    (rc = get_object(d, obj, "spec", &spec)) != HR_OK ||
	    (rc = get_object(d, obj, "status", &status)) != HR_OK)
		return rc;
	if (pod->namespace.n == 0)
		pod->namespace = HR_STR_LIT("default");
	if (!spec)
		return hr_err_at(d->err, HR_EINVAL, &d->path, "pod has no spec");
	size_t saved = hr_path_push_key(&d->path, "spec");
	rc = decode_pod_spec(d, spec, pod);
	hr_path_pop(&d->path, saved);
	if (rc != HR_OK)
		return rc;
	if (status) {
		saved = hr_path_push_key(&d->path, "status");
		rc = hr_cj_string(status, "phase", &phase, &d->path, d->err);
		if (rc == HR_OK)
			rc = decode_status_resources(d, status, "containerStatuses",
			                             pod->containers, pod->n_containers);
		if (rc == HR_OK)
			rc = decode_status_resources(d, status, "initContainerStatuses",
			                             pod->init_containers, pod->n_init_containers);
		note_conditions(status, pod);
		hr_path_pop(&d->path, saved);
	}
	pod->phase = parse_phase(phase);
	return rc;
}

/* ---- node ---------------------------------------------------------------- */

static enum hr_code decode_image(struct hr_decoder *d, const cJSON *it, void *slot, const void *ctx)
{
	struct hr_image *img = slot;
	enum hr_code rc;
	(void)ctx;
	if (!cJSON_IsObject(it))
		return hr_err_at(d->err, HR_EINVAL, &d->path, "must be an object");
	if ((rc = get_str_array(d, it, "names", &img->names, &img->n_names)) != HR_OK)
		return rc;
	return get_int(d, it, "sizeBytes", 0, INT64_MAX, &img->size_bytes, NULL);
}

static enum hr_code decode_images(struct hr_decoder *d, const cJSON *status, struct hr_node *node)
{
	void *v;
	enum hr_code rc = decode_list(d, status, "images", sizeof(*node->images), decode_image,
	                              NULL, &v, &node->n_images);
	node->images = v;
	return rc;
}

enum hr_code hr_decode_node(struct hr_decoder *d, const cJSON *obj, struct hr_node *node)
{
	const cJSON *spec, *status;
	struct hr_qty_list alloc = {0}, cap = {0};
	enum hr_code rc;
	memset(node, 0, sizeof(*node));
	if (!cJSON_IsObject(obj))
		return hr_err_at(d->err, HR_EINVAL, &d->path, "node must be a JSON object, got %s",
		                 hr_cj_type_name(obj));
	if ((rc = decode_metadata(d, obj, &node->name, NULL, &node->uid, &node->resource_version,
	                          &node->labels, NULL)) != HR_OK ||
	    (rc = get_object(d, obj, "spec", &spec)) != HR_OK ||
	    (rc = get_object(d, obj, "status", &status)) != HR_OK)
		return rc;
	if (node->name.n == 0)
		return hr_err_at(d->err, HR_EINVAL, &d->path, "node has no metadata.name");
	if (spec) {
		size_t saved = hr_path_push_key(&d->path, "spec");
		rc = hr_cj_bool(spec, "unschedulable", &node->unschedulable, &d->path, d->err);
		if (rc == HR_OK)
			rc = get_taints(d, spec, node);
		hr_path_pop(&d->path, saved);
		if (rc != HR_OK)
			return rc;
	}
	if (status) {
		size_t saved = hr_path_push_key(&d->path, "status");
		rc = get_qty_list(d, status, "allocatable", &alloc);
		if (rc == HR_OK)
			rc = get_qty_list(d, status, "capacity", &cap);
		if (rc == HR_OK)
			rc = decode_images(d, status, node);
		hr_path_pop(&d->path, saved);
		if (rc != HR_OK)
			return rc;
	}
	/* SetDefaults_NodeStatus: allocatable defaults to capacity when unset */
	bool has_alloc = status && hr_cj_member(status, "allocatable");
	return qty_list_to_resources(d, has_alloc ? alloc : cap, &node->allocatable);
}

/* ---- namespace, LimitRange, RuntimeClass ---------------------------------- */

enum hr_code hr_decode_namespace(struct hr_decoder *d, const cJSON *obj, struct hr_namespace *ns)
{
	memset(ns, 0, sizeof(*ns));
	if (!cJSON_IsObject(obj))
		return hr_err_at(d->err, HR_EINVAL, &d->path, "namespace must be a JSON object");
	enum hr_code rc = decode_metadata(d, obj, &ns->name, NULL, NULL, NULL, &ns->labels, NULL);
	if (rc == HR_OK && ns->name.n == 0)
		rc = hr_err_at(d->err, HR_EINVAL, &d->path, "namespace has no metadata.name");
	const cJSON *enforce = hr_cj_member(
	    hr_cj_member(hr_cj_member(obj, "metadata"), "annotations"), "headroom.io/enforce");
	ns->enforce = HR_STR_LIT("");
	if (rc == HR_OK && cJSON_IsString(enforce))
		rc = keep_str(d, hr_cj_view(enforce), &ns->enforce);
	return rc;
}

enum hr_code hr_decode_limit_range(struct hr_decoder *d, const cJSON *obj,
                                   struct hr_limit_range *lr)
{
	const cJSON *spec, *limits;
	size_t n;
	memset(lr, 0, sizeof(*lr));
	if (!cJSON_IsObject(obj))
		return hr_err_at(d->err, HR_EINVAL, &d->path, "LimitRange must be a JSON object");
	enum hr_code rc =
	    decode_metadata(d, obj, &lr->name, &lr->namespace, NULL, NULL, NULL, NULL);
	if (rc == HR_OK)
		rc = get_object(d, obj, "spec", &spec);
	if (rc != HR_OK || !spec)
		return rc;
	if (lr->namespace.n == 0)
		lr->namespace = HR_STR_LIT("default");
	size_t saved = hr_path_push_key(&d->path, "spec");
	rc = get_array(d, spec, "limits", &limits, &n);
	struct hr_limit_range_item *v = rc == HR_OK ? alloc_array(d, n, sizeof(*v)) : NULL;
	if (rc == HR_OK && !v)
		rc = oom(d);
	size_t k = 0;
	size_t s2 = hr_path_push_key(&d->path, "limits");
	for (size_t i = 0; i < n && rc == HR_OK; i++) {
		const cJSON *it = cJSON_GetArrayItem(limits, (int)i);
		struct hr_str type = HR_STR_NULL;
		size_t s3 = hr_path_push_index(&d->path, i);
		if (!cJSON_IsObject(it))
			rc = hr_err_at(d->err, HR_EINVAL, &d->path, "must be an object");
		if (rc == HR_OK)
			rc = hr_cj_string(it, "type", &type, &d->path, d->err);
		if (rc == HR_OK && hr_str_eq_c(type, "Container")) {
			struct hr_limit_range_item *item = &v[k++];
			if ((rc = get_qty_list(d, it, "default", &item->default_limits)) == HR_OK &&
			    (rc = get_qty_list(d, it, "defaultRequest", &item->default_requests)) ==
			        HR_OK &&
			    (rc = get_qty_list(d, it, "max", &item->max)) == HR_OK)
				rc = get_qty_list(d, it, "min", &item->min);
		}
		hr_path_pop(&d->path, s3);
	}
	hr_path_pop(&d->path, s2);
	hr_path_pop(&d->path, saved);
	lr->items = v;
	lr->n_items = k;
	return rc;
}

enum hr_code hr_decode_runtime_class(struct hr_decoder *d, const cJSON *obj,
                                     struct hr_runtime_class *rc_out)
{
	const cJSON *overhead, *scheduling;
	memset(rc_out, 0, sizeof(*rc_out));
	if (!cJSON_IsObject(obj))
		return hr_err_at(d->err, HR_EINVAL, &d->path, "RuntimeClass must be a JSON object");
	enum hr_code rc = decode_metadata(d, obj, &rc_out->name, NULL, NULL, NULL, NULL, NULL);
	if (rc == HR_OK)
		rc = get_str(d, obj, "handler", &rc_out->handler);
	if (rc == HR_OK)
		rc = get_object(d, obj, "overhead", &overhead);
	if (rc == HR_OK && overhead) {
		size_t saved = hr_path_push_key(&d->path, "overhead");
		rc = get_qty_list(d, overhead, "podFixed", &rc_out->overhead);
		hr_path_pop(&d->path, saved);
	}
	if (rc == HR_OK)
		rc = get_object(d, obj, "scheduling", &scheduling);
	if (rc == HR_OK && scheduling) {
		size_t saved = hr_path_push_key(&d->path, "scheduling");
		rc = get_labels(d, scheduling, "nodeSelector", &rc_out->node_selector);
		if (rc == HR_OK)
			rc = get_tolerations(d, scheduling, "tolerations", &rc_out->tolerations,
			                     &rc_out->n_tolerations);
		hr_path_pop(&d->path, saved);
	}
	return rc;
}
