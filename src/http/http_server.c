/* http_server: HTTP/1.1 connections on a worker's loop (RFC 9112). Each
 * connection moves through one explicit state machine, with fixed buffers
 * taken from the worker while a request is in progress: read a head,
 * discard a body, send a reply (http_send.c: head and small body in one
 * write, files by sendfile or copied through a buffer), then the next
 * pipelined request, in order. Three deadlines drop slow
 * clients: the head must arrive within header_timeout (slowloris), a reply
 * must make progress within send_timeout (slow readers), and an idle
 * keep-alive connection lasts idle_timeout.
 *
 * Costs per request on the fast path (a cached small file, keep-alive):
 * one read and one write. The buffers, the parsed request and the reply
 * live in a context that a connection holds only while it has a request
 * in progress; an idle keep-alive connection is a few hundred bytes. A
 * short read means the socket is empty, so the next read waits for the
 * next edge of the (edge-triggered) loop instead of meeting EAGAIN. A
 * deadline moves without touching the timer heap: the timer, when it
 * fires, checks the deadline and re-arms itself if the deadline moved. */
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "net/net_service.h"
#include "net/net_sock.h"
#include "http_autoindex.h"
#include "http_cache.h"
#include "http_encode.h"
#include "http_conn.h"
#include "http_gen.h"
#include "http_limit.h"
#include "http_path.h"

#define HTTP_NOTSENT_LOWAT (16 * 1024) /* unsent bytes a socket may hold */
#define HTTP_TLS_NOTSENT_LOWAT (256 * 1024)	/* the same over TLS */

void
http_server_config_init(struct http_server_config *c)
{
	memset(c, 0, sizeof *c);
	c->max_conns = 10000;
	c->header_timeout_ms = 10000;
	c->idle_timeout_ms = 15000;
	c->send_timeout_ms = 30000;
	c->max_body = 1024 * 1024;
	c->access_log_fd = -1;
	c->sendfile = HTTP_SENDFILE_ON;
}

/* Connections refused for want of memory since the shortage began,
 * across the workers: the first says so, and a request served a second
 * after the last refusal says it is over (once each, not once per
 * request, nor each time a context freed by another lets one through). */
#define MEM_CALM_MS 1000
static atomic_ullong mem_refused;
static atomic_llong mem_refused_ms;

static void
mem_short(void)
{
	atomic_store_explicit(&mem_refused_ms, clock_mono_ms(),
			      memory_order_relaxed);
	if (atomic_fetch_add(&mem_refused, 1) == 0)
		log_warn("http: out of memory: new requests refused (503) "
			 "until memory frees");
}

static void
mem_back(void)
{
	if (clock_mono_ms() - atomic_load_explicit(&mem_refused_ms,
			memory_order_relaxed) < MEM_CALM_MS)
		return;
	unsigned long long n = atomic_exchange(&mem_refused, 0);

	if (n)
		log_warn("http: memory available again, after %llu "
			 "connections refused", n);
}

static void
ctx_put(struct http_worker *w, struct http_ctx *x)
{
	http_reply_fini(&x->rep);
	buf_fini(&x->page);
	if (w->nfree_ctx < HTTP_FREE_CTX) {
		x->next = w->free_ctx;
		w->free_ctx = x;
		w->nfree_ctx++;
	} else {
		free(x);
	}
}

/* A context for a connection that starts reading a request. NULL when
 * out of memory. */
static struct http_ctx *
ctx_get(struct http_worker *w)
{
	struct http_ctx *x = w->free_ctx;

	if (x) {
		w->free_ctx = x->next;
		w->nfree_ctx--;
	} else {
		/* not calloc: the buffers are large and need no zeroing */
		x = malloc(sizeof *x);
		if (x == NULL)
			return NULL;
		buf_init(&x->page, HTTP_AUTOINDEX_MAX);
		x->gw = NULL;	/* and NULL again whenever put back */
	}
	if (atomic_load_explicit(&mem_refused, memory_order_relaxed))
		mem_back();
	http_reply_init(&x->rep, x->out, &x->page);
	http_request_init(&x->req);
	x->job = NULL;
	return x;
}

/* Moves the deadline; the timer is touched only when it must fire
 * earlier than it is set to (conn_on_timer re-arms for a later one). */
static void
conn_deadline(struct http_conn *c, int ms)
{
	int64_t when = clock_mono_ms() + ms;

	c->deadline = when;
	if (!loop_timer_is_armed(&c->timer) || c->timer.when > when)
		loop_timer_set(c->w->loop, &c->timer, ms);
}

/* Most of a crowd of connections (a flood, a slowloris) has gone: the
 * memory their request contexts held goes back to the system. glibc
 * returns only the top of a heap by itself, and a context still in use
 * above the freed ones keeps them all; malloc_trim releases the free
 * pages wherever they are. Once per fall to a quarter of the peak. */
static void
conn_trim(struct http_worker *w)
{
	malloc_trim(0);
	w->peak_conns = w->nconns;
}

