/* Unit tests of zone transfer's pure parts: RFC 1982 serials, TSIG keys,
 * signing and checking (RFC 8945), transfer streams built and read back
 * (RFC 5936, RFC 1995), what the reader refuses, and the journal. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "dns/dns_db.h"
#include "dns/dns_journal.h"
#include "dns/dns_serial.h"
#include "dns/dns_tsig.h"
#include "dns/dns_xfr.h"
#include "unit.h"

static const struct {
	uint32_t a, b;
	int cmp;
} serials[] = {
	{ 1, 1, 0 }, { 2, 1, 1 }, { 1, 2, -1 },
	{ 1158658354u, 4000000000u, 1 },	/* wrapped: newer */
	{ 4000000000u, 1158658354u, -1 },
	{ 0, 0xffffffffu, 1 }, { 0x7fffffffu, 0, 1 },
	{ 0x80000000u, 0, -1 },		/* undefined: not newer */
};

START_TEST(serial_arithmetic)
{
	ck_assert_int_eq(dns_serial_cmp(serials[_i].a, serials[_i].b),
			 serials[_i].cmp);
}
END_TEST

static const struct {
	const char *spec;
	int ok, alg;
	size_t slen;
} keys[] = {
	{ "k:c2VjcmV0", 1, DNS_TSIG_SHA256, 6 },
	{ "hmac-sha512:k.example:c2VjcmV0", 1, DNS_TSIG_SHA512, 6 },
	{ "HMAC-SHA1:k:YQ==", 1, DNS_TSIG_SHA1, 1 },
	{ "hmac-md5:k:c2VjcmV0", 0, 0, 0 },
	{ "k", 0, 0, 0 },
	{ ":c2VjcmV0", 0, 0, 0 },
	{ "k:", 0, 0, 0 },
	{ "k:not base64", 0, 0, 0 },
	{ "k:YQ=a", 0, 0, 0 },
};

START_TEST(key_parse)
{
	struct dns_tsig_key k;
	const char *why = NULL;
	int rc = dns_tsig_key_parse(keys[_i].spec, &k, &why);

	ck_assert_msg((rc == 0) == keys[_i].ok, "%s", keys[_i].spec);
	if (!keys[_i].ok) {
		ck_assert_ptr_nonnull(why);
		return;
	}
	ck_assert_int_eq(k.alg, keys[_i].alg);
	ck_assert_uint_eq(k.slen, keys[_i].slen);
}
END_TEST

/* A query for example.test. SOA, id 0x1234. */
static size_t
make_query(uint8_t *m)
{
	static const uint8_t q[] = { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't',
		0, 0, 6, 0, 1 };

	memcpy(m, q, sizeof q);
	return sizeof q;
}

static struct dns_tsig_key
key(const char *spec)
{
	struct dns_tsig_key k;
	const char *why;

	ck_assert_int_eq(dns_tsig_key_parse(spec, &k, &why), 0);
	return k;
}

START_TEST(tsig_sign_then_verify)
{
	struct dns_tsig_key k = key("hmac-sha256:k:c2VjcmV0c2VjcmV0");
	struct dns_tsig_ctx a, b;
	struct dns_tsig_rr t;
	uint8_t m[512];
	size_t n = make_query(m);

	ck_assert_int_eq(dns_tsig_ctx_init(&a, &k), 0);
	ck_assert_int_eq(dns_tsig_sign(&a, m, &n, sizeof m, 1000000, 0, 0),
			 0);
	ck_assert_int_eq(m[11], 1);
	ck_assert_int_eq(dns_tsig_find(m, n, &t), 1);
	ck_assert_ptr_eq(dns_tsig_lookup(&k, 1, &t), &k);
	ck_assert_uint_eq(t.time, 1000000);
	ck_assert_int_eq(dns_tsig_ctx_init(&b, &k), 0);
	ck_assert_int_eq(dns_tsig_verify(&b, m, n, &t, 1000100, 0), 0);
	dns_tsig_ctx_fini(&b);
	/* Outside the fudge: BADTIME (the MAC is good). */
	ck_assert_int_eq(dns_tsig_ctx_init(&b, &k), 0);
	ck_assert_int_eq(dns_tsig_verify(&b, m, n, &t, 1000000 + 301, 0),
			 DNS_TSIG_BADTIME);
	dns_tsig_ctx_fini(&b);
	/* One bit of the message changed: BADSIG. */
	m[3] ^= 1;
	ck_assert_int_eq(dns_tsig_ctx_init(&b, &k), 0);
	ck_assert_int_eq(dns_tsig_verify(&b, m, n, &t, 1000000, 0),
			 DNS_TSIG_BADSIG);
	dns_tsig_ctx_fini(&b);
	/* Another key of the same name: BADSIG too. */
	struct dns_tsig_key other = key("k:b3RoZXI=");
	m[3] ^= 1;
	ck_assert_int_eq(dns_tsig_ctx_init(&b, &other), 0);
	ck_assert_int_eq(dns_tsig_verify(&b, m, n, &t, 1000000, 0),
			 DNS_TSIG_BADSIG);
	dns_tsig_ctx_fini(&b);
	dns_tsig_ctx_fini(&a);
}
END_TEST

