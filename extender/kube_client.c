/* kube_client.c: libcurl requests to the API server. */
#include "kube_client.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TOKEN_REREAD_SECONDS 60
#define TOKEN_MAX_BYTES      (64 * 1024)

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_setup(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

enum hr_code xt_kube_client_init(struct xt_kube_client *c, struct xt_kube_target *target,
                                 const atomic_bool *stop, struct hr_err *err)
{
	pthread_once(&curl_once, curl_setup);
	memset(c, 0, sizeof(*c));
	c->target = *target;
	memset(target, 0, sizeof(*target));
	pthread_mutex_init(&c->lock, NULL);
	c->stop = stop;
	c->connect_timeout_s = 10;
	c->token_stale = true;
	if (c->target.token && !(c->token = strdup(c->target.token)))
		return hr_err_set(err, HR_ENOMEM, NULL, "out of memory");
	return HR_OK;
}

void xt_kube_client_fini(struct xt_kube_client *c)
{
	free(c->token);
	xt_kube_target_fini(&c->target);
	pthread_mutex_destroy(&c->lock);
}

void xt_kube_conn_init(struct xt_kube_conn *conn)
{
	pthread_once(&curl_once, curl_setup);
	conn->easy = NULL;
}

void xt_kube_conn_fini(struct xt_kube_conn *conn)
{
	if (conn->easy)
		curl_easy_cleanup(conn->easy);
	conn->easy = NULL;
}

void xt_kube_token_stale(struct xt_kube_client *c)
{
	pthread_mutex_lock(&c->lock);
	c->token_stale = true;
	pthread_mutex_unlock(&c->lock);
}

/* Reads the token file; a trailing newline is not part of the token. */
static char *read_token(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(TOKEN_MAX_BYTES + 1);
	size_t n = buf ? fread(buf, 1, TOKEN_MAX_BYTES, f) : 0;
	fclose(f);
	if (!buf)
		return NULL;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return buf;
}

/* The Authorization header value for this request, or "" for none. */
static void authorization(struct xt_kube_client *c, char *out, size_t size)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&c->lock);
	if (c->target.token_file[0] &&
	    (c->token_stale || now.tv_sec - c->token_read_at.tv_sec >= TOKEN_REREAD_SECONDS)) {
		char *fresh = read_token(c->target.token_file);
		if (fresh) { /* keep the old token if the file is briefly missing */
			free(c->token);
			c->token = fresh;
		}
		c->token_read_at = now;
		c->token_stale = false;
	}
	if (c->token && c->token[0])
		snprintf(out, size, "Authorization: Bearer %s", c->token);
	else
		out[0] = '\0';
	pthread_mutex_unlock(&c->lock);
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	const struct xt_kube_client *c = ctx;
	return c->stop && atomic_load(c->stop) ? 1 : 0;
}

static void set_blob(CURL *e, CURLoption opt, char *data, size_t len)
{
	struct curl_blob blob = {.data = data, .len = len, .flags = CURL_BLOB_COPY};
	curl_easy_setopt(e, opt, &blob);
}

/* Configures the handle for one request; returns the header list to free. */
static struct curl_slist *prepare(struct xt_kube_client *c, CURL *e, const char *path,
                                  long timeout_s)
{
	const struct xt_kube_target *t = &c->target;
	char url[4096], auth[TOKEN_MAX_BYTES + 32];
	snprintf(url, sizeof(url), "%s%s", t->server, path);
	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, c->connect_timeout_s);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, c);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "headroom/" HR_VERSION);
	if (t->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (t->ca_pem)
		set_blob(e, CURLOPT_CAINFO_BLOB, t->ca_pem, t->ca_pem_len);
	else if (t->ca_file[0])
		curl_easy_setopt(e, CURLOPT_CAINFO, t->ca_file);
	if (t->cert_pem) {
		set_blob(e, CURLOPT_SSLCERT_BLOB, t->cert_pem, t->cert_pem_len);
		set_blob(e, CURLOPT_SSLKEY_BLOB, t->key_pem, t->key_pem_len);
		curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
	} else if (t->cert_file[0]) {
		curl_easy_setopt(e, CURLOPT_SSLCERT, t->cert_file);
		curl_easy_setopt(e, CURLOPT_SSLKEY, t->key_file);
	}
	if (t->username[0]) {
		curl_easy_setopt(e, CURLOPT_USERNAME, t->username);
		curl_easy_setopt(e, CURLOPT_PASSWORD, t->password ? t->password : "");
	}
	struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");
	authorization(c, auth, sizeof(auth));
	if (h && auth[0])
		h = curl_slist_append(h, auth);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	return h;
}