static void
conn_close(struct http_conn *c)
{
	struct http_worker *w = c->w;

	/* connections are never duplicated: the close unregisters it */
	if (c->registered)
		loop_forget_fd(w->loop, c->fd);
	loop_timer_del(w->loop, &c->timer);
	if (c->tls)
		http_tls_end(c);
	close(c->fd);
	if (c->x && c->x->job)
		http_guard_cancel(c->x->job);
	if (c->x && c->x->gw) {
		http_gw_free(c->x->gw);
		c->x->gw = NULL;
	}
	if (c->x)
		ctx_put(w, c->x);
	c->x = NULL;
	LIST_REMOVE(c, link);
	w->nconns--;
	if (c->limit_counted)
		http_limits_conn_close(w->limits_base,
				       (struct sockaddr *)&c->peer);
	if (w->stats)
		http_stats_add(&w->stats->closed, 1);
	if (w->nfree < HTTP_FREE_CONNS) {
		LIST_INSERT_HEAD(&w->free, c, link);
		w->nfree++;
	} else {
		free(c);
	}
	if (w->nconns <= w->peak_conns / 4 && w->peak_conns >= HTTP_TRIM_PEAK)
		conn_trim(w);
}

/* parsed: the head parsed whole, so that its fields may be read (a head
 * refused half-way may hold a method name and a count of fields that
 * were never filled in). */
static void
conn_log(struct http_conn *c, struct http_slice line, int parsed)
{
	struct http_log *g = c->w->log;
	char host[NET_ADDR_STRLEN];
	const struct http_header *ref = NULL, *ua = NULL;

	if (c->w->stats)
		http_stats_count_reply(c->w->stats, c->x->rep.status,
				       c->x->rep.head_only ? 0 :
				       c->x->rep.body_len,
				       http_stats_vhost(c->w->cfg.site,
							&c->x->req, parsed));
	if (g == NULL)
		return;
	struct net_addr peer = { .len = c->peer_len };
	memcpy(&peer.ss, &c->peer, c->peer_len);
	if (net_addr_format(&peer, 0, host, sizeof host) < 0)
		strcpy(host, "-");
	if (parsed) {
		ref = http_header_find(c->x->req.headers, c->x->req.nheaders,
				       "referer");
		ua = http_header_find(c->x->req.headers, c->x->req.nheaders,
				      "user-agent");
	}
	http_log_add(g, host, line, c->x->rep.status,
		     c->x->rep.head_only ? -1 : (int64_t)c->x->rep.body_len,
		     ref ? &ref->value : NULL, ua ? &ua->value : NULL,
		     c->tls ? net_tls_version(c->tls) : NULL,
		     c->tls ? net_tls_cipher(c->tls) : NULL);
}

/* The request line of the current request as received, for the log. */
static struct http_slice
request_line(struct http_conn *c, int parsed)
{
	const char *p = c->x->in + c->in_off;
	size_t n = c->in_len - c->in_off, i = 0;

	if (parsed)
		return (struct http_slice){ c->x->req.method_name.p,
					    c->x->req.line_len };
	while (i < n && i < 256 && p[i] != '\r' && p[i] != '\n')
		i++;
	return (struct http_slice){ p, i };
}

static void
start_send(struct http_conn *c)
{
	c->x->seg = 0;
	c->x->seg_done = 0;
	c->state = HC_SEND;
}

/* An error answer to a request we could not parse or will not read:
 * always the last on the connection. */
static void
reply_fatal(struct http_conn *c, int status, int parsed)
{
	int head = parsed && c->x->req.method == HTTP_M_HEAD;

	if (!parsed && c->w->stats)	/* its time starts now */
		c->head_us = clock_mono_us();
	http_reply_error(&c->x->rep, status, 1, 0, NULL, head);
	conn_log(c, request_line(c, parsed), parsed);
	start_send(c);
}

/* Says in the log, at most once a minute per worker, that clients are
 * being limited and how many times so far. */
static void
limit_log(struct http_worker *w)
{
	int64_t now = clock_mono_ms();

	if (w->stats) {
		http_stats_set(&w->stats->conns_per_ip, w->limited_conns);
		http_stats_set(&w->stats->rate_limited, w->limited_reqs);
	}
	if (w->limit_logged_ms && now - w->limit_logged_ms < 60000)
		return;
	w->limit_logged_ms = now;
	log_warn("http: limiting clients: %llu connections refused, %llu "
		 "requests answered 429 by this worker so far",
		 (unsigned long long)w->limited_conns,
		 (unsigned long long)w->limited_reqs);
}

/* A request over its client's rate: 429 with Retry-After (RFC 6585
 * section 4). Returns 1 when it answered so. */
