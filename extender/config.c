/* config.c: flag parsing. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selector.h"

void xt_config_defaults(struct xt_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->listen, sizeof(cfg->listen), "0.0.0.0:8443");
	cfg->max_body_bytes = 256u << 20; /* ExtenderArgs with 5,000 full Nodes is tens of MB */
	cfg->threads = 512;               /* civetweb holds a thread per open connection */
	cfg->request_timeout_ms = 10000;
	cfg->keep_alive_timeout_ms = 60000;
	cfg->cert_check_seconds = 10;
	cfg->max_copies = 100000;
	cfg->per_node = true;
	cfg->max_capacity_ms = 2000;
	cfg->publish_interval_ms = 100;
	cfg->max_staleness_s = 60;
	cfg->watch_timeout_s = 300;
	cfg->list_page_size = 500;
	cfg->backoff_max_ms = 30000;
	cfg->admission_mode = "warn";
	cfg->output = XT_OUTPUT_JSON;
}

static const char serve_usage[] =
    "usage: headroom serve --tls-cert FILE --tls-key FILE [flags]\n"
    "\n"
    "Serves the scheduler extender (POST /filter), capacity (POST /capacity,\n"
    "GET /capacity?pod=...), the admission pre-check (POST /admission), metrics\n"
    "and health routes over HTTPS.\n"
    "\n"
    "  --listen ADDR:PORT        address to serve on (default 0.0.0.0:8443)\n"
    "  --tls-cert FILE           serving certificate (PEM, leaf first, then chain)\n"
    "  --tls-key FILE            its private key (PEM)\n"
    "  --client-ca FILE          verify client certificates against this CA; filter\n"
    "                            and admission then require one\n"
    "  --anonymous-read          with --client-ca, let capacity, metrics and configz\n"
    "                            be called without a client certificate\n"
    "  --allowed-client-names NAME[,NAME...]\n"
    "                            with --client-ca, filter and admission only for client\n"
    "                            certificates whose CN or a DNS SAN is one of these\n"
    "                            names (exactly; repeatable, at most 32)\n"
    "  --snapshot FILE           cluster from a file (kubectl get nodes,pods,namespaces,\n"
    "                            limitranges,runtimeclasses -A -o json);\n"
    "                            repeat to merge files; reloaded on SIGHUP\n"
    "  --kubeconfig FILE         cluster from the API server (list/watch); with neither\n"
    "                            --snapshot nor --kubeconfig, the in-cluster service\n"
    "                            account is used\n"
    "  --context NAME            kubeconfig context (default: current-context)\n"
    "  --service-account-dir DIR in-cluster token and CA folder\n"
    "                            (default /var/run/secrets/kubernetes.io/serviceaccount)\n"
    "  --watch-timeout-seconds N WATCH timeoutSeconds, randomized up to 2N (default 300)\n"
    "  --list-page-size N        LIST page size (default 500)\n"
    "  --publish-interval-ms N   most frequent snapshot publication (default 100)\n"
    "  --max-staleness-seconds N not ready once a watch fails this long (default 60)\n"
    "  --backoff-max-ms N        longest retry delay after API errors (default 30000)\n"
    "  --admission-mode MODE     scale-ups that do not fit: warn (default), deny or off;\n"
    "                            the annotation headroom.io/enforce on the workload or\n"
    "                            its namespace overrides it\n"
    "  --max-body-bytes N        largest request body accepted (default 268435456)\n"
    "  --threads N               worker threads, each serving one open connection\n"
    "                            (default 512)\n"
    "  --request-timeout-ms N    the TLS handshake, the request headers and the whole\n"
    "                            body must each arrive within N ms (default 10000)\n"
    "  --keep-alive-timeout-ms N close a kept-alive connection idle for N ms; a\n"
    "                            further request's headers must arrive within it too\n"
    "                            (default 60000)\n"
    "  --cert-check-seconds N    how often to look for rotated --tls-cert, --tls-key\n"
    "                            and --client-ca files (default 10)\n"
    "  --max-copies N            most copies one capacity answer places (default 100000)\n"
    "  --max-capacity-ms N       time one capacity answer may spend placing coupled copies;\n"
    "                            past it the answer is partial (\"limited\": true)\n"
    "                            (default 2000, 0 = no limit); /admission uses it too,\n"
    "                            at most 2000 (the webhook's timeoutSeconds is 5)\n"
    "  --log-format text|json    log line format (default text)\n"
    "  -v N                      log verbosity (2 logs every request)\n";

