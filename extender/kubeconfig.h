/* kubeconfig.h: where the API server is and how to authenticate to it.
 *
 * From a kubeconfig file (YAML, read with libyaml; spec/extender-protocol.md
 * §4.5): current-context (or a named one) -> cluster (server,
 * certificate-authority[-data], insecure-skip-tls-verify) and user (token,
 * tokenFile, client-certificate[-data] + client-key[-data],
 * username/password). Relative paths resolve against the kubeconfig's
 * folder. exec and auth-provider plugins, proxy-url and tls-server-name are
 * refused with an error naming the field. Or in-cluster (§4.4): https://
 * $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT with the service
 * account's token (re-read when it rotates) and CA.
 * Ownership: a target owns its strings; free with xt_kube_target_fini.
 * Thread-safety: a loaded target is read-only. */
#ifndef XT_KUBECONFIG_H
#define XT_KUBECONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define XT_PATH_MAX 1024

struct xt_kube_target {
	char server[1024];         /* "https://host:port", no trailing slash */
	char ca_file[XT_PATH_MAX]; /* "" when none or when ca_pem is used */
	char *ca_pem;              /* certificate-authority-data, decoded */
	size_t ca_pem_len;
	char cert_file[XT_PATH_MAX]; /* client certificate, or "" */
	char key_file[XT_PATH_MAX];
	char *cert_pem, *key_pem; /* the -data forms, decoded */
	size_t cert_pem_len, key_pem_len;
	char *token;                  /* a literal token, or NULL */
	char token_file[XT_PATH_MAX]; /* a token file re-read on rotation, or "" */
	char username[256];           /* basic auth, rarely used */
	char *password;
	bool insecure;                      /* insecure-skip-tls-verify */
	char namespace[254];                /* the context's namespace (informational) */
	char description[XT_PATH_MAX + 64]; /* for logs: "kubeconfig FILE (context X)" */
};

/* Loads path (context NULL = current-context). */
enum hr_code xt_kubeconfig_load(const char *path, const char *context, struct xt_kube_target *out,
                                struct hr_err *err);

/* Parses kubeconfig text; dir resolves relative paths (the file's folder). */
enum hr_code xt_kubeconfig_parse(const char *text, size_t len, const char *dir, const char *context,
                                 struct xt_kube_target *out, struct hr_err *err);

/* The in-cluster target; sa_dir is the service account folder
 * (/var/run/secrets/kubernetes.io/serviceaccount by default). */
enum hr_code xt_kube_in_cluster(const char *sa_dir, struct xt_kube_target *out, struct hr_err *err);

void xt_kube_target_fini(struct xt_kube_target *t);

#endif