static int
limit_request(struct http_conn *c, int body)
{
	struct http_request *r = &c->x->req;
	int64_t wait = http_limits_request(c->w->cfg.limits,
					   (struct sockaddr *)&c->peer,
					   r->path.p, r->path.n,
					   clock_mono_ms());
	if (wait == 0)
		return 0;
	if (body)	/* a body we will not read: close after the 429 */
		c->x->rep.close = 1;
	http_reply_begin(&c->x->rep, 429);
	http_reply_header_u64(&c->x->rep, "Retry-After", (uint64_t)wait);
	http_reply_error_finish(&c->x->rep, r->version == 10 && r->keep_alive);
	c->w->limited_reqs++;
	limit_log(c->w);
	conn_log(c, request_line(c, 1), 1);
	start_send(c);
	return 1;
}

static void
respond(struct http_conn *c)
{
	/* here, not in ctx_get: see http_conn.h */
	c->x->sc.cache = c->w->cache;
	c->x->sc.enc = c->w->encode;
	c->x->sc.enc_cfg = c->w->encode ? c->w->cfg.encode : NULL;
	if (c->w->cfg.redirect_https && c->tls == NULL)
		http_tls_redirect(c);
	else if (c->w->cfg.status && http_stats_may_be_page(c->w->cfg.status,
			&c->x->req) && http_stats_respond(c->w->cfg.status,
			&c->x->req, (const struct sockaddr *)&c->peer,
			c->peer_len, &c->x->rep))
		;	/* the status page answered */
	else
		http_file_respond(c->w->cfg.site, &c->x->req, &c->x->sc,
				  &c->x->rep);
	conn_log(c, request_line(c, 1), 1);
	start_send(c);
}

/* A 401 (or, with too many verifications queued, a 503). */
static void
respond_denied(struct http_conn *c, int busy)
{
	if (busy)
		http_reply_error(&c->x->rep, 503, 0, c->x->req.version == 10 &&
				 c->x->req.keep_alive, NULL,
				 c->x->req.method == HTTP_M_HEAD);
	else
		http_guard_deny(c->x->realm, &c->x->req, &c->x->rep);
	conn_log(c, request_line(c, 1), 1);
	start_send(c);
}

/* RFC 7617: a path under an --auth prefix needs a user's password, for
 * files and programs alike: asked as soon as the head is there, before a
 * body is read or a program started. The prefix is matched on the clean
 * path, as the file is looked up, so that no encoding of it slips past.
 * Returns 1 when the request is answered or waits (HC_AUTH), 0 to go
 * on. */
static int
guard_request(struct http_conn *c)
{
	struct http_ctx *x = c->x;
	ssize_t n = http_path_clean(x->req.path.p, x->req.path.n, x->sc.path,
				    sizeof x->sc.path - 16);

	x->realm = n > 0 ? http_guard_match(c->w->cfg.guard, x->sc.path,
					    (size_t)n) : NULL;
	if (x->realm == NULL)
		return 0;
	/* a refusal does not read the body: the connection closes after */
	if (x->req.framing != HTTP_BODY_NONE)
		x->rep.close = 1;
	struct net_addr peer = { .len = c->peer_len };
	memcpy(&peer.ss, &c->peer, c->peer_len);
	switch (http_guard_check(c->w->guard, x->realm, &x->req, &peer, c,
				 &x->job)) {
	case HTTP_GUARD_ALLOW:
		return 0;
	case HTTP_GUARD_PENDING:
		c->state = HC_AUTH;
		return 1;
	case HTTP_GUARD_BUSY:
		respond_denied(c, 1);
		return 1;
	case HTTP_GUARD_DENY:
		break;
	}
	respond_denied(c, 0);
	return 1;
}

/* The helper thread's verdict on c's password (http_guard.c). */
static void conn_run(struct http_conn *c);
static void head_next(struct http_conn *c);
static void
on_guard_done(void *owner, int ok, int delay_ms)
{
	struct http_conn *c = owner;

	c->x->job = NULL;
	if (ok) {
		head_next(c);
	} else if (delay_ms > 0) {
		/* failures from this address come slowly: conn_on_timer
		 * answers when the deadline passes */
		c->deadline = clock_mono_ms() + delay_ms;
		loop_timer_set(c->w->loop, &c->timer, delay_ms);
		return;
	} else {
		respond_denied(c, 0);
	}
	conn_run(c);
}

/* No memory for the request: a 503 from static bytes (RFC 9110 section
 * 15.6.4), the write side shut and the rest drained as after any last
 * reply, so that the client reads it rather than a reset. Over TLS,
 * which needs memory to say anything, a plain close. */
static int
conn_refuse(struct http_conn *c)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
		"Content-Length: 0\r\nRetry-After: 1\r\n"
		"Connection: close\r\n\r\n";

	mem_short();
	c->state = HC_CLOSE;
	if (c->tls)
		return STEP_NEXT;
	if (read(c->fd, c->w->drain, HTTP_DRAIN_SIZE) == 0 ||
	    send(c->fd, busy, sizeof busy - 1, MSG_NOSIGNAL) < 0)
		return STEP_NEXT;
	shutdown(c->fd, SHUT_WR);
	c->state = HC_LINGER;
	conn_deadline(c, HTTP_LINGER_MS);
	return STEP_NEXT;
}

