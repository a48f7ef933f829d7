/* fetch: the fetch engine: origins (a host and port, and its lookups),
 * a pool of fetch_client connections, one fetch per pool entry from URL to
 * the end of its last response, redirects followed as RFC 9110 section
 * 15.4 allows. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/loop.h"
#include "fetch.h"
#include "url/url.h"

enum origin_state { O_NEW, O_RESOLVING, O_READY, O_FAILED };

/* An address that failed (refused, silent, reset) is tried last for this
 * long, then as any other: a host that died costs one timeout, not one
 * per connection, and one that comes back is used again. */
#define FETCH_DOWN_MS 10000

struct fetch_origin;

/* A waiter on an origin's lookup: a fetch, or an fetch_resolve. */
struct fetch_wait {
	struct fetch_wait *next;
	void (*fn)(struct fetch_wait *w, struct fetch_origin *o);
	resolv_fn user;	/* fetch_resolve's; the node is heap */
	void *arg;
};

struct fetch_origin {
	struct fetch *f;
	char *name;		/* no brackets: what the resolver is asked */
	size_t name_len;
	uint16_t port;
	enum origin_state state;
	int status;		/* the lookup's, when O_FAILED */
	struct net_addr addrs[RESOLV_MAX_ADDRS];	/* with the port */
	int64_t down_until[RESOLV_MAX_ADDRS];	/* clock_mono_ms */
	int naddrs;
	unsigned rr;		/* the address the next request starts at */
	struct resolv_query *q;
	struct fetch_wait *waits;
	struct loop_timer timer;	/* tells waiters added once settled */
};

enum xfer_state {
	X_IDLE,		/* in the pool */
	X_WAIT,		/* waiting for its origin's addresses */
	X_BUSY,		/* its client has the request */
	X_ENDING,	/* failed: on_done comes from the kick timer */
};

struct fetch_xfer {
	struct fetch *f;
	struct fetch_client *client;
	enum xfer_state st;
	struct fetch_origin *origin;	/* of the current (or last) URL */
	struct fetch_wait wait;
	const struct fetch_cb *cb;
	void *arg;
	enum http_method method;
	const char *headers;
	int follow, max_redirs;
	int tls;			/* the current URL is https */

	char url[URL_MAX_LEN + 1];	/* the current URL */
	char target[URL_MAX_LEN + 1];
	char hostport[URL_MAX_LEN + 1];
	/* The origin's addresses when the request went out: a new lookup
	 * for another fetch may change the origin's under the connection. */
	struct net_addr addrs[RESOLV_MAX_ADDRS];
	char **seen;			/* with follow: URLs fetched */
	int hops;
	char *next;			/* a followed redirect's target */
	int redirect;
	int bad_location;		/* on_head stopped for the Location */

	enum fetch_where where;	/* X_ENDING: the pending end */
	int status;
	const char *location;
	struct loop_timer kick, deadline;
};

struct fetch {
	struct loop *l;
	struct fetch_config cfg;
	struct resolv *res;
	struct fetch_xfer *xs;
	int nxs;
	struct fetch_origin **origins;
	size_t norigins, origins_cap;
	struct fetch_origin *last;	/* the origin found last */
	struct net_tls_client *tls;	/* made at the first https URL */
	int tls_rc;			/* or the failure to make it, */
	char tls_err[NET_TLS_ERR_MAX];	/* in words */
};

/* A URL taken apart: what one hop needs. */
struct hop {
	struct url u;
	struct url_http h;
	char target[URL_MAX_LEN + 1];
	enum fetch_where where;
};

static void xfer_on_origin(struct fetch_wait *w, struct fetch_origin *o);

/* Origins. */

/* Tells the waiters the lookup's outcome. A waiter added meanwhile (a
 * callback may start a fetch, and with it a new lookup) waits for the
 * next outcome: the list is taken whole first. */
static void
origin_settle(struct fetch_origin *o)
{
	struct fetch_wait *w = o->waits, *next;

	loop_timer_del(o->f->l, &o->timer);
	o->waits = NULL;
	for (; w; w = next) {
		next = w->next;
		w->next = NULL;
		w->fn(w, o);
	}
}

