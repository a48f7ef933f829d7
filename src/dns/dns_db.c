/* dns_db: building the in-memory zones from zone files (and a hosts
 * file), and finding names in them. A zone is built in two steps: records
 * are appended as they are parsed, then sorted once into RRsets (RFC 2181
 * section 5: an RRset is a set, duplicates go, one TTL: the lowest). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "dns_answer.h"
#include "dns_db.h"
#include "dns_rr.h"
#include "dns_zone.h"

#define NODE_HAS_CNAME 1	/* build-time flags, in dns_node.rrset */
#define NODE_HAS_OTHER 2
#define NAME_OFF(n) ((n)->name & ~DNS_NODE_CUT)

struct brec {
	uint32_t node, rd, ttl;
	uint16_t type, rdlen;
};

struct dns_zone_build {
	const char *file;	/* where the SOA was read, for messages */
	struct brec *recs;
	size_t n, cap;
	char why[DNS_NAME_TEXT_MAX + 64];
};

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * size);
	if (q == NULL)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

/* Eight bytes at a time (the last eight overlap when the length is not
 * a multiple), each mixed in by a multiply; shorter names byte by byte;
 * then MurmurHash3's 64-bit finish. Case folded when fold is set (label
 * lengths are below 'A': folding leaves them alone). */
static inline uint32_t
name_hash_words(const uint8_t *p, size_t n, int fold)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t h = n * k, w = 0;

	if (n < 8) {
		for (size_t i = 0; i < n; i++) {
			uint64_t c = p[i];
			if (fold)
				c += (uint64_t)(c - 'A' < 26u) << 5;
			w = w << 8 | c;
		}
		h = (h ^ w) * k;
	}
	for (size_t i = 0; n >= 8 && i < n; i += 8) {
		memcpy(&w, p + (i + 8 <= n ? i : n - 8), 8);
		if (fold)
			w = dns_lc8(w);
		h = (h ^ w) * k;
		h ^= h >> 32;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return (uint32_t)(h ^ h >> 33);
}

static uint32_t
name_hash(const uint8_t *p, size_t n)
{
	return name_hash_words(p, n, 0);
}

/* The hash of the name once lower-cased. */
static uint32_t
name_hash_fold(const uint8_t *p, size_t n)
{
	return name_hash_words(p, n, 1);
}

/* A hash slot holds the node index + 1 in its low bits (0: empty) and,
 * above, the low bits of the name's hash: most mismatches are seen
 * without touching the node, so long probes stay in one cache line. */
#define SLOT_IDX_BITS 26
#define SLOT_IDX_MASK ((1u << SLOT_IDX_BITS) - 1)
#define DNS_ZONE_MAX_NODES (SLOT_IDX_MASK - 1)

/* Maps a hash onto [0, cap) without a division (Lemire's reduction). */
static inline uint32_t
slot_of(const struct dns_zone *z, uint32_t h)
{
	return (uint32_t)(((uint64_t)h * z->hash_cap) >> 32);
}

static int
node_is(const struct dns_zone *z, uint32_t idx, const uint8_t *rel, size_t n)
{
	const uint8_t *s = z->names + NAME_OFF(&z->nodes[idx]);

	return s[0] == n && memcmp(s + 1, rel, n) == 0;
}

const struct dns_node *
dns_zone_lookup(const struct dns_zone *z, const uint8_t *rel, size_t n)
{
	if (z->hash == NULL)
		return NULL;
	uint32_t h = name_hash(rel, n), tag = h << SLOT_IDX_BITS;
	uint32_t i = slot_of(z, h);

	for (; z->hash[i]; i = i + 1 == z->hash_cap ? 0 : i + 1) {
		uint32_t idx = (z->hash[i] & SLOT_IDX_MASK) - 1;
		if ((z->hash[i] & ~SLOT_IDX_MASK) == tag &&
		    node_is(z, idx, rel, n))
			return &z->nodes[idx];
	}
	return NULL;
}

void
dns_zone_probe_start(struct dns_probe *p, const struct dns_zone *z,
		     const uint8_t *rel, size_t n, uint16_t qtype)
{
	uint32_t h = name_hash_fold(rel, n);

	p->z = z->hash ? z : NULL;
	p->zone = z;
	p->rel = rel;
	p->n = n;
	p->known = 0;
	p->node = NULL;
	p->tag = h << SLOT_IDX_BITS;
	p->slot = slot_of(z, h);
	p->qtype = qtype;
	p->step = 0;
	if (p->z)
		__builtin_prefetch(&z->hash[p->slot]);
}

