/* dns_tail: the precomputed ends of a zone's answers: made from the bytes
 * the general writer wrote once (their compression pointers found and
 * made relative), copied into replies with the pointers moved (RFC 1035
 * section 4.1.4). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dns_tail.h"

/* Reads the name at *pos of the tail; a pointer that ends it is made
 * relative to the apex at offset 12 or to the tail at t0 of the message
 * it was written in, and noted. Returns 0, or -1 when it cannot move. */
static int
tail_name(struct dns_answer_tail *t, size_t *pos, size_t t0,
	  size_t apex_len)
{
	uint8_t *p = t->wire;
	size_t o = *pos, to;
	int in_tail = 0;

	while (o < t->len && p[o] != 0 && (p[o] & 0xc0) == 0)
		o += (size_t)p[o] + 1;
	if (o < t->len && p[o] == 0) {
		*pos = o + 1;
		return 0;
	}
	if (o + 2 > t->len || (p[o] & 0xc0) != 0xc0 || t->nptr == DNS_TAIL_PTRS)
		return -1;
	to = (size_t)(p[o] & 0x3f) << 8 | p[o + 1];
	if (to >= t0) {
		to -= t0;
		in_tail = 1;
	} else if (to >= DNS_HDR_SIZE && to < DNS_HDR_SIZE + apex_len) {
		to -= DNS_HDR_SIZE;
	} else {
		return -1;
	}
	/* Those into the apex first: shift the others up one. */
	unsigned k = in_tail ? t->nptr : t->napex++;
	memmove(t->ptr + k + 1, t->ptr + k,
		sizeof *t->ptr * (t->nptr - k));
	t->ptr[k] = (struct tail_ptr){ (uint16_t)o, (uint16_t)(0xc000 | to) };
	t->nptr++;
	*pos = o + 2;
	return 0;
}

/* Finds the pointers of the tail's records (NS and SOA rdata hold names;
 * A and AAAA none). Returns 0 or -1. */
static int
tail_scan(struct dns_answer_tail *t, size_t t0, size_t apex_len)
{
	size_t pos = 0;

	for (unsigned i = 0; i < (unsigned)t->count[0] + t->count[1]; i++) {
		if (tail_name(t, &pos, t0, apex_len) < 0 || t->len - pos < 10)
			return -1;
		const uint8_t *f = t->wire + pos;
		uint16_t type = (uint16_t)(f[0] << 8 | f[1]);
		size_t end = pos + 10 + (size_t)(f[8] << 8 | f[9]);
		int names = type == DNS_T_NS ? 1 : type == DNS_T_SOA ? 2 : 0;
		pos += 10;
		if (end > t->len || (names == 0 && !dns_rdata_fixed(type)))
			return -1;
		for (int k = 0; k < names; k++)
			if (tail_name(t, &pos, t0, apex_len) < 0)
				return -1;
		if (pos > end)
			return -1;
		pos = end;
	}
	return pos == t->len ? 0 : -1;
}

/* Notes the top label of name when it is below z's apex. Returns 0, or
 * -1 when there is no room. */
static int
tail_top(struct dns_answer_tail *t, const struct dns_zone *z,
	 const uint8_t *name)
{
	int off = dns_name_suffix(name, z->apex);
	size_t o = 0, top = 0;

	if (off <= 0)
		return 0;
	while (o < (size_t)off) {
		top = o;
		o += (size_t)name[o] + 1;
	}
	size_t m = (size_t)name[top] + 1;
	uint8_t *to = t->tops + t->ntops;
	if (t->ntops + m > DNS_TAIL_TOPS)
		return -1;
	for (size_t i = 0; i < m; i++) {
		uint8_t ch = name[top + i];
		to[i] = ch >= 'A' && ch <= 'Z' ? (uint8_t)(ch + 32) : ch;
	}
	for (size_t i = 0; i < t->ntops; i += (size_t)t->tops[i] + 1)
		if (memcmp(t->tops + i, to, m) == 0)
			return 0;	/* noted already */
	t->ntops = (uint8_t)(t->ntops + m);
	return 0;
}

/* The top labels of every name of the zone's NS and SOA rdata: all the
 * names a tail writes besides the apex. */
static int
tail_tops(struct dns_answer_tail *t, const struct dns_zone *z)
{
	const struct dns_rrset *ns = dns_node_rrset(z, &z->nodes[0], DNS_T_NS);
	const struct dns_rrset *soa = dns_zone_soa(z);
	const uint8_t *p;

	for (unsigned i = 0; ns && i < ns->count; i++) {
		p = z->rdata + ns->rdata;
		for (unsigned k = 0; k < i; k++)
			p += 2 + ((size_t)p[0] << 8 | p[1]);
		if (tail_top(t, z, p + 2) < 0)
			return -1;
	}
	p = z->rdata + soa->rdata + 2;
	if (tail_top(t, z, p) < 0 || tail_top(t, z, p + dns_name_len(p)) < 0)
		return -1;
	return 0;
}

int
dns_tail_new(const struct dns_zone *z, const uint8_t *msg, size_t t0,
	     size_t end, unsigned nauth, unsigned nadd, unsigned ncomp,
	     struct dns_answer_tail **out)
{
	struct dns_answer_tail *t;

	*out = NULL;
	if (end - t0 > DNS_TAIL_MAX)
		return 0;
	t = calloc(1, sizeof *t);
	if (t == NULL)
		return -ENOMEM;
	t->len = (uint16_t)(end - t0);
	t->count[0] = (uint16_t)nauth;
	t->count[1] = (uint16_t)nadd;
	t->ncomp = (uint8_t)ncomp;
	memcpy(t->wire, msg + t0, t->len);
	if (tail_scan(t, t0, z->apex_len) < 0 || tail_tops(t, z) < 0) {
		free(t);
		return 0;
	}
	*out = t;
	return 0;
}

int
dns_tail_clash(const struct dns_zone *z, const uint8_t *low, size_t n)
{
	const struct dns_answer_tail *t = z->tail[DNS_TAIL_POS];

	if (t == NULL)
		t = z->tail[DNS_TAIL_NEG];
	for (size_t i = 0; t && i < t->ntops; i += (size_t)t->tops[i] + 1) {
		size_t m = (size_t)t->tops[i] + 1;
		if (m <= n && low[n - m] == t->tops[i] &&
		    memcmp(low + n - m + 1, t->tops + i + 1, m - 1) == 0)
			return 1;
	}
	return 0;
}

void
dns_tail_copy(const struct dns_answer_tail *t, uint8_t *msg, size_t at,
	      size_t apex_off)
{
	uint8_t *out = msg + at;
	uint16_t base = (uint16_t)apex_off;

	memcpy(out, t->wire, t->len);
	for (unsigned i = 0; i < t->nptr; i++) {
		if (i == t->napex)
			base = (uint16_t)at;
		uint16_t v = (uint16_t)(t->ptr[i].v + base);
		out[t->ptr[i].at] = (uint8_t)(v >> 8);
		out[t->ptr[i].at + 1] = (uint8_t)v;
	}
}
