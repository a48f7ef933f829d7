/* crawl_frontier: the URL set of a crawl (normalised URLs, RFC 3986
 * 6.2.2 and 6.2.3, as keys of an open-addressing hash table), the
 * breadth-first queue, the links between pages, and the guards that keep
 * a crawl finite on sites that generate URLs without end. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "crawl/crawl_frontier.h"

typedef int (*set_eq_fn)(const struct crawl_frontier *f, uint32_t id,
			 const char *key, size_t n);

void
crawl_limits_default(struct crawl_limits *lim)
{
	memset(lim, 0, sizeof *lim);
	lim->max_depth = 64;
	lim->max_pages = 100000;
	lim->max_nodes = 1000000;
	lim->max_url_len = 2048;
	lim->max_query_params = 16;
	lim->max_query_len = 1024;
	lim->max_segments = 32;
	lim->max_segment_repeat = 3;
	lim->max_query_variants = 256;
}

static uint32_t
hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static int
set_init(struct crawl_set *s, size_t slots)
{
	s->slots = calloc(slots, sizeof *s->slots);
	s->mask = slots - 1;
	s->used = 0;
	return s->slots ? 0 : -ENOMEM;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t
set_find(const struct crawl_frontier *f, const struct crawl_set *s,
	 uint32_t h, const char *key, size_t n, set_eq_fn eq)
{
	size_t i = h & s->mask;

	while (s->slots[i].id1 != 0) {
		if (s->slots[i].hash == h && eq(f, s->slots[i].id1 - 1, key, n))
			return i;
		i = (i + 1) & s->mask;
	}
	return i;
}

/* Stores id at slot i, doubling the table past a load of 1/2. */
static int
set_put(struct crawl_set *s, size_t i, uint32_t h, uint32_t id)
{
	struct crawl_set big;

	s->slots[i].hash = h;
	s->slots[i].id1 = id + 1;
	if (++s->used * 2 <= s->mask + 1)
		return 0;
	if (set_init(&big, (s->mask + 1) * 2) < 0)
		return -ENOMEM;
	for (size_t j = 0; j <= s->mask; j++) {
		size_t k;

		if (s->slots[j].id1 == 0)
			continue;
		k = s->slots[j].hash & big.mask;
		while (big.slots[k].id1 != 0)
			k = (k + 1) & big.mask;
		big.slots[k] = s->slots[j];
	}
	big.used = s->used;
	free(s->slots);
	*s = big;
	return 0;
}

static int
node_eq(const struct crawl_frontier *f, uint32_t id, const char *key,
	size_t n)
{
	return f->nodes[id].len == n && memcmp(f->nodes[id].url, key, n) == 0;
}

static int
path_eq(const struct crawl_frontier *f, uint32_t id, const char *key,
	size_t n)
{
	return f->paths[id].len == n && memcmp(f->paths[id].path, key, n) == 0;
}

int
crawl_frontier_init(struct crawl_frontier *f, const struct crawl_limits *lim)
{
	memset(f, 0, sizeof *f);
	f->lim = *lim;
	if (set_init(&f->index, 1024) < 0 ||
	    set_init(&f->path_index, 256) < 0) {
		crawl_frontier_fini(f);
		return -ENOMEM;
	}
	return 0;
}

void
crawl_frontier_fini(struct crawl_frontier *f)
{
	for (size_t i = 0; i < f->nnodes; i++) {
		free(f->nodes[i].url);
		free(f->nodes[i].ctype);
	}
	for (size_t i = 0; i < f->npaths; i++)
		free(f->paths[i].path);
	for (size_t i = 0; i < f->norigins; i++)
		free(f->origins[i]);
	free(f->nodes);
	free(f->paths);
	free(f->edges);
	free(f->queue);
	free(f->index.slots);
	free(f->path_index.slots);
	memset(f, 0, sizeof *f);
}

/* Grows *arr (of *cap elements of size sz) to hold one more than n. */
static int
grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 256;
	p = realloc(*arr, ncap * sz);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Counts the segments of path and the most times one of them appears. */
static void
segment_stats(struct url_slice path, unsigned *nseg, unsigned *repeat)
{
	struct url_slice seg[64];
	size_t i = 0;

	*nseg = 0;
	*repeat = 0;
	while (i < path.n) {
		size_t start = ++i;	/* past the "/" */
		unsigned same = 1;

		while (i < path.n && path.p[i] != '/')
			i++;
		if (*nseg < 64) {
			seg[*nseg].p = path.p + start;
			seg[*nseg].n = i - start;
			for (unsigned k = 0; k < *nseg; k++)
				if (seg[k].n == i - start && i > start &&
				    memcmp(seg[k].p, path.p + start,
					   i - start) == 0)
					same++;
		}
		if (same > *repeat)
			*repeat = same;
		(*nseg)++;
	}
}

