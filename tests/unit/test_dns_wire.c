/* Unit tests of dns_wire, the DNS wire codec: strict name decompression,
 * the cursor, the compressing writer, rdata expansion, lower-casing. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "dns/dns_wire.h"
#include "unit.h"

/* A 12-byte header of zeros, then the bytes under test at offset 12. */
static size_t
msg_with(uint8_t *m, const void *tail, size_t n)
{
	memset(m, 0, 12);
	memcpy(m + 12, tail, n);
	return 12 + n;
}

static int
read_name_at12(const void *tail, size_t n, uint8_t *out)
{
	uint8_t m[600];
	struct dns_cur c;
	size_t len = msg_with(m, tail, n);

	dns_cur_init(&c, m, len);
	c.pos = 12;
	return dns_name_read(&c, out);
}

START_TEST(name_plain_and_compressed)
{
	uint8_t m[64], out[256];
	static const uint8_t tail[] = { 3, 'w', 'w', 'w', 7, 'e', 'x', 'a',
		'm', 'p', 'l', 'e', 0, 1, 'a', 0xc0, 16 };
	struct dns_cur c;
	size_t len = msg_with(m, tail, sizeof tail);

	dns_cur_init(&c, m, len);
	c.pos = 12;
	ck_assert_int_eq(dns_name_read(&c, out), 13);
	ck_assert_uint_eq(c.pos, 25);
	ck_assert_int_eq(dns_name_read(&c, out), 11);
	ck_assert_mem_eq(out, "\1a\7example\0", 11);
	ck_assert_uint_eq(c.pos, len);
}
END_TEST

static const struct {
	const char *what;
	uint8_t bytes[8];
	size_t n;
} bad_names[] = {
	{ "pointer to itself", { 0xc0, 12 }, 2 },
	{ "pointer forward", { 0xc0, 14, 0 }, 3 },
	{ "pointer out of range", { 0xc0, 200 }, 2 },
	{ "pointer into header", { 0xc0, 2 }, 2 },
	{ "loop through a label", { 1, 'a', 0xc0, 12 }, 4 },
	{ "label type 0x40", { 0x41, 'a', 0 }, 3 },
	{ "label type 0x80", { 0x81, 'a', 0 }, 3 },
	{ "truncated label", { 5, 'a', 'b' }, 3 },
	{ "missing root", { 1, 'a' }, 2 },
	{ "half a pointer", { 0xc0 }, 1 },
	{ "empty", { 0 }, 0 },
};

START_TEST(name_bad)
{
	uint8_t out[256];

	ck_assert_msg(read_name_at12(bad_names[_i].bytes, bad_names[_i].n,
				     out) == ERR_PARSE, "%s",
		      bad_names[_i].what);
}
END_TEST

START_TEST(name_too_long)
{
	uint8_t tail[300], out[256];
	size_t n = 0;

	/* 4 labels of 63 = 256 bytes with the root: one too many. */
	for (int i = 0; i < 4; i++) {
		tail[n++] = 63;
		memset(tail + n, 'x', 63);
		n += 63;
	}
	tail[n++] = 0;
	ck_assert_int_eq(read_name_at12(tail, n, out), ERR_PARSE);
	/* 3 x 63 + a 61-byte label = 255 bytes: accepted. */
	tail[192] = 61;
	tail[192 + 62] = 0;
	ck_assert_int_eq(read_name_at12(tail, 255, out), 255);
}
END_TEST

START_TEST(name_long_via_pointer_chain)
{
	/* Each name points back to the previous one and adds a label; the
	 * length check must refuse the 256th byte. */
	uint8_t tail[600], out[256];
	size_t n = 0, prev = 0;

	for (int i = 0; i < 5; i++) {
		size_t here = 12 + n;
		tail[n++] = 60;
		memset(tail + n, 'y', 60);
		n += 60;
		if (i == 0)
			tail[n++] = 0;
		else {
			tail[n++] = (uint8_t)(0xc0 | prev >> 8);
			tail[n++] = (uint8_t)prev;
		}
		prev = here;
	}
	uint8_t m[700];
	struct dns_cur c;
	size_t len = msg_with(m, tail, n);
	dns_cur_init(&c, m, len);
	c.pos = prev;
	ck_assert_int_eq(dns_name_read(&c, out), ERR_PARSE);
}
END_TEST

