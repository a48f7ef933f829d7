/* crawl_frontier: what a crawl has seen and what it still has to fetch.
 * Every URL is normalised (RFC 3986 6.2.2, 6.2.3, fragment dropped) before
 * it is looked up, so one resource is one node however it was written.
 * A node records how the crawl first reached it (parent, depth), why it is
 * not fetched (scheme, host, depth, page budget, robots.txt, a trap
 * guard), and what fetching it gave (status, size, time). Links between
 * nodes are kept once per (from, to) pair for the report and the graph.
 * Pure: no I/O; the engine pulls ids from the queue in breadth-first
 * order and fills in the results. */
#ifndef INETKIT_CRAWL_FRONTIER_H
#define INETKIT_CRAWL_FRONTIER_H

#include <stddef.h>
#include <stdint.h>

#include "url/url.h"

#define CRAWL_NONE UINT32_MAX
/* Origins a crawl follows without all_hosts. */
#define CRAWL_MAX_ORIGINS 8

/* Why a node is not fetched. */
enum crawl_skip {
	CRAWL_SKIP_NONE,
	CRAWL_SKIP_SCHEME,	/* neither http: nor https: (mailto, ...) */
	CRAWL_SKIP_HOST,	/* another server than the start URL's (the
				 * same host on the other of http and https
				 * is the same site, whatever its port) */
	CRAWL_SKIP_DEPTH,	/* deeper than max_depth */
	CRAWL_SKIP_BUDGET,	/* max_pages already queued */
	CRAWL_SKIP_ROBOTS,	/* robots.txt disallows it */
	CRAWL_SKIP_LONG_URL,	/* trap guard: longer than max_url_len */
	CRAWL_SKIP_QUERY,	/* trap guard: too many or too long params */
	CRAWL_SKIP_PATH,	/* trap guard: too many or repeated segments */
	CRAWL_SKIP_VARIANTS,	/* trap guard: too many queries on one path */
};

enum crawl_state {
	CRAWL_NEW,		/* queued, or skipped (see skip) */
	CRAWL_FETCHING,
	CRAWL_DONE,		/* status holds the outcome */
};

struct crawl_node {
	char *url;		/* normalised, NUL-terminated, owned */
	char *ctype;		/* media type of the answer, owned, or NULL */
	uint32_t len;
	uint32_t hash;
	uint32_t parent;	/* first page that linked here, or CRAWL_NONE */
	uint32_t last_from;	/* the last page that linked here (dedup) */
	int32_t depth;		/* links from the start URL */
	uint8_t skip;		/* enum crawl_skip */
	uint8_t state;		/* enum crawl_state */
	uint8_t retries;	/* fetches a 429 or 503 sent back for later */
	/* HTTP status (> 0), or a negative code when no answer came
	 * (ERR_NOTFOUND: no such name, -ECONNREFUSED, ERR_TIMEOUT, ...). */
	int status;
	uint64_t size;		/* body bytes */
	uint32_t us;		/* from the request's start to the body's end */
	uint32_t nlinks;	/* distinct links found on the page */
};

struct crawl_edge {
	uint32_t from, to;
};

struct crawl_limits {
	int max_depth;		/* links from the start; seed is depth 0 */
	size_t max_pages;	/* nodes queued for fetching */
	size_t max_nodes;	/* nodes recorded at all (links beyond: dropped) */
	size_t max_url_len;
	unsigned max_query_params;
	size_t max_query_len;
	unsigned max_segments;
	unsigned max_segment_repeat;	/* the same segment in one path */
	unsigned max_query_variants;	/* distinct queries on one path */
	int all_hosts;		/* follow links to every host */
};

/* Defaults: depth 64, 100000 pages, 1000000 nodes, URLs of 2048 bytes,
 * 16 query parameters, queries of 1024 bytes, 32 segments, a segment 3
 * times, 256 queries per path, the start host only. */
void crawl_limits_default(struct crawl_limits *lim);

struct crawl_set_slot {
	uint32_t hash;
	uint32_t id1;			/* entry id + 1; 0: empty */
};

struct crawl_set {			/* open addressing: hash -> entry id */
	struct crawl_set_slot *slots;
	size_t mask, used;
};

struct crawl_path {			/* a path and its distinct queries */
	char *path;
	uint32_t len;
	uint32_t count;
};

struct crawl_frontier {
	struct crawl_limits lim;
	struct crawl_node *nodes;
	size_t nnodes, cap;
	struct crawl_set index;		/* url -> node */
	struct crawl_edge *edges;
	size_t nedges, edges_cap;
	uint32_t *queue;		/* ids to fetch, FIFO */
	size_t qhead, qtail, qcap;
	size_t queued;			/* nodes ever queued (the budget) */
	size_t dropped;			/* links not recorded: max_nodes */
	/* Trap guard: distinct queries per path ("http://h/p"). */
	struct crawl_path *paths;
	size_t npaths, paths_cap;
	struct crawl_set path_index;
	/* The origins followed ("http[s]://host:port"): the start URL's, and
	 * those crawl_frontier_allow added. */
	char *origins[CRAWL_MAX_ORIGINS];
	size_t norigins;
};

/* Sets up an empty frontier with limits lim. Returns 0 or -ENOMEM. */
int crawl_frontier_init(struct crawl_frontier *f,
			const struct crawl_limits *lim);
void crawl_frontier_fini(struct crawl_frontier *f);

/* Adds url (an absolute URI, n bytes; normalised here, its fragment
 * dropped) as a link from node from, or as the start URL when from is
 * CRAWL_NONE (the first seed also fixes the start origin). A new node is
 * queued unless a rule skips it. Returns the node id (new or known),
 * ERR_PARSE or ERR_TOOBIG for a URL that cannot be a node, ERR_RANGE when
 * max_nodes is reached (counted in dropped), or -ENOMEM. */
int crawl_frontier_add(struct crawl_frontier *f, uint32_t from,
		       const char *url, size_t n);

/* Follows url's origin too (where the start URL redirects). Returns 0,
 * ERR_PARSE, ERR_TOOBIG (CRAWL_MAX_ORIGINS reached) or -ENOMEM. */
int crawl_frontier_allow(struct crawl_frontier *f, const char *url,
			 size_t n);

/* The next queued node id in breadth-first order, or CRAWL_NONE. */
uint32_t crawl_frontier_next(struct crawl_frontier *f);
/* Marks a queued node as skipped after all (robots.txt). */
void crawl_frontier_skip(struct crawl_frontier *f, uint32_t id,
			 enum crawl_skip why);

/* Which trap guard (or CRAWL_SKIP_NONE) refuses the normalised URL u of
 * n bytes under lim. Does not look at the per-path query count. */
enum crawl_skip crawl_trap_check(const struct url *u, size_t n,
				 const struct crawl_limits *lim);

/* True when a node was fetched and failed: a status of 400 or more, or
 * no answer at all. */
int crawl_node_is_broken(const struct crawl_node *nd);
/* A short static name for a skip reason ("robots"), "" for none. */
const char *crawl_skip_str(enum crawl_skip why);
/* A short static name for a failure: "dns", "refused", "timeout",
 * "reset", else err_str(status). */
const char *crawl_fail_str(int status);

/* Sorts the edges by target then source, so that the pages linking to
 * one node are adjacent; returns the index of the first edge to node id
 * (nedges when none). Call sort once after the crawl. */
void crawl_frontier_sort_edges(struct crawl_frontier *f);
size_t crawl_frontier_first_edge_to(const struct crawl_frontier *f,
				    uint32_t id);

#endif