/* Does the node's name (lower case) equal rel in any case? */
static int
node_is_fold(const struct dns_zone *z, const struct dns_node *nd,
	     const uint8_t *rel, size_t n)
{
	const uint8_t *s = z->names + NAME_OFF(nd);

	uint64_t x, y;
	size_t i = 0;

	if (s[0] != n)
		return 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, s + 1 + i, 8);
		memcpy(&y, rel + i, 8);
		if (x != dns_lc8(y))
			return 0;
	}
	for (; i < n; i++) {
		uint32_t c = rel[i];
		if (s[1 + i] != c + ((uint32_t)(c - 'A' < 26u) << 5))
			return 0;
	}
	return 1;
}

void
dns_zone_probe_step(struct dns_probe *p)
{
	const struct dns_zone *z = p->z;
	const struct dns_node *nd;
	const struct dns_rrset *rs;

	if (z == NULL)
		return;
	switch (p->step++) {
	case 0:		/* the slot: the first node whose tag matches */
		for (uint32_t i = p->slot; z->hash[i];
		     i = i + 1 == z->hash_cap ? 0 : i + 1)
			if ((z->hash[i] & ~SLOT_IDX_MASK) == p->tag) {
				p->idx = (z->hash[i] & SLOT_IDX_MASK) - 1;
				__builtin_prefetch(&z->nodes[p->idx]);
				__builtin_prefetch(&z->nodes[p->idx + 1]);
				return;
			}
		p->known = 1;	/* an empty slot first: no such name */
		break;
	case 1:		/* the node: its name and RRsets */
		nd = &z->nodes[p->idx];
		__builtin_prefetch(z->names + NAME_OFF(nd));
		__builtin_prefetch(&z->rrsets[nd->rrset]);
		return;
	case 2:		/* its name; the rdata of the RRset asked for */
		nd = &z->nodes[p->idx];
		/* Another name with the same tag: left to dns_zone_lookup. */
		if (!node_is_fold(z, nd, p->rel, p->n))
			break;
		p->known = 1;
		p->node = nd;
		rs = dns_node_rrset(z, nd, p->qtype);
		if (rs)
			__builtin_prefetch(z->rdata + rs->rdata);
		break;
	}
	p->z = NULL;
}

static void
hash_put(struct dns_zone *z, uint32_t idx)
{
	const uint8_t *s = z->names + NAME_OFF(&z->nodes[idx]);
	uint32_t h = name_hash(s + 1, s[0]);
	uint32_t i = slot_of(z, h);

	while (z->hash[i])
		i = i + 1 == z->hash_cap ? 0 : i + 1;
	z->hash[i] = h << SLOT_IDX_BITS | (idx + 1);
}

static int
hash_build(struct dns_zone *z, size_t cap)
{
	uint32_t *h = calloc(cap, sizeof *h);

	if (h == NULL)
		return -ENOMEM;
	free(z->hash);
	z->hash = h;
	z->hash_cap = (uint32_t)cap;
	for (uint32_t i = 0; i < z->nnodes; i++)
		hash_put(z, i);
	return 0;
}

/* While building: doubles to keep the load factor at most 3/4. */
static int
hash_grow(struct dns_zone *z)
{
	size_t cap = z->hash_cap;

	if (z->hash && (size_t)z->nnodes * 4 < cap * 3)
		return 0;
	return hash_build(z, z->hash ? cap * 2 : 1024);
}

/* The node index of rel[0..n), created with its ancestors (the empty
 * non-terminals) when missing. Returns the index or -ENOMEM. */
