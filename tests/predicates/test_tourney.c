/* test_tourney.c: the tournament tree (tourney.h) against brute force. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tourney.h"

static struct hr_tourney_entry entry(int64_t score, size_t index)
{
	return (struct hr_tourney_entry){.score = score, .index = index, .valid = true};
}

static void test_best_and_ties(void **state)
{
	(void)state;
	struct hr_arena arena;
	hr_arena_init(&arena, NULL, 0);
	struct hr_tourney first, last;
	assert_true(hr_tourney_init(&first, 5, false, &arena));
	assert_true(hr_tourney_init(&last, 5, true, &arena));
	assert_false(hr_tourney_best(&first).valid);
	int64_t scores[5] = {3, 7, 1, 7, 2};
	for (size_t i = 0; i < 5; i++) {
		hr_tourney_set(&first, i, entry(scores[i], i));
		hr_tourney_set(&last, i, entry(scores[i], i));
	}
	struct hr_tourney_entry b = hr_tourney_best(&first);
	assert_int_equal(b.index, 1);
	assert_true(b.tied);
	assert_int_equal(hr_tourney_best(&last).index, 3);
	hr_tourney_set(&first, 3, (struct hr_tourney_entry){0}); /* empty slot 3 */
	b = hr_tourney_best(&first);
	assert_int_equal(b.index, 1);
	assert_false(b.tied);
	b = hr_tourney_best_of(&first, 2, 5);
	assert_int_equal(b.index, 4);
	assert_int_equal(b.score, 2);
	assert_false(hr_tourney_best_of(&first, 3, 4).valid);
	hr_arena_fini(&arena);
}

/* Random sets and ranges agree with a scan, ties included. */
static void test_matches_a_scan(void **state)
{
	(void)state;
	uint64_t x = 88172645463325252ull;
	struct hr_arena arena;
	hr_arena_init(&arena, NULL, 0);
	for (int round = 0; round < 200; round++) {
		size_t n = 1 + round % 37;
		bool tie_last = round % 2;
		struct hr_tourney t;
		struct hr_tourney_entry v[37] = {{0}};
		assert_true(hr_tourney_init(&t, n, tie_last, &arena));
		for (int step = 0; step < 100; step++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			size_t i = x % n;
			v[i] = x % 5 == 0 ? (struct hr_tourney_entry){0}
			                  : entry((int64_t)(x >> 40) % 4, i);
			hr_tourney_set(&t, i, v[i]);
			size_t lo = (x >> 8) % n, hi = lo + 1 + (x >> 16) % (n - lo);
			for (int whole = 0; whole < 2; whole++) {
				size_t a = whole ? 0 : lo, z = whole ? n : hi;
				struct hr_tourney_entry want = {0};
				int ties = 0;
				for (size_t k = a; k < z; k++) {
					if (!v[k].valid)
						continue;
					if (!want.valid || v[k].score > want.score) {
						want = v[k];
						ties = 1;
					} else if (v[k].score == want.score) {
						ties++;
						if (tie_last)
							want = v[k];
					}
				}
				struct hr_tourney_entry got =
				    whole ? hr_tourney_best(&t) : hr_tourney_best_of(&t, a, z);
				assert_int_equal(got.valid, want.valid);
				if (!want.valid)
					continue;
				assert_int_equal(got.index, want.index);
				assert_int_equal(got.score, want.score);
				assert_int_equal(got.tied, ties > 1);
			}
		}
	}
	hr_arena_fini(&arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_best_and_ties),
	    cmocka_unit_test(test_matches_a_scan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
