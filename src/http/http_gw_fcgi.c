/* http_gw_fcgi: FastCGI applications (php-fpm) as a backend of the
 * gateway: per worker and route, at most HTTP_FCGI_POOL connections, each
 * carrying one request at a time (php-fpm does not multiplex:
 * FCGI_MPXS_CONNS 0), and a queue of requests waiting for one. A
 * connection is kept (FCGI_KEEP_CONN) only to be handed straight to a
 * waiting request: php-fpm parks a child on every kept connection, so an
 * idle one held here, or one reused while a new one waits to be
 * accepted, would starve the others when there are more connections
 * than children (here or in another worker). The core pulls output (a
 * socket is read only when the client took the last bytes) and pushes
 * body bytes (only as far as the socket takes them): back-pressure both
 * ways, per request. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "net/net_sock.h"
#include "http_fcgi.h"
#include "http_gw_int.h"

#define FCGI_ID 1			/* one request per connection */
#define FCGI_WBUF (64 * 1024)

struct fcgi_req;

struct fcgi_conn {
	struct http_fcgi_pool *pool;
	struct fcgi_conn *next;		/* in the pool's spare list */
	struct fcgi_req *req;		/* the request it carries */
	int fd;
	unsigned connecting : 1;
	unsigned fresh : 1;		/* nothing came back for req yet */
	unsigned stdin_done : 1;	/* the empty FCGI_STDIN is queued */
	unsigned readable : 1;		/* a read edge since EAGAIN */
	unsigned ended : 1;		/* FCGI_END_REQUEST came */
	unsigned broken : 1;
	size_t roff, rlen;		/* records at rbuf[roff..rlen) */
	const char *cur;		/* FCGI_STDOUT bytes not handed out */
	size_t cur_n;
	size_t woff, wlen;		/* to send: wbuf[woff..wlen) */
	uint8_t wbuf[FCGI_WBUF];
	uint8_t rbuf[HTTP_FCGI_MAX_RECORD];
};

struct fcgi_req {
	TAILQ_ENTRY(fcgi_req) link;	/* waiting for a connection */
	struct http_gw *g;
	struct fcgi_conn *conn;
	unsigned queued : 1;
	unsigned failed : 1;		/* no connection could be had */
};

struct http_fcgi_pool {
	const struct http_gw_route *route;
	struct http_gw_worker *gw;
	TAILQ_HEAD(, fcgi_req) wait;
	int nconns, nwait;
	int nfresh;			/* connections with fresh set */
	/* the memory of closed connections, kept for new ones (each is
	 * 128 KiB of buffers: malloc would map and unmap them) */
	struct fcgi_conn *spare;
	int nspare;
};

static void
conn_answered(struct fcgi_conn *k)
{
	if (k->fresh)
		k->pool->nfresh--;
	k->fresh = 0;
}

static void
conn_close(struct fcgi_conn *k)
{
	struct http_fcgi_pool *p = k->pool;

	conn_answered(k);
	loop_forget_fd(p->gw->loop, k->fd);
	close(k->fd);
	p->nconns--;
	if (p->nspare < HTTP_FCGI_POOL) {
		k->next = p->spare;
		p->spare = k;
		p->nspare++;
	} else {
		free(k);
	}
}

