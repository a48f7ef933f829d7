/* dns_answer: authoritative answers (RFC 1034 section 4.3.2 without
 * recursion; RFC 2308 negative answers; RFC 4592 wildcards; RFC 6891
 * EDNS0; RFC 8482 minimal ANY; RFC 2181 section 9 truncation). */
#include <string.h>

#include "core/err.h"
#include "dns_answer_int.h"
#include "dns_tail.h"

#define ANS_MAX_ADDL 32		/* target names noted for additional */
#define ANS_MAX_DONE 64		/* RRsets written, so none goes twice */
#define OPT_SIZE 11

enum { SEC_AN, SEC_NS, SEC_AR };

struct ans {
	const struct dns_db *db;
	struct dns_wr w;
	struct dns_hdr qh;
	struct dns_question q;
	uint8_t qlow[DNS_NAME_MAX + 1];	/* q.name in lower case */
	struct dns_edns edns;
	int have_q, rcode, aa, tc;
	uint16_t count[3];
	const uint8_t *addl[ANS_MAX_ADDL];
	const struct dns_zone *addl_zone[ANS_MAX_ADDL];
	/* The node of each, when known already; NULL: look it up. */
	const struct dns_node *addl_node[ANS_MAX_ADDL];
	int naddl;
	const struct dns_rrset *done[ANS_MAX_DONE];
	int ndone;
	const struct dns_node *seen[DNS_MAX_CHAIN + 1];
	int nseen;
	/* The question's zone, where its apex is in the reply, how many
	 * names the question left for compression, and whether a tail may
	 * follow (its names do not clash with the question's). */
	const struct dns_zone *qzone;
	const struct dns_probe *hint;	/* from dns_answer_probe, or NULL */
	size_t apex_off;
	unsigned qcomp;
	int tail_ok;
};

/* In ans.addl_node: known not to be in the zone. */
static const struct dns_node ans_no_node;

static uint32_t
rd_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
}

static int
was_done(const struct ans *a, const struct dns_rrset *rs)
{
	for (int i = 0; i < a->ndone; i++)
		if (a->done[i] == rs)
			return 1;
	return 0;
}

/* Notes the names in NS, MX and SRV rdata whose addresses go in the
 * additional section (RFC 1035 section 3.3.9, RFC 2782). */
static void
note_targets(struct ans *a, const struct dns_zone *z,
	     const struct dns_rrset *rs)
{
	size_t skip = rs->type == DNS_T_MX ? 2 : rs->type == DNS_T_SRV ? 6 :
		rs->type == DNS_T_NS ? 0 : 99;
	const uint8_t *p = z->rdata + rs->rdata;
	/* The apex's NS RRset: its targets' nodes were found at load. */
	int apex_ns = rs->type == DNS_T_NS &&
		(uint32_t)(rs - z->rrsets) < z->nodes[1].rrset;

	if (skip == 99)
		return;
	for (unsigned i = 0; i < rs->count; i++) {
		size_t len = (size_t)p[0] << 8 | p[1];
		if (a->naddl < ANS_MAX_ADDL && len > skip) {
			const struct dns_node *nd = NULL;
			uint32_t g = apex_ns && i < z->nns_glue ?
				z->ns_glue[i] : UINT32_MAX;
			if (g != UINT32_MAX)
				nd = g ? &z->nodes[g - 1] : &ans_no_node;
			a->addl_node[a->naddl] = nd;
			a->addl_zone[a->naddl] = z;
			a->addl[a->naddl++] = p + 2 + skip;
		}
		p += 2 + len;
	}
}

/* Writes a whole RRset into section sec with the given TTL, or nothing
 * when it does not fit; an RRset already written is not written again. */
