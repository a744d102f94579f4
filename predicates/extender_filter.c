/* extender_filter.c: ExtenderArgs -> ExtenderFilterResult. */
#include "extender_filter.h"

#include <ctype.h>

#include "decode.h"
#include "filter.h"
#include "incoming.h"
#include "jsonspan.h"

#define ARGS_MAX_DEPTH 128

/* The three members of ExtenderArgs we read. */
struct args {
	struct hr_json_span pod, nodes, node_names;
	bool has_pod, has_nodes, has_names;
};

/* Compares a raw JSON key (with quotes) to `want` ignoring ASCII case. */
static bool key_is(struct hr_json_span key, const char *want)
{
	char buf[32];
	size_t n;
	if (key.n > sizeof(buf) || !hr_json_string_decode(key, buf, sizeof(buf), &n))
		return false;
	if (n != strlen(want))
		return false;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)buf[i]) != tolower((unsigned char)want[i]))
			return false;
	return true;
}

/* Says whether the body is malformed or only too deep. */
static enum hr_code not_json(const char *body, size_t len, struct hr_err *err, size_t at)
{
	if (hr_json_too_deep(body, len, ARGS_MAX_DEPTH, at))
		return hr_err_set(err, HR_EINVAL, NULL,
		                  "the body nests deeper than %d levels (near byte %zu)",
		                  ARGS_MAX_DEPTH, at);
	return hr_err_set(err, HR_EINVAL, NULL, "the body is not valid JSON near byte %zu", at);
}

static enum hr_code read_args(const char *body, size_t len, struct args *a, struct hr_err *err)
{
	size_t lead = 0;
	while (lead < len && strchr(" \t\r\n", body[lead]) && body[lead])
		lead++;
	struct hr_json_span doc = {body + lead, len - lead};
	memset(a, 0, sizeof(*a));
	if (hr_json_span_type(doc) != HR_JSON_OBJECT) {
		size_t used = 0;
		if (hr_json_skip(body, len, ARGS_MAX_DEPTH, NULL, &used) == HR_JSON_INVALID)
			return not_json(body, len, err, used);
		return hr_err_set(err, HR_EINVAL, NULL, "ExtenderArgs must be a JSON object");
	}
	/* One validating pass: the iterator checks each member as it goes and
	 * that only whitespace follows the object. */
	struct hr_json_iter it;
	struct hr_json_span key, value;
	hr_json_iter_init(&it, doc, ARGS_MAX_DEPTH);
	while (hr_json_next_member(&it, &key, &value)) {
		bool null = hr_json_is_null(value);
		if (key_is(key, "Pod")) {
			a->pod = value;
			a->has_pod = !null;
		} else if (key_is(key, "Nodes")) {
			a->nodes = value;
			a->has_nodes = !null;
		} else if (key_is(key, "NodeNames")) {
			a->node_names = value;
			a->has_names = !null;
		}
	}
	if (hr_json_iter_failed(&it)) { /* find out where it went wrong */
		size_t used = 0;
		if (hr_json_skip(body, len, ARGS_MAX_DEPTH, NULL, &used) == HR_JSON_INVALID)
			return not_json(body, len, err, used);
		return hr_err_set(err, HR_EINVAL, NULL,
		                  "unexpected bytes after the JSON object at byte %zu", used);
	}
	if (!a->has_pod)
		return hr_err_set(err, HR_EINVAL, "Pod",
		                  "required: the body is kube-scheduler's ExtenderArgs "
		                  "{\"Pod\": ..., \"NodeNames\": [...]}; for a pod alone, POST it "
		                  "to /capacity");
	const struct {
		bool has;
		struct hr_json_span v;
		enum hr_json_type want;
		const char *key, *what;
	} shapes[] = {
	    {a->has_pod, a->pod, HR_JSON_OBJECT, "Pod", "a Pod object"},
	    {a->has_nodes, a->nodes, HR_JSON_OBJECT, "Nodes", "a NodeList object"},
	    {a->has_names, a->node_names, HR_JSON_ARRAY, "NodeNames", "an array of node names"},
	};
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		enum hr_json_type t =
		    shapes[i].has ? hr_json_span_type(shapes[i].v) : shapes[i].want;
		if (t != shapes[i].want)
			return hr_err_set(err, HR_EINVAL, shapes[i].key, "must be %s, got %s",
			                  shapes[i].what, hr_json_type_name(t));
	}
	if (!a->has_names && !a->has_nodes)
		return hr_err_set(err, HR_EINVAL, "NodeNames",
		                  "one of NodeNames or Nodes must be set");
	return HR_OK;
}

