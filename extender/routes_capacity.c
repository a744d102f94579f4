/* routes_capacity.c: POST /capacity (body: Pod, workload or envelope; JSON
 * or YAML), GET /capacity?pod=..., and the original interface's
 * GET /statistics/user/add_pod?config=.... Query parameters: replicas=K,
 * max=M, output=json|table|yaml, perNode=false, validate=strict|warn|ignore,
 * namespace=NS (kubectl -n) or defaultNamespace=NS; on /capacity any other name is refused (a
 * misspelled replicas= would otherwise be ignored without a word). */
#include "http.h"

#include <civetweb.h>

#include <stdlib.h>
#include <string.h>

#include "capacity_api.h"
#include "log.h"
#include "selector.h"

/* The longest value a parameter other than pod= may have, as sent (encoded):
 * the decoded one then fits the buffers below. */
#define MAX_PARAM_VALUE 63

/* True when the encoded value holds %00, which would cut it short when decoded. */
static bool has_nul_escape(const char *v, size_t n)
{
	for (size_t i = 0; i + 2 < n; i++)
		if (v[i] == '%' && v[i + 1] == '0' && v[i + 2] == '0')
			return true;
	return false;
}

/* False, with a 400 naming it, when the query of /capacity has a parameter
 * it does not know, one twice, one without '=' or a value too long for it:
 * each would otherwise be read as absent and the answer be to another
 * question. The old route keeps the original interface's leniency. */
static bool query_is_well_formed(struct xt_request *req)
{
	enum {
		REPLICAS,
		MAX,
		OUTPUT,
		PER_NODE,
		VALIDATE,
		NAMESPACE,
		DEFAULT_NAMESPACE,
		POD,
		N_KNOWN
	};
	static const char *const known[N_KNOWN] = {"replicas",         "max",      "output",
	                                           "perNode",          "validate", "namespace",
	                                           "defaultNamespace", "pod"};
	bool seen[N_KNOWN] = {false};
	bool get = strcmp(req->ri->request_method, "GET") == 0; /* the pod comes in pod= */
	const char *q = req->ri->query_string;
	if (strcmp(req->route, "/capacity") != 0 || !q)
		return true;
	for (; *q; q += *q == '&') {
		size_t pair = strcspn(q, "&"), len = strcspn(q, "=&");
		const char *what = NULL;
		size_t k = 0;
		while (k < N_KNOWN && !(strlen(known[k]) == len && memcmp(known[k], q, len) == 0))
			k++;
		if (k == POD && !get)
			k = N_KNOWN;
		if (pair == 0)
			continue; /* "a=1&&b=2" */
		if (k == N_KNOWN)
			what = len ? "unknown query parameter" : "a query value without a name";
		else if (seen[k])
			what = "query parameter given twice";
		else if (len == pair)
			what = "query parameter without a value (name=value)";
		else if (k != POD && pair - len - 1 > MAX_PARAM_VALUE)
			what = "query parameter value too long";
		else if (k != POD && has_nul_escape(q + len + 1, pair - len - 1))
			what = "query parameter value with a NUL byte (%00)";
		if (what) {
			char takes[160] = "";
			for (size_t i = 0; i < N_KNOWN; i++)
				if (i != POD || get)
					snprintf(takes + strlen(takes),
					         sizeof(takes) - strlen(takes), "%s%s",
					         i ? ", " : "", known[i]);
			xt_http_error(req, 400, "%s \"%.*s%s\" (it takes %s)", what,
			              (int)(len < 64 ? len : 64), q, len > 64 ? "..." : "", takes);
			return false;
		}
		seen[k] = true;
		q += pair;
	}
	if (seen[NAMESPACE] && seen[DEFAULT_NAMESPACE]) {
		xt_http_error(req, 400,
		              "query parameters namespace and defaultNamespace: give one");
		return false;
	}
	return true;
}

/* A namespace parameter into ns (a DNS label); false with a 400 when it is
 * not one. */
static bool query_namespace(struct xt_request *req, const char *name, char *ns, size_t size,
                            bool *found)
{
	size_t len;
	char *v = xt_http_query_alloc(req, name, &len);
	*found = v != NULL;
	if (!v)
		return true;
	bool ok = len < size && hr_is_dns_label((struct hr_str){v, len});
	if (ok)
		memcpy(ns, v, len + 1);
	else
		xt_http_error(req, 400,
		              "query parameter %s: \"%.63s%s\" is not a namespace name (a DNS "
		              "label: lowercase letters, digits and '-', at most 63)",
		              name, v, len > 63 ? "..." : "");
	free(v);
	return ok;
}

static bool query_int(struct xt_request *req, const char *name, int64_t min, int64_t max,
                      bool *found, int64_t *out)
{
	char v[MAX_PARAM_VALUE + 1];
	*found = false;
	if (!xt_http_query(req, name, v, sizeof(v)))
		return true;
	char *end;
	long long n = strtoll(v, &end, 10);
	if (end == v || *end || n < min || n > max) {
		xt_http_error(req, 400,
		              "query parameter %s: \"%s\" is not an integer in [%lld, %lld]", name,
		              v, (long long)min, (long long)max);
		return false;
	}
	*found = true;
	*out = n;
	return true;
}

