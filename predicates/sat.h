/* sat.h: saturating int64 arithmetic for resource amounts.
 *
 * Amounts beyond int64 (more than 8 EiB, or 9.2e15 cores in milli-units)
 * are held at INT64_MAX instead of failing: no node has that much, so a
 * request that large is "Insufficient ..." exactly as in kube-scheduler, and
 * an odd object in a live cluster cannot make the whole snapshot unusable.
 * Header-only; pure. */
#ifndef HR_SAT_H
#define HR_SAT_H

#include <stdint.h>

/* v clamped to [INT64_MIN, INT64_MAX]. */
static inline int64_t hr_i64_clamp(__int128 v)
{
	if (v > INT64_MAX)
		return INT64_MAX;
	if (v < INT64_MIN)
		return INT64_MIN;
	return (int64_t)v;
}

/* a + b, held at the int64 bounds. */
static inline int64_t hr_i64_add_sat(int64_t a, int64_t b)
{
	return hr_i64_clamp((__int128)a + b);
}

/* a + k * b, held at the int64 bounds. */
static inline int64_t hr_i64_add_mul_sat(int64_t a, int64_t k, int64_t b)
{
	return hr_i64_clamp((__int128)a + (__int128)k * b);
}

#endif
