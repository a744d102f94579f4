/* cache.c: reference-counted snapshot publication. */
#include "cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct xt_snap *xt_snap_new(const char *source)
{
	struct xt_snap *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	hr_arena_init(&s->arena, NULL, 0);
	snprintf(s->source, sizeof(s->source), "%s", source ? source : "");
	clock_gettime(CLOCK_MONOTONIC, &s->built_at);
	atomic_init(&s->refs, 1);
	return s;
}

void xt_snap_release(struct xt_snap *s)
{
	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	if (s->on_free)
		s->on_free(s->on_free_ctx);
	hr_arena_fini(&s->arena);
	free(s);
}

void xt_cache_init(struct xt_cache *c)
{
	pthread_mutex_init(&c->lock, NULL);
	c->current = NULL;
	c->generations = 0;
}

void xt_cache_fini(struct xt_cache *c)
{
	xt_snap_release(c->current);
	c->current = NULL;
	pthread_mutex_destroy(&c->lock);
}

struct xt_snap *xt_cache_acquire(struct xt_cache *c)
{
	pthread_mutex_lock(&c->lock);
	struct xt_snap *s = c->current;
	if (s)
		atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&c->lock);
	return s;
}

void xt_cache_publish(struct xt_cache *c, struct xt_snap *s)
{
	pthread_mutex_lock(&c->lock);
	struct xt_snap *old = c->current;
	s->generation = ++c->generations;
	c->current = s;
	pthread_mutex_unlock(&c->lock);
	xt_snap_release(old); /* outside the lock: freeing a big snapshot takes time */
}

double xt_snap_age_seconds(const struct xt_snap *s)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - s->built_at.tv_sec) +
	       (double)(now.tv_nsec - s->built_at.tv_nsec) / 1e9;
}