static const char capacity_usage[] =
    "usage: headroom capacity --snapshot FILE -f FILE [--replicas K] [-o json|table|yaml]\n"
    "\n"
    "Answers how many more copies of a pod fit on a saved cluster snapshot.\n"
    "\n"
    "  --snapshot FILE           cluster (kubectl get nodes,pods,namespaces,limitranges,\n"
    "                            runtimeclasses -A -o json); repeatable\n"
    "  -f, --filename FILE       the Pod or workload (JSON or YAML; - for stdin)\n"
    "  --replicas K              also say whether K more copies fit\n"
    "  -n, --namespace NS        the namespace of a pod or workload that names none\n"
    "                            (default: default); one naming another is refused\n"
    "  --default-namespace NS    the same, but a pod naming another keeps its own\n"
    "                            (kubectl's context namespace)\n"
    "  --max-copies N            stop counting at N (default 100000)\n"
    "  --max-capacity-ms N       stop placing coupled copies after N ms (default 2000)\n"
    "  -o, --output FORMAT       json (default), table (or wide) or yaml\n"
    "  --per-node true|false     include the per-node counts (default true)\n"
    "  --validate MODE           a field the Pod type does not have (a misspelling):\n"
    "                            strict refuses the pod (default), warn answers with a\n"
    "                            note, ignore answers as if it were absent\n"
    "  --log-format text|json    format of warnings on stderr (default text)\n"
    "  -v N                      verbosity of warnings on stderr\n"
    "\n"
    "Exit codes: 0 answered, 1 runtime failure, 2 bad usage or bad input.\n";

static const char top_usage[] =
    "usage: headroom <command> [flags]\n"
    "\n"
    "Tells how many more copies of a pod will schedule on a Kubernetes cluster,\n"
    "with kube-scheduler's own filter semantics.\n"
    "\n"
    "commands:\n"
    "  serve      HTTPS scheduler extender, capacity and admission service\n"
    "  capacity   offline capacity answer on a snapshot file\n"
    "  version    print the version\n"
    "\n"
    "Run 'headroom <command> --help' for the flags of a command.\n";

const char *xt_config_usage(const char *command)
{
	if (command && strcmp(command, "serve") == 0)
		return serve_usage;
	if (command && strcmp(command, "capacity") == 0)
		return capacity_usage;
	return top_usage;
}

bool xt_validate_parse(const char *v, enum xt_validate *out)
{
	if (!strcmp(v, "strict") || !strcmp(v, "true"))
		*out = XT_VALIDATE_STRICT;
	else if (!strcmp(v, "warn"))
		*out = XT_VALIDATE_WARN;
	else if (!strcmp(v, "ignore") || !strcmp(v, "false"))
		*out = XT_VALIDATE_IGNORE;
	else
		return false;
	return true;
}

bool xt_split_listen(const char *listen, char *host, size_t host_size, int *port)
{
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen)
		return false;
	const char *h = listen;
	size_t hn = (size_t)(colon - listen);
	if (h[0] == '[' && hn >= 2 && h[hn - 1] == ']') {
		h++;
		hn -= 2;
	}
	char *end;
	errno = 0;
	long p = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || p < 1 || p > 65535 || hn + 1 > host_size)
		return false;
	if (memchr(h, ',', hn) || memchr(h, ' ', hn)) /* one address; civetweb would take a list */
		return false;
	memcpy(host, h, hn);
	host[hn] = '\0';
	*port = (int)p;
	return true;
}

static bool parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* One flag: its names, whether it takes a value, which commands accept it. */
struct flag {
	const char *name;
	const char *alias;
	bool serve, capacity;
};

