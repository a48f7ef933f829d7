/* Unit tests of resolv_conf: resolv.conf(5) and hosts(5) text, the lines
 * skipped and the limits. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "resolv/resolv_conf.h"
#include "unit.h"

static void
addr_str(const struct net_addr *a, char *out)
{
	ck_assert_int_gt(net_addr_format(a, 1, out, NET_ADDR_STRLEN), 0);
}

/* resolv.conf */

struct rc_case {
	const char *text;
	int n;
	const char *servers[3];
	int timeout_ms, attempts;
};

static const struct rc_case rc_cases[] = {
	{ "nameserver 10.0.0.1\n", 1, { "10.0.0.1:53" }, 0, 0 },
	{ "nameserver 127.0.0.1\nnameserver ::1\n", 2,
	  { "127.0.0.1:53", "[::1]:53" }, 0, 0 },
	{ "# comment\n; other\nsearch example.com\n"
	  "nameserver 192.0.2.1 # trailing\n", 1, { "192.0.2.1:53" }, 0, 0 },
	{ "nameserver\tfe80::1%2\r\n", 1, { "[fe80::1%2]:53" }, 0, 0 },
	{ "nameserver not-an-address\nnameserver 1.2.3.4", 1,
	  { "1.2.3.4:53" }, 0, 0 },
	{ "options timeout:3 attempts:4 rotate\n", 0, { 0 }, 3000, 4 },
	{ "options timeout:99 attempts:99\n", 0, { 0 }, 30000, 5 },
	{ "options timeout:0 attempts:x timeout:\n", 0, { 0 }, 1000, 0 },
	{ "nameservers 1.2.3.4\nNAMESERVER 1.2.3.4\n", 0, { 0 }, 0, 0 },
	{ "", 0, { 0 }, 0, 0 },
	{ "nameserver 1.1.1.1\nnameserver 2.2.2.2\nnameserver 3.3.3.3\n", 3,
	  { "1.1.1.1:53", "2.2.2.2:53", "3.3.3.3:53" }, 0, 0 },
};

START_TEST(resolvconf_table)
{
	const struct rc_case *c = &rc_cases[_i];
	struct resolv_conf rc;
	char s[NET_ADDR_STRLEN];

	ck_assert_int_eq(resolv_conf_parse(c->text, strlen(c->text), &rc),
			 c->n);
	for (int i = 0; i < c->n && i < 3; i++) {
		addr_str(&rc.servers[i], s);
		ck_assert_str_eq(s, c->servers[i]);
	}
	ck_assert_int_eq(rc.timeout_ms, c->timeout_ms);
	ck_assert_int_eq(rc.attempts, c->attempts);
}
END_TEST

START_TEST(resolvconf_limits)
{
	char text[4096] = "", line[64];
	struct resolv_conf rc;

	for (int i = 0; i < 20; i++) {
		snprintf(line, sizeof line, "nameserver 10.0.0.%d\n", i + 1);
		strcat(text, line);
	}
	ck_assert_int_eq(resolv_conf_parse(text, strlen(text), &rc),
			 RESOLV_MAX_SERVERS);
	/* An over-long line is skipped whole, the next one still counts. */
	char *big = malloc(RESOLV_MAX_LINE + 100);
	memset(big, ' ', RESOLV_MAX_LINE + 50);
	memcpy(big, "nameserver 1.2.3.4", 18);
	strcpy(big + RESOLV_MAX_LINE + 50, "\nnameserver ::1");
	ck_assert_int_eq(resolv_conf_parse(big, strlen(big), &rc), 1);
	ck_assert_int_eq(net_addr_family(&rc.servers[0]), AF_INET6);
	free(big);
}
END_TEST

/* hosts */

static const char hosts_text[] =
	"# The hosts file\n"
	"127.0.0.1\tlocalhost\n"
	"::1 localhost ip6-localhost ip6-loopback\n"
	"192.0.2.10 www.example.test www  # comment www2\n"
	"192.0.2.11 WWW.Example.Test.\n"
	"192.0.2.10 www.example.test\n"
	"bogus-address other.test\n"
	"192.0.2.12\n"
	"2001:db8::5 v6only.test";

struct hosts_case {
	const char *name;
	int n;
	const char *addrs[3];
};

static const struct hosts_case hosts_cases[] = {
	{ "localhost", 2, { "127.0.0.1", "::1" } },
	{ "LOCALHOST", 2, { "127.0.0.1", "::1" } },
	{ "ip6-loopback", 1, { "::1" } },
	{ "www.example.test", 2, { "192.0.2.10", "192.0.2.11" } },
	{ "www", 1, { "192.0.2.10" } },
	{ "www2", 0, { 0 } },
	{ "comment", 0, { 0 } },
	{ "other.test", 0, { 0 } },
	{ "v6only.test", 1, { "2001:db8::5" } },
	{ "example.test", 0, { 0 } },
	{ "", 0, { 0 } },
};

START_TEST(hosts_table)
{
	const struct hosts_case *c = &hosts_cases[_i];
	struct net_addr out[8];
	char s[NET_ADDR_STRLEN];

	int n = resolv_hosts_find(hosts_text, strlen(hosts_text), c->name, out,
				  8);
	ck_assert_int_eq(n, c->n);
	for (int i = 0; i < n; i++) {
		ck_assert_int_gt(net_addr_format(&out[i], 0, s, sizeof s), 0);
		ck_assert_str_eq(s, c->addrs[i]);
		ck_assert_int_eq(net_addr_port(&out[i]), 0);
	}
}
END_TEST

START_TEST(hosts_max)
{
	struct net_addr out[1];

	ck_assert_int_eq(resolv_hosts_find(hosts_text, strlen(hosts_text),
					   "localhost", out, 1), 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("resolv_conf");
	TCase *tc = tcase_create("conf");

	tcase_add_loop_test(tc, resolvconf_table, 0,
			    sizeof rc_cases / sizeof rc_cases[0]);
	tcase_add_test(tc, resolvconf_limits);
	tcase_add_loop_test(tc, hosts_table, 0,
			    sizeof hosts_cases / sizeof hosts_cases[0]);
	tcase_add_test(tc, hosts_max);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
