/* fetch_client: an HTTP/1.1 client connection on the loop (RFC 9112
 * sections 3 and 6 for the request and the message body, section 9.3 for
 * persistence and the retry of a request on a connection found closed,
 * RFC 9110 section 15.2 for interim responses). One state enum, one
 * switch per event. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "fetch_client.h"

#define CLIENT_SPLICE_MAX (1 << 20)	/* bytes per splice(2) */

enum client_state {
	ST_IDLE,	/* no request; fd is -1 or a reusable connection */
	ST_START,	/* request accepted, the kick timer pending */
	ST_CONNECTING,	/* conn is opening (fetch_conn_open) */
	ST_WRITING,	/* sending the request */
	ST_HEAD,	/* reading the response head */
	ST_BODY,	/* reading the body */
};

struct fetch_client {
	struct loop *l;
	struct fetch_client_config cfg;
	enum client_state st;
	struct fetch_conn conn;	/* the transport: read, write, close */
	int reused;		/* the request went out on an old connection */
	int got_bytes;		/* some response bytes came on this request */

	const struct net_addr *addrs;
	int naddrs;
	uint32_t failed;	/* addrs[i] failed during this request */
	struct net_addr order[FETCH_CLIENT_MAX_ADDRS];	/* those left */
	int norder;
	struct net_tls_client *tls;	/* the request's; NULL: http */
	char name[FETCH_CONN_NAME_MAX];	/* with tls: the server's name */
	enum http_method method;
	const struct fetch_client_cb *cb;
	void *arg;

	struct buf req;		/* the request head */
	char *rbuf;
	size_t rlen;		/* bytes in rbuf */
	struct http_response resp;
	int interim;
	int skip_body;		/* on_head asked to drop the body */
	int keep;		/* the connection may carry another request */
	uint64_t left;		/* Content-Length bytes still to come */
	uint64_t got;		/* body bytes delivered */
	struct http_chunked chunked;

	struct loop_timer timer;
	int64_t head_deadline;

	int pipe_r, pipe_w;	/* for splice(2), made on first use */
	int sink;		/* body_fd's answer: splice into it; -1: copy */
};

static void client_on_fd(struct loop *l, int fd, int events, void *arg);
static void client_on_timer(struct loop *l, void *arg);
static void client_send(struct fetch_client *c);
static void client_sink_setup(struct fetch_client *c);

struct fetch_client *
fetch_client_new(struct loop *l, const struct fetch_client_config *cfg)
{
	struct fetch_client *c = calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	c->l = l;
	if (cfg)
		c->cfg = *cfg;
	if (c->cfg.connect_timeout_ms <= 0)
		c->cfg.connect_timeout_ms = 10000;
	if (c->cfg.read_timeout_ms <= 0)
		c->cfg.read_timeout_ms = 30000;
	if (c->cfg.head_timeout_ms <= 0)
		c->cfg.head_timeout_ms = 30000;
	if (c->cfg.rbuf_size < FETCH_CLIENT_MIN_RBUF)
		c->cfg.rbuf_size = FETCH_CLIENT_MIN_RBUF;
	c->rbuf = malloc(c->cfg.rbuf_size);
	if (c->rbuf == NULL) {
		free(c);
		return NULL;
	}
	fetch_conn_init(&c->conn, l);
	c->pipe_r = c->pipe_w = c->sink = -1;
	buf_init(&c->req, FETCH_CLIENT_MAX_REQUEST);
	loop_timer_init(&c->timer, client_on_timer, c);
	return c;
}

static void
client_close(struct fetch_client *c)
{
	if (c->conn.fd >= 0 && !c->conn.opening)
		loop_del_fd(c->l, c->conn.fd);
	fetch_conn_close(&c->conn);
}

static void
client_pipe_close(struct fetch_client *c)
{
	if (c->pipe_r >= 0) {
		close(c->pipe_r);
		close(c->pipe_w);
	}
	c->pipe_r = c->pipe_w = -1;
}