static const struct flag flags[] = {
    {"--listen", NULL, true, false},
    {"--tls-cert", NULL, true, false},
    {"--tls-key", NULL, true, false},
    {"--client-ca", NULL, true, false},
    {"--allowed-client-names", NULL, true, false},
    {"--kubeconfig", NULL, true, false},
    {"--context", NULL, true, false},
    {"--service-account-dir", NULL, true, false},
    {"--watch-timeout-seconds", NULL, true, false},
    {"--list-page-size", NULL, true, false},
    {"--publish-interval-ms", NULL, true, false},
    {"--max-staleness-seconds", NULL, true, false},
    {"--backoff-max-ms", NULL, true, false},
    {"--admission-mode", NULL, true, false},
    {"--max-body-bytes", NULL, true, false},
    {"--threads", NULL, true, false},
    {"--request-timeout-ms", NULL, true, false},
    {"--keep-alive-timeout-ms", NULL, true, false},
    {"--cert-check-seconds", NULL, true, false},
    {"--snapshot", NULL, true, true},
    {"--max-capacity-ms", NULL, true, true},
    {"--max-copies", NULL, true, true},
    {"--log-format", NULL, true, true},
    {"-v", "--v", true, true},
    {"--filename", "-f", false, true},
    {"--replicas", NULL, false, true},
    {"--output", "-o", false, true},
    {"--per-node", NULL, false, true},
    {"--validate", NULL, false, true},
    {"--namespace", "-n", false, true},
    {"--default-namespace", NULL, false, true},
};

/* "<value>": <what>, at the flag. */
static enum hr_code bad(struct hr_err *err, const char *flag, const char *value, const char *what)
{
	return hr_err_set(err, HR_EINVAL, flag, "\"%s\": %s", value, what);
}

/* Like bad, for a value that may be long: quotes its first 48 bytes. */
static enum hr_code bad_long(struct hr_err *err, const char *flag, const char *value,
                             const char *what)
{
	return hr_err_set(err, HR_EINVAL, flag, "\"%.48s%s\": %s", value,
	                  strlen(value) > 48 ? "..." : "", what);
}

/* Appends the comma-separated names of v to cfg->client_names. */
static enum hr_code add_client_names(struct xt_config *cfg, const char *name, const char *v,
                                     struct hr_err *err)
{
	const char *p = v;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (n == 0)
			return bad_long(err, name, v, "has an empty name");
		if (n >= XT_CLIENT_NAME_MAX)
			return bad_long(err, name, p, "a name longer than 255 bytes");
		if (cfg->n_client_names == XT_MAX_CLIENT_NAMES)
			return bad_long(err, name, p, "more than 32 names");
		memcpy(cfg->client_names[cfg->n_client_names], p, n);
		cfg->client_names[cfg->n_client_names++][n] = '\0';
		if (!comma)
			return HR_OK;
		p = comma + 1;
	}
}

