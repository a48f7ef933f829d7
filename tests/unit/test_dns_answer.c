/* Unit tests of the database and the pure responder: a table of
 * questions and the rcode, flags and section counts of each reply, plus
 * the UDP size rules and malformed queries. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "dns/dns_answer_int.h"
#include "dns/dns_db.h"
#include "dns/dns_rr.h"
#include "dns/dns_wire.h"
#include "unit.h"

static const char zone[] =
	"$ORIGIN example.test.\n$TTL 3600\n"
	"@ SOA ns1 admin 1 7200 3600 1209600 300\n"
	"  NS ns1\n  MX 10 mail\n"
	"ns1 A 192.0.2.1\nmail A 192.0.2.2\nmail AAAA 2001:db8::2\n"
	"www A 192.0.2.3\nwww A 192.0.2.3\nwww A 192.0.2.4\n"
	"web CNAME www\nout CNAME www.example.net.\n"
	"*.w TXT \"wild\"\na.b.ent A 192.0.2.5\n"
	"sub NS ns.sub\nns.sub A 192.0.2.6\n";

static struct dns_db *db;

static void
setup(void)
{
	const char *names[] = { "t.zone" }, *texts[] = { zone };
	char err[256];

	ck_assert_msg(dns_db_load_texts(names, texts, 1, &db, err,
					sizeof err) == 0, "%s", err);
	ck_assert_int_eq(dns_answer_prepare(db), 0);
}

/* One query through dns_answer: returns the reply length. */
static size_t
answer(const uint8_t *q, size_t qlen, uint8_t *r, size_t outsz, int tcp)
{
	struct dns_msg m = { q, qlen, r, 0, 0 };

	dns_answer(db, &m, 1, outsz, tcp);
	return m.rlen;
}

static void
teardown(void)
{
	dns_db_free(db);
}

static size_t
make_query(uint8_t *q, const char *name, uint16_t type, int edns,
	   uint16_t size)
{
	struct dns_wr w;
	uint8_t wire[256];
	const char *why;
	struct dns_hdr h = { 0x1234, 0, 1, 0, 0, edns ? 1 : 0 };

	dns_name_parse(name, strlen(name), (const uint8_t *)"", wire, &why);
	dns_wr_init(&w, q, 512);
	dns_wr_hdr(&w, &h);
	dns_wr_name(&w, wire, 0);
	dns_wr_u16(&w, type);
	dns_wr_u16(&w, DNS_C_IN);
	if (edns)
		dns_wr_opt(&w, size, 0, 0);
	return w.len;
}

static const struct {
	const char *name;
	uint16_t type;
	int rcode, aa;
	unsigned an, ns, ar;	/* ar without the OPT record */
} cases[] = {
	{ "www.example.test", DNS_T_A, 0, 1, 2, 1, 1 },	/* duplicate dropped */
	{ "WWW.EXAMPLE.TEST", DNS_T_A, 0, 1, 2, 1, 1 },
	{ "example.test", DNS_T_MX, 0, 1, 1, 1, 3 },
	{ "example.test", DNS_T_NS, 0, 1, 1, 0, 1 },
	{ "web.example.test", DNS_T_A, 0, 1, 3, 1, 1 },
	{ "web.example.test", DNS_T_CNAME, 0, 1, 1, 1, 1 },
	{ "out.example.test", DNS_T_A, 0, 1, 1, 0, 0 },
	{ "nope.example.test", DNS_T_A, DNS_RCODE_NXDOMAIN, 1, 0, 1, 0 },
	{ "www.example.test", DNS_T_TXT, 0, 1, 0, 1, 0 },
	{ "x.w.example.test", DNS_T_TXT, 0, 1, 1, 1, 1 },
	{ "x.y.w.example.test", DNS_T_TXT, 0, 1, 1, 1, 1 },
	{ "w.example.test", DNS_T_TXT, 0, 1, 0, 1, 0 },
	{ "b.ent.example.test", DNS_T_A, 0, 1, 0, 1, 0 },
	{ "c.ent.example.test", DNS_T_A, DNS_RCODE_NXDOMAIN, 1, 0, 1, 0 },
	{ "x.sub.example.test", DNS_T_A, 0, 0, 0, 1, 1 },
	{ "sub.example.test", DNS_T_DS, 0, 1, 0, 1, 0 },
	{ "example.test", DNS_T_ANY, 0, 1, 1, 1, 1 },
	{ "example.org", DNS_T_A, DNS_RCODE_REFUSED, 0, 0, 0, 0 },
	{ "example.test", DNS_T_AXFR, DNS_RCODE_REFUSED, 0, 0, 0, 0 },
};

