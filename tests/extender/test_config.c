/* test_config.c: extender/config.h, the flags of `headroom serve` and `headroom capacity`. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

/* ---- helpers ---- */

#define ARGC(...) ((int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)))
#define ARGV(...) ((char *[]){__VA_ARGS__})
/* argc, argv for a function call: f(ARGS("-v", "2")) */
#define ARGS(...) ARGC(__VA_ARGS__), ARGV(__VA_ARGS__)

/* The flags every serve command line needs, then the ones under test. */
#define SERVE(...)      ARGV("--tls-cert", "c.pem", "--tls-key", "k.pem", __VA_ARGS__)
#define SERVE_N(...)    (4 + ARGC(__VA_ARGS__))
#define CAPACITY(...)   ARGV("--snapshot", "s.json", "-f", "p.yaml", __VA_ARGS__)
#define CAPACITY_N(...) (4 + ARGC(__VA_ARGS__))

static struct xt_config parse_ok(const char *command, int argc, char **argv)
{
	struct xt_config cfg;
	struct hr_err err;
	xt_config_defaults(&cfg);
	hr_err_clear(&err);
	enum hr_code rc = xt_config_parse(&cfg, command, argc, argv, &err);
	if (rc != HR_OK)
		fail_msg("unexpected error %d: where=\"%s\" msg=\"%s\"", rc, err.where, err.msg);
	assert_int_equal(err.code, HR_OK);
	return cfg;
}

/* Expects HR_EINVAL with exactly where and msg (msg NULL: not checked). */
static void expect_error(const char *command, int argc, char **argv, const char *where,
                         const char *msg)
{
	struct xt_config cfg;
	struct hr_err err;
	xt_config_defaults(&cfg);
	hr_err_clear(&err);
	enum hr_code rc = xt_config_parse(&cfg, command, argc, argv, &err);
	assert_int_equal(rc, HR_EINVAL);
	assert_int_equal(err.code, HR_EINVAL);
	assert_string_equal(err.where, where);
	if (msg)
		assert_string_equal(err.msg, msg);
}

#define PARSE(cmd, ...)     parse_ok(cmd, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))
#define PARSE_SERVE(...)    parse_ok("serve", SERVE_N(__VA_ARGS__), SERVE(__VA_ARGS__))
#define PARSE_CAPACITY(...) parse_ok("capacity", CAPACITY_N(__VA_ARGS__), CAPACITY(__VA_ARGS__))
#define SERVE_ERROR(where, msg, ...)                                                               \
	expect_error("serve", SERVE_N(__VA_ARGS__), SERVE(__VA_ARGS__), where, msg)
#define CAPACITY_ERROR(where, msg, ...)                                                            \
	expect_error("capacity", CAPACITY_N(__VA_ARGS__), CAPACITY(__VA_ARGS__), where, msg)

/* ---- defaults ---- */

static void test_config_defaults(void **state)
{
	(void)state;
	struct xt_config cfg;
	memset(&cfg, 0xa5, sizeof(cfg));
	xt_config_defaults(&cfg);
	assert_string_equal(cfg.listen, "0.0.0.0:8443");
	assert_null(cfg.tls_cert);
	assert_null(cfg.tls_key);
	assert_null(cfg.client_ca);
	assert_false(cfg.anonymous_read);
	assert_null(cfg.kubeconfig);
	assert_int_equal(cfg.max_body_bytes, 268435456);
	assert_int_equal(cfg.threads, 512);
	assert_int_equal(cfg.request_timeout_ms, 10000);
	assert_int_equal(cfg.keep_alive_timeout_ms, 60000);
	assert_int_equal(cfg.cert_check_seconds, 10);
	assert_int_equal(cfg.n_client_names, 0);
	assert_int_equal(cfg.n_snapshots, 0);
	for (size_t i = 0; i < XT_MAX_SNAPSHOTS; i++)
		assert_null(cfg.snapshots[i]);
	assert_int_equal(cfg.max_copies, 100000);
	assert_int_equal(cfg.verbosity, 0);
	assert_false(cfg.log_json);
	assert_null(cfg.pod_file);
	assert_false(cfg.has_replicas);
	assert_int_equal(cfg.replicas, 0);
	assert_int_equal(cfg.output, XT_OUTPUT_JSON);
	assert_false(cfg.show_help);
}

static void test_config_serve_minimal_keeps_defaults(void **state)
{
	(void)state;
	char *argv[] = {"--tls-cert", "c.pem", "--tls-key", "k.pem"};
	struct xt_config cfg = parse_ok("serve", 4, argv);
	assert_string_equal(cfg.tls_cert, "c.pem");
	assert_string_equal(cfg.tls_key, "k.pem");
	assert_ptr_equal(cfg.tls_cert, argv[1]); /* borrowed from argv, not copied */
	assert_string_equal(cfg.listen, "0.0.0.0:8443");
	assert_null(cfg.client_ca);
	assert_false(cfg.anonymous_read);
	assert_null(cfg.kubeconfig);
	assert_int_equal(cfg.n_snapshots, 0);
	assert_int_equal(cfg.max_body_bytes, 268435456);
	assert_int_equal(cfg.threads, 512);
	assert_int_equal(cfg.request_timeout_ms, 10000);
	assert_int_equal(cfg.max_copies, 100000);
	assert_int_equal(cfg.verbosity, 0);
	assert_false(cfg.log_json);
	assert_false(cfg.show_help);
}