static void
origin_on_timer(struct loop *l, void *arg)
{
	struct fetch_origin *o = arg;

	if (o->state != O_RESOLVING)	/* else the new lookup's end tells */
		origin_settle(o);
}

/* Takes a lookup's addresses, keeping the marks of those already known. */
static void
origin_set_addrs(struct fetch_origin *o, const struct net_addr *addrs, int n)
{
	int64_t down[RESOLV_MAX_ADDRS];

	n = n < RESOLV_MAX_ADDRS ? n : RESOLV_MAX_ADDRS;
	for (int i = 0; i < n; i++) {
		struct net_addr a = addrs[i];

		net_addr_set_port(&a, o->port);
		down[i] = 0;
		for (int j = 0; j < o->naddrs; j++)
			if (net_addr_equal(&o->addrs[j], &a))
				down[i] = o->down_until[j];
	}
	for (int i = 0; i < n; i++) {
		o->addrs[i] = addrs[i];
		net_addr_set_port(&o->addrs[i], o->port);
		o->down_until[i] = down[i];
	}
	o->naddrs = n;
}

/* The order in which a request tries o's addresses: the resolver's
 * (families interleaved, RFC 8305 section 4) turned by one address per
 * request, so that a crawler's connections spread over all of them from
 * the start; those marked down last. Returns the count written to out. */
static int
origin_order(struct fetch_origin *o, struct net_addr *out)
{
	int64_t now = clock_mono_ms();
	int n = o->naddrs, k = 0, start = n > 0 ? (int)(o->rr++ % n) : 0;

	for (int pass = 0; pass < 2; pass++)
		for (int j = 0; j < n; j++) {
			int i = (start + j) % n;

			if ((o->down_until[i] > now) == pass)
				out[k++] = o->addrs[i];
		}
	return k;
}

static void
origin_on_resolved(void *arg, int status, const struct net_addr *addrs,
		   int n)
{
	struct fetch_origin *o = arg;

	o->q = NULL;
	if (status < 0 || n <= 0) {
		o->state = O_FAILED;
		o->status = status < 0 ? status : ERR_NOTFOUND;
		origin_settle(o);
		return;
	}
	origin_set_addrs(o, addrs, n);
	o->state = O_READY;
	origin_settle(o);
}

/* Adds w to o's waiters (in order); a settled origin tells it from its
 * timer, never from inside the caller. */
static void
origin_wait(struct fetch_origin *o, struct fetch_wait *w)
{
	struct fetch_wait **p = &o->waits;

	while (*p)
		p = &(*p)->next;
	w->next = NULL;
	*p = w;
	if (o->state != O_RESOLVING)
		loop_timer_set(o->f->l, &o->timer, 0);
}

static void
origin_unwait(struct fetch_origin *o, struct fetch_wait *w)
{
	for (struct fetch_wait **p = &o->waits; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			return;
		}
}

static struct fetch_origin *
origin_find(struct fetch *f, const char *name, size_t n, uint16_t port)
{
	struct fetch_origin *o = f->last;

	if (o && o->port == port && o->name_len == n &&
	    memcmp(o->name, name, n) == 0)
		return o;
	for (size_t i = 0; i < f->norigins; i++) {
		o = f->origins[i];
		if (o->port == port && o->name_len == n &&
		    memcmp(o->name, name, n) == 0)
			return f->last = o;
	}
	return NULL;
}

static void
origin_free(struct fetch_origin *o)
{
	struct fetch_wait *w;

	if (o->q)
		resolv_cancel(o->q);
	loop_timer_del(o->f->l, &o->timer);
	while ((w = o->waits) != NULL) {
		o->waits = w->next;
		if (w->user)
			free(w);
	}
	free(o->name);
	free(o);
}