START_TEST(answers)
{
	uint8_t q[512], r[DNS_MAX_MSG];
	struct dns_cur c;
	struct dns_hdr h;
	size_t qlen = make_query(q, cases[_i].name, cases[_i].type, 1, 4096);
	size_t n = answer(q, qlen, r, sizeof r, 0);

	ck_assert_uint_gt(n, 12);
	dns_cur_init(&c, r, n);
	dns_hdr_read(&c, &h);
	ck_assert_uint_eq(h.id, 0x1234);
	ck_assert_int_eq(DNS_F_RCODE(h.flags), cases[_i].rcode);
	ck_assert_int_eq(!!(h.flags & DNS_F_AA), cases[_i].aa);
	ck_assert(h.flags & DNS_F_QR);
	ck_assert(!(h.flags & DNS_F_RA));
	ck_assert_uint_eq(h.qdcount, 1);
	ck_assert_uint_eq(h.ancount, cases[_i].an);
	ck_assert_uint_eq(h.nscount, cases[_i].ns);
	ck_assert_uint_eq(h.arcount, cases[_i].ar + 1);
	/* The question comes back byte for byte. */
	ck_assert_mem_eq(r + 12, q + 12, qlen - 12 - 11);
}
END_TEST

START_TEST(udp_limits_and_truncation)
{
	uint8_t q[512], r[DNS_MAX_MSG];
	size_t qlen, n;
	char name[300];

	/* Without EDNS and with a tiny EDNS size: 512 bytes at most. */
	strcpy(name, "www.example.test");
	qlen = make_query(q, name, DNS_T_A, 0, 0);
	n = answer(q, qlen, r, sizeof r, 0);
	ck_assert_uint_le(n, 512);
	ck_assert_uint_eq(r[11], 1);	/* arcount: no OPT */
	/* An empty UDP limit forces TC: answer over a 12-byte-header budget. */
	qlen = make_query(q, name, DNS_T_A, 1, 100);
	n = answer(q, qlen, r, 60, 0);
	ck_assert_uint_gt(n, 0);
	ck_assert(r[2] & (DNS_F_TC >> 8));
	ck_assert_uint_eq(r[7], 0);	/* no answer records */
	ck_assert_uint_eq(r[11], 1);	/* but the OPT */
}
END_TEST

START_TEST(malformed_queries)
{
	uint8_t q[512], r[DNS_MAX_MSG];
	size_t qlen = make_query(q, "www.example.test", DNS_T_A, 0, 0);

	ck_assert_uint_eq(answer(q, 11, r, sizeof r, 1), 0);
	q[2] |= 0x80;		/* a response: dropped */
	ck_assert_uint_eq(answer(q, qlen, r, sizeof r, 1), 0);
	q[2] &= 0x7f;
	q[5] = 2;		/* QDCOUNT 2 */
	size_t n = answer(q, qlen, r, sizeof r, 1);
	ck_assert_uint_eq(n, 12);
	ck_assert_int_eq(r[3] & 15, DNS_RCODE_FORMERR);
	q[5] = 1;
	q[2] = 0x28;		/* opcode 5 */
	n = answer(q, qlen, r, sizeof r, 1);
	ck_assert_int_eq(r[3] & 15, DNS_RCODE_NOTIMP);
	ck_assert_uint_eq(n, qlen);
	q[2] = 0;
	n = answer(q, qlen - 1, r, sizeof r, 1);
	ck_assert_int_eq(r[3] & 15, DNS_RCODE_FORMERR);
}
END_TEST

/* Answers q with and without zone z's tails, and with and without a
 * probe of its name (dns_answer_probe, as a UDP batch does); the replies
 * must match. */
