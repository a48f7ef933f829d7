/* Unit tests of the stub resolver's pure parts: resolv.conf and hosts
 * parsing (dns_resolvconf), the TTL cache (dns_cache), and reading a
 * reply: matching, CNAME chains, negative answers (dns_reply). */
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "dns/dns_cache.h"
#include "dns/dns_reply.h"
#include "dns/dns_resolvconf.h"
#include "dns/dns_rr.h"
#include "dns/dns_wire.h"
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
	struct dns_resolvconf rc;
	char s[NET_ADDR_STRLEN];

	ck_assert_int_eq(dns_resolvconf_parse(c->text, strlen(c->text), &rc),
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
	struct dns_resolvconf rc;

	for (int i = 0; i < 20; i++) {
		snprintf(line, sizeof line, "nameserver 10.0.0.%d\n", i + 1);
		strcat(text, line);
	}
	ck_assert_int_eq(dns_resolvconf_parse(text, strlen(text), &rc),
			 DNS_RESOLV_MAX_SERVERS);
	/* An over-long line is skipped whole, the next one still counts. */
	char *big = malloc(DNS_RESOLV_MAX_LINE + 100);
	memset(big, ' ', DNS_RESOLV_MAX_LINE + 50);
	memcpy(big, "nameserver 1.2.3.4", 18);
	strcpy(big + DNS_RESOLV_MAX_LINE + 50, "\nnameserver ::1");
	ck_assert_int_eq(dns_resolvconf_parse(big, strlen(big), &rc), 1);
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

	int n = dns_hosts_find(hosts_text, strlen(hosts_text), c->name, out, 8);
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

	ck_assert_int_eq(dns_hosts_find(hosts_text, strlen(hosts_text),
					"localhost", out, 1), 1);
}
END_TEST

/* cache */

static const uint8_t name_a[] = "\3www\7example\4test";
static const uint8_t name_a_upper[] = "\3WWW\7Example\4TEST";
static const uint8_t name_b[] = "\4mail\7example\4test";

START_TEST(cache_ttl_and_case)
{
	struct dns_cache c;
	struct net_addr a[2];

	net_ip_parse("192.0.2.1", &a[0]);
	net_ip_parse("192.0.2.2", &a[1]);
	ck_assert_int_eq(dns_cache_init(&c, 4), 0);
	ck_assert_ptr_null(dns_cache_get(&c, name_a, DNS_T_A, 0));
	dns_cache_put(&c, name_a_upper, DNS_T_A, DNS_CACHE_ADDRS, a, 2, 60,
		      1000);
	const struct dns_cache_entry *e = dns_cache_get(&c, name_a, DNS_T_A,
							 1000);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->naddrs, 2);
	ck_assert(net_addr_equal(&e->addrs[1], &a[1]));
	/* Another type, another name: misses. */
	ck_assert_ptr_null(dns_cache_get(&c, name_a, DNS_T_AAAA, 1000));
	ck_assert_ptr_null(dns_cache_get(&c, name_b, DNS_T_A, 1000));
	/* Alive until the TTL runs out, not a millisecond more. */
	ck_assert_ptr_nonnull(dns_cache_get(&c, name_a, DNS_T_A, 60999));
	ck_assert_ptr_null(dns_cache_get(&c, name_a, DNS_T_A, 61000));
	/* A TTL of 0 is not cached. */
	dns_cache_put(&c, name_b, DNS_T_A, DNS_CACHE_ADDRS, a, 1, 0, 0);
	ck_assert_ptr_null(dns_cache_get(&c, name_b, DNS_T_A, 0));
	dns_cache_fini(&c);
}
END_TEST

START_TEST(cache_caps_and_negative)
{
	struct dns_cache c;
	struct net_addr a;

	net_ip_parse("192.0.2.1", &a);
	ck_assert_int_eq(dns_cache_init(&c, 4), 0);
	/* Positive TTLs are capped at a day, negative ones at 5 minutes. */
	dns_cache_put(&c, name_a, DNS_T_A, DNS_CACHE_ADDRS, &a, 1,
		      7 * 86400, 0);
	ck_assert_ptr_null(dns_cache_get(&c, name_a, DNS_T_A,
					 DNS_CACHE_MAX_TTL * 1000LL));
	dns_cache_put(&c, name_b, DNS_T_A, DNS_CACHE_NXDOMAIN, NULL, 0, 3600,
		      0);
	const struct dns_cache_entry *e = dns_cache_get(&c, name_b, DNS_T_A,
							 1000);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->kind, DNS_CACHE_NXDOMAIN);
	ck_assert_int_eq(e->naddrs, 0);
	ck_assert_ptr_null(dns_cache_get(&c, name_b, DNS_T_A,
					 DNS_CACHE_MAX_NEG_TTL * 1000LL));
	/* NODATA (no addresses) is negative too. */
	dns_cache_put(&c, name_b, DNS_T_AAAA, DNS_CACHE_ADDRS, NULL, 0, 3600,
		      0);
	ck_assert_ptr_null(dns_cache_get(&c, name_b, DNS_T_AAAA,
					 DNS_CACHE_MAX_NEG_TTL * 1000LL));
	dns_cache_fini(&c);
}
END_TEST

