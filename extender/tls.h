/* tls.h: the HTTPS server's TLS setup, with hot-swappable credentials.
 *
 * headroom configures civetweb's SSL_CTX itself (civetweb's init_ssl hook):
 * TLS 1.2 or newer, forward-secret AEAD ciphers for TLS 1.2, and, with a
 * client CA, a request for a client certificate that must verify when given
 * (routes decide whether one is required: see http.h). The serving
 * certificate, key and client CA are chosen per handshake from the current
 * credentials, so xt_tls_reload can swap them while connections stay open;
 * a bad new pair is refused and the old one kept.
 * Thread-safety: handshakes (any thread) and reload (one thread) may run
 * concurrently; init/fini are not concurrent with anything. */
#ifndef XT_TLS_H
#define XT_TLS_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include <openssl/ssl.h>

#include "err.h"

struct xt_tls_creds; /* one loaded (cert chain, key, client CA) set */

struct xt_tls {
	pthread_mutex_t lock;
	struct xt_tls_creds *current; /* guarded by lock */
	char cert_path[1024];
	char key_path[1024];
	char ca_path[1024]; /* "" = no client certificates */
	/* file identity at the last successful load, to notice rotation */
	struct timespec cert_mtime, key_mtime, ca_mtime;
	off_t cert_size, key_size, ca_size;
	unsigned long reloads, reload_failures;
};

/* Loads the credentials. ca_path may be NULL. */
enum hr_code xt_tls_init(struct xt_tls *t, const char *cert_path, const char *key_path,
                         const char *ca_path, struct hr_err *err);
void xt_tls_fini(struct xt_tls *t);

/* Configures an SSL_CTX to serve with t (protocols, ciphers, verification,
 * per-handshake credentials). Returns 0 on success. */
int xt_tls_configure(struct xt_tls *t, SSL_CTX *ctx);

/* True when any credential file changed since the last load. */
bool xt_tls_files_changed(struct xt_tls *t);

/* Re-reads the files; on success new handshakes use them. On failure the
 * current credentials stay and err says why. Either way the files' identity
 * is remembered, so xt_tls_files_changed is true again only when they change
 * again (a bad pair is refused once, not at every check). */
enum hr_code xt_tls_reload(struct xt_tls *t, struct hr_err *err);

bool xt_tls_has_client_ca(const struct xt_tls *t);

/* Whether cert's subject CN, or one of its DNS subjectAltNames, is exactly
 * name (DNS names ignoring ASCII case; no wildcard expansion). Reentrant. */
bool xt_tls_cert_has_name(const X509 *cert, const char *name);

/* The names xt_tls_cert_has_name looks at, for messages: CN "x", DNS a, b
 * (truncated to size). Reentrant. */
void xt_tls_cert_names(const X509 *cert, char *out, size_t size);

#endif