static void
conn_flush(struct fcgi_conn *k)
{
	if (k->connecting)
		return;
	while (k->woff < k->wlen && !k->broken) {
		ssize_t n = send(k->fd, k->wbuf + k->woff, k->wlen - k->woff,
				 MSG_NOSIGNAL);
		if (n > 0) {
			k->woff += (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			return;
		} else {
			k->broken = 1;
		}
	}
	if (k->woff == k->wlen)
		k->woff = k->wlen = 0;
}

static void
conn_on_event(struct loop *l, int fd, int events, void *arg)
{
	struct fcgi_conn *k = arg;

	if (events & (LOOP_READ | LOOP_HUP))
		k->readable = 1;
	if (k->connecting && (events & (LOOP_WRITE | LOOP_HUP))) {
		k->connecting = 0;
		if (net_connect_result(fd) < 0)
			k->broken = 1;
	} else if (events == LOOP_WRITE && k->woff == k->wlen &&
		   k->stdin_done) {
		/* writable, with nothing to write ever again (while the body
		 * goes, the gateway has more for this edge) */
		return;
	}
	if (k->req)
		http_gw_run(k->req->g);
}

static int
conn_open(struct http_fcgi_pool *p, struct fcgi_conn **out)
{
	const struct http_gw_route *rt = p->route;
	struct fcgi_conn *k = p->spare;
	int fd;

	if (k) {
		p->spare = k->next;
		p->nspare--;
	} else {
		k = malloc(sizeof *k);
	}
	if (k == NULL)
		return -ENOMEM;
	if (rt->unix_sock) {
		/* a local connect is done at once, or refused (EAGAIN: the
		 * application's backlog is full) */
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    0);
		if (fd < 0 || connect(fd, (const struct sockaddr *)&rt->sun,
				      sizeof rt->sun) < 0) {
			int rc = -errno;
			if (fd >= 0)
				close(fd);
			free(k);
			return rc;
		}
	} else {
		fd = net_connect_start(&rt->addr, SOCK_STREAM);
		if (fd < 0) {
			free(k);
			return fd;
		}
	}
	memset(k, 0, offsetof(struct fcgi_conn, wbuf));
	k->fd = fd;
	k->pool = p;
	k->connecting = !rt->unix_sock;
	if (loop_add_fd(p->gw->loop, fd, conn_on_event, k) < 0) {
		close(fd);
		free(k);
		return -ENOMEM;
	}
	p->nconns++;
	*out = k;
	return 0;
}

/* FCGI_BEGIN_REQUEST, the meta-variables as FCGI_PARAMS, the empty
 * FCGI_PARAMS that ends them. */
static int
conn_begin(struct fcgi_conn *k, struct http_gw *g)
{
	uint8_t *w = k->wbuf;
	size_t rec = 16, at = rec + 8;

	http_fcgi_begin_format(w, FCGI_ID, 1);
	for (int i = 0; i < g->env.n; i++) {
		const char *v = g->env.vars[i];
		size_t nl = (size_t)(strchr(v, '=') - v);
		size_t vl = strlen(v + nl + 1);
		if (at - rec - 8 + nl + vl + 8 > HTTP_FCGI_MAX_CONTENT) {
			/* a record holds at most 64 KiB - 1: the next one */
			http_fcgi_header_format(w + rec, HTTP_FCGI_PARAMS,
						FCGI_ID,
						(uint16_t)(at - rec - 8), 0);
			rec = at;
			at += 8;
		}
		/* 16 bytes stay for the two empty records that follow */
		ssize_t n = ERR_TOOBIG;
		if (at < FCGI_WBUF - 16)
			n = http_fcgi_pair_format(w + at, FCGI_WBUF - 16 - at,
						  v, nl, v + nl + 1, vl);
		if (n < 0)
			return ERR_TOOBIG;
		at += (size_t)n;
	}
	http_fcgi_header_format(w + rec, HTTP_FCGI_PARAMS, FCGI_ID,
				(uint16_t)(at - rec - 8), 0);
	if (at > rec + 8) {
		/* the empty record that ends the parameters */
		http_fcgi_header_format(w + at, HTTP_FCGI_PARAMS, FCGI_ID, 0,
					0);
		at += 8;
	}
	/* no body: its end goes in the same write */
	k->stdin_done = !g->body;
	if (k->stdin_done) {
		http_fcgi_header_format(w + at, HTTP_FCGI_STDIN, FCGI_ID, 0, 0);
		at += 8;
	}
	k->woff = 0;
	k->wlen = at;
	conn_flush(k);
	return 0;
}

static int
attach(struct fcgi_req *r, struct fcgi_conn *k)
{
	r->conn = k;
	k->req = r;
	k->ended = 0;
	k->cur_n = 0;
	k->fresh = 1;
	k->pool->nfresh++;
	return conn_begin(k, r->g);
}

static struct http_fcgi_pool *
pool_get(struct http_gw *g)
{
	int i = (int)(g->route - g->cfg->routes);
	struct http_fcgi_pool *p = g->gw->pools[i];

	if (p)
		return p;
	p = calloc(1, sizeof *p);
	if (p == NULL)
		return NULL;
	p->route = g->route;
	p->gw = g->gw;
	TAILQ_INIT(&p->wait);
	g->gw->pools[i] = p;
	return p;
}

/* A connection for r: a new one, or a place in the queue. Returns 0 or
 * a negative code. */
static int
conn_take(struct http_fcgi_pool *p, struct fcgi_req *r)
{
	struct fcgi_conn *k;

	if (p->nconns < HTTP_FCGI_POOL) {
		int rc = conn_open(p, &k);
		return rc < 0 ? rc : attach(r, k);
	}
	if (p->nwait >= HTTP_FCGI_QUEUE)
		return -EAGAIN;
	TAILQ_INSERT_TAIL(&p->wait, r, link);
	r->queued = 1;
	p->nwait++;
	return 0;
}

