/* Fuzz target: the DNS message decoder (header, questions, records,
 * strict name decompression, rdata expansion and presentation), and the
 * compressing writer on what was read: every name it writes must read
 * back equal (ignoring case). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/buf.h"
#include "dns/dns_rr.h"
#include "dns/dns_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The name written at out[at..] decompresses to name. */
static void
check_name(const struct dns_wr *w, size_t at, const uint8_t *name)
{
	struct dns_cur c;
	uint8_t back[DNS_NAME_MAX + 1];

	if (w->err)
		return;
	dns_cur_init(&c, w->p, w->len);
	c.pos = at;
	if (dns_name_read(&c, back) < 0 || !dns_name_equal(back, name))
		abort();
}

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
		if (dns_question_read(&c, &q) == 0) {
			size_t at = w.len;
			dns_wr_name(&w, q.name, 1);
			check_name(&w, at, q.name);
		}
	unsigned total = (unsigned)h.ancount + h.nscount + h.arcount;
	for (unsigned i = 0; i < total && !c.err; i++) {
		if (dns_rr_read(&c, &rr) < 0)
			break;
		int n = dns_rdata_expand(data, size, &rr, rd, sizeof rd);
		if (n < 0)
			continue;
		buf_reset(&text);
		dns_rdata_format(rr.type, rd, (size_t)n, &text);
		if (rr.type != DNS_T_SRV) {
			size_t at = w.len;
			dns_wr_rr(&w, rr.name, rr.type, rr.class, rr.ttl, rd,
				  (uint16_t)n);
			check_name(&w, at, rr.name);
		}
	}
	buf_fini(&text);
	return 0;
}