static void test_config_capacity_minimal_keeps_defaults(void **state)
{
	(void)state;
	char *argv[] = {"--snapshot", "s.json", "-f", "p.yaml"};
	struct xt_config cfg = parse_ok("capacity", 4, argv);
	assert_int_equal(cfg.n_snapshots, 1);
	assert_string_equal(cfg.snapshots[0], "s.json");
	assert_string_equal(cfg.pod_file, "p.yaml");
	assert_false(cfg.has_replicas);
	assert_int_equal(cfg.output, XT_OUTPUT_JSON);
	assert_int_equal(cfg.max_copies, 100000);
	assert_null(cfg.tls_cert);
	assert_false(cfg.show_help);
}

/* ---- serve flags, "--flag value" ---- */

static void test_config_serve_every_flag_space_form(void **state)
{
	(void)state;
	struct xt_config cfg = PARSE_SERVE(
	    "--listen", "127.0.0.1:9443", "--client-ca", "ca.pem", "--anonymous-read", "--snapshot",
	    "cluster.json", "--max-body-bytes", "1048576", "--threads", "8", "--request-timeout-ms",
	    "2500", "--max-copies", "500", "--log-format", "json", "-v", "3",
	    "--keep-alive-timeout-ms", "1500", "--cert-check-seconds", "2",
	    "--allowed-client-names", "system:kube-scheduler");
	assert_string_equal(cfg.listen, "127.0.0.1:9443");
	assert_string_equal(cfg.tls_cert, "c.pem");
	assert_string_equal(cfg.tls_key, "k.pem");
	assert_string_equal(cfg.client_ca, "ca.pem");
	assert_true(cfg.anonymous_read);
	assert_int_equal(cfg.n_snapshots, 1);
	assert_string_equal(cfg.snapshots[0], "cluster.json");
	assert_int_equal(cfg.max_body_bytes, 1048576);
	assert_int_equal(cfg.threads, 8);
	assert_int_equal(cfg.request_timeout_ms, 2500);
	assert_int_equal(cfg.max_copies, 500);
	assert_true(cfg.log_json);
	assert_int_equal(cfg.verbosity, 3);
	assert_null(cfg.kubeconfig);
	assert_int_equal(cfg.keep_alive_timeout_ms, 1500);
	assert_int_equal(cfg.cert_check_seconds, 2);
	assert_int_equal(cfg.n_client_names, 1);
	assert_string_equal(cfg.client_names[0], "system:kube-scheduler");
}

static void test_config_serve_every_flag_equals_form(void **state)
{
	(void)state;
	char *argv[] = {"--tls-cert=c.pem",
	                "--tls-key=k.pem",
	                "--listen=[::1]:8443",
	                "--client-ca=ca.pem",
	                "--snapshot=cluster.json",
	                "--max-body-bytes=2048",
	                "--threads=1024",
	                "--request-timeout-ms=600000",
	                "--max-copies=7",
	                "--log-format=text",
	                "-v=10",
	                "--keep-alive-timeout-ms=600000",
	                "--cert-check-seconds=3600",
	                "--allowed-client-names=a,b.example"};
	struct xt_config cfg = parse_ok("serve", (int)(sizeof(argv) / sizeof(argv[0])), argv);
	assert_string_equal(cfg.listen, "[::1]:8443");
	assert_string_equal(cfg.tls_cert, "c.pem");
	assert_string_equal(cfg.tls_key, "k.pem");
	assert_string_equal(cfg.client_ca, "ca.pem");
	assert_int_equal(cfg.n_snapshots, 1);
	assert_string_equal(cfg.snapshots[0], "cluster.json");
	assert_int_equal(cfg.max_body_bytes, 2048);
	assert_int_equal(cfg.threads, 1024);
	assert_int_equal(cfg.request_timeout_ms, 600000);
	assert_int_equal(cfg.max_copies, 7);
	assert_false(cfg.log_json);
	assert_int_equal(cfg.verbosity, 10);
	assert_int_equal(cfg.keep_alive_timeout_ms, 600000);
	assert_int_equal(cfg.cert_check_seconds, 3600);
	assert_int_equal(cfg.n_client_names, 2);
	assert_string_equal(cfg.client_names[0], "a");
	assert_string_equal(cfg.client_names[1], "b.example");
}

static void test_config_serve_kubeconfig_both_forms(void **state)
{
	(void)state;
	struct xt_config a = PARSE_SERVE("--kubeconfig", "/etc/kube/config");
	assert_string_equal(a.kubeconfig, "/etc/kube/config");
	assert_int_equal(a.n_snapshots, 0);
	struct xt_config b = PARSE_SERVE("--kubeconfig=/root/.kube/config");
	assert_string_equal(b.kubeconfig, "/root/.kube/config");
}

static void test_config_equals_value_may_contain_equals_and_be_empty(void **state)
{
	(void)state;
	/* only the first '=' splits: the rest is the value */
	struct xt_config cfg = PARSE_SERVE("--snapshot=a=b.json");
	assert_string_equal(cfg.snapshots[0], "a=b.json");
	/* an explicit empty value is a value, not a missing one */
	struct xt_config e = PARSE("serve", "--tls-cert=", "--tls-key=");
	assert_string_equal(e.tls_cert, "");
	assert_string_equal(e.tls_key, "");
}

