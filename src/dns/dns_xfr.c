/* dns_xfr: building and reading zone transfer streams. A message holds
 * as many records as fit in 64 KiB (RFC 5936 section 2.2), compressed
 * against the names before them in the same message; each message
 * carries the query's ID, the first one the question too. */
#include <errno.h>
#include <string.h>

#include "dns_serial.h"
#include "dns_xfr.h"

#define NAME_OFF(n) ((n)->name & ~DNS_NODE_CUT)

void
dns_xfr_src_zone(struct dns_xfr_src *s, const struct dns_zone *z)
{
	memset(s, 0, sizeof *s);
	s->z = z;
	memcpy(s->owner, z->apex, z->apex_len);
}

void
dns_xfr_src_list(struct dns_xfr_src *s, const uint8_t *list, size_t len)
{
	memset(s, 0, sizeof *s);
	s->list = list;
	s->list_len = len;
}

/* The zone's record at (node, set, rec), the SOA as one of the apex's
 * RRsets skipped in the body. Moves past the ends of RRsets and nodes. */
static int
zone_get(struct dns_xfr_src *s, struct dns_xfr_rec *r)
{
	const struct dns_zone *z = s->z;
	const struct dns_rrset *rs;

	if (s->phase == 3)
		return 0;
	if (s->phase != 1) {
		rs = dns_zone_soa(z);
		r->owner = z->apex;
	} else {
		for (;;) {
			if (s->node >= z->nnodes) {
				s->phase = 2;
				return zone_get(s, r);
			}
			const struct dns_node *nd = &z->nodes[s->node];
			if (s->set < dns_node_nrrset(nd)) {
				rs = &z->rrsets[nd->rrset + s->set];
				if (rs->type != DNS_T_SOA || s->node != 0)
					break;
			}
			if (s->set >= dns_node_nrrset(nd)) {
				s->node++;
				s->set = 0;
			} else
				s->set++;
			s->rec = s->roff = 0;
		}
		const uint8_t *nm = z->names + NAME_OFF(&z->nodes[s->node]);
		memcpy(s->owner, nm + 1, nm[0]);
		memcpy(s->owner + nm[0], z->apex, z->apex_len);
		r->owner = s->owner;
	}
	size_t fixed = dns_rdata_fixed(rs->type);
	const uint8_t *p = z->rdata + rs->rdata + s->roff;
	r->type = rs->type;
	r->ttl = rs->ttl;
	if (fixed) {
		r->rd = p;
		r->rdlen = (uint16_t)fixed;
	} else {
		r->rdlen = (uint16_t)(p[0] << 8 | p[1]);
		r->rd = p + 2;
	}
	return 1;
}

static void
zone_next(struct dns_xfr_src *s)
{
	const struct dns_zone *z = s->z;

	if (s->phase != 1) {
		s->phase++;
		return;
	}
	const struct dns_node *nd = &z->nodes[s->node];
	const struct dns_rrset *rs = &z->rrsets[nd->rrset + s->set];
	size_t fixed = dns_rdata_fixed(rs->type);
	const uint8_t *p = z->rdata + rs->rdata + s->roff;
	s->roff += (uint32_t)(fixed ? fixed : 2 + (size_t)(p[0] << 8 | p[1]));
	if (++s->rec < rs->count)
		return;
	s->rec = s->roff = 0;
	s->set++;
}

int
dns_xfr_list_get(const uint8_t *list, size_t len, size_t *pos,
		 struct dns_xfr_rec *r)
{
	size_t o = *pos;

	if (o >= len)
		return 0;
	r->owner = list + o;
	o += dns_name_len(list + o);
	r->type = (uint16_t)(list[o] << 8 | list[o + 1]);
	r->ttl = (uint32_t)list[o + 2] << 24 | (uint32_t)list[o + 3] << 16 |
		(uint32_t)list[o + 4] << 8 | list[o + 5];
	r->rdlen = (uint16_t)(list[o + 6] << 8 | list[o + 7]);
	r->rd = list + o + 8;
	*pos = o + 8 + r->rdlen;
	return 1;
}

int
dns_xfr_list_add(struct buf *b, const struct dns_xfr_rec *r)
{
	uint8_t f[8] = { (uint8_t)(r->type >> 8), (uint8_t)r->type,
			 (uint8_t)(r->ttl >> 24), (uint8_t)(r->ttl >> 16),
			 (uint8_t)(r->ttl >> 8), (uint8_t)r->ttl,
			 (uint8_t)(r->rdlen >> 8), (uint8_t)r->rdlen };
	int rc = buf_append(b, r->owner, dns_name_len(r->owner));

	if (rc == 0)
		rc = buf_append(b, f, sizeof f);
	if (rc == 0)
		rc = buf_append(b, r->rd, r->rdlen);
	return rc;
}

