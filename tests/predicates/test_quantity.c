/* test_quantity.c: Kubernetes quantities (predicates/quantity.h) against
 * spec/predicates.md §3: the apimachinery grammar, round-up to nano at parse,
 * API defaulting's round-up to milli, MilliValue/Value ceilings, and errors
 * that name the field and quote the value. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "quantity.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

/* Decimal text of a 128-bit nano count, for readable comparisons. */
static void i128_text(__int128 v, char *out, size_t size)
{
	char tmp[64];
	size_t n = 0;
	unsigned __int128 mag =
	    v < 0 ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
	do {
		tmp[n++] = (char)('0' + (int)(mag % 10));
		mag /= 10;
	} while (mag);
	size_t o = 0;
	if (v < 0 && o + 1 < size)
		out[o++] = '-';
	while (n && o + 1 < size)
		out[o++] = tmp[--n];
	out[o] = '\0';
}

static struct hr_qty parse_ok(const char *text)
{
	struct hr_qty q = {0};
	struct hr_err err;
	hr_err_clear(&err);
	enum hr_code rc = hr_qty_parse(hr_str_c(text), "field", &q, &err);
	if (rc != HR_OK)
		fail_msg("'%s' rejected (%d): %s: %s", text, rc, err.where, err.msg);
	return q;
}

/* text must parse to exactly `nano` nano-units (given as decimal text). */
static void expect_nano(const char *text, const char *nano)
{
	char got[64];
	i128_text(parse_ok(text).nano, got, sizeof(got));
	if (strcmp(got, nano) != 0)
		fail_msg("'%s' parsed to %s nano, want %s", text, got, nano);
}

static void expect_rejected(const char *text, enum hr_code want)
{
	struct hr_qty q = {.nano = 12345};
	struct hr_err err;
	hr_err_clear(&err);
	enum hr_code rc = hr_qty_parse(hr_str_c(text), "field", &q, &err);
	if (rc != want)
		fail_msg("'%s': code %d, want %d", text, rc, want);
	assert_int_equal(err.code, want);
	assert_string_equal(err.where, "field");
	assert_true(err.msg[0] != '\0');
}

static int64_t milli_of(const char *text)
{
	int64_t v = -7;
	enum hr_code rc = hr_qty_milli(parse_ok(text), &v);
	if (rc != HR_OK)
		fail_msg("milli of '%s' failed (%d)", text, rc);
	return v;
}

static int64_t value_of(const char *text)
{
	int64_t v = -7;
	enum hr_code rc = hr_qty_value(parse_ok(text), &v);
	if (rc != HR_OK)
		fail_msg("value of '%s' failed (%d)", text, rc);
	return v;
}

/* ---- grammar: numbers without suffix ---- */

static void test_qty_parse_plain_integers(void **state)
{
	(void)state;
	expect_nano("0", "0");
	expect_nano("1", "1000000000");
	expect_nano("2", "2000000000");
	expect_nano("250", "250000000000");
	expect_nano("007", "7000000000");
	expect_nano("123456789012345678", "123456789012345678000000000");
}

static void test_qty_parse_zero_forms(void **state)
{
	(void)state;
	expect_nano("0.0", "0");
	expect_nano("-0", "0");
	expect_nano("+0", "0");
	expect_nano("000", "0");
	expect_nano("0m", "0");
	expect_nano("0Ki", "0");
	expect_nano("0e9", "0");
	expect_nano("0E", "0");
}

static void test_qty_parse_decimal_fractions(void **state)
{
	(void)state;
	expect_nano("0.35", "350000000");
	expect_nano(".5", "500000000");
	expect_nano("5.", "5000000000");
	expect_nano("1.5", "1500000000");
	expect_nano("0.001", "1000000");
	expect_nano("2.5m", "2500000");
	expect_nano("0.5Ki", "512000000000");
	expect_nano("1.1Ki", "1126400000000");
	expect_nano("1.5Gi", "1610612736000000000");
	expect_nano(".5M", "500000000000000");
	expect_nano("5.k", "5000000000000");
}

