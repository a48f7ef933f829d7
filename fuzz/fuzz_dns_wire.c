/* Fuzz target: the DNS message decoder (header, questions, records,
 * strict name decompression, rdata expansion and presentation), and the
 * compressing writer on what was read. */
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "dns/dns_rr.h"
#include "dns/dns_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[DNS_MAX_MSG], rd[DNS_MAX_MSG];
	struct dns_cur c;
	struct dns_hdr h;
	struct dns_question q;
	struct dns_rr rr;
	struct dns_wr w;
	struct buf text;

	dns_cur_init(&c, data, size);
	if (dns_hdr_read(&c, &h) < 0)
		return 0;
	dns_wr_init(&w, out, 4096);
	dns_wr_hdr(&w, &h);
	buf_init(&text, 1 << 20);
	for (unsigned i = 0; i < h.qdcount && !c.err; i++)
		if (dns_question_read(&c, &q) == 0)
			dns_wr_name(&w, q.name, 1);
	unsigned total = (unsigned)h.ancount + h.nscount + h.arcount;
	for (unsigned i = 0; i < total && !c.err; i++) {
		if (dns_rr_read(&c, &rr) < 0)
			break;
		int n = dns_rdata_expand(data, size, &rr, rd, sizeof rd);
		if (n < 0)
			continue;
		buf_reset(&text);
		dns_rdata_format(rr.type, rd, (size_t)n, &text);
		if (rr.type != DNS_T_SRV)
			dns_wr_rr(&w, rr.name, rr.type, rr.class, rr.ttl, rd,
				  (uint16_t)n);
	}
	buf_fini(&text);
	return 0;
}