static enum hr_code parse_pod(const struct hr_snapshot *snap, struct hr_json_span span,
                              struct hr_arena *arena, struct hr_pod **pod, struct hr_err *err)
{
	cJSON *json = cJSON_ParseWithLength(span.p, span.n);
	if (!json)
		return hr_err_set(err, HR_ENOMEM, "Pod", "out of memory parsing the pod");
	enum hr_code rc = hr_incoming_pod(json, snap, false, "Pod", arena, pod, NULL, err);
	cJSON_Delete(json);
	return rc;
}

/* ---- output ------------------------------------------------------------- */

struct failed_maps {
	struct hr_buf u, uu;  /* "name":"reason" pairs, comma-separated */
	struct hr_buf reason; /* scratch for one node's reason text */
};

static void add_failure(struct failed_maps *f, struct hr_str name, const struct hr_node_status *st,
                        const struct hr_pod *pod)
{
	struct hr_buf *b = st->code == HR_STATUS_UNRESOLVABLE ? &f->uu : &f->u;
	if (b->len)
		hr_buf_putc(b, ',');
	hr_buf_json_str(b, name);
	hr_buf_putc(b, ':');
	hr_buf_reset(&f->reason);
	hr_status_text(st, pod, &f->reason);
	hr_buf_json_str(b, (struct hr_str){f->reason.p ? f->reason.p : "", f->reason.len});
}

static void unknown_node(struct failed_maps *f, struct hr_str name)
{
	struct hr_node_status st = {.code = HR_STATUS_UNSCHEDULABLE,
	                            .plugin = HR_PLUGIN_EXTENDER,
	                            .reasons = 1u << HR_R_UNKNOWN_NODE};
	add_failure(f, name, &st, NULL);
}

static void finish_output(struct hr_buf *out, struct failed_maps *f)
{
	hr_buf_puts(out, ",\"FailedNodes\":{");
	hr_buf_append(out, f->u.p, f->u.len);
	hr_buf_puts(out, "},\"FailedAndUnresolvableNodes\":{");
	hr_buf_append(out, f->uu.p, f->uu.len);
	hr_buf_puts(out, "},\"Error\":\"\"}");
	if (!hr_buf_ok(&f->u) || !hr_buf_ok(&f->uu))
		out->failed = true;
}

/* ---- NodeNames mode ----------------------------------------------------- */

/* A validated string span of ASCII without escapes or control bytes, at most 253
 * bytes (every node name): its text is the bytes between the quotes, and
 * hr_buf_json_str would write it unchanged. */
static bool plain_string(struct hr_json_span v, struct hr_str *out)
{
	if (v.n < 2 || v.n > 255 || v.p[0] != '"')
		return false;
	for (size_t i = 1; i + 1 < v.n; i++)
		if (v.p[i] == '\\' || (unsigned char)v.p[i] < 0x20 || (unsigned char)v.p[i] >= 0x80)
			return false;
	*out = (struct hr_str){v.p + 1, v.n - 2};
	return true;
}

static enum hr_code filter_names(const struct hr_filter_ctx *ctx, struct hr_json_span names,
                                 struct hr_buf *out, struct failed_maps *f,
                                 struct hr_filter_stats *stats, struct hr_err *err)
{
	struct hr_json_iter it;
	struct hr_json_span v;
	char name[256];
	size_t n_name;
	bool first = true;
	hr_buf_puts(out, "{\"Nodes\":null,\"NodeNames\":[");
	hr_json_iter_init_trusted(&it, names);
	while (hr_json_next_element(&it, &v)) {
		stats->nodes_in++;
		struct hr_str nm;
		bool plain = plain_string(v, &nm); /* the usual name: its bytes are the name */
		if (plain) {
		} else if (hr_json_string_decode(v, name, sizeof(name), &n_name)) {
			nm = (struct hr_str){name, n_name};
		} else {
			return hr_err_set(
			    err, HR_EINVAL, "NodeNames",
			    "element %zu must be a node name string (at most 253 bytes)",
			    stats->nodes_in - 1);
		}
		const struct hr_node_info *info = hr_snap_find_node(ctx->snap, nm);
		if (!info) {
			stats->nodes_unknown++;
			unknown_node(f, nm);
			continue;
		}
		struct hr_node_status st;
		hr_filter_node(ctx, info, &st);
		if (st.code != HR_STATUS_SUCCESS) {
			add_failure(f, nm, &st, ctx->pod);
			continue;
		}
		if (!first)
			hr_buf_putc(out, ',');
		first = false;
		if (plain)
			hr_buf_append(out, v.p, v.n); /* exactly what hr_buf_json_str would write */
		else
			hr_buf_json_str(out, nm);
		stats->nodes_passed++;
	}
	if (hr_json_iter_failed(&it))
		return hr_err_set(err, HR_EINVAL, "NodeNames", "must be an array of strings");
	hr_buf_putc(out, ']');
	return HR_OK;
}