static void test_qty_parse_signs(void **state)
{
	(void)state;
	expect_nano("+1", "1000000000");
	expect_nano("-1", "-1000000000");
	expect_nano("-250m", "-250000000");
	expect_nano("+.5", "500000000");
	expect_nano("-1.5Gi", "-1610612736000000000");
	expect_nano("-1e3", "-1000000000000");
}

static void test_qty_parse_ignores_surrounding_spaces(void **state)
{
	(void)state;
	expect_nano(" 1Gi", "1073741824000000000");
	expect_nano("250m ", "250000000");
	expect_nano("   2   ", "2000000000");
}

/* ---- grammar: suffixes ---- */

static void test_qty_parse_binary_suffixes(void **state)
{
	(void)state;
	expect_nano("1Ki", "1024000000000");
	expect_nano("1Mi", "1048576000000000");
	expect_nano("1Gi", "1073741824000000000");
	expect_nano("1Ti", "1099511627776000000000");
	expect_nano("1Pi", "1125899906842624000000000");
	expect_nano("1Ei", "1152921504606846976000000000");
	expect_nano("3Ki", "3072000000000");
	expect_nano("200Mi", "209715200000000000");
}

static void test_qty_parse_decimal_suffixes(void **state)
{
	(void)state;
	expect_nano("1n", "1");
	expect_nano("1u", "1000");
	expect_nano("1m", "1000000");
	expect_nano("1", "1000000000");
	expect_nano("1k", "1000000000000");
	expect_nano("1M", "1000000000000000");
	expect_nano("1G", "1000000000000000000");
	expect_nano("1T", "1000000000000000000000");
	expect_nano("1P", "1000000000000000000000000");
	expect_nano("1E", "1000000000000000000000000000");
	expect_nano("250m", "250000000");
	expect_nano("129M", "129000000000000000");
}

static void test_qty_parse_bare_E_is_exa(void **state)
{
	(void)state;
	expect_nano("2E", "2000000000000000000000000000");
	expect_nano("1.5E", "1500000000000000000000000000");
	assert_int_equal(value_of("1E"), 1000000000000000000LL);
}

static void test_qty_parse_exponents(void **state)
{
	(void)state;
	expect_nano("1e3", "1000000000000");
	expect_nano("1E3", "1000000000000");
	expect_nano("1e+3", "1000000000000");
	expect_nano("1E-3", "1000000");
	expect_nano("1e-3", "1000000");
	expect_nano("129e6", "129000000000000000");
	expect_nano("1.5e3", "1500000000000");
	expect_nano("15e-1", "1500000000");
	expect_nano("2e0", "2000000000");
	expect_nano("1e-9", "1");
	expect_nano("1e18", "1000000000000000000000000000");
	expect_nano("1e007", "10000000000000000");
	assert_int_equal(value_of("129e6"), 129000000);
}

static void test_qty_parse_is_case_sensitive(void **state)
{
	static const char *const bad[] = {"1K", "1ki", "1KI", "1mi", "1MI", "1gi", "1GI",
	                                  "1g", "1t",  "1p",  "1N",  "1U",  "1eI"};
	(void)state;
	for (size_t i = 0; i < N(bad); i++)
		expect_rejected(bad[i], HR_EINVAL);
}

static void test_qty_parse_rejects_dangling_exponent(void **state)
{
	(void)state;
	expect_rejected("1e", HR_EINVAL);
	expect_rejected("1e+", HR_EINVAL);
	expect_rejected("1e-", HR_EINVAL);
	expect_rejected("1E-", HR_EINVAL);
	expect_rejected("1E+", HR_EINVAL);
	expect_rejected("1e3.5", HR_EINVAL);
	expect_rejected("1e3Ki", HR_EINVAL);
}

static void test_qty_parse_rejects_empty(void **state)
{
	(void)state;
	expect_rejected("", HR_EINVAL);
	expect_rejected("   ", HR_EINVAL);
}

static void test_qty_parse_rejects_unknown_suffix(void **state)
{
	static const char *const bad[] = {"12x", "1Ki2", "1mm", "1Kb", "1GB",   "1 Gi",
	                                  "1i",  "1Mii", "1m2", "abc", "1.2.3", "1,5"};
	(void)state;
	for (size_t i = 0; i < N(bad); i++)
		expect_rejected(bad[i], HR_EINVAL);
}