START_TEST(cursor_sticky)
{
	static const uint8_t b[] = { 1, 2, 3 };
	struct dns_cur c;

	dns_cur_init(&c, b, sizeof b);
	ck_assert_uint_eq(dns_cur_u16(&c), 0x0102);
	ck_assert_uint_eq(dns_cur_u16(&c), 0);
	ck_assert_int_eq(c.err, ERR_PARSE);
	ck_assert_uint_eq(dns_cur_u8(&c), 0);
}
END_TEST

START_TEST(writer_compresses)
{
	uint8_t m[512], out[256];
	struct dns_wr w;
	struct dns_cur c;

	dns_wr_init(&w, m, sizeof m);
	memset(m, 0, 12);
	w.len = 12;
	dns_wr_name(&w, (const uint8_t *)"\3www\7example\4test", 1);
	size_t after1 = w.len;
	dns_wr_name(&w, (const uint8_t *)"\4mail\7EXAMPLE\4test", 1);
	ck_assert_uint_eq(w.len - after1, 5 + 2);
	dns_wr_name(&w, (const uint8_t *)"\3WWW\7example\4test", 1);
	ck_assert_uint_eq(w.len - after1, 9);
	dns_wr_name(&w, (const uint8_t *)"\3www\7example\4test", 0);
	ck_assert_int_eq(w.err, 0);
	dns_cur_init(&c, m, w.len);
	c.pos = 12;
	ck_assert_int_eq(dns_name_read(&c, out), 18);
	ck_assert_int_eq(dns_name_read(&c, out), 19);
	ck_assert_mem_eq(out, "\4mail\7example\4test", 19);
	ck_assert_int_eq(dns_name_read(&c, out), 18);
	ck_assert_int_eq(dns_name_read(&c, out), 18);
	ck_assert_uint_eq(c.pos, w.len);
}
END_TEST

/* Reads a whole message: header, questions, records. */
static int
read_message(const uint8_t *m, size_t len)
{
	struct dns_cur c;
	struct dns_hdr h;
	struct dns_question q;
	struct dns_rr rr;

	dns_cur_init(&c, m, len);
	dns_hdr_read(&c, &h);
	for (unsigned i = 0; i < h.qdcount && !c.err; i++)
		dns_question_read(&c, &q);
	for (unsigned i = 0; i < (unsigned)h.ancount + h.nscount + h.arcount &&
	     !c.err; i++)
		dns_rr_read(&c, &rr);
	return c.err ? c.err : (c.pos == len ? 0 : ERR_PARSE);
}

START_TEST(every_prefix_of_a_message_fails)
{
	uint8_t m[512];
	struct dns_wr w;
	struct dns_hdr h = { 7, DNS_F_QR | DNS_F_AA, 1, 2, 0, 1 };
	static const uint8_t name[] = "\3www\7example\4test";
	static const uint8_t a[] = { 192, 0, 2, 1 };

	dns_wr_init(&w, m, sizeof m);
	dns_wr_hdr(&w, &h);
	dns_wr_name(&w, name, 1);
	dns_wr_u16(&w, DNS_T_A);
	dns_wr_u16(&w, DNS_C_IN);
	dns_wr_rr(&w, name, DNS_T_A, DNS_C_IN, 60, a, 4);
	dns_wr_rr(&w, name, DNS_T_CNAME, DNS_C_IN, 60, name, sizeof name);
	dns_wr_opt(&w, 1232, 0, 0);
	ck_assert_int_eq(w.err, 0);
	ck_assert_int_eq(read_message(m, w.len), 0);
	for (size_t n = 0; n < w.len; n++)
		ck_assert_msg(read_message(m, n) == ERR_PARSE, "prefix %zu", n);
}
END_TEST

