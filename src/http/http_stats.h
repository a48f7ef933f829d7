/* http_stats: the web server's counters and its status page. Each worker
 * owns one block of counters, on its own cache line, that only it writes
 * (relaxed stores: plain adds, no lock, no shared line on the request
 * path); the page sums the blocks when it is read.
 *
 *   http_stats_page_new   the page's settings and one block per worker
 *   http_stats_claim      a worker takes its block when it starts
 *   http_stats_count_*    the worker's adds
 *   http_stats_respond    GET PATH (HTML with live charts), PATH.json
 *                         and PATH/metrics (Prometheus), for allowed
 *                         clients (loopback, or --status-allow CIDR) */
#ifndef INETKIT_HTTP_STATS_H
#define INETKIT_HTTP_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "net/net_addr.h"

#include "http_parse.h"
#include "http_site.h"

struct http_reply;

#define HTTP_STATS_MAX_ALLOW 16
#define HTTP_STATS_PATH_MAX 128
/* Request service time, in microseconds, in log-scale buckets: 0..3 one
 * each, then four per power of two (each at most 25% wide) up to 2^32
 * us (71 minutes); the last bucket takes anything longer. */
#define HTTP_STATS_LAT_BUCKETS 124
/* Per virtual host: the --vhost names by index, then the default root
 * (--root), then "other" (no root matched, or no head to read). */
#define HTTP_STATS_VHOSTS (HTTP_MAX_VHOSTS + 2)
#define HTTP_STATS_VHOST_DEFAULT HTTP_MAX_VHOSTS
#define HTTP_STATS_VHOST_OTHER (HTTP_MAX_VHOSTS + 1)

/* One worker's block: only it writes (plain adds through relaxed
 * stores); readers sum every block. All uint64_t, so that the sum is a
 * loop over the words. */
struct http_stats {
	uint64_t accepted, closed;	/* connections */
	uint64_t requests, bytes;	/* replies and their body bytes */
	uint64_t compressed, compress_hits; /* variants made, found cached */
	uint64_t status[6];		/* [1] 1xx ... [5] 5xx, [0] other */
	uint64_t conns_full;		/* refused: the worker at --max-conns */
	uint64_t conns_per_ip;		/* refused: --max-conns-per-ip */
	uint64_t rate_limited;		/* 429 from --rate */
	uint64_t log_dropped;		/* access log lines lost (full disk) */
	uint64_t lat_count, lat_sum_us;	/* replies sent whole, their time */
	uint64_t lat[HTTP_STATS_LAT_BUCKETS];
	uint64_t vhost_requests[HTTP_STATS_VHOSTS];
	uint64_t vhost_bytes[HTTP_STATS_VHOSTS];
} __attribute__((aligned(64)));

struct http_stats_allow {
	struct net_addr net;
	int prefix;
};

/* The formats of the counters: PATH.json and PATH/metrics. */
enum http_stats_format { HTTP_STATS_JSON, HTTP_STATS_PROMETHEUS };

/* Counters of another server in the same process (the name server),
 * written into out in format fmt: JSON members ("\"dns\":{...}") or
 * Prometheus lines. Returns the length or -1 when out is too small. */
typedef int (*http_stats_extra_fn)(void *arg, enum http_stats_format fmt,
				   char *out, size_t size);

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
	/* the --vhost names, copied by the first worker; nvhosts is
	 * published after them */
	char (*vhost_names)[HTTP_MAX_HOSTNAME + 1];
	int nvhosts;
};

/* A page at path (starting with '/') for up to nworkers workers. Returns NULL
 * for a bad path or without memory. Freed by http_stats_page_free. */
struct http_stats_page *http_stats_page_new(const char *path, int nworkers);
void http_stats_page_free(struct http_stats_page *p);
/* Adds "ADDR/PREFIX" (or an address alone) to the clients allowed
 * besides loopback. Returns 0, ERR_PARSE or ERR_TOOBIG. */
int http_stats_allow_add(struct http_stats_page *p, const char *cidr);
/* A worker's block (zeroed), or NULL when every block is taken. The
 * first worker also gives the page the names of site's vhosts. */
struct http_stats *http_stats_claim(struct http_stats_page *p,
				    const struct http_site *site);

static inline void
http_stats_add(uint64_t *c, uint64_t n)
{
	/* only the owner writes: a load and a store, no atomic add */
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

/* A count the worker keeps elsewhere, copied into its block. */
static inline void
http_stats_set(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, v, __ATOMIC_RELAXED);
}

/* A reply for virtual host vhost (http_stats_vhost). */
static inline void
http_stats_count_reply(struct http_stats *s, int status, uint64_t bytes,
		       int vhost)
{
	unsigned cls = (unsigned)status / 100;

	http_stats_add(&s->requests, 1);
	http_stats_add(&s->bytes, bytes);
	http_stats_add(&s->status[cls < 6 ? cls : 0], 1);
	http_stats_add(&s->vhost_requests[vhost], 1);
	http_stats_add(&s->vhost_bytes[vhost], bytes);
}

/* The bucket of a duration of us microseconds. */
static inline unsigned
http_stats_lat_index(uint64_t us)
{
	unsigned k, i;

	if (us < 4)
		return (unsigned)us;
	k = 63 - (unsigned)__builtin_clzll(us);	/* 2^k <= us */
	i = 4 * (k - 1) + (unsigned)((us >> (k - 2)) & 3);
	return i < HTTP_STATS_LAT_BUCKETS ? i : HTTP_STATS_LAT_BUCKETS - 1;
}

/* The first duration (us) past bucket i: its exclusive upper bound. */
uint64_t http_stats_lat_bound(unsigned i);

/* A reply sent whole, us microseconds after its head was read. */
static inline void
http_stats_count_time(struct http_stats *s, int64_t us)
{
	uint64_t d = us > 0 ? (uint64_t)us : 0;

	http_stats_add(&s->lat_count, 1);
	http_stats_add(&s->lat_sum_us, d);
	http_stats_add(&s->lat[http_stats_lat_index(d)], 1);
}

/* The index of the counters of the virtual host that answers r (parsed:
 * its head was read whole) on site: a --vhost index,
 * HTTP_STATS_VHOST_DEFAULT or HTTP_STATS_VHOST_OTHER. */
int http_stats_vhost(const struct http_site *site,
		     const struct http_request *r, int parsed);

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

/* When r asks for the page (its path, path + ".json" or path +
 * "/metrics", the Prometheus text format 0.0.4): fills rep (403
 * for a client that is not allowed) and returns 1; else 0. */
int http_stats_respond(const struct http_stats_page *p,
		       const struct http_request *r,
		       const struct sockaddr *peer, socklen_t peer_len,
		       struct http_reply *rep);

/* The JSON document of the page into out. Returns its length, or -1. */
int http_stats_json(const struct http_stats_page *p, char *out, size_t size);
/* The same counters in the Prometheus text format. */
int http_stats_prometheus(const struct http_stats_page *p, char *out,
			  size_t size);

#endif
