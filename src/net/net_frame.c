/* net_frame: UDP in Ethernet frames, parsed and answered in place. Each
 * check below is one the kernel's own receive path makes (or a reply it
 * would refuse to send), so that a frame the socket path would drop is
 * not answered here either. */
#include <string.h>

#include "net_frame.h"

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define IP_UDP 17
#define UDP_HLEN 8
#define REPLY_TTL 64

static inline unsigned
rd16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static inline void
wr16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Sum of p[0..n) as native 16-bit words in a wide accumulator (RFC 1071
 * section 2: the sum does not depend on the byte order, only the final
 * store does). */
static uint64_t
csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
	uint32_t w;
	uint16_t h;

	for (; n >= 4; p += 4, n -= 4) {
		memcpy(&w, p, 4);
		sum += w;
	}
	if (n >= 2) {
		memcpy(&h, p, 2);
		sum += h;
		p += 2;
		n -= 2;
	}
	if (n) {
		uint8_t last[2] = { p[0], 0 };
		memcpy(&h, last, 2);
		sum += h;
	}
	return sum;
}

static uint16_t
csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t
net_csum(const uint8_t *p, size_t n)
{
	return csum_fold(csum_add(0, p, n));
}

/* An address a query may come from and a reply may go to: not 0/8,
 * loopback, multicast, reserved or broadcast (RFC 1122 3.2.1.3). */
static int
v4_unicast(const uint8_t *a)
{
	return a[0] != 0 && a[0] != 127 && a[0] < 224;
}

static int
v6_unicast(const uint8_t *a)
{
	static const uint8_t zero[15];

	if (a[0] == 0xff)	/* multicast */
		return 0;
	/* :: and ::1 */
	return memcmp(a, zero, 15) != 0 || a[15] > 1;
}

/* IPv4: header of 20 bytes (options go to the kernel), checksum right,
 * not a fragment, UDP. Sets fr->l4 and returns the IP payload's length,
 * or -1. */
static long
parse_v4(const uint8_t *f, size_t n, struct net_frame *fr)
{
	const uint8_t *ip = f + fr->l3;

	if (n - fr->l3 < 20 || ip[0] != 0x45 || ip[9] != IP_UDP)
		return -1;
	size_t total = rd16(ip + 2);
	if (total < 20 + UDP_HLEN || total > n - fr->l3)
		return -1;
	if ((rd16(ip + 6) & 0x3fff) != 0)	/* MF, or an offset */
		return -1;
	if (net_csum(ip, 20) != 0)
		return -1;
	if (!v4_unicast(ip + 12) || !v4_unicast(ip + 16))
		return -1;
	fr->v6 = 0;
	fr->l4 = (uint16_t)(fr->l3 + 20);
	return (long)total - 20;
}

/* IPv6: UDP as the first next header (extension headers go to the
 * kernel). */
static long
parse_v6(const uint8_t *f, size_t n, struct net_frame *fr)
{
	const uint8_t *ip = f + fr->l3;

	if (n - fr->l3 < 40 || (ip[0] >> 4) != 6 || ip[6] != IP_UDP)
		return -1;
	size_t plen = rd16(ip + 4);
	if (plen < UDP_HLEN || plen > n - fr->l3 - 40)
		return -1;
	if (!v6_unicast(ip + 8) || !v6_unicast(ip + 24))
		return -1;
	fr->v6 = 1;
	fr->l4 = (uint16_t)(fr->l3 + 40);
	return (long)plen;
}

/* Ethernet II and up to two VLAN tags; returns the EtherType of the
 * payload and sets fr->l3, or returns 0. */
static unsigned
parse_eth(const uint8_t *f, size_t n, struct net_frame *fr)
{
	size_t off = ETH_HLEN;

	/* Group (multicast, broadcast) MAC addresses are not answered. */
	if (n < ETH_HLEN || (f[0] & 1) || (f[6] & 1))
		return 0;
	unsigned type = rd16(f + 12);
	for (int tags = 0; tags < 2; tags++) {
		if (type != ETH_P_8021Q && type != ETH_P_8021AD)
			break;
		if (n < off + 4)
			return 0;
		type = rd16(f + off + 2);
		off += 4;
	}
	fr->l3 = (uint16_t)off;
	return type;
}