static int
put_rrset(struct ans *a, int sec, const struct dns_zone *z,
	  const uint8_t *owner, const struct dns_rrset *rs, uint32_t ttl)
{
	struct dns_wr_mark m = dns_wr_mark(&a->w);
	const uint8_t *p = z->rdata + rs->rdata;
	size_t fixed = dns_rdata_fixed(rs->type);

	if (was_done(a, rs))
		return 0;
	for (unsigned i = 0; i < rs->count; i++) {
		uint16_t len = fixed ? (uint16_t)fixed :
			(uint16_t)(p[0] << 8 | p[1]);
		const uint8_t *rd = fixed ? p : p + 2;
		dns_wr_rr(&a->w, owner, rs->type, DNS_C_IN, ttl, rd, len);
		p = rd + len;
	}
	if (a->w.err) {
		dns_wr_rollback(&a->w, m);
		return ERR_TOOBIG;
	}
	a->count[sec] += rs->count;
	if (a->ndone < ANS_MAX_DONE)
		a->done[a->ndone++] = rs;
	if (sec != SEC_AR)
		note_targets(a, z, rs);
	return 0;
}

/* Required data that does not fit: the client must ask over TCP. */
static void
put_required(struct ans *a, int sec, const struct dns_zone *z,
	     const uint8_t *owner, const struct dns_rrset *rs)
{
	if (put_rrset(a, sec, z, owner, rs, rs->ttl) < 0)
		a->tc = 1;
}

/* RFC 2308 section 3: the SOA's TTL is the lesser of its own TTL and its
 * MINIMUM field. */
static void
put_soa(struct ans *a, const struct dns_zone *z)
{
	const struct dns_rrset *soa = dns_zone_soa(z);
	const uint8_t *p = z->rdata + soa->rdata;
	size_t len = (size_t)p[0] << 8 | p[1];
	uint32_t min = rd_u32(p + 2 + len - 4);

	if (put_rrset(a, SEC_NS, z, z->apex, soa,
		      soa->ttl < min ? soa->ttl : min) < 0)
		a->tc = 1;
}

/* Positive answers carry the zone's NS RRset, as NSD and BIND do. */
static void
put_zone_ns(struct ans *a, const struct dns_zone *z)
{
	const struct dns_rrset *ns = dns_node_rrset(z, &z->nodes[0], DNS_T_NS);

	if (ns)
		put_rrset(a, SEC_NS, z, z->apex, ns, ns->ttl);
}

/* The node of name inside zone z only (NSD adds no address from another
 * zone), or NULL. */
static const struct dns_node *
find_in_zone(const struct dns_zone *z, const uint8_t *name)
{
	uint8_t low[DNS_NAME_MAX + 1];

	if (dns_name_suffix(name, z->apex) < 0)
		return NULL;
	size_t n = dns_name_lower(name, low) - z->apex_len;
	return dns_zone_lookup(z, low, n);
}

/* A and AAAA of the noted targets, when we hold them; dropped, not
 * truncated, when they do not fit (RFC 2181 section 9). */
static void
put_additional(struct ans *a)
{
	static const uint16_t types[] = { DNS_T_A, DNS_T_AAAA };

	for (int i = 0; i < a->naddl; i++) {
		const struct dns_zone *z = a->addl_zone[i];
		const struct dns_node *nd = a->addl_node[i];
		if (nd == NULL)
			nd = find_in_zone(z, a->addl[i]);
		else if (nd == &ans_no_node)
			nd = NULL;
		for (int t = 0; nd && t < 2; t++) {
			const struct dns_rrset *rs;
			rs = dns_node_rrset(z, nd, types[t]);
			if (rs)
				put_rrset(a, SEC_AR, z, a->addl[i], rs,
					  rs->ttl);
		}
	}
}

/* Names in the rdata of these types are compressed or noted for the
 * additional section; an answer of another type adds no name. */
static int
rdata_has_names(uint16_t type)
{
	switch (type) {
	case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR: case DNS_T_MX:
	case DNS_T_SOA: case DNS_T_SRV:
		return 1;
	}
	return 0;
}

/* Copies zone z's tail of the given kind after what is written, when
 * the general writer would write the same bytes: the question is all
 * the message names so far, the question's name does not clash, and the
 * tail fits. Returns 1 when done, 0 to take the general path. */
