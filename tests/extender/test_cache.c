/* test_cache.c: extender/cache.h, reference-counted publication of snapshots. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"

/* ---- helpers ---- */

/* What on_free saw for one snapshot. */
struct freed {
	atomic_int calls;
	int order; /* value of the global free sequence when it was freed, 0 = not yet */
};

static atomic_int free_sequence;

static void count_free(void *ctx)
{
	struct freed *f = ctx;
	f->order = atomic_fetch_add(&free_sequence, 1) + 1;
	atomic_fetch_add(&f->calls, 1);
}

/* A snapshot whose freeing is recorded in *f. */
static struct xt_snap *tracked(const char *source, struct freed *f)
{
	struct xt_snap *s = xt_snap_new(source);
	assert_non_null(s);
	atomic_init(&f->calls, 0);
	f->order = 0;
	s->on_free = count_free;
	s->on_free_ctx = f;
	return s;
}

static int calls(struct freed *f)
{
	return atomic_load(&f->calls);
}

/* ---- xt_snap ---- */

static void test_snap_new_has_one_reference(void **state)
{
	(void)state;
	struct xt_snap *s = xt_snap_new("file:cluster.json");
	assert_non_null(s);
	assert_int_equal(atomic_load(&s->refs), 1);
	assert_string_equal(s->source, "file:cluster.json");
	assert_null(s->snap);
	assert_int_equal(s->generation, 0);
	assert_null(s->on_free);
	assert_null(s->on_free_ctx);
	assert_true(s->build_seconds == 0.0);
	xt_snap_release(s);
}

static void test_snap_new_null_and_long_source(void **state)
{
	(void)state;
	struct xt_snap *s = xt_snap_new(NULL);
	assert_non_null(s);
	assert_string_equal(s->source, "");
	xt_snap_release(s);

	char long_source[400];
	memset(long_source, 'x', sizeof(long_source) - 1);
	long_source[sizeof(long_source) - 1] = '\0';
	s = xt_snap_new(long_source);
	assert_non_null(s);
	assert_int_equal(strlen(s->source), sizeof(s->source) - 1);
	assert_memory_equal(s->source, long_source, sizeof(s->source) - 1);
	xt_snap_release(s);
}

static void test_snap_release_last_reference_frees_once(void **state)
{
	(void)state;
	struct freed f;
	struct xt_snap *s = tracked("t", &f);
	atomic_fetch_add(&s->refs, 1); /* a second holder */
	xt_snap_release(s);
	assert_int_equal(calls(&f), 0);
	xt_snap_release(s);
	assert_int_equal(calls(&f), 1);
}

static void test_snap_release_null_is_noop(void **state)
{
	(void)state;
	xt_snap_release(NULL);
}

static void test_snap_arena_memory_lives_with_the_snapshot(void **state)
{
	(void)state;
	/* arena blocks are freed with the snapshot (ASan would report a leak otherwise) */
	struct xt_snap *s = xt_snap_new("arena");
	assert_non_null(s);
	char *p = hr_arena_alloc(&s->arena, 100000);
	assert_non_null(p);
	memset(p, 1, 100000);
	xt_snap_release(s);
}

static void test_snap_age_seconds(void **state)
{
	(void)state;
	struct xt_snap *s = xt_snap_new("age");
	assert_non_null(s);
	double age = xt_snap_age_seconds(s);
	assert_true(age >= 0.0);
	assert_true(age < 1.0);
	s->built_at.tv_sec -= 3; /* built three seconds ago */
	age = xt_snap_age_seconds(s);
	assert_true(age >= 3.0);
	assert_true(age < 4.0);
	xt_snap_release(s);
}

/* ---- xt_cache ---- */

static void test_cache_acquire_before_publish_is_null(void **state)
{
	(void)state;
	struct xt_cache c;
	xt_cache_init(&c);
	assert_null(c.current);
	assert_int_equal(c.generations, 0);
	assert_null(xt_cache_acquire(&c));
	assert_null(xt_cache_acquire(&c));
	xt_cache_fini(&c);
}

static void test_cache_publish_then_acquire_adds_a_reference(void **state)
{
	(void)state;
	struct xt_cache c;
	struct freed f;
	xt_cache_init(&c);
	struct xt_snap *s = tracked("one", &f);
	xt_cache_publish(&c, s);
	assert_int_equal(atomic_load(&s->refs), 1); /* the cache's (taken from the caller) */

	struct xt_snap *a = xt_cache_acquire(&c);
	assert_ptr_equal(a, s);
	assert_int_equal(atomic_load(&s->refs), 2);
	struct xt_snap *b = xt_cache_acquire(&c);
	assert_ptr_equal(b, s);
	assert_int_equal(atomic_load(&s->refs), 3);
	xt_snap_release(a);
	xt_snap_release(b);
	assert_int_equal(atomic_load(&s->refs), 1);
	assert_int_equal(calls(&f), 0);

	xt_cache_fini(&c); /* drops the cache's reference: freed now */
	assert_int_equal(calls(&f), 1);
}

