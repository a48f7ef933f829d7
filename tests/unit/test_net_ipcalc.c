/* Unit tests of src/net/ipcalc.c: a table of inputs and the fields the
 * calculator must give for them, then the refused inputs. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/err.h"
#include "net/net_ipcalc.h"
#include "unit.h"

struct calc_case {
	const char *spec, *mask;
	int prefix;
	int prefix_given;
	char cls;		/* 0 for IPv6 */
	const char *net_id, *host_id, *binary;
	const char *netmask, *wildcard, *network, *last;
	const char *hostmin, *hostmax;
	unsigned long long hosts;	/* IPv4 only */
	int count_log2;
	int has_broadcast;
	unsigned flags;
};

#define PRIV NET_IPCALC_PRIVATE
#define DOC NET_IPCALC_DOC

static const struct calc_case cases[] = {
	{ .spec = "129.65.24.50", .prefix = 16, .cls = 'B',
	  .net_id = "129.65", .host_id = "24.50",
	  .binary = "10000001.01000001.00011000.00110010",
	  .netmask = "255.255.0.0", .wildcard = "0.0.255.255",
	  .network = "129.65.0.0", .last = "129.65.255.255",
	  .hostmin = "129.65.0.1", .hostmax = "129.65.255.254",
	  .hosts = 65534, .count_log2 = 16, .has_broadcast = 1 },
	{ .spec = "224.0.0.1", .prefix = 32, .cls = 'D',
	  .net_id = "", .host_id = "",
	  .binary = "11100000.00000000.00000000.00000001",
	  .netmask = "255.255.255.255", .wildcard = "0.0.0.0",
	  .network = "224.0.0.1", .last = "224.0.0.1",
	  .hostmin = "224.0.0.1", .hostmax = "224.0.0.1",
	  .hosts = 1, .flags = NET_IPCALC_MULTICAST },
	{ .spec = "10.1.2.3/8", .prefix = 8, .prefix_given = 1, .cls = 'A',
	  .net_id = "10", .host_id = "1.2.3",
	  .binary = "00001010.00000001.00000010.00000011",
	  .netmask = "255.0.0.0", .wildcard = "0.255.255.255",
	  .network = "10.0.0.0", .last = "10.255.255.255",
	  .hostmin = "10.0.0.1", .hostmax = "10.255.255.254",
	  .hosts = 16777214, .count_log2 = 24, .has_broadcast = 1,
	  .flags = PRIV },
	{ .spec = "10.1.2.3", .mask = "255.255.0.0", .prefix = 16,
	  .prefix_given = 1, .cls = 'A', .netmask = "255.255.0.0",
	  .network = "10.1.0.0", .last = "10.1.255.255",
	  .hostmin = "10.1.0.1", .hostmax = "10.1.255.254", .hosts = 65534,
	  .count_log2 = 16, .has_broadcast = 1, .flags = PRIV },
	{ .spec = "10.1.2.3/255.255.0.0", .prefix = 16, .prefix_given = 1,
	  .cls = 'A', .netmask = "255.255.0.0", .wildcard = "0.0.255.255",
	  .network = "10.1.0.0", .last = "10.1.255.255", .hosts = 65534,
	  .count_log2 = 16, .has_broadcast = 1, .flags = PRIV },
	{ .spec = "10.1.2.3/22", .prefix = 22, .prefix_given = 1, .cls = 'A',
	  .netmask = "255.255.252.0", .wildcard = "0.0.3.255",
	  .network = "10.1.0.0", .last = "10.1.3.255",
	  .hostmin = "10.1.0.1", .hostmax = "10.1.3.254", .hosts = 1022,
	  .count_log2 = 10, .has_broadcast = 1, .flags = PRIV },
	{ .spec = "192.168.1.77/0", .prefix = 0, .prefix_given = 1,
	  .cls = 'C', .net_id = "192.168.1", .host_id = "77",
	  .netmask = "0.0.0.0", .wildcard = "255.255.255.255",
	  .network = "0.0.0.0", .last = "255.255.255.255",
	  .hostmin = "0.0.0.1", .hostmax = "255.255.255.254",
	  .hosts = 4294967294ULL, .count_log2 = 32, .has_broadcast = 1,
	  .flags = PRIV },
	{ .spec = "192.168.0.1/255.255.255.252", .prefix = 30,
	  .prefix_given = 1, .cls = 'C', .network = "192.168.0.0",
	  .last = "192.168.0.3", .hostmin = "192.168.0.1",
	  .hostmax = "192.168.0.2", .hosts = 2, .count_log2 = 2,
	  .has_broadcast = 1, .flags = PRIV },
	{ .spec = "192.0.2.1/31", .prefix = 31, .prefix_given = 1,
	  .cls = 'C', .netmask = "255.255.255.254", .wildcard = "0.0.0.1",
	  .network = "192.0.2.0", .last = "192.0.2.1",
	  .hostmin = "192.0.2.0", .hostmax = "192.0.2.1", .hosts = 2,
	  .count_log2 = 1, .flags = DOC },
	{ .spec = "198.51.100.7/32", .prefix = 32, .prefix_given = 1,
	  .cls = 'C', .net_id = "198.51.100", .host_id = "7",
	  .netmask = "255.255.255.255", .network = "198.51.100.7",
	  .last = "198.51.100.7", .hostmin = "198.51.100.7",
	  .hostmax = "198.51.100.7", .hosts = 1, .flags = DOC },
	{ .spec = "203.0.113.9/24", .prefix = 24, .prefix_given = 1,
	  .cls = 'C', .network = "203.0.113.0", .last = "203.0.113.255",
	  .hosts = 254, .count_log2 = 8, .has_broadcast = 1, .flags = DOC },
	{ .spec = "0.0.0.0", .prefix = 8, .cls = 'A', .net_id = "0",
	  .host_id = "0.0.0",
	  .binary = "00000000.00000000.00000000.00000000",
	  .network = "0.0.0.0", .last = "0.255.255.255",
	  .hosts = 16777214, .count_log2 = 24, .has_broadcast = 1,
	  .flags = NET_IPCALC_UNSPEC },
	{ .spec = "0.1.2.3/8", .prefix = 8, .prefix_given = 1, .cls = 'A',
	  .hosts = 16777214, .count_log2 = 24, .has_broadcast = 1,
	  .flags = NET_IPCALC_THISNET },
	{ .spec = "255.255.255.255", .prefix = 32, .cls = 'E',
	  .net_id = "", .host_id = "",
	  .binary = "11111111.11111111.11111111.11111111",
	  .network = "255.255.255.255", .last = "255.255.255.255",
	  .hostmin = "255.255.255.255", .hostmax = "255.255.255.255",
	  .hosts = 1, .flags = NET_IPCALC_BROADCAST },
	{ .spec = "240.0.0.1", .prefix = 32, .cls = 'E', .hosts = 1,
	  .flags = NET_IPCALC_RESERVED },
	{ .spec = "239.255.255.255", .prefix = 32, .cls = 'D', .hosts = 1,
	  .flags = NET_IPCALC_MULTICAST },
	{ .spec = "127.0.0.1", .prefix = 8, .cls = 'A', .net_id = "127",
	  .host_id = "0.0.1",
	  .network = "127.0.0.0", .last = "127.255.255.255",
	  .hosts = 16777214, .count_log2 = 24, .has_broadcast = 1,
	  .flags = NET_IPCALC_LOOPBACK },
	{ .spec = "169.254.1.1", .prefix = 16, .cls = 'B',
	  .network = "169.254.0.0", .hosts = 65534, .count_log2 = 16,
	  .has_broadcast = 1, .flags = NET_IPCALC_LINKLOCAL },
	{ .spec = "100.64.0.1/10", .prefix = 10, .prefix_given = 1,
	  .cls = 'A', .netmask = "255.192.0.0", .network = "100.64.0.0",
	  .last = "100.127.255.255", .hosts = 4194302, .count_log2 = 22,
	  .has_broadcast = 1, .flags = NET_IPCALC_SHARED },
	{ .spec = "100.128.0.1/24", .prefix = 24, .prefix_given = 1,
	  .cls = 'A', .hosts = 254, .count_log2 = 8, .has_broadcast = 1 },
	{ .spec = "172.31.255.255/12", .prefix = 12, .prefix_given = 1,
	  .cls = 'B', .network = "172.16.0.0", .last = "172.31.255.255",
	  .hosts = 1048574, .count_log2 = 20, .has_broadcast = 1,
	  .flags = PRIV },
	{ .spec = "172.32.0.1", .prefix = 16, .cls = 'B', .hosts = 65534,
	  .count_log2 = 16, .has_broadcast = 1 },
	{ .spec = "10.1.2.3", .mask = "0.0.0.0", .prefix = 0,
	  .prefix_given = 1, .cls = 'A', .network = "0.0.0.0",
	  .hosts = 4294967294ULL, .count_log2 = 32, .has_broadcast = 1,
	  .flags = PRIV },
	/* IPv6 */
	{ .spec = "::1", .prefix = 128, .netmask =
	  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	  .network = "::1", .last = "::1", .hostmin = "::1",
	  .hostmax = "::1", .flags = NET_IPCALC_LOOPBACK },
	{ .spec = "::", .prefix = 128, .network = "::",
	  .flags = NET_IPCALC_UNSPEC },
	{ .spec = "::/0", .prefix = 0, .prefix_given = 1, .netmask = "::",
	  .network = "::", .last = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	  .count_log2 = 128, .flags = NET_IPCALC_UNSPEC },
	{ .spec = "fe80::1/64", .prefix = 64, .prefix_given = 1,
	  .netmask = "ffff:ffff:ffff:ffff::",
	  .wildcard = "::ffff:ffff:ffff:ffff",
	  .network = "fe80::", .last = "fe80::ffff:ffff:ffff:ffff",
	  .hostmin = "fe80::", .hostmax = "fe80::ffff:ffff:ffff:ffff",
	  .count_log2 = 64, .flags = NET_IPCALC_LINKLOCAL },
	{ .spec = "2001:db8::/32", .prefix = 32, .prefix_given = 1,
	  .network = "2001:db8::",
	  .last = "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
	  .count_log2 = 96, .flags = DOC },
	{ .spec = "2001:db8::1/127", .prefix = 127, .prefix_given = 1,
	  .network = "2001:db8::", .last = "2001:db8::1", .count_log2 = 1,
	  .flags = DOC },
	{ .spec = "::ffff:1.2.3.4", .prefix = 128, .network = "::ffff:1.2.3.4",
	  .flags = NET_IPCALC_V4MAPPED },
	{ .spec = "fd12:3456::1/48", .prefix = 48, .prefix_given = 1,
	  .network = "fd12:3456::",
	  .last = "fd12:3456:0:ffff:ffff:ffff:ffff:ffff", .count_log2 = 80,
	  .flags = NET_IPCALC_ULA },
	{ .spec = "fc00::/7", .prefix = 7, .prefix_given = 1,
	  .network = "fc00::",
	  .last = "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	  .count_log2 = 121, .flags = NET_IPCALC_ULA },
	{ .spec = "ff02::1", .prefix = 128, .flags = NET_IPCALC_MULTICAST },
	{ .spec = "2606:4700::1111/36", .prefix = 36, .prefix_given = 1,
	  .network = "2606:4700::",
	  .last = "2606:4700:fff:ffff:ffff:ffff:ffff:ffff", .count_log2 = 92,
	  .flags = NET_IPCALC_GLOBAL },
	{ .spec = "100::1", .prefix = 128, .flags = NET_IPCALC_RESERVED },
	{ .spec = "febf::1", .prefix = 128, .flags = NET_IPCALC_LINKLOCAL },
	{ .spec = "fec0::1", .prefix = 128, .flags = NET_IPCALC_RESERVED },
};

static void
check_addr(const char *what, const struct net_addr *a, const char *want,
	   const char *spec)
{
	char out[NET_ADDR_STRLEN];

	if (!want)
		return;
	ck_assert_int_ge(net_addr_format(a, 0, out, sizeof out), 0);
	ck_assert_msg(strcmp(out, want) == 0, "%s: %s is %s, want %s", spec,
		      what, out, want);
}

START_TEST(test_calc)
{
	const struct calc_case *c = &cases[_i];
	struct net_ipcalc r;
	const char *why = NULL;
	int rc = net_ipcalc_parse(c->spec, c->mask, &r, &why);

	ck_assert_msg(rc == 0, "%s: rc %d (%s)", c->spec, rc, why);
	ck_assert_int_eq(r.family, c->cls ? AF_INET : AF_INET6);
	ck_assert_int_eq(r.prefix, c->prefix);
	ck_assert_int_eq(r.prefix_given, c->prefix_given);
	ck_assert_int_eq(r.cls, c->cls);
	if (c->net_id) {
		ck_assert_str_eq(r.net_id, c->net_id);
		ck_assert_str_eq(r.host_id, c->host_id);
	}
	if (c->binary)
		ck_assert_str_eq(r.binary, c->binary);
	check_addr("netmask", &r.mask, c->netmask, c->spec);
	check_addr("wildcard", &r.wildcard, c->wildcard, c->spec);
	check_addr("network", &r.network, c->network, c->spec);
	check_addr("last", &r.last, c->last, c->spec);
	check_addr("hostmin", &r.hostmin, c->hostmin, c->spec);
	check_addr("hostmax", &r.hostmax, c->hostmax, c->spec);
	if (c->cls)
		ck_assert_uint_eq(r.hosts, c->hosts);
	ck_assert_int_eq(r.count_log2, c->count_log2);
	ck_assert_int_eq(r.has_broadcast, c->has_broadcast);
	ck_assert_msg(r.flags == c->flags, "%s: flags %#x, want %#x",
		      c->spec, r.flags, c->flags);
}
END_TEST

struct bad_case {
	const char *spec, *mask;
	int rc;
	const char *why;
};

static const struct bad_case bad_cases[] = {
	{ "", NULL, ERR_PARSE, "bad address" },
	{ "300.1.2.3", NULL, ERR_PARSE, "bad address" },
	{ "10.1.2", NULL, ERR_PARSE, "bad address" },
	{ "host.example/24", NULL, ERR_PARSE, "bad address" },
	{ "1.2.3.4:80", NULL, ERR_PARSE, "bad address" },
	{ "/24", NULL, ERR_PARSE, "bad address" },
	{ "10.1.2.3/33", NULL, ERR_RANGE, "prefix length out of range (0-32)" },
	{ "10.1.2.3/99999999999999999999", NULL, ERR_RANGE,
	  "prefix length out of range (0-32)" },
	{ "::1/129", NULL, ERR_RANGE, "prefix length out of range (0-128)" },
	{ "10.1.2.3/", NULL, ERR_PARSE, "bad prefix length" },
	{ "10.1.2.3/abc", NULL, ERR_PARSE, "bad prefix length" },
	{ "10.1.2.3/-1", NULL, ERR_PARSE, "bad prefix length" },
	{ "10.1.2.3/+8", NULL, ERR_PARSE, "bad prefix length" },
	{ "10.1.2.3/ 8", NULL, ERR_PARSE, "bad prefix length" },
	{ "10.1.2.3/8/8", NULL, ERR_PARSE, "bad prefix length" },
	{ "::1/ffff::", NULL, ERR_PARSE, "bad prefix length" },
	{ "10.1.2.3/255.0.255.0", NULL, ERR_PARSE, "non-contiguous mask" },
	{ "10.1.2.3", "255.0.255.0", ERR_PARSE, "non-contiguous mask" },
	{ "10.1.2.3", "0.0.0.255", ERR_PARSE, "non-contiguous mask" },
	{ "10.1.2.3", "255.255.0", ERR_PARSE, "bad mask" },
	{ "10.1.2.3", "24", ERR_PARSE, "bad mask" },
	{ "10.1.2.3", "/24", ERR_PARSE, "bad mask" },
	{ "10.1.2.3", "ffff::", ERR_PARSE, "bad mask" },
	{ "10.1.2.3/1.2.3.4/5", NULL, ERR_PARSE, "bad mask" },
	{ "10.1.2.3/24", "255.0.0.0", ERR_PARSE, "both a prefix and a mask" },
	{ "::1", "255.0.0.0", ERR_PARSE, "a dotted mask applies to IPv4 only" },
	{ "::1/255.0.0.0", NULL, ERR_PARSE,
	  "a dotted mask applies to IPv4 only" },
};

START_TEST(test_bad)
{
	const struct bad_case *c = &bad_cases[_i];
	struct net_ipcalc r;
	const char *why = NULL;
	int rc = net_ipcalc_parse(c->spec, c->mask, &r, &why);

	ck_assert_msg(rc == c->rc, "'%s' '%s': rc %d, want %d", c->spec,
		      c->mask ? c->mask : "", rc, c->rc);
	ck_assert_str_eq(why, c->why);
}
END_TEST

static const struct {
	const char *mask;
	int prefix;
} mask_cases[] = {
	{ "0.0.0.0", 0 }, { "128.0.0.0", 1 }, { "255.0.0.0", 8 },
	{ "255.255.240.0", 20 }, { "255.255.255.254", 31 },
	{ "255.255.255.255", 32 }, { "255.255.255.253", ERR_PARSE },
	{ "0.255.255.255", ERR_PARSE }, { "255.0.0.1", ERR_PARSE },
	{ "::", ERR_PARSE },
};

START_TEST(test_mask_prefix)
{
	struct net_addr m;

	ck_assert_int_eq(net_ip_parse(mask_cases[_i].mask, &m), 0);
	ck_assert_int_eq(net_ipcalc_mask_prefix(&m), mask_cases[_i].prefix);
}
END_TEST

START_TEST(test_class_edges)
{
	ck_assert_int_eq(net_ipcalc_class(0x7fffffff), 'A');
	ck_assert_int_eq(net_ipcalc_class(0x80000000), 'B');
	ck_assert_int_eq(net_ipcalc_class(0xbfffffff), 'B');
	ck_assert_int_eq(net_ipcalc_class(0xc0000000), 'C');
	ck_assert_int_eq(net_ipcalc_class(0xdfffffff), 'C');
	ck_assert_int_eq(net_ipcalc_class(0xe0000000), 'D');
	ck_assert_int_eq(net_ipcalc_class(0xefffffff), 'D');
	ck_assert_int_eq(net_ipcalc_class(0xf0000000), 'E');
}
END_TEST

START_TEST(test_flag_names)
{
	ck_assert_str_eq(net_ipcalc_flag_name(NET_IPCALC_PRIVATE), "private");
	ck_assert_str_eq(net_ipcalc_flag_name(NET_IPCALC_SHARED),
			 "shared (CGN)");
	ck_assert_str_eq(net_ipcalc_flag_name(NET_IPCALC_GLOBAL),
			 "global unicast");
	ck_assert_str_eq(net_ipcalc_flag_name(NET_IPCALC_V4MAPPED),
			 "IPv4-mapped");
	ck_assert_str_eq(net_ipcalc_flag_name(0), "unknown");
	ck_assert_str_eq(net_ipcalc_flag_name(1u << NET_IPCALC_NFLAGS),
			 "unknown");
}
END_TEST

START_TEST(test_compute_keeps_scope)
{
	struct net_addr a;
	struct net_ipcalc r;
	char out[NET_ADDR_STRLEN];

	ck_assert_int_eq(net_ip_parse("fe80::1%2", &a), 0);
	ck_assert_int_eq(net_ipcalc_compute(&a, 64, &r), 0);
	net_addr_format(&r.addr, 0, out, sizeof out);
	ck_assert_str_eq(out, "fe80::1%2");
	net_addr_format(&r.network, 0, out, sizeof out);
	ck_assert_str_eq(out, "fe80::");
	ck_assert_int_eq(net_ipcalc_compute(&a, 129, &r), ERR_RANGE);
	ck_assert_int_eq(net_ip_parse("10.0.0.1", &a), 0);
	ck_assert_int_eq(net_ipcalc_compute(&a, 33, &r), ERR_RANGE);
	memset(&a, 0, sizeof a);
	ck_assert_int_eq(net_ipcalc_compute(&a, 8, &r), ERR_PARSE);
}
END_TEST

#define N(t) ((int)(sizeof(t) / sizeof((t)[0])))

static Suite *
ipcalc_suite(void)
{
	Suite *s = suite_create("ipcalc");
	TCase *tc = tcase_create("ipcalc");

	tcase_add_loop_test(tc, test_calc, 0, N(cases));
	tcase_add_loop_test(tc, test_bad, 0, N(bad_cases));
	tcase_add_loop_test(tc, test_mask_prefix, 0, N(mask_cases));
	tcase_add_test(tc, test_class_edges);
	tcase_add_test(tc, test_flag_names);
	tcase_add_test(tc, test_compute_keeps_scope);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(ipcalc_suite());
}
