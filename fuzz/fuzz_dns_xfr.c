/* Fuzz target: reading a zone transfer (RFC 5936, RFC 1995) as the
 * secondary does. The input is a sequence of messages, each prefixed by
 * its 2-byte length as on TCP; read as AXFR and as IXFR from serial 7.
 * Every record handed over must lie inside the zone. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dns/dns_xfr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
check(void *arg, enum dns_xfr_op op, const struct dns_xfr_rec *r)
{
	if (dns_name_suffix(r->owner, (const uint8_t *)"\1t") < 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[] = { DNS_T_AXFR, DNS_T_IXFR };

	for (int k = 0; k < 2; k++) {
		struct dns_xfr_in in;
		const char *why;
		size_t pos = 0;
		dns_xfr_in_init(&in, (const uint8_t *)"\1t", 0, types[k], 7);
		in.rr = check;
		in.max_records = 10000;
		while (pos + 2 <= size) {
			size_t n = (size_t)data[pos] << 8 | data[pos + 1];
			pos += 2;
			if (n > size - pos)
				break;
			/* The ID the reader expects: the first message's. */
			if (n >= 2 && pos == 2)
				in.id = (uint16_t)(data[pos] << 8 |
						   data[pos + 1]);
			int rc = dns_xfr_in_msg(&in, data + pos, n, &why);
			pos += n;
			if (rc != 0)
				break;
		}
	}
	return 0;
}