/* Reads more request bytes. Returns STEP_NEXT after new bytes, STEP_WAIT
 * when the socket is empty, or moves to HC_CLOSE. */
static int
conn_read(struct http_conn *c)
{
	if (c->drained) {
		/* the socket was empty at the last read: wait for an edge */
		if (c->in_len == 0 && c->x) {
			ctx_put(c->w, c->x);
			c->x = NULL;
		}
		return STEP_WAIT;
	}
	if (c->x == NULL) {
		c->x = ctx_get(c->w);
		if (c->x == NULL)
			return conn_refuse(c);
		if (c->tls && c->w->hsts[0])
			c->x->rep.extra = c->w->hsts;
	}
	if (c->in_len == HTTP_IN_SIZE) {
		/* cannot happen while the head limits are below the size */
		c->state = HC_CLOSE;
		return STEP_NEXT;
	}
	/* bytes of a second read may have been sent after this loop
	 * iteration began, perhaps after a file changed: the cache must
	 * look at the disk again for them (see http_cache.c) */
	if (c->read_once)
		http_cache_expire(c->w->cache);
	c->read_once = 1;
	size_t room = HTTP_IN_SIZE - c->in_len;
	ssize_t n = c->tls ? http_tls_read(c, c->x->in + c->in_len, room) :
		read(c->fd, c->x->in + c->in_len, room);
	if (n > 0) {
		c->in_len += (size_t)n;
		/* over TLS a short read says little (a record at a time):
		 * the socket read under it must have been short */
		c->drained = (size_t)n < room && !c->rdhup &&
			(!c->tls || net_tls_is_drained(c->tls));
		return STEP_NEXT;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		if (c->in_len == 0) {
			ctx_put(c->w, c->x);
			c->x = NULL;
		}
		return STEP_WAIT;
	}
	if (n < 0 && c->tls)
		http_tls_failed(c);
	c->state = HC_CLOSE;
	return STEP_NEXT;
}

/* Starts a new request: drop what the last one used, keep pipelined
 * bytes, and move them to the front only when a full head might not fit
 * behind them. */
