/* fuzz_quantity.c: predicates/quantity.h on arbitrary text, and the decoder's
 * quantity path (hr_decode_quantity_milli) on the same text as a JSON string and,
 * when it is one, as a JSON number. Checks what quantity.h promises: rounding
 * to a milli is idempotent, away from zero and a whole milli; milli and value
 * are ceilings that agree with each other; the nano count read back as "<n>n"
 * is the same quantity; the decoder gives the rounded milli. */
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common.h"
#include "decode.h"
#include "quantity.h"

static void check_quantity(struct hr_qty q)
{
	struct hr_qty r = hr_qty_round_milli(q);
	FZ_CHECK(hr_qty_round_milli(r).nano == r.nano);
	FZ_CHECK(r.binary == q.binary);
	if (q.nano >= 0)
		FZ_CHECK(r.nano >= q.nano && (r.nano - q.nano) < 1000000);
	else
		FZ_CHECK(r.nano <= q.nano && (q.nano - r.nano) < 1000000);
	FZ_CHECK(r.nano % 1000000 == 0 || r.nano > ((__int128)1 << 126) ||
	         r.nano < -((__int128)1 << 126));
	FZ_CHECK(hr_qty_is_negative(q) == (q.nano < 0));

	int64_t milli, value;
	bool milli_ok = hr_qty_milli(q, &milli) == HR_OK;
	bool value_ok = hr_qty_value(q, &value) == HR_OK;
	if (milli_ok && q.nano >= 0) {
		/* milli = ceil(q * 1000) */
		FZ_CHECK((__int128)milli * 1000000 >= q.nano);
		FZ_CHECK((__int128)milli * 1000000 - q.nano < 1000000);
		int64_t rm;
		FZ_CHECK(hr_qty_milli(r, &rm) == HR_OK && rm == milli);
		if (value_ok)
			FZ_CHECK(hr_milli_to_value_ceil(milli) == value);
	}
	if (value_ok && q.nano >= 0 && value != INT64_MAX) {
		FZ_CHECK((__int128)value * 1000000000 >= q.nano);
		FZ_CHECK((__int128)value * 1000000000 - q.nano < 1000000000);
	}
	if (milli_ok && !value_ok)
		FZ_CHECK(0); /* a value fits whenever its milli does */

	/* the exact nano count, written out, reads back as the same amount */
	char text[64];
	size_t n = sizeof(text) - 1;
	text[n--] = '\0';
	text[n] = 'n';
	unsigned __int128 mag = q.nano < 0 ? (unsigned __int128)0 - (unsigned __int128)q.nano
	                                   : (unsigned __int128)q.nano;
	do {
		text[--n] = (char)('0' + (int)(mag % 10));
		mag /= 10;
	} while (mag);
	if (q.nano < 0)
		text[--n] = '-';
	struct hr_qty back;
	struct hr_err err;
	hr_err_clear(&err);
	if (hr_qty_parse(hr_str_c(text + n), NULL, &back, &err) == HR_OK)
		FZ_CHECK(back.nano == q.nano);
	else
		FZ_CHECK(err.code == HR_ERANGE); /* more than 36 significant digits */
}

/* The decoder's view of item must be the rounded milli of text (held at the
 * int64 bounds beyond them, sat.h), or an error. */
static void check_decoder(const cJSON *item, struct hr_str text)
{
	struct hr_arena arena;
	struct hr_decoder d;
	struct hr_err err;
	hr_arena_init(&arena, NULL, 1 << 20);
	hr_err_clear(&err);
	hr_decoder_init(&d, &arena, NULL, &err);
	hr_path_push_key(&d.path, "quantity");
	int64_t milli = -1;
	enum hr_code rc = hr_decode_quantity_milli(&d, item, &milli);
	FZ_CHECK((rc == HR_OK) == (err.code == HR_OK));
	if (rc == HR_OK && cJSON_IsString(item)) {
		struct hr_qty q;
		struct hr_err e2;
		hr_err_clear(&e2);
		FZ_CHECK(hr_qty_parse(text, NULL, &q, &e2) == HR_OK);
		int64_t want;
		if (hr_qty_milli(hr_qty_round_milli(q), &want) != HR_OK) /* beyond int64: the cap */
			want = hr_qty_is_negative(q) ? INT64_MIN : INT64_MAX;
		FZ_CHECK(want == milli);
	}
	hr_arena_fini(&arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hr_str text = {(const char *)data, size};
	struct hr_qty q = {0};
	struct hr_err err;
	hr_err_clear(&err);
	enum hr_code rc = hr_qty_parse(text, "spec.containers[0].resources.requests.cpu", &q, &err);
	FZ_CHECK(rc == HR_OK || rc == HR_EINVAL || rc == HR_ERANGE);
	FZ_CHECK(rc == err.code);
	FZ_CHECK(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
	if (rc == HR_OK)
		check_quantity(q);

	/* the same text as a JSON string item (cJSON strings end at a NUL) */
	char *copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	cJSON *item = cJSON_CreateString(copy);
	if (item) {
		check_decoder(item, hr_str_c(copy));
		cJSON_Delete(item);
	}
	/* and as a JSON document: numbers go through the shortest round-trip text */
	cJSON *doc = cJSON_ParseWithLength(copy, size);
	if (doc) {
		check_decoder(doc, cJSON_IsString(doc) ? hr_str_c(doc->valuestring) : HR_STR_NULL);
		cJSON_Delete(doc);
	}
	free(copy);
	return 0;
}