void
fetch_client_free(struct fetch_client *c)
{
	if (c == NULL)
		return;
	client_close(c);
	client_pipe_close(c);
	loop_timer_del(c->l, &c->timer);
	buf_fini(&c->req);
	free(c->rbuf);
	free(c);
}

const struct net_addr *
fetch_client_peer(const struct fetch_client *c)
{
	return c->conn.peer.len ? &c->conn.peer : NULL;
}

void
fetch_client_drop_idle(struct fetch_client *c)
{
	if (c->st == ST_IDLE)
		client_close(c);
}

int
fetch_client_is_connected(const struct fetch_client *c)
{
	return c->st == ST_IDLE && c->conn.fd >= 0;
}

const char *
fetch_client_tls_error(const struct fetch_client *c)
{
	return c->conn.why[0] ? c->conn.why : NULL;
}

void
fetch_client_cancel(struct fetch_client *c)
{
	if (c->st == ST_IDLE)
		return;
	loop_timer_del(c->l, &c->timer);
	client_close(c);
	c->st = ST_IDLE;
}

/* The end of a request: the connection is kept only when clean. The
 * callback runs last, so that it may start a request or free c. */
static void
client_finish(struct fetch_client *c, int status)
{
	loop_timer_del(c->l, &c->timer);
	if (status != 0 || !c->keep)
		client_close(c);
	c->st = ST_IDLE;
	c->cb->on_done(c->arg, status);
}

static int
has_field(const char *headers, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = headers; p && *p;) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			return 1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

/* The request head (RFC 9112 section 3; Host first, RFC 9110 7.2). */
static int
request_format(struct fetch_client *c, const struct fetch_client_req *r)
{
	const char *m = http_method_str(r->method);
	const char *h = r->headers ? r->headers : "";
	int rc;

	buf_reset(&c->req);
	if (m == NULL || r->host == NULL || r->target == NULL)
		return ERR_PARSE;
	rc = buf_printf(&c->req, "%s %s HTTP/1.1\r\nHost: %s\r\n", m,
			r->target, r->host);
	if (rc == 0 && !has_field(h, "user-agent"))
		rc = buf_printf(&c->req, "User-Agent: inetkit/0.1\r\n");
	if (rc == 0 && !has_field(h, "accept"))
		rc = buf_printf(&c->req, "Accept: */*\r\n");
	if (rc == 0 && r->close)
		rc = buf_printf(&c->req, "Connection: close\r\n");
	if (rc == 0)
		rc = buf_append(&c->req, h, strlen(h));
	if (rc == 0)
		rc = buf_append(&c->req, "\r\n", 2);
	return rc < 0 ? ERR_TOOBIG : 0;
}

int
fetch_client_request(struct fetch_client *c, const struct fetch_client_req *r,
		    const struct fetch_client_cb *cb, void *arg)
{
	if (c->st != ST_IDLE)
		return -EBUSY;
	if (r->naddrs <= 0 ||
	    (r->method != HTTP_M_GET && r->method != HTTP_M_HEAD))
		return ERR_PARSE;
	int rc = request_format(c, r);
	if (rc < 0)
		return rc;
	c->addrs = r->addrs;
	c->naddrs = r->naddrs < FETCH_CLIENT_MAX_ADDRS ? r->naddrs :
		    FETCH_CLIENT_MAX_ADDRS;
	c->failed = 0;
	c->tls = r->tls;
	if (r->tls && snprintf(c->name, sizeof c->name, "%s", r->name) >=
		      (int)sizeof c->name)
		return ERR_TOOBIG;
	c->method = r->method;
	c->cb = cb;
	c->arg = arg;
	c->st = ST_START;
	loop_timer_set(c->l, &c->timer, 0);
	return 0;
}