static void test_config_v_alias_double_dash(void **state)
{
	(void)state;
	struct xt_config a = PARSE_SERVE("--v", "4");
	assert_int_equal(a.verbosity, 4);
	struct xt_config b = PARSE_SERVE("--v=5");
	assert_int_equal(b.verbosity, 5);
	struct xt_config c = PARSE_CAPACITY("-v", "2");
	assert_int_equal(c.verbosity, 2);
}

static void test_config_later_flag_wins(void **state)
{
	(void)state;
	struct xt_config cfg = PARSE_SERVE("--threads", "4", "--threads=6", "-v", "1", "-v", "2",
	                                   "--log-format", "json", "--log-format", "text");
	assert_int_equal(cfg.threads, 6);
	assert_int_equal(cfg.verbosity, 2);
	assert_false(cfg.log_json);
}

/* ---- capacity flags ---- */

static void test_config_capacity_every_flag_space_form(void **state)
{
	(void)state;
	char *argv[] = {"--snapshot",   "nodes.json", "--filename",   "pod.yaml",
	                "--replicas",   "20",         "--output",     "table",
	                "--max-copies", "50",         "--log-format", "json",
	                "-v",           "6"};
	struct xt_config cfg = parse_ok("capacity", (int)(sizeof(argv) / sizeof(argv[0])), argv);
	assert_int_equal(cfg.n_snapshots, 1);
	assert_string_equal(cfg.snapshots[0], "nodes.json");
	assert_string_equal(cfg.pod_file, "pod.yaml");
	assert_true(cfg.has_replicas);
	assert_int_equal(cfg.replicas, 20);
	assert_int_equal(cfg.output, XT_OUTPUT_TABLE);
	assert_int_equal(cfg.max_copies, 50);
	assert_true(cfg.log_json);
	assert_int_equal(cfg.verbosity, 6);
}

static void test_config_capacity_every_flag_equals_form(void **state)
{
	(void)state;
	char *argv[] = {
	    "--snapshot=nodes.json", "--filename=pod.yaml", "--replicas=0", "--output=yaml",
	    "--max-copies=1",        "--log-format=text",   "-v=0"};
	struct xt_config cfg = parse_ok("capacity", (int)(sizeof(argv) / sizeof(argv[0])), argv);
	assert_string_equal(cfg.snapshots[0], "nodes.json");
	assert_string_equal(cfg.pod_file, "pod.yaml");
	assert_true(cfg.has_replicas);
	assert_int_equal(cfg.replicas, 0);
	assert_int_equal(cfg.output, XT_OUTPUT_YAML);
	assert_int_equal(cfg.max_copies, 1);
	assert_false(cfg.log_json);
	assert_int_equal(cfg.verbosity, 0);
}

static void test_config_capacity_short_aliases(void **state)
{
	(void)state;
	struct xt_config a = PARSE("capacity", "--snapshot", "s", "-f", "-", "-o", "yaml");
	assert_string_equal(a.pod_file, "-");
	assert_int_equal(a.output, XT_OUTPUT_YAML);
	struct xt_config b = PARSE("capacity", "--snapshot=s", "-f=p.json", "-o=table");
	assert_string_equal(b.pod_file, "p.json");
	assert_int_equal(b.output, XT_OUTPUT_TABLE);
}

static void test_config_capacity_output_values(void **state)
{
	(void)state;
	assert_int_equal(PARSE_CAPACITY("-o", "json").output, XT_OUTPUT_JSON);
	assert_int_equal(PARSE_CAPACITY("-o", "table").output, XT_OUTPUT_TABLE);
	assert_int_equal(PARSE_CAPACITY("-o", "wide").output, XT_OUTPUT_TABLE);
	assert_int_equal(PARSE_CAPACITY("-o", "yaml").output, XT_OUTPUT_YAML);
	assert_int_equal(PARSE_CAPACITY("-o", "yaml", "-o", "json").output, XT_OUTPUT_JSON);
}

/* ---- --snapshot is repeatable, up to 16 ---- */

static void test_config_snapshot_repeated_in_order(void **state)
{
	(void)state;
	struct xt_config cfg = PARSE("capacity", "--snapshot", "nodes.json", "-f", "p",
	                             "--snapshot=pods.json", "--snapshot", "ns.json");
	assert_int_equal(cfg.n_snapshots, 3);
	assert_string_equal(cfg.snapshots[0], "nodes.json");
	assert_string_equal(cfg.snapshots[1], "pods.json");
	assert_string_equal(cfg.snapshots[2], "ns.json");
	assert_null(cfg.snapshots[3]);
}

static void test_config_snapshot_limit_is_16(void **state)
{
	(void)state;
	char names[XT_MAX_SNAPSHOTS + 1][32];
	char *argv[2 * (XT_MAX_SNAPSHOTS + 1) + 2];
	int argc = 0;
	argv[argc++] = "-f";
	argv[argc++] = "p.yaml";
	for (int i = 0; i < XT_MAX_SNAPSHOTS; i++) {
		snprintf(names[i], sizeof(names[i]), "s%d.json", i + 1);
		argv[argc++] = "--snapshot";
		argv[argc++] = names[i];
	}
	assert_int_equal(XT_MAX_SNAPSHOTS, 16);
	struct xt_config cfg = parse_ok("capacity", argc, argv);
	assert_int_equal(cfg.n_snapshots, 16);
	assert_string_equal(cfg.snapshots[0], "s1.json");
	assert_string_equal(cfg.snapshots[15], "s16.json");

	snprintf(names[16], sizeof(names[16]), "s17.json");
	argv[argc++] = "--snapshot";
	argv[argc++] = names[16];
	expect_error("capacity", argc, argv, "--snapshot",
	             "\"s17.json\": at most 16 snapshot files");
}

