/* Fuzz target: net_frame on any bytes as an Ethernet frame. Whatever is
 * accepted must lie inside the frame, and its reply (with a payload of
 * every length up to the room left) must stay inside the buffer and be
 * accepted again as a datagram from the served port. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PORT 53
#define ROOM 2048

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t f[ROOM];
	struct net_frame fr, back;

	if (size > ROOM)
		return 0;
	memcpy(f, data, size);
	if (net_frame_udp_parse(f, size, PORT, &fr) != 0)
		return 0;
	if (fr.payload + (size_t)fr.len > size || fr.l3 >= fr.l4 ||
	    fr.l4 + 8 != fr.payload)
		abort();
	size_t room = net_frame_udp_room(&fr, ROOM, 1500);
	size_t plen = size ? data[size - 1] * 7u % (room + 1) : 0;
	uint16_t sport = (uint16_t)(f[fr.l4] << 8 | f[fr.l4 + 1]);
	size_t len = net_frame_udp_reply(f, &fr, plen);
	if (len > ROOM || len != fr.payload + plen)
		abort();
	if (net_frame_udp_parse(f, len, sport, &back) != 0 ||
	    back.len != plen || back.payload != fr.payload)
		abort();
	return 0;
}