/* The connection to one of the addresses is open, or could not be. */
static void
client_on_open(void *arg, int status)
{
	struct fetch_client *c = arg;

	if (status == 0 && loop_add_fd(c->l, c->conn.fd, client_on_fd, c) < 0)
		status = -ENOMEM;
	if (status < 0) {
		client_finish(c, status);
		return;
	}
	client_send(c);
}

/* Notes that address a failed during this request, and tells the owner
 * once. */
static void
client_bad_addr(void *arg, const struct net_addr *a, int err)
{
	struct fetch_client *c = arg;

	for (int i = 0; i < c->naddrs; i++)
		if (!(c->failed & (1u << i)) &&
		    net_addr_equal(&c->addrs[i], a)) {
			c->failed |= 1u << i;
			if (c->cb->on_bad_addr)
				c->cb->on_bad_addr(c->arg, a, err);
			return;
		}
}

/* Opens a connection by Happy Eyeballs over the addresses that have not
 * failed during this request. Returns 0 or ERR_NOTFOUND when none is
 * left. */
static int
client_connect(struct fetch_client *c)
{
	c->norder = 0;
	for (int i = 0; i < c->naddrs; i++)
		if (!(c->failed & (1u << i)))
			c->order[c->norder++] = c->addrs[i];
	if (c->norder == 0)
		return ERR_NOTFOUND;
	c->st = ST_CONNECTING;
	fetch_conn_open(&c->conn, c->order, c->norder,
			     c->cfg.connect_timeout_ms, c->tls, c->name,
			     client_on_open, client_bad_addr, c);
	return 0;
}

/* The request failed with status (on a kept connection, only silence
 * comes here: a close goes to client_retry_fresh). Before any byte
 * of the response, an idempotent request (RFC 9110 section 9.2.2: GET and
 * HEAD are all we send) goes once more to the addresses not tried yet;
 * else the request ends with status. */
static void
client_fail(struct fetch_client *c, int status)
{
	int retry = !c->got_bytes &&
		    (c->st == ST_WRITING || c->st == ST_HEAD) &&
		    (status == ERR_TIMEOUT || status == ERR_CLOSED ||
		     (status < 0 && status > -4096));

	if (retry) {
		client_bad_addr(c, &c->conn.peer, status);
		client_close(c);
		if (client_connect(c) == 0)
			return;
	}
	client_finish(c, status);
}

/* Starts a request: on the open connection when it goes to one of the
 * addresses, else on a new one. */
static void
client_begin(struct fetch_client *c)
{
	c->reused = 0;
	c->got_bytes = 0;
	c->conn.why[0] = '\0';
	if (c->conn.fd >= 0 && fetch_conn_is_for(&c->conn, c->tls, c->name))
		for (int i = 0; i < c->naddrs; i++)
			if (net_addr_equal(&c->addrs[i], &c->conn.peer))
				c->reused = 1;
	if (c->conn.fd >= 0 && !c->reused)
		client_close(c);
	if (c->reused) {
		client_send(c);
		return;
	}
	if (client_connect(c) < 0)
		client_finish(c, ERR_NOTFOUND);
}

/* An old connection was closed under us before any byte of the answer:
 * send the (idempotent) request once more on a new one. */
static void
client_retry_fresh(struct fetch_client *c)
{
	client_close(c);
	c->reused = 0;
	if (client_connect(c) < 0)
		client_finish(c, ERR_CLOSED);
}

static void
client_send(struct fetch_client *c)
{
	c->st = ST_WRITING;
	c->req.off = 0;
	c->rlen = 0;
	c->interim = 0;
	c->keep = 0;
	c->got = 0;
	http_response_init(&c->resp);
	c->head_deadline = clock_mono_ms() + c->cfg.head_timeout_ms;
	loop_timer_set(c->l, &c->timer, c->cfg.read_timeout_ms);
	client_on_fd(c->l, c->conn.fd, LOOP_WRITE, c);
}

