/* crawl: the crawler on one event loop. Hosts are resolved once (by the
 * fetch engine, src/fetch, which keeps the addresses), their robots.txt
 * fetched first (RFC 9309 2.3.1: 2xx parsed, 4xx allows all, 5xx
 * disallows all), then their queued pages are fetched, at most
 * `concurrency` at once and each host's delay apart; the engine keeps
 * connections alive (RFC 9112 9.3) and prefers one already open to the
 * host. What happens to one request and its answer is in crawl_fetch.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/loop.h"
#include "crawl/crawl_int.h"
#include "html/html_links.h"

int64_t
crawl_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
crawl_config_default(struct crawl_config *c)
{
	memset(c, 0, sizeof *c);
	crawl_limits_default(&c->lim);
	c->concurrency = 16;
	c->delay_ms = -1;
	c->timeout_ms = 10000;
	c->robots = 1;
	c->parse_threads = -1;
	resolv_config_init(&c->dns);
}

static void
report(struct crawl *cr)
{
	struct crawl_progress p;

	if (!cr->cfg->progress)
		return;
	p.done = cr->done;
	p.queued = cr->f->queued;
	p.broken = cr->broken;
	p.active = cr->active;
	p.elapsed_ms = clock_mono_ms() - cr->t0;
	cr->cfg->progress(cr->cfg->progress_arg, &p);
}

/* Records the outcome of node id: an HTTP status or a failure code. */
void
crawl_finish_node(struct crawl *cr, uint32_t id, int status, uint64_t size,
	    int64_t us)
{
	struct crawl_node *nd = &cr->f->nodes[id];

	nd->state = CRAWL_DONE;
	nd->status = status;
	nd->size = size;
	nd->us = us < 0 ? 0 : us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	cr->done++;
	if (crawl_node_is_broken(nd))
		cr->broken++;
	report(cr);
}

static int
host_push(struct crawl *cr, struct crawl_host *h, uint32_t id)
{
	if (h->qtail == h->qcap) {
		size_t live = h->qtail - h->qhead;

		if (h->qhead > 0 && live < h->qcap / 2) {
			memmove(h->queue, h->queue + h->qhead,
				live * sizeof *h->queue);
		} else {
			size_t cap = h->qcap ? h->qcap * 2 : 64;
			uint32_t *q = realloc(h->queue, cap * sizeof *q);

			if (!q)
				return -ENOMEM;
			h->queue = q;
			h->qcap = cap;
			memmove(h->queue, h->queue + h->qhead,
				live * sizeof *h->queue);
		}
		h->qhead = 0;
		h->qtail = live;
	}
	h->queue[h->qtail++] = id;
	cr->pending++;
	return 0;
}

int
crawl_host_retry(struct crawl *cr, struct crawl_host *h, uint32_t id,
		 int64_t ms)
{
	int64_t when = clock_mono_ms() + ms;

	cr->f->nodes[id].retries++;
	if (when > h->next_ok)
		h->next_ok = when;
	return host_push(cr, h, id);
}

/* Fails every node waiting for h with status. */
void
crawl_host_fail(struct crawl *cr, struct crawl_host *h, int status)
{
	h->state = HOST_FAILED;
	h->fail = status;
	while (h->qhead < h->qtail) {
		cr->pending--;
		crawl_finish_node(cr, h->queue[h->qhead++], status, 0, 0);
	}
}

static int
is_loopback(const struct net_addr *a)
{
	static const unsigned char v6_lo[16] = { [15] = 1 };

	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)&a->ss;

		return (ntohl(s->sin_addr.s_addr) >> 24) == 127;
	}
	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)&a->ss;

		return memcmp(&s->sin6_addr, v6_lo, 16) == 0;
	}
	return 0;
}