/* The origin of (name, port), made when new. NULL when out of memory. */
static struct fetch_origin *
origin_get(struct fetch *f, const char *name, size_t n, uint16_t port)
{
	struct fetch_origin *o = origin_find(f, name, n, port);

	if (o)
		return o;
	if (f->norigins == f->origins_cap) {
		size_t cap = f->origins_cap ? f->origins_cap * 2 : 8;
		void *p = reallocarray(f->origins, cap, sizeof *f->origins);
		if (!p)
			return NULL;
		f->origins = p;
		f->origins_cap = cap;
	}
	o = calloc(1, sizeof *o);
	if (!o || !(o->name = strndup(name, n))) {
		free(o);
		return NULL;
	}
	o->f = f;
	o->name_len = n;
	o->port = port;
	loop_timer_init(&o->timer, origin_on_timer, o);
	f->origins[f->norigins++] = f->last = o;
	o->state = O_NEW;
	return o;
}

/* Whether o's addresses may be used now: known, and either kept for the
 * engine's life (resolve_once) or just looked up. Otherwise a lookup is
 * started (unless one runs): the resolver's cache answers while the
 * addresses' TTL lasts (RFC 1035 section 7.4). */
static int
origin_ready(struct fetch_origin *o)
{
	if (o->state == O_RESOLVING)
		return 0;
	if (o->state != O_NEW && o->f->cfg.resolve_once)
		return o->state == O_READY;
	o->state = O_RESOLVING;
	o->q = resolv_lookup(o->f->res, o->name, origin_on_resolved, o);
	if (!o->q) {
		o->state = O_FAILED;
		o->status = -ENOMEM;
	}
	return 0;
}

static void
resolve_told(struct fetch_wait *w, struct fetch_origin *o)
{
	if (o->state == O_READY)
		w->user(w->arg, 0, o->addrs, o->naddrs);
	else
		w->user(w->arg, o->status, NULL, 0);
	free(w);
}

int
fetch_resolve(struct fetch *f, const char *host, uint16_t port,
		   resolv_fn fn, void *arg)
{
	struct fetch_origin *o = origin_get(f, host, strlen(host), port);
	struct fetch_wait *w = o ? calloc(1, sizeof *w) : NULL;

	if (!w)
		return -ENOMEM;
	origin_ready(o);
	w->fn = resolve_told;
	w->user = fn;
	w->arg = arg;
	origin_wait(o, w);
	return 0;
}

/* One fetch: the end. */

static void
seen_free(char **seen, int hops)
{
	for (int i = 0; i < hops; i++)
		free(seen[i]);
	free(seen);
}

/* The fetch is over: back to the pool, then on_done, which may reuse x. */
static void
xfer_end(struct fetch_xfer *x, enum fetch_where where, int status)
{
	char **seen = x->seen, *next = x->next;
	int hops = x->hops;
	struct fetch_end e = {
		.status = status,
		.where = status < 0 ? where : FETCH_AT_TRANSFER,
		.url = x->url,
		.host = x->origin ? x->origin->name : "",
		.location = x->location,
	};

	if (status < 0)
		e.detail = where == FETCH_AT_TLS ? x->f->tls_err :
			   fetch_client_tls_error(x->client);

	loop_timer_del(x->f->l, &x->kick);
	loop_timer_del(x->f->l, &x->deadline);
	x->st = X_IDLE;
	x->seen = NULL;
	x->next = NULL;
	x->hops = 0;
	x->location = NULL;
	x->cb->on_done(x->arg, &e);
	seen_free(seen, hops);
	free(next);
}

/* Ends x from its kick timer, not from inside the current call. */
static void
xfer_end_later(struct fetch_xfer *x, enum fetch_where where, int status)
{
	x->st = X_ENDING;
	x->where = where;
	x->status = status;
	loop_timer_set(x->f->l, &x->kick, 0);
}

static void
xfer_on_kick(struct loop *l, void *arg)
{
	struct fetch_xfer *x = arg;

	if (x->st == X_ENDING)
		xfer_end(x, x->where, x->status);
}

