/* Unit tests of src/core/ratelimit.c: the burst, the rate, the wait
 * until the next token, refused takes free or overdrawing, and exact
 * counts when two threads take from one bucket at once. */
#include <check.h>
#include <pthread.h>

#include "core/ratelimit.h"
#include "unit.h"

#define K(n) ((uint64_t)(n) << 60)	/* a key in bucket n of 16 */

/* Takes n tokens at now_ms; returns how many were granted, and the last
 * wait in *wait. */
static int
take_n(struct ratelimit *t, uint64_t h, const struct ratelimit_rule *r,
       int n, int64_t now_ms, int64_t *wait)
{
	int ok = 0;

	for (int i = 0; i < n; i++) {
		*wait = ratelimit_take(t, h, r, now_ms);
		ok += *wait == 0;
	}
	return ok;
}

START_TEST(test_burst_and_rate)
{
	struct ratelimit t;
	struct ratelimit_rule r;
	int64_t wait;

	ck_assert_int_eq(ratelimit_init(&t, 4), 0);
	ratelimit_rule_init(&r, 10, 1, 5, 0);	/* 10/s, burst 5 */
	/* the bucket is the top 4 bits: K(1) and K(1) + 5 meet */
	ck_assert_int_eq(take_n(&t, K(1), &r, 20, 1000, &wait), 5);
	ck_assert_int_eq(wait, 100);	/* the next token in 100 ms */
	ck_assert_int_eq(take_n(&t, K(1), &r, 1, 1050, &wait), 0);
	ck_assert_int_eq(wait, 50);
	ck_assert_int_eq(take_n(&t, K(1), &r, 3, 1100, &wait), 1);
	/* A second later the bucket is full again, but no fuller. */
	ck_assert_int_eq(take_n(&t, K(1), &r, 20, 3000, &wait), 5);
	/* Another key is another bucket, unless their top bits meet. */
	ck_assert_int_eq(take_n(&t, K(2), &r, 20, 3000, &wait), 5);
	ck_assert_int_eq(take_n(&t, K(1) + 5, &r, 1, 3000, &wait), 0);
	/* Steady at the rate: every take granted. */
	for (int64_t ms = 10000; ms < 12000; ms += 100)
		ck_assert_int_eq(take_n(&t, K(3), &r, 1, ms, &wait), 1);
	ratelimit_fini(&t);
}
END_TEST

/* With a debt, refused takes count: still over the rate, still refused;
 * quiet for the debt's length, served again. */
START_TEST(test_debt)
{
	struct ratelimit t;
	struct ratelimit_rule r;
	int64_t wait;

	ck_assert_int_eq(ratelimit_init(&t, 4), 0);
	ratelimit_rule_init(&r, 10, 1, 10, 3);
	ck_assert_int_eq(take_n(&t, K(1), &r, 1000, 1000, &wait), 10);
	ck_assert_int_eq(wait, 3100);	/* at the cap: 3 s and one interval */
	for (int64_t ms = 2000; ms < 4000; ms += 50)
		ck_assert_int_eq(take_n(&t, K(1), &r, 1, ms, &wait), 0);
	ck_assert_int_eq(take_n(&t, K(1), &r, 100, 8000, &wait), 10);
	/* Without a debt, the same flood leaves a bucket that refills at
	 * the rate. */
	ratelimit_rule_init(&r, 10, 1, 10, 0);
	ck_assert_int_eq(take_n(&t, K(2), &r, 1000, 1000, &wait), 10);
	ck_assert_int_eq(take_n(&t, K(2), &r, 100, 1500, &wait), 5);
	ratelimit_fini(&t);
}
END_TEST

struct racer {
	struct ratelimit *t;
	struct ratelimit_rule *r;
	int granted;
};

static void *
race(void *arg)
{
	struct racer *x = arg;
	int64_t wait;

	x->granted = take_n(x->t, K(5), x->r, 200000, 5000, &wait);
	return NULL;
}

START_TEST(test_two_threads_one_bucket)
{
	struct ratelimit t;
	struct ratelimit_rule r;
	struct racer a, b;
	pthread_t ta, tb;

	ck_assert_int_eq(ratelimit_init(&t, 4), 0);
	ratelimit_rule_init(&r, 1000, 1, 100000, 0);
	a = (struct racer){ &t, &r, 0 };
	b = a;
	pthread_create(&ta, NULL, race, &a);
	pthread_create(&tb, NULL, race, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	ck_assert_int_eq(a.granted + b.granted, 100000);
	ratelimit_fini(&t);
}
END_TEST

START_TEST(test_rule_bounds)
{
	struct ratelimit_rule r;

	ratelimit_rule_init(&r, RATELIMIT_RATE_MAX, 1, 1, 3600);
	ck_assert_int_eq(r.interval_ns, 1000);
	ratelimit_rule_init(&r, 0, 1, 0, 0);	/* treated as 1/s, burst 1 */
	ck_assert_int_eq(r.burst_ns, 1000000000);
}
END_TEST

static Suite *
ratelimit_suite(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_burst_and_rate);
	tcase_add_test(tc, test_debt);
	tcase_add_test(tc, test_two_threads_one_bucket);
	tcase_add_test(tc, test_rule_bounds);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(ratelimit_suite());
}