static void
on_resolved(void *arg, int status, const struct net_addr *addrs, int n)
{
	struct crawl_host *h = arg;
	struct crawl *cr = h->cr;
	int remote = 0;

	cr->resolving--;
	if (status < 0 || n <= 0) {
		crawl_host_fail(cr, h, status < 0 ? status : ERR_NOTFOUND);
		crawl_pump(cr);
		return;
	}
	for (int i = 0; i < n; i++)
		remote |= !is_loopback(&addrs[i]);
	h->delay_ms = cr->cfg->delay_ms >= 0 ? cr->cfg->delay_ms :
		      remote ? REMOTE_DELAY_MS : 0;
	h->state = HOST_READY;
	h->robots_state = cr->cfg->robots ? ROBOTS_WANTED : ROBOTS_DONE;
	crawl_pump(cr);
}

static void
on_host_timer(struct loop *l, void *arg)
{
	struct crawl_host *h = arg;

	crawl_pump(h->cr);
}

static void
host_free(struct crawl_host *h)
{
	if (!h)
		return;
	crawl_robots_fini(&h->robots);
	free(h->robots_target);
	free(h->origin);
	free(h->name);
	free(h->queue);
	free(h);
}

static int
hosts_grow(struct crawl *cr)
{
	size_t cap = cr->hosts_cap ? cr->hosts_cap * 2 : 8;
	struct crawl_host **p;

	if (cr->nhosts < cr->hosts_cap)
		return 0;
	p = reallocarray(cr->hosts, cap, sizeof *p);
	if (!p)
		return -ENOMEM;
	cr->hosts = p;
	cr->hosts_cap = cap;
	return 0;
}

/* A new host, its lookup started. NULL when out of memory. */
static struct crawl_host *
host_new(struct crawl *cr, const char *origin, size_t olen,
	 const struct url_http *uh)
{
	struct crawl_host *h = calloc(1, sizeof *h);

	if (!h)
		return NULL;
	h->cr = cr;
	h->origin = strndup(origin, olen);
	h->origin_len = olen;
	h->name = strndup(uh->host.p, uh->host.n);
	h->port = uh->port;
	crawl_robots_init(&h->robots);
	loop_timer_init(&h->timer, on_host_timer, h);
	if (!h->origin || !h->name || hosts_grow(cr) < 0) {
		host_free(h);
		return NULL;
	}
	cr->hosts[cr->nhosts++] = h;
	h->state = HOST_RESOLVING;
	cr->resolving++;
	if (fetch_resolve(cr->fetch, h->name, h->port, on_resolved, h) < 0) {
		cr->resolving--;
		h->state = HOST_FAILED;
		h->fail = -ENOMEM;
	}
	return h;
}

static struct crawl_host *
host_find(struct crawl *cr, const char *origin, size_t olen)
{
	struct crawl_host *h = cr->last_host;

	if (h && h->origin_len == olen && memcmp(h->origin, origin, olen) == 0)
		return h;
	for (size_t i = 0; i < cr->nhosts; i++) {
		h = cr->hosts[i];
		if (h->origin_len == olen &&
		    memcmp(h->origin, origin, olen) == 0)
			return cr->last_host = h;
	}
	return NULL;
}

/* Parses node id's URL: its request target into target, its host. */
static int
node_target(struct crawl *cr, uint32_t id, struct url *u,
	    struct url_http *uh, char *target, size_t size)
{
	const struct crawl_node *nd = &cr->f->nodes[id];
	int rc = url_parse(nd->url, nd->len, u);

	return rc < 0 ? rc : url_http_target(u, uh, target, size);
}

/* Hands a queued node to its host (found or created). */
static void
dispatch(struct crawl *cr, uint32_t id)
{
	char target[URL_MAX_LEN + 1];
	struct url_http uh;
	struct crawl_host *h;
	struct url u;
	size_t olen;
	int rc = node_target(cr, id, &u, &uh, target, sizeof target);

	if (rc < 0) {
		crawl_finish_node(cr, id, rc, 0, 0);
		return;
	}
	olen = (size_t)(u.path.p - cr->f->nodes[id].url);
	h = host_find(cr, cr->f->nodes[id].url, olen);
	if (!h)
		h = host_new(cr, cr->f->nodes[id].url, olen, &uh);
	if (!h)
		crawl_finish_node(cr, id, -ENOMEM, 0, 0);
	else if (h->state == HOST_FAILED)
		crawl_finish_node(cr, id, h->fail, 0, 0);
	else if (host_push(cr, h, id) < 0)
		crawl_finish_node(cr, id, -ENOMEM, 0, 0);
}