static int64_t
node_get(struct dns_zone *z, const uint8_t *rel, size_t n)
{
	const struct dns_node *found = dns_zone_lookup(z, rel, n);

	if (found)
		return found - z->nodes;
	int64_t up = n > 0 ? node_get(z, rel + rel[0] + 1, n - rel[0] - 1) : 0;
	if (up < 0)
		return up;
	size_t ncap = z->nodes_cap;
	/* Offsets are 32 bits, the name's top bit is the delegation flag. */
	if (z->nnodes >= DNS_ZONE_MAX_NODES ||
	    z->names_len + n + 1 >= DNS_NODE_CUT)
		return ERR_TOOBIG;
	if (grow((void **)&z->nodes, &ncap, z->nnodes + 1, sizeof *z->nodes) ||
	    grow((void **)&z->names, &z->names_cap, z->names_len + n + 1, 1))
		return -ENOMEM;
	z->nodes_cap = (uint32_t)ncap;
	struct dns_node *nd = &z->nodes[z->nnodes];
	nd->rrset = 0;
	nd->name = (uint32_t)z->names_len;
	z->names[z->names_len] = (uint8_t)n;
	if (n)
		memcpy(z->names + z->names_len + 1, rel, n);
	z->names_len += n + 1;
	z->nnodes++;
	if (hash_grow(z) < 0)
		return -ENOMEM;
	hash_put(z, z->nnodes - 1);
	return z->nnodes - 1;
}

static struct dns_zone *
zone_new(const uint8_t *apex)
{
	struct dns_zone *z = calloc(1, sizeof *z);

	if (z == NULL)
		return NULL;
	z->build = calloc(1, sizeof *z->build);
	z->apex_len = dns_name_lower(apex, z->apex);
	if (z->build == NULL || node_get(z, NULL, 0) < 0) {
		free(z->build);
		free(z);
		return NULL;
	}
	return z;
}

static void
zone_free(struct dns_zone *z)
{
	if (z == NULL)
		return;
	if (z->build)
		free(z->build->recs);
	free(z->build);
	free(z->names);
	free(z->rdata);
	free(z->nodes);
	free(z->hash);
	free(z->rrsets);
	free(z->tail[DNS_TAIL_POS]);
	free(z->tail[DNS_TAIL_NEG]);
	free(z);
}

/* RFC 1034 section 3.6.2 and RFC 2181 section 10.1: a CNAME stands alone. */
static int
zone_check_cname(struct dns_zone *z, struct dns_node *nd, uint16_t type,
		 const uint8_t *owner, const char **why)
{
	char text[DNS_NAME_TEXT_MAX];
	int cname = type == DNS_T_CNAME;
	const char *msg = NULL;

	if (cname && (nd->rrset & NODE_HAS_CNAME))
		msg = "more than one CNAME at";
	else if (cname ? nd->rrset & NODE_HAS_OTHER :
		 nd->rrset & NODE_HAS_CNAME)
		msg = "CNAME and other data at";
	if (msg == NULL) {
		nd->rrset |= cname ? NODE_HAS_CNAME : NODE_HAS_OTHER;
		return 0;
	}
	dns_name_format(owner, text, sizeof text);
	snprintf(z->build->why, sizeof z->build->why, "%s %s", msg, text);
	*why = z->build->why;
	return ERR_PARSE;
}

static int
zone_add(struct dns_zone *z, const uint8_t *owner, uint16_t type,
	 uint32_t ttl, const uint8_t *rd, uint16_t rdlen, const char **why)
{
	uint8_t low[DNS_NAME_MAX + 1];
	struct dns_zone_build *b = z->build;
	size_t n = dns_name_lower(owner, low) - z->apex_len;
	int64_t idx = node_get(z, low, n);
	int rc;

	if (idx < 0) {
		if (idx == ERR_TOOBIG)
			*why = "too many names in one zone";
		return (int)idx;
	}
	if (dns_rdata_fixed(type) && rdlen != dns_rdata_fixed(type)) {
		*why = type == DNS_T_A ? "an A record needs 4 bytes of data" :
			"an AAAA record needs 16 bytes of data";
		return ERR_PARSE;
	}
	if (z->rdata_len + rdlen + 2 >= UINT32_MAX) {
		*why = "too much data in one zone";
		return ERR_TOOBIG;
	}
	/* DNSSEC's types may share a name with a CNAME; we serve none. */
	rc = zone_check_cname(z, &z->nodes[idx], type, owner, why);
	if (rc < 0)
		return rc;
	if (type == DNS_T_NS && n > 0) {
		z->nodes[idx].name |= DNS_NODE_CUT;
		z->has_cuts = 1;
	}
	if (grow((void **)&b->recs, &b->cap, b->n + 1, sizeof *b->recs) ||
	    grow((void **)&z->rdata, &z->rdata_cap, z->rdata_len + rdlen + 2,
		 1))
		return -ENOMEM;
	b->recs[b->n++] = (struct brec){ (uint32_t)idx, (uint32_t)z->rdata_len,
					 ttl, type, rdlen };
	memcpy(z->rdata + z->rdata_len, rd, rdlen);
	z->rdata_len += rdlen;
	return 0;
}

