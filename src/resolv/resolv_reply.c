/* resolv_reply: matching a reply to its query and taking the addresses out of
 * it for a stub resolver (RFC 1034 section 3.6.2 for CNAME chains, RFC
 * 2308 sections 2 and 5 for negative answers, RFC 5452 for matching). */
#include <netinet/in.h>
#include <string.h>

#include "core/err.h"
#include "resolv_reply.h"

int
resolv_reply_matches(const uint8_t *q, size_t qlen, const uint8_t *r,
		     size_t rlen)
{
	struct dns_cur cq, cr;
	struct dns_hdr hq, hr;
	struct dns_question a, b;

	dns_cur_init(&cq, q, qlen);
	dns_cur_init(&cr, r, rlen);
	if (dns_hdr_read(&cq, &hq) < 0 || dns_hdr_read(&cr, &hr) < 0)
		return 0;
	if (hq.id != hr.id || !(hr.flags & DNS_F_QR) ||
	    DNS_F_OPCODE(hr.flags) != DNS_OPCODE_QUERY)
		return 0;
	int rcode = DNS_F_RCODE(hr.flags);
	if (hr.qdcount == 0)
		return rcode != DNS_RCODE_NOERROR && rcode != DNS_RCODE_NXDOMAIN;
	if (hr.qdcount != 1 || dns_question_read(&cq, &a) < 0 ||
	    dns_question_read(&cr, &b) < 0)
		return 0;
	return a.type == b.type && a.class == b.class &&
	       dns_name_equal(a.name, b.name);
}

/* The cursor placed at the answer section, header read into h. */
static int
reply_start(struct dns_cur *c, const uint8_t *msg, size_t len,
	    struct dns_hdr *h)
{
	struct dns_question q;

	dns_cur_init(c, msg, len);
	if (dns_hdr_read(c, h) < 0)
		return ERR_PARSE;
	for (unsigned i = 0; i < h->qdcount; i++)
		if (dns_question_read(c, &q) < 0)
			return ERR_PARSE;
	return 0;
}

static uint32_t
ttl_min(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Looks for a CNAME owned by name in the answer section; copies its
 * target into next. Returns 1 found, 0 not, or ERR_PARSE. */
static int
find_cname(const uint8_t *msg, size_t len, const uint8_t *name,
	   uint8_t *next, uint32_t *ttl)
{
	struct dns_cur c;
	struct dns_hdr h;
	struct dns_rr rr;

	if (reply_start(&c, msg, len, &h) < 0)
		return ERR_PARSE;
	for (unsigned i = 0; i < h.ancount && i < RESOLV_REPLY_MAX_RRS; i++) {
		if (dns_rr_read(&c, &rr) < 0)
			return ERR_PARSE;
		if (rr.type != DNS_T_CNAME || rr.class != DNS_C_IN ||
		    !dns_name_equal(rr.name, name))
			continue;
		if (dns_rdata_expand(msg, len, &rr, next, DNS_NAME_MAX + 1) < 0)
			return ERR_PARSE;
		*ttl = ttl_min(*ttl, rr.ttl);
		return 1;
	}
	return 0;
}

/* Adds one A or AAAA rdata to out, unless it is there already. */
static void
add_addr(struct resolv_reply_info *out, const uint8_t *rd, uint16_t type)
{
	struct net_addr a = { 0 };

	if (type == DNS_T_A) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&a.ss;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, rd, 4);
		a.len = sizeof *s4;
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a.ss;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, rd, 16);
		a.len = sizeof *s6;
	}
	for (int i = 0; i < out->naddrs; i++)
		if (net_addr_equal(&out->addrs[i], &a))
			return;
	if (out->naddrs < RESOLV_CACHE_MAX_ADDRS)
		out->addrs[out->naddrs++] = a;
}

/* Collects the records of type owned by out->target. */
static int
collect_addrs(const uint8_t *msg, size_t len, uint16_t type,
	      struct resolv_reply_info *out)
{
	struct dns_cur c;
	struct dns_hdr h;
	struct dns_rr rr;
	uint16_t want = type == DNS_T_A ? 4 : 16;

