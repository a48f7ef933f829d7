/* Unit tests of src/net/net_frame.c: which frames are answered (a table
 * of good and bad frames, IPv4 and IPv6, VLAN tags), and the reply built
 * in place: addresses and ports swapped, lengths, and checksums checked
 * by a byte-by-byte RFC 1071 sum written here independently. */
#include <check.h>
#include <string.h>

#include "net/net_frame.h"
#include "unit.h"

#define PORT 53

/* Big-endian 16-bit words, as RFC 1071 describes the sum. */
static unsigned
ref_sum(const uint8_t *p, size_t n, unsigned sum)
{
	for (size_t i = 0; i < n; i += 2)
		sum += (unsigned)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The UDP checksum of a frame's datagram, over its pseudo-header: 0xffff
 * (all ones) when the stored checksum is right. */
static unsigned
ref_udp_ok(const uint8_t *f, const struct net_frame *fr)
{
	const uint8_t *ip = f + fr->l3, *udp = f + fr->l4;
	size_t ulen = (size_t)udp[4] << 8 | udp[5];
	uint8_t tail[4] = { 0, 17, (uint8_t)(ulen >> 8), (uint8_t)ulen };
	unsigned s = fr->v6 ? ref_sum(ip + 8, 32, 0) : ref_sum(ip + 12, 8, 0);

	s = ref_sum(tail, 4, s);
	return ref_sum(udp, ulen, s);
}

/* Builds a query frame: ntags VLAN tags, IPv4 or IPv6, UDP from port
 * 39936 to PORT with plen payload bytes. Returns its length. */
static size_t
build(uint8_t *f, int v6, int ntags, size_t plen)
{
	static const uint8_t dst[6] = { 2, 0, 0, 0, 0, 1 },
			     src[6] = { 2, 0, 0, 0, 0, 2 };
	size_t off = 14;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, ntags ? 0x88a8 : (v6 ? 0x86dd : 0x0800));
	for (int t = 0; t < ntags; t++) {
		put16(f + off, 100 + (unsigned)t);
		put16(f + off + 2, t + 1 < ntags ? 0x8100 :
		      (v6 ? 0x86dd : 0x0800));
		off += 4;
	}
	uint8_t *ip = f + off;
	size_t ulen = 8 + plen, iphl = v6 ? 40 : 20;
	memset(ip, 0, iphl);
	if (v6) {
		ip[0] = 0x60;
		put16(ip + 4, (unsigned)ulen);
		ip[6] = 17;
		ip[7] = 63;
		ip[8] = 0xfd;	/* fd00:: -> fd00::1 */
		ip[24] = 0xfd;
		ip[39] = 1;
	} else {
		ip[0] = 0x45;
		put16(ip + 2, (unsigned)(20 + ulen));
		put16(ip + 4, 0x1234);
		ip[8] = 63;
		ip[9] = 17;
		ip[12] = 198; ip[13] = 18; ip[15] = 2;
		ip[16] = 198; ip[17] = 18; ip[19] = 1;
		put16(ip + 10, ~ref_sum(ip, 20, 0) & 0xffff);
	}
	uint8_t *udp = ip + iphl;
	put16(udp, 39936);	/* 0x9c00 */
	put16(udp + 2, PORT);
	put16(udp + 4, (unsigned)ulen);
	put16(udp + 6, 0);
	for (size_t i = 0; i < plen; i++)
		udp[8 + i] = (uint8_t)(i * 7 + 1);
	return off + iphl + ulen;
}

static void
refresh_v4_csum(uint8_t *ip)
{
	ip[10] = ip[11] = 0;
	put16(ip + 10, ~ref_sum(ip, 20, 0) & 0xffff);
}

struct bad_case {
	const char *what;
	int v6;
	long at;		/* byte to change (from the IP header if >= 0
				 * and ip, else from the frame's start) */
	int ip;
	uint8_t val;
	int fix_csum;		/* recompute the IPv4 header checksum */
	long cut;		/* frame length to keep, 0 = whole */
};