START_TEST(writer_overflow_and_rollback)
{
	uint8_t m[20];
	struct dns_wr w;

	dns_wr_init(&w, m, sizeof m);
	dns_wr_u32(&w, 1);
	struct dns_wr_mark mk = dns_wr_mark(&w);
	dns_wr_name(&w, (const uint8_t *)"\3www\7example\4test", 1);
	ck_assert_int_eq(w.err, ERR_TOOBIG);
	dns_wr_rollback(&w, mk);
	ck_assert_int_eq(w.err, 0);
	ck_assert_uint_eq(w.len, 4);
	ck_assert_uint_eq(w.ncomp, 0);
}
END_TEST

START_TEST(rr_mx_roundtrip_expands)
{
	uint8_t m[512], rd[300];
	struct dns_wr w;
	struct dns_cur c;
	struct dns_rr rr;
	static const uint8_t mx[] = "\0\12\4mail\7example\4test";

	dns_wr_init(&w, m, sizeof m);
	memset(m, 0, 12);
	w.len = 12;
	dns_wr_name(&w, (const uint8_t *)"\7example\4test", 1);
	dns_wr_rr(&w, (const uint8_t *)"\7example\4test", DNS_T_MX, DNS_C_IN,
		  300, mx, sizeof mx);
	ck_assert_int_eq(w.err, 0);
	dns_cur_init(&c, m, w.len);
	c.pos = 12;
	uint8_t skip[256];
	dns_name_read(&c, skip);
	ck_assert_int_eq(dns_rr_read(&c, &rr), 0);
	ck_assert_uint_eq(rr.type, DNS_T_MX);
	ck_assert_uint_eq(rr.ttl, 300);
	ck_assert_uint_eq(rr.rdlen, 2 + 5 + 2);
	int n = dns_rdata_expand(m, w.len, &rr, rd, sizeof rd);
	ck_assert_int_eq(n, (int)sizeof mx);
	ck_assert_mem_eq(rd, mx, sizeof mx);
}
END_TEST

/* Lower-casing (eight bytes at a time) changes 'A'..'Z' only, at every
 * length and position: not '@' and '[' around them, nor bytes with the
 * top bit set whose low bits spell a capital. */
START_TEST(name_lower_every_byte)
{
	static const uint8_t in[] = "@AZ[azMiX\xc1\xdaK`{0Q";
	uint8_t name[64], low[64], want[64];

	for (size_t len = 1; len <= 40; len++) {
		name[0] = (uint8_t)len;
		for (size_t i = 0; i < len; i++)
			name[1 + i] = in[(i * 7 + len) % (sizeof in - 1)];
		name[1 + len] = 0;
		for (size_t i = 0; i < len + 2; i++)
			want[i] = name[i] >= 'A' && name[i] <= 'Z' ?
				(uint8_t)(name[i] + 32) : name[i];
		ck_assert_uint_eq(dns_name_lower(name, low), len + 2);
		ck_assert_mem_eq(low, want, len + 2);
		dns_name_lower(name, name);	/* in place too */
		ck_assert_mem_eq(name, want, len + 2);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dns_wire");
	TCase *tc = tcase_create("wire");

	tcase_add_test(tc, name_plain_and_compressed);
	tcase_add_loop_test(tc, name_bad, 0,
			    sizeof bad_names / sizeof bad_names[0]);
	tcase_add_test(tc, name_too_long);
	tcase_add_test(tc, name_long_via_pointer_chain);
	tcase_add_test(tc, cursor_sticky);
	tcase_add_test(tc, writer_compresses);
	tcase_add_test(tc, writer_overflow_and_rollback);
	tcase_add_test(tc, every_prefix_of_a_message_fails);
	tcase_add_test(tc, rr_mx_roundtrip_expands);
	tcase_add_test(tc, name_lower_every_byte);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
