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

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/ratelimit.h"
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

/* What one worker counted (its own, so no sharing on the query path). */
struct dns_rrl_stats {
	uint64_t limited;	/* responses over the rate */
	uint64_t slipped;	/* of those, sent truncated */
	uint64_t dropped;	/* of those, not sent */
	uint32_t slip_count;	/* limited responses since the last slip */
};

struct dns_rrl {
	struct dns_rrl_config cfg;
	uint64_t seed[2];
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
/* Decides about reply[0..len), a UDP response about to go to from, at
 * now_ms (a monotonic clock); counts into st. */
enum dns_rrl_verdict dns_rrl_check(struct dns_rrl *r, struct dns_rrl_stats *st,
				   const struct sockaddr *from,
				   const uint8_t *reply, size_t len,
				   int64_t now_ms);
/* Rewrites reply[0..len) into its truncated form in place: the header
 * with TC=1 and the question, no records. Returns the new length. */
size_t dns_rrl_truncate(uint8_t *reply, size_t len);

#endif