int
net_frame_udp_parse(const uint8_t *f, size_t n, uint16_t port,
		    struct net_frame *fr)
{
	long ipdata;

	if (n > 65535)
		return -1;
	switch (parse_eth(f, n, fr)) {
	case ETH_P_IP:
		ipdata = parse_v4(f, n, fr);
		break;
	case ETH_P_IPV6:
		ipdata = parse_v6(f, n, fr);
		break;
	default:
		return -1;
	}
	if (ipdata < 0)
		return -1;
	const uint8_t *udp = f + fr->l4;
	size_t ulen = rd16(udp + 4);
	/* Longer than the IP packet: dropped. Shorter: the rest is padding
	 * (the kernel trims it too). */
	if (ulen < UDP_HLEN || ulen > (size_t)ipdata)
		return -1;
	if (rd16(udp) == 0 || rd16(udp + 2) != port)
		return -1;
	fr->payload = (uint16_t)(fr->l4 + UDP_HLEN);
	fr->len = (uint16_t)(ulen - UDP_HLEN);
	return 0;
}

size_t
net_frame_udp_room(const struct net_frame *fr, size_t room, unsigned mtu)
{
	size_t by_mtu = (size_t)mtu + fr->l3, limit = room;

	if (by_mtu < limit)
		limit = by_mtu;
	if (limit > 65535)
		limit = 65535;
	return limit > fr->payload ? limit - fr->payload : 0;
}

static void
swap_bytes(uint8_t *a, uint8_t *b, size_t n)
{
	uint8_t t[16];

	memcpy(t, a, n);
	memcpy(a, b, n);
	memcpy(b, t, n);
}

/* The UDP checksum over the pseudo-header (RFC 768; RFC 8200 section
 * 8.1), the header and the payload; 0 is sent as 0xffff. */
static void
udp_checksum(uint8_t *f, const struct net_frame *fr, size_t ulen)
{
	const uint8_t *ip = f + fr->l3;
	uint8_t *udp = f + fr->l4;
	uint8_t tail[4] = { 0, IP_UDP, (uint8_t)(ulen >> 8),
			    (uint8_t)ulen };
	uint64_t sum;

	if (fr->v6)
		sum = csum_add(0, ip + 8, 32);
	else
		sum = csum_add(0, ip + 12, 8);
	sum = csum_add(sum, tail, 4);
	udp[6] = udp[7] = 0;
	uint16_t c = csum_fold(csum_add(sum, udp, ulen));
	if (c == 0)
		c = 0xffff;
	memcpy(udp + 6, &c, 2);
}

size_t
net_frame_udp_reply(uint8_t *f, const struct net_frame *fr, size_t plen)
{
	uint8_t *ip = f + fr->l3, *udp = f + fr->l4;
	size_t ulen = UDP_HLEN + plen;

	swap_bytes(f, f + 6, 6);
	if (fr->v6) {
		swap_bytes(ip + 8, ip + 24, 16);
		wr16(ip + 4, (unsigned)ulen);
		ip[7] = REPLY_TTL;
	} else {
		swap_bytes(ip + 12, ip + 16, 4);
		ip[1] = 0;				/* DSCP/ECN */
		wr16(ip + 2, (unsigned)(20 + ulen));
		wr16(ip + 4, 0);			/* ID */
		wr16(ip + 6, 0x4000);			/* DF */
		ip[8] = REPLY_TTL;
		ip[10] = ip[11] = 0;
		uint16_t c = net_csum(ip, 20);
		memcpy(ip + 10, &c, 2);
	}
	swap_bytes(udp, udp + 2, 2);
	wr16(udp + 4, (unsigned)ulen);
	udp_checksum(f, fr, ulen);
	return fr->payload + plen;
}
