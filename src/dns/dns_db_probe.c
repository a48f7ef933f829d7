/* dns_db_probe: finding the names of a batch of queries in steps, so
 * that their cache misses overlap (dns_zone_probe_start/step, see
 * dns_db.h). */
#include <string.h>

#include "dns_db.h"
#include "dns_db_hash.h"

void
dns_zone_probe_start(struct dns_probe *p, const struct dns_zone *z,
		     const uint8_t *rel, size_t n, uint16_t qtype)
{
	uint32_t h = name_hash_fold(rel, n);

	p->z = z->hash ? z : NULL;
	p->zone = z;
	p->rel = rel;
	p->n = n;
	p->known = 0;
	p->node = NULL;
	p->tag = h << SLOT_IDX_BITS;
	p->slot = slot_of(z, h);
	p->qtype = qtype;
	p->step = 0;
	if (p->z)
		__builtin_prefetch(&z->hash[p->slot]);
}

/* Does the node's name (lower case) equal rel in any case? */
static int
node_is_fold(const struct dns_zone *z, const struct dns_node *nd,
	     const uint8_t *rel, size_t n)
{
	const uint8_t *s = z->names + NAME_OFF(nd);

	uint64_t x, y;
	size_t i = 0;

	if (s[0] != n)
		return 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, s + 1 + i, 8);
		memcpy(&y, rel + i, 8);
		if (x != dns_lc8(y))
			return 0;
	}
	for (; i < n; i++) {
		uint32_t c = rel[i];
		if (s[1 + i] != c + ((uint32_t)(c - 'A' < 26u) << 5))
			return 0;
	}
	return 1;
}

void
dns_zone_probe_step(struct dns_probe *p)
{
	const struct dns_zone *z = p->z;
	const struct dns_node *nd;
	const struct dns_rrset *rs;

	if (z == NULL)
		return;
	switch (p->step++) {
	case 0:		/* the slot: the first node whose tag matches */
		for (uint32_t i = p->slot; z->hash[i];
		     i = i + 1 == z->hash_cap ? 0 : i + 1)
			if ((z->hash[i] & ~SLOT_IDX_MASK) == p->tag) {
				p->idx = (z->hash[i] & SLOT_IDX_MASK) - 1;
				__builtin_prefetch(&z->nodes[p->idx]);
				__builtin_prefetch(&z->nodes[p->idx + 1]);
				return;
			}
		p->known = 1;	/* an empty slot first: no such name */
		break;
	case 1:		/* the node: its name and RRsets */
		nd = &z->nodes[p->idx];
		__builtin_prefetch(z->names + NAME_OFF(nd));
		__builtin_prefetch(&z->rrsets[nd->rrset]);
		return;
	case 2:		/* its name; the rdata of the RRset asked for */
		nd = &z->nodes[p->idx];
		/* Another name with the same tag: left to dns_zone_lookup. */
		if (!node_is_fold(z, nd, p->rel, p->n))
			break;
		p->known = 1;
		p->node = nd;
		rs = dns_node_rrset(z, nd, p->qtype);
		if (rs)
			__builtin_prefetch(z->rdata + rs->rdata);
		break;
	}
	p->z = NULL;
}
