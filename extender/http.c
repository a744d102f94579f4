/* http.c: civetweb setup, dispatch, access control, body reading, replies. */
#include "http.h"

#include <civetweb.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "read_deadline.h"

enum access { ACCESS_PROBE, ACCESS_READ, ACCESS_GATE };
enum method { M_GET = 1, M_POST = 2 };

struct route {
	const char *path;
	unsigned methods;
	enum access access;
	void (*handle)(struct xt_request *req);
};

static const struct route routes[] = {
    {"/filter", M_POST, ACCESS_GATE, xt_route_filter},
    {"/admission", M_POST, ACCESS_GATE, xt_route_admission},
    {"/capacity", M_GET | M_POST, ACCESS_READ, xt_route_capacity},
    {"/statistics/user/add_pod", M_GET, ACCESS_READ, xt_route_capacity},
    {"/healthz", M_GET, ACCESS_PROBE, xt_route_healthz},
    {"/livez", M_GET, ACCESS_PROBE, xt_route_healthz},
    {"/readyz", M_GET, ACCESS_PROBE, xt_route_readyz},
    {"/version", M_GET, ACCESS_PROBE, xt_route_version},
    {"/configz", M_GET, ACCESS_READ, xt_route_configz},
    {"/metrics", M_GET, ACCESS_READ, xt_route_metrics},
    {"/debug/cache", M_GET, ACCESS_READ, xt_route_debug_cache},
};

static atomic_ulong request_ids;

static double elapsed(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* A request body this request has not read in full. civetweb would drain it
 * after the reply, at the client's pace (a byte a second keeps a thread for
 * as long as the client likes), so such a connection is closed instead,
 * after a bounded discard_body. */
static bool body_left_unread(const struct xt_request *req)
{
	if (req->body_read)
		return false;
	const char *te = mg_get_header(req->conn, "Transfer-Encoding");
	return req->ri->content_length > 0 || (te && strcmp(te, "identity") != 0);
}

/* Once "100 Continue" is written, civetweb counts the response as started
 * and its header functions refuse: the final reply is written by hand, and
 * the connection closes after it (civetweb no longer tracks its framing). */
static void reply_after_continue(struct xt_request *req, int status, const char *content_type,
                                 const char *body, size_t len)
{
	mg_disable_connection_keep_alive(req->conn);
	mg_printf(req->conn,
	          "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	          "X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n"
	          "%s%s%sConnection: close\r\n\r\n",
	          status, mg_get_response_code_text(req->conn, status), content_type, len,
	          req->allow ? "Allow: " : "", req->allow ? req->allow : "",
	          req->allow ? "\r\n" : "");
	if (len && strcmp(req->ri->request_method, "HEAD") != 0)
		mg_write(req->conn, body, len);
}

void xt_http_reply(struct xt_request *req, int status, const char *content_type, const char *body,
                   size_t len)
{
	char clen[32];
	if (req->status)
		return; /* a reply went out already */
	req->status = status;
	if (body_left_unread(req))
		mg_disable_connection_keep_alive(req->conn); /* before "Connection:" is sent */
	if (req->sent_continue) {
		reply_after_continue(req, status, content_type, body, len);
		return;
	}
	snprintf(clen, sizeof(clen), "%zu", len);
	mg_response_header_start(req->conn, status);
	mg_response_header_add(req->conn, "Content-Type", content_type, -1);
	mg_response_header_add(req->conn, "Content-Length", clen, -1);
	mg_response_header_add(req->conn, "X-Content-Type-Options", "nosniff", -1);
	mg_response_header_add(req->conn, "Cache-Control", "no-store", -1);
	if (req->allow)
		mg_response_header_add(req->conn, "Allow", req->allow, -1);
	mg_response_header_send(req->conn);
	if (len && strcmp(req->ri->request_method, "HEAD") != 0)
		mg_write(req->conn, body, len);
}

void xt_http_error(struct xt_request *req, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct hr_buf b;
	hr_buf_init(&b, 6 * sizeof(msg) + 64); /* each byte may grow to a 6-byte escape */
	hr_buf_puts(&b, "{\"error\":");
	hr_buf_json_str(&b, hr_str_c(msg));
	hr_buf_puts(&b, "}\n");
	if (hr_buf_ok(&b))
		xt_http_reply(req, status, "application/json", b.p, b.len);
	else
		xt_http_reply(req, 500, "application/json", "{\"error\":\"internal\"}\n", 21);
	hr_buf_fini(&b);
}

