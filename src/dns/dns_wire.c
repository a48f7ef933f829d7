/* dns_wire: reading and writing DNS messages (RFC 1035 section 4.1),
 * strict name decompression (section 4.1.4), EDNS0 OPT (RFC 6891). */
#include <string.h>

#include "core/err.h"
#include "dns_wire.h"

#define DNS_MAX_HOPS 64		/* compression pointers followed per name */

void
dns_cur_init(struct dns_cur *c, const void *p, size_t len)
{
	c->p = p;
	c->len = len;
	c->pos = 0;
	c->err = 0;
}

const uint8_t *
dns_cur_skip(struct dns_cur *c, size_t n)
{
	if (c->err || c->len - c->pos < n) {
		c->err = ERR_PARSE;
		return NULL;
	}
	const uint8_t *p = c->p + c->pos;
	c->pos += n;
	return p;
}

uint8_t
dns_cur_u8(struct dns_cur *c)
{
	const uint8_t *p = dns_cur_skip(c, 1);

	return p ? p[0] : 0;
}

uint16_t
dns_cur_u16(struct dns_cur *c)
{
	const uint8_t *p = dns_cur_skip(c, 2);

	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

uint32_t
dns_cur_u32(struct dns_cur *c)
{
	const uint8_t *p = dns_cur_skip(c, 4);

	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3] : 0;
}

static int
cur_fail(struct dns_cur *c)
{
	c->err = ERR_PARSE;
	return ERR_PARSE;
}

/* Every pointer must point strictly before the previous one (or before
 * itself, for the first), past the header: this refuses loops and
 * forward pointers and bounds the work by the message length. */
int
dns_name_read(struct dns_cur *c, uint8_t *out)
{
	size_t pos = c->pos, limit = c->pos, n = 0, resume = 0;
	unsigned hops = 0;

	if (c->err)
		return c->err;
	for (;;) {
		if (pos >= c->len)
			return cur_fail(c);
		uint8_t l = c->p[pos];
		if ((l & 0xc0) == 0xc0) {
			if (pos + 1 >= c->len || ++hops > DNS_MAX_HOPS)
				return cur_fail(c);
			size_t to = (size_t)(l & 0x3f) << 8 | c->p[pos + 1];
			if (!resume)
				resume = pos + 2;
			if (to >= limit || to >= pos || to < DNS_HDR_SIZE)
				return cur_fail(c);
			limit = to;
			pos = to;
			continue;
		}
		if (l & 0xc0)
			return cur_fail(c);
		if (n + l + 1 > DNS_NAME_MAX || pos + 1 + l > c->len)
			return cur_fail(c);
		memcpy(out + n, c->p + pos, (size_t)l + 1);
		n += (size_t)l + 1;
		pos += (size_t)l + 1;
		if (l == 0)
			break;
	}
	c->pos = resume ? resume : pos;
	return (int)n;
}

int
dns_hdr_read(struct dns_cur *c, struct dns_hdr *h)
{
	const uint8_t *p = dns_cur_skip(c, DNS_HDR_SIZE);

	if (p == NULL) {
		memset(h, 0, sizeof *h);
		return c->err;
	}
	h->id = (uint16_t)(p[0] << 8 | p[1]);
	h->flags = (uint16_t)(p[2] << 8 | p[3]);
	h->qdcount = (uint16_t)(p[4] << 8 | p[5]);
	h->ancount = (uint16_t)(p[6] << 8 | p[7]);
	h->nscount = (uint16_t)(p[8] << 8 | p[9]);
	h->arcount = (uint16_t)(p[10] << 8 | p[11]);
	return 0;
}

int
dns_question_read(struct dns_cur *c, struct dns_question *q)
{
	int n = dns_name_read(c, q->name);

	if (n < 0)
		return n;
	q->nlen = (size_t)n;
	q->type = dns_cur_u16(c);
	q->class = dns_cur_u16(c);
	return c->err;
}

