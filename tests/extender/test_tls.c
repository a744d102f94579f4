/* test_tls.c: extender/tls.h, client certificate names and credential reload.
 * Certificates are made here with OpenSSL (self-signed EC P-256). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tls.h"

/* ---- helpers ---- */

/* A self-signed certificate with the given CNs (NULL-terminated) and SAN
 * extension value (e.g. "DNS:a,IP:127.0.0.1"; NULL for none). */
static X509 *make_cert(const char *const *cns, const char *san, EVP_PKEY **key_out)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	assert_non_null(key);
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_NAME *name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"headroom", -1,
	                           -1, 0);
	for (size_t i = 0; cns && cns[i]; i++)
		X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cns[i],
		                           -1, -1, 0);
	X509_set_issuer_name(x, name);
	X509_set_pubkey(x, key);
	if (san) {
		X509V3_CTX ctx;
		X509V3_set_ctx_nodb(&ctx);
		X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
		X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
		assert_non_null(ext);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	if (key_out)
		*key_out = key;
	else
		EVP_PKEY_free(key);
	return x;
}

static const char *const NO_CN[] = {NULL};

/* ---- xt_tls_cert_has_name ---- */

static void test_has_name_matches_the_cn_exactly(void **state)
{
	(void)state;
	const char *const cns[] = {"system:kube-scheduler", NULL};
	X509 *x = make_cert(cns, NULL, NULL);
	assert_true(xt_tls_cert_has_name(x, "system:kube-scheduler"));
	assert_false(xt_tls_cert_has_name(x, "kube-scheduler"));         /* a suffix */
	assert_false(xt_tls_cert_has_name(x, "system:kube-scheduler2")); /* a prefix */
	assert_false(xt_tls_cert_has_name(x, "SYSTEM:KUBE-SCHEDULER")); /* a CN is not a DNS name */
	assert_false(xt_tls_cert_has_name(x, "headroom"));              /* the O, not a CN */
	assert_false(xt_tls_cert_has_name(x, ""));
	X509_free(x);
}

static void test_has_name_matches_any_cn(void **state)
{
	(void)state;
	const char *const cns[] = {"first", "second", NULL};
	X509 *x = make_cert(cns, NULL, NULL);
	assert_true(xt_tls_cert_has_name(x, "first"));
	assert_true(xt_tls_cert_has_name(x, "second"));
	X509_free(x);
}

static void test_has_name_matches_dns_sans_ignoring_case(void **state)
{
	(void)state;
	const char *const cns[] = {"kube-apiserver", NULL};
	X509 *x = make_cert(cns,
	                    "DNS:Webhook.Kube-System.svc,DNS:*.example.com,IP:10.0.0.1,"
	                    "email:a@example.com,URI:spiffe://cluster/ns/x",
	                    NULL);
	assert_true(xt_tls_cert_has_name(x, "kube-apiserver"));
	assert_true(xt_tls_cert_has_name(x, "webhook.kube-system.svc"));
	assert_true(xt_tls_cert_has_name(x, "WEBHOOK.KUBE-SYSTEM.SVC"));
	assert_true(xt_tls_cert_has_name(x, "*.example.com"));        /* the literal name */
	assert_false(xt_tls_cert_has_name(x, "a.example.com"));       /* no wildcard expansion */
	assert_false(xt_tls_cert_has_name(x, "10.0.0.1"));            /* IP SANs are not names */
	assert_false(xt_tls_cert_has_name(x, "a@example.com"));       /* nor emails */
	assert_false(xt_tls_cert_has_name(x, "webhook.kube-system")); /* a prefix */
	X509_free(x);
}

static void test_has_name_without_cn_or_san(void **state)
{
	(void)state;
	X509 *x = make_cert(NO_CN, NULL, NULL);
	assert_false(xt_tls_cert_has_name(x, "headroom"));
	assert_false(xt_tls_cert_has_name(x, ""));
	X509_free(x);
}

/* ---- xt_tls_cert_names ---- */

static void test_names_lists_cns_then_dns_names(void **state)
{
	(void)state;
	const char *const cns[] = {"kube-apiserver", NULL};
	X509 *x = make_cert(cns, "IP:10.0.0.1,DNS:a.example,DNS:b.example", NULL);
	char out[256];
	xt_tls_cert_names(x, out, sizeof(out));
	assert_string_equal(out, "CN \"kube-apiserver\", DNS a.example, DNS b.example");
	X509_free(x);
	x = make_cert(NO_CN, "DNS:only.example", NULL);
	xt_tls_cert_names(x, out, sizeof(out));
	assert_string_equal(out, "DNS only.example");
	X509_free(x);
	x = make_cert(NO_CN, "IP:10.0.0.1", NULL);
	xt_tls_cert_names(x, out, sizeof(out));
	assert_string_equal(out, "no CN or DNS name");
	X509_free(x);
}