/* ---- Nodes mode ------------------------------------------------------------ */

/* The node_info to filter a Node object from the request with: the
 * snapshot's when the object is the same version, else a decoded copy that
 * keeps the snapshot's pods for that name. */
static enum hr_code node_for_span(const struct hr_filter_ctx *ctx, struct hr_json_span span,
                                  struct hr_str name, struct hr_json_span rv,
                                  struct hr_arena *arena, const struct hr_node_info **out,
                                  struct hr_filter_stats *stats, struct hr_err *err)
{
	const struct hr_node_info *known = hr_snap_find_node(ctx->snap, name);
	char rvbuf[64];
	size_t rvlen;
	if (known && known->node->resource_version.n && rv.p &&
	    hr_json_string_decode(rv, rvbuf, sizeof(rvbuf), &rvlen) &&
	    hr_str_eq((struct hr_str){rvbuf, rvlen}, known->node->resource_version)) {
		*out = known;
		return HR_OK;
	}
	cJSON *json = cJSON_ParseWithLength(span.p, span.n);
	struct hr_node *node = hr_arena_alloc(arena, sizeof(*node));
	struct hr_node_info *info = hr_arena_calloc(arena, 1, sizeof(*info));
	if (!json || !node || !info) {
		cJSON_Delete(json);
		return hr_err_set(err, HR_ENOMEM, "Nodes.items", "out of memory decoding a node");
	}
	struct hr_decoder dec;
	hr_decoder_init(&dec, arena, NULL, err);
	hr_path_push_key(&dec.path, "Nodes.items");
	hr_path_push_index(&dec.path, stats->nodes_in - 1);
	enum hr_code rc = hr_decode_node(&dec, json, node);
	cJSON_Delete(json);
	if (rc != HR_OK)
		return rc;
	if (known)
		*info = *known; /* its pods, requested resources and ports */
	info->node = node;
	info->index = SIZE_MAX;
	stats->nodes_decoded++;
	*out = info;
	return HR_OK;
}

/* The first member named key of a validated object (no second validation of
 * the members it skips, which can be megabytes of Nodes). */
static bool member(struct hr_json_span object, const char *key, struct hr_json_span *value)
{
	struct hr_json_iter it;
	struct hr_json_span k;
	hr_json_iter_init_trusted(&it, object);
	while (hr_json_next_member(&it, &k, value))
		if (hr_json_string_eq(k, key, strlen(key)))
			return true;
	return false;
}

/* The first metadata.name and metadata.resourceVersion of a Node object
 * from the validated request, in one pass; spans are {NULL, 0} when absent. */
static void node_metadata(struct hr_json_span node, struct hr_json_span *name,
                          struct hr_json_span *rv)
{
	struct hr_json_iter it;
	struct hr_json_span k, v, meta;
	*name = *rv = (struct hr_json_span){NULL, 0};
	if (!member(node, "metadata", &meta) || hr_json_span_type(meta) != HR_JSON_OBJECT)
		return;
	hr_json_iter_init_trusted(&it, meta);
	while ((!name->p || !rv->p) && hr_json_next_member(&it, &k, &v)) {
		if (!name->p && hr_json_string_eq(k, "name", 4))
			*name = v;
		else if (!rv->p && hr_json_string_eq(k, "resourceVersion", 15))
			*rv = v;
	}
}

static enum hr_code filter_objects(const struct hr_filter_ctx *ctx, struct hr_json_span nodes,
                                   struct hr_arena *arena, struct hr_buf *out,
                                   struct failed_maps *f, struct hr_filter_stats *stats,
                                   struct hr_err *err)
{
	struct hr_json_span items, v, name_span, rv_span;
	char name[256];
	size_t n_name;
	bool first = true;
	stats->full_nodes = true;
	if (!hr_json_find_trusted(nodes, "items", &items) ||
	    hr_json_span_type(items) == HR_JSON_NULL) /* items: the rest of Nodes, see jsonspan.h */
		items = (struct hr_json_span){"[]", 2};
	hr_buf_puts(out, "{\"Nodes\":{\"metadata\":{},\"items\":[");
	struct hr_json_iter it;
	hr_json_iter_init_trusted(&it, items);
	while (hr_json_next_element(&it, &v)) {
		stats->nodes_in++;
		if (hr_json_span_type(v) == HR_JSON_OBJECT)
			node_metadata(v, &name_span, &rv_span);
		else
			name_span = rv_span = (struct hr_json_span){NULL, 0};
		if (!name_span.p ||
		    !hr_json_string_decode(name_span, name, sizeof(name), &n_name) || n_name == 0)
			return hr_err_set(err, HR_EINVAL, "Nodes.items",
			                  "item %zu has no metadata.name string",
			                  stats->nodes_in - 1);
		struct hr_str nm = {name, n_name};
		const struct hr_node_info *info = NULL;
		enum hr_code rc = node_for_span(ctx, v, nm, rv_span, arena, &info, stats, err);
		if (rc != HR_OK)
			return rc;
		struct hr_node_status st;
		hr_filter_node(ctx, info, &st);
		if (st.code != HR_STATUS_SUCCESS) {
			add_failure(f, nm, &st, ctx->pod);
			continue;
		}
		if (!first)
			hr_buf_putc(out, ',');
		first = false;
		hr_buf_append(out, v.p, v.n); /* the object exactly as sent */
		stats->nodes_passed++;
	}
	if (hr_json_iter_failed(&it))
		return hr_err_set(err, HR_EINVAL, "Nodes.items",
		                  "must be an array of Node objects");
	hr_buf_puts(out, "]},\"NodeNames\":null");
	return HR_OK;
}

