/* quantity.h: Kubernetes resource quantities ("250m", "1Gi", "129e6", "0.35").
 *
 * Full apimachinery grammar (spec/predicates.md §3): optional sign, digits with
 * an optional fraction, then one suffix: binary Ki..Ei, decimal n u m "" k M G
 * T P E, or an exponent e|E[sign]digits. Case-sensitive. The exact value is
 * rounded up (away from zero) to a whole nano-unit at parse, as the API does.
 * hr_qty_round_milli applies API defaulting's round-up to a whole milli.
 * Conversions: milli = ceil(q*1000) (cpu), value = ceil(q) (everything else).
 * Not here: per-pod sums (request.h). Pure: no allocation, no I/O.
 * Thread-safety: all functions are reentrant. */
#ifndef HR_QUANTITY_H
#define HR_QUANTITY_H

#include <stdbool.h>
#include <stdint.h>
#include "err.h"
#include "str.h"

/* An exact quantity in nano-units (1 = 10^-9). */
struct hr_qty {
	__int128 nano;
	bool binary; /* written with a Ki..Ei suffix (BinarySI) */
};

/* Parses text into *out. Leading/trailing ASCII spaces are ignored. On error
 * returns HR_EINVAL (bad syntax) or HR_ERANGE (too large) and fills err with
 * where (may be NULL) and a message quoting the text. */
enum hr_code hr_qty_parse(struct hr_str text, const char *where, struct hr_qty *out,
                          struct hr_err *err) __attribute__((warn_unused_result));

/* Rounds up (away from zero) to a whole milli-unit, as SetDefaults_ResourceList does. */
struct hr_qty hr_qty_round_milli(struct hr_qty q);

/* ceil(q * 1000) as int64; HR_ERANGE if it does not fit. */
enum hr_code hr_qty_milli(struct hr_qty q, int64_t *out) __attribute__((warn_unused_result));

/* ceil(q) as int64; HR_ERANGE if it does not fit, except that BinarySI
 * values above 2^63-1 are capped there, as apimachinery does. */
enum hr_code hr_qty_value(struct hr_qty q, int64_t *out) __attribute__((warn_unused_result));

/* ceil(milli / 1000) for a non-negative milli amount (sums kept in milli). */
int64_t hr_milli_to_value_ceil(int64_t milli);

/* True for q < 0. */
static inline int hr_qty_is_negative(struct hr_qty q)
{
	return q.nano < 0;
}

/* True when q is a whole number (no fraction). */
static inline int hr_qty_is_integer(struct hr_qty q)
{
	return q.nano % 1000000000 == 0;
}

#endif
