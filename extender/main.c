/* main.c: the headroom command: serve, capacity, version.
 * The only place that exits. Exit codes: 0 ok, 1 runtime failure, 2 bad
 * usage or bad input. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "capacity_api.h"
#include "config.h"
#include "http.h"
#include "input_file.h"
#include "log.h"
#include "metrics.h"
#include "source_api.h"
#include "source_file.h"
#include "tls.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static int usage_error(const char *command, const struct hr_err *err)
{
	char text[HR_ERR_WHERE_MAX + HR_ERR_MSG_MAX + 4];
	hr_err_format(err, text, sizeof(text));
	fprintf(stderr, "headroom %s: %s\n\n%s", command, text, xt_config_usage(command));
	return EXIT_USAGE;
}

/* Bad input (a snapshot or pod that does not parse) is exit 2, the rest 1. */
static int input_or_runtime(const struct hr_err *err)
{
	return err->code == HR_ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
}

static int report(const char *what, const struct hr_err *err)
{
	char text[HR_ERR_WHERE_MAX + HR_ERR_MSG_MAX + 4];
	hr_err_format(err, text, sizeof(text));
	fprintf(stderr, "headroom: %s: %s\n", what, text);
	return input_or_runtime(err);
}

/* ---- capacity -------------------------------------------------------------- */

static char *read_all(const char *path, size_t *len, struct hr_err *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : xt_open_input(path, NULL, err);
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
		if (n == cap) {
			if (cap >= (64u << 20)) {
				hr_err_set(err, HR_ERANGE, path, "larger than 64 MiB");
				free(buf);
				buf = NULL;
				break;
			}
			char *grown = realloc(buf, cap * 2);
			if (!grown)
				free(buf);
			buf = grown;
			cap *= 2;
		}
	}
	if (f != stdin)
		fclose(f);
	if (!buf && err->code == HR_OK)
		hr_err_set(err, HR_ENOMEM, path, "out of memory");
	*len = n;
	return buf;
}

static int run_capacity(int argc, char **argv)
{
	struct xt_config cfg;
	struct hr_err err;
	hr_err_clear(&err);
	xt_config_defaults(&cfg);
	if (xt_config_parse(&cfg, "capacity", argc, argv, &err) != HR_OK)
		return usage_error("capacity", &err);
	if (cfg.show_help) {
		fputs(xt_config_usage("capacity"), stdout);
		return EXIT_OK;
	}
	struct xt_snap *snap = NULL;
	if (xt_source_file_load(cfg.snapshots, cfg.n_snapshots, &snap, &err) != HR_OK)
		return report("cannot load the snapshot", &err);
	size_t len;
	char *body = read_all(cfg.pod_file, &len, &err);
	if (!body) {
		xt_snap_release(snap);
		return report("cannot read the pod", &err);
	}
	struct xt_capacity_params params = {.has_replicas = cfg.has_replicas,
	                                    .replicas = cfg.replicas,
	                                    .max_copies = cfg.max_copies,
	                                    .max_ms = cfg.max_capacity_ms,
	                                    .output = cfg.output,
	                                    .per_node = cfg.per_node,
	                                    .validate = cfg.validate,
	                                    .namespace = cfg.namespace,
	                                    .namespace_is_default = cfg.namespace_is_default};
	struct hr_buf out;
	hr_buf_init(&out, 1u << 30);
	int code = EXIT_OK;
	if (xt_capacity_answer(snap, body, len, &params, &out, NULL, &err) == HR_OK)
		fwrite(out.p, 1, out.len, stdout);
	else
		code = report(cfg.pod_file, &err);
	hr_buf_fini(&out);
	free(body);
	xt_snap_release(snap);
	return code;
}

/* ---- serve ------------------------------------------------------------------- */

static void load_and_publish(const struct xt_config *cfg, struct xt_cache *cache,
                             struct xt_metrics *metrics)
{
	struct xt_snap *snap;
	struct hr_err err;
	hr_err_clear(&err);
	if (xt_source_file_load(cfg->snapshots, cfg->n_snapshots, &snap, &err) != HR_OK) {
		char text[HR_ERR_WHERE_MAX + HR_ERR_MSG_MAX + 4];
		hr_err_format(&err, text, sizeof(text));
		xt_log_error("snapshot reload refused, keeping the current snapshot: %s", text);
		atomic_fetch_add(&metrics->snapshot_reload_failures, 1);
		return;
	}
	xt_log_info("snapshot reloaded source=%s nodes=%zu pods=%zu build=%.3fs", snap->source,
	            snap->snap->n_nodes, snap->snap->n_pods, snap->build_seconds);
	xt_cache_publish(cache, snap);
	atomic_fetch_add(&metrics->snapshot_reloads, 1);
}

