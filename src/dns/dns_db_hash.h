/* dns_db_hash: what the zone builder (dns_db.c) and the batch probes
 * (dns_db_probe.c) share about the name hash index: the hash, the slot
 * layout, where a node's name is. Private to the dns_db files. */
#ifndef INETKIT_DNS_DB_HASH_H
#define INETKIT_DNS_DB_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns_db.h"

#define NAME_OFF(n) ((n)->name & ~DNS_NODE_CUT)

/* Eight bytes at a time (the last eight overlap when the length is not
 * a multiple), each mixed in by a multiply; shorter names byte by byte;
 * then MurmurHash3's 64-bit finish. Case folded when fold is set (label
 * lengths are below 'A': folding leaves them alone). */
static inline uint32_t
name_hash_words(const uint8_t *p, size_t n, int fold)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t h = n * k, w = 0;

	if (n < 8) {
		for (size_t i = 0; i < n; i++) {
			uint64_t c = p[i];
			if (fold)
				c += (uint64_t)(c - 'A' < 26u) << 5;
			w = w << 8 | c;
		}
		h = (h ^ w) * k;
	}
	for (size_t i = 0; n >= 8 && i < n; i += 8) {
		memcpy(&w, p + (i + 8 <= n ? i : n - 8), 8);
		if (fold)
			w = dns_lc8(w);
		h = (h ^ w) * k;
		h ^= h >> 32;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return (uint32_t)(h ^ h >> 33);
}

static inline uint32_t
name_hash(const uint8_t *p, size_t n)
{
	return name_hash_words(p, n, 0);
}

/* The hash of the name once lower-cased. */
static inline uint32_t
name_hash_fold(const uint8_t *p, size_t n)
{
	return name_hash_words(p, n, 1);
}

/* A hash slot holds the node index + 1 in its low bits (0: empty) and,
 * above, the low bits of the name's hash: most mismatches are seen
 * without touching the node, so long probes stay in one cache line. */
#define SLOT_IDX_BITS 26
#define SLOT_IDX_MASK ((1u << SLOT_IDX_BITS) - 1)
#define SLOT_IDX_BITS 26
#define SLOT_IDX_MASK ((1u << SLOT_IDX_BITS) - 1)

/* Maps a hash onto [0, cap) without a division (Lemire's reduction). */
static inline uint32_t
slot_of(const struct dns_zone *z, uint32_t h)
{
	return (uint32_t)(((uint64_t)h * z->hash_cap) >> 32);
}

#endif
