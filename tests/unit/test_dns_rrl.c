/* Unit tests of src/dns/dns_rrl.c and src/net/net_prefix.c: the rate per
 * network and kind of answer, slip, the window of debt, exemptions, the
 * truncated form; prefixes parsed, matched and formatted. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "dns/dns_rrl.h"
#include "dns/dns_server.h"
#include "dns/dns_wire.h"
#include "net/net_prefix.h"
#include "unit.h"

static const uint64_t seed[2] = { 1, 2 };
static int no_compress;	/* reply() writes the SOA owner in full */

/* A reply: header with rcode, the question name (dotted, lower or
 * upper case as given) and type; for NXDOMAIN an SOA of zone in the
 * authority section, its owner compressed when it is a suffix of the
 * question. Returns the length. */
static size_t
reply(uint8_t *out, const char *qname, uint16_t qtype, int rcode,
      const char *zone)
{
	size_t n = DNS_HDR_SIZE;

	memset(out, 0, 512);
	out[2] = 0x84;
	out[3] = (uint8_t)rcode;
	out[5] = 1;
	for (const char *p = qname; *p;) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		out[n++] = (uint8_t)l;
		memcpy(out + n, p, l);
		n += l;
		p += l + (dot != NULL);
	}
	out[n++] = 0;
	out[n++] = (uint8_t)(qtype >> 8);
	out[n++] = (uint8_t)qtype;
	out[n++] = 0;
	out[n++] = 1;
	if (zone == NULL)
		return n;
	out[9] = 1;	/* NSCOUNT */
	const char *suffix = strstr(qname, zone);
	if (no_compress) {
		for (const char *p = zone; *p;) {
			const char *dot = strchr(p, '.');
			size_t l = dot ? (size_t)(dot - p) : strlen(p);
			out[n++] = (uint8_t)l;
			memcpy(out + n, p, l);
			n += l;
			p += l + (dot != NULL);
		}
		out[n++] = 0;
	} else if (suffix != NULL) {
		uint16_t ptr = (uint16_t)(0xc000 | (DNS_HDR_SIZE +
						    (suffix - qname)));
		out[n++] = (uint8_t)(ptr >> 8);
		out[n++] = (uint8_t)ptr;
	} else {
		out[n++] = 0;	/* the root zone */
	}
	static const uint8_t soa[] = { 0, 6, 0, 1, 0, 0, 0, 60, 0, 22,
		0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1,
		0, 0, 0, 60 };
	memcpy(out + n, soa, sizeof soa);
	return n + sizeof soa;
}

static struct sockaddr_storage
v4(const char *ip)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof ss);
	s->sin_family = AF_INET;
	inet_pton(AF_INET, ip, &s->sin_addr);
	return ss;
}

static struct sockaddr_storage
v6(const char *ip)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof ss);
	s->sin6_family = AF_INET6;
	inet_pton(AF_INET6, ip, &s->sin6_addr);
	return ss;
}

struct tally {
	int pass, slip, drop;
};

/* Sends n copies of the reply to from at second now. */
static struct tally
flood(struct dns_rrl *r, struct dns_rrl_stats *st, const char *ip,
      const char *qname, uint16_t qtype, int rcode, const char *zone,
      int n, uint32_t now)
{
	struct sockaddr_storage from = strchr(ip, ':') ? v6(ip) : v4(ip);
	struct tally t = { 0 };
	uint8_t msg[512];
	size_t len = reply(msg, qname, qtype, rcode, zone);

	for (int i = 0; i < n; i++) {
		switch (dns_rrl_check(r, st, (struct sockaddr *)&from, msg,
				      len, 0, (int64_t)now * 1000)) {
		case DNS_RRL_PASS: t.pass++; break;
		case DNS_RRL_SLIP: t.slip++; break;
		case DNS_RRL_DROP: t.drop++; break;
		}
	}
	return t;
}

static void
rrl_start(struct dns_rrl *r, uint32_t rate, uint32_t slip, uint32_t window)
{
	struct dns_rrl_config c;

	dns_rrl_config_defaults(&c);
	c.rate = rate;
	c.slip = slip;
	c.window = window;
	ck_assert_int_eq(dns_rrl_init(r, &c, seed), 0);
}

struct slip_case {
	uint32_t slip;
	int pass, slipped, dropped;
};

static const struct slip_case slip_cases[] = {
	{ 1, 5, 95, 0 },
	{ 0, 5, 0, 95 },
	{ 2, 5, 47, 48 },
	{ 3, 5, 31, 64 },
};

