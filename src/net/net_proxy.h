/* net_proxy: the PROXY protocol header (versions 1 and 2, HAProxy's
 * "proxy-protocol.txt"), by which a load balancer in front of a server
 * tells it the address of the client it relays, and the address ranges
 * (CIDR) from which such a header is believed. Pure: bytes in, no I/O.
 *
 *   net_proxy_parse    one header at the start of a connection's bytes
 *   net_cidr_parse     "ADDR/PREFIX" (or a lone address)
 *   net_cidr_match     is an address inside one of a list of ranges */
#ifndef INETKIT_NET_PROXY_H
#define INETKIT_NET_PROXY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/net_addr.h"

#define NET_PROXY_V1_MAX 107	/* the longest v1 line, CRLF included */
#define NET_PROXY_V2_MAX 4096	/* a v2 header with its TLVs, at most */

struct net_proxy_info {
	/* 1: keep the connection's own addresses (v1 UNKNOWN, v2 LOCAL, a
	 * v2 family other than TCP over IPv4 or IPv6: a health check or a
	 * connection the balancer made itself). */
	int local;
	struct net_addr src, dst;	/* the client and the address it
					 * reached, with their ports */
};

/* Parses the PROXY header at p[0..n). Returns its length (> 0: the bytes
 * after it are the client's), ERR_AGAIN when p is a beginning of one
 * (call again with more; never past NET_PROXY_V2_MAX bytes), or ERR_PARSE
 * (not a PROXY header, or a malformed one: the connection must be
 * closed). Fills out on success. */
ssize_t net_proxy_parse(const void *p, size_t n, struct net_proxy_info *out);

struct net_cidr {
	int family;		/* AF_INET or AF_INET6 */
	int prefix;		/* 0..32 or 0..128 */
	uint8_t addr[16];	/* the network, host bits cleared */
};

/* Parses "ADDR/PREFIX" or "ADDR" (a single host). Returns 0 or ERR_PARSE. */
int net_cidr_parse(const char *s, struct net_cidr *out);
/* True when a is inside one of nets[0..n); an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d, as a dual-stack listener sees IPv4 clients) matches
 * IPv4 ranges. */
int net_cidr_match(const struct net_cidr *nets, int n,
		   const struct net_addr *a);

#endif
