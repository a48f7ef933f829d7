/* http_stats: the web server's counters and its status page. Each worker
 * owns one block of counters, on its own cache line, that only it writes
 * (relaxed stores: plain adds, no lock, no shared line on the request
 * path); the page sums the blocks when it is read.
 *
 *   http_stats_page_new   the page's settings and one block per worker
 *   http_stats_claim      a worker takes its block when it starts
 *   http_stats_count_*    the worker's adds
 *   http_stats_respond    GET PATH (HTML) and PATH.json, for allowed
 *                         clients (loopback, or --status-allow CIDR) */
#ifndef INETKIT_HTTP_STATS_H
#define INETKIT_HTTP_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "net/net_addr.h"

#include "http_parse.h"

struct http_reply;

#define HTTP_STATS_MAX_ALLOW 16
#define HTTP_STATS_PATH_MAX 128

struct http_stats {
	uint64_t accepted, closed;	/* connections */
	uint64_t requests, bytes;	/* replies and their body bytes */
	uint64_t compressed, compress_hits; /* variants made, found cached */
	uint64_t status[6];		/* [1] 1xx ... [5] 5xx, [0] other */
} __attribute__((aligned(64)));

struct http_stats_allow {
	struct net_addr net;
	int prefix;
};

/* Counters of another server in the same process (the name server),
 * written as JSON members ("\"dns\":{...}") into out; returns the length
 * or -1 when out is too small. */
typedef int (*http_stats_extra_fn)(void *arg, char *out, size_t size);

struct http_stats_page {
	char path[HTTP_STATS_PATH_MAX];	/* "/.status" */
	size_t path_len;
	struct http_stats_allow allow[HTTP_STATS_MAX_ALLOW];
	int nallow;
	int64_t start_ms;		/* CLOCK_MONOTONIC */
	int nslots, claimed;
	struct http_stats *slots;
	http_stats_extra_fn extra;
	void *extra_arg;
};

/* A page at path (starting with '/') for up to nworkers workers. Returns NULL
 * for a bad path or without memory. Freed by http_stats_page_free. */
struct http_stats_page *http_stats_page_new(const char *path, int nworkers);
void http_stats_page_free(struct http_stats_page *p);
/* Adds "ADDR/PREFIX" (or an address alone) to the clients allowed
 * besides loopback. Returns 0, ERR_PARSE or ERR_TOOBIG. */
int http_stats_allow_add(struct http_stats_page *p, const char *cidr);
/* A worker's block (zeroed), or NULL when every block is taken. */
struct http_stats *http_stats_claim(struct http_stats_page *p);

static inline void
http_stats_add(uint64_t *c, uint64_t n)
{
	/* only the owner writes: a load and a store, no atomic add */
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static inline void
http_stats_count_reply(struct http_stats *s, int status, uint64_t bytes)
{
	unsigned cls = (unsigned)status / 100;

	http_stats_add(&s->requests, 1);
	http_stats_add(&s->bytes, bytes);
	http_stats_add(&s->status[cls < 6 ? cls : 0], 1);
}

/* The workers that claimed a block. */
int http_stats_workers(const struct http_stats_page *p);
/* The sum of every claimed block. */
void http_stats_sum(const struct http_stats_page *p, struct http_stats *out);

/* A first look, inline on every request: false for most paths without
 * a call (the length and the byte after the '/'). */
static inline int
http_stats_may_be_page(const struct http_stats_page *p,
		       const struct http_request *r)
{
	return r->path.n >= p->path_len && r->path.p[1] == p->path[1];
}

/* When r asks for the page (its path, or path + ".json"): fills rep (403
 * for a client that is not allowed) and returns 1; else 0. */
int http_stats_respond(const struct http_stats_page *p,
		       const struct http_request *r,
		       const struct sockaddr *peer, socklen_t peer_len,
		       struct http_reply *rep);

/* The JSON document of the page into out. Returns its length, or -1. */
int http_stats_json(const struct http_stats_page *p, char *out, size_t size);

#endif
