/* crawl_int: the crawler's state, shared by crawl.c (hosts, the queue,
 * the slots, the run) and crawl_fetch.c (one request and its answer).
 * Resolving, connections and requests are the fetch engine's
 * (src/fetch). Internal to src/crawl. */
#ifndef INETKIT_CRAWL_INT_H
#define INETKIT_CRAWL_INT_H

#include <stdint.h>

#include "core/buf.h"
#include "core/loop.h"
#include "crawl/crawl.h"
#include "crawl/crawl_parse.h"
#include "crawl/crawl_robots.h"
#include "fetch/fetch.h"
#include "url/url.h"

#define REMOTE_DELAY_MS 100	/* default politeness off loopback */
#define CTYPE_MAX 100		/* bytes of Content-Type kept */
/* Pages shorter than this are parsed in the loop even with parser
 * threads: a parse of a few KiB (tens of microseconds with html_squeeze)
 * costs less than handing it to a thread and back (a futex wake-up, an
 * eventfd, their context switches). */
#define CRAWL_PARSE_LOOP_MAX (4 * 1024)
/* A 429 or 503 with Retry-After up to CRAWL_RETRY_MAX_S is tried again
 * after that delay, up to CRAWL_RETRIES times; beyond, it is broken. */
#define CRAWL_RETRY_MAX_S 60
#define CRAWL_RETRIES 3

enum host_state { HOST_RESOLVING, HOST_READY, HOST_FAILED };
enum robots_state { ROBOTS_WANTED, ROBOTS_FETCHING, ROBOTS_DONE };

struct crawl;

struct crawl_host {
	struct crawl *cr;
	char *origin;		/* "http://name:port", the lookup key */
	size_t origin_len;
	char *name;		/* for the resolver, no brackets */
	uint16_t port;
	enum host_state state;
	int fail;		/* the lookup's status when HOST_FAILED */
	enum robots_state robots_state;
	struct crawl_robots robots;
	char *robots_target;	/* after a redirect; NULL: "/robots.txt" */
	int robots_redirects;
	int delay_ms;
	int64_t next_ok;	/* no request starts before (monotonic ms) */
	struct loop_timer timer;
	uint32_t *queue;	/* node ids waiting for this host */
	size_t qhead, qtail, qcap;
};

/* One request in flight (at most `concurrency`: the fetch engine holds
 * as many connections). */
struct crawl_slot {
	struct crawl *cr;
	struct crawl_host *host;	/* of the request in flight, or last */
	int busy;
	int robots;		/* fetching host's robots.txt, not a node */
	uint32_t id;
	int64_t t0_us;		/* when the request started */
	int status;		/* from the head; 0 before */
	int html;		/* keep the body for link extraction */
	int64_t retry_ms;	/* >= 0: fetch again after that, not done */
	uint64_t size;
	struct buf body;
	int mirror_fd;
	char target[URL_MAX_LEN + 1];
};

struct crawl {
	const struct crawl_config *cfg;
	struct crawl_frontier *f;
	struct loop *loop;
	struct fetch *fetch;	/* resolver, connections, requests */
	struct crawl_parse_pool *pool;	/* parser threads, or NULL */
	unsigned parsing;		/* jobs with the pool */
	struct crawl_slot *slots;
	int nslots;
	unsigned active;
	struct crawl_host **hosts;
	size_t nhosts, hosts_cap;
	struct crawl_host *last_host;
	unsigned resolving;
	size_t pending;		/* ids in host queues */
	size_t done, broken;
	int mirror_fd;
	int64_t t0;
	int pumping;
};

/* Monotonic microseconds, read now (the loop's cached clock has only
 * milliseconds, and a loopback page takes less). */
int64_t crawl_now_us(void);

/* crawl.c */
/* Records the outcome of node id: an HTTP status or a failure code, the
 * body's size and the time it took in microseconds. */
void crawl_finish_node(struct crawl *cr, uint32_t id, int status,
		       uint64_t size, int64_t us);
/* Fails every node waiting for h with status. */
void crawl_host_fail(struct crawl *cr, struct crawl_host *h, int status);
/* Queues node id on h again, and holds every request to h for ms (the
 * server's Retry-After). Returns 0 or -ENOMEM. */
int crawl_host_retry(struct crawl *cr, struct crawl_host *h, uint32_t id,
		     int64_t ms);
/* Moves new URLs to their hosts, starts what may start, and stops the
 * loop once nothing is left to do. */
void crawl_pump(struct crawl *cr);

/* crawl_fetch.c */
/* Starts a GET of s->target on h, for node id or (robots) robots.txt. */
void crawl_fetch_start(struct crawl *cr, struct crawl_slot *s,
		       struct crawl_host *h, uint32_t id, int robots);
/* A parser thread's job is back: its links join the frontier. */
void crawl_fetch_parsed(void *arg, struct crawl_parse_job *job);
/* Creates and opens cfg->mirror_dir, if any. Returns 0 or -errno. */
int crawl_mirror_setup(struct crawl *cr);

#endif
