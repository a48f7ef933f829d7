/* http_server: HTTP/1.1 connections on a worker's loop (RFC 9112). Each
 * connection owns fixed buffers reused from request to request and moves
 * through one explicit state machine: read a head, discard a body, send a
 * reply (head and small body in one write, files by sendfile), then the
 * next pipelined request, in order. Three timers drop slow clients: the
 * head must arrive within header_timeout (slowloris), a reply must make
 * progress within send_timeout (slow readers), and an idle keep-alive
 * connection lasts idle_timeout. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "net/sock.h"
#include "http_server.h"

#define HTTP_IN_SIZE (32 * 1024)	/* > HTTP_MAX_HEAD */
#define HTTP_LINGER_MS 2000		/* reading after our last reply */
#define HTTP_ACCEPT_RETRY_MS 100
#define HTTP_FREE_CONNS 64		/* connections kept for reuse */
#define HTTP_SENDFILE_MAX (1 << 30)

enum http_conn_state {
	HC_HEAD,	/* reading a request head */
	HC_BODY,	/* discarding a request body */
	HC_SEND,	/* sending a reply */
	HC_LINGER,	/* reply sent, write side shut: drain, then close */
	HC_CLOSE,
};

/* What a step tells the loop in conn_run. */
enum { STEP_WAIT, STEP_NEXT };

struct http_conn {
	struct http_worker *w;
	struct http_conn *prev, *next;
	int fd;
	enum http_conn_state state;
	struct loop_timer timer;
	unsigned head_timed : 1;	/* the header timer runs for this head */
	size_t in_off, in_len;		/* current request at in + in_off */
	size_t body_start;		/* first byte after the head */
	uint64_t body_left;		/* Content-Length bytes to discard */
	struct http_chunked chunked;
	int seg;			/* reply segment being sent */
	uint64_t seg_done;		/* bytes of it already sent */
	struct net_addr peer;
	struct http_request req;
	struct http_reply rep;
	struct http_file_scratch sc;
	struct buf page;
	char in[HTTP_IN_SIZE];
	char out[HTTP_OUT_SIZE];
};

struct http_worker {
	struct loop *loop;
	struct http_server_config cfg;
	int *fds;
	int nfds;
	struct http_conn *conns, *free;
	int nconns, nfree;
	struct loop_timer accept_retry;
	struct loop_timer log_timer;
	struct http_log *log;
};

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
}

static void
conn_close(struct http_conn *c)
{
	struct http_worker *w = c->w;

	loop_del_fd(w->loop, c->fd);
	loop_timer_del(w->loop, &c->timer);
	close(c->fd);
	http_reply_fini(&c->rep);
	if (c->prev)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	w->nconns--;
	if (w->nfree < HTTP_FREE_CONNS) {
		buf_reset(&c->page);
		c->next = w->free;
		w->free = c;
		w->nfree++;
	} else {
		buf_fini(&c->page);
		free(c);
	}
}

static void
conn_log(struct http_conn *c, struct http_slice line)
{
	struct http_log *g = c->w->log;
	char host[NET_ADDR_STRLEN];
	const struct http_header *ref = NULL, *ua = NULL;

	if (g == NULL)
		return;
	if (net_addr_format(&c->peer, 0, host, sizeof host) < 0)
		strcpy(host, "-");
	if (line.p == c->req.method_name.p) {
		ref = http_header_find(c->req.headers, c->req.nheaders,
				       "referer");
		ua = http_header_find(c->req.headers, c->req.nheaders,
				      "user-agent");
	}
	http_log_add(g, host, line, c->rep.status,
		     c->rep.head_only ? -1 : (int64_t)c->rep.body_len,
		     ref ? &ref->value : NULL, ua ? &ua->value : NULL);
}

/* The request line of the current request as received, for the log. */
static struct http_slice
request_line(struct http_conn *c, int parsed)
{
	const char *p = c->in + c->in_off;
	size_t n = c->in_len - c->in_off, i = 0;

	if (parsed)
		return (struct http_slice){ c->req.method_name.p,
					    c->req.line_len };
	while (i < n && i < 256 && p[i] != '\r' && p[i] != '\n')
		i++;
	return (struct http_slice){ p, i };
}

static void
start_send(struct http_conn *c)
{
	c->seg = 0;
	c->seg_done = 0;
	c->state = HC_SEND;
	loop_timer_set(c->w->loop, &c->timer, c->w->cfg.send_timeout_ms);
}

