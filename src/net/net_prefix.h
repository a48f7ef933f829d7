/* net_prefix: address prefixes (CIDR) for the limits that count clients
 * by network: the network an address belongs to under a prefix length
 * (so that 192.0.2.1 and 192.0.2.200 share a /24), and whether an address
 * lies inside a prefix. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, what a
 * dual-stack socket reports for an IPv4 client) count as IPv4. Pure: no
 * I/O, no allocation. */
#ifndef INETKIT_NET_PREFIX_H
#define INETKIT_NET_PREFIX_H

#include <stdint.h>
#include <sys/socket.h>

struct net_prefix {
	uint8_t v6;		/* 0: IPv4 in bytes[0..4), 1: IPv6 */
	uint8_t len;		/* prefix length, 0..32 or 0..128 */
	uint8_t bytes[16];	/* the network; bits past len are zero */
};

/* Parses "ADDR/LEN" or a bare "ADDR" (a single host). Bits set past LEN
 * are cleared ("10.1.2.3/8" is 10.0.0.0/8). Returns 0 or ERR_PARSE. */
int net_prefix_parse(const char *s, struct net_prefix *out);
/* The network of the address in sa (AF_INET or AF_INET6) under v4len or
 * v6len. Returns 0, or ERR_PARSE for another family. */
int net_prefix_of(const struct sockaddr *sa, int v4len, int v6len,
		  struct net_prefix *out);
/* True when the address in sa lies inside p. */
int net_prefix_contains(const struct net_prefix *p,
			const struct sockaddr *sa);
/* True when the address in sa lies inside one of p[0..n). */
int net_prefix_any(const struct net_prefix *p, int n,
		   const struct sockaddr *sa);
/* Writes "192.0.2.0/24" into out (at least 50 bytes). */
void net_prefix_format(const struct net_prefix *p, char *out, size_t size);

#endif
