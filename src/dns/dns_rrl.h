/* dns_rrl: response rate limiting (RRL), as in BIND, NSD and Knot. An
 * open authoritative server answers anyone, so an attacker who forges a
 * victim's address can have it flood the victim with answers larger than
 * the queries. RRL counts UDP responses per client network (/24 IPv4,
 * /56 IPv6) and per kind of answer: the same name and type, NXDOMAIN per
 * zone (so random names count together), errors. A network and kind over
 * RATE responses a second is limited: every SLIP-th limited response goes
 * out truncated (TC=1, no records), which a real client retries over TCP
 * (RFC 7766) and which a forger's victim cannot; the others are dropped.
 * TCP is never limited: a TCP client cannot forge its address.
 *
 * Accounting (BIND's): a token bucket of RATE tokens a second holding
 * one second's worth; every response takes a token, and limited ones
 * overdraw it up to WINDOW seconds, so that a network that goes on
 * sending over the rate stays limited, and one that stops is answered
 * again within WINDOW seconds.
 *
 * The buckets are core/ratelimit's: one fixed table (2^DNS_RRL_BITS
 * words, allocated once; nothing per client) shared by every worker, a
 * bucket updated by one compare-and-swap: no lock on the query path.
 * Shared rather than one table per worker, because SO_REUSEPORT spreads
 * one client over the workers by its port: per-worker tables would each
 * need RATE / workers, which limits a client that uses one port too early
 * and one that uses many too late (docs/BENCHMARKS.md has the cost). The
 * hash is keyed with a random seed so that nobody can choose collisions. */
#ifndef INETKIT_DNS_RRL_H
#define INETKIT_DNS_RRL_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "core/ratelimit.h"
#include "dns_wire.h"
#include "net/net_prefix.h"

#define DNS_RRL_RATE_MAX RATELIMIT_RATE_MAX
#define DNS_RRL_WINDOW_MAX 3600
#define DNS_RRL_EXEMPT_MAX 32
#define DNS_RRL_BITS 18		/* 2^18 buckets, 2 MiB */

enum dns_rrl_verdict { DNS_RRL_PASS, DNS_RRL_SLIP, DNS_RRL_DROP };

struct dns_rrl_config {
	uint32_t rate;		/* responses a second; 0: RRL off */
	uint32_t slip;		/* every slip-th limited one truncated; 0 never */
	uint32_t window;	/* seconds, 1..DNS_RRL_WINDOW_MAX */
	int v4_prefix, v6_prefix;
	struct net_prefix exempt[DNS_RRL_EXEMPT_MAX];
	int nexempt;
};

/* What one worker counted (its own, so no sharing on the query path;
 * the counters are stored relaxed-atomically, for a reader such as the
 * status page in another thread). The socket and the XDP path of a worker
 * count into the same one: it lives in the worker's dns_hazard slot
 * (dns_server.h), summed by dns_served_stats. */
struct dns_rrl_stats {
	uint64_t limited;	/* responses over the rate */
	uint64_t slipped;	/* of those, sent truncated */
	uint64_t dropped;	/* of those, not sent */
	uint32_t slip_count;	/* limited responses since the last slip */
	int64_t logged_ms;	/* when limiting was last said on stderr */
};

struct dns_rrl {
	struct dns_rrl_config cfg;
	uint64_t seed[2];
	uint64_t v6_mask[2];	/* the network part of an address */
	uint32_t v4_mask;
	struct ratelimit buckets;
	struct ratelimit_rule rule;
};

/* The defaults: off, slip 2, window 15 s, /24 and /56. */
void dns_rrl_config_defaults(struct dns_rrl_config *c);
/* Allocates the table, seeded from seed[2] (random in the server, fixed
 * in tests). Returns 0 or -ENOMEM. */
int dns_rrl_init(struct dns_rrl *r, const struct dns_rrl_config *c,
		 const uint64_t seed[2]);