START_TEST(test_slip)
{
	const struct slip_case *c = &slip_cases[_i];
	struct dns_rrl r;
	struct dns_rrl_stats st = { 0 };

	rrl_start(&r, 5, c->slip, 15);
	struct tally t = flood(&r, &st, "192.0.2.7", "www.example.test",
			       DNS_T_A, 0, NULL, 100, 1000);
	ck_assert_int_eq(t.pass, c->pass);
	ck_assert_int_eq(t.slip, c->slipped);
	ck_assert_int_eq(t.drop, c->dropped);
	ck_assert_uint_eq(st.limited, 95);
	ck_assert_uint_eq(st.slipped, (uint64_t)c->slipped);
	ck_assert_uint_eq(st.dropped, (uint64_t)c->dropped);
	dns_rrl_fini(&r);
}
END_TEST

/* Each worker counts into its own stats slot (the socket and the XDP
 * path of a worker alike); dns_served_stats sums them for the status
 * page. */
START_TEST(test_stats_summed)
{
	struct dns_served s;
	struct dns_stats sum;
	struct dns_rrl r;

	ck_assert_int_eq(dns_served_init(&s, NULL, 2), 0);
	rrl_start(&r, 5, 2, 15);
	flood(&r, &s.slots[0].rrl, "192.0.2.7", "www.example.test", DNS_T_A,
	      0, NULL, 20, 1000);
	flood(&r, &s.slots[1].rrl, "192.0.2.8", "www.example.test", DNS_T_A,
	      0, NULL, 10, 1000);
	dns_served_stats(&s, &sum);
	/* 5 pass, then the shared bucket limits the rest: 25 limited */
	ck_assert_uint_eq(sum.rrl_limited, 25);
	ck_assert_uint_eq(sum.rrl_slipped + sum.rrl_dropped, 25);
	ck_assert_uint_eq(sum.rrl_slipped, s.slots[0].rrl.slipped +
			  s.slots[1].rrl.slipped);
	ck_assert_uint_eq(s.slots[1].rrl.limited, 10);
	dns_rrl_fini(&r);
	dns_served_fini(&s);
}
END_TEST

/* The same /24 shares a bucket; another /24 and another name do not;
 * names compare without regard to case. */
START_TEST(test_keys)
{
	struct dns_rrl r;
	struct dns_rrl_stats st = { 0 };

	rrl_start(&r, 5, 0, 15);
	ck_assert_int_eq(flood(&r, &st, "192.0.2.7", "www.example.test",
			       DNS_T_A, 0, NULL, 3, 1000).pass, 3);
	ck_assert_int_eq(flood(&r, &st, "192.0.2.200", "WWW.Example.TEST",
			       DNS_T_A, 0, NULL, 5, 1000).pass, 2);
	ck_assert_int_eq(flood(&r, &st, "192.0.3.7", "www.example.test",
			       DNS_T_A, 0, NULL, 5, 1000).pass, 5);
	ck_assert_int_eq(flood(&r, &st, "192.0.2.7", "www.example.test",
			       DNS_T_AAAA, 0, NULL, 5, 1000).pass, 5);
	ck_assert_int_eq(flood(&r, &st, "192.0.2.7", "ftp.example.test",
			       DNS_T_A, 0, NULL, 5, 1000).pass, 5);
	/* IPv6 by /56; a mapped IPv4 address is its IPv4 network. */
	ck_assert_int_eq(flood(&r, &st, "2001:db8:0:1::1", "a.test",
			       DNS_T_A, 0, NULL, 3, 1000).pass, 3);
	ck_assert_int_eq(flood(&r, &st, "2001:db8:0:ff::2", "a.test",
			       DNS_T_A, 0, NULL, 5, 1000).pass, 2);
	ck_assert_int_eq(flood(&r, &st, "2001:db8:0:100::2", "a.test",
			       DNS_T_A, 0, NULL, 5, 1000).pass, 5);
	ck_assert_int_eq(flood(&r, &st, "::ffff:192.0.2.9", "www.example.test",
			       DNS_T_A, 0, NULL, 5, 1000).pass, 0);
	dns_rrl_fini(&r);
}
END_TEST

/* NXDOMAIN counts per zone: random names cannot escape the limit; errors
 * count together whatever the name. */
