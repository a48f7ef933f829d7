/* Unit tests of src/services/svc_limit.c: the burst, the refill at the
 * rate, sources kept apart, IPv6, other families passing. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "services/svc_limit.h"
#include "unit.h"

static struct sockaddr_in
v4(const char *ip, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };

	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

static int
burst(struct svc_limit *t, const void *sa, int64_t now, int n)
{
	int ok = 0;

	for (int i = 0; i < n; i++)
		ok += svc_limit_allow(t, sa, now);
	return ok;
}

START_TEST(test_burst_then_rate)
{
	struct svc_limit *t = calloc(1, sizeof *t);
	struct sockaddr_in a = v4("192.0.2.1", 5000), b = v4("192.0.2.1", 6000);
	struct sockaddr_in c = v4("192.0.2.2", 5000);

	ck_assert_int_eq(burst(t, &a, 1000, 100), SVC_LIMIT_BURST);
	/* another port of the same address shares the bucket */
	ck_assert_int_eq(burst(t, &b, 1000, 10), 0);
	/* another address has its own */
	ck_assert_int_eq(burst(t, &c, 1000, 5), 5);
	/* half a second refills RATE/2 replies */
	ck_assert_int_eq(burst(t, &a, 1500, 100), SVC_LIMIT_RATE / 2);
	/* a long silence refills the burst, no more */
	ck_assert_int_eq(burst(t, &a, 1000000, 100), SVC_LIMIT_BURST);
	/* time going backwards takes nothing away */
	ck_assert_int_eq(burst(t, &a, 0, 5), 0);
	free(t);
}
END_TEST

START_TEST(test_ipv6_and_others)
{
	struct svc_limit *t = calloc(1, sizeof *t);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	struct sockaddr_un_like { sa_family_t f; char p[20]; } u = { AF_UNIX, "" };

	inet_pton(AF_INET6, "2001:db8::1", &a.sin6_addr);
	ck_assert_int_eq(burst(t, &a, 5, 100), SVC_LIMIT_BURST);
	ck_assert_int_eq(burst(t, &u, 5, 100), 100);
	free(t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("svc_limit");
	TCase *tc = tcase_create("svc_limit");

	tcase_add_test(tc, test_burst_then_rate);
	tcase_add_test(tc, test_ipv6_and_others);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