static CURL *handle(struct xt_kube_conn *conn)
{
	if (!conn->easy)
		conn->easy = curl_easy_init();
	return conn->easy;
}

static enum hr_code transport_error(CURLcode rc, const char *errbuf, const char *path,
                                    struct hr_err *err)
{
	return hr_err_set(err, HR_EINVAL, path, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct hr_buf *b = ctx;
	hr_buf_append(b, p, size * n);
	return hr_buf_ok(b) ? size * n : 0; /* 0 aborts: the body is over its cap */
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct xt_kube_response *r = ctx;
	size_t len = size * n;
	if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0)
		r->retry_after_s = strtol(p + 12, NULL, 10);
	return len;
}

enum hr_code xt_kube_get(struct xt_kube_client *c, struct xt_kube_conn *conn, const char *path,
                         long timeout_s, struct xt_kube_response *resp, struct hr_err *err)
{
	CURL *e = handle(conn);
	char errbuf[CURL_ERROR_SIZE] = "";
	if (!e)
		return hr_err_set(err, HR_ENOMEM, path, "cannot create a libcurl handle");
	struct curl_slist *h = prepare(c, e, path, timeout_s);
	resp->status = 0;
	resp->retry_after_s = 0;
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &resp->body);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, resp);
	CURLcode rc = curl_easy_perform(e);
	curl_slist_free_all(h);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &resp->status);
	if (rc == CURLE_WRITE_ERROR && !hr_buf_ok(&resp->body))
		return hr_err_set(err, HR_ERANGE, path, "response larger than %zu bytes",
		                  resp->body.max_len);
	if (rc != CURLE_OK)
		return transport_error(rc, errbuf, path, err);
	return HR_OK;
}

struct stream_ctx {
	CURL *easy;
	bool (*on_data)(void *ctx, const char *p, size_t n);
	void *ctx;
	struct hr_buf *error_body;
	bool stopped; /* on_data asked to stop */
};

static size_t on_stream(char *p, size_t size, size_t n, void *vctx)
{
	struct stream_ctx *s = vctx;
	long status = 0;
	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) { /* an error answer: keep its Status body */
		if (s->error_body)
			hr_buf_append(s->error_body, p, size * n);
		return size * n;
	}
	if (!s->on_data(s->ctx, p, size * n)) {
		s->stopped = true;
		return 0;
	}
	return size * n;
}

enum hr_code xt_kube_stream(struct xt_kube_client *c, struct xt_kube_conn *conn, const char *path,
                            long timeout_s, bool (*on_data)(void *ctx, const char *p, size_t n),
                            void *ctx, long *status, struct hr_buf *error_body, struct hr_err *err)
{
	CURL *e = handle(conn);
	char errbuf[CURL_ERROR_SIZE] = "";
	if (!e)
		return hr_err_set(err, HR_ENOMEM, path, "cannot create a libcurl handle");
	struct stream_ctx s = {e, on_data, ctx, error_body, false};
	struct curl_slist *h = prepare(c, e, path, timeout_s);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_stream);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &s);
	CURLcode rc = curl_easy_perform(e);
	curl_slist_free_all(h);
	*status = 0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && s.stopped))
		return HR_OK;
	return transport_error(rc, errbuf, path, err);
}