/* ---- numbers: bounds and garbage, each error names the flag ---- */

static void test_config_max_body_bytes_bounds(void **state)
{
	(void)state;
	assert_int_equal(PARSE_SERVE("--max-body-bytes", "1024").max_body_bytes, 1024);
	assert_int_equal(PARSE_SERVE("--max-body-bytes", "17179869184").max_body_bytes,
	                 17179869184ull);
	const char *msg_tail = "is not a byte count in [1024, 2^34]";
	char msg[128];
	snprintf(msg, sizeof(msg), "\"1023\": %s", msg_tail);
	SERVE_ERROR("--max-body-bytes", msg, "--max-body-bytes", "1023");
	snprintf(msg, sizeof(msg), "\"17179869185\": %s", msg_tail);
	SERVE_ERROR("--max-body-bytes", msg, "--max-body-bytes=17179869185");
	snprintf(msg, sizeof(msg), "\"1Mi\": %s", msg_tail);
	SERVE_ERROR("--max-body-bytes", msg, "--max-body-bytes", "1Mi");
	snprintf(msg, sizeof(msg), "\"\": %s", msg_tail);
	SERVE_ERROR("--max-body-bytes", msg, "--max-body-bytes=");
	snprintf(msg, sizeof(msg), "\"-4096\": %s", msg_tail);
	SERVE_ERROR("--max-body-bytes", msg, "--max-body-bytes", "-4096");
}

static void test_config_threads_bounds(void **state)
{
	(void)state;
	assert_int_equal(PARSE_SERVE("--threads", "2").threads, 2);
	assert_int_equal(PARSE_SERVE("--threads", "1024").threads, 1024);
	SERVE_ERROR("--threads", "\"1\": is not a thread count in [2, 1024]", "--threads", "1");
	SERVE_ERROR("--threads", "\"1025\": is not a thread count in [2, 1024]", "--threads=1025");
	SERVE_ERROR("--threads", "\"x\": is not a thread count in [2, 1024]", "--threads", "x");
	SERVE_ERROR("--threads", "\"8x\": is not a thread count in [2, 1024]", "--threads", "8x");
	SERVE_ERROR("--threads", "\"99999999999999999999\": is not a thread count in [2, 1024]",
	            "--threads", "99999999999999999999");
}

static void test_config_request_timeout_bounds(void **state)
{
	(void)state;
	assert_int_equal(PARSE_SERVE("--request-timeout-ms", "100").request_timeout_ms, 100);
	assert_int_equal(PARSE_SERVE("--request-timeout-ms=600000").request_timeout_ms, 600000);
	SERVE_ERROR("--request-timeout-ms", "\"99\": is not milliseconds in [100, 600000]",
	            "--request-timeout-ms", "99");
	SERVE_ERROR("--request-timeout-ms", "\"600001\": is not milliseconds in [100, 600000]",
	            "--request-timeout-ms=600001");
	SERVE_ERROR("--request-timeout-ms", "\"10s\": is not milliseconds in [100, 600000]",
	            "--request-timeout-ms", "10s");
}

static void test_config_keep_alive_timeout_bounds(void **state)
{
	(void)state;
	assert_int_equal(PARSE_SERVE("--keep-alive-timeout-ms", "100").keep_alive_timeout_ms, 100);
	assert_int_equal(PARSE_SERVE("--keep-alive-timeout-ms=600000").keep_alive_timeout_ms,
	                 600000);
	SERVE_ERROR("--keep-alive-timeout-ms", "\"99\": is not milliseconds in [100, 600000]",
	            "--keep-alive-timeout-ms", "99");
	SERVE_ERROR("--keep-alive-timeout-ms", "\"600001\": is not milliseconds in [100, 600000]",
	            "--keep-alive-timeout-ms=600001");
	CAPACITY_ERROR("--keep-alive-timeout-ms", "unknown flag for headroom capacity",
	               "--keep-alive-timeout-ms", "1000");
}

static void test_config_cert_check_seconds_bounds(void **state)
{
	(void)state;
	assert_int_equal(PARSE_SERVE("--cert-check-seconds", "1").cert_check_seconds, 1);
	assert_int_equal(PARSE_SERVE("--cert-check-seconds=3600").cert_check_seconds, 3600);
	SERVE_ERROR("--cert-check-seconds", "\"0\": is not seconds in [1, 3600]",
	            "--cert-check-seconds", "0");
	SERVE_ERROR("--cert-check-seconds", "\"3601\": is not seconds in [1, 3600]",
	            "--cert-check-seconds=3601");
	SERVE_ERROR("--cert-check-seconds", "\"1s\": is not seconds in [1, 3600]",
	            "--cert-check-seconds", "1s");
}