/* A stream: the request, then three replies, the middle one unsigned;
 * the reader's chain must agree with the writer's. */
START_TEST(tsig_stream_chain)
{
	struct dns_tsig_key k = key("hmac-sha512:k:c2VjcmV0c2VjcmV0");
	struct dns_tsig_ctx cli, srv;
	struct dns_tsig_rr t;
	uint8_t m[512], r[3][512];
	size_t n = make_query(m), rn[3];

	dns_tsig_ctx_init(&cli, &k);
	dns_tsig_ctx_init(&srv, &k);
	dns_tsig_sign(&cli, m, &n, sizeof m, 5000, 0, 0);
	ck_assert_int_eq(dns_tsig_find(m, n, &t), 1);
	ck_assert_int_eq(dns_tsig_verify(&srv, m, n, &t, 5000, 0), 0);
	for (int i = 0; i < 3; i++) {
		rn[i] = make_query(r[i]);
		r[i][2] = 0x84;
		r[i][1] = (uint8_t)i;	/* differ */
		if (i == 1) {
			ck_assert_int_eq(dns_tsig_skip(&srv, r[i], rn[i]), 0);
			continue;
		}
		ck_assert_int_eq(dns_tsig_sign(&srv, r[i], &rn[i],
					       sizeof r[i], 5000, 0, i > 0),
				 0);
	}
	for (int i = 0; i < 3; i++) {
		if (i == 1) {
			ck_assert_int_eq(dns_tsig_find(r[i], rn[i], &t), 0);
			ck_assert_int_eq(dns_tsig_skip(&cli, r[i], rn[i]), 0);
			continue;
		}
		ck_assert_int_eq(dns_tsig_find(r[i], rn[i], &t), 1);
		ck_assert_int_eq(dns_tsig_verify(&cli, r[i], rn[i], &t, 5000,
						 i > 0), 0);
	}
	dns_tsig_ctx_fini(&cli);
	dns_tsig_ctx_fini(&srv);
}
END_TEST

START_TEST(tsig_must_be_last)
{
	struct dns_tsig_key k = key("k:c2VjcmV0");
	struct dns_tsig_ctx c;
	struct dns_tsig_rr t;
	uint8_t m[512];
	size_t n = make_query(m);

	ck_assert_int_eq(dns_tsig_find(m, n, &t), 0);
	dns_tsig_ctx_init(&c, &k);
	dns_tsig_sign(&c, m, &n, sizeof m, 1, 0, 0);
	/* An OPT after the TSIG. */
	static const uint8_t opt[] = { 0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0 };
	memcpy(m + n, opt, sizeof opt);
	m[11]++;
	ck_assert_int_eq(dns_tsig_find(m, n + sizeof opt, &t), ERR_PARSE);
	/* Cut short. */
	m[11]--;
	ck_assert_int_eq(dns_tsig_find(m, n - 1, &t), ERR_PARSE);
	dns_tsig_ctx_fini(&c);
}
END_TEST

static const char zone_text[] =
	"$ORIGIN t.\n$TTL 300\n"
	"@ SOA ns admin 7 2 3 4 5\n"
	"@ NS ns\nns A 10.0.0.1\nmx MX 10 ns\n"
	"a.b.c TXT \"deep\"\nwww CNAME ns\n";