/* --max-time: whatever x is doing stops. */
static void
xfer_on_deadline(struct loop *l, void *arg)
{
	struct fetch_xfer *x = arg;

	if (x->st == X_WAIT)
		origin_unwait(x->origin, &x->wait);
	else if (x->st == X_BUSY)
		fetch_client_cancel(x->client);
	if (x->st != X_IDLE)
		xfer_end(x, FETCH_AT_DEADLINE, ERR_TIMEOUT);
}

/* One hop: a URL to a request. */

/* Takes url apart into hp. Returns 0, or a negative code with hp->where
 * saying which step refused it. */
static int
hop_parse(const char *url, struct hop *hp)
{
	int rc = url_parse(url, strlen(url), &hp->u);

	hp->where = FETCH_AT_URL;
	if (rc < 0)
		return rc;
	hp->where = FETCH_AT_TARGET;
	return url_http_target(&hp->u, &hp->h, hp->target, sizeof hp->target);
}

/* Sends x's request on its origin's addresses. */
static void xfer_request(struct fetch_xfer *x);

/* Starts the hop to x->url, taken apart in hp (rc: hop_parse's). */
static void
xfer_go(struct fetch_xfer *x, struct hop *hp, int rc)
{
	struct fetch_origin *o;

	if (x->follow) {
		x->seen[x->hops] = strdup(x->url);
		if (!x->seen[x->hops++])
			rc = -ENOMEM;
	}
	if (rc < 0) {
		xfer_end_later(x, hp->where, rc);
		return;
	}
	memcpy(x->target, hp->target, strlen(hp->target) + 1);
	memcpy(x->hostport, hp->h.hostport.p, hp->h.hostport.n);
	x->hostport[hp->h.hostport.n] = '\0';
	x->tls = hp->h.tls;
	o = origin_get(x->f, hp->h.host.p, hp->h.host.n, hp->h.port);
	if (!o) {
		xfer_end_later(x, FETCH_AT_RESOLVE, -ENOMEM);
		return;
	}
	x->origin = o;
	if (origin_ready(o)) {
		xfer_request(x);
		return;
	}
	x->st = X_WAIT;
	x->wait.fn = xfer_on_origin;
	x->wait.arg = x;
	origin_wait(o, &x->wait);
}

static void
xfer_on_origin(struct fetch_wait *w, struct fetch_origin *o)
{
	struct fetch_xfer *x = w->arg;

	if (o->state == O_FAILED)
		xfer_end(x, FETCH_AT_RESOLVE, o->status);
	else
		xfer_request(x);
}

static int
is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 ||
	       status == 307 || status == 308;
}

/* Resolves a redirect's Location against the current URL and normalises
 * it into x->next. Returns 0 or a negative code. */
static int
redirect_target(struct fetch_xfer *x, struct http_slice loc)
{
	char abs[URL_MAX_LEN + 1];
	ssize_t n = url_resolve_str(x->url, strlen(x->url), loc.p, loc.n, abs,
				    sizeof abs);

	if (n < 0)
		return (int)n;
	if (!x->next && !(x->next = malloc(URL_MAX_LEN + 1)))
		return -ENOMEM;
	n = url_normalize(abs, (size_t)n, x->next, URL_MAX_LEN + 1);
	return n < 0 ? (int)n : 0;
}

static int
client_on_head(void *arg, const struct http_response *r, const char *raw,
	       size_t rawlen)
{
	struct fetch_xfer *x = arg;
	struct fetch_head h = { r, raw, rawlen, x->url, 0, NULL };
	const struct http_header *loc = NULL;
	int bad = 0, rc;

	if (x->follow && is_redirect(r->status))
		loc = http_header_find(r->headers, r->nheaders, "location");
	if (loc) {
		h.redirect = 1;
		bad = redirect_target(x, loc->value);
		h.location = bad ? NULL : x->next;
	}
	rc = x->cb->on_head(x->arg, &h);
	if (rc < 0)
		return rc;
	if (bad < 0)
		x->bad_location = 1;
	x->redirect = h.redirect;
	return bad < 0 ? bad : h.redirect ? 1 : rc;
}