/* --allowed-client-names: comma lists, repeatable, bounded, only with --client-ca. */
static void test_config_allowed_client_names(void **state)
{
	(void)state;
	struct xt_config cfg =
	    PARSE_SERVE("--client-ca", "ca.pem", "--allowed-client-names", "system:kube-scheduler",
	                "--allowed-client-names=webhook.kube-system.svc,x");
	assert_int_equal(cfg.n_client_names, 3);
	assert_string_equal(cfg.client_names[0], "system:kube-scheduler");
	assert_string_equal(cfg.client_names[1], "webhook.kube-system.svc");
	assert_string_equal(cfg.client_names[2], "x");
	SERVE_ERROR("--allowed-client-names", "only makes sense with --client-ca",
	            "--allowed-client-names", "a");
	SERVE_ERROR("--allowed-client-names", "\"a,,b\": has an empty name", "--client-ca", "ca",
	            "--allowed-client-names", "a,,b");
	SERVE_ERROR("--allowed-client-names", "\"a,\": has an empty name", "--client-ca", "ca",
	            "--allowed-client-names=a,");
	SERVE_ERROR("--allowed-client-names", "\"\": has an empty name", "--client-ca", "ca",
	            "--allowed-client-names=");
	CAPACITY_ERROR("--allowed-client-names", "unknown flag for headroom capacity",
	               "--allowed-client-names", "a");

	/* 255 bytes fit, 256 do not */
	char longest[300], too_long[300];
	memset(longest, 'n', 255);
	longest[255] = '\0';
	memset(too_long, 'n', 256);
	too_long[256] = '\0';
	cfg = PARSE_SERVE("--client-ca", "ca", "--allowed-client-names", longest);
	assert_string_equal(cfg.client_names[0], longest);
	struct xt_config bad;
	struct hr_err err;
	xt_config_defaults(&bad);
	hr_err_clear(&err);
	char *argv[] = {"--tls-cert", "c", "--tls-key", "k", "--allowed-client-names", too_long};
	assert_int_equal(xt_config_parse(&bad, "serve", 6, argv, &err), HR_EINVAL);
	assert_string_equal(err.where, "--allowed-client-names");
	assert_string_equal(
	    err.msg, "\"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn...\": a name longer "
	             "than 255 bytes");

	/* 32 names fit, 33 do not */
	char list[200] = "";
	size_t n = 0;
	for (int i = 0; i < 32; i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%c", i ? "," : "",
		                      'a' + i % 26);
	cfg = PARSE_SERVE("--client-ca", "ca", "--allowed-client-names", list);
	assert_int_equal(cfg.n_client_names, 32);
	SERVE_ERROR("--allowed-client-names", "\"z\": more than 32 names", "--client-ca", "ca",
	            "--allowed-client-names", list, "--allowed-client-names", "z");
}

static void test_config_max_copies_bounds(void **state)
{
	(void)state;
	assert_int_equal(PARSE_SERVE("--max-copies", "1").max_copies, 1);
	assert_int_equal(PARSE_CAPACITY("--max-copies", "100000000").max_copies, 100000000);
	SERVE_ERROR("--max-copies", "\"0\": is not a count in [1, 100000000]", "--max-copies", "0");
	CAPACITY_ERROR("--max-copies", "\"100000001\": is not a count in [1, 100000000]",
	               "--max-copies=100000001");
	CAPACITY_ERROR("--max-copies", "\"lots\": is not a count in [1, 100000000]", "--max-copies",
	               "lots");
}

static void test_config_verbosity_bounds(void **state)
{
	(void)state;
	assert_int_equal(PARSE_SERVE("-v", "0").verbosity, 0);
	assert_int_equal(PARSE_SERVE("-v", "10").verbosity, 10);
	SERVE_ERROR("-v", "\"11\": is not a verbosity in [0, 10]", "-v", "11");
	SERVE_ERROR("-v", "\"-1\": is not a verbosity in [0, 10]", "-v=-1");
	CAPACITY_ERROR("-v", "\"debug\": is not a verbosity in [0, 10]", "--v", "debug");
}

static void test_config_replicas_bounds(void **state)
{
	(void)state;
	struct xt_config zero = PARSE_CAPACITY("--replicas", "0");
	assert_true(zero.has_replicas);
	assert_int_equal(zero.replicas, 0);
	struct xt_config max = PARSE_CAPACITY("--replicas", "100000000");
	assert_int_equal(max.replicas, 100000000);
	CAPACITY_ERROR("--replicas", "\"-1\": is not a count in [0, 100000000]", "--replicas",
	               "-1");
	CAPACITY_ERROR("--replicas", "\"100000001\": is not a count in [0, 100000000]",
	               "--replicas=100000001");
	CAPACITY_ERROR("--replicas", "\"many\": is not a count in [0, 100000000]", "--replicas",
	               "many");
	CAPACITY_ERROR("--replicas", "\"2.5\": is not a count in [0, 100000000]", "--replicas",
	               "2.5");
}

static void test_config_log_format_rejects_other_values(void **state)
{
	(void)state;
	SERVE_ERROR("--log-format", "\"logfmt\": want text or json", "--log-format", "logfmt");
	CAPACITY_ERROR("--log-format", "\"JSON\": want text or json", "--log-format=JSON");
}

static void test_config_output_rejects_other_values(void **state)
{
	(void)state;
	CAPACITY_ERROR("--output", "\"xml\": want json, table or yaml", "-o", "xml");
	CAPACITY_ERROR("--output", "\"\": want json, table or yaml", "--output=");
	CAPACITY_ERROR("--output", "\"YAML\": want json, table or yaml", "--output", "YAML");
}

static void test_config_listen_rejects_bad_address(void **state)
{
	(void)state;
	SERVE_ERROR("--listen", "\"8443\": is not ADDR:PORT", "--listen", "8443");
	SERVE_ERROR("--listen", "\"0.0.0.0:0\": is not ADDR:PORT", "--listen", "0.0.0.0:0");
	SERVE_ERROR("--listen", "\"0.0.0.0:65536\": is not ADDR:PORT", "--listen=0.0.0.0:65536");
	SERVE_ERROR("--listen", "\"localhost:https\": is not ADDR:PORT", "--listen",
	            "localhost:https");
}