static int
put_tail(struct ans *a, const struct dns_zone *z, int kind)
{
	const struct dns_answer_tail *t = z->tail[kind];
	struct dns_wr *w = &a->w;
	size_t at = w->len;

	if (t == NULL || !a->tail_ok || z != a->qzone || a->tc || w->err ||
	    w->ncomp != a->qcomp || w->nsame != 2 ||
	    a->qcomp + t->ncomp > DNS_COMP_MAX || w->max - at < t->len ||
	    at + t->len >= 0x4000)
		return 0;
	dns_tail_copy(t, w->p, at, a->apex_off);
	w->len += t->len;
	a->count[SEC_NS] += t->count[0];
	a->count[SEC_AR] += t->count[1];
	return 1;
}

/* Is nd one of the apex NS targets, whose addresses the positive tail
 * holds (an answer with them would not repeat them)? */
static int
is_ns_target(const struct dns_zone *z, const struct dns_node *nd)
{
	uint32_t idx = (uint32_t)(nd - z->nodes) + 1;

	for (unsigned i = 0; i < z->nns_glue; i++)
		if (z->ns_glue[i] == idx)
			return 1;
	return 0;
}

/* A delegation (RFC 1034 section 4.3.2 step 3b): NS in authority, glue
 * in additional, not authoritative unless an answer came first. */
static void
put_referral(struct ans *a, const struct dns_zone *z,
	     const struct dns_node *cut, const uint8_t *owner)
{
	const struct dns_rrset *ns = dns_node_rrset(z, cut, DNS_T_NS);

	if (a->count[SEC_AN] == 0)
		a->aa = 0;
	put_required(a, SEC_NS, z, owner, ns);
}

/* RFC 8482 section 4.2: one RRset stands for them all; the SOA when the
 * name has one, as NSD does. */
static const struct dns_rrset *
any_pick(const struct dns_zone *z, const struct dns_node *nd)
{
	const struct dns_rrset *soa = dns_node_rrset(z, nd, DNS_T_SOA);

	if (soa)
		return soa;
	return dns_node_nrrset(nd) ? &z->rrsets[nd->rrset] : NULL;
}

static int
seen_before(struct ans *a, const struct dns_node *nd)
{
	for (int i = 0; i < a->nseen; i++)
		if (a->seen[i] == nd)
			return 1;
	if (a->nseen <= DNS_MAX_CHAIN)
		a->seen[a->nseen++] = nd;
	return 0;
}

/* dns_zone_lookup, unless the probe of the question's name has the
 * answer: the same zone, the same labels of the question. */
static const struct dns_node *
lookup(const struct ans *a, const struct dns_zone *z, const uint8_t *low,
       size_t off, size_t n)
{
	const struct dns_probe *h = a->hint;

	if (h && h->known && h->zone == z && low == a->qlow && h->off == off &&
	    h->n == n)
		return h->node;
	return dns_zone_lookup(z, low + off, n);
}

/* Walks from the apex down to name, stopping at a delegation. Returns
 * the node for name, or NULL with *enc the closest encloser's offset in
 * name; *cut is set when a delegation was met at offset *enc. */
static const struct dns_node *
walk(const struct ans *a, const struct dns_zone *z, const uint8_t *low,
     size_t n, size_t *enc, const struct dns_node **cut)
{
	size_t offs[DNS_NAME_MAX / 2 + 1];
	int nl = 0;

	*enc = n;
	*cut = NULL;
	if (n == 0)
		return &z->nodes[0];
	/* Without delegations, the name itself is the usual case. */
	if (!z->has_cuts) {
		const struct dns_node *nd = lookup(a, z, low, 0, n);
		if (nd) {
			*enc = 0;
			return nd;
		}
	}
	for (size_t o = 0; o < n; o += (size_t)low[o] + 1)
		offs[nl++] = o;
	for (int k = nl - 1; k >= 0; k--) {
		const struct dns_node *nd = lookup(a, z, low, offs[k],
						   n - offs[k]);
		if (nd == NULL)
			return NULL;
		*enc = offs[k];
		/* DS lives on the parent side of a cut (RFC 4035 3.1.4.1). */
		if (dns_node_is_cut(nd) &&
		    !(k == 0 && a->q.type == DNS_T_DS)) {
			*cut = nd;
			return NULL;
		}
		if (k == 0)
			return nd;
	}
	return NULL;
}