/* An error answer to a request we could not parse or will not read:
 * always the last on the connection. */
static void
reply_fatal(struct http_conn *c, int status, int parsed)
{
	int head = parsed && c->req.method == HTTP_M_HEAD;

	http_reply_error(&c->rep, status, 1, 0, NULL, head);
	conn_log(c, request_line(c, parsed));
	start_send(c);
}

static void
respond(struct http_conn *c)
{
	http_file_respond(c->w->cfg.site, &c->req, &c->sc, &c->rep);
	conn_log(c, request_line(c, 1));
	start_send(c);
}

/* Reads more request bytes. Returns STEP_NEXT after new bytes, STEP_WAIT
 * when the socket is empty, or moves to HC_CLOSE. */
static int
conn_read(struct http_conn *c)
{
	if (c->in_len == HTTP_IN_SIZE) {
		/* cannot happen while the head limits are below the size */
		c->state = HC_CLOSE;
		return STEP_NEXT;
	}
	ssize_t n = read(c->fd, c->in + c->in_len, HTTP_IN_SIZE - c->in_len);
	if (n > 0) {
		c->in_len += (size_t)n;
		return STEP_NEXT;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return STEP_WAIT;
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
		memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
	}
	http_request_init(&c->req);
	http_reply_fini(&c->rep);
	c->head_timed = 0;
}

/* A parsed head: decide about the body (RFC 9112 section 6.3, RFC 9110
 * section 10.1.1), then answer. */
static void
head_done(struct http_conn *c, size_t len)
{
	struct http_request *r = &c->req;
	int body = r->framing != HTTP_BODY_NONE;
	int servable = r->method == HTTP_M_GET || r->method == HTTP_M_HEAD ||
		r->method == HTTP_M_OPTIONS;

	c->in_off += len;
	c->rep.close = !r->keep_alive || loop_is_stopping(c->w->loop);
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
		c->rep.close = 1;
		respond(c);
		return;
	}
	if (r->expect_continue && r->version == 11) {
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		(void)send(c->fd, cont, sizeof cont - 1, MSG_NOSIGNAL);
	}
	c->body_start = c->in_off;
	c->body_left = r->content_length;
	http_chunked_init(&c->chunked);
	c->state = HC_BODY;
}