static void
same_without_tails(struct dns_zone *z, const uint8_t *q, size_t qlen)
{
	static uint8_t r1[DNS_MAX_MSG], r2[DNS_MAX_MSG];
	struct dns_answer_tail *saved[2] = { z->tail[0], z->tail[1] };
	struct dns_probe p;

	for (int tcp = 0; tcp < 2; tcp++) {
		size_t n1 = answer(q, qlen, r1, sizeof r1, tcp);
		z->tail[0] = z->tail[1] = NULL;
		size_t n2 = answer(q, qlen, r2, sizeof r2, tcp);
		z->tail[0] = saved[0];
		z->tail[1] = saved[1];
		ck_assert_uint_eq(n1, n2);
		ck_assert_mem_eq(r1, r2, n1);
		dns_answer_probe(db, q, qlen, &p);
		for (int i = 0; i < DNS_PROBE_STEPS; i++)
			dns_zone_probe_step(&p);
		n2 = dns_answer_one(db, &p, q, qlen, r2, sizeof r2, tcp);
		ck_assert_uint_eq(n1, n2);
		ck_assert_mem_eq(r1, r2, n1);
		n2 = dns_answer_one(db, NULL, q, qlen, r2, sizeof r2, tcp);
		ck_assert_uint_eq(n1, n2);
		ck_assert_mem_eq(r1, r2, n1);
	}
}

/* A batch larger than DNS_ANSWER_BATCH, with a query left out, gets the
 * replies its queries get one by one. */
START_TEST(batch_is_queries_one_by_one)
{
	enum { N = DNS_ANSWER_BATCH + 5 };
	static uint8_t q[N][512], r[N][DNS_EDNS_UDP_MAX], one[DNS_EDNS_UDP_MAX];
	struct dns_msg m[N];
	size_t ncases = sizeof cases / sizeof cases[0];

	for (int i = 0; i < N; i++) {
		m[i].q = q[i];
		m[i].qlen = make_query(q[i], cases[i % ncases].name,
				       cases[i % ncases].type, i & 1, 1232);
		m[i].r = r[i];
	}
	m[3].qlen = 0;
	for (int tcp = 0; tcp < 2; tcp++) {
		dns_answer(db, m, N, DNS_EDNS_UDP_MAX, tcp);
		ck_assert_uint_eq(m[3].rlen, 0);
		for (int i = 0; i < N; i++) {
			size_t n = answer(q[i], m[i].qlen, one, sizeof one,
					  tcp);
			ck_assert_uint_eq(m[i].rlen, n);
			ck_assert_mem_eq(r[i], one, n);
		}
	}
}
END_TEST

/* A probe finds the node of a name in any case, and knows a name that
 * is not there. */
START_TEST(probe_finds_the_node)
{
	uint8_t q[512];
	struct dns_probe p;
	const struct dns_zone *z = db->zones[0];
	size_t qlen = make_query(q, "WwW.example.test", DNS_T_A, 0, 0);

	ck_assert_int_eq(dns_answer_probe(db, q, qlen, &p), 1);
	for (int i = 0; i < DNS_PROBE_STEPS; i++)
		dns_zone_probe_step(&p);
	ck_assert_ptr_null(p.z);
	ck_assert_int_eq(p.known, 1);
	ck_assert_ptr_eq(p.node, dns_zone_lookup(z, (const uint8_t *)"\3www", 4));
	/* A compressed question name is not probed. */
	q[12] = 0xc0;
	ck_assert_int_eq(dns_answer_probe(db, q, qlen, &p), 0);
	ck_assert_ptr_null(p.z);
}
END_TEST

/* The precomputed tails (the zone's NS and glue after a positive answer,
 * its SOA after a negative one) give the bytes the general writer gives,
 * whatever the question: names that share labels with the NS targets or
 * the SOA, mixed case, sizes that truncate or drop the additional. */
START_TEST(tails_change_no_byte)
{
	static const char *const names[] = {
		"www.example.test", "WwW.ExAmPlE.tEsT", "example.test",
		"ns1.example.test", "NS1.example.test", "x.ns1.example.test",
		"mail.example.test", "admin.example.test", "nope.example.test",
		"a.admin.example.test", "web.example.test", "x.w.example.test",
		"b.ent.example.test", "x.sub.example.test", "out.example.test",
		"ns1x.example.test", "xns1.example.test",
	};
	static const uint16_t types[] = { DNS_T_A, DNS_T_AAAA, DNS_T_NS,
					  DNS_T_MX, DNS_T_TXT, DNS_T_ANY };
	static const uint16_t sizes[] = { 0, 60, 100, 130, 4096 };
	struct dns_zone *z = db->zones[0];
	uint8_t q[512];

	ck_assert_ptr_nonnull(z->tail[DNS_TAIL_POS]);
	ck_assert_ptr_nonnull(z->tail[DNS_TAIL_NEG]);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
			for (size_t k = 0; k < sizeof sizes / sizeof *sizes;
			     k++)
				same_without_tails(z, q, make_query(q, names[i],
					types[t], sizes[k] != 0, sizes[k]));
}
END_TEST

