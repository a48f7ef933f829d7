/* http_limit: limits per client of the web server, as nginx's limit_conn
 * and limit_req: at most N open connections per client address, and
 * request rates per client and path prefix as token buckets with a burst
 * (a request over the rate gets 429 with Retry-After, RFC 6585 section 4).
 * A client is its IPv4 address, or its IPv6 /64 (what one customer is
 * usually given, so that rotating addresses inside it does not help).
 *
 * Both tables are fixed and shared by every worker (allocated once, no
 * allocation per client, bounded memory, no ageing to do): the request
 * buckets are core/ratelimit's; the connection counts are atomic counters
 * indexed by a keyed hash of the client. Shared rather than per worker
 * because SO_REUSEPORT spreads one client's connections over the workers:
 * per-worker tables would let a client hold N per worker. Two clients
 * whose hashes meet share a counter or a bucket (about one pair in
 * 262,144), which can only limit them early, never late. No I/O here. */
#ifndef INETKIT_HTTP_LIMIT_H
#define INETKIT_HTTP_LIMIT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/ratelimit.h"

#define HTTP_LIMIT_RULES 16
#define HTTP_LIMIT_PATH 256
#define HTTP_LIMIT_BITS 18

/* One --rate PATH=N/s[:BURST] (or N/m: per minute). */
struct http_limit_rule {
	char path[HTTP_LIMIT_PATH];	/* a prefix of whole segments */
	size_t plen;
	uint32_t count, period_s, burst;
	struct ratelimit_rule bucket;
	uint64_t key;		/* of the rule as written: its buckets */
};

struct http_limits {
	uint32_t max_conns_per_ip;	/* 0: no limit */
	struct http_limit_rule rules[HTTP_LIMIT_RULES];
	int nrules;
	uint64_t seed[2];
	struct ratelimit buckets;	/* with rules */
	_Atomic uint32_t *conns;	/* with max_conns_per_ip */
};

/* Parses "PATH=N/s", "PATH=N/m", with an optional ":BURST" (default: one
 * second's worth, at least 1). PATH starts with '/'. Returns 0 or
 * ERR_PARSE. */
int http_limit_rule_parse(const char *spec, struct http_limit_rule *out);
/* Allocates what the limits set before need, keyed by seed. Returns 0 or
 * -ENOMEM. */
int http_limits_init(struct http_limits *l, const uint64_t seed[2]);
/* Allocates the tables l lacks: the buckets when rules, the connection
 * counts when conns (a reload that sets a limit the start did not).
 * Returns 0 or -ENOMEM. */
int http_limits_tables(struct http_limits *l, int rules, int conns);
void http_limits_fini(struct http_limits *l);
/* A connection from peer opens: counts it and returns 0, or returns
 * ERR_RANGE (not counted) when the client has max_conns_per_ip already. */
int http_limits_conn_open(struct http_limits *l, const struct sockaddr *peer);
/* A connection counted by http_limits_conn_open closes. */
void http_limits_conn_close(struct http_limits *l,
			    const struct sockaddr *peer);
/* A request for path[0..n) (as sent: it is matched decoded, without dot
 * or empty segments, as the file layer will see it) from peer at now_ms:
 * 0 when the rule of the longest matching prefix (if any) has a token,
 * else the whole seconds to wait for one (Retry-After, >= 1). A path the
 * file layer will refuse (400) is not limited. */
int64_t http_limits_request(struct http_limits *l, const struct sockaddr *peer,
			    const char *path, size_t n, int64_t now_ms);

#endif
