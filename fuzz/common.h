/* common.h: shared pieces of the libFuzzer harnesses in fuzz/ (not part of headroom).
 *
 * A small fixed cluster (3 nodes, bound pods with affinity, namespaces, a
 * LimitRange, RuntimeClasses), built once per process into a snapshot that
 * targets needing one (extender_args, capacity, admission, pod) read; a
 * deterministic chunker that splits an input the same way on every run; and
 * FZ_CHECK, which turns a broken invariant into a crash libFuzzer reports.
 * Thread-safety: a fuzzer process is single-threaded. */
#ifndef FZ_COMMON_H
#define FZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cache.h"

/* Aborts with a message: an invariant the code promises does not hold. */
#define FZ_CHECK(cond)                                                                             \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,       \
			        #cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* The fixed cluster as a v1 List (JSON text, NUL-terminated, static). */
const char *fz_cluster_json(void);

/* The snapshot of that cluster, built on first use; never freed (it lives as
 * long as the process, which LeakSanitizer accepts: it stays reachable). */
const struct xt_snap *fz_snapshot(void);

/* A deterministic pseudo-random sequence seeded from bytes (FNV-1a + xorshift). */
struct fz_rng {
	uint64_t s;
};
void fz_rng_seed(struct fz_rng *r, const uint8_t *data, size_t size, uint64_t salt);
uint64_t fz_rng_next(struct fz_rng *r);
/* 1..max, mostly small (half the draws are at most 16). */
size_t fz_rng_chunk(struct fz_rng *r, size_t max);

#endif
