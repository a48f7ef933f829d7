/* crawl: the crawler engine on one event loop. Hosts are resolved once
 * (src/dns/dns_resolve), their robots.txt fetched first (RFC 9309 2.3.1:
 * 2xx parsed, 4xx allows all, 5xx disallows all), then their queued pages
 * are fetched over a pool of HTTP/1.1 clients that keep connections alive
 * (RFC 9112 9.3) and prefer a client already connected to the host. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "crawl/crawl.h"
#include "crawl/crawl_out.h"
#include "crawl/crawl_parse.h"
#include "crawl/crawl_robots.h"
#include "html/html_links.h"
#include "http/http_client.h"
#include "url/url.h"

#define REMOTE_DELAY_MS 100	/* default politeness off loopback */
#define CTYPE_MAX 100		/* bytes of Content-Type kept */

enum host_state { HOST_RESOLVING, HOST_READY, HOST_FAILED };
enum robots_state { ROBOTS_TODO, ROBOTS_FETCHING, ROBOTS_DONE };

struct crawl;

struct crawl_host {
	struct crawl *cr;
	char *origin;		/* "http://name:port", the lookup key */
	size_t origin_len;
	char *name;		/* for the resolver, no brackets */
	char *hostport;		/* the Host field */
	uint16_t port;
	enum host_state state;
	int fail;		/* the lookup's status when HOST_FAILED */
	struct net_addr addrs[DNS_RESOLVE_MAX_ADDRS];
	int naddrs;
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

struct crawl_slot {
	struct crawl *cr;
	struct http_client *client;
	struct crawl_host *host;	/* of the request in flight, or last */
	int busy;
	int robots;		/* fetching host's robots.txt, not a node */
	uint32_t id;
	int64_t t0;
	int status;		/* from the head; 0 before */
	int html;		/* keep the body for link extraction */
	uint64_t size;
	struct buf body;
	int mirror_fd;
	char target[URL_MAX_LEN + 1];
};

struct crawl {
	const struct crawl_config *cfg;
	struct crawl_frontier *f;
	struct loop *loop;
	struct dns_resolver *res;
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

static void pump(struct crawl *cr);

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
	dns_resolver_config_init(&c->dns);
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
static void
finish_node(struct crawl *cr, uint32_t id, int status, uint64_t size,
	    int64_t ms)
{
	struct crawl_node *nd = &cr->f->nodes[id];

	nd->state = CRAWL_DONE;
	nd->status = status;
	nd->size = size;
	nd->ms = ms < 0 ? 0 : (uint32_t)ms;
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

/* Fails every node waiting for h with status. */
static void
host_fail(struct crawl *cr, struct crawl_host *h, int status)
{
	h->state = HOST_FAILED;
	h->fail = status;
	while (h->qhead < h->qtail) {
		cr->pending--;
		finish_node(cr, h->queue[h->qhead++], status, 0, 0);
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
		host_fail(cr, h, status < 0 ? status : ERR_NOTFOUND);
		pump(cr);
		return;
	}
	for (int i = 0; i < n && i < DNS_RESOLVE_MAX_ADDRS; i++) {
		h->addrs[i] = addrs[i];
		net_addr_set_port(&h->addrs[i], h->port);
		remote |= !is_loopback(&addrs[i]);
	}
	h->naddrs = n < DNS_RESOLVE_MAX_ADDRS ? n : DNS_RESOLVE_MAX_ADDRS;
	h->delay_ms = cr->cfg->delay_ms >= 0 ? cr->cfg->delay_ms :
		      remote ? REMOTE_DELAY_MS : 0;
	h->state = HOST_READY;
	h->robots_state = cr->cfg->robots ? ROBOTS_TODO : ROBOTS_DONE;
	pump(cr);
}

static void
on_host_timer(struct loop *l, void *arg)
{
	struct crawl_host *h = arg;

	pump(h->cr);
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
	free(h->hostport);
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
	h->hostport = strndup(uh->hostport.p, uh->hostport.n);
	h->port = uh->port;
	crawl_robots_init(&h->robots);
	loop_timer_init(&h->timer, on_host_timer, h);
	if (!h->origin || !h->name || !h->hostport || hosts_grow(cr) < 0) {
		host_free(h);
		return NULL;
	}
	cr->hosts[cr->nhosts++] = h;
	h->state = HOST_RESOLVING;
	cr->resolving++;
	if (!dns_resolve(cr->res, h->name, on_resolved, h)) {
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
		finish_node(cr, id, rc, 0, 0);
		return;
	}
	olen = (size_t)(u.path.p - cr->f->nodes[id].url);
	h = host_find(cr, cr->f->nodes[id].url, olen);
	if (!h)
		h = host_new(cr, cr->f->nodes[id].url, olen, &uh);
	if (!h)
		finish_node(cr, id, -ENOMEM, 0, 0);
	else if (h->state == HOST_FAILED)
		finish_node(cr, id, h->fail, 0, 0);
	else if (host_push(cr, h, id) < 0)
		finish_node(cr, id, -ENOMEM, 0, 0);
}

/* An idle client for h: one still connected to it, else one with no
 * connection, else any idle one. */
static struct crawl_slot *
slot_for(struct crawl *cr, const struct crawl_host *h)
{
	struct crawl_slot *cold = NULL, *any = NULL;

	if (cr->active >= (unsigned)cr->nslots)
		return NULL;
	for (int i = 0; i < cr->nslots; i++) {
		struct crawl_slot *s = &cr->slots[i];
		int conn;

		if (s->busy)
			continue;
		conn = http_client_is_connected(s->client);
		if (conn && s->host == h)
			return s;
		if (!conn && !cold)
			cold = s;
		else if (!any)
			any = s;
	}
	return cold ? cold : any;
}

/* The media type of a Content-Type value, lowercase, without
 * parameters, or NULL. */
static char *
media_type(const struct http_response *r)
{
	const struct http_header *ct = http_header_find(r->headers,
							r->nheaders,
							"Content-Type");
	size_t n = 0, start = 0;
	char *t;

	if (!ct)
		return NULL;
	while (start < ct->value.n && ct->value.p[start] == ' ')
		start++;
	while (start + n < ct->value.n && ct->value.p[start + n] != ';' &&
	       ct->value.p[start + n] != ' ' && n < CTYPE_MAX)
		n++;
	t = strndup(ct->value.p + start, n);
	for (size_t i = 0; t && i < n; i++)
		t[i] = (char)((t[i] >= 'A' && t[i] <= 'Z') ? t[i] + 32 : t[i]);
	return t;
}

static int
is_html(const char *type)
{
	return type && (strcmp(type, "text/html") == 0 ||
			strcmp(type, "application/xhtml+xml") == 0);
}

/* A redirect's Location, resolved against the page, is one of its links
 * (RFC 9110 10.2.2). */
static void
add_redirect(struct crawl *cr, uint32_t id, const struct http_response *r)
{
	const struct http_header *loc = http_header_find(r->headers,
							 r->nheaders,
							 "Location");
	const struct crawl_node *nd = &cr->f->nodes[id];
	char out[URL_MAX_LEN + 1];
	ssize_t n;

	if (!loc)
		return;
	n = url_resolve_str(nd->url, nd->len, loc->value.p, loc->value.n, out,
			    sizeof out);
	if (n > 0)
		crawl_frontier_add(cr->f, id, out, (size_t)n);
}

/* Opens the mirror file for url, creating its directories one at a time
 * below the mirror directory without following a symbolic link. Returns
 * the descriptor or a negative code. */
static int
mirror_open(struct crawl *cr, const char *url, size_t n)
{
	char path[4096];
	char *p = path, *slash;
	int d = cr->mirror_fd, fd;
	ssize_t len = crawl_out_mirror_path(url, n, path, sizeof path);

	if (len < 0)
		return (int)len;
	while ((slash = strchr(p, '/')) != NULL) {
		int next;

		*slash = '\0';
		if (mkdirat(d, p, 0755) < 0 && errno != EEXIST) {
			next = -errno;
		} else {
			next = openat(d, p, O_RDONLY | O_DIRECTORY |
				      O_NOFOLLOW | O_CLOEXEC);
			if (next < 0)
				next = -errno;
		}
		if (d != cr->mirror_fd)
			close(d);
		if (next < 0)
			return next;
		d = next;
		p = slash + 1;
	}
	fd = openat(d, p, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
	if (fd < 0)
		fd = -errno;
	if (d != cr->mirror_fd)
		close(d);
	return fd;
}

/* RFC 9309 2.3.1.2: a redirected robots.txt is followed, up to five
 * times, when it stays on the same host; robots_done fetches the new
 * target (h->robots_target) instead of parsing. */
static void
robots_redirect(struct crawl_host *h, const char *target,
		const struct http_response *r)
{
	const struct http_header *loc = http_header_find(r->headers,
							 r->nheaders,
							 "Location");
	char base[URL_MAX_LEN + 1], out[URL_MAX_LEN + 1];
	int n = snprintf(base, sizeof base, "%s%s", h->origin, target);
	ssize_t len;

	if (!loc || n < 0 || (size_t)n >= sizeof base ||
	    h->robots_redirects >= 5)
		return;
	len = url_resolve_str(base, (size_t)n, loc->value.p, loc->value.n,
			      out, sizeof out);
	if (len < 0 || (size_t)len <= h->origin_len ||
	    memcmp(out, h->origin, h->origin_len) != 0 ||
	    out[h->origin_len] != '/')
		return;
	free(h->robots_target);
	h->robots_target = strndup(out + h->origin_len,
				   (size_t)len - h->origin_len);
	if (h->robots_target)
		h->robots_redirects++;
}

static int
on_head(void *arg, const struct http_response *r, const char *raw,
	size_t rawlen)
{
	struct crawl_slot *s = arg;
	struct crawl *cr = s->cr;
	struct crawl_node *nd;
	int ok = r->status >= 200 && r->status < 300;

	s->status = r->status;
	if (r->framing == HTTP_BODY_LENGTH)
		s->size = r->content_length;
	if (s->robots) {
		if (r->status >= 300 && r->status < 400)
			robots_redirect(s->host, s->target, r);
		return ok ? 0 : 1;
	}
	nd = &cr->f->nodes[s->id];
	free(nd->ctype);
	nd->ctype = media_type(r);
	if (r->status >= 300 && r->status < 400)
		add_redirect(cr, s->id, r);
	if (!ok)
		return 1;
	nd = &cr->f->nodes[s->id];
	s->html = is_html(nd->ctype);
	s->size = 0;
	if (cr->mirror_fd >= 0) {
		s->mirror_fd = mirror_open(cr, nd->url, nd->len);
		if (s->mirror_fd < 0)
			log_warn("crawl: mirror %s: %s", nd->url,
				 err_str(s->mirror_fd));
	}
	return 0;
}

static void
mirror_write(struct crawl_slot *s, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(s->mirror_fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			log_warn("crawl: mirror write: %s", err_str(-errno));
			close(s->mirror_fd);
			s->mirror_fd = -1;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static int
on_body(void *arg, const void *p, size_t n)
{
	struct crawl_slot *s = arg;
	size_t cap = s->robots ? CRAWL_ROBOTS_MAX : HTML_DOC_MAX;

	s->size += n;
	if ((s->html || s->robots) && buf_size(&s->body) < cap) {
		size_t take = cap - buf_size(&s->body);

		buf_append(&s->body, p, n < take ? n : take);
	}
	if (s->mirror_fd >= 0)
		mirror_write(s, p, n);
	return 0;
}

struct extract_ctx {
	struct crawl *cr;
	uint32_t from;
};

static int
on_link(void *arg, const struct html_link *l)
{
	struct extract_ctx *x = arg;
	int rc;

	if (!l->url)
		return 0;	/* not a URI reference even after repair */
	rc = crawl_frontier_add(x->cr->f, x->from, l->url, l->url_len);
	return rc == -ENOMEM ? rc : 0;
}

static void
extract_links(struct crawl *cr, struct crawl_slot *s)
{
	struct extract_ctx x = { cr, s->id };
	const struct crawl_node *nd = &cr->f->nodes[s->id];
	int rc;

	rc = html_links_extract((const char *)buf_data(&s->body),
				buf_size(&s->body), nd->url, nd->len,
				on_link, &x);
	if (rc < 0 && rc != ERR_TOOBIG)
		log_warn("crawl: links of %s: %s", cr->f->nodes[s->id].url,
			 err_str(rc));
}

/* The links of a parsed page join the frontier. */
static void
on_parsed(void *arg, struct crawl_parse_job *job)
{
	struct crawl *cr = arg;
	const char *p = (const char *)buf_data(&job->links);
	const char *end = p + buf_size(&job->links);

	cr->parsing--;
	while (p < end) {
		size_t n = strlen(p);

		crawl_frontier_add(cr->f, job->id, p, n);
		p += n + 1;
	}
	if (job->rc < 0 && job->rc != ERR_TOOBIG)
		log_warn("crawl: links of %s: %s", job->url, err_str(job->rc));
	crawl_parse_job_free(job);
	pump(cr);
}

/* Hands the page in s->body to the parser threads, or parses it here
 * when there are none (or no memory for a job). */
static void
parse_page(struct crawl *cr, struct crawl_slot *s)
{
	const struct crawl_node *nd = &cr->f->nodes[s->id];
	struct crawl_parse_job *job = NULL;

	if (cr->pool)
		job = crawl_parse_job_new(s->id, nd->url, nd->len, &s->body);
	if (!job) {
		extract_links(cr, s);
		return;
	}
	cr->parsing++;
	crawl_parse_submit(cr->pool, job);
}

/* RFC 9309 2.3.1: a 2xx file is parsed; 4xx (and a redirect not followed:
 * off the host, or a sixth) means no rules; 5xx means disallow everything; no answer at
 * all fails the host's pages with that error. */
static void
robots_done(struct crawl *cr, struct crawl_slot *s, int status)
{
	struct crawl_host *h = s->host;

	h->robots_state = ROBOTS_DONE;
	if (status == 0 && h->robots_target &&
	    strcmp(h->robots_target, s->target) != 0) {
		h->robots_state = ROBOTS_TODO;	/* a redirect to follow */
		return;
	}
	if (status != 0 && s->status == 0) {
		host_fail(cr, h, status);
		return;
	}
	if (s->status >= 200 && s->status < 300) {
		if (crawl_robots_parse(&h->robots,
				       (const char *)buf_data(&s->body),
				       buf_size(&s->body), CRAWL_AGENT) < 0)
			crawl_robots_deny_all(&h->robots);
		if (h->robots.delay_ms > h->delay_ms)
			h->delay_ms = h->robots.delay_ms;
	} else if (s->status >= 500) {
		crawl_robots_deny_all(&h->robots);
	}
}

static void
on_done(void *arg, int status)
{
	struct crawl_slot *s = arg;
	struct crawl *cr = s->cr;
	int64_t ms = clock_mono_ms() - s->t0;

	s->busy = 0;
	cr->active--;
	if (s->mirror_fd >= 0) {
		close(s->mirror_fd);
		s->mirror_fd = -1;
	}
	if (s->robots) {
		robots_done(cr, s, status);
	} else {
		if (status == 0 && s->html)
			parse_page(cr, s);
		finish_node(cr, s->id, status == 0 ? s->status : status,
			    s->size, ms);
	}
	buf_reset(&s->body);
	pump(cr);
}

static const struct http_client_cb crawl_cb = {
	.on_head = on_head,
	.on_body = on_body,
	.on_done = on_done,
};

/* Starts a GET of s->target on h, for node id or (robots) robots.txt. */
static void
fetch_start(struct crawl *cr, struct crawl_slot *s, struct crawl_host *h,
	    uint32_t id, int robots)
{
	struct http_client_req req = {
		.method = HTTP_M_GET,
		.host = h->hostport,
		.target = s->target,
		.headers = "User-Agent: " CRAWL_AGENT "/0.1 (crawl)\r\n",
		.addrs = h->addrs,
		.naddrs = h->naddrs,
	};
	int rc;

	s->host = h;
	s->id = id;
	s->robots = robots;
	s->status = 0;
	s->html = 0;
	s->size = 0;
	s->mirror_fd = -1;
	s->t0 = clock_mono_ms();
	buf_reset(&s->body);
	h->next_ok = s->t0 + h->delay_ms;
	rc = http_client_request(s->client, &req, &crawl_cb, s);
	if (rc == 0) {
		s->busy = 1;
		cr->active++;
	} else if (robots) {
		h->robots_state = ROBOTS_DONE;
	} else {
		finish_node(cr, id, rc, 0, 0);
	}
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
	if (h->robots_state == ROBOTS_TODO) {
		s = slot_for(cr, h);
		if (!s)
			return;
		h->robots_state = ROBOTS_FETCHING;
		snprintf(s->target, sizeof s->target, "%s",
			 h->robots_target ? h->robots_target : "/robots.txt");
		fetch_start(cr, s, h, CRAWL_NONE, 1);
		if (h->robots_state != ROBOTS_DONE)
			return;
	}
	while (h->qhead < h->qtail) {
		int64_t now = clock_mono_ms();
		uint32_t id;
		int rc;

		if (h->delay_ms > 0 && now < h->next_ok) {
			if (!loop_timer_is_armed(&h->timer))
				loop_timer_set(cr->loop, &h->timer,
					       h->next_ok - now);
			return;
		}
		s = slot_for(cr, h);
		if (!s)
			return;
		id = h->queue[h->qhead++];
		cr->pending--;
		rc = node_target(cr, id, &u, &uh, s->target, sizeof s->target);
		if (rc < 0)
			finish_node(cr, id, rc, 0, 0);
		else if (!crawl_robots_allowed(&h->robots, s->target,
					       strlen(s->target)))
			crawl_frontier_skip(cr->f, id, CRAWL_SKIP_ROBOTS);
		else
			fetch_start(cr, s, h, id, 0);
	}
}

static void
pump(struct crawl *cr)
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

static int
slots_new(struct crawl *cr)
{
	struct http_client_config hc = {
		.connect_timeout_ms = cr->cfg->timeout_ms,
		.read_timeout_ms = cr->cfg->timeout_ms,
		.head_timeout_ms = cr->cfg->timeout_ms,
		.max_body = CRAWL_MAX_BODY,
	};

	cr->nslots = cr->cfg->concurrency;
	cr->slots = calloc((size_t)cr->nslots, sizeof *cr->slots);
	if (!cr->slots)
		return -ENOMEM;
	for (int i = 0; i < cr->nslots; i++) {
		struct crawl_slot *s = &cr->slots[i];

		s->cr = cr;
		s->mirror_fd = -1;
		buf_init(&s->body, HTML_DOC_MAX);
		s->client = http_client_new(cr->loop, &hc);
		if (!s->client)
			return -ENOMEM;
	}
	return 0;
}

static void
crawl_fini(struct crawl *cr)
{
	for (int i = 0; cr->slots && i < cr->nslots; i++) {
		if (cr->slots[i].client)
			http_client_free(cr->slots[i].client);
		if (cr->slots[i].mirror_fd >= 0)
			close(cr->slots[i].mirror_fd);
		buf_fini(&cr->slots[i].body);
	}
	free(cr->slots);
	if (cr->pool)
		crawl_parse_pool_free(cr->pool);
	if (cr->res)
		dns_resolver_free(cr->res);
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

/* mkdir -p dir. Returns 0 or -errno. */
static int
make_dirs(const char *dir)
{
	char path[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof path)
		return -ENAMETOOLONG;
	memcpy(path, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		path[i] = i < n ? '/' : '\0';
	}
	return 0;
}

static int
mirror_setup(struct crawl *cr)
{
	const char *dir = cr->cfg->mirror_dir;
	int rc;

	cr->mirror_fd = -1;
	if (!dir)
		return 0;
	rc = make_dirs(dir);
	if (rc < 0)
		return rc;
	cr->mirror_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return cr->mirror_fd < 0 ? -errno : 0;
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
	cr->pool = crawl_parse_pool_new(cr->loop, n, on_parsed, cr);
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
	if (!url_scheme_is(&u, "http") || !(u.flags & URL_HAS_AUTHORITY) ||
	    u.host.n == 0)
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
		rc = mirror_setup(&cr);
	if (rc == 0) {
		cr.loop = loop_new();
		rc = cr.loop ? 0 : -ENOMEM;
	}
	if (rc == 0) {
		cr.res = dns_resolver_new(cr.loop, &c->dns);
		rc = cr.res ? slots_new(&cr) : -ENOMEM;
	}
	if (rc == 0)
		rc = pool_setup(&cr);
	if (rc == 0) {
		cr.t0 = clock_mono_ms();
		pump(&cr);
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
