/* Unit tests of src/net/addr.c: every accepted and refused form of a
 * numeric address, ADDR:PORT and HOST:PORT, formatting and comparison. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "net/net_addr.h"
#include "unit.h"

struct ip_case {
	const char *in;
	int rc;
	int family;
	const char *bare;	/* net_addr_format without port */
};

static const struct ip_case ip_cases[] = {
	{ "127.0.0.1", 0, AF_INET, "127.0.0.1" },
	{ "0.0.0.0", 0, AF_INET, "0.0.0.0" },
	{ "255.255.255.255", 0, AF_INET, "255.255.255.255" },
	{ "10.1.2.3", 0, AF_INET, "10.1.2.3" },
	{ "::", 0, AF_INET6, "::" },
	{ "::1", 0, AF_INET6, "::1" },
	{ "2001:db8::1", 0, AF_INET6, "2001:db8::1" },
	{ "2001:DB8:0:0:0:0:0:1", 0, AF_INET6, "2001:db8::1" },
	{ "::ffff:1.2.3.4", 0, AF_INET6, "::ffff:1.2.3.4" },
	{ "fe80::1%2", 0, AF_INET6, "fe80::1%2" },
	{ "fe80::1%0", 0, AF_INET6, "fe80::1" },
	{ "fe80::1%9999999", 0, AF_INET6, "fe80::1%9999999" },
	{ "", ERR_PARSE, 0, NULL },
	{ "1.2.3", ERR_PARSE, 0, NULL },
	{ "1.2.3.4.5", ERR_PARSE, 0, NULL },
	{ "256.1.1.1", ERR_PARSE, 0, NULL },
	{ "01.2.3.4", ERR_PARSE, 0, NULL },
	{ "1.2.3.04", ERR_PARSE, 0, NULL },
	{ "0x7f.0.0.1", ERR_PARSE, 0, NULL },
	{ "127.1", ERR_PARSE, 0, NULL },
	{ "2130706433", ERR_PARSE, 0, NULL },
	{ " 1.2.3.4", ERR_PARSE, 0, NULL },
	{ "1.2.3.4 ", ERR_PARSE, 0, NULL },
	{ "1.2.3.4%1", ERR_PARSE, 0, NULL },
	{ "localhost", ERR_PARSE, 0, NULL },
	{ "[::1]", ERR_PARSE, 0, NULL },
	{ ":::", ERR_PARSE, 0, NULL },
	{ "1::2::3", ERR_PARSE, 0, NULL },
	{ "12345::1", ERR_PARSE, 0, NULL },
	{ "fe80::1%", ERR_PARSE, 0, NULL },
	{ "fe80::1%eth0", ERR_PARSE, 0, NULL },
	{ "fe80::1%12345678", ERR_PARSE, 0, NULL },
	{ "fe80::1%-1", ERR_PARSE, 0, NULL },
	{ "1.2.3.4:80", ERR_PARSE, 0, NULL },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255%12345678901",
	  ERR_PARSE, 0, NULL },
};

START_TEST(test_ip_parse)
{
	const struct ip_case *c = &ip_cases[_i];
	struct net_addr a;
	char out[NET_ADDR_STRLEN];
	int rc = net_ip_parse(c->in, &a);

	ck_assert_msg(rc == c->rc, "'%s': rc %d, want %d", c->in, rc, c->rc);
	if (rc < 0)
		return;
	ck_assert_int_eq(net_addr_family(&a), c->family);
	ck_assert_int_eq(net_addr_port(&a), 0);
	rc = net_addr_format(&a, 0, out, sizeof out);
	ck_assert_int_eq(rc, (int)strlen(c->bare));
	ck_assert_str_eq(out, c->bare);
}
END_TEST

struct addr_case {
	const char *in;
	int rc;
	int family;
	unsigned port;
	const char *formatted;	/* net_addr_format with port */
};

