/* test_source_file.c: extender/source_file.h, cluster snapshots streamed from files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "source_file.h"
#include "support.h"

/* ---- helpers ---- */

/* A temporary folder per test program, removed at the end. */
static char tmpdir[64];

static int group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hr_test_source_file.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

/* Files the tests wrote, removed by the teardown. */
static char created[32][256];
static size_t n_created;

static int group_teardown(void **state)
{
	(void)state;
	int rc = 0;
	for (size_t i = 0; i < n_created; i++)
		if (unlink(created[i]) != 0)
			rc = -1;
	return rmdir(tmpdir) == 0 ? rc : -1;
}

/* Writes text to tmpdir/name; returns the full path (static storage, one per slot). */
static const char *write_file(int slot, const char *name, const char *text, size_t len)
{
	static char paths[4][256];
	assert_true(slot >= 0 && slot < 4);
	snprintf(paths[slot], sizeof(paths[slot]), "%s/%s", tmpdir, name);
	bool known = false;
	for (size_t i = 0; i < n_created; i++)
		known |= strcmp(created[i], paths[slot]) == 0;
	if (!known) {
		assert_true(n_created < sizeof(created) / sizeof(created[0]));
		snprintf(created[n_created++], sizeof(created[0]), "%s", paths[slot]);
	}
	FILE *f = fopen(paths[slot], "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return paths[slot];
}

static const char *write_text(int slot, const char *name, const char *text)
{
	return write_file(slot, name, text, strlen(text));
}

static struct xt_snap *load_ok(const char *const *paths, size_t n)
{
	struct xt_snap *s = NULL;
	struct hr_err err;
	hr_err_clear(&err);
	int rc = xt_source_file_load(paths, n, &s, &err);
	if (rc != HR_OK)
		fail_msg("unexpected error %d: where=\"%s\" msg=\"%s\"", rc, err.where, err.msg);
	assert_non_null(s);
	assert_non_null(s->snap);
	return s;
}

static struct xt_snap *load_one(const char *path)
{
	return load_ok(&path, 1);
}

/* Expects failure with code; returns the error for more checks. *out must stay untouched. */
static struct hr_err load_fail(const char *const *paths, size_t n, enum hr_code code)
{
	struct xt_snap *sentinel = (struct xt_snap *)(uintptr_t)0x1;
	struct xt_snap *s = sentinel;
	struct hr_err err;
	hr_err_clear(&err);
	int rc = xt_source_file_load(paths, n, &s, &err);
	if (rc == HR_OK)
		fail_msg("expected an error, got a snapshot");
	assert_int_equal(rc, code);
	assert_int_equal(err.code, code);
	assert_ptr_equal(s, sentinel);
	return err;
}

static const struct hr_node_info *node(const struct xt_snap *s, const char *name)
{
	const struct hr_node_info *ni = hr_snap_find_node(s->snap, hr_str_c(name));
	if (!ni)
		fail_msg("node %s not in the snapshot", name);
	return ni;
}

static void assert_str_eq(struct hr_str got, const char *want)
{
	if (got.n != strlen(want) || memcmp(got.p, want, got.n) != 0)
		fail_msg("got \"%.*s\", want \"%s\"", (int)got.n, got.p, want);
}

static void assert_prefix(const char *text, const char *prefix)
{
	if (strncmp(text, prefix, strlen(prefix)) != 0)
		fail_msg("\"%s\" does not start with \"%s\"", text, prefix);
}

/* How many times msg names "byte <offset>". */
static size_t offset_mentions(const char *msg, size_t offset)
{
	char want[48];
	snprintf(want, sizeof(want), "byte %zu", offset);
	size_t n = 0;
	for (const char *p = strstr(msg, want); p; p = strstr(p + 1, want))
		n++;
	return n;
}

static void assert_names_offset(const char *msg, size_t offset)
{
	if (offset_mentions(msg, offset) == 0)
		fail_msg("message \"%s\" does not name byte %zu", msg, offset);
}

/* ---- documents ---- */

#define NODE(name)                                                                                 \
	"{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"" name "\","            \
	"\"labels\":{\"kubernetes.io/hostname\":\"" name "\"}},"                                   \
	"\"spec\":{\"providerID\":\"aws:///us-east-1a/" name "\"},"                                \
	"\"status\":{\"allocatable\":{\"cpu\":\"2\",\"memory\":\"4Gi\",\"pods\":\"110\"}}}"

#define POD(name, node_field, phase, cpu)                                                          \
	"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" name "\","             \
	"\"namespace\":\"default\"},\"spec\":{" node_field "\"containers\":[{\"name\":\"c\","      \
	"\"image\":\"nginx\",\"resources\":{\"requests\":{\"cpu\":\"" cpu "\","                    \
	"\"memory\":\"64Mi\"}}}]},\"status\":{\"phase\":\"" phase "\"}}"

#define ON(node) "\"nodeName\":\"" node "\","

/* kubectl get nodes,pods,namespaces,configmaps -A -o json */
static const char mixed_list[] =
    "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"4711\"},"
    "\"items\":["
    "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"default\"}},"
    "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"kube-system\"}},"
    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm\","
    "\"namespace\":\"default\"},\"data\":{\"k\":\"v\"}}," NODE("node-b") "," NODE("node-a") "," POD(
        "running-a", ON("node-a"), "Running",
        "250m") "," POD("running-b", ON("node-b"), "Running",
                        "100m") "," POD("also-a", ON("node-a"), "Pending",
                                        "50m") "," POD("done-a", ON("node-a"), "Succeeded",
                                                       "1") "," POD("failed-b", ON("node-b"),
                                                                    "Failed",
                                                                    "1") "," POD("ghost",
                                                                                 ON("node-gone"),
                                                                                 "Running",
                                                                                 "1") "," POD("pend"
                                                                                              "ing",
                                                                                              "",
                                                                                              "Pend"
                                                                                              "ing",
                                                                                              "1") "]}";

static void test_source_file_mixed_v1_list(void **state)
{
	(void)state;
	const char *path = write_text(0, "mixed.json", mixed_list);
	struct xt_snap *s = load_one(path);
	const struct hr_snapshot *snap = s->snap;

	assert_int_equal(snap->n_nodes, 2);
	assert_str_eq(snap->nodes[0].node->name, "node-a"); /* sorted by name */
	assert_str_eq(snap->nodes[1].node->name, "node-b");
	assert_int_equal(snap->nodes[0].node->allocatable.cpu_milli, 2000);
	assert_int_equal(snap->nodes[0].node->allocatable.mem_bytes, 4294967296LL);
	assert_int_equal(snap->nodes[0].node->allocatable.pods, 110);

	assert_int_equal(snap->n_namespaces, 2);
	assert_str_eq(snap->namespaces[0].name, "default");
	assert_str_eq(snap->namespaces[1].name, "kube-system");

	/* counted: running-a, also-a on node-a; running-b on node-b */
	assert_int_equal(snap->n_pods, 3);
	const struct hr_node_info *a = node(s, "node-a");
	const struct hr_node_info *b = node(s, "node-b");
	assert_int_equal(a->n_pods, 2);
	assert_int_equal(a->requested.cpu_milli, 300);
	assert_int_equal(a->requested.mem_bytes, 2 * 67108864LL);
	assert_int_equal(b->n_pods, 1);
	assert_int_equal(b->requested.cpu_milli, 100);

	assert_int_equal(snap->stats.pods_total, 7);
	assert_int_equal(snap->stats.pods_terminal, 2);
	assert_int_equal(snap->stats.pods_unknown_node, 1);
	assert_int_equal(snap->stats.pods_unbound, 1);
	assert_int_equal(snap->stats.nodes_duplicate, 0);
	assert_int_equal(snap->stats.objects_skipped, 1); /* the ConfigMap */

	assert_str_eq(snap->resource_version, "4711");
	char want_source[300];
	snprintf(want_source, sizeof(want_source), "file:%s", path);
	assert_string_equal(s->source, want_source);
	assert_int_equal(atomic_load(&s->refs), 1);
	assert_int_equal(s->generation, 0);
	assert_true(s->build_seconds >= 0.0);
	xt_snap_release(s);
}

/* kubectl get nodes -o json > nodes.json; kubectl get pods -A -o json > pods.json:
 * items carry no "kind", and the list's kind comes after "items" (keys are sorted). */
static const char node_list[] = "{\"apiVersion\":\"v1\",\"items\":[" NODE("worker-1") "," NODE(
    "worker-2") "],\"kind\":\"NodeList\",\"metadata\":{\"resourceVersion\":\"100\"}}";

#define KINDLESS_POD(name, node)                                                                   \
	"{\"metadata\":{\"name\":\"" name "\",\"namespace\":\"web\"},"                             \
	"\"spec\":{\"nodeName\":\"" node "\",\"containers\":[{\"name\":\"c\",\"image\":\"i\","     \
	"\"resources\":{\"requests\":{\"cpu\":\"200m\"}}}]},\"status\":{\"phase\":\"Running\"}}"

#define KINDLESS_NODE(name)                                                                        \
	"{\"metadata\":{\"name\":\"" name "\"},\"status\":{\"allocatable\":{\"cpu\":\"4\","        \
	"\"memory\":\"8Gi\",\"pods\":\"20\"},\"nodeInfo\":{\"kubeletVersion\":\"v1.34.1\"}}}"

static const char kindless_node_list[] =
    "{\"apiVersion\":\"v1\",\"items\":[" KINDLESS_NODE("worker-1") "," KINDLESS_NODE(
        "worker-2") "],\"kind\":\"NodeList\",\"metadata\":{\"resourceVersion\":\"100\"}}";

static const char kindless_pod_list[] =
    "{\"apiVersion\":\"v1\",\"items\":[" KINDLESS_POD("web-1", "worker-1") "," KINDLESS_POD(
        "web-2", "worker-1") "," KINDLESS_POD("web-3", "worker-2") "],\"kind\":\"PodList\","
                                                                   "\"metadata\":{"
                                                                   "\"resourceVersion\":"
                                                                   "\"200\"}}";

static void test_source_file_node_list_and_pod_list(void **state)
{
	(void)state;
	const char *paths[2];
	paths[0] = write_text(0, "nodes.json", kindless_node_list);
	paths[1] = write_text(1, "pods.json", kindless_pod_list);
	struct xt_snap *s = load_ok(paths, 2);
	const struct hr_snapshot *snap = s->snap;
	assert_int_equal(snap->n_nodes, 2);
	assert_int_equal(snap->n_pods, 3);
	const struct hr_node_info *w1 = node(s, "worker-1");
	const struct hr_node_info *w2 = node(s, "worker-2");
	assert_int_equal(w1->node->allocatable.cpu_milli, 4000);
	assert_int_equal(w1->node->allocatable.pods, 20);
	assert_int_equal(w1->n_pods, 2);
	assert_int_equal(w1->requested.cpu_milli, 400);
	assert_int_equal(w2->n_pods, 1);
	assert_int_equal(w2->requested.cpu_milli, 200);
	assert_str_eq(w1->pods[0]->namespace, "web");
	assert_int_equal(snap->stats.pods_total, 3);
	assert_int_equal(snap->stats.objects_skipped, 0);
	char want_source[300];
	snprintf(want_source, sizeof(want_source), "file:%s,...", paths[0]);
	assert_string_equal(s->source, want_source);
	xt_snap_release(s);
}

static void test_source_file_pod_list_before_node_list(void **state)
{
	(void)state;
	/* pods read before their nodes still land on them */
	const char *paths[2];
	paths[0] = write_text(0, "pods.json", kindless_pod_list);
	paths[1] = write_text(1, "nodes.json", node_list);
	struct xt_snap *s = load_ok(paths, 2);
	assert_int_equal(s->snap->n_nodes, 2);
	assert_int_equal(s->snap->n_pods, 3);
	assert_int_equal(node(s, "worker-1")->n_pods, 2);
	assert_int_equal(s->snap->stats.pods_unknown_node, 0);
	xt_snap_release(s);
}

static void test_source_file_list_resource_version_kept(void **state)
{
	(void)state;
	/* metadata after items, as kubectl prints it */
	const char *path = write_text(0, "nodes.json", kindless_node_list);
	struct xt_snap *s = load_one(path);
	assert_str_eq(s->snap->resource_version, "100");
	xt_snap_release(s);

	/* metadata before items */
	path = write_text(0, "rv-first.json",
	                  "{\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"98765\"},"
	                  "\"items\":[" NODE("n") "]}");
	s = load_one(path);
	assert_str_eq(s->snap->resource_version, "98765");
	xt_snap_release(s);

	/* none given: "" */
	path = write_text(0, "no-rv.json", "{\"kind\":\"List\",\"items\":[" NODE("n") "]}");
	s = load_one(path);
	assert_str_eq(s->snap->resource_version, "");
	xt_snap_release(s);
}

static void test_source_file_single_node_object(void **state)
{
	(void)state;
	const char *path = write_text(0, "node.json", NODE("solo"));
	struct xt_snap *s = load_one(path);
	assert_int_equal(s->snap->n_nodes, 1);
	assert_str_eq(s->snap->nodes[0].node->name, "solo");
	assert_int_equal(s->snap->nodes[0].node->allocatable.cpu_milli, 2000);
	assert_int_equal(s->snap->n_pods, 0);
	assert_str_eq(s->snap->resource_version, "");
	xt_snap_release(s);
}

static void test_source_file_single_node_pretty_printed(void **state)
{
	(void)state;
	/* kubectl get node solo -o json: indented, keys sorted, no "items" */
	const char *path = write_text(0, "node-pretty.json",
	                              "{\n"
	                              "    \"apiVersion\": \"v1\",\n"
	                              "    \"kind\": \"Node\",\n"
	                              "    \"metadata\": {\n"
	                              "        \"name\": \"pretty\",\n"
	                              "        \"resourceVersion\": \"55\"\n"
	                              "    },\n"
	                              "    \"status\": {\n"
	                              "        \"allocatable\": {\n"
	                              "            \"cpu\": \"1930m\",\n"
	                              "            \"pods\": \"11\"\n"
	                              "        }\n"
	                              "    }\n"
	                              "}\n");
	struct xt_snap *s = load_one(path);
	assert_int_equal(s->snap->n_nodes, 1);
	assert_str_eq(s->snap->nodes[0].node->name, "pretty");
	assert_int_equal(s->snap->nodes[0].node->allocatable.cpu_milli, 1930);
	assert_int_equal(s->snap->nodes[0].node->allocatable.pods, 11);
	xt_snap_release(s);
}

static void test_source_file_empty_list(void **state)
{
	(void)state;
	const char *path = write_text(0, "empty.json",
	                              "{\"apiVersion\":\"v1\",\"items\":[],\"kind\":\"List\","
	                              "\"metadata\":{\"resourceVersion\":"
	                              "\"\"}}");
	struct xt_snap *s = load_one(path);
	assert_int_equal(s->snap->n_nodes, 0);
	assert_int_equal(s->snap->n_pods, 0);
	assert_int_equal(s->snap->stats.pods_total, 0);
	xt_snap_release(s);
}

static void test_source_file_duplicate_nodes_across_files(void **state)
{
	(void)state;
	const char *paths[2];
	paths[0] = write_text(0, "a.json", node_list);
	paths[1] = write_text(1, "b.json", node_list);
	struct xt_snap *s = load_ok(paths, 2);
	assert_int_equal(s->snap->n_nodes, 2);
	assert_int_equal(s->snap->stats.nodes_duplicate, 2);
	xt_snap_release(s);
}

static void test_source_file_example_cluster(void **state)
{
	(void)state;
	char path[4200];
	snprintf(path, sizeof(path), "%s/examples/clusters/eks-2node-t3small.json", hr_test_top());
	struct xt_snap *s = load_one(path);
	assert_int_equal(s->snap->n_nodes, 2);
	assert_int_equal(s->snap->n_pods, 6);
	assert_int_equal(s->snap->n_namespaces, 4);
	assert_int_equal(node(s, "eks-node-a")->n_pods, 4);
	assert_int_equal(node(s, "eks-node-a")->requested.cpu_milli, 350);
	assert_int_equal(node(s, "eks-node-b")->n_pods, 2);
	assert_int_equal(node(s, "eks-node-b")->requested.cpu_milli, 150);
	xt_snap_release(s);
}

/* ---- a file larger than one read chunk (1 MiB) ---- */

#define BIG_PODS 2000

static void test_source_file_large_file_crosses_chunks(void **state)
{
	(void)state;
	struct hr_buf b;
	hr_buf_init(&b, 64u << 20);
	hr_buf_puts(&b, "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[" NODE(
	                    "big-0") "," NODE("big-1"));
	char pad[601];
	memset(pad, 'p', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	for (int i = 0; i < BIG_PODS; i++)
		hr_buf_printf(
		    &b,
		    ",{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":"
		    "\"pod-%04d\",\"namespace\":\"load\",\"annotations\":{\"pad\":\"%s\"}},"
		    "\"spec\":{\"nodeName\":\"big-%d\",\"containers\":[{\"name\":\"c\","
		    "\"image\":\"busybox\",\"resources\":{\"requests\":{\"cpu\":\"%dm\","
		    "\"memory\":\"1Mi\"}}}]},\"status\":{\"phase\":\"Running\"}}",
		    i, pad, i % 2, 1 + i % 7);
	hr_buf_puts(&b, "],\"metadata\":{\"resourceVersion\":\"big\"}}");
	assert_true(hr_buf_ok(&b));
	assert_true(b.len > (1u << 20) + (1u << 19)); /* more than 1.5 chunks */
	const char *path = write_file(0, "big.json", b.p, b.len);
	hr_buf_fini(&b);

	struct xt_snap *s = load_one(path);
	int64_t want_cpu[2] = {0, 0};
	for (int i = 0; i < BIG_PODS; i++)
		want_cpu[i % 2] += 1 + i % 7;
	assert_int_equal(s->snap->n_nodes, 2);
	assert_int_equal(s->snap->n_pods, BIG_PODS);
	assert_int_equal(s->snap->stats.pods_total, BIG_PODS);
	assert_int_equal(node(s, "big-0")->n_pods, BIG_PODS / 2);
	assert_int_equal(node(s, "big-1")->n_pods, BIG_PODS / 2);
	assert_int_equal(node(s, "big-0")->requested.cpu_milli, want_cpu[0]);
	assert_int_equal(node(s, "big-1")->requested.cpu_milli, want_cpu[1]);
	assert_int_equal(node(s, "big-0")->requested.mem_bytes, (BIG_PODS / 2) * 1048576LL);
	assert_str_eq(s->snap->resource_version, "big");
	/* every pod made it, in order, none torn at a boundary */
	const struct hr_node_info *n0 = node(s, "big-0");
	for (size_t k = 0; k < n0->n_pods; k++) {
		char want[16];
		snprintf(want, sizeof(want), "pod-%04zu", 2 * k);
		assert_str_eq(n0->pods[k]->name, want);
	}
	xt_snap_release(s);
}

/* ---- errors name the file and the place in it ---- */

/* An error in the second read chunk is reported at its offset in the file, not in the chunk. */
static void test_source_file_error_offset_past_first_chunk(void **state)
{
	(void)state;
	struct hr_buf b;
	hr_buf_init(&b, 8u << 20);
	hr_buf_puts(&b, "{\"kind\":\"List\",\"items\":[" NODE("n"));
	size_t item = 0;
	while (b.len < (1u << 20) + 5000)
		hr_buf_printf(&b, ",{\"kind\":\"Namespace\",\"metadata\":{\"name\":\"ns-%zu\"}}",
		              item++);
	hr_buf_puts(&b, ",{\"kind\":\"Node\",\"metadata\":{\"name\":\"x\"");
	size_t offset = b.len; /* where a ',' or '}' must come */
	hr_buf_puts(&b, "]}]}");
	assert_true(hr_buf_ok(&b));
	const char *path = write_file(0, "late-error.json", b.p, b.len);
	hr_buf_fini(&b);
	const char *paths[] = {path};
	struct hr_err err = load_fail(paths, 1, HR_EINVAL);
	assert_string_equal(err.where, path);
	char want[48];
	snprintf(want, sizeof(want), "items[%zu]: ", item + 1);
	assert_prefix(err.msg, want);
	assert_names_offset(err.msg, offset);
}

static void test_source_file_missing_file(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/does-not-exist.json", tmpdir);
	const char *paths[] = {path};
	struct hr_err err = load_fail(paths, 1, HR_EINVAL);
	assert_string_equal(err.where, path);
	assert_string_equal(err.msg, "cannot open: No such file or directory");
}

static void test_source_file_missing_second_file_names_it(void **state)
{
	(void)state;
	char missing[128];
	snprintf(missing, sizeof(missing), "%s/nope.json", tmpdir);
	const char *paths[] = {write_text(0, "ok.json", node_list), missing};
	struct hr_err err = load_fail(paths, 2, HR_EINVAL);
	assert_string_equal(err.where, missing);
	assert_string_equal(err.msg, "cannot open: No such file or directory");
}

static void test_source_file_malformed_json_names_byte_offset(void **state)
{
	(void)state;
	/* a trailing comma inside the second item */
	static const char text[] = "{\"kind\":\"List\",\"items\":[" NODE(
	    "ok") ",{\"kind\":\"Node\",\"metadata\":{\"name\":\"bad\",}}]}";
	const char *bad = strstr(text, ",}}]}");
	assert_non_null(bad);
	size_t offset = (size_t)(bad - text) + 1; /* the '}' where a key must be */
	const char *path = write_text(0, "malformed.json", text);
	const char *paths[] = {path};
	struct hr_err err = load_fail(paths, 1, HR_EINVAL);
	assert_string_equal(err.where, path);
	/* the message names the item, what is wrong, and the byte offset */
	assert_prefix(err.msg, "items[1]: unexpected '}', expected a key");
	assert_names_offset(err.msg, offset);
}

/* "at byte 274 (byte 274)" says the same thing twice: the offset is given once. */
static void test_source_file_error_names_byte_offset_once(void **state)
{
	(void)state;
	static const char text[] = "{\"kind\":\"List\",\"items\":[{\"kind\":\"Node\",]}";
	const char *path = write_text(0, "once.json", text);
	const char *paths[] = {path};
	struct hr_err err = load_fail(paths, 1, HR_EINVAL);
	size_t offset = (size_t)(strchr(text, ']') - text);
	if (offset_mentions(err.msg, offset) != 1)
		fail_msg("message \"%s\" names byte %zu %zu times, want once", err.msg, offset,
		         offset_mentions(err.msg, offset));
}

static void test_source_file_truncated_json(void **state)
{
	(void)state;
	static const char text[] = "{\"kind\":\"List\",\"items\":[" NODE("ok") ",{\"kind\":\"No";
	const char *path = write_text(0, "truncated.json", text);
	const char *paths[] = {path};
	struct hr_err err = load_fail(paths, 1, HR_EINVAL);
	assert_string_equal(err.where, path);
	assert_prefix(err.msg, "items[1]: document cut short");
	assert_names_offset(err.msg, strlen(text));
}

static void test_source_file_node_name_number_names_item_path(void **state)
{
	(void)state;
	static const char text[] = "{\"kind\":\"List\",\"items\":[" NODE("n0") "," NODE(
	    "n1") ",{\"kind\":\"Node\",\"metadata\":{\"name\":42},\"status\":{}}]}";
	const char *path = write_text(0, "badname.json", text);
	const char *paths[] = {path};
	struct hr_err err = load_fail(paths, 1, HR_EINVAL);
	char want[300];
	snprintf(want, sizeof(want), "%s: items[2].metadata.name", path);
	assert_string_equal(err.where, want);
	assert_string_equal(err.msg, "must be a string, got number");
}

static void test_source_file_bad_item_in_second_file_names_it(void **state)
{
	(void)state;
	const char *paths[2];
	paths[0] = write_text(0, "nodes.json", node_list);
	paths[1] = write_text(
	    1, "pods.json",
	    "{\"apiVersion\":\"v1\",\"items\":[" KINDLESS_POD(
	        "p0", "worker-1") ",{\"metadata\":{"
	                          "\"name\":\"p1\"},\"spec\":{\"containers\":[{\"name\":\"c\","
	                          "\"resources\":{"
	                          "\"requests\":{\"cpu\":\"lots\"}}}]}}],\"kind\":\"PodList\"}");
	struct hr_err err = load_fail(paths, 2, HR_EINVAL);
	char want[300];
	snprintf(want, sizeof(want), "%s: items[1].spec.containers[0].resources.requests.cpu",
	         paths[1]);
	assert_string_equal(err.where, want);
	assert_string_equal(err.msg, "invalid quantity \"lots\": no digits");
}

/* One file holding text fails to load as HR_EINVAL with msg, naming the file. */
static void expect_file_error(const char *name, const char *text, const char *msg)
{
	const char *path = write_text(0, name, text);
	const char *paths[] = {path};
	struct hr_err err = load_fail(paths, 1, HR_EINVAL);
	assert_string_equal(err.where, path);
	assert_string_equal(err.msg, msg);
}

static void test_source_file_single_object_not_json(void **state)
{
	(void)state;
	/* YAML (or a kubectl table) is named as such, with the command to run */
	expect_file_error("garbage.json", "kind: Node\n",
	                  "is not JSON (it starts with 'k'): a snapshot is what kubectl get "
	                  "nodes,pods,namespaces,limitranges,runtimeclasses -A -o json prints");
}

static void test_source_file_byte_order_mark_is_skipped(void **state)
{
	(void)state;
	/* a list and a single object, each after a UTF-8 byte order mark */
	const char *paths[] = {
	    write_text(0, "bom-list.json",
	               "\xef\xbb\xbf{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[" NODE(
	                   "node-a") "]}"),
	    write_text(1, "bom-node.json", "\xef\xbb\xbf" NODE("node-b"))};
	struct xt_snap *s = load_ok(paths, 2);
	assert_int_equal(s->snap->n_nodes, 2);
	xt_snap_release(s);
}

static void test_source_file_single_object_error_names_the_file(void **state)
{
	(void)state;
	expect_file_error("empty-object.json", "{}", "object has no \"kind\"");
}

static void test_source_file_array_is_named(void **state)
{
	(void)state;
	expect_file_error("items.json", "[" NODE("node-a") "]",
	                  "is a JSON array: a snapshot is the List object kubectl get "
	                  "nodes,pods,... -A -o json prints, not its items");
}

static void test_source_file_items_not_array(void **state)
{
	(void)state;
	const char *path = write_text(0, "items-object.json", "{\"kind\":\"List\",\"items\":{}}");
	const char *paths[] = {path};
	struct hr_err err = load_fail(paths, 1, HR_EINVAL);
	assert_string_equal(err.where, path);
	assert_prefix(err.msg, "\"items\" is not an array");
	assert_names_offset(err.msg, 23);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_source_file_mixed_v1_list),
	    cmocka_unit_test(test_source_file_node_list_and_pod_list),
	    cmocka_unit_test(test_source_file_pod_list_before_node_list),
	    cmocka_unit_test(test_source_file_list_resource_version_kept),
	    cmocka_unit_test(test_source_file_single_node_object),
	    cmocka_unit_test(test_source_file_single_node_pretty_printed),
	    cmocka_unit_test(test_source_file_empty_list),
	    cmocka_unit_test(test_source_file_duplicate_nodes_across_files),
	    cmocka_unit_test(test_source_file_example_cluster),
	    cmocka_unit_test(test_source_file_large_file_crosses_chunks),
	    cmocka_unit_test(test_source_file_error_offset_past_first_chunk),
	    cmocka_unit_test(test_source_file_missing_file),
	    cmocka_unit_test(test_source_file_missing_second_file_names_it),
	    cmocka_unit_test(test_source_file_malformed_json_names_byte_offset),
	    cmocka_unit_test(test_source_file_error_names_byte_offset_once),
	    cmocka_unit_test(test_source_file_truncated_json),
	    cmocka_unit_test(test_source_file_node_name_number_names_item_path),
	    cmocka_unit_test(test_source_file_bad_item_in_second_file_names_it),
	    cmocka_unit_test(test_source_file_single_object_not_json),
	    cmocka_unit_test(test_source_file_byte_order_mark_is_skipped),
	    cmocka_unit_test(test_source_file_array_is_named),
	    cmocka_unit_test(test_source_file_single_object_error_names_the_file),
	    cmocka_unit_test(test_source_file_items_not_array),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