static void test_cache_publish_without_readers_frees_old_at_once(void **state)
{
	(void)state;
	struct xt_cache c;
	struct freed f1, f2;
	xt_cache_init(&c);
	xt_cache_publish(&c, tracked("one", &f1));
	assert_int_equal(calls(&f1), 0);
	xt_cache_publish(&c, tracked("two", &f2));
	assert_int_equal(calls(&f1), 1);
	assert_int_equal(calls(&f2), 0);
	xt_cache_fini(&c);
	assert_int_equal(calls(&f2), 1);
}

static void test_cache_reader_keeps_old_snapshot_until_release(void **state)
{
	(void)state;
	struct xt_cache c;
	struct freed f1, f2;
	xt_cache_init(&c);
	struct xt_snap *s1 = tracked("one", &f1);
	xt_cache_publish(&c, s1);
	struct xt_snap *held = xt_cache_acquire(&c);
	assert_ptr_equal(held, s1);

	struct xt_snap *s2 = tracked("two", &f2);
	xt_cache_publish(&c, s2);
	/* the cache let go of s1, the reader did not */
	assert_int_equal(calls(&f1), 0);
	assert_int_equal(atomic_load(&s1->refs), 1);
	assert_string_equal(held->source, "one"); /* still readable */

	/* new readers get the new snapshot */
	struct xt_snap *now = xt_cache_acquire(&c);
	assert_ptr_equal(now, s2);
	xt_snap_release(now);

	/* the reader's release is the moment s1 goes */
	xt_snap_release(held);
	assert_int_equal(calls(&f1), 1);
	assert_int_equal(calls(&f2), 0);

	xt_cache_fini(&c);
	assert_int_equal(calls(&f1), 1);
	assert_int_equal(calls(&f2), 1);
}

