/* Unit tests of resolv_cache: TTLs and their caps, names compared without
 * case, negative answers, eviction of the soonest to expire. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "dns/dns_rr.h"
#include "dns/dns_wire.h"
#include "resolv/resolv_cache.h"
#include "unit.h"

static const uint8_t name_a[] = "\3www\7example\4test";
static const uint8_t name_a_upper[] = "\3WWW\7Example\4TEST";
static const uint8_t name_b[] = "\4mail\7example\4test";

START_TEST(cache_ttl_and_case)
{
	struct resolv_cache c;
	struct net_addr a[2];

	net_ip_parse("192.0.2.1", &a[0]);
	net_ip_parse("192.0.2.2", &a[1]);
	ck_assert_int_eq(resolv_cache_init(&c, 4), 0);
	ck_assert_ptr_null(resolv_cache_get(&c, name_a, DNS_T_A, 0));
	resolv_cache_put(&c, name_a_upper, DNS_T_A, RESOLV_CACHE_ADDRS, a, 2,
			 60, 1000);
	const struct resolv_cache_entry *e =
		resolv_cache_get(&c, name_a, DNS_T_A, 1000);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->naddrs, 2);
	ck_assert(net_addr_equal(&e->addrs[1], &a[1]));
	/* Another type, another name: misses. */
	ck_assert_ptr_null(resolv_cache_get(&c, name_a, DNS_T_AAAA, 1000));
	ck_assert_ptr_null(resolv_cache_get(&c, name_b, DNS_T_A, 1000));
	/* Alive until the TTL runs out, not a millisecond more. */
	ck_assert_ptr_nonnull(resolv_cache_get(&c, name_a, DNS_T_A, 60999));
	ck_assert_ptr_null(resolv_cache_get(&c, name_a, DNS_T_A, 61000));
	/* A TTL of 0 is not cached. */
	resolv_cache_put(&c, name_b, DNS_T_A, RESOLV_CACHE_ADDRS, a, 1, 0, 0);
	ck_assert_ptr_null(resolv_cache_get(&c, name_b, DNS_T_A, 0));
	resolv_cache_fini(&c);
}
END_TEST

START_TEST(cache_caps_and_negative)
{
	struct resolv_cache c;
	struct net_addr a;

	net_ip_parse("192.0.2.1", &a);
	ck_assert_int_eq(resolv_cache_init(&c, 4), 0);
	/* Positive TTLs are capped at a day, negative ones at 5 minutes. */
	resolv_cache_put(&c, name_a, DNS_T_A, RESOLV_CACHE_ADDRS, &a, 1,
			 7 * 86400, 0);
	ck_assert_ptr_null(resolv_cache_get(&c, name_a, DNS_T_A,
					    RESOLV_CACHE_MAX_TTL * 1000LL));
	resolv_cache_put(&c, name_b, DNS_T_A, RESOLV_CACHE_NXDOMAIN, NULL, 0,
			 3600, 0);
	const struct resolv_cache_entry *e =
		resolv_cache_get(&c, name_b, DNS_T_A, 1000);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->kind, RESOLV_CACHE_NXDOMAIN);
	ck_assert_int_eq(e->naddrs, 0);
	ck_assert_ptr_null(resolv_cache_get(&c, name_b, DNS_T_A,
					    RESOLV_CACHE_MAX_NEG_TTL * 1000LL));
	/* NODATA (no addresses) is negative too. */
	resolv_cache_put(&c, name_b, DNS_T_AAAA, RESOLV_CACHE_ADDRS, NULL, 0,
			 3600, 0);
	ck_assert_ptr_null(resolv_cache_get(&c, name_b, DNS_T_AAAA,
					    RESOLV_CACHE_MAX_NEG_TTL * 1000LL));
	resolv_cache_fini(&c);
}
END_TEST

START_TEST(cache_bounded_evicts_soonest)
{
	struct resolv_cache c;
	struct net_addr a;
	uint8_t name[DNS_NAME_MAX + 1];
	const char *why;
	char text[32];

	net_ip_parse("192.0.2.1", &a);
	ck_assert_int_eq(resolv_cache_init(&c, 3), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(text, sizeof text, "h%d.test.", i);
		dns_name_parse(text, strlen(text), NULL, name, &why);
		/* h1 expires first */
		resolv_cache_put(&c, name, DNS_T_A, RESOLV_CACHE_ADDRS, &a, 1,
				 i == 1 ? 10 : 100, 0);
	}
	dns_name_parse("h3.test.", 8, NULL, name, &why);
	resolv_cache_put(&c, name, DNS_T_A, RESOLV_CACHE_ADDRS, &a, 1, 100, 0);
	ck_assert_int_eq(c.n, 3);
	ck_assert_ptr_nonnull(resolv_cache_get(&c, name, DNS_T_A, 1));
	dns_name_parse("h1.test.", 8, NULL, name, &why);
	ck_assert_ptr_null(resolv_cache_get(&c, name, DNS_T_A, 1));
	dns_name_parse("h0.test.", 8, NULL, name, &why);
	ck_assert_ptr_nonnull(resolv_cache_get(&c, name, DNS_T_A, 1));
	resolv_cache_fini(&c);
	/* A cache of size 0 holds nothing. */
	ck_assert_int_eq(resolv_cache_init(&c, 0), 0);
	resolv_cache_put(&c, name, DNS_T_A, RESOLV_CACHE_ADDRS, &a, 1, 100, 0);
	ck_assert_ptr_null(resolv_cache_get(&c, name, DNS_T_A, 1));
	resolv_cache_fini(&c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("resolv_cache");
	TCase *tc = tcase_create("cache");

	tcase_add_test(tc, cache_ttl_and_case);
	tcase_add_test(tc, cache_caps_and_negative);
	tcase_add_test(tc, cache_bounded_evicts_soonest);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