static const struct bad_case bad_cases[] = {
	{ "short Ethernet", 0, 0, 0, 0, 0, 10 },
	{ "no IP header", 0, 0, 0, 0, 0, 20 },
	{ "group destination MAC", 0, 0, 0, 0x01, 0, 0 },
	{ "group source MAC", 0, 6, 0, 0x03, 0, 0 },
	{ "ARP", 0, 13, 0, 0x06, 0, 0 },
	{ "IHL 6 (options)", 0, 0, 1, 0x46, 1, 0 },
	{ "IHL 4", 0, 0, 1, 0x44, 1, 0 },
	{ "IP version 6 in an IPv4 frame", 0, 0, 1, 0x65, 1, 0 },
	{ "TCP", 0, 9, 1, 6, 1, 0 },
	{ "more fragments", 0, 6, 1, 0x20, 1, 0 },
	{ "fragment offset", 0, 7, 1, 0x08, 1, 0 },
	{ "bad header checksum", 0, 10, 1, 0x00, 0, 0 },
	{ "total length past the frame", 0, 2, 1, 0x10, 1, 0 },
	{ "total length below the headers", 0, 3, 1, 27, 1, 0 },
	{ "UDP length past the packet", 0, 25, 1, 200, 0, 0 },
	{ "UDP length below its header", 0, 25, 1, 7, 0, 0 },
	{ "another port", 0, 23, 1, 54, 0, 0 },
	{ "source port 0", 0, 20, 1, 0, 0, 0 },
	{ "multicast destination", 0, 16, 1, 224, 1, 0 },
	{ "broadcast source", 0, 12, 1, 255, 1, 0 },
	{ "loopback source", 0, 12, 1, 127, 1, 0 },
	{ "zero source", 0, 12, 1, 0, 1, 0 },
	{ "cut inside UDP", 0, 0, 0, 0, 0, 14 + 20 + 4 },
	{ "IPv6 hop-by-hop header first", 1, 6, 1, 0, 0, 0 },
	{ "IPv6 version 4", 1, 0, 1, 0x40, 0, 0 },
	{ "IPv6 payload length past the frame", 1, 4, 1, 0x10, 0, 0 },
	{ "IPv6 payload length below UDP", 1, 5, 1, 7, 0, 0 },
	{ "IPv6 UDP length past the payload", 1, 45, 1, 100, 0, 0 },
	{ "IPv6 multicast destination", 1, 24, 1, 0xff, 0, 0 },
	{ "IPv6 unspecified source", 1, 8, 1, 0, 0, 0 },
	{ "IPv6 cut in the header", 1, 0, 0, 0, 0, 14 + 30 },
};

START_TEST(test_bad_frames)
{
	const struct bad_case *c = &bad_cases[_i];
	uint8_t f[256];
	struct net_frame fr;
	size_t n = build(f, c->v6, 0, 30);

	ck_assert_int_eq(net_frame_udp_parse(f, n, PORT, &fr), 0);
	uint8_t *p = c->ip ? f + 14 + c->at : f + c->at;
	if (c->cut)
		n = (size_t)c->cut;
	else
		*p = c->val;
	if (c->fix_csum)
		refresh_v4_csum(f + 14);
	ck_assert_msg(net_frame_udp_parse(f, n, PORT, &fr) == -1, "%s",
		      c->what);
}
END_TEST

struct good_case {
	int v6, ntags;
	size_t plen, pad;	/* pad: bytes after the datagram */
};

static const struct good_case good_cases[] = {
	{ 0, 0, 29, 0 }, { 0, 0, 1, 17 }, { 0, 1, 40, 0 }, { 0, 2, 0, 4 },
	{ 1, 0, 29, 0 }, { 1, 1, 33, 3 }, { 1, 2, 512, 0 }, { 0, 0, 1400, 0 },
};

/* Parsed, answered with a longer payload, and the reply checked as a
 * receiver would check it. */