static enum hr_code apply(struct xt_config *cfg, const char *name, const char *v,
                          struct hr_err *err)
{
	int64_t n;
	if (!strcmp(name, "--listen")) {
		char host[256];
		int port;
		if (!xt_split_listen(v, host, sizeof(host), &port))
			return bad(err, name, v, "is not ADDR:PORT");
		snprintf(cfg->listen, sizeof(cfg->listen), "%s", v);
	} else if (!strcmp(name, "--tls-cert")) {
		cfg->tls_cert = v;
	} else if (!strcmp(name, "--tls-key")) {
		cfg->tls_key = v;
	} else if (!strcmp(name, "--client-ca")) {
		cfg->client_ca = v;
	} else if (!strcmp(name, "--allowed-client-names")) {
		return add_client_names(cfg, name, v, err);
	} else if (!strcmp(name, "--kubeconfig")) {
		cfg->kubeconfig = v;
	} else if (!strcmp(name, "--context")) {
		cfg->context = v;
	} else if (!strcmp(name, "--service-account-dir")) {
		cfg->service_account_dir = v;
	} else if (!strcmp(name, "--watch-timeout-seconds")) {
		if (!parse_i64(v, 1, 3600, &n))
			return bad(err, name, v, "is not seconds in [1, 3600]");
		cfg->watch_timeout_s = (int)n;
	} else if (!strcmp(name, "--list-page-size")) {
		if (!parse_i64(v, 1, 100000, &n))
			return bad(err, name, v, "is not a page size in [1, 100000]");
		cfg->list_page_size = (int)n;
	} else if (!strcmp(name, "--publish-interval-ms")) {
		if (!parse_i64(v, 10, 60000, &n))
			return bad(err, name, v, "is not milliseconds in [10, 60000]");
		cfg->publish_interval_ms = (int)n;
	} else if (!strcmp(name, "--max-staleness-seconds")) {
		if (!parse_i64(v, 1, 86400, &n))
			return bad(err, name, v, "is not seconds in [1, 86400]");
		cfg->max_staleness_s = (int)n;
	} else if (!strcmp(name, "--backoff-max-ms")) {
		if (!parse_i64(v, 100, 600000, &n))
			return bad(err, name, v, "is not milliseconds in [100, 600000]");
		cfg->backoff_max_ms = (int)n;
	} else if (!strcmp(name, "--max-capacity-ms")) {
		if (!parse_i64(v, 0, 3600000, &n))
			return bad(err, name, v, "is not milliseconds in [0, 3600000]");
		cfg->max_capacity_ms = (int)n;
	} else if (!strcmp(name, "--admission-mode")) {
		if (strcmp(v, "warn") && strcmp(v, "deny") && strcmp(v, "off"))
			return bad(err, name, v, "want warn, deny or off");
		cfg->admission_mode = v;
	} else if (!strcmp(name, "--snapshot")) {
		if (cfg->n_snapshots == XT_MAX_SNAPSHOTS)
			return bad(err, name, v, "at most 16 snapshot files");
		cfg->snapshots[cfg->n_snapshots++] = v;
	} else if (!strcmp(name, "--max-body-bytes")) {
		if (!parse_i64(v, 1024, (int64_t)1 << 34, &n))
			return bad(err, name, v, "is not a byte count in [1024, 2^34]");
		cfg->max_body_bytes = (size_t)n;
	} else if (!strcmp(name, "--threads")) {
		if (!parse_i64(v, 2, 1024, &n))
			return bad(err, name, v, "is not a thread count in [2, 1024]");
		cfg->threads = (int)n;
	} else if (!strcmp(name, "--request-timeout-ms")) {
		if (!parse_i64(v, 100, 600000, &n))
			return bad(err, name, v, "is not milliseconds in [100, 600000]");
		cfg->request_timeout_ms = (int)n;
	} else if (!strcmp(name, "--keep-alive-timeout-ms")) {
		if (!parse_i64(v, 100, 600000, &n))
			return bad(err, name, v, "is not milliseconds in [100, 600000]");
		cfg->keep_alive_timeout_ms = (int)n;
	} else if (!strcmp(name, "--cert-check-seconds")) {
		if (!parse_i64(v, 1, 3600, &n))
			return bad(err, name, v, "is not seconds in [1, 3600]");
		cfg->cert_check_seconds = (int)n;
	} else if (!strcmp(name, "--max-copies")) {
		if (!parse_i64(v, 1, 100000000, &n))
			return bad(err, name, v, "is not a count in [1, 100000000]");
		cfg->max_copies = n;
	} else if (!strcmp(name, "--log-format")) {
		if (strcmp(v, "text") && strcmp(v, "json"))
			return bad(err, name, v, "want text or json");
		cfg->log_json = !strcmp(v, "json");
	} else if (!strcmp(name, "-v")) {
		if (!parse_i64(v, 0, 10, &n))
			return bad(err, name, v, "is not a verbosity in [0, 10]");
		cfg->verbosity = (int)n;
	} else if (!strcmp(name, "--filename")) {
		if (cfg->pod_file)
			return bad_long(err, name, v,
			                "a second file: one pod or workload per answer");
		cfg->pod_file = v;
	} else if (!strcmp(name, "--per-node")) {
		if (strcmp(v, "true") && strcmp(v, "false"))
			return bad(err, name, v, "want true or false");
		cfg->per_node = !strcmp(v, "true");
	} else if (!strcmp(name, "--namespace") || !strcmp(name, "--default-namespace")) {
		if (!hr_is_dns_label(hr_str_c(v)))
			return bad_long(err, name, v,
			                "is not a namespace name (a DNS label: lowercase letters, "
			                "digits and '-', at most 63)");
		bool is_default = !strcmp(name, "--default-namespace");
		if (cfg->namespace && cfg->namespace_is_default != is_default)
			return hr_err_set(err, HR_EINVAL, name,
			                  "give --namespace or --default-namespace");
		cfg->namespace = v;
		cfg->namespace_is_default = is_default;
	} else if (!strcmp(name, "--validate")) {
		if (!xt_validate_parse(v, &cfg->validate))
			return bad(err, name, v, "want strict, warn or ignore");
	} else if (!strcmp(name, "--replicas")) {
		if (!parse_i64(v, 0, 100000000, &n))
			return bad(err, name, v, "is not a count in [0, 100000000]");
		cfg->has_replicas = true;
		cfg->replicas = n;
	} else if (!strcmp(name, "--output")) {
		if (!strcmp(v, "json"))
			cfg->output = XT_OUTPUT_JSON;
		else if (!strcmp(v, "table") || !strcmp(v, "wide"))
			cfg->output = XT_OUTPUT_TABLE;
		else if (!strcmp(v, "yaml"))
			cfg->output = XT_OUTPUT_YAML;
		else
			return bad(err, name, v, "want json, table or yaml");
	}
	return HR_OK;
}

