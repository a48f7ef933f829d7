/* Fuzz target: response rate limiting over any bytes as the reply (the
 * classifier reads the question and, for NXDOMAIN, the authority section)
 * and the truncated form, which must be a prefix of at most the input
 * with TC set. The first 4 bytes pick the client's IPv4 address. */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns_rrl.h"
#include "dns/dns_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_rrl r;
	static struct dns_rrl_stats st;
	static const uint64_t seed[2] = { 7, 9 };
	struct sockaddr_in from = { .sin_family = AF_INET };
	uint8_t msg[4096];

	if (r.buckets.cells == NULL) {
		struct dns_rrl_config c;
		dns_rrl_config_defaults(&c);
		c.rate = 3;
		c.slip = 2;
		if (dns_rrl_init(&r, &c, seed) < 0)
			abort();
	}
	if (size < 4 || size - 4 > sizeof msg)
		return 0;
	memcpy(&from.sin_addr, data, 4);
	size -= 4;
	memcpy(msg, data + 4, size);
	/* a wrong hint of the name's length must stay inside the reply */
	size_t qlen = data[1] & 1 ? 0 : (size_t)data[2];
	dns_rrl_check(&r, &st, (struct sockaddr *)&from, msg, size, qlen,
		      (int64_t)data[0] * 100);
	size_t n = dns_rrl_truncate(msg, size);
	if (n > size || (size >= DNS_HDR_SIZE && !(msg[2] & 0x02)))
		abort();
	return 0;
}
