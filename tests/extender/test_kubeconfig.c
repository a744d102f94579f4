/* test_kubeconfig.c: extender/kubeconfig.h, kubeconfig files and in-cluster configuration
 * (spec/extender-protocol.md §4.4, §4.5). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kubeconfig.h"

/* ---- helpers ---- */

/* A PEM certificate, a PEM key and a CA, with their base64 as kubectl prints it. */
static const char CA_PEM[] = "-----BEGIN CERTIFICATE-----\n"
                             "MIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhrM3Mtc2Vy\n"
                             "-----END CERTIFICATE-----\n";
static const char CA_B64[] =
    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJkekNDQVIyZ0F3SUJBZ0lCQURBS0JnZ3Foa2pPUFFRREFqQW"
    "pNU0V3SHdZRFZRUUREQmhyTTNNdGMyVnkKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=";
static const char CERT_PEM[] = "-----BEGIN CERTIFICATE-----\n"
                               "MIIBkTCB+wIJAKHBfpegPjMCMA0GCSqGSIb3DQEBCwUAMBExDzANBgNVBAMMBmNs\n"
                               "-----END CERTIFICATE-----\n";
static const char CERT_B64[] =
    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJrVENCK3dJSkFLSEJmcGVnUGpNQ01BMEdDU3FHU0liM0RRRU"
    "JDd1VBTUJFeER6QU5CZ05WQkFNTUJtTnMKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=";
static const char KEY_PEM[] = "-----BEGIN EC PRIVATE KEY-----\n"
                              "MHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CupfmWOs7LAwZLPTeoAoGCCqGSM49\n"
                              "-----END EC PRIVATE KEY-----\n";
static const char KEY_B64[] =
    "LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCk1IY0NBUUVFSUlyWVNTTlFGYUEySHdmMWR1UlN4S3RMWVg1Q3"
    "VwZm1XT3M3TEF3WkxQVGVvQW9HQ0NxR1NNNDkKLS0tLS1FTkQgRUMgUFJJVkFURSBLRVktLS0tLQo=";

/* A kubeconfig as `kubectl config view --raw` prints it: one cluster "c1", one user "u1",
 * one context "ctx1"; cluster and user fields are given as indented YAML lines. */
static char *kubeconfig(const char *cluster_fields, const char *user_fields)
{
	static char text[16384];
	int n = snprintf(text, sizeof(text),
	                 "apiVersion: v1\n"
	                 "clusters:\n"
	                 "- cluster:\n"
	                 "%s"
	                 "  name: c1\n"
	                 "contexts:\n"
	                 "- context:\n"
	                 "    cluster: c1\n"
	                 "    user: u1\n"
	                 "  name: ctx1\n"
	                 "current-context: ctx1\n"
	                 "kind: Config\n"
	                 "preferences: {}\n"
	                 "users:\n"
	                 "- name: u1\n"
	                 "  user:\n"
	                 "%s",
	                 cluster_fields, user_fields);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	return text;
}

#define SERVER "    server: https://10.0.0.1:6443\n"

/* Fills a target with garbage, as an uninitialised local would hold. */
static void poison(struct xt_kube_target *t)
{
	memset(t, 0xa5, sizeof(*t));
}

/* A failed call leaves the target empty, so xt_kube_target_fini is always safe. */
static void assert_emptied(const struct xt_kube_target *t)
{
	if (t->token || t->password || t->ca_pem || t->cert_pem || t->key_pem || t->server[0])
		fail_msg("the failed call left the target uninitialised or filled, so "
		         "xt_kube_target_fini would free garbage (token=%p server[0]=0x%02x)",
		         (void *)t->token, (unsigned char)t->server[0]);
	assert_null(t->token);
	assert_null(t->password);
	assert_null(t->ca_pem);
	assert_null(t->cert_pem);
	assert_null(t->key_pem);
	assert_string_equal(t->server, "");
	assert_string_equal(t->token_file, "");
}

static void parse_ok(const char *text, const char *dir, const char *context,
                     struct xt_kube_target *t)
{
	struct hr_err err;
	hr_err_clear(&err);
	enum hr_code rc = xt_kubeconfig_parse(text, strlen(text), dir, context, t, &err);
	if (rc != HR_OK)
		fail_msg("unexpected error %d: where=\"%s\" msg=\"%s\"", rc, err.where, err.msg);
	assert_int_equal(err.code, HR_OK);
}

/* Expects code with exactly where; msg must contain part (NULL: not checked). The target
 * is left empty. */
static void expect_error(const char *text, const char *context, enum hr_code code,
                         const char *where, const char *part)
{
	struct xt_kube_target t;
	struct hr_err err;
	hr_err_clear(&err);
	poison(&t);
	enum hr_code rc = xt_kubeconfig_parse(text, strlen(text), "/etc/hr", context, &t, &err);
	if (rc == HR_OK) {
		xt_kube_target_fini(&t);
		fail_msg("expected an error (%s)", where);
	}
	assert_int_equal(rc, code);
	assert_int_equal(err.code, code);
	assert_string_equal(err.where, where);
	if (part && !strstr(err.msg, part))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, part);
	assert_emptied(&t); /* nothing half-filled is left behind */
	xt_kube_target_fini(&t);
}

/* Standard base64 of n bytes; line breaks every wrap characters when wrap > 0. */
static char *b64(const unsigned char *in, size_t n, size_t wrap)
{
	static const char digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((n + 2) / 3 * 4 * 2 + 2);
	assert_non_null(out);
	size_t o = 0, col = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		char q[4] = {digits[(v >> 18) & 63], digits[(v >> 12) & 63],
		             i + 1 < n ? digits[(v >> 6) & 63] : '=',
		             i + 2 < n ? digits[v & 63] : '='};
		for (int k = 0; k < 4; k++) {
			if (wrap && col == wrap) {
				out[o++] = '\n';
				col = 0;
			}
			out[o++] = q[k];
			col++;
		}
	}
	out[o] = '\0';
	return out;
}

