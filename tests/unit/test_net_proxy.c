/* Unit tests of src/net/net_proxy.c: a table of PROXY headers (version 1
 * lines and version 2 blocks) with what the parser must say of them, every
 * prefix of the good ones (ERR_AGAIN), then CIDR ranges. */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>
#include <sys/socket.h>

#include "core/err.h"
#include "net/net_proxy.h"
#include "unit.h"

#define SIG "\r\n\r\n\0\r\nQUIT\n"

struct proxy_case {
	const char *in;
	size_t len;		/* 0: strlen(in) */
	ssize_t rc;		/* the header's length, or an error */
	int local;
	const char *src, *dst;	/* "ADDR:PORT" as net_addr_format */
};

static const struct proxy_case cases[] = {
	/* version 1 */
	{ "PROXY TCP4 192.0.2.1 198.51.100.2 56324 80\r\nGET", 0, 44, 0,
	  "192.0.2.1:56324", "198.51.100.2:80" },
	{ "PROXY TCP6 2001:db8::1 ::1 1 65535\r\n", 0, 36, 0,
	  "[2001:db8::1]:1", "[::1]:65535" },
	{ "PROXY UNKNOWN\r\n", 0, 15, 1, NULL, NULL },
	{ "PROXY UNKNOWN ffff::1 ::1 1 2\r\n", 0, 31, 1, NULL, NULL },
	{ "PROXY TCP4 192.0.2.1 198.51.100.2 0 0\r\n", 0, 39, 0,
	  "192.0.2.1:0", "198.51.100.2:0" },
	{ "PROXY TCP4 192.0.2.1 198.51.100.2 56324\r\n", 0, ERR_PARSE, 0, NULL, NULL },
	{ "PROXY TCP4 192.0.2.1 198.51.100.2 56324 80 9\r\n", 0, ERR_PARSE, 0, NULL, NULL },
	{ "PROXY TCP4  192.0.2.1 198.51.100.2 56324 80\r\n", 0, ERR_PARSE, 0, NULL, NULL },
	{ "PROXY TCP4 2001:db8::1 ::1 1 2\r\n", 0, ERR_PARSE, 0, NULL, NULL },
	{ "PROXY TCP6 192.0.2.1 198.51.100.2 1 2\r\n", 0, ERR_PARSE, 0, NULL, NULL },
	{ "PROXY TCP4 192.0.2.1 198.51.100.2 65536 80\r\n", 0, ERR_PARSE, 0, NULL, NULL },
	{ "PROXY TCP4 192.0.2.1 198.51.100.2 080 80\r\n", 0, ERR_PARSE, 0, NULL, NULL },
	{ "PROXY TCP4 192.0.2.1 198.51.100.2 -1 80\r\n", 0, ERR_PARSE, 0, NULL, NULL },
	{ "PROXY TCP4 192.0.2.1 198.51.100.2 1 80\n", 0, ERR_AGAIN, 0, NULL, NULL },
	{ "PROXY TCP4 192.0.2.1 198.51.100.2 1 80\rX", 0, ERR_PARSE, 0, NULL, NULL },
	{ "PROXY UDP4 192.0.2.1 198.51.100.2 1 80\r\n", 0, ERR_PARSE, 0, NULL, NULL },
	{ "PROXY UNKNOWNX\r\n", 0, ERR_PARSE, 0, NULL, NULL },
	{ "PROXY\r\n", 0, ERR_PARSE, 0, NULL, NULL },
	{ "proxy TCP4 192.0.2.1 198.51.100.2 1 80\r\n", 0, ERR_PARSE, 0, NULL, NULL },
	{ "GET / HTTP/1.1\r\n", 0, ERR_PARSE, 0, NULL, NULL },
	{ "", 0, ERR_AGAIN, 0, NULL, NULL },
	{ "PRO", 0, ERR_AGAIN, 0, NULL, NULL },
	{ "PROXY UNKNOWN xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 0,
	  ERR_PARSE, 0, NULL, NULL },
	/* version 2: PROXY over TCP/IPv4, 12 address bytes */
	{ SIG "\x21\x11\x00\x0c" "\xc0\x00\x02\x01" "\xc6\x33\x64\x02"
	  "\xdc\x04\x00\x50" "GET", 31, 28, 0, "192.0.2.1:56324",
	  "198.51.100.2:80" },
	/* TCP/IPv6, 36 bytes, then a TLV of 4 bytes (skipped) */
	{ SIG "\x21\x21\x00\x28"
	  "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01"
	  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01"
	  "\x00\x01\x00\x02" "\x04\x00\x01\x41", 56, 56, 0,
	  "[2001:db8::1]:1", "[::1]:2" },
	/* LOCAL (a health check): the connection's addresses stand */
	{ SIG "\x20\x00\x00\x00", 16, 16, 1, NULL, NULL },
	{ SIG "\x20\x11\x00\x0c" "\0\0\0\0\0\0\0\0\0\0\0\0", 28, 28, 1, NULL, NULL },
	/* UNSPEC, UNIX and datagrams: addresses ignored */
	{ SIG "\x21\x00\x00\x00", 16, 16, 1, NULL, NULL },
	{ SIG "\x21\x12\x00\x0c" "\0\0\0\0\0\0\0\0\0\0\0\0", 28, 28, 1, NULL, NULL },
	{ SIG "\x21\x31\x00\x00", 16, 16, 1, NULL, NULL },
	/* bad: version, command, family, transport, short addresses */
	{ SIG "\x11\x11\x00\x0c" "\0\0\0\0\0\0\0\0\0\0\0\0", 28, ERR_PARSE, 0, NULL, NULL },
	{ SIG "\x22\x11\x00\x0c" "\0\0\0\0\0\0\0\0\0\0\0\0", 28, ERR_PARSE, 0, NULL, NULL },
	{ SIG "\x21\x41\x00\x0c" "\0\0\0\0\0\0\0\0\0\0\0\0", 28, ERR_PARSE, 0, NULL, NULL },
	{ SIG "\x21\x13\x00\x0c" "\0\0\0\0\0\0\0\0\0\0\0\0", 28, ERR_PARSE, 0, NULL, NULL },
	{ SIG "\x21\x11\x00\x08" "\0\0\0\0\0\0\0\0", 24, ERR_PARSE, 0, NULL, NULL },
	{ SIG "\x21\x21\x00\x0c" "\0\0\0\0\0\0\0\0\0\0\0\0", 28, ERR_PARSE, 0, NULL, NULL },
	/* over the limit, and incomplete */
	{ SIG "\x21\x11\xff\xff", 16, ERR_PARSE, 0, NULL, NULL },
	{ SIG "\x21\x11\x00\x0c" "\0\0\0", 19, ERR_AGAIN, 0, NULL, NULL },
	{ SIG, 12, ERR_AGAIN, 0, NULL, NULL },
	{ "\r\n\r\n\0\r\nQUIT\r", 12, ERR_PARSE, 0, NULL, NULL },
};