/* ---- unknown flags, flags of the other command, missing values ---- */

static void test_config_unknown_flag(void **state)
{
	(void)state;
	SERVE_ERROR("--bogus", "unknown flag for headroom serve", "--bogus");
	CAPACITY_ERROR("--bogus", "unknown flag for headroom capacity", "--bogus", "1");
	/* a prefix of a real flag is not that flag */
	SERVE_ERROR("--listen-address", "unknown flag for headroom serve", "--listen-address", "x");
	SERVE_ERROR("--thread", "unknown flag for headroom serve", "--thread", "4");
	/* a positional argument is not accepted either */
	CAPACITY_ERROR("pod.yaml", "unknown flag for headroom capacity", "pod.yaml");
	/* flags are case-sensitive */
	SERVE_ERROR("--Threads", "unknown flag for headroom serve", "--Threads", "4");
}

static void test_config_unknown_flag_equals_form_names_the_argument(void **state)
{
	(void)state;
	struct xt_config cfg;
	struct hr_err err;
	xt_config_defaults(&cfg);
	hr_err_clear(&err);
	assert_int_equal(xt_config_parse(&cfg, "serve", 1, ARGV("--bogus=1"), &err), HR_EINVAL);
	assert_non_null(strstr(err.where, "--bogus"));
	assert_string_equal(err.msg, "unknown flag for headroom serve");
}

static void test_config_serve_rejects_capacity_flags(void **state)
{
	(void)state;
	SERVE_ERROR("-f", "unknown flag for headroom serve", "-f", "pod.yaml");
	SERVE_ERROR("--filename", "unknown flag for headroom serve", "--filename", "pod.yaml");
	SERVE_ERROR("--replicas", "unknown flag for headroom serve", "--replicas", "3");
	SERVE_ERROR("-o", "unknown flag for headroom serve", "-o", "yaml");
	SERVE_ERROR("--output", "unknown flag for headroom serve", "--output", "yaml");
}

static void test_config_capacity_rejects_serve_flags(void **state)
{
	(void)state;
	CAPACITY_ERROR("--listen", "unknown flag for headroom capacity", "--listen", "0.0.0.0:1");
	CAPACITY_ERROR("--tls-cert", "unknown flag for headroom capacity", "--tls-cert", "c");
	CAPACITY_ERROR("--tls-key", "unknown flag for headroom capacity", "--tls-key", "k");
	CAPACITY_ERROR("--client-ca", "unknown flag for headroom capacity", "--client-ca", "ca");
	CAPACITY_ERROR("--anonymous-read", "unknown flag for headroom capacity",
	               "--anonymous-read");
	CAPACITY_ERROR("--kubeconfig", "unknown flag for headroom capacity", "--kubeconfig", "k");
	CAPACITY_ERROR("--max-body-bytes", "unknown flag for headroom capacity", "--max-body-bytes",
	               "4096");
	CAPACITY_ERROR("--threads", "unknown flag for headroom capacity", "--threads", "4");
	CAPACITY_ERROR("--request-timeout-ms", "unknown flag for headroom capacity",
	               "--request-timeout-ms", "1000");
}

static void test_config_missing_value(void **state)
{
	(void)state;
	SERVE_ERROR("--listen", "needs a value", "--listen");
	SERVE_ERROR("--threads", "needs a value", "--threads");
	SERVE_ERROR("-v", "needs a value", "-v");
	expect_error("serve", ARGS("--tls-key", "k.pem", "--tls-cert"), "--tls-cert",
	             "needs a value");
	CAPACITY_ERROR("--snapshot", "needs a value", "--snapshot");
	CAPACITY_ERROR("--replicas", "needs a value", "--replicas");
	/* an alias is reported under the flag's long name */
	CAPACITY_ERROR("--output", "needs a value", "-o");
	expect_error("capacity", ARGS("--snapshot", "s", "-f"), "--filename", "needs a value");
}

/* ---- cross-flag rules ---- */

static void test_config_serve_needs_tls_cert_and_key(void **state)
{
	(void)state;
	const char *msg = "serve needs --tls-cert and --tls-key (HTTPS only)";
	expect_error("serve", 0, ARGV(NULL), "--tls-cert", msg);
	expect_error("serve", ARGS("--snapshot", "s.json"), "--tls-cert", msg);
	expect_error("serve", ARGS("--tls-key", "k.pem"), "--tls-cert", msg);
}

static void test_config_serve_missing_tls_key_names_tls_key(void **state)
{
	(void)state;
	/* --tls-cert was given: the flag missing is --tls-key */
	expect_error("serve", ARGS("--tls-cert", "c.pem"), "--tls-key",
	             "serve needs --tls-cert and --tls-key (HTTPS only)");
}

static void test_config_serve_snapshot_excludes_kubeconfig(void **state)
{
	(void)state;
	SERVE_ERROR("--snapshot", "give either --snapshot or --kubeconfig, not both", "--snapshot",
	            "s.json", "--kubeconfig", "kc");
	SERVE_ERROR("--snapshot", "give either --snapshot or --kubeconfig, not both",
	            "--kubeconfig=kc", "--snapshot=s.json");
}

static void test_config_anonymous_read_needs_client_ca(void **state)
{
	(void)state;
	SERVE_ERROR("--anonymous-read", "only makes sense with --client-ca", "--anonymous-read");
	struct xt_config cfg = PARSE_SERVE("--anonymous-read", "--client-ca", "ca.pem");
	assert_true(cfg.anonymous_read);
	assert_string_equal(cfg.client_ca, "ca.pem");
}