static void
request_begin(struct http_conn *c)
{
	if (c->in_off == c->in_len) {
		c->in_off = c->in_len = 0;
	} else if (HTTP_IN_SIZE - c->in_off < HTTP_MAX_HEAD + 64) {
		memmove(c->x->in, c->x->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
	}
	http_request_init(&c->x->req);
	http_reply_fini(&c->x->rep);
	c->head_timed = 0;
	c->client_close = 0;
}

/* After the head and its credentials: decide about the body (RFC 9112
 * section 6.3, RFC 9110 section 10.1.1), then answer. */
static void
head_next(struct http_conn *c)
{
	struct http_request *r = &c->x->req;
	int body = r->framing != HTTP_BODY_NONE;
	int servable = r->method == HTTP_M_GET || r->method == HTTP_M_HEAD ||
		r->method == HTTP_M_OPTIONS;

	if (c->w->cfg.gw && http_gw_begin(c))
		return;		/* a program's path: its body is the program's */
	if (!body) {
		respond(c);
		return;
	}
	if (r->framing == HTTP_BODY_LENGTH &&
	    r->content_length > c->w->cfg.max_body) {
		reply_fatal(c, 413, 1);
		return;
	}
	if (r->expect_continue && !servable) {
		/* refuse before the client sends the body, then close */
		c->x->rep.close = 1;
		respond(c);
		return;
	}
	if (r->expect_continue && r->version == 11)
		http_conn_continue(c);
	c->x->body_start = c->in_off;
	c->x->body_left = r->content_length;
	http_chunked_init(&c->x->chunked);
	c->state = HC_BODY;
}

/* A parsed head. */
static void
head_done(struct http_conn *c, size_t len)
{
	struct http_request *r = &c->x->req;

	c->in_off += len;
	c->client_close = !r->keep_alive && r->framing == HTTP_BODY_NONE;
	c->x->rep.close = !r->keep_alive || loop_is_stopping(c->w->loop);
	c->x->realm = NULL;	/* a program's REMOTE_USER only under one */
	/* a safe point: a reload's settings apply from this request on */
	if (c->w->gens && http_gens_moved(c->w->gens, c->w->gen))
		http_worker_regen(c->w);
	/* 429 before credentials are checked (each check costs ms of CPU)
	 * and before files or programs, alike */
	if (c->w->cfg.limits &&
	    limit_request(c, r->framing != HTTP_BODY_NONE))
		return;
	if (c->w->guard && guard_request(c))
		return;
	head_next(c);
}

/* A connection from a trusted balancer begins with a PROXY header: the
 * client it relays becomes the connection's peer (unless the header says
 * LOCAL: a health check). The header is peeked at, then taken off the
 * socket by its exact length, so that what follows, a request or a TLS
 * handshake, is read as on any other connection. A bad header closes the
 * connection, as the protocol asks; the header timeout bounds the wait. */
static int
step_proxy(struct http_conn *c)
{
	char buf[NET_PROXY_V2_MAX];
	struct net_proxy_info pi;
	ssize_t k = recv(c->fd, buf, sizeof buf, MSG_PEEK), n;

	if (k < 0 && (errno == EAGAIN || errno == EINTR))
		return STEP_WAIT;
	n = k > 0 ? net_proxy_parse(buf, (size_t)k, &pi) : ERR_PARSE;
	if (n == ERR_AGAIN)
		return STEP_WAIT;	/* edge-triggered: more bytes wake us */
	if (n < 0 || recv(c->fd, buf, (size_t)n, 0) != n) {
		c->state = HC_CLOSE;
		return STEP_NEXT;
	}
	if (!pi.local && pi.src.len <= sizeof c->peer) {
		memcpy(&c->peer, &pi.src.ss, pi.src.len);
		c->peer_len = pi.src.len;
		/* --max-conns-per-ip counts the client the balancer relays,
		 * not the balancer (conn_admit left it uncounted) */
		if (c->w->cfg.limits &&
		    http_limits_conn_open(c->w->cfg.limits,
					  (struct sockaddr *)&c->peer) < 0) {
			c->w->limited_conns++;
			limit_log(c->w);
			c->state = HC_CLOSE;
			return STEP_NEXT;
		}
		c->limit_counted = c->w->cfg.limits &&
			c->w->cfg.limits->conns;
	}
	c->state = HC_HEAD;
	return STEP_NEXT;
}

static int
step_head(struct http_conn *c)
{
	struct http_worker *w = c->w;

	if (c->in_len > c->in_off) {
		ssize_t rc = http_parse_request(&c->x->req, c->x->in + c->in_off,
						c->in_len - c->in_off);
		if (rc > 0) {
			if (w->stats)	/* the latency's start */
				c->head_us = clock_mono_us();
			head_done(c, (size_t)rc);
			return STEP_NEXT;
		}
		if (rc != ERR_AGAIN) {
			reply_fatal(c, c->x->req.status ? c->x->req.status : 400, 0);
			return STEP_NEXT;
		}
		if (!c->head_timed) {
			c->head_timed = 1;
			conn_deadline(c, w->cfg.header_timeout_ms);
		}
	} else if (loop_is_stopping(w->loop)) {
		c->state = HC_CLOSE;
		return STEP_NEXT;
	}
	return conn_read(c);
}

/* Discards the body of the current request; answers at its end. */
static int
step_body(struct http_conn *c)
{
	size_t avail = c->in_len - c->in_off;

	conn_deadline(c, c->w->cfg.header_timeout_ms);
	if (c->x->req.framing == HTTP_BODY_LENGTH) {
		size_t k = avail < c->x->body_left ? avail : (size_t)c->x->body_left;
		c->in_off += k;
		c->x->body_left -= k;
		if (c->x->body_left == 0) {
			respond(c);
			return STEP_NEXT;
		}
	} else if (avail) {
		size_t len = avail;
		ssize_t rc = http_chunked_decode(&c->x->chunked,
						 c->x->in + c->in_off, &len);
		if (rc >= 0 || rc == ERR_AGAIN)
			c->in_off = rc >= 0 ? c->in_off + len : c->in_len;
		if (rc == ERR_TOOBIG || c->x->chunked.total > c->w->cfg.max_body) {
			reply_fatal(c, 413, 1);
			return STEP_NEXT;
		}
		if (rc >= 0) {
			c->in_len = c->in_off + (size_t)rc;
			respond(c);
			return STEP_NEXT;
		}
		if (rc != ERR_AGAIN) {
			reply_fatal(c, 400, 1);
			return STEP_NEXT;
		}
	}
	/* the head stays where it is (the request points into it); the
	 * space behind it takes the next body bytes */
	if (c->in_off == c->in_len)
		c->in_off = c->in_len = c->x->body_start;
	return conn_read(c);
}

static int
reply_done(struct http_conn *c)
{
	int close_it = c->x->rep.close;
	/* the client asked to close, sent nothing more (the last read found
	 * the socket empty) and we read all it sent: a plain close sends no
	 * reset, so no lingering is needed */
	int plain = close_it && c->client_close && c->drained &&
		c->in_off == c->in_len;

	/* the last byte is queued: from the loop's wake-up that read the
	 * head (its cached clock) to now, a read of the clock per request
	 * with --status only */
	if (c->w->stats)
		http_stats_count_time(c->w->stats, clock_mono_us_now() -
				      c->head_us);
	request_begin(c);
	if (plain) {
		c->state = HC_CLOSE;
		return STEP_NEXT;
	}
	if (close_it) {
		/* RFC 9112 section 9.6: close the write side first and read
		 * on, so that our reply is not lost to a reset */
		if (c->tls)
			http_tls_close_notify(c);
		shutdown(c->fd, SHUT_WR);
		c->state = HC_LINGER;
		conn_deadline(c, HTTP_LINGER_MS);
		return STEP_NEXT;
	}
	c->state = HC_HEAD;
	conn_deadline(c, c->w->cfg.idle_timeout_ms);
	return STEP_NEXT;
}

static int
step_send(struct http_conn *c)
{
	while (c->x->seg < c->x->rep.nsegs) {
		ssize_t n = http_send_next(c);
		if (n == 0) {	/* the file shrank under us */
			c->state = HC_CLOSE;
			return STEP_NEXT;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR) {
				c->state = HC_CLOSE;
				return STEP_NEXT;
			}
			/* blocked: the reply must progress from now on */
			conn_deadline(c, c->w->cfg.send_timeout_ms);
			return STEP_WAIT;
		}
	}
	return reply_done(c);
}