static void
client_on_timer(struct loop *l, void *arg)
{
	struct fetch_client *c = arg;

	switch (c->st) {
	case ST_START:
		client_begin(c);
		return;
	case ST_CONNECTING:	/* the connection has its own timer */
	case ST_IDLE:
		return;
	default:
		client_fail(c, ERR_TIMEOUT);
		return;
	}
}

/* Re-arms the silence timer after progress; the head has its own overall
 * deadline. */
static void
client_arm_read(struct fetch_client *c)
{
	int64_t ms = c->cfg.read_timeout_ms;

	if (c->st == ST_HEAD || c->st == ST_WRITING) {
		int64_t left = c->head_deadline - clock_mono_ms();
		if (left < ms)
			ms = left;
	}
	loop_timer_set(c->l, &c->timer, ms);
}

/* Writes what is left of the request. Returns 0 (all sent), ERR_AGAIN
 * or -errno. */
static int
client_write(struct fetch_client *c)
{
	while (buf_size(&c->req) > 0) {
		ssize_t n = fetch_conn_write(&c->conn, buf_data(&c->req),
						  buf_size(&c->req));
		if (n == -EAGAIN)
			return ERR_AGAIN;
		if (n < 0)
			return (int)n;
		c->req.off += (size_t)n;
	}
	return 0;
}

/* Hands n body bytes to the caller (or drops them), under the limits.
 * Returns 0 or a negative code. */
static int
client_deliver(struct fetch_client *c, const char *p, size_t n)
{
	c->got += n;
	if (c->skip_body)
		return c->got > FETCH_CLIENT_MAX_SKIP ? ERR_TOOBIG : 0;
	if (c->cfg.max_body && c->got > c->cfg.max_body)
		return ERR_TOOBIG;
	if (n == 0 || c->cb->on_body == NULL)
		return 0;
	return c->cb->on_body(c->arg, p, n);
}

/* A body dropped at its limit ends the request without an error: the
 * caller did not want it; the connection cannot be reused. */
static int
client_body_end(struct fetch_client *c, int rc)
{
	if (rc == ERR_TOOBIG && c->skip_body) {
		c->keep = 0;
		client_finish(c, 0);
		return 1;
	}
	return rc;
}

/* Consumes rbuf[0..rlen) as body bytes. Returns 0 (more to read), 1 (the
 * request is finished) or a negative code. */
static int
client_body(struct fetch_client *c)
{
	size_t n = c->rlen, k;
	ssize_t r;
	int rc = 0;

	c->rlen = 0;
	switch (c->resp.framing) {
	case HTTP_BODY_NONE:
		if (n > 0)
			c->keep = 0;	/* bytes nobody asked for */
		client_finish(c, 0);
		return 1;
	case HTTP_BODY_LENGTH:
		k = n < c->left ? n : (size_t)c->left;
		rc = client_deliver(c, c->rbuf, k);
		c->left -= k;
		if (rc < 0 || c->left > 0)
			return client_body_end(c, rc);
		if (n > k)
			c->keep = 0;
		client_finish(c, 0);
		return 1;
	case HTTP_BODY_CHUNKED:
		k = n;
		r = http_chunked_decode(&c->chunked, c->rbuf, &k);
		if (r < 0 && r != ERR_AGAIN)
			return (int)r;
		rc = client_deliver(c, c->rbuf, k);
		if (rc < 0 || r == ERR_AGAIN)
			return client_body_end(c, rc);
		if (r > 0)
			c->keep = 0;
		client_finish(c, 0);
		return 1;
	case HTTP_BODY_CLOSE:
		return client_body_end(c, client_deliver(c, c->rbuf, n));
	}
	return ERR_PARSE;
}