static struct dns_db *
load(const char *text)
{
	const char *names[] = { "t.zone" }, *texts[] = { text };
	char err[256];
	struct dns_db *db = NULL;

	ck_assert_msg(dns_db_load_texts(names, texts, 1, &db, err,
					sizeof err) == 0, "%s", err);
	return db;
}

struct collected {
	int full, del, add, version;
	int outside;
};

static int
collect(void *arg, enum dns_xfr_op op, const struct dns_xfr_rec *r)
{
	struct collected *c = arg;

	c->full += op == DNS_XFR_FULL;
	c->del += op == DNS_XFR_DEL;
	c->add += op == DNS_XFR_ADD;
	c->version += op == DNS_XFR_VERSION;
	return 0;
}

/* Writes the transfer of src for q in messages of at most max bytes and
 * reads it back. Returns what the reader said of the last message. */
static int
roundtrip(struct dns_xfr_src *src, const struct dns_xfr_q *q, size_t max,
	  uint32_t have, struct collected *c, int *nmsg)
{
	static uint8_t m[DNS_MAX_MSG];
	struct dns_xfr_in in;
	const char *why;
	int rc = 0, first = 1;
	size_t n;

	dns_xfr_in_init(&in, (const uint8_t *)"\1t", q->id, q->type, have);
	in.rr = collect;
	in.arg = c;
	*nmsg = 0;
	while ((n = dns_xfr_msg(src, q, first, m, max, 0)) > 0) {
		first = 0;
		(*nmsg)++;
		rc = dns_xfr_in_msg(&in, m, n, &why);
		if (rc != 0)
			break;
	}
	return rc;
}

START_TEST(axfr_roundtrip_in_small_messages)
{
	struct dns_db *db = load(zone_text);
	struct dns_xfr_src s;
	struct dns_xfr_q q = { .id = 77, .type = DNS_T_AXFR,
			       .class = DNS_C_IN };
	struct collected c = { 0 };
	int nmsg;

	memcpy(q.name, "\1t", 3);
	dns_xfr_src_zone(&s, db->zones[0]);
	ck_assert_int_eq(roundtrip(&s, &q, 120, 0, &c, &nmsg), 1);
	ck_assert_int_gt(nmsg, 1);
	ck_assert_int_eq(c.full, 6);	/* the SOA and five records */
	dns_xfr_src_zone(&s, db->zones[0]);
	memset(&c, 0, sizeof c);
	ck_assert_int_eq(roundtrip(&s, &q, DNS_MAX_MSG, 0, &c, &nmsg), 1);
	ck_assert_int_eq(nmsg, 1);
	dns_db_free(db);
}
END_TEST

START_TEST(ixfr_from_journal_roundtrip)
{
	struct dns_db *a = load(zone_text);
	char text2[sizeof zone_text + 64];
	strcpy(text2, zone_text);
	*strstr(text2, " 7 ") = 0;
	strcat(text2, " 8 2 3 4 5\n@ NS ns\nns A 10.0.0.9\nmx MX 10 ns\n"
	       "a.b.c TXT \"deep\"\nwww CNAME ns\nnew A 1.2.3.4\n");
	struct dns_db *b = load(text2);
	struct dns_journal j;
	struct buf list;
	struct dns_xfr_src s;
	struct dns_xfr_q q = { .id = 9, .type = DNS_T_IXFR,
			       .class = DNS_C_IN };
	struct collected c = { 0 };
	int nmsg;

	memcpy(q.name, "\1t", 3);
	dns_journal_init(&j, (const uint8_t *)"\1t", 1 << 20);
	ck_assert_int_eq(dns_journal_add(&j, a->zones[0], b->zones[0]), 0);
	buf_init(&list, 1 << 20);
	ck_assert_int_eq(dns_journal_ixfr(&j, 7, b->zones[0], &list), 1);
	dns_xfr_src_list(&s, buf_data(&list), buf_size(&list));
	ck_assert_int_eq(roundtrip(&s, &q, DNS_MAX_MSG, 7, &c, &nmsg), 1);
	ck_assert_int_eq(c.version, 1);
	ck_assert_int_eq(c.del, 1);	/* ns A 10.0.0.1 */
	ck_assert_int_eq(c.add, 3);	/* the new SOA, ns A, new A */
	/* Not in the journal: 6; up to date is the caller's case. */
	buf_reset(&list);
	ck_assert_int_eq(dns_journal_ixfr(&j, 6, b->zones[0], &list), 0);
	buf_fini(&list);
	dns_journal_fini(&j);
	dns_db_free(a);
	dns_db_free(b);
}
END_TEST