static char tmpdir[] = "/tmp/hr-kubeconfig-XXXXXX";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static int make_tmpdir(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	(void)state;
	char path[256];
	static const char *const names[] = {"config", "sub/config", "sa/token", "sa/ca.crt",
	                                    "sa/namespace"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/sub", tmpdir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sa", tmpdir);
	rmdir(path);
	return rmdir(tmpdir);
}

/* ---- a whole kubeconfig as kubectl writes it ---- */

static void test_kubeconfig_kind_cluster_with_embedded_certificates(void **state)
{
	(void)state;
	char text[4096];
	snprintf(text, sizeof(text),
	         "apiVersion: v1\n"
	         "clusters:\n"
	         "- cluster:\n"
	         "    certificate-authority-data: %s\n"
	         "    server: https://127.0.0.1:39211\n"
	         "  name: kind-kind\n"
	         "contexts:\n"
	         "- context:\n"
	         "    cluster: kind-kind\n"
	         "    user: kind-kind\n"
	         "  name: kind-kind\n"
	         "current-context: kind-kind\n"
	         "kind: Config\n"
	         "preferences: {}\n"
	         "users:\n"
	         "- name: kind-kind\n"
	         "  user:\n"
	         "    client-certificate-data: %s\n"
	         "    client-key-data: %s\n",
	         CA_B64, CERT_B64, KEY_B64);
	struct xt_kube_target t;
	parse_ok(text, "/home/me/.kube", NULL, &t);
	assert_string_equal(t.server, "https://127.0.0.1:39211");
	assert_int_equal(t.ca_pem_len, sizeof(CA_PEM) - 1);
	assert_memory_equal(t.ca_pem, CA_PEM, sizeof(CA_PEM) - 1);
	assert_int_equal(t.cert_pem_len, sizeof(CERT_PEM) - 1);
	assert_memory_equal(t.cert_pem, CERT_PEM, sizeof(CERT_PEM) - 1);
	assert_int_equal(t.key_pem_len, sizeof(KEY_PEM) - 1);
	assert_memory_equal(t.key_pem, KEY_PEM, sizeof(KEY_PEM) - 1);
	assert_string_equal(t.ca_file, "");
	assert_string_equal(t.cert_file, "");
	assert_string_equal(t.key_file, "");
	assert_null(t.token);
	assert_string_equal(t.token_file, "");
	assert_string_equal(t.username, "");
	assert_null(t.password);
	assert_false(t.insecure);
	assert_string_equal(t.namespace, "default");
	xt_kube_target_fini(&t);
	/* fini leaves an empty target */
	assert_null(t.ca_pem);
	assert_null(t.cert_pem);
	assert_null(t.key_pem);
	assert_string_equal(t.server, "");
}

static void test_kubeconfig_token_user(void **state)
{
	(void)state;
	struct xt_kube_target t;
	parse_ok(kubeconfig(SERVER "    certificate-authority: /etc/kubernetes/pki/ca.crt\n",
	                    "    token: eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJ4In0.c2ln\n"),
	         "/etc/hr", NULL, &t);
	assert_string_equal(t.server, "https://10.0.0.1:6443");
	assert_non_null(t.token);
	assert_string_equal(t.token, "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJ4In0.c2ln");
	assert_string_equal(t.token_file, "");
	assert_string_equal(t.ca_file, "/etc/kubernetes/pki/ca.crt");
	assert_null(t.ca_pem);
	assert_int_equal(t.ca_pem_len, 0);
	assert_string_equal(t.cert_file, "");
	assert_null(t.cert_pem);
	assert_false(t.insecure);
	xt_kube_target_fini(&t);
}

static void test_kubeconfig_token_file_relative_and_absolute(void **state)
{
	(void)state;
	struct xt_kube_target t;
	parse_ok(kubeconfig(SERVER "    certificate-authority: pki/ca.crt\n",
	                    "    tokenFile: secrets/token\n"),
	         "/etc/hr", NULL, &t);
	assert_string_equal(t.token_file, "/etc/hr/secrets/token");
	assert_string_equal(t.ca_file, "/etc/hr/pki/ca.crt");
	assert_null(t.token);
	xt_kube_target_fini(&t);

	parse_ok(kubeconfig(SERVER, "    tokenFile: /var/run/token\n"), "/etc/hr", NULL, &t);
	assert_string_equal(t.token_file, "/var/run/token");
	assert_null(t.token);
	xt_kube_target_fini(&t);

	/* no folder given: the path is kept as written */
	parse_ok(kubeconfig(SERVER, "    tokenFile: token\n"), NULL, NULL, &t);
	assert_string_equal(t.token_file, "token");
	xt_kube_target_fini(&t);
}

static void test_kubeconfig_client_certificate_files(void **state)
{
	(void)state;
	struct xt_kube_target t;
	parse_ok(kubeconfig(SERVER, "    client-certificate: certs/client.crt\n"
	                            "    client-key: /secure/client.key\n"),
	         "/home/me/.kube", NULL, &t);
	assert_string_equal(t.cert_file, "/home/me/.kube/certs/client.crt");
	assert_string_equal(t.key_file, "/secure/client.key");
	assert_null(t.cert_pem);
	assert_null(t.key_pem);
	assert_int_equal(t.cert_pem_len, 0);
	assert_int_equal(t.key_pem_len, 0);
	xt_kube_target_fini(&t);

	parse_ok(kubeconfig(SERVER, "    client-certificate: /pki/admin.crt\n"
	                            "    client-key: admin.key\n"),
	         "/home/me/.kube", NULL, &t);
	assert_string_equal(t.cert_file, "/pki/admin.crt");
	assert_string_equal(t.key_file, "/home/me/.kube/admin.key");
	xt_kube_target_fini(&t);
}

