/* Fuzz target: a zone transfer (RFC 5936, RFC 1995) on both sides. The
 * input is a sequence of messages, each prefixed by its 2-byte length as
 * on TCP. The secondary's side: read as AXFR and as IXFR from serial 7;
 * every record handed over must lie inside the zone. The primary's side:
 * each message read as a client's query, and when it is one, answered
 * with an error and with the records the secondary read (the list form
 * of an IXFR answer) in messages of at most 512 bytes: every message must
 * be well-formed and within its size, the first asking the question. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dns/dns_xfr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct buf list;

static int
check(void *arg, enum dns_xfr_op op, const struct dns_xfr_rec *r)
{
	if (dns_name_suffix(r->owner, (const uint8_t *)"\1t") < 0)
		abort();
	if (buf_size(&list) < 16384)
		(void)dns_xfr_list_add(&list, r);
	return 0;
}

/* Header, questions and records all read, nothing left over. */
static void
well_formed(const uint8_t *msg, size_t n, size_t max)
{
	struct dns_cur c;
	struct dns_hdr h;
	struct dns_question qu;
	struct dns_rr rr;

	if (n > max)
		abort();
	dns_cur_init(&c, msg, n);
	if (dns_hdr_read(&c, &h) < 0)
		abort();
	for (unsigned i = 0; i < h.qdcount; i++)
		if (dns_question_read(&c, &qu) < 0)
			abort();
	unsigned total = (unsigned)h.ancount + h.nscount + h.arcount;
	for (unsigned i = 0; i < total; i++)
		if (dns_rr_read(&c, &rr) < 0)
			abort();
	if (c.pos != n)
		abort();
}

static void
same_question(const uint8_t *msg, size_t n, const struct dns_xfr_q *q)
{
	struct dns_xfr_q back;

	if (dns_xfr_query_read(msg, n, &back) < 0 || back.id != q->id ||
	    back.type != q->type || back.class != q->class ||
	    !dns_name_equal(back.name, q->name))
		abort();
}

static void
answer(const uint8_t *msg, size_t n)
{
	static uint8_t out[65535];
	struct dns_xfr_q q;
	struct dns_xfr_src s;

	if (dns_xfr_query_read(msg, n, &q) < 0)
		return;
	size_t k = dns_xfr_reply(&q, 5, 1, out, sizeof out);
	well_formed(out, k, sizeof out);
	same_question(out, k, &q);
	dns_xfr_src_list(&s, buf_data(&list), buf_size(&list));
	for (int first = 1; (k = dns_xfr_msg(&s, &q, first, out, 512, 0));
	     first = 0) {
		well_formed(out, k, 512);
		if (first)
			same_question(out, k, &q);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[] = { DNS_T_AXFR, DNS_T_IXFR };

	if (!list.max)
		buf_init(&list, 1 << 20);
	buf_reset(&list);
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
	for (size_t pos = 0, n; pos + 2 <= size; pos += n) {
		n = (size_t)data[pos] << 8 | data[pos + 1];
		pos += 2;
		if (n > size - pos)
			break;
		answer(data + pos, n);
	}
	return 0;
}