/* A free slot, or NULL when `concurrency` requests are in flight. The
 * engine picks the connection (one still open to the host first). */
static struct crawl_slot *
slot_for(struct crawl *cr)
{
	if (cr->active >= (unsigned)cr->nslots)
		return NULL;
	for (int i = 0; i < cr->nslots; i++)
		if (!cr->slots[i].busy)
			return &cr->slots[i];
	return NULL;
}

/* Starts what host h may start now: its robots.txt first, then queued
 * pages, as far as free clients and the politeness delay allow. */
static void
host_start(struct crawl *cr, struct crawl_host *h)
{
	struct crawl_slot *s;
	struct url_http uh;
	struct url u;

	if (h->state != HOST_READY || h->robots_state == ROBOTS_FETCHING)
		return;
	if (h->robots_state == ROBOTS_WANTED) {
		s = slot_for(cr);
		if (!s)
			return;
		h->robots_state = ROBOTS_FETCHING;
		snprintf(s->target, sizeof s->target, "%s",
			 h->robots_target ? h->robots_target : "/robots.txt");
		crawl_fetch_start(cr, s, h, CRAWL_NONE, 1);
		if (h->robots_state != ROBOTS_DONE)
			return;
	}
	while (h->qhead < h->qtail) {
		int64_t now = clock_mono_ms();
		uint32_t id;
		int rc;

		if (now < h->next_ok) {	/* politeness, or Retry-After */
			if (!loop_timer_is_armed(&h->timer))
				loop_timer_set(cr->loop, &h->timer,
					       h->next_ok - now);
			return;
		}
		s = slot_for(cr);
		if (!s)
			return;
		id = h->queue[h->qhead++];
		cr->pending--;
		rc = node_target(cr, id, &u, &uh, s->target, sizeof s->target);
		if (rc < 0)
			crawl_finish_node(cr, id, rc, 0, 0);
		else if (!crawl_robots_allowed(&h->robots, s->target,
					       strlen(s->target)))
			crawl_frontier_skip(cr->f, id, CRAWL_SKIP_ROBOTS);
		else
			crawl_fetch_start(cr, s, h, id, 0);
	}
}

void
crawl_pump(struct crawl *cr)
{
	uint32_t id;

	if (cr->pumping)
		return;
	cr->pumping = 1;
	while ((id = crawl_frontier_next(cr->f)) != CRAWL_NONE)
		dispatch(cr, id);
	for (size_t i = 0; i < cr->nhosts; i++)
		host_start(cr, cr->hosts[i]);
	cr->pumping = 0;
	if (cr->active == 0 && cr->resolving == 0 && cr->pending == 0 &&
	    cr->parsing == 0 && cr->f->qhead == cr->f->qtail)
		loop_stop(cr->loop, 0);
}

/* The fetch engine, with one connection per slot. */
static int
engine_new(struct crawl *cr)
{
	struct fetch_config fc = {
		.client = {
			.connect_timeout_ms = cr->cfg->timeout_ms,
			.read_timeout_ms = cr->cfg->timeout_ms,
			.head_timeout_ms = cr->cfg->timeout_ms,
			.max_body = CRAWL_MAX_BODY,
		},
		.max_conns = cr->cfg->concurrency,
		.dns = &cr->cfg->dns,
		.resolve_once = 1,
		.tls = cr->cfg->tls,
	};

	cr->fetch = fetch_new(cr->loop, &fc);
	return cr->fetch ? 0 : -ENOMEM;
}