static void test_kubeconfig_data_wins_over_file(void **state)
{
	(void)state;
	char cluster[1024], user[1024];
	snprintf(cluster, sizeof(cluster),
	         SERVER "    certificate-authority: ca.crt\n"
	                "    certificate-authority-data: %s\n",
	         CA_B64);
	snprintf(user, sizeof(user),
	         "    client-certificate: c.crt\n"
	         "    client-certificate-data: %s\n"
	         "    client-key: c.key\n"
	         "    client-key-data: %s\n",
	         CERT_B64, KEY_B64);
	struct xt_kube_target t;
	parse_ok(kubeconfig(cluster, user), "/d", NULL, &t);
	assert_string_equal(t.ca_file, "");
	assert_string_equal(t.cert_file, "");
	assert_string_equal(t.key_file, "");
	assert_memory_equal(t.ca_pem, CA_PEM, sizeof(CA_PEM) - 1);
	assert_memory_equal(t.cert_pem, CERT_PEM, sizeof(CERT_PEM) - 1);
	assert_memory_equal(t.key_pem, KEY_PEM, sizeof(KEY_PEM) - 1);
	xt_kube_target_fini(&t);
}

/* ---- base64 ---- */

/* Decodes b64 through certificate-authority-data and checks the bytes. */
static void check_ca_data(const char *yaml_value, const void *want, size_t want_len)
{
	size_t size = strlen(yaml_value) + 256;
	char *cluster = malloc(size);
	assert_non_null(cluster);
	snprintf(cluster, size, SERVER "    certificate-authority-data: %s\n", yaml_value);
	struct xt_kube_target t;
	parse_ok(kubeconfig(cluster, "    token: t\n"), "/d", NULL, &t);
	free(cluster);
	assert_non_null(t.ca_pem);
	assert_int_equal(t.ca_pem_len, want_len);
	if (want_len)
		assert_memory_equal(t.ca_pem, want, want_len);
	assert_string_equal(t.ca_file, "");
	xt_kube_target_fini(&t);
}

static void test_kubeconfig_base64_rfc4648_vectors(void **state)
{
	(void)state;
	check_ca_data("Zg==", "f", 1);
	check_ca_data("Zm8=", "fo", 2);
	check_ca_data("Zm9v", "foo", 3);
	check_ca_data("Zm9vYg==", "foob", 4);
	check_ca_data("Zm9vYmE=", "fooba", 5);
	check_ca_data("Zm9vYmFy", "foobar", 6);
	/* every digit, including + and / */
	check_ca_data("+/+/", "\xfb\xff\xbf", 3);
	check_ca_data("AAEC", "\x00\x01\x02", 3);
}

static void test_kubeconfig_base64_all_byte_values_and_lengths(void **state)
{
	(void)state;
	unsigned char bytes[256];
	for (int i = 0; i < 256; i++)
		bytes[i] = (unsigned char)(255 - i);
	for (size_t n = 1; n <= 256; n += (n < 10 ? 1 : 41)) {
		char *enc = b64(bytes, n, 0);
		check_ca_data(enc, bytes, n);
		free(enc);
	}
}

static void test_kubeconfig_base64_with_line_breaks(void **state)
{
	(void)state;
	/* a literal block scalar keeps the line breaks: base64 as `base64` prints it */
	char *wrapped = b64((const unsigned char *)CA_PEM, sizeof(CA_PEM) - 1, 76);
	assert_non_null(strchr(wrapped, '\n'));
	char cluster[2048], block[1024];
	size_t o = 0;
	for (const char *p = wrapped; *p; p++) { /* indent every line of the block */
		if (o == 0 || p[-1] == '\n')
			o += (size_t)snprintf(block + o, sizeof(block) - o, "      ");
		block[o++] = *p;
	}
	block[o] = '\0';
	snprintf(cluster, sizeof(cluster),
	         SERVER "    certificate-authority-data: |\n"
	                "%s\n",
	         block);
	free(wrapped);
	struct xt_kube_target t;
	parse_ok(kubeconfig(cluster, "    token: t\n"), "/d", NULL, &t);
	assert_int_equal(t.ca_pem_len, sizeof(CA_PEM) - 1);
	assert_memory_equal(t.ca_pem, CA_PEM, sizeof(CA_PEM) - 1);
	xt_kube_target_fini(&t);

	/* a plain scalar over several lines folds the breaks into spaces */
	char user[1024];
	snprintf(user, sizeof(user),
	         "    client-certificate-data: %.60s\n"
	         "      %s\n"
	         "    client-key-data: %.40s\r\n"
	         "      %s\n",
	         CERT_B64, CERT_B64 + 60, KEY_B64, KEY_B64 + 40);
	parse_ok(kubeconfig(SERVER, user), "/d", NULL, &t);
	assert_int_equal(t.cert_pem_len, sizeof(CERT_PEM) - 1);
	assert_memory_equal(t.cert_pem, CERT_PEM, sizeof(CERT_PEM) - 1);
	assert_int_equal(t.key_pem_len, sizeof(KEY_PEM) - 1);
	assert_memory_equal(t.key_pem, KEY_PEM, sizeof(KEY_PEM) - 1);
	xt_kube_target_fini(&t);

	/* CRLF line ends inside a double-quoted value */
	check_ca_data("\"Zm9v\\r\\nYmFy\"", "foobar", 6);
	check_ca_data("\"Zm9v\\tYmFy \"", "foobar", 6);
}