/* A query whose question name has the given label lengths, then
 * example.test; type A, no EDNS. Returns its length. */
static size_t
raw_query(uint8_t *q, const int *labels, int nlabels)
{
	static const uint8_t tail[] = "\7example\4test\0\0\1\0\1";
	size_t o = 12;

	memset(q, 0, 12);
	q[5] = 1;		/* one question */
	for (int i = 0; i < nlabels; i++) {
		q[o++] = (uint8_t)labels[i];
		memset(q + o, 'X', (size_t)labels[i]);
		o += (size_t)labels[i];
	}
	memcpy(q + o, tail, sizeof tail - 1);
	return o + sizeof tail - 1;
}

/* The probe notes the question name's length when the name is
 * uncompressed and within 255 bytes, and the answer then copies it in one
 * go: the replies do not change, at the limit or past it. */
START_TEST(probe_notes_the_question)
{
	static const int longest[] = { 63, 63, 63, 48 };	/* 255 bytes */
	static const int too_long[] = { 63, 63, 63, 49 };	/* 256 */
	struct dns_zone *z = db->zones[0];
	uint8_t q[512], r[DNS_MAX_MSG];
	struct dns_probe p;
	size_t qlen = raw_query(q, longest, 4);

	dns_answer_probe(db, q, qlen, &p);
	ck_assert_uint_eq(p.qname, 255);
	same_without_tails(z, q, qlen);
	ck_assert_uint_gt(answer(q, qlen, r, sizeof r, 0), 12);
	ck_assert_int_eq(r[3] & 15, DNS_RCODE_NXDOMAIN);

	qlen = raw_query(q, too_long, 4);
	dns_answer_probe(db, q, qlen, &p);
	ck_assert_uint_eq(p.qname, 0);
	same_without_tails(z, q, qlen);
	/* FORMERR, the header alone: there is no question to echo. */
	ck_assert_uint_eq(answer(q, qlen, r, sizeof r, 0), 12);
	ck_assert_int_eq(r[3] & 15, DNS_RCODE_FORMERR);

	/* A compressed question name (it can only point into itself) is
	 * read, and refused, the general way. */
	memcpy(q + 12, "\3www\xc0\x0c\0\1\0\1", 10);
	qlen = 22;
	dns_answer_probe(db, q, qlen, &p);
	ck_assert_uint_eq(p.qname, 0);
	same_without_tails(z, q, qlen);
	/* FORMERR, the header alone: there is no question to echo. */
	ck_assert_uint_eq(answer(q, qlen, r, sizeof r, 0), 12);
	ck_assert_int_eq(r[3] & 15, DNS_RCODE_FORMERR);
}
END_TEST

START_TEST(db_shape)
{
	const struct dns_zone *z = dns_db_zone(db, (const uint8_t *)"\3www\7example\4test");

	ck_assert_ptr_nonnull(z);
	ck_assert_ptr_null(dns_db_zone(db, (const uint8_t *)"\4test"));
	ck_assert_ptr_nonnull(dns_zone_soa(z));
	/* ent and b.ent exist as empty non-terminals. */
	const struct dns_node *n = dns_zone_lookup(z, (const uint8_t *)"\1b\3ent", 6);
	ck_assert_ptr_nonnull(n);
	ck_assert_uint_eq(dns_node_nrrset(n), 0);
	n = dns_zone_lookup(z, (const uint8_t *)"\3sub", 4);
	ck_assert(dns_node_is_cut(n));
	ck_assert_uint_eq(db->nrecords, 15);	/* as read, duplicate included */
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dns_answer");
	TCase *tc = tcase_create("answer");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, answers, 0, sizeof cases / sizeof cases[0]);
	tcase_add_test(tc, udp_limits_and_truncation);
	tcase_add_test(tc, malformed_queries);
	tcase_add_test(tc, batch_is_queries_one_by_one);
	tcase_add_test(tc, tails_change_no_byte);
	tcase_add_test(tc, probe_finds_the_node);
	tcase_add_test(tc, probe_notes_the_question);
	tcase_add_test(tc, db_shape);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