/* The data at a node found for sname: returns the CNAME target to follow,
 * or NULL when the answer is complete. */
static const uint8_t *
answer_node(struct ans *a, const struct dns_zone *z,
	    const struct dns_node *nd, const uint8_t *sname)
{
	const struct dns_rrset *rs;

	if (a->q.type == DNS_T_ANY)
		rs = any_pick(z, nd);
	else
		rs = dns_node_rrset(z, nd, a->q.type);
	if (rs) {
		put_required(a, SEC_AN, z, sname, rs);
		if (rdata_has_names(rs->type) || is_ns_target(z, nd) ||
		    !put_tail(a, z, DNS_TAIL_POS))
			put_zone_ns(a, z);
		return NULL;
	}
	rs = dns_node_rrset(z, nd, DNS_T_CNAME);
	if (rs == NULL || a->q.type == DNS_T_CNAME || a->q.type == DNS_T_ANY) {
		if (!put_tail(a, z, DNS_TAIL_NEG))
			put_soa(a, z);
		return NULL;
	}
	put_required(a, SEC_AN, z, sname, rs);
	if (a->tc)
		return NULL;
	return z->rdata + rs->rdata + 2;
}

/* Answers for sname, in zone z, following CNAMEs inside our zones. */
static void
resolve(struct ans *a, const uint8_t *sname, const struct dns_zone *z)
{
	uint8_t buf[DNS_NAME_MAX + 1], wc[DNS_NAME_MAX + 2];
	const uint8_t *low = a->qlow;
	size_t n = a->q.nlen - z->apex_len;

	a->tail_ok = !dns_tail_clash(z, low, n);
	for (int depth = 0; sname && depth <= DNS_MAX_CHAIN; depth++) {
		size_t enc;
		const struct dns_node *cut, *nd;
		if (depth > 0) {
			z = dns_db_zone(a->db, sname);
			/* The chain left our zones: what we have stands. */
			if (z == NULL)
				return;
			low = buf;
			n = dns_name_lower(sname, buf) - z->apex_len;
		}
		nd = walk(a, z, low, n, &enc, &cut);
		if (cut) {
			put_referral(a, z, cut, sname + enc);
			return;
		}
		if (nd == NULL) {
			/* RFC 4592 section 3.3.1: the source of synthesis. */
			wc[0] = 1;
			wc[1] = '*';
			memcpy(wc + 2, low + enc, n - enc);
			nd = dns_zone_lookup(z, wc, n - enc + 2);
		}
		if (nd == NULL) {
			a->rcode = DNS_RCODE_NXDOMAIN;
			if (!put_tail(a, z, DNS_TAIL_NEG))
				put_soa(a, z);
			return;
		}
		if (seen_before(a, nd))
			return;
		sname = answer_node(a, z, nd, sname);
	}
}

/* The question. Its name in one copy when dns_answer_probe has walked
 * its labels (uncompressed, within the limits), else the general way. */
static int
question_read(struct ans *a, struct dns_cur *c)
{
	size_t n = a->hint ? a->hint->qname : 0;

	if (n == 0 || c->pos + n > c->len)
		return dns_question_read(c, &a->q);
	memcpy(a->q.name, c->p + c->pos, n);
	a->q.nlen = n;
	c->pos += n;
	a->q.type = dns_cur_u16(c);
	a->q.class = dns_cur_u16(c);
	return c->err;
}

/* Reads the query. Returns 0, a DNS rcode for an error reply, or -1 to
 * drop it. */