static int
step_linger(struct http_conn *c)
{
	ssize_t n = read(c->fd, c->w->drain, HTTP_DRAIN_SIZE);

	if (n > 0)
		return STEP_NEXT;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return STEP_WAIT;
	c->state = HC_CLOSE;
	return STEP_NEXT;
}

static void conn_on_event(struct loop *l, int fd, int events, void *arg);

/* The state machine: runs steps until one has to wait for the socket. */
static void
conn_run(struct http_conn *c)
{
	int rc = STEP_NEXT;

	while (rc == STEP_NEXT) {
		switch (c->state) {
		case HC_PROXY:
			rc = step_proxy(c);
			break;
		case HC_HEAD:
			rc = step_head(c);
			break;
		case HC_BODY:
			rc = step_body(c);
			break;
		case HC_AUTH:
			rc = STEP_WAIT;
			break;
		case HC_SEND:
			rc = step_send(c);
			break;
		case HC_LINGER:
			rc = step_linger(c);
			break;
		case HC_GATEWAY:
			rc = http_gw_step(c);
			break;
		case HC_CLOSE:
			conn_close(c);
			return;
		}
	}
	/* a connection joins the loop only when it first has to wait: one
	 * answered at once and closed never costs an epoll_ctl (the loop is
	 * edge-triggered, and adding reports what is ready already) */
	if (!c->registered) {
		if (loop_add_fd(c->w->loop, c->fd, conn_on_event, c) < 0) {
			conn_close(c);
			return;
		}
		c->registered = 1;
	}
}

static void
conn_on_event(struct loop *l, int fd, int events, void *arg)
{
	struct http_conn *c = arg;

	if (events & LOOP_RDHUP)
		c->rdhup = 1;
	if (events & (LOOP_READ | LOOP_HUP))
		c->drained = 0;
	c->read_once = 0;
	if (c->state == HC_GATEWAY)
		http_gw_client_event(c, events);
	/* a write edge while waiting for a request, or a read edge while
	 * waiting to write, changes nothing (edge-triggered: the other
	 * edge still comes); over TLS a read may wait for a write edge (a
	 * handshake) and the reverse, so every edge counts */
	if (!(events & LOOP_HUP) && c->tls == NULL &&
	    ((c->state == HC_HEAD && !(events & LOOP_READ)) ||
	     (c->state == HC_SEND && !(events & LOOP_WRITE))))
		return;
	conn_run(c);
}

void
http_conn_continue(struct http_conn *c)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

	if (c->tls)
		(void)http_tls_send(c, cont, sizeof cont - 1);
	else
		(void)send(c->fd, cont, sizeof cont - 1, MSG_NOSIGNAL);
}

/* The seam for http_gw (http_gw_int.h). */
void
http_conn_run(struct http_conn *c)
{
	conn_run(c);
}

void
http_conn_log(struct http_conn *c)
{
	conn_log(c, request_line(c, 1), 1);
}

void
http_conn_respond(struct http_conn *c)
{
	respond(c);
}

void
http_conn_deadline(struct http_conn *c, int ms)
{
	conn_deadline(c, ms);
}

static void
conn_on_timer(struct loop *l, void *arg)
{
	struct http_conn *c = arg;
	int64_t left = c->deadline - clock_mono_ms();

	if (left > 0) {
		loop_timer_set(l, &c->timer, left);
	} else if (c->state == HC_AUTH && c->x->job == NULL) {
		/* a refusal's delay is over */
		respond_denied(c, 0);
		conn_run(c);
	} else {
		conn_close(c);
	}
}

static struct http_conn *
conn_new(struct http_worker *w)
{
	struct http_conn *c = LIST_FIRST(&w->free);

	if (c) {
		LIST_REMOVE(c, link);
		w->nfree--;
		return c;
	}
	return malloc(sizeof *c);
}

/* Whether connections from peer begin with a PROXY header (a trusted
 * balancer): their client is known only once it has arrived. */
static int
conn_proxied(const struct http_worker *w, const struct net_addr *peer)
{
	return w->cfg.nproxy_from &&
	       net_cidr_match(w->cfg.proxy_from, w->cfg.nproxy_from, peer);
}

/* Whether conn_admit counted a connection from peer against its client
 * (--max-conns-per-ip): not when a balancer relays it (step_proxy). */
static int
conn_counted(const struct http_worker *w, const struct net_addr *peer)
{
	return w->cfg.limits && w->cfg.limits->conns &&
		!conn_proxied(w, peer);
}