START_TEST(cache_bounded_evicts_soonest)
{
	struct dns_cache c;
	struct net_addr a;
	uint8_t name[DNS_NAME_MAX + 1];
	const char *why;
	char text[32];

	net_ip_parse("192.0.2.1", &a);
	ck_assert_int_eq(dns_cache_init(&c, 3), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(text, sizeof text, "h%d.test.", i);
		dns_name_parse(text, strlen(text), NULL, name, &why);
		/* h1 expires first */
		dns_cache_put(&c, name, DNS_T_A, DNS_CACHE_ADDRS, &a, 1,
			      i == 1 ? 10 : 100, 0);
	}
	dns_name_parse("h3.test.", 8, NULL, name, &why);
	dns_cache_put(&c, name, DNS_T_A, DNS_CACHE_ADDRS, &a, 1, 100, 0);
	ck_assert_int_eq(c.n, 3);
	ck_assert_ptr_nonnull(dns_cache_get(&c, name, DNS_T_A, 1));
	dns_name_parse("h1.test.", 8, NULL, name, &why);
	ck_assert_ptr_null(dns_cache_get(&c, name, DNS_T_A, 1));
	dns_name_parse("h0.test.", 8, NULL, name, &why);
	ck_assert_ptr_nonnull(dns_cache_get(&c, name, DNS_T_A, 1));
	dns_cache_fini(&c);
	/* A cache of size 0 holds nothing. */
	ck_assert_int_eq(dns_cache_init(&c, 0), 0);
	dns_cache_put(&c, name, DNS_T_A, DNS_CACHE_ADDRS, &a, 1, 100, 0);
	ck_assert_ptr_null(dns_cache_get(&c, name, DNS_T_A, 1));
	dns_cache_fini(&c);
}
END_TEST

/* replies */

struct rr_spec {
	const char *owner;
	uint16_t type;
	uint32_t ttl;
	const char *data;	/* address or name, by type */
	int section;		/* 0 answer, 1 authority */
};

static uint8_t qname[DNS_NAME_MAX + 1];

static void
wire_name(const char *text, uint8_t *out)
{
	const char *why;

	ck_assert_int_gt(dns_name_parse(text, strlen(text), NULL, out, &why),
			 0);
}

/* A reply to "www.example.test. A/AAAA" with id 7 and the given rcode. */
static size_t
build_reply(uint8_t *m, size_t size, uint16_t qtype, int rcode,
	    uint16_t flags, const struct rr_spec *rrs, int n)
{
	struct dns_wr w;
	int an = 0, ns = 0;

	for (int i = 0; i < n; i++)
		rrs[i].section ? ns++ : an++;
	struct dns_hdr h = { 7, (uint16_t)(DNS_F_QR | DNS_F_RD | DNS_F_RA |
					   flags | rcode), 1,
			     (uint16_t)an, (uint16_t)ns, 0 };
	dns_wr_init(&w, m, size);
	dns_wr_hdr(&w, &h);
	wire_name("www.example.test.", qname);
	dns_wr_name(&w, qname, 1);
	dns_wr_u16(&w, qtype);
	dns_wr_u16(&w, DNS_C_IN);
	for (int i = 0; i < n; i++) {
		uint8_t owner[DNS_NAME_MAX + 1], rd[600];
		int rdlen;
		struct net_addr a;
		wire_name(rrs[i].owner, owner);
		if (rrs[i].type == DNS_T_A || rrs[i].type == DNS_T_AAAA) {
			ck_assert_int_eq(net_ip_parse(rrs[i].data, &a), 0);
			rdlen = rrs[i].type == DNS_T_A ? 4 : 16;
			memcpy(rd, rrs[i].type == DNS_T_A ?
			       (void *)&((struct sockaddr_in *)&a.ss)->sin_addr :
			       (void *)&((struct sockaddr_in6 *)&a.ss)->sin6_addr,
			       (size_t)rdlen);
		} else if (rrs[i].type == DNS_T_SOA) {
			wire_name("ns.example.test.", rd);
			size_t o = dns_name_len(rd);
			wire_name("admin.example.test.", rd + o);
			o += dns_name_len(rd + o);
			static const uint8_t nums[20] = {
				0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4,
				0, 0, 0, 30 };
			memcpy(rd + o, nums, 20);
			rdlen = (int)o + 20;
		} else {
			wire_name(rrs[i].data, rd);
			rdlen = (int)dns_name_len(rd);
		}
		dns_wr_rr(&w, owner, rrs[i].type, DNS_C_IN, rrs[i].ttl, rd,
			  (uint16_t)rdlen);
	}
	ck_assert_int_eq(w.err, 0);
	return w.len;
}