START_TEST(test_kinds)
{
	struct dns_rrl r;
	struct dns_rrl_stats st = { 0 };
	char name[64];
	int pass = 0;

	rrl_start(&r, 5, 0, 15);
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof name, "r%d.example.test", i);
		pass += flood(&r, &st, "192.0.2.7", name, DNS_T_A,
			      DNS_RCODE_NXDOMAIN, "example.test", 1,
			      1000).pass;
	}
	ck_assert_int_eq(pass, 5);
	/* The zone read in full (not as a pointer into the question) is
	 * the same zone, in any case. */
	no_compress = 1;
	ck_assert_int_eq(flood(&r, &st, "192.0.2.7", "r.example.test", 1,
			       DNS_RCODE_NXDOMAIN, "EXAMPLE.test", 1,
			       1000).pass, 0);
	ck_assert_int_eq(flood(&r, &st, "192.0.3.7", "r.example.test", 1,
			       DNS_RCODE_NXDOMAIN, "EXAMPLE.test", 5,
			       1000).pass, 5);
	no_compress = 0;
	ck_assert_int_eq(flood(&r, &st, "192.0.3.7", "q.example.test", 1,
			       DNS_RCODE_NXDOMAIN, "example.test", 1,
			       1000).pass, 0);
	ck_assert_int_eq(flood(&r, &st, "192.0.2.7", "x.other.test", DNS_T_A,
			       DNS_RCODE_NXDOMAIN, "other.test", 5,
			       1000).pass, 5);
	pass = 0;
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof name, "r%d.elsewhere", i);
		pass += flood(&r, &st, "192.0.2.7", name, DNS_T_A,
			      DNS_RCODE_REFUSED, NULL, 1, 1000).pass;
	}
	ck_assert_int_eq(pass, 5);
	dns_rrl_fini(&r);
}
END_TEST

/* Over the rate the balance falls into debt (down to window x rate): a
 * network still sending stays limited, one that stopped recovers within
 * the window. */
START_TEST(test_window)
{
	struct dns_rrl r;
	struct dns_rrl_stats st = { 0 };
	const char *ip = "192.0.2.7", *q = "www.example.test";

	rrl_start(&r, 10, 0, 3);
	ck_assert_int_eq(flood(&r, &st, ip, q, 1, 0, NULL, 1000, 100).pass,
			 10);
	/* Debt of 30: one second later still 20 short. */
	ck_assert_int_eq(flood(&r, &st, ip, q, 1, 0, NULL, 5, 101).pass, 0);
	/* Rate 10 a second: after two quiet seconds just below zero. */
	ck_assert_int_eq(flood(&r, &st, ip, q, 1, 0, NULL, 1, 103).pass, 0);
	/* And after the whole window, a full second's worth again. */
	ck_assert_int_eq(flood(&r, &st, ip, q, 1, 0, NULL, 20, 107).pass, 10);
	/* Steady at the rate: never limited. */
	for (uint32_t s = 200; s < 210; s++)
		ck_assert_int_eq(flood(&r, &st, ip, q, 1, 0, NULL, 10,
				       s).pass, 10);
	ck_assert_int_eq(flood(&r, &st, ip, q, 1, 0, NULL, 20, 210).pass, 10);
	/* Long after, a full bucket. */
	ck_assert_int_eq(flood(&r, &st, ip, q, 1, 0, NULL, 20,
			       3 * 65536 + 5).pass, 10);
	dns_rrl_fini(&r);
}
END_TEST

START_TEST(test_exempt)
{
	struct dns_rrl r;
	struct dns_rrl_config c;
	struct dns_rrl_stats st = { 0 };

	dns_rrl_config_defaults(&c);
	c.rate = 1;
	ck_assert_int_eq(net_prefix_parse("192.0.2.0/25", &c.exempt[0]), 0);
	ck_assert_int_eq(net_prefix_parse("2001:db8::/32", &c.exempt[1]), 0);
	c.nexempt = 2;
	ck_assert_int_eq(dns_rrl_init(&r, &c, seed), 0);
	ck_assert_int_eq(flood(&r, &st, "192.0.2.7", "a.test", 1, 0, NULL,
			       50, 1).pass, 50);
	ck_assert_int_eq(flood(&r, &st, "2001:db8::1", "a.test", 1, 0, NULL,
			       50, 1).pass, 50);
	ck_assert_int_eq(flood(&r, &st, "192.0.2.200", "a.test", 1, 0, NULL,
			       50, 1).pass, 1);
	dns_rrl_fini(&r);
}
END_TEST

/* The truncated form keeps the question, sets TC, drops every record;
 * a reply without a readable question keeps only the header. */
