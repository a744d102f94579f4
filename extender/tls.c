/* tls.c: OpenSSL server context and credential rotation. */
#include "tls.h"

#include "input_file.h"
#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct xt_tls_creds {
	X509 *cert;
	STACK_OF(X509) * chain; /* intermediates after the leaf, may be empty */
	EVP_PKEY *key;
	X509_STORE *ca_store;           /* NULL without a client CA */
	STACK_OF(X509_NAME) * ca_names; /* sent in CertificateRequest */
	int refs;                       /* guarded by xt_tls.lock */
};

/* TLS 1.2 suites: ECDHE key exchange with AES-GCM or ChaCha20 only. */
static const char tls12_ciphers[] = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

static void creds_free(struct xt_tls_creds *c)
{
	if (!c)
		return;
	X509_free(c->cert);
	sk_X509_pop_free(c->chain, X509_free);
	EVP_PKEY_free(c->key);
	X509_STORE_free(c->ca_store);
	sk_X509_NAME_pop_free(c->ca_names, X509_NAME_free);
	free(c);
}

static void openssl_reason(char *buf, size_t size)
{
	unsigned long e = ERR_peek_last_error();
	if (e)
		ERR_error_string_n(e, buf, size);
	else
		snprintf(buf, size, "no PEM data found");
	ERR_clear_error();
}

static enum hr_code load_chain(struct xt_tls_creds *c, const char *path, struct hr_err *err)
{
	char why[256];
	FILE *f = xt_open_input(path, "certificate", err);
	if (!f)
		return err->code;
	c->cert = PEM_read_X509(f, NULL, NULL, NULL);
	c->chain = sk_X509_new_null();
	X509 *extra;
	while (c->cert && c->chain && (extra = PEM_read_X509(f, NULL, NULL, NULL)))
		sk_X509_push(c->chain, extra);
	ERR_clear_error(); /* the loop ends on an expected "no start line" */
	fclose(f);
	if (!c->cert || !c->chain) {
		openssl_reason(why, sizeof(why));
		return hr_err_set(err, HR_EINVAL, path, "not a PEM certificate: %s", why);
	}
	return HR_OK;
}

static enum hr_code load_key(struct xt_tls_creds *c, const char *path, struct hr_err *err)
{
	char why[256];
	FILE *f = xt_open_input(path, "key", err);
	if (!f)
		return err->code;
	c->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!c->key) {
		openssl_reason(why, sizeof(why));
		return hr_err_set(err, HR_EINVAL, path, "not a PEM private key: %s", why);
	}
	if (X509_check_private_key(c->cert, c->key) != 1) {
		ERR_clear_error();
		return hr_err_set(err, HR_EINVAL, path, "the key does not match the certificate");
	}
	return HR_OK;
}

static enum hr_code load_ca(struct xt_tls_creds *c, const char *path, struct hr_err *err)
{
	char why[256];
	FILE *f =
	    xt_open_input(path, "CA bundle", err); /* OpenSSL's reason would be "system lib" */
	if (!f)
		return err->code;
	fclose(f);
	c->ca_store = X509_STORE_new();
	c->ca_names = SSL_load_client_CA_file(path);
	if (!c->ca_store || !c->ca_names || X509_STORE_load_file(c->ca_store, path) != 1) {
		openssl_reason(why, sizeof(why));
		return hr_err_set(err, HR_EINVAL, path, "not a PEM CA bundle: %s", why);
	}
	return HR_OK;
}

static struct xt_tls_creds *creds_load(const struct xt_tls *t, struct hr_err *err)
{
	struct xt_tls_creds *c = calloc(1, sizeof(*c));
	if (!c) {
		hr_err_set(err, HR_ENOMEM, NULL, "out of memory loading TLS credentials");
		return NULL;
	}
	enum hr_code rc = load_chain(c, t->cert_path, err);
	if (rc == HR_OK)
		rc = load_key(c, t->key_path, err);
	if (rc == HR_OK && t->ca_path[0])
		rc = load_ca(c, t->ca_path, err);
	if (rc != HR_OK) {
		creds_free(c);
		return NULL;
	}
	c->refs = 1;
	return c;
}