void xt_http_error_from(struct xt_request *req, const struct hr_err *err)
{
	char text[HR_ERR_WHERE_MAX + HR_ERR_MSG_MAX + 4];
	int status;
	hr_err_format(err, text, sizeof(text));
	switch (err->code) {
	case HR_EUNSUPPORTED:
		status = 422;
		break;
	case HR_ENOMEM:
		status = 413; /* a per-request memory or size cap was hit */
		break;
	default:
		status = 400;
	}
	xt_http_error(req, status, "%s", text);
}

/* Reads the body into a malloc'd buffer; on failure replies and returns NULL. */
static char *read_all(struct xt_request *req, const struct xt_read_deadline *deadline, size_t *len)
{
	size_t max = req->server->cfg->max_body_bytes;
	int timeout_ms = req->server->cfg->request_timeout_ms;
	long long declared = req->ri->content_length;
	/* A chunked body has no declared length: start small, and never past
	 * max + 2, so the limit is hit as soon as the body passes it. */
	size_t cap = declared >= 0 ? (size_t)declared + 1 : 64 * 1024;
	if (declared < 0 && cap > max + 2)
		cap = max + 2;
	char *buf = malloc(cap);
	size_t n = 0;
	for (;;) {
		if (!buf) {
			xt_http_error(req, 500, "out of memory reading the body");
			return NULL;
		}
		if (n + 1 >= cap) {
			if (cap > max) {
				free(buf);
				xt_http_error(
				    req, 413,
				    "body exceeds the limit of %zu bytes (--max-body-bytes)", max);
				return NULL;
			}
			cap = cap * 2 > max + 2 ? max + 2 : cap * 2;
			char *grown = realloc(buf, cap);
			if (!grown)
				free(buf);
			buf = grown;
			continue;
		}
		int got = mg_read(req->conn, buf + n, cap - n - 1);
		if (got > 0)
			n += (size_t)got;
		bool complete = declared >= 0 ? n == (size_t)declared : got == 0;
		if (!complete && xt_read_deadline_passed(deadline)) {
			free(buf);
			req->body_broken = true;
			xt_http_error(
			    req, 408,
			    "request body: %zu of %lld bytes arrived within %d ms, the limit "
			    "(--request-timeout-ms)",
			    n, declared, timeout_ms);
			return NULL;
		}
		if (got < 0) {
			free(buf);
			req->body_broken = true;
			xt_http_error(req, 400,
			              "request body: the connection failed after %zu bytes", n);
			return NULL;
		}
		if (got == 0 && declared >= 0 && n < (size_t)declared) {
			/* civetweb gives 0 when a read times out with nothing, -1 on EOF */
			free(buf);
			req->body_broken = true;
			xt_http_error(req, 408,
			              "request body: no bytes for %d ms after %zu of %lld "
			              "(--request-timeout-ms)",
			              timeout_ms, n, declared);
			return NULL;
		}
		if (complete)
			break; /* the declared length, or the end of a chunked body */
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

bool xt_http_read_body(struct xt_request *req)
{
	size_t max = req->server->cfg->max_body_bytes;
	long long declared = req->ri->content_length;
	if (declared > (long long)max) {
		xt_http_error(
		    req, 413,
		    "body of %lld bytes exceeds the limit of %zu bytes (--max-body-bytes)",
		    declared, max);
		return false;
	}
	/* A client that waits for "100 Continue" before sending (curl does for
	 * bodies over 1 MiB) would otherwise wait a second for nothing. */
	const char *expect = mg_get_header(req->conn, "Expect");
	if (expect && strcasecmp(expect, "100-continue") == 0) {
		mg_write(req->conn, "HTTP/1.1 100 Continue\r\n\r\n", 25);
		req->sent_continue = true;
	}
	/* civetweb's timeout is per read and restarts with every byte: the
	 * deadline bounds the whole body (see read_deadline.h) */
	struct xt_read_deadline deadline;
	xt_read_deadline_arm(&deadline, req->server->cfg->request_timeout_ms);
	req->body = read_all(req, &deadline, &req->body_len);
	xt_read_deadline_disarm(&deadline);
	req->body_read = req->body != NULL;
	return req->body_read;
}

bool xt_http_query(const struct xt_request *req, const char *name, char *out, size_t size)
{
	const char *q = req->ri->query_string;
	return q && mg_get_var(q, strlen(q), name, out, size) >= 0;
}

char *xt_http_query_alloc(const struct xt_request *req, const char *name, size_t *len)
{
	const char *q = req->ri->query_string;
	if (!q)
		return NULL;
	size_t size = strlen(q) + 1; /* a decoded value is never longer than the query */
	char *out = malloc(size);
	int n = out ? mg_get_var(q, size - 1, name, out, size) : -1;
	if (n < 0) {
		free(out);
		return NULL;
	}
	*len = (size_t)n;
	return out;
}

const char *xt_server_not_ready(struct xt_server *s)
{
	if (atomic_load(&s->shutting_down))
		return "shutting down";
	if (s->not_ready)
		return s->not_ready(s->not_ready_ctx);
	struct xt_snap *snap = xt_cache_acquire(s->cache);
	xt_snap_release(snap);
	return snap ? NULL : "no cluster snapshot loaded yet";
}

static bool name_allowed(const struct xt_config *cfg, const X509 *cert)
{
	for (size_t i = 0; i < cfg->n_client_names; i++)
		if (xt_tls_cert_has_name(cert, cfg->client_names[i]))
			return true;
	return false;
}

/* Whether the client may use route r; when not, a 403 saying why is sent. */
static bool allowed(struct xt_request *req, const struct route *r)
{
	const struct xt_config *cfg = req->server->cfg;
	if (r->access == ACCESS_PROBE || !cfg->client_ca)
		return true;
	if (r->access == ACCESS_READ && cfg->anonymous_read)
		return true;
	/* the handshake verified any certificate presented (SSL_VERIFY_PEER) */
	const struct mg_client_cert *cc = req->ri->client_cert;
	if (!cc || !cc->peer_cert) {
		xt_http_error(req, 403, "%s needs a client certificate signed by the client CA",
		              r->path);
		return false;
	}
	if (r->access != ACCESS_GATE || !cfg->n_client_names || name_allowed(cfg, cc->peer_cert))
		return true;
	char names[512];
	xt_tls_cert_names(cc->peer_cert, names, sizeof(names));
	xt_http_error(req, 403,
	              "%s: the client certificate (%s) has no name listed in "
	              "--allowed-client-names",
	              r->path, names);
	return false;
}

static const struct route *find_route(const char *uri)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(routes[i].path, uri) == 0)
			return &routes[i];
	return NULL;
}