static int
brec_cmp(const void *a, const void *b, void *arg)
{
	const struct brec *x = a, *y = b;
	const uint8_t *rd = arg;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	size_t n = x->rdlen < y->rdlen ? x->rdlen : y->rdlen;
	int c = memcmp(rd + x->rd, rd + y->rd, n);
	if (c)
		return c;
	return (int)x->rdlen - (int)y->rdlen;
}

static void
rrset_append(struct dns_zone *z, uint8_t *out, size_t *o,
	     const struct brec *r)
{
	if (!dns_rdata_fixed(r->type)) {
		out[(*o)++] = (uint8_t)(r->rdlen >> 8);
		out[(*o)++] = (uint8_t)r->rdlen;
	}
	memcpy(out + *o, z->rdata + r->rd, r->rdlen);
	*o += r->rdlen;
	struct dns_rrset *rs = &z->rrsets[z->nrrsets - 1];
	rs->count++;
	/* RFC 2181 section 5.2: differing TTLs count as the lowest. */
	if (r->ttl < rs->ttl)
		rs->ttl = r->ttl;
}

/* The apex NS targets inside the zone, once the zone is final. */
static void
zone_note_glue(struct dns_zone *z)
{
	const struct dns_rrset *ns = dns_node_rrset(z, &z->nodes[0], DNS_T_NS);
	uint8_t low[DNS_NAME_MAX + 1];

	if (ns == NULL)
		return;
	const uint8_t *p = z->rdata + ns->rdata;
	for (unsigned i = 0; i < ns->count && i < DNS_ZONE_NS_GLUE; i++) {
		const struct dns_node *nd = NULL;
		size_t len = (size_t)p[0] << 8 | p[1];
		if (dns_name_suffix(p + 2, z->apex) >= 0) {
			size_t n = dns_name_lower(p + 2, low) - z->apex_len;
			nd = dns_zone_lookup(z, low, n);
		}
		z->ns_glue[z->nns_glue++] =
			nd ? (uint32_t)(nd - z->nodes) + 1 : 0;
		p += 2 + len;
	}
}

/* Gives back what the doubling reserved, and sizes the hash for the
 * final count (load factor 3/4). */
static int
zone_shrink(struct dns_zone *z)
{
	void *q = realloc(z->rrsets, sizeof *z->rrsets * (z->nrrsets + 1));

	if (q)
		z->rrsets = q;
	q = realloc(z->nodes, sizeof *z->nodes * (z->nnodes + 1));
	if (q)
		z->nodes = q;
	q = realloc(z->names, z->names_len);
	if (q)
		z->names = q;
	int rc = hash_build(z, (size_t)z->nnodes + z->nnodes / 3 + 1);
	if (rc == 0)
		zone_note_glue(z);
	return rc;
}

/* Sorts the records into RRsets and drops the build state. Node i's
 * RRsets are rrsets[nodes[i].rrset .. nodes[i + 1].rrset). */
static int
zone_finish(struct dns_zone *z)
{
	struct dns_zone_build *b = z->build;
	uint8_t *out = malloc(z->rdata_len + 2 * b->n + 1);
	size_t o = 0, ncap = z->nodes_cap;
	uint32_t next = 0;

	z->rrsets = malloc(sizeof *z->rrsets * (b->n + 1));
	if (out == NULL || z->rrsets == NULL ||
	    grow((void **)&z->nodes, &ncap, z->nnodes + 1, sizeof *z->nodes)) {
		free(out);
		return -ENOMEM;
	}
	z->nodes_cap = (uint32_t)ncap;
	z->nodes[z->nnodes].name = 0;	/* the sentinel */
	qsort_r(b->recs, b->n, sizeof *b->recs, brec_cmp, z->rdata);
	for (size_t i = 0; i < b->n; i++) {
		const struct brec *r = &b->recs[i], *p = i ? r - 1 : NULL;
		if (p && brec_cmp(p, r, z->rdata) == 0)
			continue;
		if (p && p->node == r->node && p->type == r->type &&
		    z->rrsets[z->nrrsets - 1].count == UINT16_MAX) {
			free(out);	/* an RRset that could never be sent */
			return ERR_TOOBIG;
		}
		if (!p || p->node != r->node || p->type != r->type) {
			while (next <= r->node)
				z->nodes[next++].rrset = z->nrrsets;
			z->rrsets[z->nrrsets++] = (struct dns_rrset){
				r->type, 0, r->ttl, (uint32_t)o };
		}
		rrset_append(z, out, &o, r);
	}
	while (next <= z->nnodes)
		z->nodes[next++].rrset = z->nrrsets;
	free(z->rdata);
	z->rdata = out;
	z->rdata_len = z->rdata_cap = o;
	free(b->recs);
	free(b);
	z->build = NULL;
	return zone_shrink(z);
}