static int
parse_query(struct ans *a, const uint8_t *q, size_t qlen)
{
	struct dns_cur c;
	struct dns_rr rr;

	dns_cur_init(&c, q, qlen);
	if (dns_hdr_read(&c, &a->qh) < 0 || (a->qh.flags & DNS_F_QR))
		return -1;
	if (a->qh.qdcount == 1 && question_read(a, &c) == 0)
		a->have_q = 1;
	if (DNS_F_OPCODE(a->qh.flags) != DNS_OPCODE_QUERY)
		return DNS_RCODE_NOTIMP;
	if (!a->have_q || a->qh.ancount || a->qh.nscount)
		return DNS_RCODE_FORMERR;
	for (unsigned i = 0; i < a->qh.arcount; i++) {
		if (dns_rr_read(&c, &rr) < 0)
			return DNS_RCODE_FORMERR;
		if (rr.type != DNS_T_OPT)
			continue;
		/* RFC 6891 section 6.1.1: one OPT, owned by the root. */
		if (a->edns.present || rr.nlen != 1)
			return DNS_RCODE_FORMERR;
		dns_edns_from_rr(&rr, &a->edns);
	}
	if (c.pos != qlen)
		return DNS_RCODE_FORMERR;
	if (a->edns.present && a->edns.version > 0)
		return DNS_RCODE_BADVERS;
	return 0;
}

/* TCP: the whole of outsz. UDP: the client's EDNS size, 512 without
 * EDNS or below it (RFC 6891 section 6.2.5), capped by outsz, the
 * server's UDP maximum. */
static size_t
reply_limit(const struct ans *a, size_t outsz, int tcp)
{
	size_t lim = DNS_MAX_UDP;

	if (outsz > DNS_MAX_MSG)
		outsz = DNS_MAX_MSG;
	if (tcp)
		return outsz;
	if (a->edns.present && a->edns.udp_size > lim)
		lim = a->edns.udp_size;
	return lim < outsz ? lim : outsz;
}

static void
answer_question(struct ans *a)
{
	if (a->q.class != DNS_C_IN) {
		a->rcode = DNS_RCODE_REFUSED;
		return;
	}
	if (a->q.type == DNS_T_AXFR || a->q.type == DNS_T_IXFR ||
	    a->q.type == DNS_T_OPT) {
		a->rcode = a->q.type == DNS_T_OPT ? DNS_RCODE_FORMERR :
			DNS_RCODE_REFUSED;
		return;
	}
	dns_name_lower_len(a->q.name, a->q.nlen, a->qlow);
	const struct dns_zone *z = dns_db_zone_lower(a->db, a->qlow,
						     a->q.nlen);
	if (z == NULL) {
		a->rcode = DNS_RCODE_REFUSED;
		return;
	}
	a->aa = 1;
	/* The apex is the end of the question's name, at offset 12 on. */
	a->qzone = z;
	a->apex_off = DNS_HDR_SIZE + a->q.nlen - z->apex_len;
	dns_wr_name_at(&a->w, z->apex, a->apex_off);
	resolve(a, a->q.name, z);
	if (!a->tc)
		put_additional(a);
}

/* The header last, once the counts and flags are known. A truncated
 * reply keeps only the question (RFC 2181 section 9). */
static void
finish(struct ans *a, size_t qend)
{
	/* Opcode and RD come back; CD does not, as we serve no DNSSEC (NSD
	 * alike). */
	uint16_t f = DNS_F_QR | (a->qh.flags & (0x7800 | DNS_F_RD));

	if (a->tc) {
		a->w.len = qend;
		a->count[0] = a->count[1] = a->count[2] = 0;
		f |= DNS_F_TC;
	}
	if (a->aa)
		f |= DNS_F_AA;
	f |= (uint16_t)(a->rcode & 0xf);
	struct dns_hdr h = { a->qh.id, f, (uint16_t)a->have_q, a->count[0],
			     a->count[1],
			     (uint16_t)(a->count[2] + a->edns.present) };
	size_t end = a->w.len;
	a->w.len = 0;
	dns_wr_hdr(&a->w, &h);
	a->w.len = end;
}

