/* cache.h: publication of immutable snapshots to request threads.
 *
 * A source (snapshot file, API server) builds a complete snapshot off to the
 * side and publishes it with one pointer swap under a short mutex; a request
 * acquires the current snapshot (one reference) for its whole life and
 * releases it at the end, so every answer is internally consistent and no
 * request waits for a source. The last reference frees the snapshot.
 * Thread-safety: every function may be called from any thread. */
#ifndef XT_CACHE_H
#define XT_CACHE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "snapshot.h"

struct xt_snap {
	const struct hr_snapshot *snap; /* immutable */
	struct hr_arena arena;          /* owns snap's memory */
	char source[256];               /* "file:PATH" or "api:URL" */
	struct timespec built_at;       /* CLOCK_MONOTONIC, when the source's state was read */
	double build_seconds;           /* time taken to build it */
	uint64_t generation;            /* 1, 2, ... per cache */
	atomic_int refs;
	/* Called when the last reference goes (e.g. to release objects the
	 * snapshot borrowed from a watch store). May be NULL. */
	void (*on_free)(void *ctx);
	void *on_free_ctx;
};

struct xt_cache {
	pthread_mutex_t lock;
	struct xt_snap *current; /* NULL until the first publish */
	uint64_t generations;
};

/* A new, empty xt_snap (refs = 1, owned by the caller) whose arena has no cap. */
struct xt_snap *xt_snap_new(const char *source);

/* Drops one reference; frees at zero. NULL is fine. */
void xt_snap_release(struct xt_snap *s);

void xt_cache_init(struct xt_cache *c);
/* Releases the current snapshot. No request may be running. */
void xt_cache_fini(struct xt_cache *c);

/* The current snapshot with a new reference (release it!), or NULL. */
struct xt_snap *xt_cache_acquire(struct xt_cache *c);

/* Publishes s (takes the caller's reference) and drops the old one. */
void xt_cache_publish(struct xt_cache *c, struct xt_snap *s);

/* Seconds since the source's state was read (the snapshot's age). */
double xt_snap_age_seconds(const struct xt_snap *s);

#endif