enum crawl_skip
crawl_trap_check(const struct url *u, size_t n,
		 const struct crawl_limits *lim)
{
	unsigned params = 0, nseg, repeat;

	if (n > lim->max_url_len)
		return CRAWL_SKIP_LONG_URL;
	if (u->flags & URL_HAS_QUERY) {
		if (u->query.n > lim->max_query_len)
			return CRAWL_SKIP_QUERY;
		params = 1;
		for (size_t i = 0; i < u->query.n; i++)
			if (u->query.p[i] == '&' || u->query.p[i] == ';')
				params++;
		if (params > lim->max_query_params)
			return CRAWL_SKIP_QUERY;
	}
	segment_stats(u->path, &nseg, &repeat);
	if (nseg > lim->max_segments || repeat > lim->max_segment_repeat)
		return CRAWL_SKIP_PATH;
	return CRAWL_SKIP_NONE;
}

/* Counts one more distinct query on the path of u (the URL up to its
 * query); returns the new count, or -ENOMEM. */
static int
count_variant(struct crawl_frontier *f, const char *norm, size_t plen)
{
	uint32_t h = hash_bytes(norm, plen);
	size_t i = set_find(f, &f->path_index, h, norm, plen, path_eq);
	struct crawl_path *p;

	if (f->path_index.slots[i].id1 != 0)
		return (int)++f->paths[f->path_index.slots[i].id1 - 1].count;
	if (grow((void **)&f->paths, &f->paths_cap, f->npaths,
		 sizeof *f->paths) < 0)
		return -ENOMEM;
	p = &f->paths[f->npaths];
	p->path = strndup(norm, plen);
	if (!p->path)
		return -ENOMEM;
	p->len = (uint32_t)plen;
	p->count = 1;
	if (set_put(&f->path_index, i, h, (uint32_t)f->npaths) < 0) {
		free(p->path);
		return -ENOMEM;
	}
	f->npaths++;
	return 1;
}

static int
origin_followed(const struct crawl_frontier *f, const char *o, size_t n)
{
	for (size_t i = 0; i < f->norigins; i++)
		if (strlen(f->origins[i]) == n &&
		    memcmp(f->origins[i], o, n) == 0)
			return 1;
	return 0;
}

/* http or https: the schemes a crawl fetches. */
static int
is_web(const struct url *u)
{
	return url_scheme_is(u, "http") || url_scheme_is(u, "https");
}

/* The same site on the other scheme: http://h:8080/ and https://h:8443/
 * are one site (as wget and linkchecker count them), whatever the
 * ports, while another port on the same scheme is another server. */
static int
site_followed(const struct crawl_frontier *f, const struct url *u)
{
	struct url o;

	for (size_t i = 0; i < f->norigins; i++)
		if (url_parse(f->origins[i], strlen(f->origins[i]), &o) == 0 &&
		    url_scheme_is(&o, "https") != url_scheme_is(u, "https") &&
		    o.host.n == u->host.n &&
		    memcmp(o.host.p, u->host.p, o.host.n) == 0)
			return 1;
	return 0;
}

static int
origin_add(struct crawl_frontier *f, const char *o, size_t n)
{
	if (origin_followed(f, o, n))
		return 0;
	if (f->norigins == CRAWL_MAX_ORIGINS)
		return ERR_TOOBIG;
	f->origins[f->norigins] = strndup(o, n);
	if (!f->origins[f->norigins])
		return -ENOMEM;
	f->norigins++;
	return 0;
}

int
crawl_frontier_allow(struct crawl_frontier *f, const char *url, size_t n)
{
	char norm[URL_MAX_LEN + 1];
	struct url u;
	ssize_t len = url_normalize(url, n, norm, sizeof norm);

	if (len < 0)
		return (int)len;
	if (url_parse(norm, (size_t)len, &u) < 0 ||
	    !(u.flags & URL_HAS_AUTHORITY))
		return ERR_PARSE;
	return origin_add(f, norm, (size_t)(u.path.p - norm));
}

/* Which rule, if any, keeps the new node u (its text norm) from the
 * queue. */