static void test_qty_parse_rejects_double_sign(void **state)
{
	(void)state;
	expect_rejected("--1", HR_EINVAL);
	expect_rejected("+-1", HR_EINVAL);
	expect_rejected("1-", HR_EINVAL);
}

static void test_qty_parse_takes_a_view_without_nul(void **state)
{
	/* "250mXYZ" viewed as its first four bytes is "250m" */
	const char buf[] = {'2', '5', '0', 'm', 'X', 'Y', 'Z'};
	struct hr_qty q = {0};
	struct hr_err err;
	(void)state;
	hr_err_clear(&err);
	assert_int_equal(hr_qty_parse((struct hr_str){buf, 4}, NULL, &q, &err), HR_OK);
	assert_true(q.nano == 250000000);
}

/* ---- rounding at parse ---- */

static void test_qty_parse_rounds_up_to_nano(void **state)
{
	(void)state;
	expect_nano("1.5n", "2");
	expect_nano("0.1n", "1");
	expect_nano("1.01n", "2");
	expect_nano("1e-10", "1");
	expect_nano("0.0000000001", "1");
	expect_nano("1.0000000001", "1000000001");
	expect_nano("0.5u", "500");
	expect_nano("0.0000001u", "1");
}

/* A binary suffix can take the mantissa near 2^127 while a long fraction asks for a
 * divisor of 10^39: the divisor must stop growing before it overflows (found by
 * fuzz/fuzz_quantity; 9e19 * 2^60 * 10^-48 units is 0.104 nano). */
static void test_qty_parse_tiny_binary_fraction_rounds_up_to_one_nano(void **state)
{
	(void)state;
	expect_nano("0.000000000000000000000000000090000000000000000000Ei", "1");
	expect_nano("-0.000000000000000000000000000147000000000000000000Ei", "-1");
	/* one zero fewer: the divisor stops at 10^38 <= the value, and rounding up
	 * must not add the two (v + div - 1 overflowed; fuzz_quantity again) */
	expect_nano("0.00000000000000000000000000090000000000000000000Ei", "2");
}

static void test_qty_parse_rounds_negative_away_from_zero(void **state)
{
	(void)state;
	expect_nano("-0.1n", "-1");
	expect_nano("-1.5n", "-2");
	expect_nano("-1e-10", "-1");
}

/* ---- hr_qty_round_milli (SetDefaults_ResourceList) ---- */

static void expect_round_milli(const char *text, const char *nano)
{
	char got[64];
	i128_text(hr_qty_round_milli(parse_ok(text)).nano, got, sizeof(got));
	if (strcmp(got, nano) != 0)
		fail_msg("round_milli('%s') = %s nano, want %s", text, got, nano);
}

static void test_qty_round_milli_rounds_sub_milli_up(void **state)
{
	(void)state;
	expect_round_milli("0.4m", "1000000");
	expect_round_milli("1n", "1000000");
	expect_round_milli("0.0004", "1000000");
	expect_round_milli("1.0001m", "2000000");
	expect_round_milli("250.5m", "251000000");
}

static void test_qty_round_milli_keeps_whole_milli(void **state)
{
	(void)state;
	expect_round_milli("0", "0");
	expect_round_milli("1m", "1000000");
	expect_round_milli("250m", "250000000");
	expect_round_milli("1Gi", "1073741824000000000");
	expect_round_milli("0.35", "350000000");
}

static void test_qty_round_milli_negative_away_from_zero(void **state)
{
	(void)state;
	expect_round_milli("-0.4m", "-1000000");
	expect_round_milli("-1m", "-1000000");
}

/* ---- MilliValue / Value ---- */

static void test_qty_milli_is_ceiling(void **state)
{
	(void)state;
	assert_int_equal(milli_of("0.1m"), 1);
	assert_int_equal(milli_of("0.4m"), 1);
	assert_int_equal(milli_of("1n"), 1);
	assert_int_equal(milli_of("1.0001m"), 2);
}

