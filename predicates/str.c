/* str.c: string view helpers. */
#include "str.h"

int hr_str_cmp(struct hr_str a, struct hr_str b)
{
	size_t n = a.n < b.n ? a.n : b.n;
	int c = n ? memcmp(a.p, b.p, n) : 0;
	if (c != 0)
		return c;
	return (a.n > b.n) - (a.n < b.n);
}

uint64_t hr_str_hash(struct hr_str s)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < s.n; i++) {
		h ^= (unsigned char)s.p[i];
		h *= 1099511628211ULL;
	}
	/* FNV-1a's low bits vary little across names like node-00001, node-00002:
	 * a final avalanche (murmur3's fmix64) spreads them over the table. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

bool hr_str_contains(struct hr_str s, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0)
		return true;
	for (size_t i = 0; i + n <= s.n; i++)
		if (memcmp(s.p + i, needle, n) == 0)
			return true;
	return false;
}