int
dns_xfr_src_get(struct dns_xfr_src *s, struct dns_xfr_rec *r)
{
	size_t pos = s->pos;

	if (s->z)
		return zone_get(s, r);
	return dns_xfr_list_get(s->list, s->list_len, &pos, r);
}

void
dns_xfr_src_next(struct dns_xfr_src *s)
{
	struct dns_xfr_rec r;

	if (s->z)
		zone_next(s);
	else
		dns_xfr_list_get(s->list, s->list_len, &s->pos, &r);
}

int
dns_xfr_query_read(const uint8_t *msg, size_t len, struct dns_xfr_q *q)
{
	struct dns_cur c;
	struct dns_hdr h;
	struct dns_question qu;
	struct dns_rr rr;

	memset(q, 0, sizeof *q);
	dns_cur_init(&c, msg, len);
	if (dns_hdr_read(&c, &h) < 0 || h.qdcount != 1 ||
	    dns_question_read(&c, &qu) < 0)
		return ERR_PARSE;
	q->id = h.id;
	q->flags = h.flags;
	memcpy(q->name, qu.name, qu.nlen);
	q->type = qu.type;
	q->class = qu.class;
	unsigned total = (unsigned)h.ancount + h.nscount + h.arcount;
	for (unsigned i = 0; i < total; i++) {
		if (dns_rr_read(&c, &rr) < 0)
			return ERR_PARSE;
		if (rr.type == DNS_T_OPT && i >= total - h.arcount)
			q->edns = 1;
		if (rr.type == DNS_T_SOA && !q->has_serial &&
		    i >= h.ancount && i < (unsigned)h.ancount + h.nscount) {
			uint8_t rd[2 * (DNS_NAME_MAX + 1) + 20];
			int n = dns_rdata_expand(msg, len, &rr, rd, sizeof rd);
			if (n < 0)
				return ERR_PARSE;
			q->serial = dns_soa_serial(rd, (size_t)n);
			q->has_serial = 1;
		}
	}
	return 0;
}

/* Header and question; the counts are set at the end. */
static void
start(struct dns_wr *w, const struct dns_xfr_q *q, int rcode, int aa,
      int question)
{
	struct dns_hdr h = { q->id, (uint16_t)(DNS_F_QR |
		(q->flags & (0x7800 | DNS_F_RD)) | (aa ? DNS_F_AA : 0) |
		(rcode & 0xf)), (uint16_t)question, 0, 0, 0 };

	dns_wr_hdr(w, &h);
	if (question) {
		dns_wr_name(w, q->name, 1);
		dns_wr_u16(w, q->type);
		dns_wr_u16(w, q->class);
	}
}

static size_t
end(struct dns_wr *w, const struct dns_xfr_q *q, size_t max, unsigned an)
{
	w->max = max;
	if (q->edns)
		dns_wr_opt(w, 1232, 0, 0);
	if (w->err)
		return 0;
	dns_wr_set_u16(w, 6, (uint16_t)an);
	dns_wr_set_u16(w, 10, (uint16_t)(q->edns ? 1 : 0));
	return w->len;
}

#define OPT_SIZE 11

/* Where the message's names are, for the owners: the zone's apex and
 * the last owner (a zone's records come name by name). */
struct owners {
	const uint8_t *apex;
	size_t apex_len, apex_off;	/* 0: not in the message yet */
	uint8_t last[DNS_NAME_MAX + 1];
	size_t last_len, last_off;
};

/* Writes an owner as a pointer to the last one when it is the same, else
 * its labels above the apex and a pointer to the apex: two comparisons
 * instead of the general search of dns_wr_name, per record. */
static void
put_owner(struct dns_wr *w, struct owners *o, const uint8_t *name)
{
	size_t len = dns_name_len(name), at = w->len;

	if (o->last_off && len == o->last_len &&
	    memcmp(name, o->last, len) == 0) {
		dns_wr_u16(w, (uint16_t)(0xc000 | o->last_off));
		return;
	}
	if (len < o->apex_len || o->apex_off == 0 ||
	    memcmp(name + len - o->apex_len, o->apex, o->apex_len) != 0) {
		dns_wr_name(w, name, 1);
	} else {
		dns_wr_bytes(w, name, len - o->apex_len);
		dns_wr_u16(w, (uint16_t)(0xc000 | o->apex_off));
	}
	if (at < 0x4000 && w->err == 0) {
		memcpy(o->last, name, len);
		o->last_len = len;
		o->last_off = at;
		/* Written whole: its end is the apex, for the owners after. */
		if (o->apex_off == 0 && w->len - at == len &&
		    at + len - o->apex_len < 0x4000)
			o->apex_off = at + len - o->apex_len;
	}
}