static int
decide(struct crawl_frontier *f, const struct url *u, const char *norm,
       size_t n, int depth)
{
	size_t olen = (size_t)(u->path.p - norm);
	enum crawl_skip trap;
	int c;

	if (!is_web(u) || !(u->flags & URL_HAS_AUTHORITY))
		return CRAWL_SKIP_SCHEME;
	if (!f->lim.all_hosts && !origin_followed(f, norm, olen) &&
	    !site_followed(f, u))
		return CRAWL_SKIP_HOST;
	if (depth > f->lim.max_depth)
		return CRAWL_SKIP_DEPTH;
	trap = crawl_trap_check(u, n, &f->lim);
	if (trap != CRAWL_SKIP_NONE)
		return (int)trap;
	if (f->queued >= f->lim.max_pages)
		return CRAWL_SKIP_BUDGET;
	if (u->flags & URL_HAS_QUERY) {
		c = count_variant(f, norm, (size_t)(u->query.p - 1 - norm));
		if (c < 0)
			return c;
		if ((unsigned)c > f->lim.max_query_variants)
			return CRAWL_SKIP_VARIANTS;
	}
	return CRAWL_SKIP_NONE;
}

static int
add_edge(struct crawl_frontier *f, uint32_t from, uint32_t to)
{
	if (from == CRAWL_NONE || f->nodes[to].last_from == from)
		return 0;
	if (grow((void **)&f->edges, &f->edges_cap, f->nedges,
		 sizeof *f->edges) < 0)
		return -ENOMEM;
	f->edges[f->nedges].from = from;
	f->edges[f->nedges++].to = to;
	f->nodes[to].last_from = from;
	f->nodes[from].nlinks++;
	return 0;
}

static int
enqueue(struct crawl_frontier *f, uint32_t id)
{
	if (grow((void **)&f->queue, &f->qcap, f->qtail, sizeof *f->queue) < 0)
		return -ENOMEM;
	f->queue[f->qtail++] = id;
	f->queued++;
	return 0;
}

/* Appends the node for norm (not yet known, hash h, table slot i). */
static int
new_node(struct crawl_frontier *f, uint32_t from, const struct url *u,
	 const char *norm, size_t n, uint32_t h, size_t i)
{
	uint32_t id = (uint32_t)f->nnodes;
	struct crawl_node *nd;
	int skip;

	if (f->nnodes >= f->lim.max_nodes) {
		f->dropped++;
		return ERR_RANGE;
	}
	if (grow((void **)&f->nodes, &f->cap, f->nnodes, sizeof *f->nodes) < 0)
		return -ENOMEM;
	nd = &f->nodes[id];
	memset(nd, 0, sizeof *nd);
	nd->url = strndup(norm, n);
	if (!nd->url)
		return -ENOMEM;
	nd->len = (uint32_t)n;
	nd->hash = h;
	nd->parent = from;
	nd->last_from = CRAWL_NONE;
	nd->depth = from == CRAWL_NONE ? 0 : f->nodes[from].depth + 1;
	f->nnodes++;
	if (set_put(&f->index, i, h, id) < 0)
		return -ENOMEM;
	skip = decide(f, u, norm, n, nd->depth);
	if (skip < 0)
		return skip;
	nd->skip = (uint8_t)skip;
	if (skip == CRAWL_SKIP_NONE && enqueue(f, id) < 0)
		return -ENOMEM;
	return (int)id;
}

/* The node in the index's slot i (from set_find), or -1 when the slot is
 * free. */
static int
node_at(const struct crawl_frontier *f, size_t i)
{
	return f->index.slots[i].id1 ? (int)(f->index.slots[i].id1 - 1) : -1;
}

int
crawl_frontier_add(struct crawl_frontier *f, uint32_t from, const char *url,
		   size_t n)
{
	char norm[URL_MAX_LEN + 1];
	struct url u;
	ssize_t len;
	uint32_t h = hash_bytes(url, n);
	/* Most links name a page already known, and already normalised
	 * (the link extractor normalises too): normalising once more would
	 * give the same bytes, so a link known by its exact bytes needs no
	 * parse. */
	size_t i = set_find(f, &f->index, h, url, n, node_eq);
	int id = node_at(f, i), rc;

	if (id < 0) {
		rc = url_parse(url, n, &u);
		if (rc < 0)
			return rc;
		if (!(u.flags & URL_HAS_SCHEME))
			return ERR_PARSE;
		u.flags &= ~(unsigned)URL_HAS_FRAGMENT;
		len = url_normalize_parsed(&u, norm, sizeof norm);
		if (len < 0)
			return (int)len;
		if (url_parse(norm, (size_t)len, &u) < 0)
			return ERR_PARSE;
		if (from == CRAWL_NONE && f->norigins == 0 &&
		    origin_add(f, norm, (size_t)(u.path.p - norm)) < 0)
			return -ENOMEM;
		h = hash_bytes(norm, (size_t)len);
		i = set_find(f, &f->index, h, norm, (size_t)len, node_eq);
		id = node_at(f, i);
		if (id < 0)
			id = new_node(f, from, &u, norm, (size_t)len, h, i);
	}
	if (id < 0)
		return id;
	rc = add_edge(f, from, (uint32_t)id);
	return rc < 0 ? rc : id;
}