static size_t
case_len(const struct proxy_case *c)
{
	return c->len ? c->len : strlen(c->in);
}

static void
check_addr(const struct net_addr *a, const char *want)
{
	char got[NET_ADDR_STRLEN];

	ck_assert_int_gt(net_addr_format(a, 1, got, sizeof got), 0);
	ck_assert_str_eq(got, want);
}

START_TEST(test_parse)
{
	const struct proxy_case *c = &cases[_i];
	struct net_proxy_info pi;
	ssize_t rc = net_proxy_parse(c->in, case_len(c), &pi);

	ck_assert_msg(rc == c->rc, "case %d: %zd, want %zd", _i, rc, c->rc);
	if (rc <= 0)
		return;
	ck_assert_int_eq(pi.local, c->local);
	if (!c->local) {
		check_addr(&pi.src, c->src);
		check_addr(&pi.dst, c->dst);
	}
}
END_TEST

/* Every beginning of a good header asks for more. */
START_TEST(test_prefixes)
{
	const struct proxy_case *c = &cases[_i];
	struct net_proxy_info pi;

	if (c->rc <= 0)
		return;
	for (size_t k = 0; k < (size_t)c->rc; k++)
		ck_assert_msg(net_proxy_parse(c->in, k, &pi) == ERR_AGAIN,
			      "case %d: prefix %zu", _i, k);
}
END_TEST

struct cidr_case {
	const char *net, *addr;
	int match;
};

static const struct cidr_case cidrs[] = {
	{ "127.0.0.0/8", "127.1.2.3", 1 },
	{ "127.0.0.0/8", "128.0.0.1", 0 },
	{ "10.1.2.3/32", "10.1.2.3", 1 },
	{ "10.1.2.3", "10.1.2.4", 0 },
	{ "198.18.0.0/15", "198.19.255.255", 1 },
	{ "198.18.0.0/15", "198.20.0.0", 0 },
	{ "198.18.0.7/15", "198.18.0.1", 1 },	/* host bits cleared */
	{ "0.0.0.0/0", "203.0.113.9", 1 },
	{ "127.0.0.0/8", "::ffff:127.0.0.1", 1 },	/* mapped */
	{ "::1", "::1", 1 },
	{ "::1", "127.0.0.1", 0 },
	{ "2001:db8::/32", "2001:db8:ffff::1", 1 },
	{ "2001:db8::/33", "2001:db8:8000::1", 0 },
	{ "::/0", "fe80::1", 1 },
	{ "::/0", "10.0.0.1", 0 },
};

START_TEST(test_cidr_match)
{
	const struct cidr_case *c = &cidrs[_i];
	struct net_cidr n;
	struct net_addr a;

	ck_assert_int_eq(net_cidr_parse(c->net, &n), 0);
	ck_assert_int_eq(net_ip_parse(c->addr, &a), 0);
	ck_assert_msg(net_cidr_match(&n, 1, &a) == c->match, "case %d", _i);
}
END_TEST

START_TEST(test_cidr_refused)
{
	static const char *const bad[] = {
		"", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/08",
		"10.0.0.0/8x", "10.0.0/8", "host/8", "10.0.0.0/-1",
		"10.0.0.0/1000",
	};
	struct net_cidr n;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(net_cidr_parse(bad[i], &n) == ERR_PARSE, "%s",
			      bad[i]);
}
END_TEST

#define N(t) ((int)(sizeof(t) / sizeof((t)[0])))

static Suite *
proxy_suite(void)
{
	Suite *s = suite_create("net_proxy");
	TCase *tc = tcase_create("net_proxy");

	tcase_add_loop_test(tc, test_parse, 0, N(cases));
	tcase_add_loop_test(tc, test_prefixes, 0, N(cases));
	tcase_add_loop_test(tc, test_cidr_match, 0, N(cidrs));
	tcase_add_test(tc, test_cidr_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(proxy_suite());
}
