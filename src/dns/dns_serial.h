/* dns_serial: SOA serial numbers compared by RFC 1982 arithmetic (serial
 * number arithmetic with SERIAL_BITS 32), so that a serial that wraps
 * past 2^32 is still newer: 1158658354 follows 4000000000. */
#ifndef INETKIT_DNS_SERIAL_H
#define INETKIT_DNS_SERIAL_H

#include <stddef.h>
#include <stdint.h>

/* 1 when a is newer than b, -1 when older, 0 when equal. The pairs RFC
 * 1982 section 3.2 leaves undefined (2^31 apart) count as not newer. */
static inline int
dns_serial_cmp(uint32_t a, uint32_t b)
{
	uint32_t d = a - b;

	if (d == 0)
		return 0;
	return d < 0x80000000u ? 1 : -1;
}

/* An SOA's numbers, from its rdata in wire form (uncompressed names):
 * i = 0 serial, 1 refresh, 2 retry, 3 expire, 4 minimum. 0 when the
 * rdata is too short. */
static inline uint32_t
dns_soa_field(const uint8_t *rd, size_t len, int i)
{
	size_t o = 0;

	for (int k = 0; k < 2; k++) {
		while (o < len && rd[o] != 0)
			o += (size_t)rd[o] + 1;
		o++;
	}
	o += (size_t)i * 4;
	if (o + 4 > len)
		return 0;
	return (uint32_t)rd[o] << 24 | (uint32_t)rd[o + 1] << 16 |
		(uint32_t)rd[o + 2] << 8 | rd[o + 3];
}

static inline uint32_t
dns_soa_serial(const uint8_t *rd, size_t len)
{
	return dns_soa_field(rd, len, 0);
}

#endif