int
dns_rr_read(struct dns_cur *c, struct dns_rr *rr)
{
	int n = dns_name_read(c, rr->name);

	if (n < 0)
		return n;
	rr->nlen = (size_t)n;
	rr->type = dns_cur_u16(c);
	rr->class = dns_cur_u16(c);
	rr->ttl = dns_cur_u32(c);
	rr->rdlen = dns_cur_u16(c);
	rr->rdoff = c->pos;
	dns_cur_skip(c, rr->rdlen);
	return c->err;
}

/* The rdata layout of the types whose names may be compressed:
 * 'N' a name, '2' and '4' fixed fields; NULL for opaque rdata. */
static const char *
rdata_layout(uint16_t type)
{
	switch (type) {
	case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR: return "N";
	case DNS_T_MX: return "2N";
	case DNS_T_SOA: return "NN44444";
	case DNS_T_SRV: return "222N";
	}
	return NULL;
}

static int
expand_put(uint8_t *out, size_t outsz, size_t *n, const void *p, size_t len)
{
	if (outsz - *n < len)
		return ERR_TOOBIG;
	memcpy(out + *n, p, len);
	*n += len;
	return 0;
}

int
dns_rdata_expand(const uint8_t *msg, size_t msglen, const struct dns_rr *rr,
		 uint8_t *out, size_t outsz)
{
	const char *lay = rdata_layout(rr->type);
	size_t end = rr->rdoff + rr->rdlen, n = 0;
	struct dns_cur c;
	uint8_t name[DNS_NAME_MAX + 1];
	int rc = 0;

	if (end > msglen)
		return ERR_PARSE;
	if (lay == NULL)
		return expand_put(out, outsz, &n, msg + rr->rdoff, rr->rdlen) ?
			ERR_TOOBIG : rr->rdlen;
	dns_cur_init(&c, msg, end);
	c.pos = rr->rdoff;
	for (; *lay && rc == 0; lay++) {
		const uint8_t *p;
		if (*lay == 'N') {
			int len = dns_name_read(&c, name);
			if (len < 0)
				return ERR_PARSE;
			rc = expand_put(out, outsz, &n, name, (size_t)len);
			continue;
		}
		p = dns_cur_skip(&c, (size_t)(*lay - '0'));
		if (p == NULL)
			return ERR_PARSE;
		rc = expand_put(out, outsz, &n, p, (size_t)(*lay - '0'));
	}
	if (rc < 0)
		return rc;
	return c.pos == end ? (int)n : ERR_PARSE;
}

void
dns_edns_from_rr(const struct dns_rr *rr, struct dns_edns *e)
{
	e->present = 1;
	e->udp_size = rr->class;
	e->ext_rcode = (uint8_t)(rr->ttl >> 24);
	e->version = (uint8_t)(rr->ttl >> 16);
	e->flags = (uint16_t)rr->ttl;
}

size_t
dns_name_len(const uint8_t *name)
{
	size_t n = 0;

	while (name[n])
		n += (size_t)name[n] + 1;
	return n + 1;
}

unsigned
dns_name_labels(const uint8_t *name)
{
	unsigned k = 0;

	for (size_t n = 0; name[n]; n += (size_t)name[n] + 1)
		k++;
	return k;
}

static inline uint8_t
lc(uint8_t ch)
{
	return ch >= 'A' && ch <= 'Z' ? (uint8_t)(ch + 32) : ch;
}

int
dns_name_equal(const uint8_t *a, const uint8_t *b)
{
	size_t n = 0;

	for (;;) {
		if (a[n] != b[n])
			return 0;
		if (a[n] == 0)
			return 1;
		size_t l = a[n++];
		for (size_t i = 0; i < l; i++, n++)
			if (a[n] != b[n] && lc(a[n]) != lc(b[n]))
				return 0;
	}
}

size_t
dns_name_lower(const uint8_t *name, uint8_t *out)
{
	size_t n = dns_name_len(name);

	dns_name_lower_len(name, n, out);
	return n;
}

void
dns_name_lower_len(const uint8_t *name, size_t n, uint8_t *out)
{
	size_t i = 0;
	uint64_t w;

	/* Label lengths are below 64, so lower-casing leaves them alone. */
	if (n < 8) {
		for (; i < n; i++)
			out[i] = lc(name[i]);
		return;
	}
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, name + i, 8);
		w = dns_lc8(w);
		memcpy(out + i, &w, 8);
	}
	/* The last bytes as one word that overlaps the ones done. */
	if (i < n) {
		memcpy(&w, name + n - 8, 8);
		w = dns_lc8(w);
		memcpy(out + n - 8, &w, 8);
	}
}

