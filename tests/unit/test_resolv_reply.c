/* Unit tests of resolv_reply: matching a reply to its query, CNAME
 * chains, negative answers and their TTL, malformed replies. */
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "dns/dns_rr.h"
#include "dns/dns_wire.h"
#include "resolv/resolv_reply.h"
#include "unit.h"

static void
addr_str(const struct net_addr *a, char *out)
{
	ck_assert_int_gt(net_addr_format(a, 1, out, NET_ADDR_STRLEN), 0);
}

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
	struct resolv_reply_info in;
	char s[NET_ADDR_STRLEN];
	size_t n = build_reply(m, sizeof m, DNS_T_A, 0, 0, rrs, 7);

	ck_assert_int_eq(resolv_reply_read(m, n, qname, DNS_T_A, &in), 0);
	ck_assert_int_eq(in.kind, RESOLV_REPLY_ADDRS);
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
	struct resolv_reply_info in;
	size_t n;

	n = build_reply(m, sizeof m, DNS_T_A, DNS_RCODE_NXDOMAIN, DNS_F_AA,
			soa, 1);
	ck_assert_int_eq(resolv_reply_read(m, n, qname, DNS_T_A, &in), 0);
	ck_assert_int_eq(in.kind, RESOLV_REPLY_NXDOMAIN);
	ck_assert_uint_eq(in.ttl, 30);	/* min(SOA TTL 60, MINIMUM 30) */
	n = build_reply(m, sizeof m, DNS_T_AAAA, 0, DNS_F_AA, soa, 1);
	ck_assert_int_eq(resolv_reply_read(m, n, qname, DNS_T_AAAA, &in), 0);
	ck_assert_int_eq(in.kind, RESOLV_REPLY_NODATA);
	ck_assert_uint_eq(in.ttl, 30);
	/* No SOA: nothing to cache. */
	n = build_reply(m, sizeof m, DNS_T_A, 0, 0, NULL, 0);
	ck_assert_int_eq(resolv_reply_read(m, n, qname, DNS_T_A, &in), 0);
	ck_assert_int_eq(in.kind, RESOLV_REPLY_NODATA);
	ck_assert_uint_eq(in.ttl, 0);
	/* A chain leaving the reply: ask again for its end. */
	n = build_reply(m, sizeof m, DNS_T_A, 0, DNS_F_AA, cname_only, 1);
	ck_assert_int_eq(resolv_reply_read(m, n, qname, DNS_T_A, &in), 0);
	ck_assert_int_eq(in.kind, RESOLV_REPLY_CNAME);
	uint8_t want[DNS_NAME_MAX + 1];
	wire_name("elsewhere.test.", want);
	ck_assert(dns_name_equal(in.target, want));
	/* SERVFAIL and friends: another server. */
	n = build_reply(m, sizeof m, DNS_T_A, DNS_RCODE_SERVFAIL, 0, NULL, 0);
	ck_assert_int_eq(resolv_reply_read(m, n, qname, DNS_T_A, &in), 0);
	ck_assert_int_eq(in.kind, RESOLV_REPLY_FAIL);
	/* TC is reported. */
	n = build_reply(m, sizeof m, DNS_T_A, 0, DNS_F_TC, NULL, 0);
	ck_assert_int_eq(resolv_reply_read(m, n, qname, DNS_T_A, &in), 0);
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
	struct resolv_reply_info in;
	size_t n = build_reply(m, sizeof m, DNS_T_A, 0, 0, loop, 2);

	ck_assert_int_eq(resolv_reply_read(m, n, qname, DNS_T_A, &in),
			 ERR_PARSE);
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
	ck_assert_int_eq(resolv_reply_read(m, w.len, qname, DNS_T_A, &in),
			 ERR_PARSE);
	/* Truncated in the middle of a record. */
	n = build_reply(m, sizeof m, DNS_T_A, 0, 0, short_a, 1);
	ck_assert_int_eq(resolv_reply_read(m, n - 3, qname, DNS_T_A, &in),
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

	ck_assert_int_eq(resolv_reply_matches(q, qlen, r, n), 1);
	r[1] = 8;			/* another ID */
	ck_assert_int_eq(resolv_reply_matches(q, qlen, r, n), 0);
	r[1] = 7;
	r[2] &= (uint8_t)~0x80;		/* QR clear: a query, not a reply */
	ck_assert_int_eq(resolv_reply_matches(q, qlen, r, n), 0);
	r[2] |= 0x80;
	r[13] = 'W';			/* the name in another case */
	ck_assert_int_eq(resolv_reply_matches(q, qlen, r, n), 1);
	r[14] = 'x';			/* another name */
	ck_assert_int_eq(resolv_reply_matches(q, qlen, r, n), 0);
	n = build_reply(r, sizeof r, DNS_T_AAAA, 0, 0, NULL, 0);
	ck_assert_int_eq(resolv_reply_matches(q, qlen, r, n), 0);
	/* No question: only with an error rcode. */
	n = build_reply(r, sizeof r, DNS_T_A, DNS_RCODE_SERVFAIL, 0, NULL, 0);
	r[5] = 0;
	ck_assert_int_eq(resolv_reply_matches(q, qlen, r, 12), 1);
	r[3] &= 0xf0;
	ck_assert_int_eq(resolv_reply_matches(q, qlen, r, 12), 0);
	ck_assert_int_eq(resolv_reply_matches(q, qlen, r, 5), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("resolv_reply");
	TCase *tc = tcase_create("reply");

	tcase_add_test(tc, reply_addresses_and_chain);
	tcase_add_test(tc, reply_negative);
	tcase_add_test(tc, reply_bad);
	tcase_add_test(tc, reply_matching);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