static int
fcgi_start(struct http_gw *g)
{
	struct http_fcgi_pool *p = pool_get(g);
	struct fcgi_req *r = calloc(1, sizeof *r);

	if (p == NULL || r == NULL) {
		free(r);
		return -ENOMEM;
	}
	r->g = g;
	g->be = r;
	int rc = conn_take(p, r);
	if (rc < 0) {
		if (r->conn)
			conn_close(r->conn);
		g->be = NULL;
		free(r);
	}
	return rc;
}

/* The request's connection when it can take bytes, else NULL. */
static struct fcgi_conn *
ready(struct http_gw *g)
{
	struct fcgi_req *r = g->be;

	if (r == NULL || r->conn == NULL || r->conn->connecting)
		return NULL;
	return r->conn;
}

/* Room for one more FCGI_STDIN record of at most want bytes (8 bytes
 * stay free for the empty record that ends the body). */
static size_t
stdin_room(struct fcgi_conn *k, size_t want)
{
	size_t room = FCGI_WBUF - k->wlen;

	if (room <= 16 + 1)
		return 0;
	room -= 16;
	if (room > HTTP_FCGI_MAX_CONTENT)
		room = HTTP_FCGI_MAX_CONTENT;
	return want < room ? want : room;
}

static ssize_t
fcgi_write_body(struct http_gw *g, const char *b, size_t n)
{
	struct fcgi_conn *k = ready(g);

	if (k == NULL)
		return -EAGAIN;
	conn_flush(k);
	if (k->broken)
		return -EPIPE;
	size_t m = stdin_room(k, n);
	if (m == 0)
		return -EAGAIN;
	http_fcgi_header_format(k->wbuf + k->wlen, HTTP_FCGI_STDIN, FCGI_ID,
				(uint16_t)m, 0);
	memcpy(k->wbuf + k->wlen + 8, b, m);
	k->wlen += 8 + m;
	conn_flush(k);
	return (ssize_t)m;
}

static ssize_t
fcgi_write_spool(struct http_gw *g)
{
	struct fcgi_conn *k = ready(g);

	if (k == NULL)
		return -EAGAIN;
	conn_flush(k);
	if (k->broken)
		return -EPIPE;
	size_t m = stdin_room(k, g->spool_len - g->spool_off);
	if (g->spool_off == g->spool_len)
		return 0;
	if (m == 0)
		return -EAGAIN;
	ssize_t n = pread(g->spool_fd, k->wbuf + k->wlen + 8, m,
			  (off_t)g->spool_off);
	if (n <= 0)
		return -EIO;
	http_fcgi_header_format(k->wbuf + k->wlen, HTTP_FCGI_STDIN, FCGI_ID,
				(uint16_t)n, 0);
	k->wlen += 8 + (size_t)n;
	g->spool_off += (uint64_t)n;
	conn_flush(k);
	return n;
}

static void
fcgi_end_body(struct http_gw *g)
{
	struct fcgi_req *r = g->be;
	struct fcgi_conn *k = r ? r->conn : NULL;

	/* stdin_room kept room for it */
	if (k == NULL || k->stdin_done || k->wlen + 8 > FCGI_WBUF)
		return;
	k->stdin_done = 1;
	http_fcgi_header_format(k->wbuf + k->wlen, HTTP_FCGI_STDIN, FCGI_ID,
				0, 0);
	k->wlen += 8;
	conn_flush(k);
}

/* One record out of rbuf, or more bytes into it. Returns 1 to go on, 0
 * at the end of the request, or a negative code. */