static void stat_file(const char *path, struct timespec *mtime, off_t *size)
{
	struct stat st;
	memset(mtime, 0, sizeof(*mtime));
	*size = -1;
	if (path[0] && stat(path, &st) == 0) {
		*mtime = st.st_mtim;
		*size = st.st_size;
	}
}

static void remember_files(struct xt_tls *t)
{
	stat_file(t->cert_path, &t->cert_mtime, &t->cert_size);
	stat_file(t->key_path, &t->key_mtime, &t->key_size);
	stat_file(t->ca_path, &t->ca_mtime, &t->ca_size);
}

enum hr_code xt_tls_init(struct xt_tls *t, const char *cert_path, const char *key_path,
                         const char *ca_path, struct hr_err *err)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	snprintf(t->cert_path, sizeof(t->cert_path), "%s", cert_path);
	snprintf(t->key_path, sizeof(t->key_path), "%s", key_path);
	snprintf(t->ca_path, sizeof(t->ca_path), "%s", ca_path ? ca_path : "");
	remember_files(t);
	t->current = creds_load(t, err);
	return t->current ? HR_OK : err->code;
}

void xt_tls_fini(struct xt_tls *t)
{
	creds_free(t->current);
	t->current = NULL;
	pthread_mutex_destroy(&t->lock);
}

bool xt_tls_has_client_ca(const struct xt_tls *t)
{
	return t->ca_path[0] != '\0';
}

static struct xt_tls_creds *creds_acquire(struct xt_tls *t)
{
	pthread_mutex_lock(&t->lock);
	struct xt_tls_creds *c = t->current;
	if (c)
		c->refs++;
	pthread_mutex_unlock(&t->lock);
	return c;
}

static void creds_release(struct xt_tls *t, struct xt_tls_creds *c)
{
	pthread_mutex_lock(&t->lock);
	bool last = c && --c->refs == 0;
	pthread_mutex_unlock(&t->lock);
	if (last)
		creds_free(c);
}

/* Runs at every handshake: install the current credentials on this SSL.
 * OpenSSL takes its own references, so a later swap cannot pull them away. */
static int cert_cb(SSL *ssl, void *arg)
{
	struct xt_tls *t = arg;
	struct xt_tls_creds *c = creds_acquire(t);
	int ok = c && SSL_use_certificate(ssl, c->cert) == 1 &&
	         SSL_use_PrivateKey(ssl, c->key) == 1 && SSL_set1_chain(ssl, c->chain) == 1;
	if (ok && c->ca_store) {
		STACK_OF(X509_NAME) *names = SSL_dup_CA_list(c->ca_names);
		ok = names && SSL_set1_verify_cert_store(ssl, c->ca_store) == 1;
		if (names)
			SSL_set_client_CA_list(ssl, names);
	}
	creds_release(t, c);
	return ok ? 1 : 0;
}

int xt_tls_configure(struct xt_tls *t, SSL_CTX *ctx)
{
	static const unsigned char session_id[] = "headroom";
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_cipher_list(ctx, tls12_ciphers) != 1)
		return -1;
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
	                             SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_session_id_context(ctx, session_id, sizeof(session_id) - 1);
	SSL_CTX_set_cert_cb(ctx, cert_cb, t);
	/* Ask for a client certificate; one that is sent must verify. Whether a
	 * route requires one is decided per request (http.c). */
	SSL_CTX_set_verify(ctx, xt_tls_has_client_ca(t) ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_verify_depth(ctx, 4);
	return 0;
}

bool xt_tls_files_changed(struct xt_tls *t)
{
	struct timespec m;
	off_t size;
	const struct {
		const char *path;
		const struct timespec *mtime;
		off_t size;
	} files[] = {{t->cert_path, &t->cert_mtime, t->cert_size},
	             {t->key_path, &t->key_mtime, t->key_size},
	             {t->ca_path, &t->ca_mtime, t->ca_size}};
	for (size_t i = 0; i < 3; i++) {
		if (!files[i].path[0])
			continue;
		stat_file(files[i].path, &m, &size);
		if (size != files[i].size || m.tv_sec != files[i].mtime->tv_sec ||
		    m.tv_nsec != files[i].mtime->tv_nsec)
			return true;
	}
	return false;
}

