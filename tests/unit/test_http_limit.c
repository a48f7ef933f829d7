/* Unit tests of src/http/http_limit.c: --rate rules parsed and matched by
 * whole path segments, the longest winning; request rates and Retry-After
 * per client (IPv4 address, IPv6 /64); connection counts per client. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <string.h>

#include "core/err.h"
#include "http/http_limit.h"
#include "unit.h"

static const uint64_t seed[2] = { 3, 4 };

struct rule_case {
	const char *in;
	int rc;
	const char *path;
	uint32_t count, period, burst;
};

static const struct rule_case rule_cases[] = {
	{ "/api=10/s", 0, "/api", 10, 1, 10 },
	{ "/api/=10/s:25", 0, "/api", 10, 1, 25 },
	{ "/=1/s", 0, "/", 1, 1, 1 },
	{ "/login=30/m", 0, "/login", 30, 60, 1 },
	{ "/login=90/m:3", 0, "/login", 90, 60, 3 },
	{ "/a=b=5/s", 0, "/a=b", 5, 1, 5 },
	{ "api=10/s", ERR_PARSE, NULL, 0, 0, 0 },
	{ "/api", ERR_PARSE, NULL, 0, 0, 0 },
	{ "/api=0/s", ERR_PARSE, NULL, 0, 0, 0 },
	{ "/api=10", ERR_PARSE, NULL, 0, 0, 0 },
	{ "/api=10/h", ERR_PARSE, NULL, 0, 0, 0 },
	{ "/api=10/s:", ERR_PARSE, NULL, 0, 0, 0 },
	{ "/api=10/s:0", ERR_PARSE, NULL, 0, 0, 0 },
	{ "/api=10/sx", ERR_PARSE, NULL, 0, 0, 0 },
	{ "/api=-1/s", ERR_PARSE, NULL, 0, 0, 0 },
	{ "/api=1000001/s", ERR_PARSE, NULL, 0, 0, 0 },
	{ "/api=99999999999999999999/s", ERR_PARSE, NULL, 0, 0, 0 },
};

START_TEST(test_rule_parse)
{
	const struct rule_case *c = &rule_cases[_i];
	struct http_limit_rule r;

	ck_assert_int_eq(http_limit_rule_parse(c->in, &r), c->rc);
	if (c->rc != 0)
		return;
	ck_assert_str_eq(r.path, c->path);
	ck_assert_uint_eq(r.plen, strlen(c->path));
	ck_assert_uint_eq(r.count, c->count);
	ck_assert_uint_eq(r.period_s, c->period);
	ck_assert_uint_eq(r.burst, c->burst);
}
END_TEST

static struct sockaddr_storage
addr(const char *ip)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof ss);
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
		s->sin6_family = AF_INET6;
		inet_pton(AF_INET6, ip, &s->sin6_addr);
	} else {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;
		s->sin_family = AF_INET;
		inet_pton(AF_INET, ip, &s->sin_addr);
	}
	return ss;
}

/* Requests n times path from ip at now_ms; returns how many passed, the
 * last wait in *wait. */
static int
ask(struct http_limits *l, const char *ip, const char *path, int n,
    int64_t now_ms, int64_t *wait)
{
	struct sockaddr_storage a = addr(ip);
	int ok = 0;

	for (int i = 0; i < n; i++) {
		*wait = http_limits_request(l, (struct sockaddr *)&a, path,
					    strlen(path), now_ms);
		ok += *wait == 0;
	}
	return ok;
}

static void
limits_start(struct http_limits *l, const char *const *rules, uint32_t conns)
{
	memset(l, 0, sizeof *l);
	for (; *rules; rules++)
		ck_assert_int_eq(http_limit_rule_parse(*rules,
				 &l->rules[l->nrules++]), 0);
	l->max_conns_per_ip = conns;
	ck_assert_int_eq(http_limits_init(l, seed), 0);
}

