/* ratelimit: GCRA token buckets in a shared table; see ratelimit.h. */
#include <errno.h>
#include <stdlib.h>

#include "ratelimit.h"

#define NS_PER_S 1000000000ll

void
ratelimit_rule_init(struct ratelimit_rule *r, uint32_t rate, uint32_t burst,
		    uint32_t debt_s)
{
	r->interval_ns = NS_PER_S / (rate ? rate : 1);
	r->burst_ns = r->interval_ns * (int64_t)(burst ? burst : 1);
	r->debt_ns = (int64_t)debt_s * NS_PER_S;
}

int
ratelimit_init(struct ratelimit *t, int bits)
{
	size_t n = (size_t)1 << bits;

	t->cells = aligned_alloc(64, n * sizeof *t->cells);
	if (t->cells == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		atomic_init(&t->cells[i], 0);
	t->mask = n - 1;
	return 0;
}

void
ratelimit_fini(struct ratelimit *t)
{
	free((void *)t->cells);
	t->cells = NULL;
}

int64_t
ratelimit_take(struct ratelimit *t, uint64_t hash,
	       const struct ratelimit_rule *r, int64_t now_ms)
{
	_Atomic int64_t *cell = &t->cells[hash & t->mask];
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