static void test_config_capacity_needs_snapshot(void **state)
{
	(void)state;
	expect_error("capacity", ARGS("-f", "p.yaml"), "--snapshot", "required");
	expect_error("capacity", 0, ARGV(NULL), "--snapshot", "required");
}

static void test_config_capacity_needs_pod_file(void **state)
{
	(void)state;
	expect_error("capacity", ARGS("--snapshot", "s.json"), "-f",
	             "required: the pod or workload file");
}

static void test_config_first_error_is_reported(void **state)
{
	(void)state;
	/* the bad flag comes before the missing required ones */
	expect_error("serve", ARGS("--threads", "0"), "--threads",
	             "\"0\": is not a thread count in [2, 1024]");
	expect_error("capacity", ARGS("-o", "xml"), "--output",
	             "\"xml\": want json, table or yaml");
}

/* ---- --help ---- */

static void test_config_help_needs_no_other_flag(void **state)
{
	(void)state;
	struct xt_config a = PARSE("serve", "--help");
	assert_true(a.show_help);
	struct xt_config b = PARSE("capacity", "--help");
	assert_true(b.show_help);
	struct xt_config c = PARSE("capacity", "-h");
	assert_true(c.show_help);
}

static void test_config_help_stops_parsing(void **state)
{
	(void)state;
	/* flags after --help are not looked at */
	struct xt_config cfg = PARSE("serve", "-v", "2", "--help", "--bogus");
	assert_true(cfg.show_help);
	assert_int_equal(cfg.verbosity, 2);
}

static void test_config_usage_texts(void **state)
{
	(void)state;
	const char *serve = xt_config_usage("serve");
	const char *capacity = xt_config_usage("capacity");
	const char *top = xt_config_usage("");
	assert_non_null(strstr(serve, "usage: headroom serve"));
	assert_non_null(strstr(capacity, "usage: headroom capacity"));
	assert_non_null(strstr(top, "usage: headroom <command>"));
	assert_string_equal(xt_config_usage(NULL), top);
	assert_string_equal(xt_config_usage("nope"), top);
}

/* True when text names flag as a word: after a space or '[', followed by a space, ',' or ']'. */
static bool mentions(const char *text, const char *flag)
{
	size_t n = strlen(flag);
	for (const char *p = strstr(text, flag); p; p = strstr(p + 1, flag)) {
		bool start = p == text || p[-1] == ' ' || p[-1] == '[' || p[-1] == '\n';
		bool end = p[n] == ' ' || p[n] == ',' || p[n] == ']' || p[n] == '\n';
		if (start && end)
			return true;
	}
	return false;
}

/* Every flag a command accepts appears in its --help text. */
static void test_config_usage_lists_every_accepted_flag(void **state)
{
	(void)state;
	static const char *const serve_flags[] = {"--listen",
	                                          "--tls-cert",
	                                          "--tls-key",
	                                          "--client-ca",
	                                          "--anonymous-read",
	                                          "--snapshot",
	                                          "--kubeconfig",
	                                          "--max-body-bytes",
	                                          "--threads",
	                                          "--request-timeout-ms",
	                                          "--keep-alive-timeout-ms",
	                                          "--cert-check-seconds",
	                                          "--allowed-client-names",
	                                          "--max-copies",
	                                          "--log-format",
	                                          "-v"};
	static const char *const capacity_flags[] = {"--snapshot", "-f",           "--filename",
	                                             "--replicas", "--max-copies", "-o",
	                                             "--output",   "--log-format", "-v"};
	char missing[256] = "";
	size_t n = 0;
	for (size_t i = 0; i < sizeof(serve_flags) / sizeof(serve_flags[0]); i++)
		if (!mentions(xt_config_usage("serve"), serve_flags[i]))
			n += (size_t)snprintf(missing + n, sizeof(missing) - n, " serve:%s",
			                      serve_flags[i]);
	for (size_t i = 0; i < sizeof(capacity_flags) / sizeof(capacity_flags[0]); i++)
		if (!mentions(xt_config_usage("capacity"), capacity_flags[i]))
			n += (size_t)snprintf(missing + n, sizeof(missing) - n, " capacity:%s",
			                      capacity_flags[i]);
	if (n)
		fail_msg("flags accepted but missing from --help:%s", missing);
}

/* ---- xt_split_listen ---- */

static void test_split_listen_ipv4(void **state)
{
	(void)state;
	char host[64];
	int port = -1;
	assert_true(xt_split_listen("127.0.0.1:8443", host, sizeof(host), &port));
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 8443);
	assert_true(xt_split_listen("0.0.0.0:1", host, sizeof(host), &port));
	assert_string_equal(host, "0.0.0.0");
	assert_int_equal(port, 1);
	assert_true(xt_split_listen("localhost:65535", host, sizeof(host), &port));
	assert_string_equal(host, "localhost");
	assert_int_equal(port, 65535);
}

static void test_split_listen_ipv6_brackets_removed(void **state)
{
	(void)state;
	char host[64];
	int port = -1;
	assert_true(xt_split_listen("[::1]:8443", host, sizeof(host), &port));
	assert_string_equal(host, "::1");
	assert_int_equal(port, 8443);
	assert_true(xt_split_listen("[fe80::1:2]:443", host, sizeof(host), &port));
	assert_string_equal(host, "fe80::1:2");
	assert_int_equal(port, 443);
	assert_true(xt_split_listen("[::]:8443", host, sizeof(host), &port));
	assert_string_equal(host, "::");
	assert_int_equal(port, 8443);
}