START_TEST(test_request_rates)
{
	static const char *const rules[] = { "/api=2/s", "/api/slow=1/m",
					     "/=100/s:100", NULL };
	struct http_limits l;
	int64_t wait;

	limits_start(&l, rules, 0);
	ck_assert_int_eq(ask(&l, "192.0.2.1", "/api/x", 5, 1000, &wait), 2);
	ck_assert_int_eq(wait, 1);
	/* "/api" itself, but not "/apix": whole segments. */
	ck_assert_int_eq(ask(&l, "192.0.2.1", "/api", 1, 1000, &wait), 0);
	ck_assert_int_eq(ask(&l, "192.0.2.1", "/apix", 5, 1000, &wait), 5);
	/* The longest rule wins: one a minute, a minute to wait. */
	ck_assert_int_eq(ask(&l, "192.0.2.1", "/api/slow/y", 3, 1000, &wait),
			 1);
	ck_assert_int_eq(wait, 60);
	/* Another client has its own buckets; an IPv6 /64 is one client. */
	ck_assert_int_eq(ask(&l, "192.0.2.2", "/api/x", 5, 1000, &wait), 2);
	ck_assert_int_eq(ask(&l, "2001:db8:1:2::1", "/api/x", 1, 1000, &wait),
			 1);
	ck_assert_int_eq(ask(&l, "2001:db8:1:2:ffff::9", "/api/x", 5, 1000,
			     &wait), 1);
	ck_assert_int_eq(ask(&l, "2001:db8:1:3::1", "/api/x", 5, 1000, &wait),
			 2);
	/* Matched as the file layer will see the path: decoded, without
	 * dot or empty segments. */
	ck_assert_int_eq(ask(&l, "192.0.2.3", "/%61pi/x", 1, 1000, &wait), 1);
	ck_assert_int_eq(ask(&l, "192.0.2.3", "//api//x", 1, 1000, &wait), 1);
	ck_assert_int_eq(ask(&l, "192.0.2.3", "/x/../api/./y", 5, 1000, &wait),
			 0);
	ck_assert_int_eq(ask(&l, "192.0.2.3", "/api/../x", 5, 1000, &wait), 5);
	/* A path the file layer refuses is not counted. */
	ck_assert_int_eq(ask(&l, "192.0.2.4", "/api/%00", 5, 1000, &wait), 5);
	ck_assert_int_eq(ask(&l, "192.0.2.4", "/../api", 5, 1000, &wait), 5);
	/* Half a second later, one more token. */
	ck_assert_int_eq(ask(&l, "192.0.2.1", "/api/x", 5, 1500, &wait), 1);
	http_limits_fini(&l);
}
END_TEST

START_TEST(test_no_rule_no_limit)
{
	static const char *const rules[] = { "/api=1/s", NULL };
	struct http_limits l;
	int64_t wait;

	limits_start(&l, rules, 0);
	ck_assert_int_eq(ask(&l, "192.0.2.1", "/index.html", 100, 1000, &wait),
			 100);
	/* Without --max-conns-per-ip, connections are not counted. */
	struct sockaddr_storage a = addr("192.0.2.1");
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(http_limits_conn_open(&l,
				 (struct sockaddr *)&a), 0);
	http_limits_fini(&l);
}
END_TEST

START_TEST(test_conns_per_ip)
{
	static const char *const none[] = { NULL };
	struct http_limits l;
	struct sockaddr_storage a = addr("192.0.2.1"), b = addr("192.0.2.2");
	struct sockaddr_storage m = addr("::ffff:192.0.2.1");

	limits_start(&l, none, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(http_limits_conn_open(&l,
				 (struct sockaddr *)&a), 0);
	ck_assert_int_eq(http_limits_conn_open(&l, (struct sockaddr *)&a),
			 ERR_RANGE);
	/* A mapped IPv4 address is the same client. */
	ck_assert_int_eq(http_limits_conn_open(&l, (struct sockaddr *)&m),
			 ERR_RANGE);
	ck_assert_int_eq(http_limits_conn_open(&l, (struct sockaddr *)&b), 0);
	http_limits_conn_close(&l, (struct sockaddr *)&a);
	ck_assert_int_eq(http_limits_conn_open(&l, (struct sockaddr *)&m), 0);
	ck_assert_int_eq(http_limits_conn_open(&l, (struct sockaddr *)&a),
			 ERR_RANGE);
	http_limits_fini(&l);
}
END_TEST

static Suite *
limit_suite(void)
{
	Suite *s = suite_create("http_limit");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_rule_parse, 0,
			    sizeof rule_cases / sizeof rule_cases[0]);
	tcase_add_test(tc, test_request_rates);
	tcase_add_test(tc, test_no_rule_no_limit);
	tcase_add_test(tc, test_conns_per_ip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(limit_suite());
}