static const struct addr_case addr_cases[] = {
	{ "127.0.0.1:8080", 0, AF_INET, 8080, "127.0.0.1:8080" },
	{ "0.0.0.0:0", 0, AF_INET, 0, "0.0.0.0:0" },
	{ "10.0.0.1:65535", 0, AF_INET, 65535, "10.0.0.1:65535" },
	{ "10.0.0.1:080", 0, AF_INET, 80, "10.0.0.1:80" },
	{ "[::1]:8080", 0, AF_INET6, 8080, "[::1]:8080" },
	{ "[::]:53", 0, AF_INET6, 53, "[::]:53" },
	{ "[2001:DB8::A]:443", 0, AF_INET6, 443, "[2001:db8::a]:443" },
	{ "[::ffff:1.2.3.4]:1", 0, AF_INET6, 1, "[::ffff:1.2.3.4]:1" },
	{ "[fe80::1%3]:22", 0, AF_INET6, 22, "[fe80::1%3]:22" },
	{ ":8080", 0, AF_INET6, 8080, "[::]:8080" },
	{ ":0", 0, AF_INET6, 0, "[::]:0" },
	{ "127.0.0.1:65536", ERR_RANGE, 0, 0, NULL },
	{ "127.0.0.1:99999999999999999999", ERR_RANGE, 0, 0, NULL },
	{ "[::1]:70000", ERR_RANGE, 0, 0, NULL },
	{ ":65536", ERR_RANGE, 0, 0, NULL },
	{ "127.0.0.1", ERR_PARSE, 0, 0, NULL },
	{ "127.0.0.1:", ERR_PARSE, 0, 0, NULL },
	{ "127.0.0.1:http", ERR_PARSE, 0, 0, NULL },
	{ "127.0.0.1:80x", ERR_PARSE, 0, 0, NULL },
	{ "127.0.0.1:-1", ERR_PARSE, 0, 0, NULL },
	{ "127.0.0.1:+80", ERR_PARSE, 0, 0, NULL },
	{ "127.0.0.1: 80", ERR_PARSE, 0, 0, NULL },
	{ "127.0.0.1:80 ", ERR_PARSE, 0, 0, NULL },
	{ "127.0.0.1:80:80", ERR_PARSE, 0, 0, NULL },
	{ "256.0.0.1:80", ERR_PARSE, 0, 0, NULL },
	{ "localhost:80", ERR_PARSE, 0, 0, NULL },
	{ "bad:99999", ERR_PARSE, 0, 0, NULL },
	{ "", ERR_PARSE, 0, 0, NULL },
	{ ":", ERR_PARSE, 0, 0, NULL },
	{ "::1:80", ERR_PARSE, 0, 0, NULL },
	{ "::1", ERR_PARSE, 0, 0, NULL },
	{ "2001:db8::1:80", ERR_PARSE, 0, 0, NULL },
	{ "[::1]", ERR_PARSE, 0, 0, NULL },
	{ "[::1]:", ERR_PARSE, 0, 0, NULL },
	{ "[::1]80", ERR_PARSE, 0, 0, NULL },
	{ "[::1:80", ERR_PARSE, 0, 0, NULL },
	{ "[]:80", ERR_PARSE, 0, 0, NULL },
	{ "[1.2.3.4]:80", ERR_PARSE, 0, 0, NULL },
	{ "[::1]]:80", ERR_PARSE, 0, 0, NULL },
	{ "[[::1]]:80", ERR_PARSE, 0, 0, NULL },
	{ "[localhost]:80", ERR_PARSE, 0, 0, NULL },
	{ "[fe80::1%eth0]:80", ERR_PARSE, 0, 0, NULL },
};

START_TEST(test_addr_parse)
{
	const struct addr_case *c = &addr_cases[_i];
	struct net_addr a;
	char out[NET_ADDR_STRLEN];
	int rc = net_addr_parse(c->in, &a);

	ck_assert_msg(rc == c->rc, "'%s': rc %d, want %d", c->in, rc, c->rc);
	if (rc < 0)
		return;
	ck_assert_int_eq(net_addr_family(&a), c->family);
	ck_assert_uint_eq(net_addr_port(&a), c->port);
	rc = net_addr_format(&a, 1, out, sizeof out);
	ck_assert_int_eq(rc, (int)strlen(c->formatted));
	ck_assert_str_eq(out, c->formatted);
}
END_TEST