static int
step_head(struct http_conn *c)
{
	struct http_worker *w = c->w;

	if (c->in_len > c->in_off) {
		ssize_t rc = http_parse_request(&c->req, c->in + c->in_off,
						c->in_len - c->in_off);
		if (rc > 0) {
			head_done(c, (size_t)rc);
			return STEP_NEXT;
		}
		if (rc != ERR_AGAIN) {
			reply_fatal(c, c->req.status ? c->req.status : 400, 0);
			return STEP_NEXT;
		}
		if (!c->head_timed) {
			c->head_timed = 1;
			loop_timer_set(w->loop, &c->timer,
				       w->cfg.header_timeout_ms);
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

	loop_timer_set(c->w->loop, &c->timer, c->w->cfg.header_timeout_ms);
	if (c->req.framing == HTTP_BODY_LENGTH) {
		size_t k = avail < c->body_left ? avail : (size_t)c->body_left;
		c->in_off += k;
		c->body_left -= k;
		if (c->body_left == 0) {
			respond(c);
			return STEP_NEXT;
		}
	} else if (avail) {
		size_t len = avail;
		ssize_t rc = http_chunked_decode(&c->chunked,
						 c->in + c->in_off, &len);
		if (rc >= 0 || rc == ERR_AGAIN)
			c->in_off = rc >= 0 ? c->in_off + len : c->in_len;
		if (rc == ERR_TOOBIG || c->chunked.total > c->w->cfg.max_body) {
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
		c->in_off = c->in_len = c->body_start;
	return conn_read(c);
}

/* Sends memory segments from c->seg on with one sendmsg; MSG_MORE when a
 * file follows, so that the head leaves with the file's first bytes. */
static ssize_t
send_memory(struct http_conn *c)
{
	struct http_reply *rep = &c->rep;
	struct iovec iov[HTTP_MAX_SEGS];
	int n = 0, more = 0;

	for (int i = c->seg; i < rep->nsegs; i++) {
		const struct http_seg *s = &rep->segs[i];
		if (s->kind == HTTP_SEG_FILE) {
			more = 1;
			break;
		}
		const char *base = s->kind == HTTP_SEG_OUT ? rep->out :
			(const char *)rep->page->p;
		uint64_t skip = i == c->seg ? c->seg_done : 0;
		iov[n].iov_base = (char *)base + s->off + skip;
		iov[n].iov_len = (size_t)(s->len - skip);
		n++;
	}
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)n };
	return sendmsg(c->fd, &m, MSG_NOSIGNAL | (more ? MSG_MORE : 0));
}

/* Advances the send position by k bytes. */
static void
sent(struct http_conn *c, uint64_t k)
{
	while (k > 0 && c->seg < c->rep.nsegs) {
		uint64_t left = c->rep.segs[c->seg].len - c->seg_done;
		uint64_t take = k < left ? k : left;
		c->seg_done += take;
		k -= take;
		if (c->seg_done == c->rep.segs[c->seg].len) {
			c->seg++;
			c->seg_done = 0;
		}
	}
}

static int
reply_done(struct http_conn *c)
{
	int close_it = c->rep.close;

	request_begin(c);
	if (close_it) {
		/* RFC 9112 section 9.6: close the write side first and read
		 * on, so that our reply is not lost to a reset */
		shutdown(c->fd, SHUT_WR);
		c->state = HC_LINGER;
		loop_timer_set(c->w->loop, &c->timer, HTTP_LINGER_MS);
		return STEP_NEXT;
	}
	c->state = HC_HEAD;
	loop_timer_set(c->w->loop, &c->timer, c->w->cfg.idle_timeout_ms);
	return STEP_NEXT;
}

static int
step_send(struct http_conn *c)
{
	while (c->seg < c->rep.nsegs) {
		const struct http_seg *s = &c->rep.segs[c->seg];
		ssize_t n;
		if (s->kind == HTTP_SEG_FILE) {
			off_t off = (off_t)(s->off + c->seg_done);
			uint64_t left = s->len - c->seg_done;
			n = sendfile(c->fd, c->rep.fd, &off,
				     left < HTTP_SENDFILE_MAX ? (size_t)left :
				     HTTP_SENDFILE_MAX);
			if (n == 0) {	/* the file shrank under us */
				c->state = HC_CLOSE;
				return STEP_NEXT;
			}
		} else {
			n = send_memory(c);
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return STEP_WAIT;
			c->state = HC_CLOSE;
			return STEP_NEXT;
		}
		sent(c, (uint64_t)n);
		loop_timer_set(c->w->loop, &c->timer, c->w->cfg.send_timeout_ms);
	}
	return reply_done(c);
}

static int
step_linger(struct http_conn *c)
{
	ssize_t n = read(c->fd, c->in, HTTP_IN_SIZE);

	if (n > 0)
		return STEP_NEXT;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return STEP_WAIT;
	c->state = HC_CLOSE;
	return STEP_NEXT;
}

/* The state machine: runs steps until one has to wait for the socket. */
static void
conn_run(struct http_conn *c)
{
	int rc = STEP_NEXT;

	while (rc == STEP_NEXT) {
		switch (c->state) {
		case HC_HEAD:
			rc = step_head(c);
			break;
		case HC_BODY:
			rc = step_body(c);
			break;
		case HC_SEND:
			rc = step_send(c);
			break;
		case HC_LINGER:
			rc = step_linger(c);
			break;
		case HC_CLOSE:
			conn_close(c);
			return;
		}
	}
}

static void
conn_on_event(struct loop *l, int fd, int events, void *arg)
{
	conn_run(arg);
}

static void
conn_on_timer(struct loop *l, void *arg)
{
	conn_close(arg);
}

static struct http_conn *
conn_new(struct http_worker *w)
{
	struct http_conn *c = w->free;

	if (c) {
		w->free = c->next;
		w->nfree--;
		return c;
	}
	/* not calloc: the buffers are large and need no zeroing */
	c = malloc(sizeof *c);
	if (c)
		buf_init(&c->page, HTTP_AUTOINDEX_MAX);
	return c;
}

static void
conn_start(struct http_worker *w, int fd, const struct net_addr *peer)
{
	struct http_conn *c = conn_new(w);

	if (c == NULL || loop_add_fd(w->loop, fd, conn_on_event, c) < 0) {
		if (c) {
			c->next = w->free;
			w->free = c;
			w->nfree++;
		}
		close(fd);
		return;
	}
	c->w = w;
	c->fd = fd;
	c->peer = *peer;
	c->state = HC_HEAD;
	c->in_off = c->in_len = 0;
	http_reply_init(&c->rep, c->out, &c->page);
	http_request_init(&c->req);
	c->head_timed = 1;
	loop_timer_init(&c->timer, conn_on_timer, c);
	loop_timer_set(w->loop, &c->timer, w->cfg.header_timeout_ms);
	c->prev = NULL;
	c->next = w->conns;
	if (w->conns)
		w->conns->prev = c;
	w->conns = c;
	w->nconns++;
	net_set_nodelay(fd, 1);
	conn_run(c);
}

static void accept_all(struct http_worker *w);

static void
on_accept_retry(struct loop *l, void *arg)
{
	accept_all(arg);
}

static void
accept_one_listener(struct http_worker *w, int lfd)
{
	for (;;) {
		struct net_addr peer;
		peer.len = sizeof peer.ss;
		int fd = accept4(lfd, (struct sockaddr *)&peer.ss, &peer.len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				log_warn("http: accept: %s", strerror(errno));
				loop_timer_set(w->loop, &w->accept_retry,
					       HTTP_ACCEPT_RETRY_MS);
			}
			return;
		}
		if (w->nconns >= w->cfg.max_conns)
			close(fd);
		else
			conn_start(w, fd, &peer);
	}
}

static void
accept_all(struct http_worker *w)
{
	for (int i = 0; i < w->nfds; i++)
		if (w->fds[i] >= 0)
			accept_one_listener(w, w->fds[i]);
}

static void
on_listener(struct loop *l, int fd, int events, void *arg)
{
	accept_one_listener(arg, fd);
}

static void
on_log_timer(struct loop *l, void *arg)
{
	struct http_worker *w = arg;

	http_log_flush(w->log);
	loop_timer_set(l, &w->log_timer, 1000);
}

/* Stop: no new connections; idle ones close now, the others after the
 * reply in flight (their next head sees loop_is_stopping). */
static void
http_on_stop(struct loop *l, void *arg)
{
	struct http_worker *w = arg;

	for (int i = 0; i < w->nfds; i++) {
		loop_del_fd(l, w->fds[i]);
		close(w->fds[i]);
		w->fds[i] = -1;
	}
	loop_timer_del(l, &w->accept_retry);
	loop_timer_del(l, &w->log_timer);
	if (w->log)
		http_log_flush(w->log);
	struct http_conn *c = w->conns;
	while (c) {
		struct http_conn *next = c->next;
		if (c->state == HC_HEAD && c->in_len == c->in_off)
			conn_close(c);
		else
			c->rep.close = 1;
		c = next;
	}
}

struct http_worker *
http_worker_start(struct loop *l, const struct http_server_config *c,
		  const int *fds, int n)
{
	struct http_worker *w = calloc(1, sizeof *w);

	if (w == NULL)
		return NULL;
	w->fds = malloc(sizeof(int) * (size_t)(n + 1));
	if (c->access_log_fd >= 0)
		w->log = calloc(1, sizeof *w->log);
	if (w->fds == NULL || (c->access_log_fd >= 0 && w->log == NULL)) {
		free(w->fds);
		free(w->log);
		free(w);
		return NULL;
	}
	w->loop = l;
	w->cfg = *c;
	w->nfds = n;
	memcpy(w->fds, fds, sizeof(int) * (size_t)n);
	if (w->log)
		w->log->fd = c->access_log_fd;
	loop_timer_init(&w->accept_retry, on_accept_retry, w);
	loop_timer_init(&w->log_timer, on_log_timer, w);
	if (w->log)
		loop_timer_set(l, &w->log_timer, 1000);
	int rc = loop_on_stop(l, http_on_stop, w);
	for (int i = 0; i < n && rc == 0; i++)
		rc = loop_add_fd_read(l, w->fds[i], on_listener, w);
	if (rc < 0) {
		log_error("http: %s", err_str(rc));
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
	while (w->conns)
		conn_close(w->conns);
	while (w->free) {
		struct http_conn *c = w->free;
		w->free = c->next;
		buf_fini(&c->page);
		free(c);
	}
	for (int i = 0; i < w->nfds; i++) {
		if (w->fds[i] >= 0) {
			loop_del_fd(w->loop, w->fds[i]);
			close(w->fds[i]);
		}
	}
	loop_timer_del(w->loop, &w->accept_retry);
	loop_timer_del(w->loop, &w->log_timer);
	if (w->log)
		http_log_flush(w->log);
	free(w->log);
	free(w->fds);
	free(w);
}