static void test_split_listen_rejects_bad_ports(void **state)
{
	(void)state;
	char host[64] = "untouched";
	int port = 77;
	assert_false(xt_split_listen("127.0.0.1:0", host, sizeof(host), &port));
	assert_false(xt_split_listen("127.0.0.1:65536", host, sizeof(host), &port));
	assert_false(xt_split_listen("127.0.0.1:x", host, sizeof(host), &port));
	assert_false(xt_split_listen("127.0.0.1:", host, sizeof(host), &port));
	assert_false(xt_split_listen("127.0.0.1:-1", host, sizeof(host), &port));
	assert_false(xt_split_listen("127.0.0.1:80x", host, sizeof(host), &port));
	assert_false(xt_split_listen("127.0.0.1:99999999999999999999", host, sizeof(host), &port));
	assert_false(xt_split_listen("[::1]", host, sizeof(host), &port));
	/* a failed split leaves the outputs alone */
	assert_string_equal(host, "untouched");
	assert_int_equal(port, 77);
}

static void test_split_listen_rejects_missing_colon(void **state)
{
	(void)state;
	char host[64];
	int port = 0;
	assert_false(xt_split_listen("127.0.0.1", host, sizeof(host), &port));
	assert_false(xt_split_listen("8443", host, sizeof(host), &port));
	assert_false(xt_split_listen("", host, sizeof(host), &port));
}

static void test_split_listen_host_must_fit(void **state)
{
	(void)state;
	char host[10];
	int port = 0;
	/* "localhost" is 9 bytes + NUL = 10: fits exactly */
	assert_true(xt_split_listen("localhost:80", host, sizeof(host), &port));
	assert_string_equal(host, "localhost");
	assert_false(xt_split_listen("localhost1:80", host, sizeof(host), &port));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_defaults),
	    cmocka_unit_test(test_config_serve_minimal_keeps_defaults),
	    cmocka_unit_test(test_config_capacity_minimal_keeps_defaults),
	    cmocka_unit_test(test_config_serve_every_flag_space_form),
	    cmocka_unit_test(test_config_serve_every_flag_equals_form),
	    cmocka_unit_test(test_config_serve_kubeconfig_both_forms),
	    cmocka_unit_test(test_config_equals_value_may_contain_equals_and_be_empty),
	    cmocka_unit_test(test_config_v_alias_double_dash),
	    cmocka_unit_test(test_config_later_flag_wins),
	    cmocka_unit_test(test_config_capacity_every_flag_space_form),
	    cmocka_unit_test(test_config_capacity_every_flag_equals_form),
	    cmocka_unit_test(test_config_capacity_short_aliases),
	    cmocka_unit_test(test_config_capacity_output_values),
	    cmocka_unit_test(test_config_snapshot_repeated_in_order),
	    cmocka_unit_test(test_config_snapshot_limit_is_16),
	    cmocka_unit_test(test_config_max_body_bytes_bounds),
	    cmocka_unit_test(test_config_threads_bounds),
	    cmocka_unit_test(test_config_request_timeout_bounds),
	    cmocka_unit_test(test_config_keep_alive_timeout_bounds),
	    cmocka_unit_test(test_config_cert_check_seconds_bounds),
	    cmocka_unit_test(test_config_allowed_client_names),
	    cmocka_unit_test(test_config_max_copies_bounds),
	    cmocka_unit_test(test_config_verbosity_bounds),
	    cmocka_unit_test(test_config_replicas_bounds),
	    cmocka_unit_test(test_config_log_format_rejects_other_values),
	    cmocka_unit_test(test_config_output_rejects_other_values),
	    cmocka_unit_test(test_config_listen_rejects_bad_address),
	    cmocka_unit_test(test_config_unknown_flag),
	    cmocka_unit_test(test_config_unknown_flag_equals_form_names_the_argument),
	    cmocka_unit_test(test_config_serve_rejects_capacity_flags),
	    cmocka_unit_test(test_config_capacity_rejects_serve_flags),
	    cmocka_unit_test(test_config_missing_value),
	    cmocka_unit_test(test_config_serve_needs_tls_cert_and_key),
	    cmocka_unit_test(test_config_serve_missing_tls_key_names_tls_key),
	    cmocka_unit_test(test_config_serve_snapshot_excludes_kubeconfig),
	    cmocka_unit_test(test_config_anonymous_read_needs_client_ca),
	    cmocka_unit_test(test_config_capacity_needs_snapshot),
	    cmocka_unit_test(test_config_capacity_needs_pod_file),
	    cmocka_unit_test(test_config_first_error_is_reported),
	    cmocka_unit_test(test_config_help_needs_no_other_flag),
	    cmocka_unit_test(test_config_help_stops_parsing),
	    cmocka_unit_test(test_config_usage_texts),
	    cmocka_unit_test(test_config_usage_lists_every_accepted_flag),
	    cmocka_unit_test(test_split_listen_ipv4),
	    cmocka_unit_test(test_split_listen_ipv6_brackets_removed),
	    cmocka_unit_test(test_split_listen_rejects_bad_ports),
	    cmocka_unit_test(test_split_listen_rejects_missing_colon),
	    cmocka_unit_test(test_split_listen_host_must_fit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
