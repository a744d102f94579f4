/* utf8.h: well-formed UTF-8 (RFC 3629), byte by byte: no overlong forms, no
 * UTF-16 surrogates, nothing above U+10FFFF. Shared by the JSON scanner
 * (jsonspan.c), which checks raw bytes as it splits a stream, and the JSON
 * writer (buf.c), which replaces what is not UTF-8. Static inline: both call
 * it on hot paths (filter requests and answers).
 * Thread-safety: pure functions. */
#ifndef HR_UTF8_H
#define HR_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* For a byte >= 0x80 that leads a UTF-8 sequence: how many continuation bytes
 * follow, and the range allowed for the first of them (the later ones are
 * always 0x80..0xBF). 0 if c cannot lead a sequence. */
static inline unsigned hr_utf8_lead(unsigned c, uint8_t *lo, uint8_t *hi)
{
	*lo = 0x80;
	*hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		return 1;
	if (c == 0xE0)
		*lo = 0xA0; /* no overlong forms */
	else if (c == 0xED)
		*hi = 0x9F; /* no UTF-16 surrogates */
	if (c >= 0xE0 && c <= 0xEF)
		return 2;
	if (c == 0xF0)
		*lo = 0x90; /* no overlong forms */
	else if (c == 0xF4)
		*hi = 0x8F; /* nothing above U+10FFFF */
	if (c >= 0xF0 && c <= 0xF4)
		return 3;
	return 0;
}

/* Length of the valid UTF-8 sequence at p (p[0] >= 0x80); 0 if invalid;
 * SIZE_MAX if the input ends before an otherwise valid sequence does. */
static inline size_t hr_utf8_seq(const unsigned char *p, const unsigned char *end)
{
	uint8_t lo, hi;
	size_t k = hr_utf8_lead(*p, &lo, &hi);
	if (!k)
		return 0;
	for (size_t i = 1; i <= k; i++, lo = 0x80, hi = 0xBF) {
		if (p + i == end)
			return SIZE_MAX;
		if (p[i] < lo || p[i] > hi)
			return 0;
	}
	return k + 1;
}

#endif