static int
next_record(struct http_gw *g, struct fcgi_conn *k)
{
	struct http_fcgi_record rec;
	ssize_t len = http_fcgi_record_parse(&rec, k->rbuf + k->roff,
					     k->rlen - k->roff);

	if (len == ERR_AGAIN) {
		if (k->roff) {
			memmove(k->rbuf, k->rbuf + k->roff, k->rlen - k->roff);
			k->rlen -= k->roff;
			k->roff = 0;
		}
		/* the loop is edge-triggered: after an EAGAIN, nothing comes
		 * before the next read edge (a new connection: the first) */
		if (!k->readable)
			return -EAGAIN;
		ssize_t n = recv(k->fd, k->rbuf + k->rlen,
				 sizeof k->rbuf - k->rlen, 0);
		if (n > 0) {
			k->rlen += (size_t)n;
			conn_answered(k);
			return 1;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			k->readable = errno == EINTR;
			return -EAGAIN;
		}
		k->broken = 1;
		return n == 0 ? ERR_CLOSED : -errno;
	}
	if (len < 0) {
		k->broken = 1;
		return ERR_PARSE;
	}
	k->roff += (size_t)len;
	if (rec.id != FCGI_ID)
		return 1;
	if (rec.type == HTTP_FCGI_STDOUT) {
		k->cur = rec.content.p;
		k->cur_n = rec.content.n;
	} else if (rec.type == HTTP_FCGI_STDERR) {
		http_gw_stderr(g, rec.content.p, rec.content.n);
	} else if (rec.type == HTTP_FCGI_END_REQUEST) {
		k->ended = 1;
		return 0;
	}
	return 1;
}

static ssize_t
fcgi_read_out(struct http_gw *g, char *b, size_t n)
{
	struct fcgi_conn *k = ready(g);

	struct fcgi_req *r = g->be;

	if (k == NULL)
		return r && r->failed ? -EPIPE : -EAGAIN;
	/* only the body's end is left to push from here: while the body
	 * goes, the body calls flush (a flush here that emptied the buffer
	 * without EAGAIN would leave the body waiting for a write edge
	 * that never comes) */
	if (k->stdin_done)
		conn_flush(k);
	if (k->broken)
		return ERR_CLOSED;
	for (;;) {
		if (k->cur_n) {
			size_t m = k->cur_n < n ? k->cur_n : n;
			memcpy(b, k->cur, m);
			k->cur += m;
			k->cur_n -= m;
			return (ssize_t)m;
		}
		if (k->ended)
			return 0;
		int rc = next_record(g, k);
		if (rc <= 0)
			return rc;
	}
}

/* Gives the first waiting request kept (a connection its last request
 * left clean, or NULL: a new one), and kicks it (it waits for no event
 * of its own). */
static void
serve_waiting(struct http_fcgi_pool *p, struct fcgi_conn *kept)
{
	while (!TAILQ_EMPTY(&p->wait)) {
		struct fcgi_req *r = TAILQ_FIRST(&p->wait);
		struct fcgi_conn *k = kept;
		int rc = 0;
		if (k == NULL && p->nconns >= HTTP_FCGI_POOL)
			return;
		kept = NULL;
		TAILQ_REMOVE(&p->wait, r, link);
		p->nwait--;
		r->queued = 0;
		if (k == NULL)
			rc = conn_open(p, &k);
		if (rc == 0)
			rc = attach(r, k);
		if (rc < 0 && r->conn)
			r->conn->broken = 1;
		r->failed = rc < 0 && r->conn == NULL;
		http_gw_kick(r->g);
		if (rc == 0)
			return;
	}
	if (kept)
		conn_close(kept);
}

static void
fcgi_stop(struct http_gw *g, int kill_all)
{
	struct fcgi_req *r = g->be;

	if (r == NULL)
		return;
	g->be = NULL;
	struct http_fcgi_pool *p = pool_get(g);
	struct fcgi_conn *k = r->conn;
	if (r->queued) {
		TAILQ_REMOVE(&p->wait, r, link);
		p->nwait--;
	}
	free(r);
	if (k) {
		k->req = NULL;
		/* kept for the next request only when this one ended cleanly,
		 * nothing of it is left over, and no new connection waits
		 * for a child of the application */
		if (!k->ended || k->broken || k->roff != k->rlen ||
		    k->wlen != k->woff || k->cur_n || p->nfresh > 0 ||
		    TAILQ_EMPTY(&p->wait)) {
			conn_close(k);
			k = NULL;
		}
	}
	serve_waiting(p, k);
}

void
http_fcgi_pools_free(struct http_gw_worker *gw)
{
	for (int i = 0; i < HTTP_GW_MAX_ROUTES; i++) {
		struct http_fcgi_pool *p = gw->pools[i];
		while (p && p->spare) {
			struct fcgi_conn *k = p->spare;
			p->spare = k->next;
			free(k);
		}
		free(p);
		gw->pools[i] = NULL;
	}
}

const struct http_gw_ops http_gw_fcgi_ops = {
	fcgi_start, fcgi_write_body, fcgi_write_spool, fcgi_end_body,
	fcgi_read_out, fcgi_stop,
};
