/* test_selector.c: label requirements, label selectors, node selector terms,
 * the nodeSelector map, the Kubernetes name validators and hr_parse_int64
 * (predicates/selector.h) against spec/predicates.md §2.4 and §4. Most cases
 * build the model by hand; the ones about how malformed JSON requirements are
 * compiled decode small documents through decode.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "selector.h"

#define N(a)   (sizeof(a) / sizeof((a)[0]))
#define S(lit) HR_STR_LIT(lit)
#define LBL(k, v)                                                                                  \
	{                                                                                          \
		S(k), S(v)                                                                         \
	}

/* ---- helpers ---- */

/* A label set from pairs that are already sorted by key. */
static struct hr_labels labels_of(const struct hr_label *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		assert_true(hr_str_cmp(v[i - 1].key, v[i].key) < 0);
	return (struct hr_labels){v, n};
}

#define LABELS(arr) labels_of((arr), N(arr))
#define NO_LABELS   ((struct hr_labels){NULL, 0})

static struct hr_requirement req_of(const char *key, enum hr_sel_op op, const struct hr_str *values,
                                    size_t n_values)
{
	struct hr_requirement r = {
	    .key = hr_str_c(key), .op = op, .values = values, .n_values = n_values};
	if ((op == HR_OP_GT || op == HR_OP_LT) && n_values == 1)
		assert_true(hr_parse_int64(values[0], &r.number));
	return r;
}

/* node labels used by most cases (sorted) */
static const struct hr_label node_labels[] = {
    LBL("disk", "ssd"),
    LBL("empty", ""),
    LBL("gen", "0206"),
    LBL("kubernetes.io/hostname", "node-a"),
    LBL("neg", "-3"),
    LBL("plus", "+5"),
    LBL("text", "abc"),
    LBL("topology.kubernetes.io/zone", "zone-1"),
    LBL("wide", "99999999999999999999"),
};

static bool req_matches(const char *key, enum hr_sel_op op, const struct hr_str *values,
                        size_t n_values)
{
	struct hr_requirement r = req_of(key, op, values, n_values);
	return hr_requirement_matches(&r, LABELS(node_labels));
}

/* Decodes a pod document and returns its required node affinity. The arena
 * must be released by the caller. */
static struct hr_node_selector decode_affinity(struct hr_arena *arena, const char *json)
{
	struct hr_err err;
	struct hr_decoder d;
	struct hr_pod pod;
	cJSON *doc = cJSON_Parse(json);
	assert_non_null(doc);
	hr_err_clear(&err);
	hr_decoder_init(&d, arena, NULL, &err);
	enum hr_code rc = hr_decode_pod(&d, doc, &pod);
	cJSON_Delete(doc);
	if (rc != HR_OK)
		fail_msg("decode failed: %s: %s", err.where, err.msg);
	return pod.node_affinity;
}

/* A pod JSON whose required node affinity has the given terms array text. */
static char *pod_with_terms(const char *terms)
{
	static const char head[] = "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],"
	                           "\"affinity\":{\"nodeAffinity\":{"
	                           "\"requiredDuringSchedulingIgnoredDuringExecution\":"
	                           "{\"nodeSelectorTerms\":";
	static const char tail[] = "}}}}}";
	size_t n = strlen(head) + strlen(terms) + strlen(tail) + 1;
	char *s = malloc(n);
	assert_non_null(s);
	snprintf(s, n, "%s%s%s", head, terms, tail);
	return s;
}

/* Does the required node affinity given as a terms array match node_labels
 * on a node called node-a? */
static bool terms_match(const char *terms, const char *node_name)
{
	struct hr_arena arena;
	hr_arena_init(&arena, NULL, 0);
	char *json = pod_with_terms(terms);
	struct hr_node_selector sel = decode_affinity(&arena, json);
	free(json);
	bool m = hr_node_selector_matches(&sel, LABELS(node_labels), hr_str_c(node_name));
	hr_arena_fini(&arena);
	return m;
}