const struct dns_rrset *
dns_node_rrset(const struct dns_zone *z, const struct dns_node *n,
	       uint16_t type)
{
	for (uint32_t i = 0; i < dns_node_nrrset(n); i++)
		if (z->rrsets[n->rrset + i].type == type)
			return &z->rrsets[n->rrset + i];
	return NULL;
}

const struct dns_rrset *
dns_zone_soa(const struct dns_zone *z)
{
	return dns_node_rrset(z, &z->nodes[0], DNS_T_SOA);
}

/* The zone being built whose apex is the longest suffix of name. */
const struct dns_zone *
dns_db_zone(const struct dns_db *db, const uint8_t *name)
{
	const struct dns_zone *best = NULL;

	for (int i = 0; i < db->nzones; i++)
		if ((!best || db->zones[i]->apex_len > best->apex_len) &&
		    dns_name_suffix(name, db->zones[i]->apex) >= 0)
			best = db->zones[i];
	return best;
}

const struct dns_zone *
dns_db_zone_lower(const struct dns_db *db, const uint8_t *low, size_t len)
{
	const struct dns_zone *best = NULL;

	for (int i = 0; i < db->nzones; i++) {
		const struct dns_zone *z = db->zones[i];
		size_t at = len - z->apex_len, o = 0;
		if (z->apex_len > len || (best && z->apex_len <= best->apex_len) ||
		    memcmp(low + at, z->apex, z->apex_len) != 0)
			continue;
		/* The match must start at a label. */
		while (o < at)
			o += (size_t)low[o] + 1;
		if (o == at)
			best = z;
	}
	return best;
}

/* Loading: the parser's callback. The first record makes the zone. */
struct load {
	struct dns_db *db;
	struct dns_zone *z;
	const char *file;
	size_t zcap;
	char why[2 * DNS_NAME_TEXT_MAX + 64];
};

static int
load_new_zone(struct load *ld, const struct dns_zone_rr *rr, const char **why)
{
	char text[DNS_NAME_TEXT_MAX];

	dns_name_format(rr->owner, text, sizeof text);
	if (rr->type != DNS_T_SOA) {
		*why = "the first record must be the zone's SOA";
		return ERR_PARSE;
	}
	for (int i = 0; i < ld->db->nzones; i++)
		if (dns_name_equal(ld->db->zones[i]->apex, rr->owner)) {
			snprintf(ld->why, sizeof ld->why,
				 "zone %s is loaded twice", text);
			*why = ld->why;
			return ERR_PARSE;
		}
	if (grow((void **)&ld->db->zones, &ld->zcap, (size_t)ld->db->nzones + 1,
		 sizeof *ld->db->zones))
		return -ENOMEM;
	ld->z = zone_new(rr->owner);
	if (ld->z == NULL)
		return -ENOMEM;
	ld->z->build->file = ld->file;
	ld->db->zones[ld->db->nzones++] = ld->z;
	return 0;
}

static int
load_rr(void *arg, const struct dns_zone_rr *rr, const char **why)
{
	struct load *ld = arg;
	char text[DNS_NAME_TEXT_MAX], apex[DNS_NAME_TEXT_MAX];

	if (ld->z == NULL) {
		int rc = load_new_zone(ld, rr, why);
		if (rc < 0)
			return rc;
	} else if (rr->type == DNS_T_SOA &&
		   dns_name_equal(rr->owner, ld->z->apex)) {
		*why = "a second SOA record";
		return ERR_PARSE;
	}
	if (dns_name_suffix(rr->owner, ld->z->apex) < 0) {
		dns_name_format(rr->owner, text, sizeof text);
		dns_name_format(ld->z->apex, apex, sizeof apex);
		snprintf(ld->why, sizeof ld->why, "%s is out of zone %s", text,
			 apex);
		*why = ld->why;
		return ERR_PARSE;
	}
	ld->db->nrecords++;
	return zone_add(ld->z, rr->owner, rr->type, rr->ttl, rr->rdata,
			rr->rdlen, why);
}

