/* net_frame: UDP datagrams inside Ethernet frames, read and answered in
 * place (for AF_XDP, where the server sees whole frames). Pure: no I/O.
 *
 * A frame is Ethernet II, at most two VLAN tags (802.1Q, 802.1ad; kept
 * as they are in the reply), then IPv4 without options or fragments
 * (RFC 791) or IPv6 whose first next header is UDP (RFC 8200), then UDP
 * (RFC 768). The incoming UDP checksum is not checked: on a veth or with
 * checksum offload it holds only the pseudo-header's partial sum. */
#ifndef INETKIT_NET_FRAME_H
#define INETKIT_NET_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* Where the parts of a datagram are, as offsets into its frame. */
struct net_frame {
	uint16_t l3;		/* the IP header */
	uint16_t l4;		/* the UDP header */
	uint16_t payload;	/* the UDP payload */
	uint16_t len;		/* payload bytes, by the UDP length (which
				 * may be less than the IP packet holds) */
	uint8_t v6;
};

/* Offset of the payload for the largest headers (two VLAN tags, IPv6). */
#define NET_FRAME_HDR_MAX (14 + 8 + 40 + 8)

/* Reads f[0..n) as a unicast UDP datagram to port (host order) that can
 * be answered: both MAC addresses individual, the IPv4 header checksum
 * right, lengths consistent, no source port 0, neither address multicast,
 * broadcast, unspecified or loopback. Returns 0 and fills fr, or -1 for
 * anything else (which is not answered). */
int net_frame_udp_parse(const uint8_t *f, size_t n, uint16_t port,
			struct net_frame *fr);

/* The largest reply payload for a frame parsed into fr when the frame
 * buffer holds room bytes from its start and the interface's MTU is mtu
 * (no fragmentation: the reply is one frame). */
size_t net_frame_udp_room(const struct net_frame *fr, size_t room,
			  unsigned mtu);

/* Turns the frame parsed into fr into its reply, whose plen payload bytes
 * (at most net_frame_udp_room) are already at f + fr->payload: MAC
 * addresses, IP addresses and ports swapped, lengths set, IPv4 with DF,
 * ID 0 (RFC 6864) and TTL 64, IPv6 hop limit 64, and the IPv4 header and
 * UDP checksums computed. Returns the reply frame's length. */
size_t net_frame_udp_reply(uint8_t *f, const struct net_frame *fr,
			   size_t plen);

/* The Internet checksum (RFC 1071) of p[0..n), folded and complemented,
 * in the byte order it is stored in. */
uint16_t net_csum(const uint8_t *p, size_t n);

#endif