/* The UDP size our OPT offers: the server's maximum. */
static uint16_t
advertised_size(size_t outsz, int tcp)
{
	if (tcp)
		return DNS_EDNS_UDP_MAX;
	if (outsz < DNS_MAX_UDP)
		return DNS_MAX_UDP;
	return outsz > DNS_MAX_MSG ? DNS_MAX_MSG : (uint16_t)outsz;
}

size_t
dns_answer_one(const struct dns_db *db, const struct dns_probe *probe,
	       const uint8_t *q, size_t qlen, uint8_t *out, size_t outsz,
	       int tcp)
{
	struct ans a;

	a.db = db;
	a.hint = probe;
	a.have_q = a.rcode = a.aa = a.tc = 0;
	a.count[0] = a.count[1] = a.count[2] = 0;
	a.naddl = a.ndone = a.nseen = 0;
	a.edns.present = 0;
	a.qzone = NULL;
	a.tail_ok = 0;
	int rc = parse_query(&a, q, qlen);
	if (rc < 0)
		return 0;
	if (rc == DNS_RCODE_FORMERR || rc == DNS_RCODE_NOTIMP)
		a.edns.present = 0;
	size_t limit = reply_limit(&a, outsz, tcp);
	dns_wr_init(&a.w, out, limit - (a.edns.present ? OPT_SIZE : 0));
	/* Every name written comes from the query or the database. */
	a.w.stable = 1;
	a.w.len = DNS_HDR_SIZE;
	if (a.have_q) {
		dns_wr_name(&a.w, a.q.name, 1);
		dns_wr_u16(&a.w, a.q.type);
		dns_wr_u16(&a.w, a.q.class);
	}
	a.qcomp = a.w.ncomp;
	size_t qend = a.w.len;
	a.rcode = rc;
	if (rc == 0)
		answer_question(&a);
	finish(&a, qend);
	if (a.edns.present) {
		a.w.max = limit;
		dns_wr_opt(&a.w, advertised_size(outsz, tcp),
			   (uint8_t)(a.rcode >> 4), a.edns.flags & DNS_EDNS_DO);
	}
	return a.w.err ? 0 : a.w.len;
}

int
dns_answer_probe(const struct dns_db *db, const uint8_t *q, size_t qlen,
		 struct dns_probe *p)
{
	uint8_t offs[DNS_NAME_MAX / 2 + 1], low[DNS_NAME_MAX + 1];
	size_t o = DNS_HDR_SIZE, n, top = 0;
	int nl = 0;
	const struct dns_zone *z = db->nzones == 1 ? db->zones[0] : NULL;

	p->z = NULL;
	p->known = 0;
	p->qname = 0;
	/* The question's name, uncompressed as it nearly always is, and
	 * its type and class; its labels' offsets. */
	while (o < qlen && q[o] != 0) {
		if ((q[o] & 0xc0) || o + q[o] + 1 - DNS_HDR_SIZE > DNS_NAME_MAX)
			return 0;
		offs[nl++] = (uint8_t)(o - DNS_HDR_SIZE);
		o += (size_t)q[o] + 1;
	}
	if (o + 5 > qlen)
		return 0;
	n = o + 1 - DNS_HDR_SIZE;
	/* dns_answer_one copies a name so checked in one go. */
	if (n <= DNS_NAME_MAX)
		p->qname = n;
	/* One zone: assumed to be the question's (a wrong guess costs a
	 * useless prefetch, not a wrong answer). */
	if (z == NULL)
		z = dns_db_zone_lower(db, low, dns_name_lower(q + DNS_HDR_SIZE,
							      low));
	if (z == NULL || n <= z->apex_len)
		return 0;
	n -= z->apex_len;
	/* Below delegations, walk() looks the top label up first. */
	while (z->has_cuts && nl > 0 && offs[--nl] >= n)
		;
	if (z->has_cuts)
		top = offs[nl];
	dns_zone_probe_start(p, z, q + DNS_HDR_SIZE + top, n - top,
			     (uint16_t)(q[o + 1] << 8 | q[o + 2]));
	p->off = top;
	return p->z != NULL;
}