/* A connection admitted that cannot be served after all: closed, and no
 * longer counted against its client. */
static void
conn_drop(struct http_worker *w, int fd, const struct net_addr *peer)
{
	if (conn_counted(w, peer))
		http_limits_conn_close(w->limits_base,
				       (struct sockaddr *)&peer->ss);
	close(fd);
}

static void
conn_start(struct http_worker *w, int fd, const struct net_addr *peer,
	   int tls)
{
	struct http_conn *c = conn_new(w);

	if (c == NULL) {
		mem_short();
		conn_drop(w, fd, peer);
		return;
	}
	c->tls = NULL;
	if (tls) {
		c->tls = net_tls_accept(w->cfg.tls, fd);
		if (c->tls == NULL) {
			conn_drop(w, fd, peer);
			LIST_INSERT_HEAD(&w->free, c, link);
			w->nfree++;
			return;
		}
	}
	c->w = w;
	c->fd = fd;
	c->peer_len = peer->len <= sizeof c->peer ? peer->len : 0;
	memcpy(&c->peer, &peer->ss, c->peer_len);
	c->state = conn_proxied(w, peer) ? HC_PROXY : HC_HEAD;
	c->limit_counted = conn_counted(w, peer);
	c->in_off = c->in_len = 0;
	c->x = NULL;
	c->drained = c->rdhup = c->client_close = c->registered = 0;
	c->read_once = 0;
	/* its request may have been sent after this iteration began */
	http_cache_expire(w->cache);
	/* over TLS the handshake too must end within the header timeout */
	c->head_timed = 1;
	loop_timer_init(&c->timer, conn_on_timer, c);
	conn_deadline(c, w->cfg.header_timeout_ms);
	LIST_INSERT_HEAD(&w->conns, c, link);
	if (++w->nconns > w->peak_conns)
		w->peak_conns = w->nconns;
	if (w->stats)
		http_stats_add(&w->stats->accepted, 1);
	conn_run(c);
}

/* Whether a new connection may be served: under the worker's cap, and
 * under --max-conns-per-ip (then counted; conn_close releases it). */
static int
conn_admit(struct http_worker *w, const struct net_addr *peer)
{
	/* a safe point too: the connection is counted under the limits of
	 * the current generation */
	if (w->gens && http_gens_moved(w->gens, w->gen))
		http_worker_regen(w);
	if (w->nconns >= w->cfg.max_conns) {
		if (w->stats)
			http_stats_add(&w->stats->conns_full, 1);
		return 0;
	}
	if (conn_counted(w, peer) &&
	    http_limits_conn_open(w->cfg.limits,
				  (struct sockaddr *)&peer->ss) < 0) {
		/* over --max-conns-per-ip: closed at once, as nginx does */
		w->limited_conns++;
		limit_log(w);
		return 0;
	}
	return 1;
}

static void
on_accept(void *arg, int fd, const struct net_addr *peer)
{
	struct http_worker *w = arg;

	if (conn_admit(w, peer))
		conn_start(w, fd, peer, 0);
	else
		close(fd);
}

static void
on_accept_tls(void *arg, int fd, const struct net_addr *peer)
{
	struct http_worker *w = arg;

	if (conn_admit(w, peer))
		conn_start(w, fd, peer, 1);
	else
		close(fd);
}

/* A worker without requests still moves to a new generation, so that
 * the old one is freed. */
static void
on_gen_timer(struct loop *l, void *arg)
{
	struct http_worker *w = arg;

	if (http_gens_moved(w->gens, w->gen))
		http_worker_regen(w);
	loop_timer_set(l, &w->gen_timer, 1000);
}

static void
on_log_timer(struct loop *l, void *arg)
{
	struct http_worker *w = arg;

	http_log_flush(w->log);
	if (w->stats)
		http_stats_set(&w->stats->log_dropped, w->log->dropped_total);
	loop_timer_set(l, &w->log_timer, 1000);
}

/* Stop: no new connections; idle ones close now, the others after the
 * reply in flight (their next head sees loop_is_stopping). */
static void
http_on_stop(struct loop *l, void *arg)
{
	struct http_worker *w = arg;

	net_service_close(&w->sockets);
	net_acceptor_close(&w->tls_tcp);
	loop_timer_del(l, &w->log_timer);
	loop_timer_del(l, &w->gen_timer);
	if (w->log)
		http_log_flush(w->log);
	struct http_conn *c = LIST_FIRST(&w->conns);
	while (c) {
		struct http_conn *next = LIST_NEXT(c, link);
		if ((c->state == HC_HEAD || c->state == HC_PROXY) &&
		    c->in_len == c->in_off)
			conn_close(c);
		else if (c->x)
			c->x->rep.close = 1;
		c = next;
	}
}

void
http_tls_listener_prepare(int fd)
{
	http_listener_prepare(fd);
	/* A TLS reply leaves a record (16 KiB) per write: a socket that
	 * turned writable at under 16 KiB unsent would take one record per
	 * wakeup, a round trip to the client each. */
	int lowat = HTTP_TLS_NOTSENT_LOWAT;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat,
			 sizeof lowat);
}