START_TEST(reply_addresses_and_chain)
{
	static const struct rr_spec rrs[] = {
		{ "other.test.", DNS_T_A, 50, "192.0.2.99", 0 },
		{ "www.example.test.", DNS_T_CNAME, 300, "web.example.test.", 0 },
		{ "web.example.test.", DNS_T_CNAME, 200, "srv.example.test.", 0 },
		{ "srv.example.test.", DNS_T_A, 100, "192.0.2.1", 0 },
		{ "SRV.example.test.", DNS_T_A, 400, "192.0.2.2", 0 },
		{ "srv.example.test.", DNS_T_A, 400, "192.0.2.2", 0 },
		{ "srv.example.test.", DNS_T_AAAA, 400, "2001:db8::1", 0 },
	};
	uint8_t m[1024];
	struct dns_reply_info in;
	char s[NET_ADDR_STRLEN];
	size_t n = build_reply(m, sizeof m, DNS_T_A, 0, 0, rrs, 7);

	ck_assert_int_eq(dns_reply_read(m, n, qname, DNS_T_A, &in), 0);
	ck_assert_int_eq(in.kind, DNS_REPLY_ADDRS);
	ck_assert_int_eq(in.naddrs, 2);	/* the duplicate is dropped */
	ck_assert_int_eq(in.cnames, 2);
	ck_assert_uint_eq(in.ttl, 100);
	addr_str(&in.addrs[0], s);
	ck_assert_str_eq(s, "192.0.2.1:0");
}
END_TEST

START_TEST(reply_negative)
{
	static const struct rr_spec soa[] = {
		{ "example.test.", DNS_T_SOA, 60, NULL, 1 },
	};
	static const struct rr_spec cname_only[] = {
		{ "www.example.test.", DNS_T_CNAME, 300, "elsewhere.test.", 0 },
	};
	uint8_t m[1024];
	struct dns_reply_info in;
	size_t n;

	n = build_reply(m, sizeof m, DNS_T_A, DNS_RCODE_NXDOMAIN, DNS_F_AA,
			soa, 1);
	ck_assert_int_eq(dns_reply_read(m, n, qname, DNS_T_A, &in), 0);
	ck_assert_int_eq(in.kind, DNS_REPLY_NXDOMAIN);
	ck_assert_uint_eq(in.ttl, 30);	/* min(SOA TTL 60, MINIMUM 30) */
	n = build_reply(m, sizeof m, DNS_T_AAAA, 0, DNS_F_AA, soa, 1);
	ck_assert_int_eq(dns_reply_read(m, n, qname, DNS_T_AAAA, &in), 0);
	ck_assert_int_eq(in.kind, DNS_REPLY_NODATA);
	ck_assert_uint_eq(in.ttl, 30);
	/* No SOA: nothing to cache. */
	n = build_reply(m, sizeof m, DNS_T_A, 0, 0, NULL, 0);
	ck_assert_int_eq(dns_reply_read(m, n, qname, DNS_T_A, &in), 0);
	ck_assert_int_eq(in.kind, DNS_REPLY_NODATA);
	ck_assert_uint_eq(in.ttl, 0);
	/* A chain leaving the reply: ask again for its end. */
	n = build_reply(m, sizeof m, DNS_T_A, 0, DNS_F_AA, cname_only, 1);
	ck_assert_int_eq(dns_reply_read(m, n, qname, DNS_T_A, &in), 0);
	ck_assert_int_eq(in.kind, DNS_REPLY_CNAME);
	uint8_t want[DNS_NAME_MAX + 1];
	wire_name("elsewhere.test.", want);
	ck_assert(dns_name_equal(in.target, want));
	/* SERVFAIL and friends: another server. */
	n = build_reply(m, sizeof m, DNS_T_A, DNS_RCODE_SERVFAIL, 0, NULL, 0);
	ck_assert_int_eq(dns_reply_read(m, n, qname, DNS_T_A, &in), 0);
	ck_assert_int_eq(in.kind, DNS_REPLY_FAIL);
	/* TC is reported. */
	n = build_reply(m, sizeof m, DNS_T_A, 0, DNS_F_TC, NULL, 0);
	ck_assert_int_eq(dns_reply_read(m, n, qname, DNS_T_A, &in), 0);
	ck_assert_int_eq(in.truncated, 1);
}
END_TEST