/* Decodes a bare label selector (JSON text, "null" allowed) and matches it. */
static bool selector_json_matches(const char *json, struct hr_labels labels, bool *invalid)
{
	struct hr_arena arena;
	struct hr_err err;
	struct hr_decoder d;
	struct hr_label_selector sel;
	cJSON *doc = cJSON_Parse(json);
	assert_non_null(doc);
	hr_arena_init(&arena, NULL, 0);
	hr_err_clear(&err);
	hr_decoder_init(&d, &arena, NULL, &err);
	assert_int_equal(hr_decode_label_selector(&d, doc, &sel), HR_OK);
	cJSON_Delete(doc);
	bool m = hr_label_selector_matches(&sel, labels);
	if (invalid)
		*invalid = sel.invalid;
	hr_arena_fini(&arena);
	return m;
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* ---- requirements: In / NotIn / Exists / DoesNotExist ---- */

static void test_req_in_needs_key_and_value_in_set(void **state)
{
	static const struct hr_str ssd_hdd[] = {S("hdd"), S("ssd")};
	static const struct hr_str hdd[] = {S("hdd")};
	(void)state;
	assert_true(req_matches("disk", HR_OP_IN, ssd_hdd, 2));
	assert_false(req_matches("disk", HR_OP_IN, hdd, 1));
	assert_false(req_matches("missing", HR_OP_IN, ssd_hdd, 2));
}

static void test_req_in_matches_empty_value(void **state)
{
	static const struct hr_str empty[] = {S("")};
	(void)state;
	assert_true(req_matches("empty", HR_OP_IN, empty, 1));
	assert_false(req_matches("missing", HR_OP_IN, empty, 1));
}

static void test_req_notin_matches_absent_key_or_other_value(void **state)
{
	static const struct hr_str ssd[] = {S("ssd")};
	static const struct hr_str hdd[] = {S("hdd")};
	(void)state;
	assert_false(req_matches("disk", HR_OP_NOT_IN, ssd, 1));
	assert_true(req_matches("disk", HR_OP_NOT_IN, hdd, 1));
	assert_true(req_matches("missing", HR_OP_NOT_IN, ssd, 1));
}

static void test_req_exists_and_does_not_exist(void **state)
{
	(void)state;
	assert_true(req_matches("disk", HR_OP_EXISTS, NULL, 0));
	assert_true(req_matches("empty", HR_OP_EXISTS, NULL, 0));
	assert_false(req_matches("missing", HR_OP_EXISTS, NULL, 0));
	assert_false(req_matches("disk", HR_OP_DOES_NOT_EXIST, NULL, 0));
	assert_false(req_matches("empty", HR_OP_DOES_NOT_EXIST, NULL, 0));
	assert_true(req_matches("missing", HR_OP_DOES_NOT_EXIST, NULL, 0));
}

static void test_req_equals_is_exact_and_case_sensitive(void **state)
{
	static const struct hr_str ssd[] = {S("ssd")};
	static const struct hr_str upper[] = {S("SSD")};
	(void)state;
	assert_true(req_matches("disk", HR_OP_EQUALS, ssd, 1));
	assert_false(req_matches("disk", HR_OP_EQUALS, upper, 1));
	assert_false(req_matches("Disk", HR_OP_EQUALS, ssd, 1));
	assert_false(req_matches("missing", HR_OP_EQUALS, ssd, 1));
}

static void test_req_on_empty_label_set(void **state)
{
	static const struct hr_str v[] = {S("x")};
	struct hr_requirement in = req_of("k", HR_OP_IN, v, 1);
	struct hr_requirement notin = req_of("k", HR_OP_NOT_IN, v, 1);
	struct hr_requirement dne = req_of("k", HR_OP_DOES_NOT_EXIST, NULL, 0);
	(void)state;
	assert_false(hr_requirement_matches(&in, NO_LABELS));
	assert_true(hr_requirement_matches(&notin, NO_LABELS));
	assert_true(hr_requirement_matches(&dne, NO_LABELS));
}

/* ---- requirements: Gt / Lt ---- */

static void test_req_gt_compares_as_integers_with_leading_zeros(void **state)
{
	static const struct hr_str v204[] = {S("0204")};
	static const struct hr_str v206[] = {S("206")};
	static const struct hr_str v300[] = {S("300")};
	(void)state;
	/* spec §2.4: "0206" > "0204" */
	assert_true(req_matches("gen", HR_OP_GT, v204, 1));
	assert_false(req_matches("gen", HR_OP_GT, v206, 1)); /* strict */
	assert_false(req_matches("gen", HR_OP_GT, v300, 1));
}

static void test_req_lt_compares_as_integers(void **state)
{
	static const struct hr_str v300[] = {S("300")};
	static const struct hr_str v206[] = {S("0206")};
	static const struct hr_str v10[] = {S("10")};
	(void)state;
	assert_true(req_matches("gen", HR_OP_LT, v300, 1));
	assert_false(req_matches("gen", HR_OP_LT, v206, 1)); /* strict */
	assert_false(req_matches("gen", HR_OP_LT, v10, 1));  /* 206 > 10, not string order */
}

static void test_req_gt_lt_accept_signed_node_values(void **state)
{
	static const struct hr_str v4[] = {S("4")};
	static const struct hr_str vm2[] = {S("-2")};
	static const struct hr_str vm4[] = {S("-4")};
	(void)state;
	assert_true(req_matches("plus", HR_OP_GT, v4, 1)); /* "+5" = 5 */
	assert_true(req_matches("neg", HR_OP_LT, vm2, 1)); /* -3 < -2 */
	assert_true(req_matches("neg", HR_OP_GT, vm4, 1)); /* -3 > -4 */
	assert_false(req_matches("neg", HR_OP_GT, vm2, 1));
}

static void test_req_gt_lt_unparsable_node_value_never_matches(void **state)
{
	static const struct hr_str v0[] = {S("0")};
	static const struct hr_str vmax[] = {S("9223372036854775807")};
	static const struct hr_str vmin[] = {S("-9223372036854775808")};
	(void)state;
	assert_false(req_matches("text", HR_OP_GT, v0, 1));
	assert_false(req_matches("text", HR_OP_LT, v0, 1));
	assert_false(req_matches("empty", HR_OP_GT, vmin, 1));
	assert_false(req_matches("empty", HR_OP_LT, vmax, 1));
	/* overflows int64: unparsable, so neither Gt nor Lt */
	assert_false(req_matches("wide", HR_OP_GT, v0, 1));
	assert_false(req_matches("wide", HR_OP_LT, vmax, 1));
	assert_false(req_matches("disk", HR_OP_GT, vmin, 1));
}

static void test_req_gt_lt_absent_key_never_matches(void **state)
{
	static const struct hr_str v0[] = {S("0")};
	(void)state;
	assert_false(req_matches("missing", HR_OP_GT, v0, 1));
	assert_false(req_matches("missing", HR_OP_LT, v0, 1));
}

static void test_req_gt_lt_at_int64_limits(void **state)
{
	static const struct hr_label lbls[] = {LBL("max", "9223372036854775807"),
	                                       LBL("min", "-9223372036854775808")};
	static const struct hr_str vmax1[] = {S("9223372036854775806")};
	static const struct hr_str vmin1[] = {S("-9223372036854775807")};
	struct hr_requirement gt = req_of("max", HR_OP_GT, vmax1, 1);
	struct hr_requirement lt = req_of("min", HR_OP_LT, vmin1, 1);
	(void)state;
	assert_true(hr_requirement_matches(&gt, LABELS(lbls)));
	assert_true(hr_requirement_matches(&lt, LABELS(lbls)));
}

/* ---- label selectors ---- */

static void test_label_selector_nil_matches_nothing(void **state)
{
	struct hr_label_selector nil = {0};
	(void)state;
	assert_false(hr_label_selector_matches(&nil, NO_LABELS));
	assert_false(hr_label_selector_matches(&nil, LABELS(node_labels)));
}

static void test_label_selector_empty_matches_everything(void **state)
{
	struct hr_label_selector all = {.present = true};
	(void)state;
	assert_true(hr_label_selector_matches(&all, NO_LABELS));
	assert_true(hr_label_selector_matches(&all, LABELS(node_labels)));
}

static void test_label_selector_requirements_are_anded(void **state)
{
	static const struct hr_str ssd[] = {S("ssd")};
	static const struct hr_str zone1[] = {S("zone-1")};
	static const struct hr_str zone2[] = {S("zone-2")};
	struct hr_requirement both[] = {req_of("disk", HR_OP_EQUALS, ssd, 1),
	                                req_of("topology.kubernetes.io/zone", HR_OP_IN, zone1, 1)};
	struct hr_requirement one_fails[] = {
	    req_of("disk", HR_OP_EQUALS, ssd, 1),
	    req_of("topology.kubernetes.io/zone", HR_OP_IN, zone2, 1)};
	struct hr_label_selector a = {.present = true, .reqs = both, .n_reqs = 2};
	struct hr_label_selector b = {.present = true, .reqs = one_fails, .n_reqs = 2};
	(void)state;
	assert_true(hr_label_selector_matches(&a, LABELS(node_labels)));
	assert_false(hr_label_selector_matches(&b, LABELS(node_labels)));
}

static void test_label_selector_invalid_never_matches(void **state)
{
	struct hr_label_selector bad = {
	    .present = true, .invalid = true, .invalid_reason = "invalid label value"};
	(void)state;
	assert_false(hr_label_selector_matches(&bad, NO_LABELS));
	assert_false(hr_label_selector_matches(&bad, LABELS(node_labels)));
}

static void test_label_selector_decoded_null_is_nil(void **state)
{
	bool invalid = true;
	(void)state;
	assert_false(selector_json_matches("null", NO_LABELS, &invalid));
	assert_false(invalid);
}

static void test_label_selector_decoded_empty_object_matches_all(void **state)
{
	(void)state;
	assert_true(selector_json_matches("{}", NO_LABELS, NULL));
	assert_true(selector_json_matches("{}", LABELS(node_labels), NULL));
	assert_true(selector_json_matches("{\"matchLabels\":{},\"matchExpressions\":[]}",
	                                  LABELS(node_labels), NULL));
}

static void test_label_selector_decoded_match_labels_and_expressions(void **state)
{
	bool invalid = true;
	(void)state;
	assert_true(selector_json_matches(
	    "{\"matchLabels\":{\"disk\":\"ssd\"},\"matchExpressions\":["
	    "{\"key\":\"topology.kubernetes.io/zone\",\"operator\":\"In\",\"values\":[\"zone-1\"]},"
	    "{\"key\":\"gpu\",\"operator\":\"DoesNotExist\"},"
	    "{\"key\":\"text\",\"operator\":\"Exists\"},"
	    "{\"key\":\"disk\",\"operator\":\"NotIn\",\"values\":[\"hdd\"]}]}",
	    LABELS(node_labels), &invalid));
	assert_false(invalid);
	assert_false(selector_json_matches("{\"matchLabels\":{\"disk\":\"ssd\",\"gpu\":\"yes\"}}",
	                                   LABELS(node_labels), &invalid));
	assert_false(invalid);
}

static void test_label_selector_decoded_malformed_is_invalid(void **state)
{
	static const char *const bad[] = {
	    "{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"In\",\"values\":[]}]}",
	    "{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"NotIn\"}]}",
	    "{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"Exists\",\"values\":[\"ssd\"]}"
	    "]}",
	    "{\"matchExpressions\":[{\"key\":\"gpu\",\"operator\":\"DoesNotExist\","
	    "\"values\":[\"x\"]}]}",
	    "{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"Equals\",\"values\":[\"ssd\"]}"
	    "]}",
	    "{\"matchExpressions\":[{\"key\":\"gen\",\"operator\":\"Gt\",\"values\":[\"1\"]}]}",
	    "{\"matchExpressions\":[{\"key\":\"-disk\",\"operator\":\"Exists\"}]}",
	    "{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"In\",\"values\":[\"a b\"]}]}",
	    "{\"matchLabels\":{\"disk\":\"not valid!\"}}",
	    "{\"matchLabels\":{\"bad key\":\"ssd\"}}",
	};
	(void)state;
	for (size_t i = 0; i < N(bad); i++) {
		bool invalid = false;
		if (selector_json_matches(bad[i], LABELS(node_labels), &invalid))
			fail_msg("selector %zu matched: %s", i, bad[i]);
		if (!invalid)
			fail_msg("selector %zu not marked invalid: %s", i, bad[i]);
	}
}

/* ---- node selector terms (hand-built) ---- */

static void test_node_term_empty_matches_nothing(void **state)
{
	struct hr_node_term empty = {0};
	(void)state;
	assert_false(hr_node_term_matches(&empty, LABELS(node_labels), S("node-a")));
	assert_false(hr_node_term_matches(&empty, NO_LABELS, S("")));
}

static void test_node_term_ands_expressions_and_fields(void **state)
{
	static const struct hr_str ssd[] = {S("ssd")};
	static const struct hr_str name_a[] = {S("node-a")};
	struct hr_requirement exprs[] = {req_of("disk", HR_OP_IN, ssd, 1),
	                                 req_of("gpu", HR_OP_DOES_NOT_EXIST, NULL, 0)};
	struct hr_requirement fields[] = {req_of("metadata.name", HR_OP_IN, name_a, 1)};
	struct hr_node_term t = {.exprs = exprs, .n_exprs = 2, .fields = fields, .n_fields = 1};
	(void)state;
	assert_true(hr_node_term_matches(&t, LABELS(node_labels), S("node-a")));
	assert_false(hr_node_term_matches(&t, LABELS(node_labels), S("node-b")));
	assert_false(hr_node_term_matches(&t, NO_LABELS, S("node-a")));
}

static void test_node_term_fields_only(void **state)
{
	static const struct hr_str name_a[] = {S("node-a")};
	struct hr_requirement in[] = {req_of("metadata.name", HR_OP_IN, name_a, 1)};
	struct hr_requirement notin[] = {req_of("metadata.name", HR_OP_NOT_IN, name_a, 1)};
	struct hr_node_term tin = {.fields = in, .n_fields = 1};
	struct hr_node_term tnotin = {.fields = notin, .n_fields = 1};
	(void)state;
	assert_true(hr_node_term_matches(&tin, NO_LABELS, S("node-a")));
	assert_false(hr_node_term_matches(&tin, NO_LABELS, S("node-ab")));
	assert_false(hr_node_term_matches(&tnotin, NO_LABELS, S("node-a")));
	assert_true(hr_node_term_matches(&tnotin, NO_LABELS, S("node-b")));
}

static void test_node_term_malformed_never_matches(void **state)
{
	struct hr_requirement exprs[] = {req_of("disk", HR_OP_EXISTS, NULL, 0)};
	struct hr_node_term t = {.exprs = exprs,
	                         .n_exprs = 1,
	                         .malformed = true,
	                         .malformed_reason = "invalid label value"};
	(void)state;
	assert_false(hr_node_term_matches(&t, LABELS(node_labels), S("node-a")));
}

static void test_node_selector_absent_is_no_constraint(void **state)
{
	struct hr_node_selector none = {0};
	(void)state;
	assert_true(hr_node_selector_matches(&none, NO_LABELS, S("any")));
}

static void test_node_selector_empty_term_list_matches_nothing(void **state)
{
	struct hr_node_selector empty = {.present = true};
	(void)state;
	assert_false(hr_node_selector_matches(&empty, LABELS(node_labels), S("node-a")));
}

static void test_node_selector_terms_are_ored(void **state)
{
	static const struct hr_str hdd[] = {S("hdd")};
	static const struct hr_str zone1[] = {S("zone-1")};
	struct hr_requirement e1[] = {req_of("disk", HR_OP_IN, hdd, 1)};
	struct hr_requirement e2[] = {req_of("topology.kubernetes.io/zone", HR_OP_IN, zone1, 1)};
	struct hr_node_term terms[] = {{.exprs = e1, .n_exprs = 1}, {.exprs = e2, .n_exprs = 1}};
	struct hr_node_selector both = {.present = true, .terms = terms, .n_terms = 2};
	struct hr_node_selector first = {.present = true, .terms = terms, .n_terms = 1};
	(void)state;
	assert_true(hr_node_selector_matches(&both, LABELS(node_labels), S("node-a")));
	assert_false(hr_node_selector_matches(&first, LABELS(node_labels), S("node-a")));
}

static void test_node_selector_malformed_term_with_valid_sibling(void **state)
{
	struct hr_requirement e[] = {req_of("disk", HR_OP_EXISTS, NULL, 0)};
	struct hr_node_term terms[] = {{.exprs = e, .n_exprs = 1, .malformed = true},
	                               {.exprs = e, .n_exprs = 1}};
	struct hr_node_selector sel = {.present = true, .terms = terms, .n_terms = 2};
	struct hr_node_selector only_bad = {.present = true, .terms = terms, .n_terms = 1};
	(void)state;
	assert_true(hr_node_selector_matches(&sel, LABELS(node_labels), S("node-a")));
	assert_false(hr_node_selector_matches(&only_bad, LABELS(node_labels), S("node-a")));
}

/* ---- node selector terms (decoded from a pod) ---- */

static void test_node_affinity_decoded_gt_with_leading_zeros(void **state)
{
	(void)state;
	assert_true(terms_match("[{\"matchExpressions\":[{\"key\":\"gen\",\"operator\":\"Gt\","
	                        "\"values\":[\"0204\"]}]}]",
	                        "node-a"));
	assert_false(terms_match("[{\"matchExpressions\":[{\"key\":\"gen\",\"operator\":\"Gt\","
	                         "\"values\":[\"0206\"]}]}]",
	                         "node-a"));
	assert_true(terms_match("[{\"matchExpressions\":[{\"key\":\"gen\",\"operator\":\"Lt\","
	                        "\"values\":[\"+207\"]}]}]",
	                        "node-a"));
}

static void test_node_affinity_decoded_gt_malformed_values(void **state)
{
	(void)state;
	/* not exactly one value, or not an integer: the term never matches */
	assert_false(terms_match("[{\"matchExpressions\":[{\"key\":\"gen\",\"operator\":\"Gt\","
	                         "\"values\":[\"1\",\"2\"]}]}]",
	                         "node-a"));
	assert_false(terms_match("[{\"matchExpressions\":[{\"key\":\"gen\",\"operator\":\"Gt\"}]}]",
	                         "node-a"));
	assert_false(terms_match("[{\"matchExpressions\":[{\"key\":\"gen\",\"operator\":\"Lt\","
	                         "\"values\":[\"1e3\"]}]}]",
	                         "node-a"));
	assert_false(terms_match("[{\"matchExpressions\":[{\"key\":\"gen\",\"operator\":\"Lt\","
	                         "\"values\":[\"99999999999999999999\"]}]}]",
	                         "node-a"));
}

static void test_node_affinity_decoded_malformed_term_never_matches(void **state)
{
	static const char *const bad[] = {
	    "{\"key\":\"disk\",\"operator\":\"In\",\"values\":[]}",
	    "{\"key\":\"disk\",\"operator\":\"NotIn\"}",
	    "{\"key\":\"disk\",\"operator\":\"Exists\",\"values\":[\"ssd\"]}",
	    "{\"key\":\"gpu\",\"operator\":\"DoesNotExist\",\"values\":[\"x\"]}",
	    "{\"key\":\"disk\",\"operator\":\"Like\",\"values\":[\"ssd\"]}",
	    "{\"key\":\"disk\",\"operator\":\"In\",\"values\":[\"bad value\"]}",
	    "{\"key\":\"bad key\",\"operator\":\"Exists\"}",
	};
	(void)state;
	for (size_t i = 0; i < N(bad); i++) {
		char terms[512];
		/* each malformed requirement next to one that holds */
		snprintf(terms, sizeof(terms),
		         "[{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"Exists\"},%s]}]",
		         bad[i]);
		if (terms_match(terms, "node-a"))
			fail_msg("malformed term %zu matched: %s", i, bad[i]);
	}
}

static void test_node_affinity_decoded_malformed_term_valid_sibling_matches(void **state)
{
	(void)state;
	assert_true(terms_match("[{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"In\","
	                        "\"values\":[]}]},"
	                        "{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"In\","
	                        "\"values\":[\"ssd\"]}]}]",
	                        "node-a"));
	assert_true(
	    terms_match("[{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"In\","
	                "\"values\":[\"ssd\"]}]},"
	                "{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"Bogus\"}]}]",
	                "node-a"));
}

static void test_node_affinity_decoded_empty_term_matches_nothing(void **state)
{
	(void)state;
	assert_false(terms_match("[{}]", "node-a"));
	assert_false(terms_match("[{\"matchExpressions\":[],\"matchFields\":[]}]", "node-a"));
	assert_false(terms_match("[]", "node-a"));
	/* an empty term next to a matching one does not hurt it */
	assert_true(terms_match("[{},{\"matchExpressions\":[{\"key\":\"disk\","
	                        "\"operator\":\"Exists\"}]}]",
	                        "node-a"));
}

static void test_node_affinity_decoded_terms_ored_requirements_anded(void **state)
{
	(void)state;
	assert_false(terms_match("[{\"matchExpressions\":["
	                         "{\"key\":\"disk\",\"operator\":\"In\",\"values\":[\"ssd\"]},"
	                         "{\"key\":\"gpu\",\"operator\":\"Exists\"}]}]",
	                         "node-a"));
	assert_true(terms_match("[{\"matchExpressions\":["
	                        "{\"key\":\"disk\",\"operator\":\"In\",\"values\":[\"ssd\"]},"
	                        "{\"key\":\"gpu\",\"operator\":\"Exists\"}]},"
	                        "{\"matchExpressions\":["
	                        "{\"key\":\"topology.kubernetes.io/zone\",\"operator\":\"NotIn\","
	                        "\"values\":[\"zone-2\"]}]}]",
	                        "node-a"));
}

static void test_node_affinity_decoded_match_fields_name(void **state)
{
	static const char in_a[] = "[{\"matchFields\":[{\"key\":\"metadata.name\","
	                           "\"operator\":\"In\",\"values\":[\"node-a\"]}]}]";
	static const char notin_a[] = "[{\"matchFields\":[{\"key\":\"metadata.name\","
	                              "\"operator\":\"NotIn\",\"values\":[\"node-a\"]}]}]";
	(void)state;
	assert_true(terms_match(in_a, "node-a"));
	assert_false(terms_match(in_a, "node-b"));
	assert_false(terms_match(notin_a, "node-a"));
	assert_true(terms_match(notin_a, "node-b"));
}

static void test_node_affinity_decoded_match_fields_and_expressions(void **state)
{
	static const char t[] = "[{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"In\","
	                        "\"values\":[\"hdd\"]}],"
	                        "\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\","
	                        "\"values\":[\"node-a\"]}]}]";
	(void)state;
	assert_false(terms_match(t, "node-a")); /* fields hold, expression does not */
}

/* §2.4: matchFields is equality with the node name; values are node names
 * (DNS subdomains up to 253 bytes, as the DaemonSet controller writes them),
 * not label values, so a name longer than 63 bytes still matches. */
static void test_node_affinity_decoded_match_fields_long_node_name(void **state)
{
	char *name = repeat('n', 100);
	char terms[512];
	(void)state;
	memcpy(name + 40, ".example.internal", 17);
	snprintf(terms, sizeof(terms),
	         "[{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\","
	         "\"values\":[\"%s\"]}]}]",
	         name);
	bool same = terms_match(terms, name);
	bool other = terms_match(terms, "node-a");
	free(name);
	assert_true(same);
	assert_false(other);
}

static void test_node_affinity_decoded_match_fields_malformed(void **state)
{
	static const char *const bad[] = {
	    /* In/NotIn need exactly one value */
	    "[{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\","
	    "\"values\":[\"node-a\",\"node-b\"]}]}]",
	    "[{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\",\"values\":[]}]}]",
	    /* only In/NotIn */
	    "[{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"Exists\"}]}]",
	    "[{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"Gt\","
	    "\"values\":[\"1\"]}]}]",
	};
	(void)state;
	for (size_t i = 0; i < N(bad); i++)
		if (terms_match(bad[i], "node-a"))
			fail_msg("malformed matchFields %zu matched: %s", i, bad[i]);
}

static void test_node_affinity_decoded_absent_is_no_constraint(void **state)
{
	struct hr_arena arena;
	(void)state;
	hr_arena_init(&arena, NULL, 0);
	struct hr_node_selector sel =
	    decode_affinity(&arena, "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[]}}");
	assert_false(sel.present);
	assert_true(hr_node_selector_matches(&sel, NO_LABELS, S("x")));
	hr_arena_fini(&arena);
}

/* ---- nodeSelector map ---- */

static void test_node_selector_map_empty_is_no_constraint(void **state)
{
	(void)state;
	assert_true(hr_node_selector_map_matches(NO_LABELS, NO_LABELS));
	assert_true(hr_node_selector_map_matches(NO_LABELS, LABELS(node_labels)));
}

static void test_node_selector_map_needs_every_key_with_exact_value(void **state)
{
	static const struct hr_label ok[] = {LBL("disk", "ssd"),
	                                     LBL("topology.kubernetes.io/zone", "zone-1")};
	static const struct hr_label wrong_value[] = {LBL("disk", "ssd"),
	                                              LBL("topology.kubernetes.io/zone", "zone-2")};
	static const struct hr_label missing_key[] = {LBL("disk", "ssd"), LBL("gpu", "true")};
	static const struct hr_label case_diff[] = {LBL("disk", "SSD")};
	(void)state;
	assert_true(hr_node_selector_map_matches(LABELS(ok), LABELS(node_labels)));
	assert_false(hr_node_selector_map_matches(LABELS(wrong_value), LABELS(node_labels)));
	assert_false(hr_node_selector_map_matches(LABELS(missing_key), LABELS(node_labels)));
	assert_false(hr_node_selector_map_matches(LABELS(case_diff), LABELS(node_labels)));
	assert_false(hr_node_selector_map_matches(LABELS(ok), NO_LABELS));
}

static void test_node_selector_map_empty_value(void **state)
{
	static const struct hr_label want_empty[] = {LBL("empty", "")};
	static const struct hr_label want_absent[] = {LBL("absent", "")};
	(void)state;
	assert_true(hr_node_selector_map_matches(LABELS(want_empty), LABELS(node_labels)));
	assert_false(hr_node_selector_map_matches(LABELS(want_absent), LABELS(node_labels)));
}

/* ---- validators ---- */

static void test_is_qualified_name_accepts(void **state)
{
	static const char *const ok[] = {"app",
	                                 "a",
	                                 "A",
	                                 "9",
	                                 "A_b.c-d",
	                                 "kubernetes.io/hostname",
	                                 "topology.kubernetes.io/zone",
	                                 "example.com/My_Key.v1",
	                                 "a/b",
	                                 "node-role.kubernetes.io/control-plane"};
	(void)state;
	for (size_t i = 0; i < N(ok); i++)
		if (!hr_is_qualified_name(hr_str_c(ok[i])))
			fail_msg("'%s' rejected", ok[i]);
}

static void test_is_qualified_name_rejects(void **state)
{
	static const char *const bad[] = {"",
	                                  "-a",
	                                  "a-",
	                                  "_a",
	                                  "a_",
	                                  ".a",
	                                  "a b",
	                                  "a/b/c",
	                                  "/app",
	                                  "example.com/",
	                                  "Example.com/app",
	                                  "ex_ample.com/app",
	                                  "a..b/app",
	                                  "app$",
	                                  "example.com/-x"};
	(void)state;
	for (size_t i = 0; i < N(bad); i++)
		if (hr_is_qualified_name(hr_str_c(bad[i])))
			fail_msg("'%s' accepted", bad[i]);
}

static void test_is_qualified_name_length_limits(void **state)
{
	char *n63 = repeat('a', 63), *n64 = repeat('a', 64);
	char *p253 = repeat('a', 253), *p254 = repeat('a', 254);
	char buf[400];
	(void)state;
	assert_true(hr_is_qualified_name(hr_str_c(n63)));
	assert_false(hr_is_qualified_name(hr_str_c(n64)));
	/* prefix: a DNS subdomain of at most 253 bytes (dot-separated labels) */
	for (size_t i = 63; i < 253; i += 64)
		p253[i] = '.';
	for (size_t i = 63; i < 254; i += 64)
		p254[i] = '.';
	snprintf(buf, sizeof(buf), "%s/x", p253);
	assert_true(hr_is_qualified_name(hr_str_c(buf)));
	snprintf(buf, sizeof(buf), "%s/x", p254);
	assert_false(hr_is_qualified_name(hr_str_c(buf)));
	snprintf(buf, sizeof(buf), "example.com/%s", n63);
	assert_true(hr_is_qualified_name(hr_str_c(buf)));
	snprintf(buf, sizeof(buf), "example.com/%s", n64);
	assert_false(hr_is_qualified_name(hr_str_c(buf)));
	free(n63);
	free(n64);
	free(p253);
	free(p254);
}

static void test_is_label_value(void **state)
{
	static const char *const ok[] = {"", "v1", "a", "Z", "a.b-c_d", "0206", "node-a"};
	static const char *const bad[] = {"-a", "a-", ".a", "a.", "_a", "a b", "a/b", "a:b", "é"};
	char *v63 = repeat('x', 63), *v64 = repeat('x', 64);
	(void)state;
	for (size_t i = 0; i < N(ok); i++)
		if (!hr_is_label_value(hr_str_c(ok[i])))
			fail_msg("'%s' rejected", ok[i]);
	for (size_t i = 0; i < N(bad); i++)
		if (hr_is_label_value(hr_str_c(bad[i])))
			fail_msg("'%s' accepted", bad[i]);
	assert_true(hr_is_label_value(hr_str_c(v63)));
	assert_false(hr_is_label_value(hr_str_c(v64)));
	free(v63);
	free(v64);
}

static void test_is_dns_label(void **state)
{
	static const char *const ok[] = {"default", "kube-system", "a", "0abc", "a-b-c", "123"};
	static const char *const bad[] = {"", "Default", "a.b", "-a", "a-", "a_b", "a b", "ns!"};
	char *l63 = repeat('n', 63), *l64 = repeat('n', 64);
	(void)state;
	for (size_t i = 0; i < N(ok); i++)
		if (!hr_is_dns_label(hr_str_c(ok[i])))
			fail_msg("'%s' rejected", ok[i]);
	for (size_t i = 0; i < N(bad); i++)
		if (hr_is_dns_label(hr_str_c(bad[i])))
			fail_msg("'%s' accepted", bad[i]);
	assert_true(hr_is_dns_label(hr_str_c(l63)));
	assert_false(hr_is_dns_label(hr_str_c(l64)));
	free(l63);
	free(l64);
}

static void test_is_dns_subdomain(void **state)
{
	static const char *const ok[] = {"example.com", "a",     "a.b.c",
	                                 "a-b.c-d",     "0.1.2", "kubernetes.io"};
	static const char *const bad[] = {"",        "a..b",   ".a",     "a.",  "A.com",
	                                  "a_b.com", "-a.com", "a-.com", "a b", "a/b"};
	char *s253 = repeat('s', 253), *s254 = repeat('s', 254);
	(void)state;
	for (size_t i = 0; i < N(ok); i++)
		if (!hr_is_dns_subdomain(hr_str_c(ok[i])))
			fail_msg("'%s' rejected", ok[i]);
	for (size_t i = 0; i < N(bad); i++)
		if (hr_is_dns_subdomain(hr_str_c(bad[i])))
			fail_msg("'%s' accepted", bad[i]);
	for (size_t i = 63; i < 253; i += 64)
		s253[i] = '.';
	for (size_t i = 63; i < 254; i += 64)
		s254[i] = '.';
	assert_true(hr_is_dns_subdomain(hr_str_c(s253)));
	assert_false(hr_is_dns_subdomain(hr_str_c(s254)));
	free(s253);
	free(s254);
}

/* Kubernetes' IsDNS1123Subdomain (apimachinery util/validation) checks the
 * whole name against [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*
 * and the 253-byte cap only: a dot-separated part may be longer than 63. So a
 * label key whose prefix has a 64-byte part is a valid qualified name. */
static void test_is_dns_subdomain_has_no_per_part_limit(void **state)
{
	char *part64 = repeat('p', 64);
	char buf[128];
	(void)state;
	snprintf(buf, sizeof(buf), "%s.example.com", part64);
	bool subdomain = hr_is_dns_subdomain(hr_str_c(buf));
	snprintf(buf, sizeof(buf), "%s.example.com/key", part64);
	bool key = hr_is_qualified_name(hr_str_c(buf));
	free(part64);
	assert_true(subdomain);
	assert_true(key);
}

/* ---- hr_parse_int64 (strconv.ParseInt(s, 10, 64)) ---- */

static void expect_int64(const char *text, int64_t want)
{
	int64_t v = 12345;
	if (!hr_parse_int64(hr_str_c(text), &v))
		fail_msg("'%s' rejected", text);
	if (v != want)
		fail_msg("'%s' parsed as %lld, want %lld", text, (long long)v, (long long)want);
}

static void test_parse_int64_accepts(void **state)
{
	(void)state;
	expect_int64("0", 0);
	expect_int64("-0", 0);
	expect_int64("+0", 0);
	expect_int64("7", 7);
	expect_int64("+7", 7);
	expect_int64("-7", -7);
	expect_int64("007", 7);
	expect_int64("0206", 206);
	expect_int64("-0206", -206);
	expect_int64("0000000000000000000000000000001", 1);
}

static void test_parse_int64_limits(void **state)
{
	(void)state;
	expect_int64("9223372036854775807", INT64_MAX);
	expect_int64("+9223372036854775807", INT64_MAX);
	expect_int64("-9223372036854775808", INT64_MIN);
	expect_int64("-9223372036854775807", INT64_MIN + 1);
	expect_int64("0009223372036854775807", INT64_MAX);
}

static void test_parse_int64_rejects_overflow(void **state)
{
	static const char *const bad[] = {"9223372036854775808", "-9223372036854775809",
	                                  "18446744073709551616", "99999999999999999999",
	                                  "+9223372036854775808"};
	int64_t v;
	(void)state;
	for (size_t i = 0; i < N(bad); i++)
		if (hr_parse_int64(hr_str_c(bad[i]), &v))
			fail_msg("'%s' accepted as %lld", bad[i], (long long)v);
}

static void test_parse_int64_rejects_syntax(void **state)
{
	static const char *const bad[] = {"",      "+",   "-",   " 1",  "1 ",  "1a", "0x10",
	                                  "1_000", "1.0", "1e3", "--1", "+-1", "٣",  "abc"};
	int64_t v;
	(void)state;
	for (size_t i = 0; i < N(bad); i++)
		if (hr_parse_int64(hr_str_c(bad[i]), &v))
			fail_msg("'%s' accepted as %lld", bad[i], (long long)v);
}

static void test_parse_int64_reads_only_the_view(void **state)
{
	const char buf[] = {'4', '2', 'x'};
	int64_t v = 0;
	(void)state;
	assert_true(hr_parse_int64((struct hr_str){buf, 2}, &v));
	assert_int_equal(v, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_req_in_needs_key_and_value_in_set),
	    cmocka_unit_test(test_req_in_matches_empty_value),
	    cmocka_unit_test(test_req_notin_matches_absent_key_or_other_value),
	    cmocka_unit_test(test_req_exists_and_does_not_exist),
	    cmocka_unit_test(test_req_equals_is_exact_and_case_sensitive),
	    cmocka_unit_test(test_req_on_empty_label_set),
	    cmocka_unit_test(test_req_gt_compares_as_integers_with_leading_zeros),
	    cmocka_unit_test(test_req_lt_compares_as_integers),
	    cmocka_unit_test(test_req_gt_lt_accept_signed_node_values),
	    cmocka_unit_test(test_req_gt_lt_unparsable_node_value_never_matches),
	    cmocka_unit_test(test_req_gt_lt_absent_key_never_matches),
	    cmocka_unit_test(test_req_gt_lt_at_int64_limits),
	    cmocka_unit_test(test_label_selector_nil_matches_nothing),
	    cmocka_unit_test(test_label_selector_empty_matches_everything),
	    cmocka_unit_test(test_label_selector_requirements_are_anded),
	    cmocka_unit_test(test_label_selector_invalid_never_matches),
	    cmocka_unit_test(test_label_selector_decoded_null_is_nil),
	    cmocka_unit_test(test_label_selector_decoded_empty_object_matches_all),
	    cmocka_unit_test(test_label_selector_decoded_match_labels_and_expressions),
	    cmocka_unit_test(test_label_selector_decoded_malformed_is_invalid),
	    cmocka_unit_test(test_node_term_empty_matches_nothing),
	    cmocka_unit_test(test_node_term_ands_expressions_and_fields),
	    cmocka_unit_test(test_node_term_fields_only),
	    cmocka_unit_test(test_node_term_malformed_never_matches),
	    cmocka_unit_test(test_node_selector_absent_is_no_constraint),
	    cmocka_unit_test(test_node_selector_empty_term_list_matches_nothing),
	    cmocka_unit_test(test_node_selector_terms_are_ored),
	    cmocka_unit_test(test_node_selector_malformed_term_with_valid_sibling),
	    cmocka_unit_test(test_node_affinity_decoded_gt_with_leading_zeros),
	    cmocka_unit_test(test_node_affinity_decoded_gt_malformed_values),
	    cmocka_unit_test(test_node_affinity_decoded_malformed_term_never_matches),
	    cmocka_unit_test(test_node_affinity_decoded_malformed_term_valid_sibling_matches),
	    cmocka_unit_test(test_node_affinity_decoded_empty_term_matches_nothing),
	    cmocka_unit_test(test_node_affinity_decoded_terms_ored_requirements_anded),
	    cmocka_unit_test(test_node_affinity_decoded_match_fields_name),
	    cmocka_unit_test(test_node_affinity_decoded_match_fields_and_expressions),
	    cmocka_unit_test(test_node_affinity_decoded_match_fields_long_node_name),
	    cmocka_unit_test(test_node_affinity_decoded_match_fields_malformed),
	    cmocka_unit_test(test_node_affinity_decoded_absent_is_no_constraint),
	    cmocka_unit_test(test_node_selector_map_empty_is_no_constraint),
	    cmocka_unit_test(test_node_selector_map_needs_every_key_with_exact_value),
	    cmocka_unit_test(test_node_selector_map_empty_value),
	    cmocka_unit_test(test_is_qualified_name_accepts),
	    cmocka_unit_test(test_is_qualified_name_rejects),
	    cmocka_unit_test(test_is_qualified_name_length_limits),
	    cmocka_unit_test(test_is_label_value),
	    cmocka_unit_test(test_is_dns_label),
	    cmocka_unit_test(test_is_dns_subdomain),
	    cmocka_unit_test(test_is_dns_subdomain_has_no_per_part_limit),
	    cmocka_unit_test(test_parse_int64_accepts),
	    cmocka_unit_test(test_parse_int64_limits),
	    cmocka_unit_test(test_parse_int64_rejects_overflow),
	    cmocka_unit_test(test_parse_int64_rejects_syntax),
	    cmocka_unit_test(test_parse_int64_reads_only_the_view),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