static unsigned method_of(const char *m)
{
	if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
		return M_GET;
	if (strcmp(m, "POST") == 0)
		return M_POST;
	return 0;
}

static const char *allow_header(unsigned methods)
{
	if ((methods & (M_GET | M_POST)) == (M_GET | M_POST))
		return "GET, HEAD, POST";
	return methods & M_POST ? "POST" : "GET, HEAD";
}

/* The media types a body may come as: JSON or YAML, or none or the ones
 * curl and kubectl send without being asked (form-urlencoded, text/plain,
 * octet-stream). Anything else (protobuf, CBOR, XML) would be misread. */
static bool media_type_ok(const char *content_type)
{
	static const char *const ok[] = {"application/json",
	                                 "application/yaml",
	                                 "application/x-yaml",
	                                 "text/yaml",
	                                 "text/x-yaml",
	                                 "text/plain",
	                                 "application/octet-stream",
	                                 "application/x-www-form-urlencoded",
	                                 "application/merge-patch+json"};
	if (!content_type || !*content_type)
		return true;
	size_t n = strcspn(content_type, "; \t");
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strlen(ok[i]) == n && strncasecmp(content_type, ok[i], n) == 0)
			return true;
	return false;
}

/* 415 for a body headroom cannot read: a foreign media type or a content
 * coding (gzip) it does not undo. */