static int
load_text(struct load *ld, const char *name, const char *text, size_t len,
	  dns_zone_read_fn reader, char *err, size_t errsz)
{
	struct dns_zone_opts o = { NULL, load_rr, ld, reader };
	int rc;

	ld->z = NULL;
	ld->file = name;
	rc = dns_zone_parse(name, text, len, &o, err, errsz);
	if (rc == 0 && ld->z == NULL) {
		snprintf(err, errsz, "%s:1: no SOA record", name);
		rc = ERR_PARSE;
	}
	return rc;
}

int
dns_db_read_file(const char *path, char **text, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = S_ISDIR(st.st_mode) ? -EISDIR : -errno;
		close(fd);
		return rc;
	}
	char *p = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (p && got < (size_t)st.st_size) {
		ssize_t n = read(fd, p + got, (size_t)st.st_size - got);
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	if (p == NULL || rc < 0) {
		free(p);
		return p ? rc : -ENOMEM;
	}
	*text = p;
	*len = got;
	return 0;
}

void
dns_db_free(struct dns_db *db)
{
	if (db == NULL)
		return;
	for (int i = 0; i < db->nzones; i++)
		zone_free(db->zones[i]);
	free(db->zones);
	free(db);
}

static int
db_finish(struct dns_db *db, char *err, size_t errsz)
{
	char apex[DNS_NAME_TEXT_MAX];

	for (int i = 0; i < db->nzones; i++) {
		const char *file = db->zones[i]->build->file;
		int rc = zone_finish(db->zones[i]);
		if (rc == 0)
			rc = dns_answer_zone_prepare(db->zones[i]);
		if (rc == 0)
			continue;
		dns_name_format(db->zones[i]->apex, apex, sizeof apex);
		snprintf(err, errsz, "%s: zone %s: %s", file, apex,
			 rc == ERR_TOOBIG ? "an RRset of more than 65535 "
			 "records" : err_str(rc));
		return rc;
	}
	return 0;
}

/* The reverse name of a 4- or 16-byte address (RFC 1035 section 3.5,
 * RFC 3596 section 2.5), in wire form. */
static void
reverse_name(const uint8_t *a, size_t alen, uint8_t *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = alen; i-- > 0;) {
		if (alen == 4) {
			int k = snprintf((char *)out + o + 1, 4, "%u", a[i]);
			out[o] = (uint8_t)k;
			o += (size_t)k + 1;
			continue;
		}
		out[o++] = 1;
		out[o++] = (uint8_t)hex[a[i] & 15];
		out[o++] = 1;
		out[o++] = (uint8_t)hex[a[i] >> 4];
	}
	const char *tail = alen == 4 ? "\7in-addr\4arpa" : "\3ip6\4arpa";
	memcpy(out + o, tail, strlen(tail) + 1);
}

/* Adds a record from the hosts file when a zone being built holds the
 * name; a name outside every zone is not ours to serve. */
static int
hosts_add(struct dns_db *db, const uint8_t *name, uint16_t type,
	  const uint8_t *rd, uint16_t rdlen, const char **why)
{
	struct dns_zone *z = (struct dns_zone *)dns_db_zone(db, name);

	if (z == NULL)
		return 0;
	db->nrecords++;
	return zone_add(z, name, type, z->build->recs[0].ttl, rd, rdlen, why);
}

/* One line: ADDRESS NAME [ALIAS...] # comment. */
static int
hosts_line(struct dns_db *db, char *line, const char **why)
{
	uint8_t a[16], name[DNS_NAME_MAX + 1], first[DNS_NAME_MAX + 1];
	uint8_t rev[DNS_NAME_MAX + 1];
	char *save = NULL, *tok;
	int alen, rc = 0, n;

	*strchrnul(line, '#') = 0;
	tok = strtok_r(line, " \t\r", &save);
	if (tok == NULL)
		return 0;
	alen = inet_pton(AF_INET, tok, a) == 1 ? 4 :
		inet_pton(AF_INET6, tok, a) == 1 ? 16 : 0;
	if (alen == 0) {
		*why = "bad address";
		return ERR_PARSE;
	}
	first[0] = 0;
	while (rc == 0 && (tok = strtok_r(NULL, " \t\r", &save)) != NULL) {
		n = dns_name_parse(tok, strlen(tok), (const uint8_t *)"", name,
				   why);
		if (n < 0)
			return n;
		if (first[0] == 0)
			memcpy(first, name, (size_t)n);
		rc = hosts_add(db, name, alen == 4 ? DNS_T_A : DNS_T_AAAA, a,
			       (uint16_t)alen, why);
	}
	if (rc < 0 || first[0] == 0)
		return rc;
	reverse_name(a, (size_t)alen, rev);
	return hosts_add(db, rev, DNS_T_PTR, first,
			 (uint16_t)dns_name_len(first), why);
}