/* The final head is in: tell the caller and set up the body. */
static int
client_final_head(struct fetch_client *c, size_t hl)
{
	int rc = c->cb->on_head(c->arg, &c->resp, c->rbuf, hl);

	if (rc < 0)
		return rc;
	c->skip_body = rc == 1;
	c->keep = c->resp.keep_alive;
	if (c->resp.framing == HTTP_BODY_LENGTH) {
		c->left = c->resp.content_length;
		if (!c->skip_body && c->cfg.max_body &&
		    c->left > c->cfg.max_body)
			return ERR_TOOBIG;
	} else if (c->resp.framing == HTTP_BODY_CHUNKED) {
		http_chunked_init(&c->chunked);
	} else if (c->resp.framing == HTTP_BODY_CLOSE) {
		c->keep = 0;
	}
	c->sink = -1;
	if (!c->skip_body && c->cb->body_fd &&
	    (c->resp.framing == HTTP_BODY_LENGTH ||
	     c->resp.framing == HTTP_BODY_CLOSE))
		client_sink_setup(c);
	c->st = ST_BODY;
	c->rlen -= hl;
	memmove(c->rbuf, c->rbuf + hl, c->rlen);
	return client_body(c);
}

/* Parses rbuf[0..rlen) as a head, skipping interim responses. Returns 0
 * (more to read), 1 (finished) or a negative code. */
static int
client_head(struct fetch_client *c)
{
	for (;;) {
		/* Not HTTP at all (an SSH banner, a TLS alert): say so now
		 * rather than wait for a head that will never end. */
		size_t k = c->rlen < 5 ? c->rlen : 5;
		if (memcmp(c->rbuf, "HTTP/", k) != 0)
			return ERR_PARSE;
		ssize_t hl = http_parse_response(&c->resp, c->rbuf, c->rlen,
						 c->method);
		if (hl == ERR_AGAIN)
			return c->rlen == c->cfg.rbuf_size ? ERR_TOOBIG : 0;
		if (hl < 0)
			return (int)hl;
		if (c->resp.status == 101)
			return ERR_UNSUPPORTED;
		if (c->resp.status >= 200)
			return client_final_head(c, (size_t)hl);
		/* RFC 9110 section 15.2: skip 1xx, bounded. */
		if (++c->interim > FETCH_CLIENT_MAX_INTERIM)
			return ERR_TOOBIG;
		c->rlen -= (size_t)hl;
		memmove(c->rbuf, c->rbuf + hl, c->rlen);
		http_response_init(&c->resp);
	}
}

/* The server closed its side. */
static void
client_eof(struct fetch_client *c)
{
	if (c->st == ST_HEAD && c->reused && !c->got_bytes) {
		client_retry_fresh(c);
		return;
	}
	if (c->st == ST_BODY && c->resp.framing == HTTP_BODY_CLOSE) {
		c->keep = 0;
		client_finish(c, 0);
		return;
	}
	client_fail(c, ERR_CLOSED);
}

/* A body that needs no decoding can go from the socket to the caller's
 * descriptor through a pipe with splice(2): no copy through our memory. */
static void
client_sink_setup(struct fetch_client *c)
{
	int fd = c->cb->body_fd(c->arg), p[2];

	if (fd < 0 || !c->conn.t->splice)
		return;
	if (c->pipe_r < 0) {
		if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
			return;
		c->pipe_r = p[0];
		c->pipe_w = p[1];
		/* A larger pipe means fewer calls; the default is kept when
		 * the system refuses. */
		fcntl(c->pipe_w, F_SETPIPE_SZ, CLIENT_SPLICE_MAX);
	}
	c->sink = fd;
}

/* Moves the n bytes in the pipe to the sink. Returns 0 or -errno; on
 * failure the pipe, which may hold bytes, is dropped. */
static int
client_drain(struct fetch_client *c, size_t n)
{
	while (n > 0) {
		ssize_t m = splice(c->pipe_r, NULL, c->sink, NULL, n,
				   SPLICE_F_MOVE);
		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0) {
			int rc = m < 0 ? -errno : -EIO;
			client_pipe_close(c);
			return rc;
		}
		n -= (size_t)m;
	}
	return 0;
}