START_TEST(test_addr_wildcard_is_v6_any)
{
	struct net_addr a;
	const struct sockaddr_in6 *sin6 = (const void *)&a.ss;

	ck_assert_int_eq(net_addr_parse(":8080", &a), 0);
	ck_assert_int_eq(a.len, sizeof(struct sockaddr_in6));
	ck_assert(IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr));
	ck_assert_uint_eq(ntohs(sin6->sin6_port), 8080);
}
END_TEST

START_TEST(test_addr_sockaddr_layout)
{
	struct net_addr a;
	const struct sockaddr_in *sin = (const void *)&a.ss;

	ck_assert_int_eq(net_addr_parse("192.0.2.7:443", &a), 0);
	ck_assert_int_eq(a.len, sizeof(struct sockaddr_in));
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), 0xc0000207u);
	ck_assert_uint_eq(ntohs(sin->sin_port), 443);
}
END_TEST

struct split_case {
	const char *in;
	int rc;
	const char *host;
	unsigned port;
};

static const struct split_case split_cases[] = {
	{ "www.example.test:8080", 0, "www.example.test", 8080 },
	{ "localhost:0", 0, "localhost", 0 },
	{ "127.0.0.1:53", 0, "127.0.0.1", 53 },
	{ "[::1]:53", 0, "::1", 53 },
	{ "[fe80::1%2]:53", 0, "fe80::1%2", 53 },
	{ "host-1.example:65535", 0, "host-1.example", 65535 },
	{ "www.example.test:65536", ERR_RANGE, NULL, 0 },
	{ "www.example.test", ERR_PARSE, NULL, 0 },
	{ "www.example.test:", ERR_PARSE, NULL, 0 },
	{ "www.example.test:x", ERR_PARSE, NULL, 0 },
	{ ":80", ERR_PARSE, NULL, 0 },
	{ "::1:53", ERR_PARSE, NULL, 0 },
	{ "[::1]", ERR_PARSE, NULL, 0 },
	{ "[www.example.test]:80", ERR_PARSE, NULL, 0 },
	{ "[]:80", ERR_PARSE, NULL, 0 },
	{ "www example:80", ERR_PARSE, NULL, 0 },
	{ "user@host:80", ERR_PARSE, NULL, 0 },
	{ "host/path:80", ERR_PARSE, NULL, 0 },
	{ "ho]st:80", ERR_PARSE, NULL, 0 },
	{ "a\tb:80", ERR_PARSE, NULL, 0 },
	{ "bad host:99999", ERR_PARSE, NULL, 0 },
};

START_TEST(test_hostport_split)
{
	const struct split_case *c = &split_cases[_i];
	char host[64];
	uint16_t port = 1234;
	int rc = net_hostport_split(c->in, host, sizeof host, &port);

	ck_assert_msg(rc == c->rc, "'%s': rc %d, want %d", c->in, rc, c->rc);
	if (rc < 0)
		return;
	ck_assert_str_eq(host, c->host);
	ck_assert_uint_eq(port, c->port);
}
END_TEST

START_TEST(test_hostport_split_toobig)
{
	char host[17];
	uint16_t port;

	/* 16 characters fit with their NUL, 17 do not. */
	ck_assert_int_eq(net_hostport_split("www.example.test:80", host,
					    sizeof host, &port), 0);
	ck_assert_str_eq(host, "www.example.test");
	ck_assert_int_eq(net_hostport_split("www.example.tests:80", host,
					    sizeof host, &port), ERR_TOOBIG);
	ck_assert_int_eq(net_hostport_split("[::1]:80", host, 3, &port),
			 ERR_TOOBIG);
	ck_assert_int_eq(net_hostport_split("[::1]:80", host, 4, &port), 0);
}
END_TEST