static void test_names_truncates_to_the_buffer(void **state)
{
	(void)state;
	const char *const cns[] = {"a-rather-long-common-name", NULL};
	X509 *x = make_cert(cns, "DNS:long-dns-name.example", NULL);
	char out[40];
	memset(out, 'x', sizeof(out));
	xt_tls_cert_names(x, out, sizeof(out));
	assert_true(strlen(out) < sizeof(out));
	assert_string_equal(out, "CN \"a-rather-long-common-name\", DNS lon"); /* cut */
	char tiny[8];
	xt_tls_cert_names(x, tiny, sizeof(tiny));
	assert_true(strlen(tiny) < sizeof(tiny));
	X509_free(x);
}

/* ---- reload ---- */

struct files {
	char dir[64], cert[96], key[96];
};

static void write_pair(const struct files *f, X509 *x, EVP_PKEY *key)
{
	FILE *c = fopen(f->cert, "w");
	FILE *k = fopen(f->key, "w");
	assert_non_null(c);
	assert_non_null(k);
	assert_true(PEM_write_X509(c, x) == 1);
	assert_true(PEM_write_PrivateKey(k, key, NULL, NULL, 0, NULL, NULL) == 1);
	fclose(c);
	fclose(k);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_reload_refuses_a_bad_pair_once_and_keeps_the_old(void **state)
{
	(void)state;
	struct files f;
	snprintf(f.dir, sizeof(f.dir), "/tmp/headroom-test-tls-XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	snprintf(f.cert, sizeof(f.cert), "%s/tls.crt", f.dir);
	snprintf(f.key, sizeof(f.key), "%s/tls.key", f.dir);
	const char *const cns[] = {"headroom", NULL};
	EVP_PKEY *k1, *k2;
	X509 *c1 = make_cert(cns, "DNS:localhost", &k1);
	X509 *c2 = make_cert(cns, "DNS:localhost", &k2);
	write_pair(&f, c1, k1);

	struct xt_tls t;
	struct hr_err err;
	hr_err_clear(&err);
	assert_int_equal(xt_tls_init(&t, f.cert, f.key, NULL, &err), HR_OK);
	assert_false(xt_tls_files_changed(&t));

	/* a mismatched key: refused, and not retried until the files change */
	write_pair(&f, c2, k1);
	assert_true(xt_tls_files_changed(&t));
	assert_int_equal(xt_tls_reload(&t, &err), HR_EINVAL);
	assert_string_equal(err.where, f.key);
	assert_string_equal(err.msg, "the key does not match the certificate");
	assert_int_equal(t.reload_failures, 1);
	assert_false(xt_tls_files_changed(&t));

	/* garbage: refused with its reason */
	write_text(f.cert, "-----BEGIN CERTIFICATE-----\nnot base64\n");
	assert_true(xt_tls_files_changed(&t));
	hr_err_clear(&err);
	assert_int_equal(xt_tls_reload(&t, &err), HR_EINVAL);
	assert_string_equal(err.where, f.cert);
	assert_non_null(strstr(err.msg, "not a PEM certificate"));
	assert_false(xt_tls_files_changed(&t));

	/* a good pair again */
	write_pair(&f, c2, k2);
	assert_true(xt_tls_files_changed(&t));
	hr_err_clear(&err);
	assert_int_equal(xt_tls_reload(&t, &err), HR_OK);
	assert_int_equal(t.reloads, 1);
	assert_int_equal(t.reload_failures, 2);
	assert_false(xt_tls_files_changed(&t));

	xt_tls_fini(&t);
	X509_free(c1);
	X509_free(c2);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	unlink(f.cert);
	unlink(f.key);
	rmdir(f.dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_has_name_matches_the_cn_exactly),
	    cmocka_unit_test(test_has_name_matches_any_cn),
	    cmocka_unit_test(test_has_name_matches_dns_sans_ignoring_case),
	    cmocka_unit_test(test_has_name_without_cn_or_san),
	    cmocka_unit_test(test_names_lists_cns_then_dns_names),
	    cmocka_unit_test(test_names_truncates_to_the_buffer),
	    cmocka_unit_test(test_reload_refuses_a_bad_pair_once_and_keeps_the_old),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