size_t
dns_xfr_msg(struct dns_xfr_src *s, const struct dns_xfr_q *q, int first,
	    uint8_t *out, size_t max, size_t reserve)
{
	struct dns_wr w;
	struct dns_xfr_rec r;
	struct owners o = { 0 };
	unsigned an = 0;

	if (!dns_xfr_src_get(s, &r))
		return 0;
	size_t lim = max - reserve - (q->edns ? OPT_SIZE : 0);
	dns_wr_init(&w, out, lim);
	start(&w, q, 0, 1, first);
	/* The question names the apex (in lower case in the zone). */
	o.apex = s->z ? s->z->apex : NULL;
	o.apex_len = s->z ? s->z->apex_len : 0;
	if (first && o.apex && dns_name_len(q->name) == o.apex_len &&
	    memcmp(q->name, o.apex, o.apex_len) == 0)
		o.apex_off = DNS_HDR_SIZE;
	while (dns_xfr_src_get(s, &r)) {
		struct dns_wr_mark m = dns_wr_mark(&w);
		if (o.apex)
			put_owner(&w, &o, r.owner);
		else
			dns_wr_name(&w, r.owner, 1);
		dns_wr_rr_body(&w, r.type, DNS_C_IN, r.ttl, r.rd, r.rdlen);
		if (w.err) {
			dns_wr_rollback(&w, m);
			w.err = 0;
			break;
		}
		an++;
		dns_xfr_src_next(s);
	}
	if (an == 0)
		return 0;	/* a record larger than a message */
	return end(&w, q, max - reserve, an);
}

size_t
dns_xfr_reply(const struct dns_xfr_q *q, int rcode, int aa, uint8_t *out,
	      size_t max)
{
	struct dns_wr w;

	dns_wr_init(&w, out, max);
	start(&w, q, rcode, aa, 1);
	return end(&w, q, max, 0);
}

/* Reading. */
enum { IN_START, IN_SECOND, IN_FULL, IN_DEL, IN_ADD, IN_DONE };

void
dns_xfr_in_init(struct dns_xfr_in *x, const uint8_t *apex, uint16_t id,
		uint16_t qtype, uint32_t have)
{
	memset(x, 0, sizeof *x);
	dns_name_lower(apex, x->apex);
	x->id = id;
	x->qtype = qtype;
	x->have = have;
	x->max_records = 10 * 1000 * 1000;
	x->max_bytes = (size_t)1 << 30;
}

static int
is_apex_soa(const struct dns_xfr_in *x, const struct dns_xfr_rec *r)
{
	return r->type == DNS_T_SOA && dns_name_equal(r->owner, x->apex);
}

/* The first SOA opens the answer; an IXFR's second record tells its
 * form (RFC 1995 section 4): the SOA of our serial opens differences. */
static int
in_record(struct dns_xfr_in *x, const struct dns_xfr_rec *r,
	  const char **why)
{
	uint32_t serial = r->type == DNS_T_SOA ?
		dns_soa_serial(r->rd, r->rdlen) : 0;
	int soa = is_apex_soa(x, r);

	switch (x->state) {
	case IN_START:
		if (!soa) {
			*why = "the transfer does not start with the SOA";
			return ERR_PARSE;
		}
		if (r->rdlen > sizeof x->soa) {
			*why = "an SOA too large";
			return ERR_PARSE;
		}
		memcpy(x->soa, r->rd, r->rdlen);
		x->soa_len = r->rdlen;
		x->serial = serial;
		x->state = x->qtype == DNS_T_IXFR ? IN_SECOND : IN_FULL;
		if (x->qtype == DNS_T_IXFR)
			return 0;
		return x->rr(x->arg, DNS_XFR_FULL, r);
	case IN_SECOND:
		if (soa && serial == x->have && x->serial != x->have) {
			x->incremental = 1;
			x->state = IN_DEL;
			return x->rr(x->arg, DNS_XFR_VERSION, r);
		}
		/* The whole zone: give the first SOA, then this record. */
		x->state = IN_FULL;
		struct dns_xfr_rec first = { x->apex, DNS_T_SOA, 0, x->soa,
					     x->soa_len };
		first.ttl = r->type == DNS_T_SOA ? r->ttl : 0;
		int rc = x->rr(x->arg, DNS_XFR_FULL, &first);
		if (rc < 0)
			return rc;
		return in_record(x, r, why);
	case IN_FULL:
		if (soa) {
			if (r->rdlen != x->soa_len ||
			    memcmp(r->rd, x->soa, x->soa_len) != 0) {
				*why = "the last SOA differs from the first";
				return ERR_PARSE;
			}
			x->state = IN_DONE;
			return 1;
		}
		return x->rr(x->arg, DNS_XFR_FULL, r);
	case IN_DEL:
		if (soa) {
			x->state = IN_ADD;
			return x->rr(x->arg, DNS_XFR_ADD, r);
		}
		return x->rr(x->arg, DNS_XFR_DEL, r);
	case IN_ADD:
		if (soa && serial == x->serial) {
			if (r->rdlen != x->soa_len ||
			    memcmp(r->rd, x->soa, x->soa_len) != 0) {
				*why = "the last SOA differs from the first";
				return ERR_PARSE;
			}
			x->state = IN_DONE;
			return 1;
		}
		if (soa) {
			x->state = IN_DEL;
			return x->rr(x->arg, DNS_XFR_VERSION, r);
		}
		return x->rr(x->arg, DNS_XFR_ADD, r);
	}
	*why = "records after the last SOA";
	return ERR_PARSE;
}