uint32_t
crawl_frontier_next(struct crawl_frontier *f)
{
	if (f->qhead == f->qtail)
		return CRAWL_NONE;
	return f->queue[f->qhead++];
}

void
crawl_frontier_skip(struct crawl_frontier *f, uint32_t id,
		    enum crawl_skip why)
{
	f->nodes[id].skip = (uint8_t)why;
	if (f->queued > 0)
		f->queued--;
}

int
crawl_node_is_broken(const struct crawl_node *nd)
{
	return nd->state == CRAWL_DONE && (nd->status >= 400 || nd->status < 0);
}

const char *
crawl_skip_str(enum crawl_skip why)
{
	static const char *const names[] = {
		[CRAWL_SKIP_NONE] = "",
		[CRAWL_SKIP_SCHEME] = "scheme",
		[CRAWL_SKIP_HOST] = "other-host",
		[CRAWL_SKIP_DEPTH] = "depth",
		[CRAWL_SKIP_BUDGET] = "max-pages",
		[CRAWL_SKIP_ROBOTS] = "robots",
		[CRAWL_SKIP_LONG_URL] = "trap-url-length",
		[CRAWL_SKIP_QUERY] = "trap-query",
		[CRAWL_SKIP_PATH] = "trap-path",
		[CRAWL_SKIP_VARIANTS] = "trap-query-variants",
	};

	if ((unsigned)why >= sizeof names / sizeof names[0])
		return "?";
	return names[why];
}

const char *
crawl_fail_str(int status)
{
	switch (status) {
	case ERR_NOTFOUND:
		return "dns";
	case -ECONNREFUSED:
		return "refused";
	case ERR_TIMEOUT:
	case -ETIMEDOUT:
		return "timeout";
	case -ECONNRESET:
	case ERR_CLOSED:
		return "reset";
	case -ENETUNREACH:
	case -EHOSTUNREACH:
		return "unreachable";
	case ERR_TLS:
		return "tls";
	case ERR_CERT:
		return "certificate";
	default:
		return err_str(status);
	}
}

/* One pass of a stable counting sort of n edges from src to dst by the
 * key (their source or their target), with count[] of nnodes + 1 zeros. */
static void
edges_by(const struct crawl_edge *src, struct crawl_edge *dst, size_t n,
	 size_t *count, size_t nnodes, int by_to)
{
	size_t sum = 0;

	for (size_t i = 0; i < n; i++)
		count[by_to ? src[i].to : src[i].from]++;
	for (size_t k = 0; k <= nnodes; k++) {
		size_t c = count[k];

		count[k] = sum;
		sum += c;
	}
	for (size_t i = 0; i < n; i++)
		dst[count[by_to ? src[i].to : src[i].from]++] = src[i];
}

static int
edge_cmp(const void *a, const void *b)
{
	const struct crawl_edge *x = a, *y = b;

	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return 0;
}

/* By target, then source: a radix sort over the node ids (two counting
 * passes, linear in edges and nodes), or qsort without memory for it. */
void
crawl_frontier_sort_edges(struct crawl_frontier *f)
{
	size_t n = f->nedges, *count;
	struct crawl_edge *tmp;

	if (n < 2)
		return;
	tmp = malloc(n * sizeof *tmp);
	count = calloc(f->nnodes + 1, sizeof *count);
	if (tmp && count) {
		edges_by(f->edges, tmp, n, count, f->nnodes, 0);
		memset(count, 0, (f->nnodes + 1) * sizeof *count);
		edges_by(tmp, f->edges, n, count, f->nnodes, 1);
	} else {
		qsort(f->edges, n, sizeof *f->edges, edge_cmp);
	}
	free(tmp);
	free(count);
}

size_t
crawl_frontier_first_edge_to(const struct crawl_frontier *f, uint32_t id)
{
	size_t lo = 0, hi = f->nedges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->edges[mid].to < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
