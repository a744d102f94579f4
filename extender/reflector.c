/* reflector.c: LIST + WATCH loop for one kind. */
#include "reflector.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jsonget.h"
#include "log.h"
#include "watch_stream.h"

#define PODS_FIELD_SELECTOR "status.phase%21%3DSucceeded%2Cstatus.phase%21%3DFailed"
#define LIST_MAX_BYTES      (512u << 20)
#define LIST_TIMEOUT_S      120
#define ABSENT_RETRY_MS     (5 * 60 * 1000)

enum outcome {
	OUT_OK,      /* done as asked */
	OUT_GONE,    /* 410: history gone or continue token expired: relist */
	OUT_ABSENT,  /* optional kind not served or not allowed */
	OUT_FAILED,  /* transport error, 5xx, 429, garbage: back off and retry */
	OUT_STOPPED, /* shutting down */
};

const char *xt_reflector_path(enum xt_kind kind)
{
	switch (kind) {
	case XT_KIND_NODE:
		return "/api/v1/nodes";
	case XT_KIND_POD:
		return "/api/v1/pods";
	case XT_KIND_NAMESPACE:
		return "/api/v1/namespaces";
	case XT_KIND_LIMIT_RANGE:
		return "/api/v1/limitranges";
	case XT_KIND_RUNTIME_CLASS:
		return "/apis/node.k8s.io/v1/runtimeclasses";
	default:
		return "/";
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void xt_reflector_init(struct xt_reflector *r, enum xt_kind kind, struct xt_kube_client *client,
                       struct xt_store *store, struct xt_metrics *metrics, const atomic_bool *stop,
                       const struct xt_reflector_config *cfg)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->optional = kind != XT_KIND_NODE && kind != XT_KIND_POD;
	r->cfg = *cfg;
	r->client = client;
	r->store = store;
	r->metrics = metrics;
	r->stop = stop;
	pthread_mutex_init(&r->lock, NULL);
}

void xt_reflector_fini(struct xt_reflector *r)
{
	pthread_mutex_destroy(&r->lock);
}

int64_t xt_reflector_failing_ms(struct xt_reflector *r)
{
	int64_t since = atomic_load(&r->failing_since_ms);
	return since ? now_ms() - since : 0;
}

void xt_reflector_last_error(struct xt_reflector *r, char *out, size_t size)
{
	pthread_mutex_lock(&r->lock);
	snprintf(out, size, "%s", r->last_error);
	pthread_mutex_unlock(&r->lock);
}

static bool stopping(const struct xt_reflector *r)
{
	return atomic_load(r->stop);
}

static void healthy(struct xt_reflector *r)
{
	atomic_store(&r->failing_since_ms, 0);
}

static void failed(struct xt_reflector *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void failed(struct xt_reflector *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	long long expected = 0; /* the type of atomic_llong */
	atomic_compare_exchange_strong(&r->failing_since_ms, &expected, now_ms());
	pthread_mutex_lock(&r->lock);
	snprintf(r->last_error, sizeof(r->last_error), "%s", msg);
	pthread_mutex_unlock(&r->lock);
	xt_log_warn("%s reflector: %s", xt_kind_name(r->kind), msg);
}

/* Sleeps up to ms, waking early when stopping. */
static void nap(const struct xt_reflector *r, int ms)
{
	for (int slept = 0; slept < ms && !stopping(r); slept += 50)
		usleep(50 * 1000);
}

/* Percent-encodes a query value (continue tokens are opaque). */
static void query_escape(const char *in, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (; *in && o + 4 < size; in++) {
		unsigned char c = (unsigned char)*in;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

/* The Status of an error answer, for logs: "reason: message". */
static void status_text(const char *body, size_t len, char *out, size_t size)
{
	cJSON *st = cJSON_ParseWithLength(body, len);
	const cJSON *msg = hr_cj_member(st, "message"), *reason = hr_cj_member(st, "reason");
	snprintf(out, size, "%s%s%s", cJSON_IsString(reason) ? reason->valuestring : "",
	         cJSON_IsString(reason) && cJSON_IsString(msg) ? ": " : "",
	         cJSON_IsString(msg) ? msg->valuestring : "");
	cJSON_Delete(st);
}

/* Maps a non-200 status to what to do. */
static enum outcome on_status(struct xt_reflector *r, long status, const char *verb,
                              const char *body, size_t len)
{
	char why[300];
	status_text(body, len, why, sizeof(why));
	if (status == 410)
		return OUT_GONE;
	if (status == 401)
		xt_kube_token_stale(r->client);
	if (r->optional && (status == 403 || status == 404)) {
		xt_log_warn("%s reflector: %s answered %ld (%s): treating the kind as empty",
		            xt_kind_name(r->kind), verb, status, why);
		return OUT_ABSENT;
	}
	failed(r, "%s answered HTTP %ld%s%s", verb, status, why[0] ? ": " : "", why);
	return OUT_FAILED;
}

/* ---- LIST ---------------------------------------------------------------------- */

struct obj_list {
	struct xt_obj **v;
	size_t n, cap;
};

static void obj_list_free(struct obj_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		xt_obj_release(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static bool obj_list_push(struct obj_list *l, struct xt_obj *o)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct xt_obj **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return false;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = o;
	return true;
}

/* Decodes one page's items into the list; objects that do not decode are
 * skipped with a warning (one bad object must not stop the cache). */
static bool take_items(struct xt_reflector *r, const cJSON *page, struct hr_arena *scratch,
                       struct obj_list *objs)
{
	const cJSON *items = hr_cj_member(page, "items"), *it;
	cJSON_ArrayForEach(it, items)
	{
		struct xt_obj *o;
		struct hr_err err;
		hr_err_clear(&err);
		if (xt_obj_from_json(r->kind, it, scratch, &o, &err) != HR_OK) {
			xt_log_warn("%s reflector: skipping an object that does not decode: %s: %s",
			            xt_kind_name(r->kind), err.where, err.msg);
			continue;
		}
		if (!obj_list_push(objs, o)) {
			xt_obj_release(o);
			return false;
		}
	}
	return true;
}

static void selector_param(const struct xt_reflector *r, char *out, size_t size)
{
	snprintf(out, size, "%s",
	         r->kind == XT_KIND_POD ? "&fieldSelector=" PODS_FIELD_SELECTOR : "");
}

/* One full, paginated LIST; on success the kind is replaced and *rv set. */
static enum outcome do_list(struct xt_reflector *r, struct xt_kube_conn *conn,
                            struct hr_arena *scratch, char *rv, size_t rv_size)
{
	struct obj_list objs = {0};
	char cont[2048] = "", path[8192], sel[128], list_rv[128] = "";
	enum outcome out = OUT_OK;
	selector_param(r, sel, sizeof(sel));
	atomic_fetch_add(&r->lists, 1);
	do {
		char esc[sizeof(cont) * 3];
		query_escape(cont, esc, sizeof(esc));
		snprintf(path, sizeof(path), "%s?limit=%d%s%s%s", xt_reflector_path(r->kind),
		         r->cfg.page_size, sel, cont[0] ? "&continue=" : "", esc);
		struct xt_kube_response resp;
		struct hr_err err;
		hr_err_clear(&err);
		hr_buf_init(&resp.body, LIST_MAX_BYTES);
		enum hr_code rc = xt_kube_get(r->client, conn, path, LIST_TIMEOUT_S, &resp, &err);
		if (stopping(r)) {
			out = OUT_STOPPED;
		} else if (rc != HR_OK) {
			failed(r, "LIST %s: %s", xt_reflector_path(r->kind), err.msg);
			out = OUT_FAILED;
		} else if (resp.status != 200) {
			out = on_status(r, resp.status, "LIST", resp.body.p ? resp.body.p : "",
			                resp.body.len);
		} else {
			cJSON *page =
			    cJSON_ParseWithLength(resp.body.p ? resp.body.p : "", resp.body.len);
			const cJSON *meta = hr_cj_member(page, "metadata");
			const cJSON *next = hr_cj_member(meta, "continue");
			const cJSON *prv = hr_cj_member(meta, "resourceVersion");
			if (!cJSON_IsObject(page)) {
				failed(r, "LIST %s: the answer is not a JSON object",
				       xt_reflector_path(r->kind));
				out = OUT_FAILED;
			} else if (!take_items(r, page, scratch, &objs)) {
				failed(r, "LIST %s: out of memory", xt_reflector_path(r->kind));
				out = OUT_FAILED;
			} else {
				snprintf(cont, sizeof(cont), "%s",
				         cJSON_IsString(next) ? next->valuestring : "");
				if (cJSON_IsString(prv))
					snprintf(list_rv, sizeof(list_rv), "%s", prv->valuestring);
			}
			cJSON_Delete(page);
		}
		hr_buf_fini(&resp.body);
	} while (out == OUT_OK && cont[0]);
	if (out != OUT_OK) {
		obj_list_free(&objs);
		return out;
	}
	xt_store_replace(r->store, r->kind, objs.v, objs.n, list_rv);
	free(objs.v); /* the store took every reference */
	snprintf(rv, rv_size, "%s", list_rv);
	xt_vlog(2, "%s reflector: listed %zu objects at resourceVersion %s", xt_kind_name(r->kind),
	        objs.n, list_rv);
	return OUT_OK;
}

/* ---- WATCH --------------------------------------------------------------------- */

struct watch_ctx {
	struct xt_reflector *r;
	struct xt_watch_stream stream;
	struct hr_arena *scratch;
	char *rv;
	size_t rv_size;
	bool gone;     /* ERROR 410 */
	bool error;    /* another ERROR event */
	bool got_data; /* the server answered 200 and sent bytes */
};

static void apply_object(struct watch_ctx *w, const struct xt_watch_event *ev)
{
	struct xt_reflector *r = w->r;
	struct hr_err err;
	hr_err_clear(&err);
	if (ev->type == XT_WATCH_DELETED) {
		char key[600];
		if (xt_obj_key(r->kind, ev->object, key, sizeof(key)))
			xt_store_delete(r->store, r->kind, key, ev->resource_version);
		return;
	}
	struct xt_obj *o;
	if (xt_obj_from_json(r->kind, ev->object, w->scratch, &o, &err) != HR_OK) {
		xt_log_warn("%s reflector: skipping an event object that does not decode: %s: %s",
		            xt_kind_name(r->kind), err.where, err.msg);
		xt_store_set_resource_version(r->store, r->kind, ev->resource_version);
		return;
	}
	xt_store_upsert(r->store, o, ev->resource_version);
}

static bool on_event(void *ctx, const struct xt_watch_event *ev)
{
	struct watch_ctx *w = ctx;
	if (ev->type == XT_WATCH_ERROR) {
		bool gone = ev->error_code == 410 || strcmp(ev->error_reason, "Expired") == 0 ||
		            strcmp(ev->error_reason, "Gone") == 0;
		if (gone)
			w->gone = true;
		else {
			w->error = true;
			failed(w->r, "WATCH sent an ERROR event: code %ld reason %s",
			       ev->error_code, ev->error_reason);
		}
		return false;
	}
	atomic_fetch_add(&w->r->events, 1);
	if (ev->type == XT_WATCH_BOOKMARK)
		xt_store_set_resource_version(w->r->store, w->r->kind, ev->resource_version);
	else
		apply_object(w, ev);
	if (ev->resource_version[0])
		snprintf(w->rv, w->rv_size, "%s", ev->resource_version);
	return !stopping(w->r);
}

static bool on_bytes(void *ctx, const char *p, size_t n)
{
	struct watch_ctx *w = ctx;
	if (!w->got_data) {
		w->got_data = true;
		healthy(w->r);
	}
	return xt_watch_feed(&w->stream, p, n);
}

static enum outcome do_watch(struct xt_reflector *r, struct xt_kube_conn *conn,
                             struct hr_arena *scratch, char *rv, size_t rv_size, unsigned *seed)
{
	char path[4096], sel[128], esc[400];
	/* like client-go, spread reconnects: timeoutSeconds in [t, 2t] */
	int timeout = r->cfg.watch_timeout_s + rand_r(seed) % (r->cfg.watch_timeout_s + 1);
	selector_param(r, sel, sizeof(sel));
	query_escape(rv, esc, sizeof(esc));
	snprintf(path, sizeof(path),
	         "%s?watch=1&allowWatchBookmarks=true&resourceVersion=%s&timeoutSeconds=%d%s",
	         xt_reflector_path(r->kind), esc, timeout, sel);
	struct watch_ctx w = {.r = r, .scratch = scratch, .rv = rv, .rv_size = rv_size};
	xt_watch_init(&w.stream, r->cfg.max_event_bytes, on_event, &w);
	struct hr_buf error_body;
	struct hr_err err;
	long status = 0;
	hr_buf_init(&error_body, 64 * 1024);
	hr_err_clear(&err);
	atomic_fetch_add(&r->watches, 1);
	/* the transfer may not outlive the server's own timeout by much */
	enum hr_code rc = xt_kube_stream(r->client, conn, path, timeout + 30, on_bytes, &w, &status,
	                                 &error_body, &err);
	enum outcome out = OUT_OK;
	if (stopping(r))
		out = OUT_STOPPED;
	else if (w.gone)
		out = OUT_GONE;
	else if (w.error)
		out = OUT_FAILED;
	else if (w.stream.failed) {
		failed(r, "WATCH stream: %s", w.stream.err.msg);
		out = OUT_FAILED;
	} else if (rc != HR_OK) {
		failed(r, "WATCH %s: %s", xt_reflector_path(r->kind), err.msg);
		out = OUT_FAILED;
	} else if (status != 200) {
		out =
		    on_status(r, status, "WATCH", error_body.p ? error_body.p : "", error_body.len);
	}
	xt_watch_fini(&w.stream);
	hr_buf_fini(&error_body);
	return out;
}

/* ---- the loop ------------------------------------------------------------------ */

static int next_backoff(const struct xt_reflector *r, int *backoff_ms, unsigned *seed)
{
	int base = *backoff_ms;
	int delay = base + (int)((double)base * ((double)rand_r(seed) / RAND_MAX)); /* jitter 1.0 */
	*backoff_ms = base * 2 > r->cfg.backoff_max_ms ? r->cfg.backoff_max_ms : base * 2;
	return delay > r->cfg.backoff_max_ms ? r->cfg.backoff_max_ms : delay;
}

static void *run(void *arg)
{
	struct xt_reflector *r = arg;
	struct xt_kube_conn conn;
	struct hr_arena scratch;
	char rv[256] = "";
	bool need_list = true;
	int backoff = r->cfg.backoff_min_ms;
	unsigned seed = (unsigned)now_ms() ^ (unsigned)r->kind;
	xt_kube_conn_init(&conn);
	hr_arena_init(&scratch, NULL, 0);
	while (!stopping(r)) {
		enum outcome out;
		if (need_list) {
			out = do_list(r, &conn, &scratch, rv, sizeof(rv));
			if (out == OUT_OK) {
				need_list = false;
				healthy(r);
				backoff = r->cfg.backoff_min_ms;
				if (atomic_load(&r->lists) > 1 && r->metrics)
					atomic_fetch_add(&r->metrics->relists, 1);
			} else if (out == OUT_GONE) {
				xt_log_info("%s reflector: continue token expired, listing again",
				            xt_kind_name(r->kind));
			} else if (out == OUT_ABSENT) {
				/* a kind headroom may not read is empty (README),
				 * not whatever an earlier LIST left in the cache */
				xt_store_replace(r->store, r->kind, NULL, 0, "");
				healthy(r);
				nap(r, ABSENT_RETRY_MS);
			} else if (out == OUT_FAILED) {
				nap(r, next_backoff(r, &backoff, &seed));
			}
			continue;
		}
		int64_t started = now_ms();
		out = do_watch(r, &conn, &scratch, rv, sizeof(rv), &seed);
		if (r->metrics && !stopping(r))
			atomic_fetch_add(&r->metrics->watch_restarts, 1);
		if (out == OUT_GONE) {
			xt_log_info("%s reflector: resourceVersion %s is gone, listing again",
			            xt_kind_name(r->kind), rv);
			need_list = true;
		} else if (out == OUT_FAILED) {
			nap(r, next_backoff(r, &backoff, &seed));
		} else if (out == OUT_ABSENT) {
			/* an optional kind no longer served or allowed: the LIST
			 * decides, and empties the kind if it is refused too */
			nap(r, next_backoff(r, &backoff, &seed));
			need_list = true;
		} else if (out == OUT_OK) {
			backoff = r->cfg.backoff_min_ms;
			if (now_ms() - started < 1000)
				nap(r,
				    200); /* a server that ends streams at once must not spin us */
		}
	}
	hr_arena_fini(&scratch);
	xt_kube_conn_fini(&conn);
	return NULL;
}

int xt_reflector_start(struct xt_reflector *r)
{
	int rc = pthread_create(&r->thread, NULL, run, r);
	r->started = rc == 0;
	return rc;
}

void xt_reflector_join(struct xt_reflector *r)
{
	if (r->started)
		pthread_join(r->thread, NULL);
	r->started = false;
}