/* Checks one record of the answer section and expands its rdata. */
static int
in_rr(struct dns_xfr_in *x, const uint8_t *msg, size_t len,
      const struct dns_rr *rr, const char **why)
{
	uint8_t rd[65535];
	int n;

	if (rr->class != DNS_C_IN) {
		*why = "a record of a class other than IN";
		return ERR_PARSE;
	}
	if (dns_name_suffix(rr->name, x->apex) < 0) {
		*why = "a record outside the zone";
		return ERR_PARSE;
	}
	if (rr->type == DNS_T_OPT || rr->type == 250 ||
	    rr->type == DNS_T_AXFR || rr->type == DNS_T_IXFR ||
	    rr->type == DNS_T_ANY) {
		*why = "a meta-type in the zone";
		return ERR_PARSE;
	}
	n = dns_rdata_expand(msg, len, rr, rd, sizeof rd);
	if (n < 0) {
		*why = "bad rdata";
		return ERR_PARSE;
	}
	if (++x->nrecords > x->max_records ||
	    (x->nbytes += rr->nlen + (size_t)n + 16) > x->max_bytes) {
		*why = "the zone is larger than the limit";
		return ERR_TOOBIG;
	}
	struct dns_xfr_rec r = { rr->name, rr->type, rr->ttl, rd,
				 (uint16_t)n };
	return in_record(x, &r, why);
}

int
dns_xfr_in_msg(struct dns_xfr_in *x, const uint8_t *msg, size_t len,
	       const char **why)
{
	struct dns_cur c;
	struct dns_hdr h;
	struct dns_question q;
	struct dns_rr rr;
	int rc = 0;

	dns_cur_init(&c, msg, len);
	*why = "malformed message";
	if (dns_hdr_read(&c, &h) < 0 || !(h.flags & DNS_F_QR) ||
	    h.id != x->id || h.qdcount > 1)
		return ERR_PARSE;
	if (DNS_F_RCODE(h.flags) != 0) {
		x->rcode = DNS_F_RCODE(h.flags);
		*why = "the primary answered with an error";
		return ERR_PARSE;
	}
	if (h.qdcount && (dns_question_read(&c, &q) < 0 ||
			  q.type != x->qtype ||
			  !dns_name_equal(q.name, x->apex)))
		return ERR_PARSE;
	if (x->state == IN_START && h.ancount == 0)
		return ERR_PARSE;
	for (unsigned i = 0; i < h.ancount && rc == 0; i++) {
		if (dns_rr_read(&c, &rr) < 0)
			return ERR_PARSE;
		rc = in_rr(x, msg, len, &rr, why);
		if (rc == 1 && i + 1 != h.ancount) {
			*why = "records after the last SOA";
			return ERR_PARSE;
		}
	}
	if (rc < 0)
		return rc;
	/* An IXFR answered with the SOA alone, of a serial not newer than
	 * ours: we are up to date (RFC 1995 section 2). */
	if (x->state == IN_SECOND && h.ancount == 1 &&
	    dns_serial_cmp(x->serial, x->have) <= 0) {
		x->up_to_date = 1;
		x->state = IN_DONE;
		return 1;
	}
	return rc;
}