/* Writes the tail of the given kind the general way, after a question
 * for the apex, and keeps it when it can be moved. */
static int
tail_build(struct dns_zone *z, int kind)
{
	static const struct dns_hdr h = { 0, 0, 1, 0, 0, 0 };
	uint8_t msg[DNS_HDR_SIZE + DNS_NAME_MAX + 4 + DNS_TAIL_MAX];
	struct ans a = { 0 };
	const struct dns_rrset *ns = dns_node_rrset(z, &z->nodes[0], DNS_T_NS);

	if (kind == DNS_TAIL_POS && ns && ns->count > z->nns_glue)
		return 0;
	dns_wr_init(&a.w, msg, sizeof msg);
	a.w.stable = 1;
	dns_wr_hdr(&a.w, &h);
	dns_wr_name(&a.w, z->apex, 1);
	dns_wr_u32(&a.w, 0);
	size_t t0 = a.w.len;
	unsigned c0 = a.w.ncomp;
	dns_wr_name_at(&a.w, z->apex, DNS_HDR_SIZE);
	if (kind == DNS_TAIL_POS) {
		put_zone_ns(&a, z);
		put_additional(&a);
	} else {
		put_soa(&a, z);
	}
	if (a.tc || a.w.err || a.w.ncomp >= DNS_COMP_MAX)
		return 0;
	return dns_tail_new(z, msg, t0, a.w.len, a.count[SEC_NS],
			    a.count[SEC_AR], a.w.ncomp - c0, &z->tail[kind]);
}

/* A batch of at most DNS_ANSWER_BATCH UDP queries: the lookups of the
 * whole batch in steps first (dns_zone_probe_step). */
static void
answer_udp(const struct dns_db *db, struct dns_msg *m, int n, size_t outsz)
{
	struct dns_probe p[DNS_ANSWER_BATCH];
	int started = 0;

	for (int i = 0; i < n; i++)
		started += dns_answer_probe(db, m[i].q, m[i].qlen, &p[i]);
	for (int s = 0; started && s < DNS_PROBE_STEPS; s++)
		for (int i = 0; i < n; i++)
			dns_zone_probe_step(&p[i]);
	for (int i = 0; i < n; i++) {
		m[i].rlen = dns_answer_one(db, &p[i], m[i].q, m[i].qlen,
					   m[i].r, outsz, 0);
		m[i].qname = p[i].qname;
	}
}

/* TCP queries, one at a time; and UDP batches larger than one probe
 * batch. Apart from dns_answer and never inlined into it, so that its
 * common path (one UDP batch) saves no registers and jumps to answer_udp
 * (bench/dns_instr.sh: 2704 instructions a query with it inlined, 2628
 * without). */
__attribute__((noinline)) static void
answer_rest(const struct dns_db *db, struct dns_msg *m, int n, size_t outsz,
	    int tcp)
{
	for (int i = 0; tcp && i < n; i++)
		m[i].rlen = dns_answer_one(db, NULL, m[i].q, m[i].qlen,
					   m[i].r, outsz, 1);
	for (int i = 0; !tcp && i < n; i += DNS_ANSWER_BATCH)
		answer_udp(db, m + i, n - i < DNS_ANSWER_BATCH ?
			   n - i : DNS_ANSWER_BATCH, outsz);
}

void
dns_answer(const struct dns_db *db, struct dns_msg *m, int n, size_t outsz,
	   int tcp)
{
	if (tcp || n > DNS_ANSWER_BATCH)
		answer_rest(db, m, n, outsz, tcp);
	else
		answer_udp(db, m, n, outsz);
}

int
dns_answer_prepare(struct dns_db *db)
{
	int rc = 0;

	for (int i = 0; i < db->nzones && rc == 0; i++) {
		rc = tail_build(db->zones[i], DNS_TAIL_POS);
		if (rc == 0)
			rc = tail_build(db->zones[i], DNS_TAIL_NEG);
	}
	return rc;
}