/* A PreFilter rejection fails every candidate with the same reason. */
static void reject_all_reason(const struct hr_filter_ctx *ctx, struct hr_buf *b)
{
	hr_buf_puts(b, ctx->prefilter_message);
}

static enum hr_code reject_all(const struct hr_filter_ctx *ctx, const struct args *a,
                               struct hr_buf *out, struct failed_maps *f,
                               struct hr_filter_stats *stats, struct hr_err *err)
{
	struct hr_json_iter it;
	struct hr_json_span v, items, name_span;
	char name[256];
	size_t n;
	bool names = a->has_names;
	hr_buf_puts(out, names ? "{\"Nodes\":null,\"NodeNames\":[]"
	                       : "{\"Nodes\":{\"metadata\":{},\"items\":[]},\"NodeNames\":null");
	if (names)
		items = a->node_names;
	else if (!member(a->nodes, "items", &items) || hr_json_is_null(items))
		items = (struct hr_json_span){"[]", 2};
	hr_json_iter_init(&it, items, ARGS_MAX_DEPTH);
	while (hr_json_next_element(&it, &v)) {
		stats->nodes_in++;
		if (!names && !hr_json_get_path(v, "metadata.name", &name_span))
			return hr_err_set(err, HR_EINVAL, "Nodes.items",
			                  "item without metadata.name");
		if (!hr_json_string_decode(names ? v : name_span, name, sizeof(name), &n))
			return hr_err_set(err, HR_EINVAL, names ? "NodeNames" : "Nodes.items",
			                  "node names must be strings");
		if (f->uu.len)
			hr_buf_putc(&f->uu, ',');
		hr_buf_json_str(&f->uu, (struct hr_str){name, n});
		hr_buf_putc(&f->uu, ':');
		struct hr_buf reason;
		hr_buf_init(&reason, 1024);
		reject_all_reason(ctx, &reason);
		hr_buf_json_str(&f->uu, (struct hr_str){reason.p ? reason.p : "", reason.len});
		hr_buf_fini(&reason);
	}
	if (hr_json_iter_failed(&it))
		return hr_err_set(err, HR_EINVAL, names ? "NodeNames" : "Nodes.items",
		                  "must be an array");
	return HR_OK;
}

enum hr_code hr_extender_filter(const struct hr_snapshot *snap, const char *body, size_t len,
                                struct hr_arena *arena, struct hr_buf *out,
                                struct hr_filter_stats *stats, struct hr_err *err)
{
	struct args a;
	struct hr_pod *pod;
	struct hr_filter_ctx ctx;
	struct failed_maps f;
	enum hr_code rc;
	memset(stats, 0, sizeof(*stats));
	if ((rc = read_args(body, len, &a, err)) != HR_OK ||
	    (rc = parse_pod(snap, a.pod, arena, &pod, err)) != HR_OK ||
	    (rc = hr_filter_prepare(&ctx, snap, pod, false, arena, err)) != HR_OK)
		return rc;
	hr_buf_init(&f.u, out->max_len);
	hr_buf_init(&f.uu, out->max_len);
	hr_buf_init(&f.reason, 4096);
	if (ctx.prefilter_rejected)
		rc = reject_all(&ctx, &a, out, &f, stats, err);
	else if (a.has_names)
		rc = filter_names(&ctx, a.node_names, out, &f, stats, err);
	else
		rc = filter_objects(&ctx, a.nodes, arena, out, &f, stats, err);
	if (rc == HR_OK)
		finish_output(out, &f);
	hr_buf_fini(&f.u);
	hr_buf_fini(&f.uu);
	hr_buf_fini(&f.reason);
	if (rc == HR_OK && !hr_buf_ok(out))
		rc = hr_err_set(err, HR_ENOMEM, NULL, "the filter answer is larger than allowed");
	return rc;
}