static void test_qty_milli_exact_values(void **state)
{
	(void)state;
	assert_int_equal(milli_of("0"), 0);
	assert_int_equal(milli_of("250m"), 250);
	assert_int_equal(milli_of("1"), 1000);
	assert_int_equal(milli_of("0.35"), 350);
	assert_int_equal(milli_of("1.5"), 1500);
	assert_int_equal(milli_of("1E-3"), 1);
	assert_int_equal(milli_of("2k"), 2000000);
	assert_int_equal(milli_of("1Ki"), 1024000);
}

static void test_qty_value_is_ceiling(void **state)
{
	(void)state;
	assert_int_equal(value_of("0.5"), 1);
	assert_int_equal(value_of("1n"), 1);
	assert_int_equal(value_of("100m"), 1);
	assert_int_equal(value_of("1001m"), 2);
	assert_int_equal(value_of("1.1Ki"), 1127);
	assert_int_equal(value_of("0.4m"), 1);
}

static void test_qty_value_exact_values(void **state)
{
	(void)state;
	assert_int_equal(value_of("0"), 0);
	assert_int_equal(value_of("1"), 1);
	assert_int_equal(value_of("1000m"), 1);
	assert_int_equal(value_of("1.5Gi"), 1610612736);
	assert_int_equal(value_of("1Ki"), 1024);
	assert_int_equal(value_of("200Mi"), 209715200);
	assert_int_equal(value_of("1Ei"), 1152921504606846976LL);
	assert_int_equal(value_of("7Ei"), 8070450532247928832LL);
	assert_int_equal(value_of("1G"), 1000000000);
	assert_int_equal(value_of("1P"), 1000000000000000LL);
}

static void test_qty_value_int64_max_boundary(void **state)
{
	int64_t v = -7;
	(void)state;
	assert_int_equal(value_of("9223372036854775807"), INT64_MAX);
	assert_int_equal(hr_qty_value(parse_ok("9223372036854775808"), &v), HR_ERANGE);
	assert_int_equal(hr_qty_value(parse_ok("9223372036854775806.5"), &v), HR_OK);
	assert_int_equal(v, INT64_MAX);
	assert_int_equal(hr_qty_value(parse_ok("9223372036854775807.1"), &v), HR_ERANGE);
}

static void test_qty_milli_int64_max_boundary(void **state)
{
	int64_t v = -7;
	(void)state;
	assert_int_equal(milli_of("9223372036854775807m"), INT64_MAX);
	assert_int_equal(milli_of("9223372036854775.807"), INT64_MAX);
	assert_int_equal(hr_qty_milli(parse_ok("9223372036854775808m"), &v), HR_ERANGE);
	assert_int_equal(hr_qty_milli(parse_ok("9223372036854776"), &v), HR_ERANGE);
	assert_int_equal(hr_qty_milli(parse_ok("1e20"), &v), HR_ERANGE);
	assert_int_equal(hr_qty_milli(parse_ok("8Ei"), &v), HR_ERANGE);
}

static void test_qty_value_overflow_is_erange(void **state)
{
	int64_t v = -7;
	(void)state;
	assert_int_equal(hr_qty_value(parse_ok("1e20"), &v), HR_ERANGE);
	assert_int_equal(hr_qty_value(parse_ok("100E"), &v), HR_ERANGE);
	assert_int_equal(hr_qty_value(parse_ok("10000P"), &v), HR_ERANGE);
}

/* §3: "BinarySI values above 2^63−1 are capped at 2^63−1" (ParseQuantity's
 * maxAllowed cap applies to binary-suffixed quantities only). */
static void test_qty_value_caps_binary_si_at_int64_max(void **state)
{
	int64_t v = -7;
	(void)state;
	assert_int_equal(hr_qty_value(parse_ok("8Ei"), &v), HR_OK);
	assert_int_equal(v, INT64_MAX);
	assert_int_equal(hr_qty_value(parse_ok("16Ei"), &v), HR_OK);
	assert_int_equal(v, INT64_MAX);
}

static void test_qty_parse_overflow_is_erange(void **state)
{
	(void)state;
	expect_rejected("1e100", HR_ERANGE);
	expect_rejected("1e40", HR_ERANGE);
	expect_rejected("123456789012345678901234567890123456789012345", HR_ERANGE);
}