enum hr_code xt_tls_reload(struct xt_tls *t, struct hr_err *err)
{
	struct timespec cm, km, am;
	off_t cs, ks, as;
	stat_file(t->cert_path, &cm, &cs);
	stat_file(t->key_path, &km, &ks);
	stat_file(t->ca_path, &am, &as);
	struct xt_tls_creds *fresh = creds_load(t, err);
	/* remembered either way: files that failed are retried once they change
	 * again, not at every check */
	t->cert_mtime = cm, t->cert_size = cs;
	t->key_mtime = km, t->key_size = ks;
	t->ca_mtime = am, t->ca_size = as;
	if (!fresh) {
		t->reload_failures++;
		return err->code;
	}
	pthread_mutex_lock(&t->lock);
	struct xt_tls_creds *old = t->current;
	t->current = fresh;
	bool last = old && --old->refs == 0;
	pthread_mutex_unlock(&t->lock);
	if (last)
		creds_free(old);
	t->reloads++;
	return HR_OK;
}

/* ---- client certificate names ------------------------------------------- */

/* The i-th CN of cert as UTF-8 (OPENSSL_free it), or NULL past the last. */
static char *common_name(const X509 *cert, int *i, int *len)
{
	const X509_NAME *subj = X509_get_subject_name(cert);
	while ((*i = X509_NAME_get_index_by_NID(subj, NID_commonName, *i)) >= 0) {
		const ASN1_STRING *d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, *i));
		unsigned char *utf8 = NULL;
		*len = ASN1_STRING_to_UTF8(&utf8, d);
		if (*len >= 0)
			return (char *)utf8;
	}
	return NULL;
}

/* The i-th DNS name of sans (not NUL-terminated), or NULL. */
static const char *dns_name(const GENERAL_NAMES *sans, int i, int *len)
{
	const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);
	if (!g || g->type != GEN_DNS)
		return NULL;
	*len = ASN1_STRING_length(g->d.dNSName);
	return (const char *)ASN1_STRING_get0_data(g->d.dNSName);
}

bool xt_tls_cert_has_name(const X509 *cert, const char *name)
{
	size_t want = strlen(name);
	int i = -1, len;
	char *cn;
	bool found = false;
	while (!found && (cn = common_name(cert, &i, &len))) {
		found = (size_t)len == want && memcmp(cn, name, want) == 0;
		OPENSSL_free(cn);
	}
	GENERAL_NAMES *sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	for (int k = 0; !found && k < sk_GENERAL_NAME_num(sans); k++) {
		const char *dns = dns_name(sans, k, &len);
		found = dns && (size_t)len == want && strncasecmp(dns, name, want) == 0;
	}
	GENERAL_NAMES_free(sans);
	return found;
}

void xt_tls_cert_names(const X509 *cert, char *out, size_t size)
{
	size_t n = 0;
	int i = -1, len;
	char *cn;
	out[0] = '\0';
	while ((cn = common_name(cert, &i, &len))) {
		int w = snprintf(out + n, size - n, "%sCN \"%.*s\"", n ? ", " : "", len, cn);
		OPENSSL_free(cn);
		if (w < 0 || (size_t)w >= size - n)
			return; /* truncated */
		n += (size_t)w;
	}
	GENERAL_NAMES *sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	for (int k = 0; k < sk_GENERAL_NAME_num(sans); k++) {
		const char *dns = dns_name(sans, k, &len);
		if (!dns)
			continue;
		int w = snprintf(out + n, size - n, "%sDNS %.*s", n ? ", " : "", len, dns);
		if (w < 0 || (size_t)w >= size - n)
			break;
		n += (size_t)w;
	}
	GENERAL_NAMES_free(sans);
	if (n == 0)
		snprintf(out, size, "no CN or DNS name");
}