START_TEST(test_truncate)
{
	uint8_t msg[512];
	size_t len = reply(msg, "x.example.test", DNS_T_A,
			   DNS_RCODE_NXDOMAIN, "example.test");
	size_t qend = DNS_HDR_SIZE + 16 + 4;

	ck_assert_uint_eq(dns_rrl_truncate(msg, len), qend);
	ck_assert_int_eq(msg[2], 0x84 | 0x02);
	ck_assert_int_eq(msg[3], DNS_RCODE_NXDOMAIN);
	ck_assert_int_eq(msg[5], 1);
	for (int i = 6; i < 12; i++)
		ck_assert_int_eq(msg[i], 0);
	msg[DNS_HDR_SIZE] = 0xc0;
	ck_assert_uint_eq(dns_rrl_truncate(msg, len), DNS_HDR_SIZE);
	ck_assert_int_eq(msg[5], 0);
	ck_assert_uint_eq(dns_rrl_truncate(msg, 5), 5);
}
END_TEST

struct prefix_case {
	const char *in;
	int rc;
	const char *out;
};

static const struct prefix_case prefix_cases[] = {
	{ "10.1.2.3/8", 0, "10.0.0.0/8" },
	{ "192.0.2.1", 0, "192.0.2.1/32" },
	{ "192.0.2.255/25", 0, "192.0.2.128/25" },
	{ "0.0.0.0/0", 0, "0.0.0.0/0" },
	{ "2001:db8:ffff::1/33", 0, "2001:db8:8000::/33" },
	{ "::1", 0, "::1/128" },
	{ "::ffff:10.0.0.1/8", 0, "10.0.0.0/8" },
	{ "10.0.0.0/33", ERR_PARSE, NULL },
	{ "::/129", ERR_PARSE, NULL },
	{ "10.0.0.0/", ERR_PARSE, NULL },
	{ "10.0.0.0/-1", ERR_PARSE, NULL },
	{ "10.0.0.0/8x", ERR_PARSE, NULL },
	{ "/8", ERR_PARSE, NULL },
	{ "example.com/8", ERR_PARSE, NULL },
	{ "", ERR_PARSE, NULL },
};

START_TEST(test_prefix_parse)
{
	const struct prefix_case *c = &prefix_cases[_i];
	struct net_prefix p;
	char out[64];

	ck_assert_int_eq(net_prefix_parse(c->in, &p), c->rc);
	if (c->rc == 0) {
		net_prefix_format(&p, out, sizeof out);
		ck_assert_str_eq(out, c->out);
	}
}
END_TEST

START_TEST(test_prefix_contains)
{
	struct net_prefix p;
	struct sockaddr_storage a;

	ck_assert_int_eq(net_prefix_parse("192.0.2.0/24", &p), 0);
	a = v4("192.0.2.99");
	ck_assert(net_prefix_contains(&p, (struct sockaddr *)&a));
	a = v6("::ffff:192.0.2.99");
	ck_assert(net_prefix_contains(&p, (struct sockaddr *)&a));
	a = v4("192.0.3.1");
	ck_assert(!net_prefix_contains(&p, (struct sockaddr *)&a));
	a = v6("2001:db8::1");
	ck_assert(!net_prefix_contains(&p, (struct sockaddr *)&a));
	ck_assert_int_eq(net_prefix_parse("2001:db8::/32", &p), 0);
	ck_assert(net_prefix_contains(&p, (struct sockaddr *)&a));
	a = v4("32.1.13.184");	/* 2001:0db8 as IPv4 */
	ck_assert(!net_prefix_contains(&p, (struct sockaddr *)&a));
	ck_assert_int_eq(net_prefix_parse("0.0.0.0/0", &p), 0);
	ck_assert(net_prefix_contains(&p, (struct sockaddr *)&a));
	ck_assert(!net_prefix_any(&p, 0, (struct sockaddr *)&a));
}
END_TEST

static Suite *
rrl_suite(void)
{
	Suite *s = suite_create("dns_rrl");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_slip, 0,
			    sizeof slip_cases / sizeof slip_cases[0]);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_stats_summed);
	tcase_add_test(tc, test_kinds);
	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_exempt);
	tcase_add_test(tc, test_truncate);
	tcase_add_loop_test(tc, test_prefix_parse, 0,
			    sizeof prefix_cases / sizeof prefix_cases[0]);
	tcase_add_test(tc, test_prefix_contains);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(rrl_suite());
}