static int
slots_new(struct crawl *cr)
{
	cr->nslots = cr->cfg->concurrency;
	cr->slots = calloc((size_t)cr->nslots, sizeof *cr->slots);
	if (!cr->slots)
		return -ENOMEM;
	for (int i = 0; i < cr->nslots; i++) {
		struct crawl_slot *s = &cr->slots[i];

		s->cr = cr;
		s->mirror_fd = -1;
		buf_init(&s->body, HTML_DOC_MAX);
	}
	return engine_new(cr);
}

static void
crawl_fini(struct crawl *cr)
{
	fetch_free(cr->fetch);
	for (int i = 0; cr->slots && i < cr->nslots; i++) {
		if (cr->slots[i].mirror_fd >= 0)
			close(cr->slots[i].mirror_fd);
		buf_fini(&cr->slots[i].body);
	}
	free(cr->slots);
	if (cr->pool)
		crawl_parse_pool_free(cr->pool);
	for (size_t i = 0; i < cr->nhosts; i++) {
		loop_timer_del(cr->loop, &cr->hosts[i]->timer);
		host_free(cr->hosts[i]);
	}
	free(cr->hosts);
	if (cr->loop)
		loop_free(cr->loop);
	if (cr->mirror_fd >= 0)
		close(cr->mirror_fd);
}

/* Parser threads: as asked, or one per CPU when there are several. */
static int
pool_setup(struct crawl *cr)
{
	int n = cr->cfg->parse_threads;

	if (n < 0)
		n = crawl_parse_cpus() > 1 ? crawl_parse_cpus() : 0;
	if (n == 0)
		return 0;
	cr->pool = crawl_parse_pool_new(cr->loop, n, crawl_fetch_parsed, cr);
	return cr->pool ? 0 : -ENOMEM;
}

/* Seeds the frontier with the start URL, which must be fetchable. */
static int
seed(struct crawl *cr)
{
	const char *s = cr->cfg->start_url;
	struct url u;
	int rc = url_parse(s, strlen(s), &u);

	if (rc < 0)
		return rc;
	if (!(url_scheme_is(&u, "http") || url_scheme_is(&u, "https")) ||
	    !(u.flags & URL_HAS_AUTHORITY) || u.host.n == 0)
		return ERR_UNSUPPORTED;
	rc = crawl_frontier_add(cr->f, CRAWL_NONE, s, strlen(s));
	if (rc < 0)
		return rc;
	return cr->f->nodes[rc].skip == CRAWL_SKIP_NONE ? 0 : ERR_UNSUPPORTED;
}

int
crawl_run(const struct crawl_config *c, struct crawl_frontier *f)
{
	struct crawl cr = { .cfg = c, .f = f, .mirror_fd = -1 };
	int rc;

	clock_update();
	rc = seed(&cr);
	if (rc == 0)
		rc = crawl_mirror_setup(&cr);
	if (rc == 0) {
		cr.loop = loop_new();
		rc = cr.loop ? 0 : -ENOMEM;
	}
	if (rc == 0)
		rc = slots_new(&cr);
	if (rc == 0)
		rc = pool_setup(&cr);
	if (rc == 0) {
		cr.t0 = clock_mono_ms();
		crawl_pump(&cr);
		loop_run(cr.loop);
		report(&cr);
	}
	crawl_fini(&cr);
	return rc;
}

void
crawl_totals(const struct crawl_frontier *f, struct crawl_totals *t)
{
	memset(t, 0, sizeof *t);
	for (size_t i = 0; i < f->nnodes; i++) {
		const struct crawl_node *nd = &f->nodes[i];

		if (nd->state == CRAWL_DONE) {
			t->fetched++;
			t->bytes += nd->size;
			t->broken += crawl_node_is_broken(nd) != 0;
			t->html += nd->ctype && strcmp(nd->ctype,
						       "text/html") == 0;
		} else if (nd->skip != CRAWL_SKIP_NONE) {
			t->skipped++;
		}
	}
}
