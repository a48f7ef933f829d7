/* resolv_reply: what a stub resolver reads from a reply, as pure functions:
 * is this datagram the answer to my query (RFC 5452 section 9.1), and
 * which addresses does it give for my name, after the CNAME chain (RFC
 * 1034 section 3.6.2), with which TTL (RFC 2181 section 5.2, RFC 2308
 * section 5 for negative answers). No I/O. */
#ifndef INETKIT_RESOLV_REPLY_H
#define INETKIT_RESOLV_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dns_wire.h"
#include "resolv_cache.h"

#define RESOLV_REPLY_MAX_CNAMES 8	/* chain links followed in one reply */
#define RESOLV_REPLY_MAX_RRS 128	/* answer records looked at */

enum resolv_reply_kind {
	RESOLV_REPLY_ADDRS,	/* naddrs > 0 addresses of the asked type */
	RESOLV_REPLY_CNAME,	/* the chain ends at target, with no data
				 * here: ask again for target */
	RESOLV_REPLY_NODATA,	/* the name exists without that type */
	RESOLV_REPLY_NXDOMAIN,	/* the name (or the chain's end) does not
				 * exist */
	RESOLV_REPLY_FAIL,	/* SERVFAIL, REFUSED, NOTIMP, FORMERR, ...:
				 * ask another server */
};

struct resolv_reply_info {
	enum resolv_reply_kind kind;
	int rcode;
	int truncated;		/* TC: ask again over TCP */
	struct net_addr addrs[RESOLV_CACHE_MAX_ADDRS]; /* port 0 */
	int naddrs;
	uint32_t ttl;		/* how long the answer may be cached; 0: not */
	uint8_t target[DNS_NAME_MAX + 1];	/* the end of the chain */
	int cnames;		/* chain links followed */
};

/* True (1) when reply r[0..rlen) answers query q[0..qlen): same ID, QR
 * set, opcode QUERY, and the same single question (name compared without
 * case). A reply with no question is accepted only with an error rcode
 * other than NXDOMAIN (a server may drop it then). Else 0. */
int resolv_reply_matches(const uint8_t *q, size_t qlen, const uint8_t *r,
			 size_t rlen);

/* Reads a matching reply to a question for qname (wire form) and qtype
 * (DNS_T_A or DNS_T_AAAA) into out. Returns 0 or ERR_PARSE (malformed:
 * treat as a failed server). */
int resolv_reply_read(const uint8_t *msg, size_t len, const uint8_t *qname,
		      uint16_t qtype, struct resolv_reply_info *out);

#endif