static void test_milli_to_value_ceil(void **state)
{
	(void)state;
	assert_int_equal(hr_milli_to_value_ceil(0), 0);
	assert_int_equal(hr_milli_to_value_ceil(1), 1);
	assert_int_equal(hr_milli_to_value_ceil(400), 1);
	assert_int_equal(hr_milli_to_value_ceil(800), 1);
	assert_int_equal(hr_milli_to_value_ceil(1000), 1);
	assert_int_equal(hr_milli_to_value_ceil(1001), 2);
	assert_int_equal(hr_milli_to_value_ceil(1200), 2);
	assert_int_equal(hr_milli_to_value_ceil(INT64_MAX), 9223372036854776LL);
}

static void test_qty_is_integer_and_negative(void **state)
{
	(void)state;
	assert_true(hr_qty_is_integer(parse_ok("1")));
	assert_true(hr_qty_is_integer(parse_ok("1Ki")));
	assert_true(hr_qty_is_integer(parse_ok("2000m")));
	assert_true(hr_qty_is_integer(parse_ok("0")));
	assert_false(hr_qty_is_integer(parse_ok("1.5")));
	assert_false(hr_qty_is_integer(parse_ok("500m")));
	assert_false(hr_qty_is_integer(parse_ok("1n")));
	assert_true(hr_qty_is_negative(parse_ok("-1m")));
	assert_false(hr_qty_is_negative(parse_ok("-0")));
	assert_false(hr_qty_is_negative(parse_ok("1")));
}

/* ---- error messages ---- */

static void test_qty_parse_error_names_field_and_quotes_value(void **state)
{
	struct hr_qty q;
	struct hr_err err;
	const char *where = "spec.containers[1].resources.requests.cpu";
	(void)state;
	hr_err_clear(&err);
	assert_int_equal(hr_qty_parse(hr_str_c("12x"), where, &q, &err), HR_EINVAL);
	assert_int_equal(err.code, HR_EINVAL);
	assert_string_equal(err.where, where);
	assert_non_null(strstr(err.msg, "\"12x\""));
}

static void test_qty_parse_empty_error_quotes_empty_value(void **state)
{
	struct hr_qty q;
	struct hr_err err;
	(void)state;
	hr_err_clear(&err);
	assert_int_equal(hr_qty_parse(hr_str_c(""), "status.capacity.memory", &q, &err), HR_EINVAL);
	assert_string_equal(err.where, "status.capacity.memory");
	assert_non_null(strstr(err.msg, "\"\""));
}

static void test_qty_parse_range_error_names_field_and_quotes_value(void **state)
{
	struct hr_qty q;
	struct hr_err err;
	(void)state;
	hr_err_clear(&err);
	assert_int_equal(hr_qty_parse(hr_str_c("1e100"), "spec.overhead.memory", &q, &err),
	                 HR_ERANGE);
	assert_int_equal(err.code, HR_ERANGE);
	assert_string_equal(err.where, "spec.overhead.memory");
	assert_non_null(strstr(err.msg, "\"1e100\""));
}

static void test_qty_parse_error_escapes_quotes_in_value(void **state)
{
	struct hr_qty q;
	struct hr_err err;
	(void)state;
	hr_err_clear(&err);
	assert_int_equal(hr_qty_parse(hr_str_c("1\"x"), "f", &q, &err), HR_EINVAL);
	assert_non_null(strstr(err.msg, "\"1\\\"x\""));
}

static void test_qty_parse_error_truncates_long_value(void **state)
{
	char text[400];
	struct hr_qty q;
	struct hr_err err;
	(void)state;
	memset(text, 'z', sizeof(text) - 1);
	text[0] = '1';
	text[sizeof(text) - 1] = '\0';
	hr_err_clear(&err);
	assert_int_equal(hr_qty_parse(hr_str_c(text), "f", &q, &err), HR_EINVAL);
	assert_true(strlen(err.msg) < sizeof(err.msg));
	assert_non_null(strstr(err.msg, "\"1zzz"));
	assert_non_null(strstr(err.msg, "..."));
}