	if (reply_start(&c, msg, len, &h) < 0)
		return ERR_PARSE;
	for (unsigned i = 0; i < h.ancount && i < RESOLV_REPLY_MAX_RRS; i++) {
		if (dns_rr_read(&c, &rr) < 0)
			return ERR_PARSE;
		const uint8_t *rd = msg + rr.rdoff;
		if (rr.type != type || rr.class != DNS_C_IN ||
		    !dns_name_equal(rr.name, out->target))
			continue;
		if (rr.rdlen != want)
			return ERR_PARSE;
		add_addr(out, rd, type);
		out->ttl = ttl_min(out->ttl, rr.ttl);
	}
	return 0;
}

/* The negative TTL: the SOA of the authority section, the smaller of its
 * TTL and its MINIMUM field (RFC 2308 section 5). 0 without a SOA. */
static uint32_t
negative_ttl(const uint8_t *msg, size_t len)
{
	struct dns_cur c;
	struct dns_hdr h;
	struct dns_rr rr;
	uint8_t rd[2 * (DNS_NAME_MAX + 1) + 20];

	if (reply_start(&c, msg, len, &h) < 0)
		return 0;
	for (unsigned i = 0; i < h.ancount + h.nscount; i++) {
		if (i >= RESOLV_REPLY_MAX_RRS || dns_rr_read(&c, &rr) < 0)
			return 0;
		if (i < h.ancount || rr.type != DNS_T_SOA)
			continue;
		int n = dns_rdata_expand(msg, len, &rr, rd, sizeof rd);
		if (n < 20)
			return 0;
		const uint8_t *m = rd + n - 4;
		uint32_t min = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
			       (uint32_t)m[2] << 8 | m[3];
		return ttl_min(rr.ttl, min);
	}
	return 0;
}

/* Follows the chain from qname inside the reply. */
static int
follow_chain(const uint8_t *msg, size_t len, const uint8_t *qname,
	     struct resolv_reply_info *out)
{
	uint8_t next[DNS_NAME_MAX + 1];

	memcpy(out->target, qname, dns_name_len(qname));
	for (;;) {
		int rc = find_cname(msg, len, out->target, next, &out->ttl);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return 0;
		if (++out->cnames > RESOLV_REPLY_MAX_CNAMES ||
		    dns_name_equal(next, qname))
			return ERR_PARSE;
		memcpy(out->target, next, dns_name_len(next));
	}
}

int
resolv_reply_read(const uint8_t *msg, size_t len, const uint8_t *qname,
		  uint16_t qtype, struct resolv_reply_info *out)
{
	struct dns_cur c;
	struct dns_hdr h;

	memset(out, 0, sizeof *out);
	out->ttl = UINT32_MAX;
	if (reply_start(&c, msg, len, &h) < 0)
		return ERR_PARSE;
	out->rcode = DNS_F_RCODE(h.flags);
	out->truncated = (h.flags & DNS_F_TC) != 0;
	memcpy(out->target, qname, dns_name_len(qname));
	if (out->rcode != DNS_RCODE_NOERROR &&
	    out->rcode != DNS_RCODE_NXDOMAIN) {
		out->kind = RESOLV_REPLY_FAIL;
		out->ttl = 0;
		return 0;
	}
	if (follow_chain(msg, len, qname, out) < 0 ||
	    collect_addrs(msg, len, qtype, out) < 0)
		return ERR_PARSE;
	if (out->naddrs > 0) {
		out->kind = RESOLV_REPLY_ADDRS;
		return 0;
	}
	uint32_t neg = negative_ttl(msg, len);
	if (out->rcode == DNS_RCODE_NXDOMAIN)
		out->kind = RESOLV_REPLY_NXDOMAIN;
	else if (out->cnames > 0 && neg == 0)
		out->kind = RESOLV_REPLY_CNAME;
	else
		out->kind = RESOLV_REPLY_NODATA;
	if (out->kind != RESOLV_REPLY_CNAME)
		out->ttl = neg;
	return 0;
}