static void test_kubeconfig_bad_base64_names_the_field(void **state)
{
	(void)state;
	expect_error(kubeconfig(SERVER "    certificate-authority-data: not*base64\n", ""), NULL,
	             HR_EINVAL, "clusters[c1].cluster",
	             "certificate-authority-data is not valid base64");
	char user[512];
	snprintf(user, sizeof(user),
	         "    client-certificate-data: Zm9v-YmFy\n"
	         "    client-key-data: %s\n",
	         KEY_B64);
	expect_error(kubeconfig(SERVER, user), NULL, HR_EINVAL, "users[u1].user",
	             "client-certificate-data is not valid base64");
	snprintf(user, sizeof(user),
	         "    client-certificate-data: %s\n"
	         "    client-key-data: Zm9v_\n",
	         CERT_B64);
	expect_error(kubeconfig(SERVER, user), NULL, HR_EINVAL, "users[u1].user",
	             "client-key-data is not valid base64");
	/* digits after the padding */
	expect_error(kubeconfig(SERVER "    certificate-authority-data: Zg==Zg==\n", ""), NULL,
	             HR_EINVAL, "clusters[c1].cluster",
	             "certificate-authority-data is not valid base64");
	/* non-ASCII */
	expect_error(kubeconfig(SERVER "    certificate-authority-data: Zm9v\xc3\xa9\n", ""), NULL,
	             HR_EINVAL, "clusters[c1].cluster",
	             "certificate-authority-data is not valid base64");
}

/* A length of 1 mod 4 is never base64: its last digit holds only 6 of a byte's 8 bits, so
 * the text was cut (a truncated certificate must not be accepted as a shorter one). */
static void test_kubeconfig_truncated_base64_rejected(void **state)
{
	(void)state;
	expect_error(kubeconfig(SERVER "    certificate-authority-data: Zm9vY\n", ""), NULL,
	             HR_EINVAL, "clusters[c1].cluster",
	             "certificate-authority-data is not valid base64");
	expect_error(kubeconfig(SERVER "    certificate-authority-data: Q\n", ""), NULL, HR_EINVAL,
	             "clusters[c1].cluster", "certificate-authority-data is not valid base64");
}

/* ---- cluster fields ---- */

static void test_kubeconfig_insecure_skip_tls_verify(void **state)
{
	(void)state;
	struct xt_kube_target t;
	parse_ok(kubeconfig(SERVER "    insecure-skip-tls-verify: true\n", "    token: t\n"), "/d",
	         NULL, &t);
	assert_true(t.insecure);
	assert_string_equal(t.ca_file, "");
	assert_null(t.ca_pem);
	xt_kube_target_fini(&t);

	parse_ok(kubeconfig(SERVER "    insecure-skip-tls-verify: false\n", "    token: t\n"), "/d",
	         NULL, &t);
	assert_false(t.insecure);
	xt_kube_target_fini(&t);

	parse_ok(kubeconfig(SERVER, "    token: t\n"), "/d", NULL, &t);
	assert_false(t.insecure);
	xt_kube_target_fini(&t);
}