int
dns_name_suffix(const uint8_t *name, const uint8_t *zone)
{
	unsigned nl = dns_name_labels(name), zl = dns_name_labels(zone);
	size_t off = 0;

	if (zl > nl)
		return -1;
	for (unsigned i = 0; i < nl - zl; i++)
		off += (size_t)name[off] + 1;
	return dns_name_equal(name + off, zone) ? (int)off : -1;
}

int
dns_name_parent(const uint8_t *name)
{
	return name[0] ? name[0] + 1 : -1;
}

void
dns_wr_init(struct dns_wr *w, uint8_t *p, size_t max)
{
	w->p = p;
	w->len = 0;
	w->max = max;
	w->err = 0;
	w->stable = 0;
	w->ncomp = 0;
	w->nsame = 0;
}

void
dns_wr_set_u16(struct dns_wr *w, size_t off, uint16_t v)
{
	if (off + 2 <= w->len) {
		w->p[off] = (uint8_t)(v >> 8);
		w->p[off + 1] = (uint8_t)v;
	}
}

/* Does the name at msg+off (which we wrote, so it is well formed and its
 * pointers go backwards) equal s, ignoring case? */
static int
wr_name_match(const uint8_t *msg, size_t off, const uint8_t *s)
{
	for (unsigned hops = 0;;) {
		uint8_t l = msg[off];
		if ((l & 0xc0) == 0xc0) {
			if (++hops > DNS_MAX_HOPS)
				return 0;
			off = (size_t)(l & 0x3f) << 8 | msg[off + 1];
			continue;
		}
		if (l != *s)
			return 0;
		if (l == 0)
			return 1;
		for (size_t i = 1; i <= l; i++) {
			uint8_t m = msg[off + i];
			if (m != s[i] && lc(m) != lc(s[i]))
				return 0;
		}
		off += (size_t)l + 1;
		s += l + 1;
	}
}

/* The offset of a name written before that equals s, of length n, or
 * -1. Comparing lengths and first labels first rules out nearly every
 * candidate before a byte-by-byte check. */
static int
wr_comp_find(const struct dns_wr *w, const uint8_t *s, size_t n)
{
	for (unsigned i = 0; i < w->ncomp; i++)
		if (w->comp_len[i] == n && w->p[w->comp[i]] == s[0] &&
		    wr_name_match(w->p, w->comp[i], s))
			return w->comp[i];
	return -1;
}

/* With w->stable: the offset of the name at this address written
 * before, or -1. */
static int
wr_same_find(const struct dns_wr *w, const uint8_t *name)
{
	for (unsigned i = 0; i < w->nsame; i++)
		if (w->same[i] == name)
			return w->same_off[i];
	return -1;
}

/* With w->stable: remembers that name starts at offset off (its first
 * label, never a pointer: a pointer must lead to a label). */
static void
wr_same_add(struct dns_wr *w, const uint8_t *name, size_t off)
{
	if (w->stable && w->err == 0 && off < 0x4000 &&
	    w->nsame < DNS_WR_SAME_MAX) {
		w->same[w->nsame] = name;
		w->same_off[w->nsame++] = (uint16_t)off;
	}
}

/* RFC 1035 section 4.1.4: the longest suffix already in the message
 * becomes a pointer; the labels before it are written in one piece and
 * each is remembered (also when compress is not set, for the names
 * written after). */