/* Hand-made answers the reader must refuse whole. */
static size_t
answer(uint8_t *m, uint16_t id, int rcode, const char *const *recs, int n)
{
	struct dns_wr w;
	struct dns_hdr h = { id, (uint16_t)(0x8400 | rcode), 0,
			     (uint16_t)n, 0, 0 };

	dns_wr_init(&w, m, DNS_MAX_MSG);
	dns_wr_hdr(&w, &h);
	for (int i = 0; i < n; i++) {
		const char *r = recs[i];
		if (r[0] == 'S')	/* "S7": the SOA of serial 7 */
			dns_wr_rr(&w, (const uint8_t *)"\1t", DNS_T_SOA,
				  DNS_C_IN, 300, (const uint8_t *)
				  (r[1] == '7' ?
				   "\2ns\1t\0\1a\1t\0\0\0\0\7\0\0\0\1\0\0\0\1"
				   "\0\0\0\1\0\0\0\1" :
				   "\2ns\1t\0\1a\1t\0\0\0\0\10\0\0\0\1\0\0\0\1"
				   "\0\0\0\1\0\0\0\1"), 31);
		else
			dns_wr_rr(&w, (const uint8_t *)(r[0] == 'O' ?
				  "\1x\1u" : "\1a\1t"), DNS_T_A, DNS_C_IN,
				  300, (const uint8_t *)"\1\2\3\4", 4);
	}
	return w.len;
}

START_TEST(reader_refuses)
{
	static const char *const outside[] = { "S7", "A", "O", "S7" };
	static const char *const last[] = { "S7", "A", "S8" };
	static const char *const nosoa[] = { "A", "S7" };
	static const char *const good[] = { "S7", "A", "S7" };
	uint8_t m[DNS_MAX_MSG];
	struct dns_xfr_in in;
	struct collected c = { 0 };
	const char *why;
	const struct {
		const char *const *recs;
		int n, id, rcode, want;
	} cases[] = {
		{ outside, 4, 5, 0, ERR_PARSE },
		{ last, 3, 5, 0, ERR_PARSE },
		{ nosoa, 2, 5, 0, ERR_PARSE },
		{ good, 3, 6, 0, ERR_PARSE },	/* another ID */
		{ good, 3, 5, 5, ERR_PARSE },	/* REFUSED */
		{ good, 3, 5, 0, 1 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = answer(m, (uint16_t)cases[i].id, cases[i].rcode,
				  cases[i].recs, cases[i].n);
		dns_xfr_in_init(&in, (const uint8_t *)"\1t", 5, DNS_T_AXFR,
				0);
		in.rr = collect;
		in.arg = &c;
		ck_assert_msg(dns_xfr_in_msg(&in, m, n, &why) ==
			      cases[i].want, "case %zu", i);
	}
	/* IXFR: the SOA alone, not newer: up to date. */
	static const char *const alone[] = { "S7" };
	size_t n = answer(m, 5, 0, alone, 1);
	dns_xfr_in_init(&in, (const uint8_t *)"\1t", 5, DNS_T_IXFR, 7);
	in.rr = collect;
	in.arg = &c;
	ck_assert_int_eq(dns_xfr_in_msg(&in, m, n, &why), 1);
	ck_assert_int_eq(in.up_to_date, 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dns_xfr");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, serial_arithmetic, 0,
			    sizeof serials / sizeof serials[0]);
	tcase_add_loop_test(tc, key_parse, 0, sizeof keys / sizeof keys[0]);
	tcase_add_test(tc, tsig_sign_then_verify);
	tcase_add_test(tc, tsig_stream_chain);
	tcase_add_test(tc, tsig_must_be_last);
	tcase_add_test(tc, axfr_roundtrip_in_small_messages);
	tcase_add_test(tc, ixfr_from_journal_roundtrip);
	tcase_add_test(tc, reader_refuses);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