START_TEST(test_reply)
{
	const struct good_case *c = &good_cases[_i];
	uint8_t f[2048], orig[2048];
	struct net_frame fr, back;
	size_t n = build(f, c->v6, c->ntags, c->plen);

	memset(f + n, 0xee, c->pad);
	n += c->pad;
	memcpy(orig, f, n);
	ck_assert_int_eq(net_frame_udp_parse(f, n, PORT, &fr), 0);
	size_t hl = 14 + 4 * (size_t)c->ntags;
	ck_assert_int_eq(fr.l3, hl);
	ck_assert_int_eq(fr.v6, c->v6);
	ck_assert_int_eq(fr.payload, hl + (c->v6 ? 40 : 20) + 8);
	ck_assert_int_eq(fr.len, c->plen);

	size_t room = net_frame_udp_room(&fr, sizeof f, 1500);
	ck_assert_int_eq(room, 1500 - (c->v6 ? 48 : 28));
	size_t rlen = c->plen + 101 <= room ? c->plen + 101 : room;
	for (size_t i = 0; i < rlen; i++)
		f[fr.payload + i] = (uint8_t)(i ^ 0x5a);
	size_t len = net_frame_udp_reply(f, &fr, rlen);
	ck_assert_int_eq(len, fr.payload + rlen);

	ck_assert_mem_eq(f, orig + 6, 6);
	ck_assert_mem_eq(f + 6, orig, 6);
	ck_assert_mem_eq(f + 12, orig + 12, hl - 12);	/* tags kept */
	const uint8_t *ip = f + hl, *oip = orig + hl, *udp = f + fr.l4;
	if (c->v6) {
		ck_assert_mem_eq(ip + 8, oip + 24, 16);
		ck_assert_mem_eq(ip + 24, oip + 8, 16);
		ck_assert_int_eq(ip[4] << 8 | ip[5], 8 + rlen);
		ck_assert_int_eq(ip[7], 64);
	} else {
		ck_assert_mem_eq(ip + 12, oip + 16, 4);
		ck_assert_mem_eq(ip + 16, oip + 12, 4);
		ck_assert_int_eq(ip[2] << 8 | ip[3], 28 + rlen);
		ck_assert_int_eq(ip[6], 0x40);		/* DF */
		ck_assert_int_eq(ref_sum(ip, 20, 0), 0xffff);
	}
	ck_assert_int_eq(udp[0] << 8 | udp[1], PORT);
	ck_assert_int_eq(udp[2] << 8 | udp[3], 39936);
	ck_assert_int_eq(udp[4] << 8 | udp[5], 8 + rlen);
	ck_assert_int_ne(udp[6] << 8 | udp[7], 0);
	ck_assert_int_eq(ref_udp_ok(f, &fr), 0xffff);

	/* The reply is itself a well-formed datagram (from PORT). */
	ck_assert_int_eq(net_frame_udp_parse(f, len, 39936, &back), 0);
	ck_assert_int_eq(back.len, rlen);
}
END_TEST

START_TEST(test_room)
{
	uint8_t f[256];
	struct net_frame fr;
	size_t n = build(f, 0, 1, 20);

	ck_assert_int_eq(net_frame_udp_parse(f, n, PORT, &fr), 0);
	/* 1500-byte IP packets; a buffer smaller than that is the limit. */
	ck_assert_int_eq(net_frame_udp_room(&fr, 4096, 1500), 1472);
	ck_assert_int_eq(net_frame_udp_room(&fr, 1000, 1500), 1000 - 46);
	ck_assert_int_eq(net_frame_udp_room(&fr, 40, 1500), 0);
	ck_assert_int_eq(net_frame_udp_room(&fr, 1 << 20, 65535),
			 65535 - 46);
}
END_TEST

START_TEST(test_csum_odd)
{
	const uint8_t p[] = { 0x45, 0x00, 0x00, 0x1c, 0xab };
	uint16_t c = net_csum(p, sizeof p);
	uint8_t b[2];

	memcpy(b, &c, 2);
	ck_assert_int_eq(b[0] << 8 | b[1], ~ref_sum(p, sizeof p, 0) & 0xffff);
}
END_TEST

#define N(t) ((int)(sizeof(t) / sizeof((t)[0])))

static Suite *
frame_suite(void)
{
	Suite *s = suite_create("net_frame");
	TCase *tc = tcase_create("net_frame");

	tcase_add_loop_test(tc, test_bad_frames, 0, N(bad_cases));
	tcase_add_loop_test(tc, test_reply, 0, N(good_cases));
	tcase_add_test(tc, test_room);
	tcase_add_test(tc, test_csum_odd);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(frame_suite());
}
