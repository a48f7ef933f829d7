/* dns_db: the in-memory zones: building them from records (dns_db_load.c
 * reads the files), and finding names in them. A zone is built in two
 * steps: records are appended as they are parsed, then put in order, in
 * place, into RRsets (RFC 2181 section 5: an RRset is a set, duplicates
 * go, one TTL: the lowest). The build needs little beyond the zone
 * itself: the records wait in the array that becomes the RRsets, their
 * rdata in the blob that stays, and the name hash is set aside while
 * they are sorted. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/err.h"
#include "dns_db.h"
#include "dns_db_hash.h"
#include "dns_rr.h"
#include "dns_zone.h"

#define NODE_HAS_CNAME 1	/* build-time flags, in dns_node.rrset */
#define NODE_HAS_OTHER 2

struct dns_zone_build {
	const char *file;	/* where the SOA was read, for messages */
	/* The records in the order read, as runs: records of one name and
	 * type read one after the other share an entry (count of them,
	 * lowest TTL), shaped as an RRset whose rdata field holds the
	 * node's index until zone_finish. */
	struct dns_rrset *recs;
	size_t n, cap;
	struct dns_rrset *tmp;	/* one RRset's records, while finishing */
	size_t tmp_cap;
	char why[DNS_NAME_TEXT_MAX + 64];
};

/* A zone's large arrays each live in a mapping of their own, grown with
 * mremap: growing never copies, room not yet written costs no memory,
 * and an array freed goes back to the system at once (glibc keeps a
 * freed block under its moving mmap threshold in its heap, where it
 * still counts while the next array grows). Under AddressSanitizer they
 * are malloc'd, so that their bounds stay checked. */
#if defined(__SANITIZE_ADDRESS__)
#define ARR_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARR_MALLOC 1
#endif
#endif