static int
client_on_body(void *arg, const void *p, size_t n)
{
	struct fetch_xfer *x = arg;

	return x->cb->on_body ? x->cb->on_body(x->arg, p, n) : 0;
}

static int
client_body_fd(void *arg)
{
	struct fetch_xfer *x = arg;

	return x->cb->body_fd(x->arg);
}

/* A redirect's response ended: check the limits, then the next hop. */
static void
xfer_follow(struct fetch_xfer *x)
{
	struct hop hp;

	if (x->hops > x->max_redirs) {
		xfer_end(x, FETCH_AT_REDIRS, ERR_TOOBIG);
		return;
	}
	for (int i = 0; i < x->hops; i++)
		if (strcmp(x->seen[i], x->next) == 0) {
			x->location = x->seen[i];
			xfer_end(x, FETCH_AT_LOOP, ERR_TOOBIG);
			return;
		}
	memcpy(x->url, x->next, strlen(x->next) + 1);
	xfer_go(x, &hp, hop_parse(x->url, &hp));
}

static void
client_on_done(void *arg, int status)
{
	struct fetch_xfer *x = arg;

	if (status == 0 && x->redirect) {
		xfer_follow(x);
		return;
	}
	xfer_end(x, x->bad_location ? FETCH_AT_LOCATION :
		 FETCH_AT_TRANSFER, status);
}

/* An address of x's origin failed: tried last for FETCH_DOWN_MS, and
 * the idle connections to it closed (they would each wait for a silent
 * host in turn). */
static void
client_on_bad_addr(void *arg, const struct net_addr *a, int err)
{
	struct fetch_xfer *x = arg;
	struct fetch_origin *o = x->origin;
	struct fetch *f = x->f;

	(void)err;
	for (int i = 0; i < o->naddrs; i++)
		if (net_addr_equal(&o->addrs[i], a))
			o->down_until[i] = clock_mono_ms() + FETCH_DOWN_MS;
	for (int i = 0; i < f->nxs; i++) {
		const struct net_addr *p = fetch_client_peer(f->xs[i].client);

		if (f->xs[i].st == X_IDLE && p && net_addr_equal(p, a))
			fetch_client_drop_idle(f->xs[i].client);
	}
}

static const struct fetch_client_cb client_cb = {
	client_on_head, client_on_body, client_on_done, NULL,
	client_on_bad_addr,
};
static const struct fetch_client_cb client_cb_fd = {
	client_on_head, client_on_body, client_on_done, client_body_fd,
	client_on_bad_addr,
};

/* The TLS context, made at the first https URL. Returns 0 or the code
 * of the failure (f->tls_err says why), for this fetch and every later
 * one. */
static int
fetch_tls(struct fetch *f)
{
	if (f->tls == NULL && f->tls_rc == 0)
		f->tls_rc = net_tls_client_new(&f->cfg.tls, &f->tls,
					       f->tls_err, sizeof f->tls_err);
	return f->tls_rc;
}

static void
xfer_request(struct fetch_xfer *x)
{
	struct fetch_client_req req = {
		.method = x->method,
		.host = x->hostport,
		.target = x->target,
		.headers = x->headers,
		.addrs = x->addrs,
		.naddrs = origin_order(x->origin, x->addrs),
		.name = x->origin->name,
	};
	int rc = x->tls ? fetch_tls(x->f) : 0;

	if (rc < 0) {
		xfer_end_later(x, FETCH_AT_TLS, rc);
		return;
	}
	req.tls = x->tls ? x->f->tls : NULL;

	x->redirect = 0;
	x->bad_location = 0;
	rc = fetch_client_request(x->client, &req,
				 x->cb->body_fd ? &client_cb_fd : &client_cb, x);
	if (rc < 0)
		xfer_end_later(x, FETCH_AT_REQUEST, rc);
	else
		x->st = X_BUSY;
}

/* The pool. */

/* An idle entry for a fetch to o: one still connected to o, else one with
 * no connection, else any idle one; NULL when all are busy. */
