/* resolv_cache: the stub resolver's answer cache. Bounded in entries; an
 * entry lives for the TTL of its answer (RFC 1035 section 3.2.1, RFC 2181
 * section 8), a negative answer for the TTL of RFC 2308 section 5, capped
 * short. Pure: the caller passes the time, nothing here does I/O. One
 * cache per resolver (per loop), so no locking. */
#ifndef INETKIT_RESOLV_CACHE_H
#define INETKIT_RESOLV_CACHE_H

#include <stdint.h>

#include "dns/dns_wire.h"
#include "net/net_addr.h"

#define RESOLV_CACHE_MAX_ADDRS 16	/* addresses kept per answer */
#define RESOLV_CACHE_MAX_TTL 86400	/* positive TTLs capped at a day */
#define RESOLV_CACHE_MAX_NEG_TTL 300	/* negative TTLs at five minutes */

enum resolv_cache_kind {
	RESOLV_CACHE_ADDRS,	/* addresses (maybe none: NODATA) */
	RESOLV_CACHE_NXDOMAIN,	/* the name does not exist */
};

struct resolv_cache_entry {
	uint8_t name[DNS_NAME_MAX + 1];	/* wire form, lower case */
	uint16_t type;			/* DNS_T_A or DNS_T_AAAA */
	enum resolv_cache_kind kind;
	int64_t expires;		/* monotonic ms */
	int naddrs;
	struct net_addr addrs[RESOLV_CACHE_MAX_ADDRS];
};

struct resolv_cache {
	struct resolv_cache_entry *e;
	int n, max;
	uint64_t hits, misses;
};

/* Sets up an empty cache of at most max entries (0 disables caching).
 * Returns 0 or -ENOMEM. */
int resolv_cache_init(struct resolv_cache *c, int max);
void resolv_cache_fini(struct resolv_cache *c);

/* Stores the answer for (name, type) at time now (ms), replacing an older
 * one: naddrs addresses (capped at RESOLV_CACHE_MAX_ADDRS) for ttl seconds,
 * capped by kind. A ttl of 0 stores nothing. When the cache is full the
 * entry closest to expiry is dropped (expired ones first). */
void resolv_cache_put(struct resolv_cache *c, const uint8_t *name,
		      uint16_t type, enum resolv_cache_kind kind,
		      const struct net_addr *addrs, int naddrs, uint32_t ttl,
		      int64_t now);

/* The live entry for (name, type) at time now, or NULL. Borrowed: valid
 * until the next put. */
const struct resolv_cache_entry *resolv_cache_get(struct resolv_cache *c,
						  const uint8_t *name,
						  uint16_t type, int64_t now);

#endif