static void check_certificates(struct xt_tls *tls, struct xt_metrics *metrics)
{
	if (!xt_tls_files_changed(tls))
		return;
	struct hr_err err;
	hr_err_clear(&err);
	if (xt_tls_reload(tls, &err) == HR_OK) {
		xt_log_info("TLS credentials reloaded cert=%s", tls->cert_path);
		atomic_fetch_add(&metrics->cert_reloads, 1);
		return;
	}
	char text[HR_ERR_WHERE_MAX + HR_ERR_MSG_MAX + 4];
	hr_err_format(&err, text, sizeof(text));
	xt_log_error("new TLS credentials refused, keeping the current ones: %s", text);
	atomic_fetch_add(&metrics->cert_reload_failures, 1);
}

/* Signals are handled synchronously by the main thread: workers start with
 * them blocked, so SIGHUP/SIGTERM never interrupt a request. */
static void wait_for_signals(const struct xt_config *cfg, struct xt_cache *cache,
                             struct xt_tls *tls, struct xt_metrics *metrics, const sigset_t *set)
{
	struct timespec tick = {.tv_sec = cfg->cert_check_seconds, .tv_nsec = 0};
	for (;;) {
		int sig = sigtimedwait(set, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT) {
			xt_log_info("signal %d: shutting down", sig);
			return;
		}
		if (sig == SIGHUP && cfg->n_snapshots)
			load_and_publish(cfg, cache, metrics);
		check_certificates(tls, metrics);
	}
}

static int run_serve(int argc, char **argv)
{
	struct xt_config cfg;
	struct hr_err err;
	hr_err_clear(&err);
	xt_config_defaults(&cfg);
	if (xt_config_parse(&cfg, "serve", argc, argv, &err) != HR_OK)
		return usage_error("serve", &err);
	if (cfg.show_help) {
		fputs(xt_config_usage("serve"), stdout);
		return EXIT_OK;
	}
	xt_log_setup(cfg.log_json ? XT_LOG_JSON : XT_LOG_TEXT, cfg.verbosity);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct xt_tls tls;
	if (xt_tls_init(&tls, cfg.tls_cert, cfg.tls_key, cfg.client_ca, &err) != HR_OK) {
		xt_tls_fini(&tls);
		return report("cannot load TLS credentials", &err);
	}
	struct xt_metrics metrics;
	struct xt_cache cache;
	struct xt_source_api api;
	bool live = cfg.n_snapshots == 0;
	xt_metrics_init(&metrics);
	xt_cache_init(&cache);
	if (live && xt_source_api_start(&api, &cfg, &cache, &metrics, &err) != HR_OK) {
		xt_cache_fini(&cache);
		xt_tls_fini(&tls);
		return report("cannot use the API server", &err);
	}
	if (!live) {
		struct xt_snap *snap;
		if (xt_source_file_load(cfg.snapshots, cfg.n_snapshots, &snap, &err) != HR_OK) {
			xt_cache_fini(&cache);
			xt_tls_fini(&tls);
			return report("cannot load the snapshot", &err);
		}
		xt_log_info("snapshot loaded source=%s nodes=%zu pods=%zu build=%.3fs",
		            snap->source, snap->snap->n_nodes, snap->snap->n_pods,
		            snap->build_seconds);
		xt_cache_publish(&cache, snap);
	}

	struct xt_server server = {.cfg = &cfg, .cache = &cache, .tls = &tls, .metrics = &metrics};
	if (live) {
		server.not_ready = xt_source_api_not_ready;
		server.not_ready_ctx = &api;
		server.describe_cache = xt_source_api_describe;
		server.describe_ctx = &api;
		server.kube = &api.client;
	}
	int code = EXIT_OK;
	if (xt_server_start(&server, &err) != HR_OK) {
		report("cannot start the server", &err);
		code = EXIT_RUNTIME;
	} else {
		xt_log_info(
		    "serving https://%s (filter, capacity, admission, healthz, readyz, metrics)",
		    cfg.listen);
		wait_for_signals(&cfg, &cache, &tls, &metrics, &set);
		xt_server_stop(&server);
	}
	if (live)
		xt_source_api_stop(&api);
	xt_cache_fini(&cache);
	xt_tls_fini(&tls);
	return code;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(xt_config_usage(""), stderr);
		return EXIT_USAGE;
	}
	const char *command = argv[1];
	if (!strcmp(command, "serve"))
		return run_serve(argc - 2, argv + 2);
	if (!strcmp(command, "capacity"))
		return run_capacity(argc - 2, argv + 2);
	if (!strcmp(command, "version") || !strcmp(command, "--version")) {
		if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
			puts("usage: headroom version\n\nPrints headroom's version and git "
			     "revision.");
			return EXIT_OK;
		}
		if (argc > 2) {
			fprintf(stderr, "headroom version: unexpected argument \"%s\"\n", argv[2]);
			return EXIT_USAGE;
		}
		printf("headroom %s (%s), kube-scheduler 1.34 filter semantics\n", HR_VERSION,
		       HR_GIT_REV);
		return EXIT_OK;
	}
	if (!strcmp(command, "help") || !strcmp(command, "--help") || !strcmp(command, "-h")) {
		fputs(xt_config_usage(argc > 2 ? argv[2] : ""), stdout);
		return EXIT_OK;
	}
	fprintf(stderr, "headroom: unknown command \"%s\"\n\n%s", command, xt_config_usage(""));
	return EXIT_USAGE;
}
