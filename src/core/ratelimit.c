/* ratelimit: GCRA token buckets in a shared table; see ratelimit.h. */
#include <errno.h>
#include <stdlib.h>

#include "ratelimit.h"

#define NS_PER_S 1000000000ll

void
ratelimit_rule_init(struct ratelimit_rule *r, uint32_t count,
		    uint32_t period_s, uint32_t burst, uint32_t debt_s)
{
	r->interval_ns = NS_PER_S * (period_s ? period_s : 1) /
		(count ? count : 1);
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
	t->shift = 64 - bits;
	return 0;
}

void
ratelimit_fini(struct ratelimit *t)
{
	free((void *)t->cells);
	t->cells = NULL;
}