static void test_qty_parse_where_null_gives_empty_where(void **state)
{
	struct hr_qty q;
	struct hr_err err;
	(void)state;
	hr_err_clear(&err);
	assert_int_equal(hr_qty_parse(hr_str_c("1KI"), NULL, &q, &err), HR_EINVAL);
	assert_string_equal(err.where, "");
	assert_non_null(strstr(err.msg, "\"1KI\""));
}

static void test_qty_parse_accepts_null_err(void **state)
{
	struct hr_qty q;
	(void)state;
	assert_int_equal(hr_qty_parse(hr_str_c("bogus"), "f", &q, NULL), HR_EINVAL);
	assert_int_equal(hr_qty_parse(hr_str_c("1e100"), "f", &q, NULL), HR_ERANGE);
}

static void test_qty_parse_keeps_first_error(void **state)
{
	struct hr_qty q;
	struct hr_err err;
	(void)state;
	hr_err_clear(&err);
	assert_int_equal(hr_qty_parse(hr_str_c("1x"), "first", &q, &err), HR_EINVAL);
	assert_int_equal(hr_qty_parse(hr_str_c("2y"), "second", &q, &err), HR_EINVAL);
	assert_string_equal(err.where, "first");
	assert_non_null(strstr(err.msg, "\"1x\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_qty_parse_plain_integers),
	    cmocka_unit_test(test_qty_parse_zero_forms),
	    cmocka_unit_test(test_qty_parse_decimal_fractions),
	    cmocka_unit_test(test_qty_parse_signs),
	    cmocka_unit_test(test_qty_parse_ignores_surrounding_spaces),
	    cmocka_unit_test(test_qty_parse_binary_suffixes),
	    cmocka_unit_test(test_qty_parse_decimal_suffixes),
	    cmocka_unit_test(test_qty_parse_bare_E_is_exa),
	    cmocka_unit_test(test_qty_parse_exponents),
	    cmocka_unit_test(test_qty_parse_is_case_sensitive),
	    cmocka_unit_test(test_qty_parse_rejects_dangling_exponent),
	    cmocka_unit_test(test_qty_parse_rejects_empty),
	    cmocka_unit_test(test_qty_parse_rejects_unknown_suffix),
	    cmocka_unit_test(test_qty_parse_rejects_double_sign),
	    cmocka_unit_test(test_qty_parse_takes_a_view_without_nul),
	    cmocka_unit_test(test_qty_parse_rounds_up_to_nano),
	    cmocka_unit_test(test_qty_parse_tiny_binary_fraction_rounds_up_to_one_nano),
	    cmocka_unit_test(test_qty_parse_rounds_negative_away_from_zero),
	    cmocka_unit_test(test_qty_round_milli_rounds_sub_milli_up),
	    cmocka_unit_test(test_qty_round_milli_keeps_whole_milli),
	    cmocka_unit_test(test_qty_round_milli_negative_away_from_zero),
	    cmocka_unit_test(test_qty_milli_is_ceiling),
	    cmocka_unit_test(test_qty_milli_exact_values),
	    cmocka_unit_test(test_qty_value_is_ceiling),
	    cmocka_unit_test(test_qty_value_exact_values),
	    cmocka_unit_test(test_qty_value_int64_max_boundary),
	    cmocka_unit_test(test_qty_milli_int64_max_boundary),
	    cmocka_unit_test(test_qty_value_overflow_is_erange),
	    cmocka_unit_test(test_qty_value_caps_binary_si_at_int64_max),
	    cmocka_unit_test(test_qty_parse_overflow_is_erange),
	    cmocka_unit_test(test_milli_to_value_ceil),
	    cmocka_unit_test(test_qty_is_integer_and_negative),
	    cmocka_unit_test(test_qty_parse_error_names_field_and_quotes_value),
	    cmocka_unit_test(test_qty_parse_empty_error_quotes_empty_value),
	    cmocka_unit_test(test_qty_parse_range_error_names_field_and_quotes_value),
	    cmocka_unit_test(test_qty_parse_error_escapes_quotes_in_value),
	    cmocka_unit_test(test_qty_parse_error_truncates_long_value),
	    cmocka_unit_test(test_qty_parse_where_null_gives_empty_where),
	    cmocka_unit_test(test_qty_parse_accepts_null_err),
	    cmocka_unit_test(test_qty_parse_keeps_first_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