static void *
arr_resize(void *p, size_t old, size_t size)
{
	size = size ? size : 1;
#ifdef ARR_MALLOC
	(void)old;
	return realloc(p, size);
#else
	void *q = p ? mremap(p, old, size, MREMAP_MAYMOVE) :
		mmap(NULL, size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return q == MAP_FAILED ? NULL : q;
#endif
}

static void
arr_free(void *p, size_t size)
{
#ifdef ARR_MALLOC
	(void)size;
	free(p);
#else
	if (p)
		munmap(p, size ? size : 1);
#endif
}

/* Makes room for need elements of size bytes, doubling. */
static int
arr_grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *q = arr_resize(*p, *cap * size, c * size);
	if (q == NULL)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

/* Gives back the room beyond n elements. */
static int
arr_shrink(void **p, size_t *cap, size_t n, size_t size)
{
	void *q = arr_resize(*p, *cap * size, n * size);

	if (q == NULL)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

#define DNS_ZONE_MAX_NODES (SLOT_IDX_MASK - 1)

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

static void
hash_free(struct dns_zone *z)
{
	arr_free(z->hash, (size_t)z->hash_cap * sizeof *z->hash);
	z->hash = NULL;
	z->hash_cap = 0;
}

/* Rebuilds the hash from the nodes: the old one goes first, so that the
 * two never take memory together. */
static int
hash_build(struct dns_zone *z, size_t cap)
{
	hash_free(z);
	z->hash = arr_resize(NULL, 0, cap * sizeof *z->hash);
	if (z->hash == NULL)
		return -ENOMEM;
	memset(z->hash, 0, cap * sizeof *z->hash);
	z->hash_cap = (uint32_t)cap;
	for (uint32_t i = 0; i < z->nnodes; i++)
		hash_put(z, i);
	return 0;
}

/* While building: grows by half when 7/8 full. The final hash (3/4
 * full at most) is built once the count is known; this one stays below
 * its size, so that it is never the peak of the load. */
static int
hash_grow(struct dns_zone *z)
{
	size_t cap = z->hash_cap;

	if (z->hash && ((size_t)z->nnodes + 1) * 8 < cap * 7)
		return 0;
	return hash_build(z, z->hash ? (cap + cap / 2 + 1023) & ~1023ul :
			  1024);
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
	if (arr_grow((void **)&z->nodes, &ncap, z->nnodes + 1,
		     sizeof *z->nodes) ||
	    arr_grow((void **)&z->names, &z->names_cap, z->names_len + n + 1,
		     1))
		return -ENOMEM;
	z->nodes_cap = (uint32_t)ncap;
	struct dns_node *nd = &z->nodes[z->nnodes];
	nd->rrset = 0;
	nd->name = (uint32_t)z->names_len;
	z->names[z->names_len] = (uint8_t)n;
	if (n)
		memcpy(z->names + z->names_len + 1, rel, n);
	z->names_len += n + 1;
	if (hash_grow(z) < 0)
		return -ENOMEM;
	hash_put(z, z->nnodes);
	return z->nnodes++;
}

/* The RRsets array of a built zone is exactly nrrsets + 1 long. */
static void
zone_free(struct dns_zone *z)
{
	if (z == NULL)
		return;
	if (z->build) {
		arr_free(z->build->recs, z->build->cap * sizeof(*z->rrsets));
		free(z->build->tmp);
	} else
		arr_free(z->rrsets, (z->nrrsets + 1) * sizeof(*z->rrsets));
	free(z->build);
	arr_free(z->names, z->names_cap);
	arr_free(z->rdata, z->rdata_cap);
	arr_free(z->nodes, z->nodes_cap * sizeof(*z->nodes));
	hash_free(z);
	free(z->tail[DNS_TAIL_POS]);
	free(z->tail[DNS_TAIL_NEG]);
	free(z);
}

struct dns_zone *
dns_db_zone_new(const uint8_t *apex, const char *file)
{
	struct dns_zone *z = calloc(1, sizeof *z);

	if (z == NULL)
		return NULL;
	z->build = calloc(1, sizeof *z->build);
	z->apex_len = dns_name_lower(apex, z->apex);
	if (z->build == NULL || node_get(z, NULL, 0) < 0) {
		zone_free(z);
		return NULL;
	}
	z->build->file = file;
	atomic_init(&z->refs, 1);
	return z;
}

void
dns_zone_ref(struct dns_zone *z)
{
	atomic_fetch_add(&z->refs, 1);
}

void
dns_zone_unref(struct dns_zone *z)
{
	if (z && atomic_fetch_sub(&z->refs, 1) == 1)
		zone_free(z);
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

/* The rdata of a record goes to the blob at once in its final form:
 * [u16 len][rdata], or the rdata alone for dns_rdata_fixed types. */
int
dns_db_zone_add(struct dns_zone *z, const uint8_t *owner, uint16_t type,
	 uint32_t ttl, const uint8_t *rd, uint16_t rdlen, const char **why)
{
	uint8_t low[DNS_NAME_MAX + 1];
	struct dns_zone_build *b = z->build;
	size_t n = dns_name_lower(owner, low) - z->apex_len;
	size_t fixed = dns_rdata_fixed(type), o = z->rdata_len;
	int64_t idx = node_get(z, low, n);
	int rc;

	if (idx < 0) {
		if (idx == ERR_TOOBIG)
			*why = "too many names in one zone";
		return (int)idx;
	}
	if (fixed && rdlen != fixed) {
		*why = type == DNS_T_A ? "an A record needs 4 bytes of data" :
			"an AAAA record needs 16 bytes of data";
		return ERR_PARSE;
	}
	if (z->rdata_len + rdlen + 2 >= UINT32_MAX || b->n >= UINT32_MAX - 1) {
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
	if (arr_grow((void **)&b->recs, &b->cap, b->n + 1, sizeof *b->recs) ||
	    arr_grow((void **)&z->rdata, &z->rdata_cap, o + rdlen + 2, 1))
		return -ENOMEM;
	struct dns_rrset *run = b->n ? &b->recs[b->n - 1] : NULL;
	if (run && run->rdata == idx && run->type == type &&
	    run->count < UINT16_MAX) {
		run->count++;
		run->ttl = ttl < run->ttl ? ttl : run->ttl;
	} else
		b->recs[b->n++] = (struct dns_rrset){ type, 1, ttl,
						      (uint32_t)idx };
	if (!fixed) {
		z->rdata[o++] = (uint8_t)(rdlen >> 8);
		z->rdata[o++] = (uint8_t)rdlen;
	}
	memcpy(z->rdata + o, rd, rdlen);
	z->rdata_len = o + rdlen;
	return 0;
}

/* The bytes a record takes in the blob at off, and its rdata. */
static size_t
rec_rdata(const struct dns_zone *z, const struct dns_rrset *r,
	  const uint8_t **rd)
{
	const uint8_t *p = z->rdata + r->rdata;
	size_t fixed = dns_rdata_fixed(r->type);

	if (fixed) {
		*rd = p;
		return fixed;
	}
	*rd = p + 2;
	return (size_t)p[0] << 8 | p[1];
}

static size_t
rec_size(const struct dns_zone *z, const struct dns_rrset *r)
{
	const uint8_t *rd;
	size_t n = rec_rdata(z, r, &rd);

	return n + (size_t)(rd - (z->rdata + r->rdata));
}

uint32_t
dns_db_zone_ttl(const struct dns_zone *z)
{
	return z->build->recs[0].ttl;
}

/* The bytes a run of records takes in the blob. */
static size_t
run_size(const struct dns_zone *z, const struct dns_rrset *run)
{
	struct dns_rrset r = *run;
	size_t n = 0;

	for (unsigned i = 0; i < run->count; i++) {
		r.rdata = run->rdata + (uint32_t)n;
		n += rec_size(z, &r);
	}
	return n;
}

/* By type, then by rdata: bytes, then length. */
static int
rec_cmp(const void *a, const void *b, void *arg)
{
	const struct dns_rrset *x = a, *y = b;
	const uint8_t *xd, *yd;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	size_t xn = rec_rdata(arg, x, &xd), yn = rec_rdata(arg, y, &yd);
	int c = memcmp(xd, yd, xn < yn ? xn : yn);
	if (c)
		return c;
	return (int)xn - (int)yn;
}

/* Puts the runs in node order, in place: a counting sort whose counters
 * are the nodes' rrset fields, which end up pointing past each node's
 * runs. Each run's node moves to node[], and its rdata field gets the
 * run's offset in the blob. */
#define PLACED 0x80000000u

static void
zone_group(struct dns_zone *z, uint32_t *node)
{
	struct dns_zone_build *b = z->build;
	struct dns_rrset *r = b->recs, t;
	size_t off = 0;
	uint32_t sum = 0, c, x;

	for (uint32_t i = 0; i <= z->nnodes; i++)
		z->nodes[i].rrset = 0;
	for (size_t k = 0; k < b->n; k++) {
		node[k] = r[k].rdata;
		z->nodes[node[k]].rrset++;
		r[k].rdata = (uint32_t)off;
		off += run_size(z, &r[k]);
	}
	for (uint32_t i = 0; i <= z->nnodes; i++) {
		c = z->nodes[i].rrset;
		z->nodes[i].rrset = sum;
		sum += c;
	}
	/* Each run goes to its node's next free place; whatever was there
	 * comes back to i. Places below i are all taken. */
	for (size_t i = 0; i < b->n; i++)
		while (!(node[i] & PLACED)) {
			uint32_t d = z->nodes[node[i]].rrset++;
			t = r[i], r[i] = r[d], r[d] = t;
			x = node[i], node[i] = node[d], node[d] = x | PLACED;
		}
}

/* Copies the records r[0..n) (sorted, without duplicates) one after the
 * other to the blob at off, through a copy: they may overlap it. */
static int
rrset_copy(struct dns_zone *z, struct dns_rrset *r, size_t n, size_t off,
	   size_t total)
{
	uint8_t *tmp = malloc(total), *p = tmp;

	if (tmp == NULL)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++) {
		size_t sz = rec_size(z, &r[k]);
		memcpy(p, z->rdata + r[k].rdata, sz);
		p += sz;
	}
	memcpy(z->rdata + off, tmp, total);
	free(tmp);
	return 0;
}

/* Makes an RRset of the records r[0..n) of one type, sorted, into *out:
 * duplicates go, and the rdata must be one stretch of the blob, in
 * order. A stretch out of order is put in order where it lies; records
 * strewn over the file are copied to the blob's end, leaving their old
 * copies unused. */
static int
rrset_make(struct dns_zone *z, struct dns_rrset *r, size_t n,
	   struct dns_rrset *out)
{
	uint32_t ttl = r[0].ttl, lo = UINT32_MAX, hi = 0, end = 0;
	size_t total = 0, m = 0;
	int in_order = 1, dups = 0;

	for (size_t k = 0; k < n; k++) {
		/* RFC 2181 section 5.2: differing TTLs count as the lowest. */
		ttl = r[k].ttl < ttl ? r[k].ttl : ttl;
		if (k > 0 && rec_cmp(&r[m - 1], &r[k], z) == 0) {
			dups = 1;
			continue;
		}
		if (m == UINT16_MAX)
			return ERR_TOOBIG;	/* it could never be sent */
		uint32_t sz = (uint32_t)rec_size(z, &r[k]);
		in_order &= m == 0 || r[k].rdata == end;
		end = r[k].rdata + sz;
		lo = r[k].rdata < lo ? r[k].rdata : lo;
		hi = end > hi ? end : hi;
		total += sz;
		r[m++] = r[k];
	}
	struct dns_rrset rs = { r[0].type, (uint16_t)m, ttl, r[0].rdata };
	int rc = 0;
	if (!in_order && !dups && hi - lo == total) {
		rs.rdata = lo;
		rc = rrset_copy(z, r, m, lo, total);
	} else if (!in_order) {
		rs.rdata = (uint32_t)z->rdata_len;
		if (z->rdata_len + total >= UINT32_MAX)
			return -EFBIG;
		if (arr_grow((void **)&z->rdata, &z->rdata_cap,
			     z->rdata_len + total, 1))
			return -ENOMEM;
		z->rdata_len += total;
		rc = rrset_copy(z, r, m, rs.rdata, total);
	}
	*out = rs;	/* out may be r: written last */
	return rc;
}

/* The records of runs[0..n), one type of one name, one entry each in
 * the scratch array, sorted. Returns their number or -ENOMEM. */
static ssize_t
runs_spread(struct dns_zone *z, const struct dns_rrset *runs, size_t n)
{
	struct dns_zone_build *b = z->build;
	size_t m = 0;

	for (size_t k = 0; k < n; k++)
		m += runs[k].count;
	if (m > b->tmp_cap) {
		void *q = realloc(b->tmp, m * sizeof *b->tmp);
		if (q == NULL)
			return -ENOMEM;
		b->tmp = q;
		b->tmp_cap = m;
	}
	m = 0;
	for (size_t k = 0; k < n; k++)
		for (uint32_t i = 0, off = runs[k].rdata; i < runs[k].count;
		     i++) {
			b->tmp[m] = runs[k];
			b->tmp[m].count = 1;
			b->tmp[m].rdata = off;
			off += (uint32_t)rec_size(z, &b->tmp[m++]);
		}
	qsort_r(b->tmp, m, sizeof *b->tmp, rec_cmp, z);
	return (ssize_t)m;
}

/* Makes an RRset of runs[0..n), one type of one name, into *out (which
 * may be runs). Most often one run, in order, without duplicates: it is
 * the RRset as it lies. */
static int
rrset_of_runs(struct dns_zone *z, const struct dns_rrset *runs, size_t n,
	      struct dns_rrset *out)
{
	struct dns_rrset a = runs[0], b = runs[0];
	uint32_t i = 1;

	a.count = b.count = 1;
	for (; n == 1 && i < runs[0].count; i++) {
		b.rdata = a.rdata + (uint32_t)rec_size(z, &a);
		if (rec_cmp(&a, &b, z) >= 0)
			break;
		a = b;
	}
	if (n == 1 && i == runs[0].count) {
		*out = runs[0];
		return 0;
	}
	ssize_t m = runs_spread(z, runs, n);
	return m < 0 ? (int)m : rrset_make(z, z->build->tmp, (size_t)m, out);
}

/* Turns the runs, grouped by node, into the RRsets, in place: each
 * node's runs sorted by type (and first rdata), each type one RRset.
 * Node i's RRsets become rrsets[nodes[i].rrset .. nodes[i + 1].rrset). */
static int
zone_rrsets(struct dns_zone *z)
{
	struct dns_rrset *r = z->build->recs;
	uint32_t w = 0, s = 0;
	int rc = 0;

	for (uint32_t i = 0; i < z->nnodes && rc == 0; i++) {
		uint32_t e = z->nodes[i].rrset;
		z->nodes[i].rrset = w;
		if (e - s > 1)
			qsort_r(r + s, e - s, sizeof *r, rec_cmp, z);
		while (s < e && rc == 0) {
			uint32_t t = s + 1;
			while (t < e && r[t].type == r[s].type)
				t++;
			/* An RRset was made of one run or more before:
			 * w <= s, and r[w] is written once r[s..t) is read. */
			rc = rrset_of_runs(z, r + s, t - s, &r[w++]);
			s = t;
		}
	}
	z->nodes[z->nnodes].rrset = w;
	z->nrrsets = w;
	return rc;
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

/* Gives back what the doubling reserved, hands the records' array over
 * as the RRsets, and builds the hash for the final count (load factor
 * 3/4). */
static int
zone_shrink(struct dns_zone *z)
{
	struct dns_zone_build *b = z->build;
	size_t ncap = z->nodes_cap;

	if (arr_shrink((void **)&b->recs, &b->cap, z->nrrsets + 1,
		       sizeof *b->recs) ||
	    arr_shrink((void **)&z->nodes, &ncap, z->nnodes + 1,
		       sizeof *z->nodes) ||
	    arr_shrink((void **)&z->names, &z->names_cap, z->names_len, 1) ||
	    arr_shrink((void **)&z->rdata, &z->rdata_cap, z->rdata_len, 1))
		return -ENOMEM;
	z->nodes_cap = (uint32_t)ncap;
	z->rrsets = b->recs;
	free(b->tmp);
	free(b);
	z->build = NULL;
	int rc = hash_build(z, (size_t)z->nnodes + z->nnodes / 3 + 1);
	if (rc == 0)
		zone_note_glue(z);
	return rc;
}

/* Sorts the records into RRsets and drops the build state. The hash is
 * dropped first: the runs' nodes take its place while they are grouped
 * (4 bytes a run, against 4.6 to 7 bytes a name). */
static int
zone_finish(struct dns_zone *z)
{
	struct dns_zone_build *b = z->build;
	size_t ncap = z->nodes_cap;
	uint32_t *node;

	hash_free(z);
	if (arr_grow((void **)&z->nodes, &ncap, z->nnodes + 1,
		     sizeof *z->nodes))
		return -ENOMEM;
	z->nodes_cap = (uint32_t)ncap;
	node = arr_resize(NULL, 0, b->n * sizeof *node);
	if (node == NULL)
		return -ENOMEM;
	zone_group(z, node);
	arr_free(node, b->n * sizeof *node);
	int rc = zone_rrsets(z);
	return rc < 0 ? rc : zone_shrink(z);
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
		if (z->apex_len > len ||
		    (best && z->apex_len <= best->apex_len) ||
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

void
dns_db_free(struct dns_db *db)
{
	if (db == NULL)
		return;
	for (int i = 0; i < db->nzones; i++)
		dns_zone_unref(db->zones[i]);
	free(db->zones);
	free(db);
}

int
dns_db_finish(struct dns_db *db, char *err, size_t errsz)
{
	char apex[DNS_NAME_TEXT_MAX];

	for (int i = 0; i < db->nzones; i++) {
		const char *file = db->zones[i]->build->file;
		int rc = zone_finish(db->zones[i]);
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