static bool body_encoding_ok(struct xt_request *req)
{
	if (strcmp(req->ri->request_method, "POST") != 0)
		return true;
	const char *type = mg_get_header(req->conn, "Content-Type");
	if (!media_type_ok(type)) {
		xt_http_error(req, 415,
		              "Content-Type %.100s is not supported: send JSON or YAML "
		              "(application/json, application/yaml)",
		              type);
		return false;
	}
	const char *coding = mg_get_header(req->conn, "Content-Encoding");
	if (coding && *coding && strcasecmp(coding, "identity") != 0) {
		xt_http_error(req, 415,
		              "Content-Encoding %.100s is not supported: send the body "
		              "uncompressed",
		              coding);
		return false;
	}
	return true;
}

static void dispatch(struct xt_request *req)
{
	const struct route *r = find_route(req->ri->local_uri ? req->ri->local_uri : "");
	if (!r) {
		xt_http_error(req, 404, "no route %s (try /capacity, /filter, /healthz)",
		              req->ri->local_uri ? req->ri->local_uri : "");
		return;
	}
	req->route = r->path;
	if (!(method_of(req->ri->request_method) & r->methods)) {
		req->allow = allow_header(r->methods);
		xt_http_error(req, 405, "%s does not accept %s (allowed: %s)", r->path,
		              req->ri->request_method, req->allow);
		return;
	}
	if (!allowed(req, r) || !body_encoding_ok(req))
		return;
	r->handle(req);
	if (!req->status)
		xt_http_error(req, 500, "the handler sent no answer");
}

/* After refusing a body it did not read (413, 404, 403, ...), the server reads
 * and drops the rest for at most --request-timeout-ms, as nginx's lingering
 * close does: a client that sends its whole body before reading the answer
 * then reads the answer instead of a reset. The connection closes after it
 * either way (xt_http_reply). */
static void discard_body(struct xt_request *req)
{
	char sink[16384];
	struct xt_read_deadline deadline;
	xt_read_deadline_arm(&deadline, req->server->cfg->request_timeout_ms);
	while (!xt_read_deadline_passed(&deadline) && mg_read(req->conn, sink, sizeof(sink)) > 0)
		;
	xt_read_deadline_disarm(&deadline);
}

static int on_request(struct mg_connection *conn, void *cbdata)
{
	struct xt_request req = {
	    .conn = conn,
	    .ri = mg_get_request_info(conn),
	    .server = cbdata,
	    .id = atomic_fetch_add(&request_ids, 1) + 1,
	};
	clock_gettime(CLOCK_MONOTONIC, &req.start);
	dispatch(&req);
	if (body_left_unread(&req) && !req.body_broken)
		discard_body(&req);
	double took = elapsed(&req.start);
	free(req.body);
	xt_metrics_observe(req.server->metrics, req.route, req.status, took);
	xt_vlog(2, "request id=%lu method=%s path=%s status=%d duration=%.6fs remote=%s", req.id,
	        req.ri->request_method, req.ri->local_uri ? req.ri->local_uri : "", req.status,
	        took, req.ri->remote_addr);
	return req.status ? req.status : 500;
}

static int on_init_ssl(void *ssl_ctx, void *user_data)
{
	struct xt_server *s = user_data;
	return xt_tls_configure(s->tls, ssl_ctx) == 0 ? 1 : -1;
}

/* Errors civetweb answers itself, before a request reaches on_request (a
 * malformed request line, an unknown method, a bad Content-Length, a URI
 * over max_request_size): JSON like every other error, and the connection
 * closes, since the request's framing cannot be trusted. */
static int on_http_error(struct mg_connection *conn, int status, const char *errmsg)
{
	if (status < 400)
		return 1; /* 1xx/3xx carry no body: civetweb's own reply */
	struct hr_buf b;
	char clen[32];
	hr_buf_init(&b, 2048);
	char text[512];
	snprintf(text, sizeof(text), "%s: %s", errmsg && *errmsg ? errmsg : "Bad request",
	         status == 411 ? "Content-Length is missing or invalid"
	                       : "the request line or headers are malformed, name a method "
	                         "headroom does not serve, or exceed 64 KiB");
	hr_buf_puts(&b, "{\"error\":");
	hr_buf_json_str(&b, hr_str_c(text));
	hr_buf_puts(&b, "}\n");
	if (!hr_buf_ok(&b)) {
		hr_buf_fini(&b);
		return 1;
	}
	snprintf(clen, sizeof(clen), "%zu", b.len);
	mg_disable_connection_keep_alive(conn);
	mg_response_header_start(conn, status);
	mg_response_header_add(conn, "Content-Type", "application/json", -1);
	mg_response_header_add(conn, "Content-Length", clen, -1);
	mg_response_header_add(conn, "Cache-Control", "no-store", -1);
	mg_response_header_send(conn);
	mg_write(conn, b.p, b.len);
	hr_buf_fini(&b);
	xt_vlog(2, "request refused by the HTTP layer: status=%d %s", status, errmsg ? errmsg : "");
	return 0;
}

