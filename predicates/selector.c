/* selector.c: label selector and node selector matching.
 * k8s.io/apimachinery/pkg/labels/selector.go (Requirement.Matches) and
 * k8s.io/component-helpers/scheduling/corev1/nodeaffinity. */
#include "selector.h"

#include <stdint.h>

static bool value_in(struct hr_str v, const struct hr_requirement *req)
{
	for (size_t i = 0; i < req->n_values; i++)
		if (hr_str_eq(v, req->values[i]))
			return true;
	return false;
}

bool hr_requirement_matches(const struct hr_requirement *req, struct hr_labels labels)
{
	const struct hr_str *v = hr_labels_get(labels, req->key);
	int64_t n;
	switch (req->op) {
	case HR_OP_IN:
	case HR_OP_EQUALS:
		return v && value_in(*v, req);
	case HR_OP_NOT_IN:
	case HR_OP_NOT_EQUALS:
		return !v || !value_in(*v, req);
	case HR_OP_EXISTS:
		return v != NULL;
	case HR_OP_DOES_NOT_EXIST:
		return v == NULL;
	case HR_OP_GT:
		return v && hr_parse_int64(*v, &n) && n > req->number;
	case HR_OP_LT:
		return v && hr_parse_int64(*v, &n) && n < req->number;
	}
	return false;
}

bool hr_label_selector_matches(const struct hr_label_selector *sel, struct hr_labels labels)
{
	if (!sel->present || sel->invalid)
		return false;
	for (size_t i = 0; i < sel->n_reqs; i++)
		if (!hr_requirement_matches(&sel->reqs[i], labels))
			return false;
	return true;
}

/* matchFields: only metadata.name is a node field; any other key reads as ""
 * (fields.Set lookup of a missing key), as the Go code does. */
static bool field_matches(const struct hr_requirement *req, struct hr_str node_name)
{
	struct hr_str v = hr_str_eq_c(req->key, "metadata.name") ? node_name : HR_STR_LIT("");
	bool eq = req->n_values == 1 && hr_str_eq(v, req->values[0]);
	return req->op == HR_OP_IN ? eq : !eq;
}

bool hr_node_term_matches(const struct hr_node_term *term, struct hr_labels labels,
                          struct hr_str node_name)
{
	if (term->malformed || (term->n_exprs == 0 && term->n_fields == 0))
		return false;
	for (size_t i = 0; i < term->n_exprs; i++)
		if (!hr_requirement_matches(&term->exprs[i], labels))
			return false;
	for (size_t i = 0; i < term->n_fields; i++)
		if (!field_matches(&term->fields[i], node_name))
			return false;
	return true;
}

bool hr_node_selector_matches(const struct hr_node_selector *sel, struct hr_labels labels,
                              struct hr_str node_name)
{
	if (!sel->present)
		return true;
	for (size_t i = 0; i < sel->n_terms; i++)
		if (hr_node_term_matches(&sel->terms[i], labels, node_name))
			return true;
	return false;
}

bool hr_node_selector_map_matches(struct hr_labels want, struct hr_labels labels)
{
	for (size_t i = 0; i < want.n; i++) {
		const struct hr_str *v = hr_labels_get(labels, want.v[i].key);
		if (!v || !hr_str_eq(*v, want.v[i].value))
			return false;
	}
	return true;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63 bytes. */
static bool is_name_part(struct hr_str s)
{
	if (s.n == 0 || s.n > 63 || !is_alnum(s.p[0]) || !is_alnum(s.p[s.n - 1]))
		return false;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];
		if (!is_alnum(c) && c != '-' && c != '_' && c != '.')
			return false;
	}
	return true;
}

bool hr_is_dns_label(struct hr_str s)
{
	if (s.n == 0 || s.n > 63 || !is_lower_alnum(s.p[0]) || !is_lower_alnum(s.p[s.n - 1]))
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (!is_lower_alnum(s.p[i]) && s.p[i] != '-')
			return false;
	return true;
}

/* IsDNS1123Subdomain: the pattern [a-z0-9]([-a-z0-9]*[a-z0-9])? per
 * dot-separated part and 253 bytes in all (no 63-byte limit per part). */
bool hr_is_dns_subdomain(struct hr_str s)
{
	if (s.n == 0 || s.n > 253)
		return false;
	size_t start = 0;
	for (size_t i = 0; i <= s.n; i++) {
		if (i < s.n && s.p[i] != '.')
			continue;
		size_t n = i - start;
		const char *p = s.p + start;
		if (n == 0 || !is_lower_alnum(p[0]) || !is_lower_alnum(p[n - 1]))
			return false;
		for (size_t k = 0; k < n; k++)
			if (!is_lower_alnum(p[k]) && p[k] != '-')
				return false;
		start = i + 1;
	}
	return true;
}

bool hr_is_qualified_name(struct hr_str s)
{
	const char *slash = s.n ? memchr(s.p, '/', s.n) : NULL;
	if (!slash)
		return is_name_part(s);
	struct hr_str prefix = {s.p, (size_t)(slash - s.p)};
	struct hr_str name = {slash + 1, s.n - prefix.n - 1};
	return hr_is_dns_subdomain(prefix) && is_name_part(name);
}

bool hr_is_label_value(struct hr_str s)
{
	return s.n == 0 || is_name_part(s);
}

bool hr_parse_int64(struct hr_str s, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	if (s.n && (s.p[0] == '+' || s.p[0] == '-')) {
		neg = s.p[0] == '-';
		i = 1;
	}
	if (i == s.n)
		return false;
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t v = 0;
	for (; i < s.n; i++) {
		char c = s.p[i];
		if (c < '0' || c > '9')
			return false;
		uint64_t d = (uint64_t)(c - '0');
		if (v > (limit - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}
