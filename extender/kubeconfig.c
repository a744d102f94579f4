/* kubeconfig.c: kubeconfig and in-cluster configuration. */
#include "kubeconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "input_file.h"
#include "jsonget.h"
#include "yaml_json.h"

#define MAX_KUBECONFIG_BYTES (4u << 20)
#define DEFAULT_SA_DIR       "/var/run/secrets/kubernetes.io/serviceaccount"

void xt_kube_target_fini(struct xt_kube_target *t)
{
	free(t->ca_pem);
	free(t->cert_pem);
	free(t->key_pem);
	free(t->token);
	free(t->password);
	memset(t, 0, sizeof(*t));
}

static char *read_file(const char *path, size_t max, size_t *len, struct hr_err *err)
{
	FILE *f = xt_open_input(path, NULL, err);
	if (!f)
		return NULL;
	char *buf = malloc(max + 1);
	size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
	fclose(f);
	if (!buf) {
		hr_err_set(err, HR_ENOMEM, path, "out of memory");
		return NULL;
	}
	if (n > max) {
		free(buf);
		hr_err_set(err, HR_ERANGE, path, "larger than %zu bytes", max);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Standard base64 (whitespace ignored); NULL when malformed. */
static char *base64_decode(const char *in, size_t *out_len)
{
	static const signed char table[256] = {
	    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,
	    ['H'] = 8,  ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14,
	    ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21,
	    ['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28,
	    ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35,
	    ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
	    ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49,
	    ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
	    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63,
	    ['/'] = 64}; /* value + 1; 0 = not a base64 digit */
	size_t n = strlen(in);
	char *out = malloc(n / 4 * 3 + 4);
	if (!out)
		return NULL;
	unsigned acc = 0, bits = 0, pad = 0;
	size_t o = 0, digits = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (!table[c] || pad) {
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (unsigned)(table[c] - 1);
		bits += 6;
		digits++;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	/* 4 digits make 3 bytes; a lone digit at the end cannot encode a byte,
	 * and padding may only complete the last group */
	if (digits % 4 == 1 || pad > 2 || (pad && (digits + pad) % 4 != 0)) {
		free(out);
		return NULL;
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

/* The named entry's inner object of a kubeconfig list (clusters, users,
 * contexts: [{name, <inner>: {...}}]). */
static const cJSON *named(const cJSON *root, const char *list, const char *inner, const char *name)
{
	const cJSON *arr = hr_cj_member(root, list), *it;
	if (!cJSON_IsArray(arr))
		return NULL;
	cJSON_ArrayForEach(it, arr)
	{
		const cJSON *n = hr_cj_member(it, "name");
		if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0) {
			const cJSON *obj = hr_cj_member(it, inner);
			return obj ? obj : it; /* an entry with no fields is an empty object */
		}
	}
	return NULL;
}

static const char *string_of(const cJSON *obj, const char *key)
{
	const cJSON *v = hr_cj_member(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Relative paths are relative to the kubeconfig's folder. */
static void resolve(char *dst, size_t size, const char *dir, const char *path)
{
	if (path[0] == '/' || !dir || !dir[0])
		snprintf(dst, size, "%s", path);
	else
		snprintf(dst, size, "%s/%s", dir, path);
}

static enum hr_code take_data(const cJSON *obj, const char *key, const char *where, char **out,
                              size_t *len, struct hr_err *err)
{
	const char *b64 = string_of(obj, key);
	if (!b64)
		return HR_OK;
	*out = base64_decode(b64, len);
	if (!*out)
		return hr_err_set(err, HR_EINVAL, where, "%s is not valid base64", key);
	return HR_OK;
}

static enum hr_code refuse(const cJSON *obj, const char *key, const char *where, const char *why,
                           struct hr_err *err)
{
	if (!hr_cj_member(obj, key))
		return HR_OK;
	return hr_err_set(err, HR_EUNSUPPORTED, where, "%s is not supported: %s", key, why);
}

static enum hr_code read_cluster(const cJSON *cluster, const char *dir, const char *name,
                                 struct xt_kube_target *t, struct hr_err *err)
{
	char where[320];
	snprintf(where, sizeof(where), "clusters[%s].cluster", name);
	const char *server = string_of(cluster, "server");
	if (!server || strncmp(server, "https://", 8) != 0)
		return hr_err_set(err, HR_EINVAL, where,
		                  "server must be an https:// URL (got \"%.200s\")",
		                  server ? server : "");
	snprintf(t->server, sizeof(t->server), "%s", server);
	size_t n = strlen(t->server);
	while (n > 8 && t->server[n - 1] == '/')
		t->server[--n] = '\0';
	const cJSON *insecure = hr_cj_member(cluster, "insecure-skip-tls-verify");
	t->insecure = cJSON_IsTrue(insecure);
	enum hr_code rc;
	if ((rc = refuse(cluster, "proxy-url", where, "headroom connects directly", err)) !=
	        HR_OK ||
	    (rc = refuse(cluster, "tls-server-name", where,
	                 "give a server URL whose host is in the certificate", err)) != HR_OK ||
	    (rc = take_data(cluster, "certificate-authority-data", where, &t->ca_pem,
	                    &t->ca_pem_len, err)) != HR_OK)
		return rc;
	const char *ca = string_of(cluster, "certificate-authority");
	if (ca && !t->ca_pem)
		resolve(t->ca_file, sizeof(t->ca_file), dir, ca);
	return HR_OK;
}

static enum hr_code read_user(const cJSON *user, const char *dir, const char *name,
                              struct xt_kube_target *t, struct hr_err *err)
{
	char where[320];
	snprintf(where, sizeof(where), "users[%s].user", name);
	enum hr_code rc;
	if ((rc = refuse(user, "exec", where,
	                 "exec credential plugins; use a token, tokenFile or client certificate",
	                 err)) != HR_OK ||
	    (rc = refuse(user, "auth-provider", where,
	                 "auth-provider plugins; use a token, tokenFile or client certificate",
	                 err)) != HR_OK ||
	    (rc = take_data(user, "client-certificate-data", where, &t->cert_pem, &t->cert_pem_len,
	                    err)) != HR_OK ||
	    (rc = take_data(user, "client-key-data", where, &t->key_pem, &t->key_pem_len, err)) !=
	        HR_OK)
		return rc;
	const char *cert = string_of(user, "client-certificate");
	const char *key = string_of(user, "client-key");
	if (cert && !t->cert_pem)
		resolve(t->cert_file, sizeof(t->cert_file), dir, cert);
	if (key && !t->key_pem)
		resolve(t->key_file, sizeof(t->key_file), dir, key);
	bool has_cert = t->cert_pem || t->cert_file[0], has_key = t->key_pem || t->key_file[0];
	if (has_cert != has_key)
		return hr_err_set(err, HR_EINVAL, where,
		                  "a client certificate needs both the certificate and the key");
	const char *token = string_of(user, "token");
	if (token && !(t->token = strdup(token)))
		return hr_err_set(err, HR_ENOMEM, where, "out of memory");
	/* as client-go: a token file (re-read as it rotates) wins over a token */
	const char *token_file = string_of(user, "tokenFile");
	if (token_file)
		resolve(t->token_file, sizeof(t->token_file), dir, token_file);
	const char *username = string_of(user, "username");
	const char *password = string_of(user, "password");
	if (username) {
		snprintf(t->username, sizeof(t->username), "%s", username);
		if (!(t->password = strdup(password ? password : "")))
			return hr_err_set(err, HR_ENOMEM, where, "out of memory");
	}
	return HR_OK;
}

static enum hr_code parse_tree(const cJSON *root, const char *dir, const char *context,
                               struct xt_kube_target *t, struct hr_err *err)
{
	const char *ctx_name = context ? context : string_of(root, "current-context");
	if (!ctx_name || !ctx_name[0])
		return hr_err_set(err, HR_EINVAL, "current-context",
		                  "not set (and no context given)");
	const cJSON *ctx = named(root, "contexts", "context", ctx_name);
	if (!ctx)
		return hr_err_set(err, HR_EINVAL, "contexts", "no context named \"%.200s\"",
		                  ctx_name);
	const char *cluster_name = string_of(ctx, "cluster");
	const char *user_name = string_of(ctx, "user");
	const char *ns = string_of(ctx, "namespace");
	snprintf(t->namespace, sizeof(t->namespace), "%s", ns ? ns : "default");
	const cJSON *cluster =
	    cluster_name ? named(root, "clusters", "cluster", cluster_name) : NULL;
	if (!cluster)
		return hr_err_set(err, HR_EINVAL, "clusters", "no cluster named \"%.200s\"",
		                  cluster_name ? cluster_name : "");
	snprintf(t->description, sizeof(t->description), "(context %s)", ctx_name);
	enum hr_code rc = read_cluster(cluster, dir, cluster_name, t, err);
	if (rc != HR_OK)
		return rc;
	const cJSON *user = user_name ? named(root, "users", "user", user_name) : NULL;
	if (user_name && !user)
		return hr_err_set(err, HR_EINVAL, "users", "no user named \"%.200s\"", user_name);
	return user ? read_user(user, dir, user_name, t, err) : HR_OK;
}

enum hr_code xt_kubeconfig_parse(const char *text, size_t len, const char *dir, const char *context,
                                 struct xt_kube_target *out, struct hr_err *err)
{
	memset(out, 0, sizeof(*out));
	cJSON *root = xt_yaml_to_json(text, len, NULL, err);
	if (!root)
		return err->code != HR_OK ? err->code : HR_EINVAL;
	enum hr_code rc = cJSON_IsObject(root)
	                      ? parse_tree(root, dir, context, out, err)
	                      : hr_err_set(err, HR_EINVAL, NULL, "a kubeconfig must be a mapping");
	cJSON_Delete(root);
	if (rc != HR_OK)
		xt_kube_target_fini(out);
	return rc;
}

enum hr_code xt_kubeconfig_load(const char *path, const char *context, struct xt_kube_target *out,
                                struct hr_err *err)
{
	size_t len;
	memset(out, 0, sizeof(*out)); /* xt_kube_target_fini is safe after any failure */
	char *text = read_file(path, MAX_KUBECONFIG_BYTES, &len, err);
	if (!text)
		return err->code;
	char dir[XT_PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0'; /* a kubeconfig in / */
	else if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	enum hr_code rc = xt_kubeconfig_parse(text, len, dir, context, out, err);
	free(text);
	if (rc != HR_OK) {
		hr_err_prefix_where(err, path);
		return rc;
	}
	struct hr_buf d; /* "kubeconfig FILE (context NAME)", cut to fit */
	hr_buf_init(&d, sizeof(out->description) - 1);
	hr_buf_puts(&d, "kubeconfig ");
	hr_buf_puts(&d, path);
	hr_buf_putc(&d, ' ');
	hr_buf_puts(&d, out->description);
	if (hr_buf_ok(&d))
		memcpy(out->description, d.p, d.len + 1);
	hr_buf_fini(&d);
	return HR_OK;
}

enum hr_code xt_kube_in_cluster(const char *sa_dir, struct xt_kube_target *out, struct hr_err *err)
{
	memset(out, 0, sizeof(*out));
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	if (!host || !host[0] || !port || !port[0])
		return hr_err_set(err, HR_EINVAL, "KUBERNETES_SERVICE_HOST",
		                  "not running in a cluster (KUBERNETES_SERVICE_HOST/PORT unset); "
		                  "give --kubeconfig or --snapshot");
	bool v6 = strchr(host, ':') != NULL;
	snprintf(out->server, sizeof(out->server), v6 ? "https://[%s]:%s" : "https://%s:%s", host,
	         port);
	const char *dir = sa_dir ? sa_dir : DEFAULT_SA_DIR;
	snprintf(out->token_file, sizeof(out->token_file), "%s/token", dir);
	snprintf(out->ca_file, sizeof(out->ca_file), "%s/ca.crt", dir);
	const char *ns = getenv("POD_NAMESPACE");
	char ns_file[XT_PATH_MAX + 16];
	snprintf(ns_file, sizeof(ns_file), "%s/namespace", dir);
	size_t len = 0;
	struct hr_err ignored;
	hr_err_clear(&ignored);
	char *from_file = ns && ns[0] ? NULL : read_file(ns_file, 256, &len, &ignored);
	while (from_file && len && (from_file[len - 1] == '\n' || from_file[len - 1] == ' '))
		from_file[--len] = '\0';
	snprintf(out->namespace, sizeof(out->namespace), "%s",
	         ns && ns[0]                 ? ns
	         : from_file && from_file[0] ? from_file
	                                     : "default");
	free(from_file);
	snprintf(out->description, sizeof(out->description), "in-cluster %s", out->server);
	return HR_OK;
}