static const struct flag *find_flag(const char *arg, size_t len)
{
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		const char *names[2] = {flags[i].name, flags[i].alias};
		for (size_t k = 0; k < 2; k++)
			if (names[k] && strlen(names[k]) == len && !strncmp(arg, names[k], len))
				return &flags[i];
	}
	return NULL;
}

enum hr_code xt_config_parse(struct xt_config *cfg, const char *command, int argc, char **argv,
                             struct hr_err *err)
{
	bool serve = strcmp(command, "serve") == 0;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			cfg->show_help = true;
			return HR_OK;
		}
		if (!strcmp(arg, "--anonymous-read") && serve) {
			cfg->anonymous_read = true;
			continue;
		}
		const char *eq = strchr(arg, '=');
		size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
		const struct flag *f = find_flag(arg, len);
		if (!f || !(serve ? f->serve : f->capacity))
			return hr_err_set(err, HR_EINVAL, arg, "unknown flag for headroom %s",
			                  command);
		const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
		if (!value)
			return hr_err_set(err, HR_EINVAL, f->name, "needs a value");
		enum hr_code rc = apply(cfg, f->name, value, err);
		if (rc != HR_OK)
			return rc;
	}
	if (serve) {
		if (!cfg->tls_cert || !cfg->tls_key)
			return hr_err_set(err, HR_EINVAL,
			                  cfg->tls_cert ? "--tls-key" : "--tls-cert",
			                  "serve needs --tls-cert and --tls-key (HTTPS only)");
		if (cfg->n_snapshots && cfg->kubeconfig)
			return hr_err_set(err, HR_EINVAL, "--snapshot",
			                  "give either --snapshot or --kubeconfig, not both");
		if (cfg->anonymous_read && !cfg->client_ca)
			return hr_err_set(err, HR_EINVAL, "--anonymous-read",
			                  "only makes sense with --client-ca");
		if (cfg->n_client_names && !cfg->client_ca)
			return hr_err_set(err, HR_EINVAL, "--allowed-client-names",
			                  "only makes sense with --client-ca");
		if (cfg->context && !cfg->kubeconfig)
			return hr_err_set(err, HR_EINVAL, "--context",
			                  "only makes sense with --kubeconfig");
	} else {
		if (!cfg->n_snapshots)
			return hr_err_set(err, HR_EINVAL, "--snapshot", "required");
		if (!cfg->pod_file)
			return hr_err_set(err, HR_EINVAL, "-f",
			                  "required: the pod or workload file");
	}
	return HR_OK;
}