void dns_rrl_fini(struct dns_rrl *r);
/* Rewrites reply[0..len) into its truncated form in place: the header
 * with TC=1 and the question, no records. Returns the new length. */
size_t dns_rrl_truncate(uint8_t *reply, size_t len);

/* The query path, inline (a call and its register saves would be a
 * quarter of the cost; docs/BENCHMARKS.md). The rest is in dns_rrl.c. */
enum { DNS_RRL_ANSWER = 1, DNS_RRL_NXDOMAIN, DNS_RRL_ERROR };
#define DNS_RRL_MUL 0x9e3779b97f4a7c15ull

/* The length of the uncompressed name at p, which must end before end;
 * 0 if it does not, or is no plain name. */
size_t dns_rrl_name_len(const uint8_t *p, const uint8_t *end);
/* For NXDOMAIN: hashes into *h the zone, the owner of the SOA record in
 * the authority section (RFC 2308 section 3), which starts at off, past
 * the question (its name of qlen bytes) and ancount answer records (a
 * CNAME chain may lead to the missing name). Returns 0 or -1. */
int dns_rrl_zone_hash(const uint8_t *reply, size_t len, size_t off,
		      size_t qlen, unsigned ancount, uint64_t *h);
/* True when from is inside an --rrl-exempt prefix. */
int dns_rrl_exempt(const struct dns_rrl *r, const struct sockaddr *from);
/* A response over the rate: counts it, and slips or drops it. */
enum dns_rrl_verdict dns_rrl_limited(struct dns_rrl *r,
				     struct dns_rrl_stats *st);
/* What dns_rrl_reply does with a reply found over the rate: its length
 * truncated (a slip) or 0 (a drop); says so on stderr at most once a
 * minute per worker (index), not once per reply. */
size_t dns_rrl_act(struct dns_rrl_stats *st, enum dns_rrl_verdict v,
		   uint8_t *reply, size_t len,
		   int index, int64_t now_ms);

/* Hashes the n bytes of the name at p without regard to case, eight at
 * a time. Case is folded by setting bit 5 of every byte, which makes 'A'
 * and 'a' one byte at the cost of also merging a few bytes that names
 * rarely hold ('@' and '`', label lengths 1 and 33, types 1 and 33): a
 * shared bucket only limits early, and it costs one instruction a word
 * where a true lower-casing costs ten. The last word of a run of eight
 * bytes or more is its last eight, overlapping the word before (as
 * dns_db_hash does), which saves masking it; a shorter run is read whole
 * when it can be (bytes up to end may be read) and masked. The result's
 * top bits, which pick the bucket, are the best mixed of a multiply: no
 * final shuffle. */
static inline uint64_t
dns_rrl_name_hash(uint64_t h, const uint8_t *p, size_t n, const uint8_t *end)
{
	const uint64_t fold = 0x2020202020202020ull;
	uint64_t w = 0;

	if (n >= 8) {
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&w, p + i, 8);
			h = (h ^ (w | fold)) * DNS_RRL_MUL;
		}
		memcpy(&w, p + n - 8, 8);
		return (h ^ (w | fold)) * DNS_RRL_MUL;
	}
	if (n == 0)
		return h;
	if (p + 8 <= end)
		memcpy(&w, p, 8);
	else
		memcpy(&w, p, n);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	w &= ~0ull >> 8 * (8 - n);
#else
	w &= ~0ull << 8 * (8 - n);
#endif
	return (h ^ (w | fold)) * DNS_RRL_MUL;
}

/* The client's network under the configured prefixes, folded into the
 * seed with its family. 0 for a family other than IPv4 and IPv6. */