static struct fetch_xfer *
xfer_pick(struct fetch *f, const struct fetch_origin *o)
{
	struct fetch_xfer *cold = NULL, *any = NULL;

	for (int i = 0; i < f->nxs; i++) {
		struct fetch_xfer *x = &f->xs[i];
		int conn;

		if (x->st != X_IDLE)
			continue;
		conn = fetch_client_is_connected(x->client);
		if (conn && o && x->origin == o)
			return x;
		if (!conn && !cold)
			cold = x;
		else if (!any)
			any = x;
	}
	return cold ? cold : any;
}

int
fetch_start(struct fetch *f, const struct fetch_req *r,
		 const struct fetch_cb *cb, void *arg)
{
	struct hop hp = { .where = FETCH_AT_URL };
	size_t n = strlen(r->url);
	int rc = n > URL_MAX_LEN ? ERR_TOOBIG : hop_parse(r->url, &hp);
	struct fetch_xfer *x = xfer_pick(f, rc < 0 ? NULL :
		origin_find(f, hp.h.host.p, hp.h.host.n, hp.h.port));
	int redirs = r->max_redirs < FETCH_MAX_REDIRS ?
		     r->max_redirs : FETCH_MAX_REDIRS;

	if (!x)
		return -EBUSY;
	x->seen = r->follow ? calloc((size_t)redirs + 1, sizeof *x->seen)
			    : NULL;
	if (r->follow && !x->seen)
		return -ENOMEM;
	x->cb = cb;
	x->arg = arg;
	x->method = r->method;
	x->headers = r->headers;
	x->follow = r->follow;
	x->max_redirs = redirs;
	x->hops = 0;
	if (n > URL_MAX_LEN)
		n = 0;		/* refused by hop_parse's stand-in above */
	memcpy(x->url, r->url, n);
	x->url[n] = '\0';
	x->st = X_WAIT;
	if (r->max_time_ms > 0)
		loop_timer_set(f->l, &x->deadline, r->max_time_ms);
	xfer_go(x, &hp, rc);
	return 0;
}

/* The engine. */

struct fetch *
fetch_new(struct loop *l, const struct fetch_config *c)
{
	struct fetch *f = calloc(1, sizeof *f);
	struct resolv_config dflt;

	if (!f)
		return NULL;
	f->l = l;
	f->cfg = *c;
	if (f->cfg.max_conns <= 0)
		f->cfg.max_conns = 1;
	if (f->cfg.max_conns > FETCH_MAX_CONNS)
		f->cfg.max_conns = FETCH_MAX_CONNS;
	resolv_config_init(&dflt);
	f->res = resolv_new(l, c->dns ? c->dns : &dflt);
	f->xs = calloc((size_t)f->cfg.max_conns, sizeof *f->xs);
	if (!f->res || !f->xs) {
		fetch_free(f);
		return NULL;
	}
	f->nxs = f->cfg.max_conns;
	for (int i = 0; i < f->nxs; i++) {
		struct fetch_xfer *x = &f->xs[i];

		x->f = f;
		loop_timer_init(&x->kick, xfer_on_kick, x);
		loop_timer_init(&x->deadline, xfer_on_deadline, x);
		x->client = fetch_client_new(l, &f->cfg.client);
		if (!x->client) {
			fetch_free(f);
			return NULL;
		}
	}
	return f;
}

void
fetch_free(struct fetch *f)
{
	if (!f)
		return;
	for (int i = 0; f->xs && i < f->nxs; i++) {
		struct fetch_xfer *x = &f->xs[i];

		loop_timer_del(f->l, &x->kick);
		loop_timer_del(f->l, &x->deadline);
		fetch_client_free(x->client);
		seen_free(x->seen, x->hops);
		free(x->next);
	}
	free(f->xs);
	net_tls_client_free(f->tls);
	for (size_t i = 0; i < f->norigins; i++)
		origin_free(f->origins[i]);
	free(f->origins);
	if (f->res)
		resolv_free(f->res);
	free(f);
}
