/* ratelimit: token buckets in one fixed table shared by every worker, for
 * the limits that count clients (DNS response rate limiting, HTTP request
 * rates). Each bucket is one 64-bit word, its theoretical arrival time
 * (the generic cell rate algorithm, GCRA, ITU-T I.371): the moment at
 * which it would be full again. Taking a token is one compare-and-swap
 * on that word: no lock, no allocation after init, and no ageing, since a
 * bucket whose time has passed is full by construction. The caller hashes
 * its key (keyed, so that nobody can choose collisions); the bucket is
 * the hash's top bits, the ones a multiplicative hash mixes best; two keys that
 * meet in one bucket share it, which can only limit them early, never
 * late. */
#ifndef INETKIT_RATELIMIT_H
#define INETKIT_RATELIMIT_H

#include <stdatomic.h>
#include <stdint.h>

#define RATELIMIT_RATE_MAX 1000000	/* tokens a second */

struct ratelimit {
	_Atomic int64_t *cells;		/* arrival times, ns */
	int shift;			/* 64 - bits: the index is the top bits */
};

/* The rate of one kind of bucket. */
struct ratelimit_rule {
	int64_t interval_ns;	/* 1 s / rate */
	int64_t burst_ns;	/* burst x interval: a full bucket */
	int64_t debt_ns;	/* how far refused takes may overdraw */
};

/* count tokens every period_s seconds (count 1..RATELIMIT_RATE_MAX a
 * second), burst tokens when full (>= 1). debt_s 0: a refused take costs nothing (a client that waits is
 * served at the rate); else refused takes count too, up to debt_s seconds
 * ahead, so that a client that keeps sending too fast stays refused and
 * one that stops is served again within debt_s seconds. */
void ratelimit_rule_init(struct ratelimit_rule *r, uint32_t count,
			 uint32_t period_s, uint32_t burst, uint32_t debt_s);
/* 2^bits buckets (8 bytes each). Returns 0 or -ENOMEM. */
int ratelimit_init(struct ratelimit *t, int bits);
void ratelimit_fini(struct ratelimit *t);
/* Takes a token from bucket hash under rule r at now_ms (a monotonic
 * clock). Returns 0 when there was one, else the milliseconds until there
 * will be one (at least 1). Inline: it is on the query path. */
static inline int64_t
ratelimit_take(struct ratelimit *t, uint64_t hash,
	       const struct ratelimit_rule *r, int64_t now_ms)
{
	_Atomic int64_t *cell = &t->cells[hash >> t->shift];
	int64_t now = now_ms * 1000000, over = 0;
	int64_t old = atomic_load_explicit(cell, memory_order_relaxed), tat;

	do {
		tat = (old > now ? old : now) + r->interval_ns;
		over = tat - now - r->burst_ns;
		if (over > 0) {
			/* refused: counts only against a debt */
			if (r->debt_ns == 0)
				break;
			if (tat > now + r->burst_ns + r->debt_ns)
				tat = now + r->burst_ns + r->debt_ns;
		}
	} while (!atomic_compare_exchange_weak_explicit(cell, &old, tat,
							memory_order_relaxed,
							memory_order_relaxed));
	return over > 0 ? (over + 999999) / 1000000 : 0;
}
/* One round of a multiply-xorshift hash, to build keyed hashes from a
 * random seed: fast, and enough for a table (not a MAC). */
static inline uint64_t
ratelimit_mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15ull;
	return h ^ h >> 29;
}

#endif