static void test_kubeconfig_server_trailing_slashes_stripped(void **state)
{
	(void)state;
	static const struct {
		const char *written, *want;
	} cases[] = {
	    {"https://10.0.0.1:6443/", "https://10.0.0.1:6443"},
	    {"https://api.example.com//", "https://api.example.com"},
	    {"https://api.example.com/k8s/clusters/c-1/",
	     "https://api.example.com/k8s/clusters/c-1"},
	    {"https://[fd00::1]:6443", "https://[fd00::1]:6443"},
	    {"https://h", "https://h"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char cluster[256];
		snprintf(cluster, sizeof(cluster), "    server: %s\n", cases[i].written);
		struct xt_kube_target t;
		parse_ok(kubeconfig(cluster, "    token: t\n"), "/d", NULL, &t);
		assert_string_equal(t.server, cases[i].want);
		xt_kube_target_fini(&t);
	}
}

static void test_kubeconfig_http_server_rejected(void **state)
{
	(void)state;
	expect_error(kubeconfig("    server: http://10.0.0.1:8080\n", ""), NULL, HR_EINVAL,
	             "clusters[c1].cluster", "(got \"http://10.0.0.1:8080\")");
	expect_error(kubeconfig("    server: http://10.0.0.1:8080\n", ""), NULL, HR_EINVAL,
	             "clusters[c1].cluster", "https://");
	/* no server at all */
	expect_error(kubeconfig("    insecure-skip-tls-verify: true\n", ""), NULL, HR_EINVAL,
	             "clusters[c1].cluster", "server must be an https:// URL");
	expect_error(kubeconfig("    server: 10.0.0.1:6443\n", ""), NULL, HR_EINVAL,
	             "clusters[c1].cluster", "(got \"10.0.0.1:6443\")");
}

static void test_kubeconfig_proxy_url_rejected(void **state)
{
	(void)state;
	expect_error(kubeconfig(SERVER "    proxy-url: http://proxy:3128\n", "    token: t\n"),
	             NULL, HR_EUNSUPPORTED, "clusters[c1].cluster", "proxy-url is not supported");
}

static void test_kubeconfig_tls_server_name_rejected(void **state)
{
	(void)state;
	expect_error(
	    kubeconfig(SERVER "    tls-server-name: kubernetes.default\n", "    token: t\n"), NULL,
	    HR_EUNSUPPORTED, "clusters[c1].cluster", "tls-server-name is not supported");
}

/* ---- user fields ---- */

static void test_kubeconfig_username_password(void **state)
{
	(void)state;
	struct xt_kube_target t;
	parse_ok(kubeconfig(SERVER, "    password: s3cr:et\n"
	                            "    username: admin\n"),
	         "/d", NULL, &t);
	assert_string_equal(t.username, "admin");
	assert_non_null(t.password);
	assert_string_equal(t.password, "s3cr:et");
	assert_null(t.token);
	xt_kube_target_fini(&t);
	assert_null(t.password);
	assert_string_equal(t.username, "");

	/* a username alone has an empty password */
	parse_ok(kubeconfig(SERVER, "    username: admin\n"), "/d", NULL, &t);
	assert_string_equal(t.username, "admin");
	assert_non_null(t.password);
	assert_string_equal(t.password, "");
	xt_kube_target_fini(&t);
}

static void test_kubeconfig_user_without_credentials(void **state)
{
	(void)state;
	/* kubectl writes "user: {}" for a user with nothing set */
	const char *text = "apiVersion: v1\n"
	                   "clusters:\n"
	                   "- cluster:\n"
	                   "    server: https://10.0.0.1:6443\n"
	                   "  name: c1\n"
	                   "contexts:\n"
	                   "- context:\n"
	                   "    cluster: c1\n"
	                   "    user: nobody\n"
	                   "  name: ctx1\n"
	                   "current-context: ctx1\n"
	                   "kind: Config\n"
	                   "preferences: {}\n"
	                   "users:\n"
	                   "- name: nobody\n"
	                   "  user: {}\n";
	struct xt_kube_target t;
	parse_ok(text, "/d", NULL, &t);
	assert_string_equal(t.server, "https://10.0.0.1:6443");
	assert_null(t.token);
	assert_string_equal(t.token_file, "");
	assert_string_equal(t.cert_file, "");
	assert_string_equal(t.username, "");
	xt_kube_target_fini(&t);
}

static void test_kubeconfig_certificate_without_key_rejected(void **state)
{
	(void)state;
	expect_error(kubeconfig(SERVER, "    client-certificate: c.crt\n"), NULL, HR_EINVAL,
	             "users[u1].user",
	             "a client certificate needs both the certificate and the key");
	expect_error(kubeconfig(SERVER, "    client-key: c.key\n"), NULL, HR_EINVAL,
	             "users[u1].user", "needs both the certificate and the key");
	char user[512];
	snprintf(user, sizeof(user), "    client-certificate-data: %s\n", CERT_B64);
	expect_error(kubeconfig(SERVER, user), NULL, HR_EINVAL, "users[u1].user",
	             "needs both the certificate and the key");
	snprintf(user, sizeof(user), "    client-key-data: %s\n", KEY_B64);
	expect_error(kubeconfig(SERVER, user), NULL, HR_EINVAL, "users[u1].user",
	             "needs both the certificate and the key");
}

static void test_kubeconfig_exec_plugin_rejected(void **state)
{
	(void)state;
	/* what `aws eks update-kubeconfig` writes */
	expect_error(kubeconfig(SERVER, "    exec:\n"
	                                "      apiVersion: client.authentication.k8s.io/v1beta1\n"
	                                "      args:\n"
	                                "      - eks\n"
	                                "      - get-token\n"
	                                "      command: aws\n"
	                                "      interactiveMode: IfAvailable\n"
	                                "      provideClusterInfo: false\n"),
	             NULL, HR_EUNSUPPORTED, "users[u1].user", "exec is not supported");
}

static void test_kubeconfig_auth_provider_rejected(void **state)
{
	(void)state;
	expect_error(kubeconfig(SERVER, "    auth-provider:\n"
	                                "      config:\n"
	                                "        cmd-path: /usr/bin/gcloud\n"
	                                "      name: gcp\n"),
	             NULL, HR_EUNSUPPORTED, "users[u1].user", "auth-provider is not supported");
}

/* ---- contexts ---- */

static const char MULTI[] = "apiVersion: v1\n"
                            "clusters:\n"
                            "- cluster:\n"
                            "    server: https://dev.example.com:6443/\n"
                            "  name: dev\n"
                            "- cluster:\n"
                            "    insecure-skip-tls-verify: true\n"
                            "    server: https://prod.example.com\n"
                            "  name: prod\n"
                            "contexts:\n"
                            "- context:\n"
                            "    cluster: dev\n"
                            "    namespace: team-a\n"
                            "    user: dev-user\n"
                            "  name: dev\n"
                            "- context:\n"
                            "    cluster: prod\n"
                            "    namespace: kube-system\n"
                            "    user: prod-admin\n"
                            "  name: prod-admin@prod\n"
                            "- context:\n"
                            "    cluster: prod\n"
                            "    user: prod-admin\n"
                            "  name: prod-nons\n"
                            "- context:\n"
                            "    cluster: staging\n"
                            "    user: dev-user\n"
                            "  name: no-cluster\n"
                            "- context:\n"
                            "    cluster: dev\n"
                            "    user: ghost\n"
                            "  name: no-user\n"
                            "current-context: dev\n"
                            "kind: Config\n"
                            "preferences: {}\n"
                            "users:\n"
                            "- name: dev-user\n"
                            "  user:\n"
                            "    token: dev-token\n"
                            "- name: prod-admin\n"
                            "  user:\n"
                            "    tokenFile: prod/token\n";

/* text with the first `from` replaced by `to` (a static buffer). */
static const char *replaced(const char *text, const char *from, const char *to)
{
	static char out[16384];
	const char *at = strstr(text, from);
	assert_non_null(at);
	int n =
	    snprintf(out, sizeof(out), "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	assert_true(n > 0 && (size_t)n < sizeof(out));
	return out;
}

static void test_kubeconfig_current_context(void **state)
{
	(void)state;
	struct xt_kube_target t;
	parse_ok(MULTI, "/k", NULL, &t);
	assert_string_equal(t.server, "https://dev.example.com:6443");
	assert_string_equal(t.token, "dev-token");
	assert_string_equal(t.token_file, "");
	assert_false(t.insecure);
	assert_string_equal(t.namespace, "team-a");
	xt_kube_target_fini(&t);
}

static void test_kubeconfig_explicit_context_wins(void **state)
{
	(void)state;
	struct xt_kube_target t;
	parse_ok(MULTI, "/k", "prod-admin@prod", &t);
	assert_string_equal(t.server, "https://prod.example.com");
	assert_null(t.token);
	assert_string_equal(t.token_file, "/k/prod/token");
	assert_true(t.insecure);
	assert_string_equal(t.namespace, "kube-system");
	xt_kube_target_fini(&t);

	/* a context without a namespace */
	parse_ok(MULTI, "/k", "prod-nons", &t);
	assert_string_equal(t.server, "https://prod.example.com");
	assert_string_equal(t.namespace, "default");
	xt_kube_target_fini(&t);

	/* naming the current context explicitly gives the same */
	parse_ok(MULTI, "/k", "dev", &t);
	assert_string_equal(t.server, "https://dev.example.com:6443");
	assert_string_equal(t.namespace, "team-a");
	xt_kube_target_fini(&t);
}

static void test_kubeconfig_unknown_context(void **state)
{
	(void)state;
	expect_error(MULTI, "staging", HR_EINVAL, "contexts", "no context named \"staging\"");
	/* current-context naming a context that is not there */
	expect_error(replaced(MULTI, "current-context: dev\n", "current-context: dex\n"), NULL,
	             HR_EINVAL, "contexts", "no context named \"dex\"");
}

static void test_kubeconfig_missing_current_context(void **state)
{
	(void)state;
	const char *none = replaced(MULTI, "current-context: dev\n", "");
	expect_error(none, NULL, HR_EINVAL, "current-context", "not set");
	/* kubectl writes current-context: "" when none is set */
	expect_error(replaced(MULTI, "current-context: dev\n", "current-context: \"\"\n"), NULL,
	             HR_EINVAL, "current-context", "not set");
	/* but an explicit context is enough */
	struct xt_kube_target t;
	parse_ok(replaced(MULTI, "current-context: dev\n", ""), "/k", "prod-nons", &t);
	assert_string_equal(t.server, "https://prod.example.com");
	xt_kube_target_fini(&t);
}

static void test_kubeconfig_context_naming_missing_cluster_or_user(void **state)
{
	(void)state;
	expect_error(MULTI, "no-cluster", HR_EINVAL, "clusters", "no cluster named \"staging\"");
	expect_error(MULTI, "no-user", HR_EINVAL, "users", "no user named \"ghost\"");
	/* no clusters list at all */
	expect_error("apiVersion: v1\n"
	             "contexts:\n"
	             "- context:\n"
	             "    cluster: c\n"
	             "  name: x\n"
	             "current-context: x\n"
	             "kind: Config\n",
	             NULL, HR_EINVAL, "clusters", "no cluster named \"c\"");
}

/* ---- malformed documents ---- */

static void test_kubeconfig_not_a_mapping(void **state)
{
	(void)state;
	expect_error("- apiVersion: v1\n- kind: Config\n", NULL, HR_EINVAL, "",
	             "a kubeconfig must be a mapping");
	expect_error("just some text\n", NULL, HR_EINVAL, "", "a kubeconfig must be a mapping");
}

static void test_kubeconfig_yaml_syntax_error(void **state)
{
	(void)state;
	struct xt_kube_target t;
	struct hr_err err;
	hr_err_clear(&err);
	const char *text = "apiVersion: v1\n"
	                   "clusters:\n"
	                   "- cluster:\n"
	                   "    server: [https://x\n"
	                   "  name: c1\n";
	poison(&t);
	enum hr_code rc = xt_kubeconfig_parse(text, strlen(text), "/d", NULL, &t, &err);
	assert_int_equal(rc, HR_EINVAL);
	assert_int_equal(err.code, HR_EINVAL);
	if (strncmp(err.msg, "line ", 5) != 0)
		fail_msg("message \"%s\" does not give the line", err.msg);
	assert_emptied(&t);
	xt_kube_target_fini(&t);

	/* an empty file */
	hr_err_clear(&err);
	poison(&t);
	rc = xt_kubeconfig_parse("", 0, "/d", NULL, &t, &err);
	assert_int_equal(rc, HR_EINVAL);
	assert_int_equal(err.code, HR_EINVAL);
	assert_emptied(&t);
	xt_kube_target_fini(&t);
}

/* ---- files ---- */

static void test_kubeconfig_load_resolves_against_its_folder(void **state)
{
	(void)state;
	char path[320], sub[256];
	snprintf(sub, sizeof(sub), "%s/sub", tmpdir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/config", sub);
	write_file(path, MULTI);

	struct xt_kube_target t;
	struct hr_err err;
	hr_err_clear(&err);
	assert_int_equal(xt_kubeconfig_load(path, "prod-admin@prod", &t, &err), HR_OK);
	char want[512];
	snprintf(want, sizeof(want), "%s/prod/token", sub);
	assert_string_equal(t.token_file, want);
	assert_string_equal(t.server, "https://prod.example.com");
	assert_string_equal(t.namespace, "kube-system");
	assert_true(t.insecure);
	snprintf(want, sizeof(want), "kubeconfig %s", path);
	assert_int_equal(strncmp(t.description, want, strlen(want)), 0);
	xt_kube_target_fini(&t);

	hr_err_clear(&err);
	assert_int_equal(xt_kubeconfig_load(path, NULL, &t, &err), HR_OK);
	assert_string_equal(t.token, "dev-token");
	xt_kube_target_fini(&t);
}

/* kubeconfig.h: description is "kubeconfig FILE (context X)". */
static void test_kubeconfig_load_description_names_the_context(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof(path), "%s/config", tmpdir);
	write_file(path, MULTI);
	struct xt_kube_target t;
	struct hr_err err;
	hr_err_clear(&err);
	assert_int_equal(xt_kubeconfig_load(path, "prod-nons", &t, &err), HR_OK);
	char want[512];
	snprintf(want, sizeof(want), "kubeconfig %s (context prod-nons)", path);
	assert_string_equal(t.description, want);
	xt_kube_target_fini(&t);
}

static void test_kubeconfig_load_errors_name_the_file(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof(path), "%s/config", tmpdir);
	write_file(path, MULTI);
	struct xt_kube_target t;
	struct hr_err err;
	hr_err_clear(&err);
	poison(&t);
	assert_int_equal(xt_kubeconfig_load(path, "no-user", &t, &err), HR_EINVAL);
	char want[512];
	snprintf(want, sizeof(want), "%s: users", path);
	assert_string_equal(err.where, want);
	assert_string_equal(err.msg, "no user named \"ghost\"");
	assert_emptied(&t);
	xt_kube_target_fini(&t);

	write_file(path, kubeconfig(SERVER, "    exec:\n      command: aws\n"));
	hr_err_clear(&err);
	poison(&t);
	assert_int_equal(xt_kubeconfig_load(path, NULL, &t, &err), HR_EUNSUPPORTED);
	snprintf(want, sizeof(want), "%s: users[u1].user", path);
	assert_string_equal(err.where, want);
	assert_non_null(strstr(err.msg, "exec"));
	assert_emptied(&t);
	xt_kube_target_fini(&t);

	/* a YAML syntax error and a document that is not a mapping: where is the file */
	write_file(path, "apiVersion: v1\nclusters: [\n");
	hr_err_clear(&err);
	poison(&t);
	assert_int_equal(xt_kubeconfig_load(path, NULL, &t, &err), HR_EINVAL);
	assert_int_equal(strncmp(err.where, path, strlen(path)), 0);
	assert_int_equal(strncmp(err.msg, "line ", 5), 0);
	assert_emptied(&t);
	xt_kube_target_fini(&t);

	write_file(path, "- a\n- b\n");
	hr_err_clear(&err);
	poison(&t);
	assert_int_equal(xt_kubeconfig_load(path, NULL, &t, &err), HR_EINVAL);
	assert_string_equal(err.where, path);
	assert_string_equal(err.msg, "a kubeconfig must be a mapping");
	assert_emptied(&t);
	xt_kube_target_fini(&t);
}

static void test_kubeconfig_load_missing_file(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof(path), "%s/absent/config", tmpdir);
	struct xt_kube_target t;
	struct hr_err err;
	hr_err_clear(&err);
	poison(&t);
	assert_int_equal(xt_kubeconfig_load(path, NULL, &t, &err), HR_EINVAL);
	assert_int_equal(err.code, HR_EINVAL);
	assert_string_equal(err.where, path);
	assert_string_equal(err.msg, "cannot open: No such file or directory");
	assert_emptied(&t); /* so the caller may always call xt_kube_target_fini */
	xt_kube_target_fini(&t);
}

