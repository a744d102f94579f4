/* config.h: command-line flags of `headroom serve` and `headroom capacity`.
 *
 * Parsing fills a struct xt_config from argv (flags in GNU long form,
 * "--flag value" or "--flag=value"); bad usage is reported in err with the
 * flag's name, and main exits 2. The config is read-only after parsing.
 * Thread-safety: parse once in main; then any thread may read. */
#ifndef XT_CONFIG_H
#define XT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define XT_MAX_SNAPSHOTS    16
#define XT_MAX_CLIENT_NAMES 32
#define XT_CLIENT_NAME_MAX  256 /* a DNS name is at most 253 bytes */

enum xt_output { XT_OUTPUT_JSON, XT_OUTPUT_TABLE, XT_OUTPUT_YAML };

/* What an unknown field in the pod does (kubectl's --validate values):
 * strict refuses the pod, warn answers with a note, ignore says nothing. */
enum xt_validate { XT_VALIDATE_STRICT, XT_VALIDATE_WARN, XT_VALIDATE_IGNORE };

struct xt_config {
	/* serve */
	char listen[256]; /* ADDR:PORT, default 0.0.0.0:8443 */
	const char *tls_cert;
	const char *tls_key;
	const char *client_ca;
	bool anonymous_read; /* with --client-ca: capacity/metrics/configz without a cert */
	/* with --client-ca: gate routes only for certificates whose CN or a DNS
	 * SAN is one of these (none = any verified certificate) */
	char client_names[XT_MAX_CLIENT_NAMES][XT_CLIENT_NAME_MAX];
	size_t n_client_names;
	const char *kubeconfig;
	const char *context;             /* kubeconfig context (default: current) */
	const char *service_account_dir; /* in-cluster credentials folder */
	int publish_interval_ms;         /* live cache: most frequent snapshot publish */
	int max_staleness_s;             /* live cache: not ready after failing this long */
	int watch_timeout_s;        /* live cache: WATCH timeoutSeconds (randomized up to 2x) */
	int list_page_size;         /* live cache: LIST limit */
	int backoff_max_ms;         /* live cache: longest retry delay */
	const char *admission_mode; /* warn (default), deny or off */
	size_t max_body_bytes;
	int threads;
	int request_timeout_ms;    /* TLS handshake, headers, and the whole body: each */
	int keep_alive_timeout_ms; /* idle time (and headers) of a kept-alive connection */
	int cert_check_seconds;    /* how often to look for rotated certificate files */
	/* shared */
	const char *snapshots[XT_MAX_SNAPSHOTS];
	size_t n_snapshots;
	int64_t max_copies;  /* bound on one capacity answer's placement loop */
	int max_capacity_ms; /* time bound on one capacity answer's placement loop (0 = none) */
	int verbosity;
	bool log_json;
	/* capacity */
	const char *pod_file; /* -f FILE ("-" = stdin) */
	bool has_replicas;
	int64_t replicas;
	enum xt_output output;
	bool per_node;             /* --per-node (default true) */
	enum xt_validate validate; /* --validate (default strict) */
	const char *namespace;     /* -n: for a pod or workload that names none (NULL = none) */
	bool namespace_is_default; /* --default-namespace: -n without the conflict check */
	bool show_help;
};

/* Defaults for every field. */
void xt_config_defaults(struct xt_config *cfg);

/* Parses the flags of `command` ("serve" or "capacity") from argv[0..argc).
 * Returns HR_OK or HR_EINVAL with err naming the flag. */
enum hr_code xt_config_parse(struct xt_config *cfg, const char *command, int argc, char **argv,
                             struct hr_err *err);

/* Usage text of a command ("" for the top level). */
const char *xt_config_usage(const char *command);

/* Parses a --validate / validate= value: strict, warn or ignore (also true
 * and false, as kubectl takes them). False for anything else. */
bool xt_validate_parse(const char *v, enum xt_validate *out);

/* Parses "host:port" into host (no brackets) and port. */
bool xt_split_listen(const char *listen, char *host, size_t host_size, int *port);

#endif