static void test_cache_old_snapshots_free_in_release_order(void **state)
{
	(void)state;
	struct xt_cache c;
	struct freed f[3];
	struct xt_snap *held[3];
	xt_cache_init(&c);
	atomic_store(&free_sequence, 0);
	for (int i = 0; i < 3; i++) {
		xt_cache_publish(&c, tracked("gen", &f[i]));
		held[i] = xt_cache_acquire(&c);
	}
	/* the cache holds gen 3; readers hold 1, 2, 3 */
	for (int i = 0; i < 3; i++)
		assert_int_equal(calls(&f[i]), 0);
	xt_snap_release(held[1]);
	assert_int_equal(f[1].order, 1);
	xt_snap_release(held[0]);
	assert_int_equal(f[0].order, 2);
	xt_snap_release(held[2]); /* the cache still holds it */
	assert_int_equal(calls(&f[2]), 0);
	xt_cache_fini(&c);
	assert_int_equal(f[2].order, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(calls(&f[i]), 1);
}

static void test_cache_generations_increase(void **state)
{
	(void)state;
	struct xt_cache c;
	xt_cache_init(&c);
	for (uint64_t g = 1; g <= 5; g++) {
		struct xt_snap *s = xt_snap_new("g");
		assert_non_null(s);
		assert_int_equal(s->generation, 0);
		xt_cache_publish(&c, s);
		assert_int_equal(s->generation, g);
		assert_int_equal(c.generations, g);
		struct xt_snap *a = xt_cache_acquire(&c);
		assert_ptr_equal(a, s);
		assert_int_equal(a->generation, g);
		xt_snap_release(a);
	}
	xt_cache_fini(&c);
}

static void test_cache_generations_are_per_cache(void **state)
{
	(void)state;
	struct xt_cache a, b;
	xt_cache_init(&a);
	xt_cache_init(&b);
	xt_cache_publish(&a, xt_snap_new("a1"));
	xt_cache_publish(&a, xt_snap_new("a2"));
	struct xt_snap *s = xt_snap_new("b1");
	xt_cache_publish(&b, s);
	assert_int_equal(s->generation, 1);
	assert_int_equal(a.generations, 2);
	xt_cache_fini(&a);
	xt_cache_fini(&b);
}

static void test_cache_fini_without_publish(void **state)
{
	(void)state;
	struct xt_cache c;
	xt_cache_init(&c);
	xt_cache_fini(&c);
}

/* ---- many threads ---- */

#define STRESS_READERS   6
#define STRESS_SNAPSHOTS 2000
#define STRESS_MAGIC     0x5eedf00dU

struct stress {
	struct xt_cache cache;
	struct freed freed[STRESS_SNAPSHOTS];
	atomic_bool done;
	/* counted by readers, checked by the main thread (cmocka is not thread-safe) */
	atomic_long acquired;
	atomic_long nulls;
	atomic_long freed_while_held;
	atomic_long bad_magic;
	atomic_long went_backwards;
};

/* Each snapshot carries this in its arena; readers check it while they hold it. */
struct stress_snap_data {
	unsigned magic;
	int index;
};

static void *reader(void *arg)
{
	struct stress *st = arg;
	uint64_t last = 0;
	unsigned spins = 0;
	while (!atomic_load(&st->done) || spins < 100) {
		if (atomic_load(&st->done))
			spins++;
		struct xt_snap *s = xt_cache_acquire(&st->cache);
		if (!s) {
			atomic_fetch_add(&st->nulls, 1);
			continue;
		}
		atomic_fetch_add(&st->acquired, 1);
		const struct stress_snap_data *d = (const void *)s->snap;
		if (d->magic != STRESS_MAGIC)
			atomic_fetch_add(&st->bad_magic, 1);
		if (atomic_load(&st->freed[d->index].calls) != 0)
			atomic_fetch_add(&st->freed_while_held, 1);
		if (s->generation < last)
			atomic_fetch_add(&st->went_backwards, 1);
		last = s->generation;
		/* hold it across a little work, as a request does */
		volatile unsigned sink = 0;
		for (unsigned k = 0; k < 200; k++)
			sink += d->magic ^ k;
		(void)sink;
		xt_snap_release(s);
	}
	return NULL;
}

static void stress_free(void *ctx)
{
	atomic_fetch_add(&((struct freed *)ctx)->calls, 1);
}

static void test_cache_stress_every_snapshot_freed_once(void **state)
{
	(void)state;
	struct stress *st = calloc(1, sizeof(*st));
	assert_non_null(st);
	xt_cache_init(&st->cache);
	for (int i = 0; i < STRESS_SNAPSHOTS; i++)
		atomic_init(&st->freed[i].calls, 0);
	atomic_init(&st->done, false);

	pthread_t readers[STRESS_READERS];
	for (int i = 0; i < STRESS_READERS; i++)
		assert_int_equal(pthread_create(&readers[i], NULL, reader, st), 0);

	for (int i = 0; i < STRESS_SNAPSHOTS; i++) {
		struct xt_snap *s = xt_snap_new("stress");
		assert_non_null(s);
		struct stress_snap_data *d = hr_arena_alloc(&s->arena, sizeof(*d));
		assert_non_null(d);
		d->magic = STRESS_MAGIC;
		d->index = i;
		/* the payload stands in for the snapshot: readers only look at its bytes */
		s->snap = (const struct hr_snapshot *)(const void *)d;
		s->on_free = stress_free;
		s->on_free_ctx = &st->freed[i];
		xt_cache_publish(&st->cache, s);
		if (i % 64 == 0)
			sched_yield();
	}
	atomic_store(&st->done, true);
	for (int i = 0; i < STRESS_READERS; i++)
		assert_int_equal(pthread_join(readers[i], NULL), 0);

	/* only the last one is still alive: the cache holds it */
	for (int i = 0; i < STRESS_SNAPSHOTS - 1; i++)
		if (atomic_load(&st->freed[i].calls) != 1)
			fail_msg("snapshot %d freed %d times before fini", i,
			         atomic_load(&st->freed[i].calls));
	assert_int_equal(atomic_load(&st->freed[STRESS_SNAPSHOTS - 1].calls), 0);
	assert_int_equal(st->cache.generations, STRESS_SNAPSHOTS);
	xt_cache_fini(&st->cache);
	for (int i = 0; i < STRESS_SNAPSHOTS; i++)
		if (atomic_load(&st->freed[i].calls) != 1)
			fail_msg("snapshot %d freed %d times", i, atomic_load(&st->freed[i].calls));

	assert_true(atomic_load(&st->acquired) > 0);
	assert_int_equal(atomic_load(&st->bad_magic), 0);
	assert_int_equal(atomic_load(&st->freed_while_held), 0);
	assert_int_equal(atomic_load(&st->went_backwards), 0);
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_snap_new_has_one_reference),
	    cmocka_unit_test(test_snap_new_null_and_long_source),
	    cmocka_unit_test(test_snap_release_last_reference_frees_once),
	    cmocka_unit_test(test_snap_release_null_is_noop),
	    cmocka_unit_test(test_snap_arena_memory_lives_with_the_snapshot),
	    cmocka_unit_test(test_snap_age_seconds),
	    cmocka_unit_test(test_cache_acquire_before_publish_is_null),
	    cmocka_unit_test(test_cache_publish_then_acquire_adds_a_reference),
	    cmocka_unit_test(test_cache_publish_without_readers_frees_old_at_once),
	    cmocka_unit_test(test_cache_reader_keeps_old_snapshot_until_release),
	    cmocka_unit_test(test_cache_old_snapshots_free_in_release_order),
	    cmocka_unit_test(test_cache_generations_increase),
	    cmocka_unit_test(test_cache_generations_are_per_cache),
	    cmocka_unit_test(test_cache_fini_without_publish),
	    cmocka_unit_test(test_cache_stress_every_snapshot_freed_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