static bool read_params(struct xt_request *req, struct xt_capacity_params *p, char *ns,
                        size_t ns_size)
{
	char v[MAX_PARAM_VALUE + 1];
	bool found;
	int64_t max = 0;
	if (!query_is_well_formed(req) || !query_namespace(req, "namespace", ns, ns_size, &found))
		return false;
	p->namespace = found ? ns : NULL;
	if (!found) { /* kubectl's context namespace: fills in, never conflicts */
		if (!query_namespace(req, "defaultNamespace", ns, ns_size, &found))
			return false;
		p->namespace = found ? ns : NULL;
		p->namespace_is_default = found;
	}
	p->max_copies = req->server->cfg->max_copies;
	p->max_ms = req->server->cfg->max_capacity_ms;
	p->per_node = true;
	p->output = XT_OUTPUT_JSON;
	p->validate = XT_VALIDATE_STRICT;
	if (!query_int(req, "replicas", 0, 100000000, &p->has_replicas, &p->replicas) ||
	    !query_int(req, "max", 1, 100000000, &found, &max))
		return false;
	if (found && max < p->max_copies)
		p->max_copies = max;
	if (xt_http_query(req, "output", v, sizeof(v))) {
		if (!strcmp(v, "json"))
			p->output = XT_OUTPUT_JSON;
		else if (!strcmp(v, "table") || !strcmp(v, "wide"))
			p->output = XT_OUTPUT_TABLE;
		else if (!strcmp(v, "yaml"))
			p->output = XT_OUTPUT_YAML;
		else {
			xt_http_error(req, 400,
			              "query parameter output: want json, table (or wide) or yaml");
			return false;
		}
	}
	if (xt_http_query(req, "validate", v, sizeof(v)) && !xt_validate_parse(v, &p->validate)) {
		xt_http_error(req, 400, "query parameter validate: want strict, warn or ignore");
		return false;
	}
	if (xt_http_query(req, "perNode", v, sizeof(v))) {
		bool yes = !strcmp(v, "true") || !strcmp(v, "1");
		if (!yes && strcmp(v, "false") != 0 && strcmp(v, "0") != 0) {
			xt_http_error(req, 400, "query parameter perNode: want true or false");
			return false;
		}
		p->per_node = yes;
	}
	return true;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The offset of the first '%' in the query not followed by two hex digits,
 * or -1: civetweb's decoder would copy such a '%' as it is, and the pod
 * would then fail to parse with a message about something else. */
static long bad_percent_at(const char *query)
{
	for (const char *p = query; *p; p++)
		if (*p == '%' && !(is_hex(p[1]) && is_hex(p[2])))
			return p - query;
	return -1;
}

/* GET carries the pod in a query parameter (pod=, or config= on the old route). */
static bool body_from_query(struct xt_request *req)
{
	const char *name = strcmp(req->route, "/capacity") == 0 ? "pod" : "config";
	const char *query = req->ri->query_string;
	long bad = query ? bad_percent_at(query) : -1;
	if (bad >= 0) {
		xt_http_error(req, 400,
		              "query string: bad percent-encoding at byte %ld (a %% must be "
		              "followed by two hex digits)",
		              bad);
		return false;
	}
	size_t len;
	char *v = xt_http_query_alloc(req, name, &len);
	if (!v) {
		xt_http_error(req, 400,
		              "query parameter %s is required: the Pod or workload, "
		              "URL-encoded JSON or YAML",
		              name);
		return false;
	}
	if (len == 0) {
		free(v);
		xt_http_error(req, 400,
		              "query parameter %s is empty: give the Pod or workload, "
		              "URL-encoded JSON or YAML",
		              name);
		return false;
	}
	req->body = v;
	req->body_len = len;
	return true;
}

static const char *content_type(enum xt_output o)
{
	switch (o) {
	case XT_OUTPUT_TABLE:
		return "text/plain; charset=utf-8";
	case XT_OUTPUT_YAML:
		return "application/yaml";
	default:
		return "application/json";
	}
}

void xt_route_capacity(struct xt_request *req)
{
	struct xt_capacity_params params = {0};
	char ns[64];
	if (!read_params(req, &params, ns, sizeof(ns)))
		return;
	bool post = strcmp(req->ri->request_method, "POST") == 0;
	if (!(post ? xt_http_read_body(req) : body_from_query(req)))
		return;
	struct xt_snap *snap = xt_cache_acquire(req->server->cache);
	if (!snap) {
		xt_http_error(req, 503, "no cluster snapshot loaded yet");
		return;
	}
	struct hr_buf out;
	struct hr_err err;
	struct xt_capacity_outcome outcome = {0};
	hr_buf_init(&out, 256u << 20);
	hr_err_clear(&err);
	enum hr_code rc =
	    xt_capacity_answer(snap, req->body, req->body_len, &params, &out, &outcome, &err);
	if (rc == HR_OK) {
		xt_http_reply(req, 200, content_type(params.output), out.p, out.len);
		atomic_fetch_add(&req->server->metrics->capacity_answers, 1);
		if (outcome.coupled)
			atomic_fetch_add(&req->server->metrics->capacity_coupled, 1);
		xt_vlog(3, "capacity id=%lu count=%lld coupled=%d limited=%d", req->id,
		        (long long)outcome.count, outcome.coupled, outcome.limited);
	} else {
		xt_http_error_from(req, &err);
	}
	hr_buf_fini(&out);
	xt_snap_release(snap);
}