/* ---- in-cluster ---- */

static void clear_env(void)
{
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	unsetenv("POD_NAMESPACE");
}

static void test_in_cluster_ipv4(void **state)
{
	(void)state;
	clear_env();
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	struct xt_kube_target t;
	struct hr_err err;
	hr_err_clear(&err);
	assert_int_equal(xt_kube_in_cluster("/run/sa", &t, &err), HR_OK);
	assert_int_equal(err.code, HR_OK);
	assert_string_equal(t.server, "https://10.96.0.1:443");
	assert_string_equal(t.token_file, "/run/sa/token");
	assert_string_equal(t.ca_file, "/run/sa/ca.crt");
	assert_null(t.token);
	assert_null(t.ca_pem);
	assert_null(t.cert_pem);
	assert_string_equal(t.cert_file, "");
	assert_false(t.insecure);
	xt_kube_target_fini(&t);
	clear_env();
}

static void test_in_cluster_ipv6_host_in_brackets(void **state)
{
	(void)state;
	clear_env();
	setenv("KUBERNETES_SERVICE_HOST", "fd00:10:96::1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "6443", 1);
	struct xt_kube_target t;
	struct hr_err err;
	hr_err_clear(&err);
	assert_int_equal(xt_kube_in_cluster("/sa", &t, &err), HR_OK);
	assert_string_equal(t.server, "https://[fd00:10:96::1]:6443");
	assert_string_equal(t.token_file, "/sa/token");
	assert_string_equal(t.ca_file, "/sa/ca.crt");
	xt_kube_target_fini(&t);
	clear_env();
}

static void test_in_cluster_default_service_account_folder(void **state)
{
	(void)state;
	clear_env();
	setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	struct xt_kube_target t;
	struct hr_err err;
	hr_err_clear(&err);
	assert_int_equal(xt_kube_in_cluster(NULL, &t, &err), HR_OK);
	assert_string_equal(t.token_file, "/var/run/secrets/kubernetes.io/serviceaccount/token");
	assert_string_equal(t.ca_file, "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
	xt_kube_target_fini(&t);
	clear_env();
}

static void test_in_cluster_namespace_from_env(void **state)
{
	(void)state;
	clear_env();
	setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	setenv("POD_NAMESPACE", "headroom-system", 1);
	struct xt_kube_target t;
	struct hr_err err;
	hr_err_clear(&err);
	assert_int_equal(xt_kube_in_cluster("/sa", &t, &err), HR_OK);
	assert_string_equal(t.namespace, "headroom-system");
	xt_kube_target_fini(&t);
	clear_env();
}

/* spec/extender-protocol.md §4.4: POD_NAMESPACE if set, else the service account's
 * namespace file. */
static void test_in_cluster_namespace_from_service_account_file(void **state)
{
	(void)state;
	char sa[256], path[300];
	snprintf(sa, sizeof(sa), "%s/sa", tmpdir);
	assert_int_equal(mkdir(sa, 0700), 0);
	snprintf(path, sizeof(path), "%s/namespace", sa);
	write_file(path, "headroom-system");
	snprintf(path, sizeof(path), "%s/token", sa);
	write_file(path, "tok\n");
	snprintf(path, sizeof(path), "%s/ca.crt", sa);
	write_file(path, CA_PEM);
	clear_env();
	setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	struct xt_kube_target t;
	struct hr_err err;
	hr_err_clear(&err);
	assert_int_equal(xt_kube_in_cluster(sa, &t, &err), HR_OK);
	snprintf(path, sizeof(path), "%s/token", sa);
	assert_string_equal(t.token_file, path);
	assert_string_equal(t.namespace, "headroom-system");
	xt_kube_target_fini(&t);
	clear_env();
}

static void test_in_cluster_without_env_is_an_error(void **state)
{
	(void)state;
	struct xt_kube_target t;
	struct hr_err err;
	static const char *const hosts[] = {NULL, "", "10.0.0.1", "10.0.0.1"};
	static const char *const ports[] = {NULL, "443", NULL, ""};
	for (size_t i = 0; i < 4; i++) {
		clear_env();
		if (hosts[i])
			setenv("KUBERNETES_SERVICE_HOST", hosts[i], 1);
		if (ports[i])
			setenv("KUBERNETES_SERVICE_PORT", ports[i], 1);
		hr_err_clear(&err);
		poison(&t);
		assert_int_equal(xt_kube_in_cluster("/sa", &t, &err), HR_EINVAL);
		assert_int_equal(err.code, HR_EINVAL);
		assert_string_equal(err.where, "KUBERNETES_SERVICE_HOST");
		assert_non_null(strstr(err.msg, "KUBERNETES_SERVICE_HOST"));
		assert_emptied(&t);
		xt_kube_target_fini(&t);
	}
	clear_env();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kubeconfig_kind_cluster_with_embedded_certificates),
	    cmocka_unit_test(test_kubeconfig_token_user),
	    cmocka_unit_test(test_kubeconfig_token_file_relative_and_absolute),
	    cmocka_unit_test(test_kubeconfig_client_certificate_files),
	    cmocka_unit_test(test_kubeconfig_data_wins_over_file),
	    cmocka_unit_test(test_kubeconfig_base64_rfc4648_vectors),
	    cmocka_unit_test(test_kubeconfig_base64_all_byte_values_and_lengths),
	    cmocka_unit_test(test_kubeconfig_base64_with_line_breaks),
	    cmocka_unit_test(test_kubeconfig_bad_base64_names_the_field),
	    cmocka_unit_test(test_kubeconfig_truncated_base64_rejected),
	    cmocka_unit_test(test_kubeconfig_insecure_skip_tls_verify),
	    cmocka_unit_test(test_kubeconfig_server_trailing_slashes_stripped),
	    cmocka_unit_test(test_kubeconfig_http_server_rejected),
	    cmocka_unit_test(test_kubeconfig_proxy_url_rejected),
	    cmocka_unit_test(test_kubeconfig_tls_server_name_rejected),
	    cmocka_unit_test(test_kubeconfig_username_password),
	    cmocka_unit_test(test_kubeconfig_user_without_credentials),
	    cmocka_unit_test(test_kubeconfig_certificate_without_key_rejected),
	    cmocka_unit_test(test_kubeconfig_exec_plugin_rejected),
	    cmocka_unit_test(test_kubeconfig_auth_provider_rejected),
	    cmocka_unit_test(test_kubeconfig_current_context),
	    cmocka_unit_test(test_kubeconfig_explicit_context_wins),
	    cmocka_unit_test(test_kubeconfig_unknown_context),
	    cmocka_unit_test(test_kubeconfig_missing_current_context),
	    cmocka_unit_test(test_kubeconfig_context_naming_missing_cluster_or_user),
	    cmocka_unit_test(test_kubeconfig_not_a_mapping),
	    cmocka_unit_test(test_kubeconfig_yaml_syntax_error),
	    cmocka_unit_test(test_kubeconfig_load_resolves_against_its_folder),
	    cmocka_unit_test(test_kubeconfig_load_description_names_the_context),
	    cmocka_unit_test(test_kubeconfig_load_errors_name_the_file),
	    cmocka_unit_test(test_kubeconfig_load_missing_file),
	    cmocka_unit_test(test_in_cluster_ipv4),
	    cmocka_unit_test(test_in_cluster_ipv6_host_in_brackets),
	    cmocka_unit_test(test_in_cluster_default_service_account_folder),
	    cmocka_unit_test(test_in_cluster_namespace_from_env),
	    cmocka_unit_test(test_in_cluster_namespace_from_service_account_file),
	    cmocka_unit_test(test_in_cluster_without_env_is_an_error),
	};
	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