static int
db_add_hosts(struct dns_db *db, const char *file, char *text, size_t len,
	     char *err, size_t errsz)
{
	unsigned ln = 0;
	char *p = text, *end = text + len;
	const char *why = NULL;

	*end = 0;
	while (p < end) {
		char *nl = strchrnul(p, '\n');
		*nl = 0;
		ln++;
		int rc = hosts_line(db, p, &why);
		if (rc < 0) {
			snprintf(err, errsz, "%s:%u: %s", file, ln, why);
			return rc;
		}
		p = nl + 1;
	}
	return 0;
}

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25	/* Linux 6.1; older kernels say EINVAL */
#endif
#define HUGE_PAGE ((uintptr_t)2 << 20)

/* Asks the kernel to back the 2 MiB-aligned part of an array with huge
 * pages, now (MADV_COLLAPSE): in a large zone each lookup of a random
 * name otherwise pays a TLB miss per array it touches. Not the ends: a
 * huge page there would hold memory the zone does not use. Best effort:
 * errors (kernels before 6.1) are ignored. */
static void
huge_collapse(const void *p, size_t len)
{
	uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t e = ((uintptr_t)p + len) & ~(HUGE_PAGE - 1);

	if (e > a)
		(void)madvise((void *)a, e - a, MADV_COLLAPSE);
}

static void
db_collapse(struct dns_db *db)
{
	for (int i = 0; i < db->nzones; i++) {
		const struct dns_zone *z = db->zones[i];
		huge_collapse(z->hash, sizeof *z->hash * z->hash_cap);
		huge_collapse(z->nodes, sizeof *z->nodes * (z->nnodes + 1));
		huge_collapse(z->names, z->names_len);
		huge_collapse(z->rrsets, sizeof *z->rrsets * z->nrrsets);
		huge_collapse(z->rdata, z->rdata_len);
	}
}

int
dns_db_load(const char *const *zone_files, int nzones, const char *hosts_file,
	    struct dns_db **out, char *err, size_t errsz)
{
	struct load ld = { 0 };
	int rc = 0;

	ld.db = calloc(1, sizeof *ld.db);
	if (ld.db == NULL)
		return -ENOMEM;
	for (int i = 0; i < nzones + (hosts_file != NULL) && rc == 0; i++) {
		const char *path = i < nzones ? zone_files[i] : hosts_file;
		char *text;
		size_t len;
		rc = dns_db_read_file(path, &text, &len);
		if (rc < 0) {
			snprintf(err, errsz, "%s: %s", path, err_str(rc));
			break;
		}
		if (i < nzones)
			rc = load_text(&ld, path, text, len, dns_db_read_file,
				       err, errsz);
		else
			rc = db_add_hosts(ld.db, path, text, len, err, errsz);
		free(text);
	}
	if (rc == 0)
		rc = db_finish(ld.db, err, errsz);
	if (rc < 0) {
		dns_db_free(ld.db);
		return rc;
	}
	/* The build freed more than it keeps: return it to the system. */
	malloc_trim(0);
	db_collapse(ld.db);
	*out = ld.db;
	return 0;
}

int
dns_db_load_texts(const char *const *names, const char *const *texts, int n,
		  struct dns_db **out, char *err, size_t errsz)
{
	struct load ld = { 0 };
	int rc = 0;

	ld.db = calloc(1, sizeof *ld.db);
	if (ld.db == NULL)
		return -ENOMEM;
	for (int i = 0; i < n && rc == 0; i++)
		rc = load_text(&ld, names[i], texts[i], strlen(texts[i]), NULL,
			       err, errsz);
	if (rc == 0)
		rc = db_finish(ld.db, err, errsz);
	if (rc < 0) {
		dns_db_free(ld.db);
		return rc;
	}
	*out = ld.db;
	return 0;
}
