/* resolv_cache: a bounded TTL cache of address answers (RFC 2181 section 8,
 * RFC 2308 section 5 for negative answers). Entries sit in one array
 * scanned linearly: a stub resolver holds a few hundred names at most. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resolv_cache.h"

int
resolv_cache_init(struct resolv_cache *c, int max)
{
	memset(c, 0, sizeof *c);
	if (max <= 0)
		return 0;
	c->e = calloc((size_t)max, sizeof *c->e);
	if (c->e == NULL)
		return -ENOMEM;
	c->max = max;
	return 0;
}

void
resolv_cache_fini(struct resolv_cache *c)
{
	free(c->e);
	memset(c, 0, sizeof *c);
}

static struct resolv_cache_entry *
cache_find(struct resolv_cache *c, const uint8_t *lname, uint16_t type)
{
	size_t len = dns_name_len(lname);

	for (int i = 0; i < c->n; i++) {
		struct resolv_cache_entry *e = &c->e[i];
		if (e->type == type && memcmp(e->name, lname, len) == 0)
			return e;
	}
	return NULL;
}

/* The slot to overwrite when full: the entry that expires first (an
 * expired one always does). */
static struct resolv_cache_entry *
cache_victim(struct resolv_cache *c)
{
	struct resolv_cache_entry *v = &c->e[0];

	for (int i = 1; i < c->n; i++)
		if (c->e[i].expires < v->expires)
			v = &c->e[i];
	return v;
}

void
resolv_cache_put(struct resolv_cache *c, const uint8_t *name, uint16_t type,
		 enum resolv_cache_kind kind, const struct net_addr *addrs,
		 int naddrs, uint32_t ttl, int64_t now)
{
	uint8_t lname[DNS_NAME_MAX + 1];
	uint32_t cap = kind == RESOLV_CACHE_ADDRS && naddrs > 0 ?
		RESOLV_CACHE_MAX_TTL : RESOLV_CACHE_MAX_NEG_TTL;

	if (c->max == 0 || ttl == 0)
		return;
	if (ttl > cap)
		ttl = cap;
	dns_name_lower(name, lname);
	struct resolv_cache_entry *e = cache_find(c, lname, type);
	if (e == NULL)
		e = c->n < c->max ? &c->e[c->n++] : cache_victim(c);
	memcpy(e->name, lname, dns_name_len(lname));
	e->type = type;
	e->kind = kind;
	e->expires = now + (int64_t)ttl * 1000;
	if (naddrs > RESOLV_CACHE_MAX_ADDRS)
		naddrs = RESOLV_CACHE_MAX_ADDRS;
	e->naddrs = kind == RESOLV_CACHE_ADDRS ? naddrs : 0;
	if (e->naddrs > 0)
		memcpy(e->addrs, addrs, (size_t)e->naddrs * sizeof *addrs);
}

const struct resolv_cache_entry *
resolv_cache_get(struct resolv_cache *c, const uint8_t *name, uint16_t type,
		 int64_t now)
{
	uint8_t lname[DNS_NAME_MAX + 1];

	if (c->max == 0)
		return NULL;
	dns_name_lower(name, lname);
	struct resolv_cache_entry *e = cache_find(c, lname, type);
	if (e == NULL || e->expires <= now) {
		c->misses++;
		return NULL;
	}
	c->hits++;
	return e;
}