/* Why host:port cannot be bound, found by trying (civetweb's own start
 * error only says "Failed to setup server ports"). */
static void bind_problem(const char *host, int port, char *why, size_t size)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
	                         .ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	char service[16];
	snprintf(service, sizeof(service), "%d", port);
	int gai = getaddrinfo(host, service, &hints, &ai);
	if (gai != 0) {
		snprintf(why, size, "\"%.60s\" is not a numeric IP address (%s)", host,
		         gai_strerror(gai));
		return;
	}
	int fd = socket(ai->ai_family, ai->ai_socktype, 0);
	int one = 1;
	if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0)
		snprintf(why, size, "%s", strerror(errno));
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
}

static int on_log_message(const struct mg_connection *conn, const char *message)
{
	(void)conn;
	xt_vlog(1, "civetweb: %s", message);
	return 1;
}

enum hr_code xt_server_start(struct xt_server *s, struct hr_err *err)
{
	const struct xt_config *cfg = s->cfg;
	char host[256], ports[300], threads[16], timeout[16], keepalive[16];
	int port;
	if (!xt_split_listen(cfg->listen, host, sizeof(host), &port))
		return hr_err_set(err, HR_EINVAL, "--listen", "\"%s\" is not ADDR:PORT",
		                  cfg->listen);
	bool v6 = strchr(host, ':') != NULL;
	snprintf(ports, sizeof(ports), v6 ? "[%s]:%ds" : "%s:%ds", host, port);
	snprintf(threads, sizeof(threads), "%d", cfg->threads);
	snprintf(timeout, sizeof(timeout), "%d", cfg->request_timeout_ms);
	snprintf(keepalive, sizeof(keepalive), "%d", cfg->keep_alive_timeout_ms);
	const char *options[] = {"listening_ports",
	                         ports,
	                         "num_threads",
	                         threads,
	                         "request_timeout_ms",
	                         timeout,
	                         "enable_keep_alive",
	                         "yes",
	                         "keep_alive_timeout_ms",
	                         keepalive,
	                         "max_request_size",
	                         "65536",
	                         "tcp_nodelay",
	                         "1",
	                         "linger_timeout_ms",
	                         "1000",
	                         NULL};
	struct mg_callbacks callbacks;
	memset(&callbacks, 0, sizeof(callbacks));
	callbacks.init_ssl = on_init_ssl;
	callbacks.log_message = on_log_message;
	callbacks.http_error = on_http_error;
	if (xt_read_deadline_setup(err) != HR_OK)
		return err->code;
	mg_init_library(MG_FEATURES_TLS);
	char why[256] = "";
	unsigned code = 0;
	struct mg_init_data init = {
	    .callbacks = &callbacks, .user_data = s, .configuration_options = options};
	struct mg_error_data error = {.code = &code, .text = why, .text_buffer_size = sizeof(why)};
	s->mg = mg_start2(&init, &error);
	if (!s->mg) {
		char bind_why[128] = "";
		bind_problem(host, port, bind_why, sizeof(bind_why));
		return hr_err_set(err, HR_EINVAL, "--listen", "cannot serve HTTPS on %s: %s%s%s",
		                  cfg->listen, why[0] ? why : "civetweb did not start",
		                  bind_why[0] ? ": " : "", bind_why);
	}
	mg_set_request_handler(s->mg, "/", on_request, s);
	struct mg_server_port sp[4];
	int n = mg_get_server_ports(s->mg, 4, sp);
	s->port = n > 0 ? sp[0].port : port;
	return HR_OK;
}

void xt_server_stop(struct xt_server *s)
{
	atomic_store(&s->shutting_down, true);
	if (s->mg)
		mg_stop(s->mg);
	s->mg = NULL;
	mg_exit_library();
}
