/* fuzz_kubeconfig.c: kubeconfig text to an API server target
 * (extender/kubeconfig.h xt_kubeconfig_parse: YAML through yaml_json.h,
 * contexts, clusters, users, base64 -data fields). Parsing only resolves
 * file names against dir and never opens them; dir is a folder that does not
 * exist, so nothing on this machine could be read even if that changed.
 * Each input is parsed for its current-context and for a context named
 * "fuzz". Checked: every string of the target is NUL-terminated; a failed
 * parse leaves nothing allocated (xt_kube_target_fini is still safe). */
#include <stdint.h>
#include <string.h>

#include "common.h"
#include "kubeconfig.h"

#define FUZZ_DIR "/nonexistent-headroom-fuzz/kube"

static void check_target(const struct xt_kube_target *t)
{
	FZ_CHECK(memchr(t->server, '\0', sizeof(t->server)));
	FZ_CHECK(memchr(t->ca_file, '\0', sizeof(t->ca_file)));
	FZ_CHECK(memchr(t->cert_file, '\0', sizeof(t->cert_file)));
	FZ_CHECK(memchr(t->key_file, '\0', sizeof(t->key_file)));
	FZ_CHECK(memchr(t->token_file, '\0', sizeof(t->token_file)));
	FZ_CHECK(memchr(t->username, '\0', sizeof(t->username)));
	FZ_CHECK(memchr(t->namespace, '\0', sizeof(t->namespace)));
	FZ_CHECK(memchr(t->description, '\0', sizeof(t->description)));
	FZ_CHECK((t->cert_pem || t->cert_file[0]) == (t->key_pem || t->key_file[0]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const contexts[] = {NULL, "fuzz"};
	for (size_t i = 0; i < 2; i++) {
		struct xt_kube_target t;
		struct hr_err err;
		hr_err_clear(&err);
		enum hr_code rc =
		    xt_kubeconfig_parse((const char *)data, size, FUZZ_DIR, contexts[i], &t, &err);
		if (rc == HR_OK)
			check_target(&t);
		else
			FZ_CHECK(err.code == rc && err.msg[0]);
		xt_kube_target_fini(&t);
		xt_kube_target_fini(&t); /* safe twice */
	}
	return 0;
}