void
http_listener_prepare(int fd)
{
	/* accepted sockets inherit TCP_NODELAY from their listener: no
	 * system call per connection (replies leave in one write anyway;
	 * this is for pipelined replies) */
	(void)net_set_nodelay(fd, 1);
	/* HTTP clients speak first: the kernel hands a connection over once
	 * its request is there (or after about a second), so the first read
	 * finds it instead of EAGAIN, an epoll_ctl and a wait (nginx's
	 * "listen ... deferred") */
	int defer = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer,
			 sizeof defer);
	/* Delayed ACKs from the first request on (Linux starts each
	 * connection acknowledging at once and turns to delayed ACKs after
	 * its first reply): the request is acknowledged by the reply
	 * instead of a segment of its own. A client waiting for more than
	 * a reply is acknowledged within the delayed-ACK time, as on every
	 * later request of a connection anyway. */
	int quick = 0;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &quick, sizeof quick);
	/* A reply is written while the client can take it, not queued ahead:
	 * the socket turns writable again when less than this is waiting to
	 * be sent. Without it a file fills the send buffer (4 MB for a
	 * client that stopped reading), and each of the client's ACKs then
	 * transmits from that queue on the client's CPU, which on one
	 * machine is the limit: 10 MiB replies to wrk went 1.7x faster
	 * (docs/PERFORMANCE.md) */
	int lowat = HTTP_NOTSENT_LOWAT;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat,
			 sizeof lowat);
}

struct http_worker *
http_worker_start(struct loop *l, const struct http_server_config *c,
		  const int *fds, int n, const int *tls_fds, int ntls)
{
	struct http_worker *w = calloc(1, sizeof *w);

	if (w == NULL)
		return NULL;
	w->cache = http_cache_new();
	if (c->guard)
		w->guard = http_guard_worker_new(c->guard, l, on_guard_done);
	if (c->access_log_fd >= 0)
		w->log = calloc(1, sizeof *w->log);
	if (w->cache == NULL || (c->access_log_fd >= 0 && w->log == NULL) ||
	    (c->guard && w->guard == NULL)) {
		http_guard_worker_free(w->guard);
		http_cache_free(w->cache);
		free(w->log);
		free(w);
		return NULL;
	}
	w->loop = l;
	w->cfg = *c;
	w->limits_base = c->limits;
	loop_timer_init(&w->gen_timer, on_gen_timer, w);
	if (c->gens) {
		w->gens = c->gens;
		w->gen = http_gens_enter(c->gens);
		w->cfg = w->gen->cfg;
		w->limits_base = c->gens->base;
		loop_timer_set(l, &w->gen_timer, 1000);
	}
	w->stats = c->status ? http_stats_claim(c->status, w->cfg.site) : NULL;
	/* without memory for it, files go out as they are */
	w->encode = c->encode ? http_encode_new(c->encode, w->stats) : NULL;
	if (w->log)
		w->log->fd = c->access_log_fd;
	loop_timer_init(&w->log_timer, on_log_timer, w);
	if (w->log)
		loop_timer_set(l, &w->log_timer, 1000);
	if (c->tls && c->hsts_s > 0)
		snprintf(w->hsts, sizeof w->hsts,
			 "Strict-Transport-Security: max-age=%d\r\n", c->hsts_s);
	const struct net_service_config sc = {
		"http", fds, n, on_accept, NULL, 0, NULL, http_on_stop, w,
	};
	int rc = net_service_start(&w->sockets, l, &sc);
	if (rc == 0 && ntls > 0) {
		rc = net_acceptor_start(&w->tls_tcp, l, tls_fds, ntls, "https",
					on_accept_tls, w);
		if (rc < 0)
			log_error("https: %s", err_str(rc));
	}
	if (rc < 0) {
		http_worker_free(w);
		return NULL;
	}
	return w;
}

void
http_worker_free(struct http_worker *w)
{
	if (w == NULL)
		return;
	while (!LIST_EMPTY(&w->conns))
		conn_close(LIST_FIRST(&w->conns));
	while (!LIST_EMPTY(&w->free)) {
		struct http_conn *c = LIST_FIRST(&w->free);
		LIST_REMOVE(c, link);
		free(c);
	}
	while (w->free_ctx) {
		struct http_ctx *x = w->free_ctx;
		w->free_ctx = x->next;
		free(x);
	}
	http_gw_worker_free(w->gw);
	http_cache_free(w->cache);
	http_encode_free(w->encode);
	http_guard_worker_free(w->guard);
	net_service_close(&w->sockets);
	net_acceptor_close(&w->tls_tcp);
	loop_timer_del(w->loop, &w->log_timer);
	loop_timer_del(w->loop, &w->gen_timer);
	if (w->gens)
		http_gens_leave(w->gens, w->gen);
	if (w->log)
		http_log_flush(w->log);
	free(w->log);
	free(w->copy);
	free(w);
}