void
dns_wr_name(struct dns_wr *w, const uint8_t *name, int compress)
{
	size_t len, n, at = w->len;
	int ptr = compress && w->stable ? wr_same_find(w, name) : -1;

	if (ptr >= 0) {
		dns_wr_u16(w, (uint16_t)(0xc000 | ptr));
		return;
	}
	len = dns_name_len(name);
	for (n = 0; name[n]; n += (size_t)name[n] + 1)
		if (compress) {
			ptr = wr_comp_find(w, name + n, len - n);
			if (ptr >= 0)
				break;
		}
	dns_wr_bytes(w, name, n);
	for (size_t o = 0; o < n && w->err == 0; o += (size_t)name[o] + 1)
		if (at + o < 0x4000 && w->ncomp < DNS_COMP_MAX) {
			w->comp_len[w->ncomp] = (uint8_t)(len - o);
			w->comp[w->ncomp++] = (uint16_t)(at + o);
		}
	if (n > 0 || ptr >= 0)
		wr_same_add(w, name, n > 0 ? at : (size_t)ptr);
	if (ptr >= 0)
		dns_wr_u16(w, (uint16_t)(0xc000 | ptr));
	else
		dns_wr_u8(w, 0);
}

void
dns_wr_name_at(struct dns_wr *w, const uint8_t *name, size_t off)
{
	if (off < w->len)
		wr_same_add(w, name, off);
}

void
dns_wr_hdr(struct dns_wr *w, const struct dns_hdr *h)
{
	const uint16_t v[6] = { h->id, h->flags, h->qdcount, h->ancount,
				h->nscount, h->arcount };
	uint8_t b[DNS_HDR_SIZE];

	for (int i = 0; i < 6; i++) {
		b[2 * i] = (uint8_t)(v[i] >> 8);
		b[2 * i + 1] = (uint8_t)v[i];
	}
	dns_wr_bytes(w, b, sizeof b);
}

static void
wr_rdata(struct dns_wr *w, uint16_t type, const uint8_t *rd, uint16_t len)
{
	size_t n = 0;

	switch (type) {
	case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR:
		dns_wr_name(w, rd, 1);
		return;
	case DNS_T_MX:
		dns_wr_bytes(w, rd, 2);
		dns_wr_name(w, rd + 2, 1);
		return;
	case DNS_T_SOA:
		dns_wr_name(w, rd, 1);
		n = dns_name_len(rd);
		dns_wr_name(w, rd + n, 1);
		n += dns_name_len(rd + n);
		dns_wr_bytes(w, rd + n, len - n);
		return;
	}
	dns_wr_bytes(w, rd, len);
}

void
dns_wr_rr(struct dns_wr *w, const uint8_t *owner, uint16_t type,
	  uint16_t class, uint32_t ttl, const uint8_t *rdata, uint16_t rdlen)
{
	dns_wr_name(w, owner, 1);
	dns_wr_rr_body(w, type, class, ttl, rdata, rdlen);
}

void
dns_wr_rr_body(struct dns_wr *w, uint16_t type, uint16_t class, uint32_t ttl,
	       const uint8_t *rdata, uint16_t rdlen)
{
	uint8_t fixed[10] = { (uint8_t)(type >> 8), (uint8_t)type,
			      (uint8_t)(class >> 8), (uint8_t)class,
			      (uint8_t)(ttl >> 24), (uint8_t)(ttl >> 16),
			      (uint8_t)(ttl >> 8), (uint8_t)ttl, 0, 0 };

	dns_wr_bytes(w, fixed, sizeof fixed);
	size_t at = w->len - 2;
	wr_rdata(w, type, rdata, rdlen);
	if (w->err == 0)
		dns_wr_set_u16(w, at, (uint16_t)(w->len - at - 2));
}

void
dns_wr_opt(struct dns_wr *w, uint16_t udp_size, uint8_t ext_rcode,
	   uint16_t flags)
{
	dns_wr_u8(w, 0);
	dns_wr_u16(w, DNS_T_OPT);
	dns_wr_u16(w, udp_size);
	dns_wr_u32(w, (uint32_t)ext_rcode << 24 | flags);
	dns_wr_u16(w, 0);
}

struct dns_wr_mark
dns_wr_mark(const struct dns_wr *w)
{
	struct dns_wr_mark m = { w->len, w->ncomp, w->nsame };

	return m;
}

void
dns_wr_rollback(struct dns_wr *w, struct dns_wr_mark m)
{
	w->len = m.len;
	w->ncomp = m.ncomp;
	w->nsame = m.nsame;
	w->err = 0;
}