static inline uint64_t
dns_rrl_net_hash(const struct dns_rrl *r, const struct sockaddr *sa)
{
	static const uint8_t mapped[4] = { 0, 0, 0xff, 0xff };
	uint64_t w[2];
	uint32_t v4;

	if (sa->sa_family == AF_INET) {
		memcpy(&v4, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const uint8_t *b = ((const struct sockaddr_in6 *)sa)->
			sin6_addr.s6_addr;
		memcpy(w, b, 16);
		if (w[0] != 0 || memcmp(b + 8, mapped, 4) != 0)
			return ((r->seed[0] ^ (w[0] & r->v6_mask[0])) *
				DNS_RRL_MUL ^ (w[1] & r->v6_mask[1])) *
				DNS_RRL_MUL | 1;
		memcpy(&v4, b + 12, 4);
	} else {
		return 0;
	}
	return (r->seed[0] ^ 4 ^ (uint64_t)(v4 & r->v4_mask) << 8) *
		DNS_RRL_MUL | 1;
}

/* The bucket of a reply: the client's network (h) and the kind of
 * answer: the question for a positive answer, the zone for NXDOMAIN,
 * nothing more for an error. */
static inline uint64_t
dns_rrl_key(const struct dns_rrl *r, uint64_t h, const uint8_t *reply,
	    size_t len, size_t qlen)
{
	unsigned rcode = reply[3] & 0xf;

	h ^= r->seed[1];
	/* NOERROR (0) or NXDOMAIN (3), one question: else an error */
	if (!(0x9u >> rcode & 1) || (reply[4] << 8 | reply[5]) != 1)
		return ratelimit_mix(h, DNS_RRL_ERROR);
	if (qlen == 0 &&
	    (qlen = dns_rrl_name_len(reply + DNS_HDR_SIZE, reply + len)) == 0)
		return ratelimit_mix(h, DNS_RRL_ERROR);
	if (DNS_HDR_SIZE + qlen + 4 > len)
		return ratelimit_mix(h, DNS_RRL_ERROR);
	if (rcode == DNS_RCODE_NXDOMAIN &&
	    dns_rrl_zone_hash(reply, len, DNS_HDR_SIZE + qlen + 4, qlen,
			      (unsigned)reply[6] << 8 | reply[7], &h) == 0)
		return ratelimit_mix(h, DNS_RRL_NXDOMAIN);
	/* the name and the type, in one run of bytes */
	return dns_rrl_name_hash(h ^ DNS_RRL_ANSWER, reply + DNS_HDR_SIZE,
				 qlen + 2, reply + len);
}

/* Decides about reply[0..len), a UDP response about to go to from, at
 * now_ms (a monotonic clock); counts into st. qlen is the length of the
 * question's name when the caller knows it (dns_probe's qname), else 0. */
static inline enum dns_rrl_verdict
dns_rrl_check(struct dns_rrl *r, struct dns_rrl_stats *st,
	      const struct sockaddr *from, const uint8_t *reply, size_t len,
	      size_t qlen, int64_t now_ms)
{
	uint64_t h = dns_rrl_net_hash(r, from);

	if (h == 0 || len < DNS_HDR_SIZE ||
	    (r->cfg.nexempt && dns_rrl_exempt(r, from)))
		return DNS_RRL_PASS;
	h = dns_rrl_key(r, h, reply, len, qlen);
	if (ratelimit_take(&r->buckets, h, &r->rule, now_ms) == 0)
		return DNS_RRL_PASS;
	return dns_rrl_limited(r, st);
}

/* The whole step of a UDP reply, for the socket and the XDP paths:
 * reply[0..len) to from; returns the length to send (len, or the
 * truncated length of a slip), or 0 to send nothing. */
static inline size_t
dns_rrl_reply(struct dns_rrl *r, struct dns_rrl_stats *st,
	      const struct sockaddr *from, uint8_t *reply, size_t len,
	      size_t qlen, int index, int64_t now_ms)
{
	enum dns_rrl_verdict v = dns_rrl_check(r, st, from, reply, len, qlen,
					       now_ms);

	if (v == DNS_RRL_PASS)
		return len;
	return dns_rrl_act(st, v, reply, len, index, now_ms);
}

#endif
