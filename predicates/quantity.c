/* quantity.c: exact parsing of Kubernetes quantities.
 * Grammar and rounding follow k8s.io/apimachinery/pkg/api/resource
 * (quantity.go ParseQuantity, suffix.go); see spec/predicates.md §3. */
#include "quantity.h"

#include <stdbool.h>

#define NANO_PER_UNIT 1000000000LL
#define MAX_DIGITS    36 /* significant digits we accept in the mantissa */

static const __int128 I128_MAX = (__int128)(((unsigned __int128)1 << 127) - 1);

struct qty_suffix {
	int base2_exp;  /* power of two (binary suffixes) */
	int base10_exp; /* power of ten (decimal suffixes and exponents) */
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads the suffix starting at s[i]; the suffix must use up the rest of s. */
static bool parse_suffix(struct hr_str s, size_t i, struct qty_suffix *out)
{
	const char *p = s.p + i;
	size_t n = s.n - i;
	out->base2_exp = 0;
	out->base10_exp = 0;
	if (n == 0)
		return true;
	if (n == 2 && p[1] == 'i') {
		static const char binary[] = "KMGTPE";
		for (int k = 0; binary[k]; k++)
			if (p[0] == binary[k]) {
				out->base2_exp = 10 * (k + 1);
				return true;
			}
		return false;
	}
	if (n == 1) {
		switch (p[0]) {
		case 'n':
			out->base10_exp = -9;
			return true;
		case 'u':
			out->base10_exp = -6;
			return true;
		case 'm':
			out->base10_exp = -3;
			return true;
		case 'k':
			out->base10_exp = 3;
			return true;
		case 'M':
			out->base10_exp = 6;
			return true;
		case 'G':
			out->base10_exp = 9;
			return true;
		case 'T':
			out->base10_exp = 12;
			return true;
		case 'P':
			out->base10_exp = 15;
			return true;
		case 'E':
			out->base10_exp = 18;
			return true;
		}
		return false;
	}
	/* exponent form: e|E, optional sign, at least one digit */
	if (p[0] != 'e' && p[0] != 'E')
		return false;
	size_t j = 1;
	bool neg = false;
	if (j < n && (p[j] == '+' || p[j] == '-')) {
		neg = p[j] == '-';
		j++;
	}
	if (j == n)
		return false;
	int e = 0;
	for (; j < n; j++) {
		if (!is_digit(p[j]))
			return false;
		if (e > 100000)
			return false; /* absurd exponent; reported as a syntax error */
		e = e * 10 + (p[j] - '0');
	}
	out->base10_exp = neg ? -e : e;
	return true;
}

static bool mul_i128(__int128 *acc, __int128 m)
{
	return !__builtin_mul_overflow(*acc, m, acc);
}

/* mantissa * 2^b2 * 10^e10 in nano-units, rounded up in magnitude. */
static bool scale_to_nano(__int128 mantissa, int b2, int e10, __int128 *out)
{
	__int128 v = mantissa;
	for (int i = 0; i < b2; i++)
		if (!mul_i128(&v, 2))
			return false;
	int e = e10 + 9; /* to nano */
	if (v == 0) {
		*out = 0;
		return true;
	}
	for (; e > 0; e--)
		if (!mul_i128(&v, 10))
			return false;
	if (e < 0) {
		/* divide by 10^-e, rounding up; once the divisor passes v the result is 1,
		 * and so it is when the next divisor would pass I128_MAX (>= v) */
		__int128 div = 1;
		bool huge = false;
		for (; e < 0; e++) {
			if (div > v || div > I128_MAX / 10) {
				huge = true;
				break;
			}
			div *= 10;
		}
		v = huge ? 1 : v / div + (v % div != 0); /* v + div - 1 could overflow */
	}
	*out = v;
	return true;
}

static enum hr_code syntax_error(struct hr_str text, const char *where, struct hr_err *err,
                                 const char *why)
{
	char quoted[64];
	hr_err_quote(quoted, sizeof(quoted), text);
	return hr_err_set(err, HR_EINVAL, where, "invalid quantity \"%s\": %s", quoted, why);
}

enum hr_code hr_qty_parse(struct hr_str text, const char *where, struct hr_qty *out,
                          struct hr_err *err)
{
	struct hr_str s = text;
	while (s.n && s.p[0] == ' ')
		s.p++, s.n--;
	while (s.n && s.p[s.n - 1] == ' ')
		s.n--;
	if (s.n == 0)
		return syntax_error(text, where, err, "empty");

	size_t i = 0;
	bool neg = false;
	if (s.p[i] == '+' || s.p[i] == '-') {
		neg = s.p[i] == '-';
		i++;
	}
	__int128 mantissa = 0;
	int sig_digits = 0, frac_digits = 0, digits = 0;
	bool seen_dot = false;
	for (; i < s.n; i++) {
		char c = s.p[i];
		if (c == '.') {
			if (seen_dot)
				return syntax_error(text, where, err, "more than one '.'");
			seen_dot = true;
			continue;
		}
		if (!is_digit(c))
			break;
		digits++;
		if (seen_dot)
			frac_digits++;
		if (mantissa == 0 && c == '0')
			continue; /* leading zeros carry no precision */
		if (++sig_digits > MAX_DIGITS)
			return hr_err_set(err, HR_ERANGE, where,
			                  "quantity \"%.*s\" has too many digits",
			                  (int)(s.n > 48 ? 48 : s.n), s.p);
		mantissa = mantissa * 10 + (c - '0');
	}
	if (digits == 0)
		return syntax_error(text, where, err, "no digits");

	struct qty_suffix suf;
	if (!parse_suffix(s, i, &suf))
		return syntax_error(text, where, err, "unknown suffix");

	__int128 nano;
	if (!scale_to_nano(mantissa, suf.base2_exp, suf.base10_exp - frac_digits, &nano)) {
		char quoted[64];
		hr_err_quote(quoted, sizeof(quoted), text);
		return hr_err_set(err, HR_ERANGE, where, "quantity \"%s\" is too large", quoted);
	}
	out->nano = neg ? -nano : nano;
	out->binary = suf.base2_exp > 0;
	return HR_OK;
}

struct hr_qty hr_qty_round_milli(struct hr_qty q)
{
	const __int128 step = 1000000; /* nano per milli */
	__int128 mag = q.nano < 0 ? -q.nano : q.nano;
	__int128 rem = mag % step;
	if (rem && mag <= I128_MAX - step)
		mag += step - rem;
	q.nano = q.nano < 0 ? -mag : mag;
	return q;
}

/* ceil(nano / div) for the stated sign convention (towards +inf). */
static enum hr_code ceil_div_to_i64(__int128 nano, __int128 div, int64_t *out)
{
	__int128 r = nano / div;
	if (nano % div > 0)
		r += 1;
	if (r > INT64_MAX || r < INT64_MIN)
		return HR_ERANGE;
	*out = (int64_t)r;
	return HR_OK;
}

enum hr_code hr_qty_milli(struct hr_qty q, int64_t *out)
{
	return ceil_div_to_i64(q.nano, 1000000, out);
}

enum hr_code hr_qty_value(struct hr_qty q, int64_t *out)
{
	if (q.binary && q.nano / NANO_PER_UNIT >= INT64_MAX) {
		*out = INT64_MAX;
		return HR_OK;
	}
	return ceil_div_to_i64(q.nano, NANO_PER_UNIT, out);
}

int64_t hr_milli_to_value_ceil(int64_t milli)
{
	return milli / 1000 + (milli % 1000 > 0);
}