START_TEST(test_format_sizes)
{
	struct net_addr a;
	char out[NET_ADDR_STRLEN];
	const char *longest =
		"[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%9999999]:65535";

	ck_assert_int_eq(net_addr_parse(longest, &a), 0);
	ck_assert_int_eq(net_addr_format(&a, 1, out, sizeof out),
			 (int)strlen(longest));
	ck_assert_str_eq(out, longest);

	ck_assert_int_eq(net_addr_parse("1.2.3.4:80", &a), 0);
	ck_assert_int_eq(net_addr_format(&a, 1, out, 10), ERR_TOOBIG);
	ck_assert_int_eq(net_addr_format(&a, 1, out, 11), 10);
	ck_assert_str_eq(out, "1.2.3.4:80");
	ck_assert_int_eq(net_addr_format(&a, 0, out, 8), 7);
	ck_assert_str_eq(out, "1.2.3.4");
	ck_assert_int_eq(net_addr_format(&a, 0, out, 7), ERR_TOOBIG);
}
END_TEST

START_TEST(test_format_unset)
{
	struct net_addr a;
	char out[NET_ADDR_STRLEN];

	memset(&a, 0, sizeof a);
	ck_assert_int_lt(net_addr_format(&a, 1, out, sizeof out), 0);
	ck_assert_int_eq(net_addr_family(&a), AF_UNSPEC);
	ck_assert_uint_eq(net_addr_port(&a), 0);
}
END_TEST

START_TEST(test_set_port)
{
	struct net_addr a;
	char out[NET_ADDR_STRLEN];

	ck_assert_int_eq(net_addr_parse("[::1]:0", &a), 0);
	net_addr_set_port(&a, 40123);
	ck_assert_uint_eq(net_addr_port(&a), 40123);
	net_addr_format(&a, 1, out, sizeof out);
	ck_assert_str_eq(out, "[::1]:40123");
	ck_assert_int_eq(net_ip_parse("10.0.0.1", &a), 0);
	net_addr_set_port(&a, 65535);
	net_addr_format(&a, 1, out, sizeof out);
	ck_assert_str_eq(out, "10.0.0.1:65535");
}
END_TEST

struct eq_case {
	const char *a, *b;
	int equal;
};

static const struct eq_case eq_cases[] = {
	{ "127.0.0.1:80", "127.0.0.1:80", 1 },
	{ "127.0.0.1:80", "127.0.0.1:81", 0 },
	{ "127.0.0.1:80", "127.0.0.2:80", 0 },
	{ "[::1]:80", "[0:0:0:0:0:0:0:1]:80", 1 },
	{ "[::1]:80", "[::2]:80", 0 },
	{ "[fe80::1%1]:80", "[fe80::1%2]:80", 0 },
	{ "[::ffff:127.0.0.1]:80", "127.0.0.1:80", 0 },
	{ ":80", "[::]:80", 1 },
	{ "0.0.0.0:80", "[::]:80", 0 },
};

START_TEST(test_equal)
{
	const struct eq_case *c = &eq_cases[_i];
	struct net_addr a, b;

	ck_assert_int_eq(net_addr_parse(c->a, &a), 0);
	ck_assert_int_eq(net_addr_parse(c->b, &b), 0);
	ck_assert_msg(!!net_addr_equal(&a, &b) == c->equal, "%s vs %s",
		      c->a, c->b);
	ck_assert_msg(!!net_addr_equal(&b, &a) == c->equal, "%s vs %s",
		      c->b, c->a);
}
END_TEST

#define N(t) ((int)(sizeof(t) / sizeof((t)[0])))

static Suite *
addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("addr");

	tcase_add_loop_test(tc, test_ip_parse, 0, N(ip_cases));
	tcase_add_loop_test(tc, test_addr_parse, 0, N(addr_cases));
	tcase_add_test(tc, test_addr_wildcard_is_v6_any);
	tcase_add_test(tc, test_addr_sockaddr_layout);
	tcase_add_loop_test(tc, test_hostport_split, 0, N(split_cases));
	tcase_add_test(tc, test_hostport_split_toobig);
	tcase_add_test(tc, test_format_sizes);
	tcase_add_test(tc, test_format_unset);
	tcase_add_test(tc, test_set_port);
	tcase_add_loop_test(tc, test_equal, 0, N(eq_cases));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(addr_suite());
}