/* The body by splice until the socket is drained or the body ends.
 * Returns 0 (wait for more), 1 (finished) or a negative code. */
static int
client_splice(struct fetch_client *c)
{
	for (;;) {
		size_t want = CLIENT_SPLICE_MAX;
		if (c->resp.framing == HTTP_BODY_LENGTH && c->left < want)
			want = (size_t)c->left;
		if (c->cfg.max_body && c->cfg.max_body - c->got + 1 < want)
			want = (size_t)(c->cfg.max_body - c->got + 1);
		ssize_t n = splice(c->conn.fd, NULL, c->pipe_w, NULL, want,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			client_arm_read(c);
			return 0;
		}
		if (n < 0)
			return -errno;
		if (n == 0) {
			client_eof(c);
			return 1;
		}
		int rc = client_drain(c, (size_t)n);
		if (rc == 0)
			rc = client_deliver(c, NULL, (size_t)n);
		if (rc < 0)
			return rc;
		if (c->resp.framing == HTTP_BODY_LENGTH &&
		    (c->left -= (uint64_t)n) == 0) {
			client_finish(c, 0);
			return 1;
		}
	}
}

/* A body framed by the close ended without TLS close_notify: an
 * attacker may have cut it (RFC 8446 section 6.1, RFC 9112 section
 * 6.3), so it is an error, not the end. */
static void
client_truncated(struct fetch_client *c)
{
	snprintf(c->conn.why, sizeof c->conn.why, "the server closed the "
		 "connection without TLS close_notify: the body, framed by "
		 "the close, may be truncated");
}

/* Reads until the socket is drained or the request ends. */
static void
client_read(struct fetch_client *c)
{
	for (;;) {
		if (c->st == ST_BODY && c->sink >= 0) {
			int rc = client_splice(c);
			if (rc < 0)
				client_finish(c, rc);
			return;
		}
		ssize_t n = fetch_conn_read(&c->conn, c->rbuf + c->rlen,
						 c->cfg.rbuf_size - c->rlen);
		if (n == -EAGAIN) {
			client_arm_read(c);
			return;
		}
		if (n < 0 && c->reused && !c->got_bytes) {
			client_retry_fresh(c);
			return;
		}
		if (n == ERR_CLOSED && c->st == ST_BODY &&
		    c->resp.framing == HTTP_BODY_CLOSE)
			client_truncated(c);
		if (n < 0) {
			client_fail(c, (int)n);
			return;
		}
		if (n == 0) {
			client_eof(c);
			return;
		}
		c->got_bytes = 1;
		c->rlen += (size_t)n;
		int rc = c->st == ST_HEAD ? client_head(c) : client_body(c);
		if (rc < 0)
			client_finish(c, rc);
		if (rc != 0)
			return;
	}
}

static void
client_on_fd(struct loop *l, int fd, int events, void *arg)
{
	struct fetch_client *c = arg;
	int rc;

	switch (c->st) {
	case ST_IDLE:
		/* Anything to read on an idle connection (EOF, stray bytes)
		 * ends it. */
		if (events & (LOOP_READ | LOOP_HUP))
			client_close(c);
		return;
	case ST_START:
	case ST_CONNECTING:	/* not watched here until open */
		return;
	case ST_WRITING:
		rc = client_write(c);
		if (rc == ERR_AGAIN)
			return;
		if (rc < 0) {
			if (c->reused)
				client_retry_fresh(c);
			else
				client_fail(c, rc);
			return;
		}
		c->st = ST_HEAD;
		/* The answer cannot be in before the request is out; when it
		 * comes, it is an edge of its own. Read now only for an edge
		 * this call consumes. */
		if (events & (LOOP_READ | LOOP_HUP))
			client_read(c);
		return;
	case ST_HEAD:
	case ST_BODY:
		if (events & (LOOP_READ | LOOP_HUP))
			client_read(c);
		return;
	}
}