START_TEST(reply_bad)
{
	static const struct rr_spec loop[] = {
		{ "www.example.test.", DNS_T_CNAME, 300, "a.test.", 0 },
		{ "a.test.", DNS_T_CNAME, 300, "www.example.test.", 0 },
	};
	static const struct rr_spec short_a[] = {
		{ "www.example.test.", DNS_T_CNAME, 300, "a.test.", 0 },
	};
	uint8_t m[1024];
	struct dns_reply_info in;
	size_t n = build_reply(m, sizeof m, DNS_T_A, 0, 0, loop, 2);

	ck_assert_int_eq(dns_reply_read(m, n, qname, DNS_T_A, &in), ERR_PARSE);
	/* An A record whose rdata is not 4 bytes. */
	n = build_reply(m, sizeof m, DNS_T_A, 0, 0, short_a, 1);
	uint8_t rd[4] = { 1, 2, 3, 0 };
	struct dns_wr w;
	dns_wr_init(&w, m, sizeof m);
	w.len = n;
	uint8_t a_name[DNS_NAME_MAX + 1];
	wire_name("a.test.", a_name);
	dns_wr_rr(&w, a_name, DNS_T_A, DNS_C_IN, 5, rd, 3);
	dns_wr_set_u16(&w, 6, 2);
	ck_assert_int_eq(dns_reply_read(m, w.len, qname, DNS_T_A, &in),
			 ERR_PARSE);
	/* Truncated in the middle of a record. */
	n = build_reply(m, sizeof m, DNS_T_A, 0, 0, short_a, 1);
	ck_assert_int_eq(dns_reply_read(m, n - 3, qname, DNS_T_A, &in),
			 ERR_PARSE);
}
END_TEST

START_TEST(reply_matching)
{
	uint8_t q[512], r[1024], name[DNS_NAME_MAX + 1];
	struct dns_wr w;
	struct dns_hdr h = { 7, DNS_F_RD, 1, 0, 0, 0 };

	wire_name("www.example.test.", name);
	dns_wr_init(&w, q, sizeof q);
	dns_wr_hdr(&w, &h);
	dns_wr_name(&w, name, 0);
	dns_wr_u16(&w, DNS_T_A);
	dns_wr_u16(&w, DNS_C_IN);
	size_t qlen = w.len;
	size_t n = build_reply(r, sizeof r, DNS_T_A, 0, 0, NULL, 0);

	ck_assert_int_eq(dns_reply_matches(q, qlen, r, n), 1);
	r[1] = 8;			/* another ID */
	ck_assert_int_eq(dns_reply_matches(q, qlen, r, n), 0);
	r[1] = 7;
	r[2] &= (uint8_t)~0x80;		/* QR clear: a query, not a reply */
	ck_assert_int_eq(dns_reply_matches(q, qlen, r, n), 0);
	r[2] |= 0x80;
	r[13] = 'W';			/* the name in another case */
	ck_assert_int_eq(dns_reply_matches(q, qlen, r, n), 1);
	r[14] = 'x';			/* another name */
	ck_assert_int_eq(dns_reply_matches(q, qlen, r, n), 0);
	n = build_reply(r, sizeof r, DNS_T_AAAA, 0, 0, NULL, 0);
	ck_assert_int_eq(dns_reply_matches(q, qlen, r, n), 0);
	/* No question: only with an error rcode. */
	n = build_reply(r, sizeof r, DNS_T_A, DNS_RCODE_SERVFAIL, 0, NULL, 0);
	r[5] = 0;
	ck_assert_int_eq(dns_reply_matches(q, qlen, r, 12), 1);
	r[3] &= 0xf0;
	ck_assert_int_eq(dns_reply_matches(q, qlen, r, 12), 0);
	ck_assert_int_eq(dns_reply_matches(q, qlen, r, 5), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dns_resolve");
	TCase *tc = tcase_create("resolve");

	tcase_add_loop_test(tc, resolvconf_table, 0,
			    sizeof rc_cases / sizeof rc_cases[0]);
	tcase_add_test(tc, resolvconf_limits);
	tcase_add_loop_test(tc, hosts_table, 0,
			    sizeof hosts_cases / sizeof hosts_cases[0]);
	tcase_add_test(tc, hosts_max);
	tcase_add_test(tc, cache_ttl_and_case);
	tcase_add_test(tc, cache_caps_and_negative);
	tcase_add_test(tc, cache_bounded_evicts_soonest);
	tcase_add_test(tc, reply_addresses_and_chain);
	tcase_add_test(tc, reply_negative);
	tcase_add_test(tc, reply_bad);
	tcase_add_test(tc, reply_matching);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
