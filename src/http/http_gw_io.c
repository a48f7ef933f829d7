/* http_gw_io: a gateway request in motion: the body from the client to
 * the program, the program's output parsed (RFC 3875 section 6) and sent
 * on to the client, framed by the script's Content-Length, chunked for
 * HTTP/1.1 or up to the close for HTTP/1.0, through the server's send
 * path; local redirects; the silence timeout; the client going away. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "http_gw_int.h"

static const char *
gw_kind(const struct http_gw *g)
{
	return g->route->kind == HTTP_GW_CGI ? "cgi" : "fastcgi";
}

/* Writes a spool's decoded bytes p[0..n) at its end. */
static int
spool_write(struct http_gw *g, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = pwrite(g->spool_fd, p, n, (off_t)g->spool_len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		g->spool_len += (uint64_t)k;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Reads client bytes into c->x->in behind what is there. Returns 1, 0
 * (nothing yet) or 1 with client_gone set. */
static int
client_read(struct http_gw *g)
{
	struct http_conn *c = g->c;

	if (c->in_off == c->in_len)
		c->in_off = c->in_len = g->blo = g->bhi = g->body_start;
	size_t room = HTTP_IN_SIZE - c->in_len;
	ssize_t n = c->tls ? http_tls_read(c, c->x->in + c->in_len, room) :
		read(c->fd, c->x->in + c->in_len, room);
	if (n > 0) {
		/* a body that comes keeps the connection, however long */
		c->in_len += (size_t)n;
		http_conn_deadline(c, g->cfg->timeout_ms +
				   c->w->cfg.send_timeout_ms);
		return 1;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	g->client_gone = 1;
	return 1;
}

/* A chunked body: de-chunked into the spool until its end, then the
 * program starts with CONTENT_LENGTH set. */
static int
spool_step(struct http_gw *g)
{
	struct http_conn *c = g->c;
	size_t len = c->in_len - c->in_off;

	if (len == 0)
		return client_read(g);
	ssize_t rc = http_chunked_decode(&g->chunked, c->x->in + c->in_off,
					 &len);
	if (rc == ERR_TOOBIG || g->chunked.total > c->w->cfg.max_body) {
		http_gw_end_error(g, 413);
		return -1;
	}
	if (rc < 0 && rc != ERR_AGAIN) {
		http_gw_end_error(g, 400);
		return -1;
	}
	if (spool_write(g, c->x->in + c->in_off, len) < 0) {
		log_error("%s: %s: spool: %s", gw_kind(g), g->name,
			  strerror(errno));
		http_gw_end_error(g, 500);
		return -1;
	}
	if (rc == ERR_AGAIN) {
		c->in_off = c->in_len;
		return 1;
	}
	/* the end: pipelined bytes follow the decoded ones */
	c->in_off += len;
	c->in_len = c->in_off + (size_t)rc;
	g->client_done = 1;
	char num[24];
	int nn = snprintf(num, sizeof num, "%llu",
			  (unsigned long long)g->spool_len);
	http_cgi_env_add(&g->env, "CONTENT_LENGTH", num, (size_t)nn);
	return http_gw_start(g) < 0 ? -1 : 1;
}

/* Client to program. Returns 1 after progress, 0 when waiting, -1 when
 * the request took another course (an error reply). */
static int
body_step(struct http_gw *g)
{
	struct http_conn *c = g->c;

	if (g->state == GW_SPOOL)
		return spool_step(g);
	if (g->body_out)
		return 0;
	if (g->spool_fd >= 0) {
		ssize_t k = g->ops->write_spool(g);
		if (k == -EAGAIN)
			return 0;
		if (k <= 0) {
			g->body_out = 1;
			g->ops->end_body(g);
		}
		return 1;
	}
	if (g->blo < g->bhi) {
		ssize_t k = g->ops->write_body(g, c->x->in + g->blo,
					       g->bhi - g->blo);
		if (k == -EAGAIN)
			return 0;
		if (k < 0) {
			/* the program will not read on: the rest of the
			 * body stays unread, the connection closes after */
			g->body_out = 1;
			return 1;
		}
		g->blo += (size_t)k;
		http_gw_touch(g);
		return 1;
	}
	if (g->body_left == 0) {
		g->client_done = 1;
		g->body_out = 1;
		g->ops->end_body(g);
		return 1;
	}
	size_t avail = c->in_len - c->in_off;
	if (avail == 0)
		return client_read(g);
	size_t k = avail < g->body_left ? avail : (size_t)g->body_left;
	g->blo = c->in_off;
	g->bhi = c->in_off + k;
	c->in_off += k;
	g->body_left -= k;
	return 1;
}

/* Appends the reply head for the script's head h (RFC 3875 section 6.3,
 * RFC 9112 section 6 for the framing). */
static void
head_reply(struct http_gw *g, int status)
{
	struct http_conn *c = g->c;
	const struct http_request *r = &c->x->req;
	struct http_reply *rep = &c->x->rep;
	const struct http_cgi_head *h = &g->head;

	http_reply_begin(rep, status);
	rep->head_only = r->method == HTTP_M_HEAD;
	g->no_body = rep->head_only || status == 204 || status == 304;
	if (h->content_type.p)
		http_reply_header(rep, "Content-Type", h->content_type.p,
				  h->content_type.n);
	if (h->location.p)
		http_reply_header(rep, "Location", h->location.p,
				  h->location.n);
	for (size_t i = 0; i < h->nfields; i++) {
		if (http_cgi_is_hop(h->fields[i].name))
			continue;
		http_reply_raw(rep, h->fields[i].name.p, h->fields[i].name.n);
		http_reply_raw(rep, ": ", 2);
		http_reply_raw(rep, h->fields[i].value.p, h->fields[i].value.n);
		http_reply_raw(rep, "\r\n", 2);
	}
	if (h->has_length) {
		g->length_out = 1;
		g->out_left = h->length;
		http_reply_header_u64(rep, "Content-Length", h->length);
	} else if (status == 204 || status == 304) {
		/* no body, no framing (RFC 9110 section 8.6) */
	} else if (r->version == 11) {
		g->chunked_out = 1;
		http_reply_raw(rep, "Transfer-Encoding: chunked\r\n", 28);
	} else {
		rep->close = 1;	/* the body ends with the connection */
	}
	if (rep->close)
		http_reply_raw(rep, "Connection: close\r\n", 19);
	else if (r->version == 10)
		http_reply_raw(rep, "Connection: keep-alive\r\n", 24);
	http_reply_raw(rep, "\r\n", 2);
}

static void
append_hex(struct http_reply *rep, size_t n)
{
	char d[20];
	int i = sizeof d;

	d[--i] = '\n';
	d[--i] = '\r';
	do {
		d[--i] = "0123456789abcdef"[n & 15];
		n >>= 4;
	} while (n);
	http_reply_raw(rep, d + i, sizeof d - (size_t)i);
}

/* One round: what the out buffer holds (the head, first time) and the
 * program's bytes in the page from out_lo, framed. */
static void
frame(struct http_gw *g)
{
	struct http_conn *c = g->c;
	struct http_reply *rep = &c->x->rep;
	size_t n = c->x->page.len - g->out_lo;

	if (g->no_body)
		n = 0;
	if (g->length_out && n > g->out_left)
		n = (size_t)g->out_left;
	g->out_left -= g->length_out ? n : 0;
	g->final = g->out_eof;
	rep->nsegs = 0;
	rep->head_only = 0;	/* the segments are ours to choose */
	if (g->chunked_out && n)
		append_hex(rep, n);
	http_reply_seg(rep, HTTP_SEG_OUT, 0, rep->out_len);
	http_reply_seg(rep, HTTP_SEG_PAGE, g->out_lo, n);
	size_t at = rep->out_len;
	if (g->chunked_out && n)
		http_reply_raw(rep, "\r\n", 2);
	if (g->chunked_out && g->final && !g->no_body)
		http_reply_raw(rep, "0\r\n\r\n", 5);
	http_reply_seg(rep, HTTP_SEG_OUT, at, rep->out_len - at);
	rep->head_only = c->x->req.method == HTTP_M_HEAD;
	g->out_total += n;
	c->x->seg = 0;
	c->x->seg_done = 0;
	g->sending = 1;
}

/* The program's response is all out: back to the server. */
static void
gw_finish(struct http_gw *g)
{
	struct http_conn *c = g->c;
	struct http_reply *rep = &c->x->rep;

	if (!g->client_done || (g->length_out && g->out_left))
		rep->close = 1;
	rep->body_len = g->out_total;
	http_conn_log(c);
	c->x->seg = rep->nsegs;
	c->state = HC_SEND;
	c->drained = 0;
	c->x->gw = NULL;
	g->ops->stop(g, 0);
	http_gw_free(g);
}

/* Location: /path with nothing else: the server answers as if the
 * client had asked for the path (RFC 3875 section 6.2.2). */
static void
gw_redirect(struct http_gw *g)
{
	struct http_conn *c = g->c;
	struct http_request *r = &c->x->req;
	struct http_slice loc = g->head.location;

	g->redirect = malloc(loc.n + 1);
	if (g->redirect == NULL || g->redirects >= HTTP_GW_MAX_REDIRECTS) {
		log_error("%s: %s: local redirect %s", gw_kind(g), g->name,
			  g->redirect ? "loop" : "out of memory");
		http_gw_end_error(g, 500);
		return;
	}
	memcpy(g->redirect, loc.p, loc.n);
	g->redirect[loc.n] = '\0';
	const char *q = memchr(g->redirect, '?', loc.n);
	r->target = (struct http_slice){ g->redirect, loc.n };
	r->path = (struct http_slice){ g->redirect, q ? (size_t)(q -
				       g->redirect) : loc.n };
	r->query = q ? (struct http_slice){ q + 1, loc.n - r->path.n - 1 } :
		(struct http_slice){ NULL, 0 };
	if (r->method != HTTP_M_HEAD)
		r->method = HTTP_M_GET;
	r->framing = HTTP_BODY_NONE;
	r->content_length = 0;
	r->expect_continue = 0;
	c->x->rep.close |= !g->client_done;
	c->x->gw = NULL;
	int redirects = g->redirects + 1;
	if (http_gw_begin(c)) {
		if (c->x->gw)
			c->x->gw->redirects = redirects;
	} else {
		http_conn_respond(c);
	}
	/* the request's slices pointed into the old one: now unused */
	r->target = r->path = r->query = (struct http_slice){ "", 0 };
	http_gw_free(g);
}

/* The script's head is complete (len bytes): the reply's head, or a
 * local redirect. Returns 1 when g is gone. */
static int
head_done(struct http_gw *g, size_t len)
{
	const struct http_cgi_head *h = &g->head;
	int local = h->location.p && h->location.n && h->location.p[0] == '/';

	g->head_done = 1;
	g->out_lo = len;
	if (local && !h->status) {
		gw_redirect(g);
		return 1;
	}
	head_reply(g, h->status ? h->status : h->location.p ? 302 : 200);
	return 0;
}

/* A program that failed: before its head went out, an error reply;
 * after, the connection is cut (the client sees a short body). */
static void
gw_fail(struct http_gw *g, int status, const char *why)
{
	struct http_conn *c = g->c;

	/* stopped first: a script's last words on stderr are read then */
	g->ops->stop(g, 1);
	log_error("%s: %s: %s%s%.*s", gw_kind(g), g->name, why,
		  g->errlen ? "; stderr: " : "", (int)g->errlen, g->errline);
	if (g->head_done) {
		c->state = HC_CLOSE;
		return;
	}
	http_gw_end_error(g, status);
}

/* Sends the current round. Returns 1 when it is all out, 0 when the
 * client must take more first, -1 when the connection is done for. */
static int
send_round(struct http_gw *g)
{
	struct http_conn *c = g->c;

	while (c->x->seg < c->x->rep.nsegs) {
		ssize_t n = http_send_next(c);
		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			http_conn_deadline(c, c->w->cfg.send_timeout_ms);
			return 0;
		}
		g->ops->stop(g, 1);
		c->state = HC_CLOSE;
		return -1;
	}
	g->sending = 0;
	c->x->rep.out_len = 0;
	c->x->page.len = 0;
	g->out_lo = 0;
	http_conn_deadline(c, g->cfg->timeout_ms + c->w->cfg.send_timeout_ms);
	return 1;
}

/* Program to client. Returns 1 after progress, 0 when waiting, -1 when
 * g is gone or the connection changed state. */
static int
out_step(struct http_gw *g)
{
	struct buf *ob = &g->c->x->page;
	int progress = 0;

	if (g->sending) {
		int rc = send_round(g);
		if (rc <= 0)
			return rc;
		if (g->final) {
			gw_finish(g);
			return -1;
		}
		progress = 1;
	}
	/* read while there is something: the end of a short reply then
	 * leaves with it, in one write */
	while (!g->out_eof && ob->len < ob->cap) {
		ssize_t n = g->ops->read_out(g, (char *)ob->p + ob->len,
					     ob->cap - ob->len);
		if (n > 0) {
			ob->len += (size_t)n;
			http_gw_touch(g);
			progress = 1;
		} else if (n == 0) {
			g->out_eof = 1;
			progress = 1;
		} else if (n != -EAGAIN) {
			gw_fail(g, 502, "the program went away");
			return -1;
		} else {
			break;
		}
	}
	if (!g->head_done) {
		ssize_t len = http_cgi_parse_head(&g->head, (char *)ob->p,
						  ob->len);
		if (len == ERR_AGAIN && !g->out_eof && ob->len < ob->cap)
			return progress;
		if (len <= 0) {
			gw_fail(g, 502, len == ERR_AGAIN ?
				"output ended before its head" :
				"malformed response head");
			return -1;
		}
		if (head_done(g, (size_t)len))
			return -1;
		frame(g);
		return 1;
	}
	if (ob->len > g->out_lo || g->out_eof) {
		frame(g);
		return 1;
	}
	return progress;
}

int
http_gw_step(struct http_conn *c)
{
	struct http_gw *g = c->x->gw;
	int a, b;

	do {
		if (g->client_gone) {
			log_info("%s: %s: the client went away", gw_kind(g),
				 g->name);
			g->ops->stop(g, 1);
			c->state = HC_CLOSE;
			return STEP_NEXT;
		}
		a = body_step(g);
		if (a < 0)
			return STEP_NEXT;
		if (g->state == GW_SPOOL) {
			b = 0;
			continue;
		}
		b = out_step(g);
		if (b < 0)
			return STEP_NEXT;
	} while (a > 0 || b > 0);
	return STEP_WAIT;
}

void
http_gw_client_event(struct http_conn *c, int events)
{
	struct http_gw *g = c->x->gw;

	/* a hang-up, or a half-close once the request is all read: nobody
	 * waits for the answer any more */
	if ((events & LOOP_HUP) || ((events & LOOP_RDHUP) && g->client_done))
		g->client_gone = 1;
}

void
http_gw_on_timer(struct loop *l, void *arg)
{
	struct http_gw *g = arg;
	int64_t left = g->deadline - clock_mono_ms();

	if (g->kick) {
		g->kick = 0;
		loop_timer_set(l, &g->timer, left > 0 ? left : 0);
		http_conn_run(g->c);
		return;
	}
	if (left > 0 || g->sending) {
		/* a client that does not read is the send timeout's */
		loop_timer_set(l, &g->timer, left > 0 ? left :
			       g->cfg->timeout_ms);
		return;
	}
	struct http_conn *c = g->c;
	gw_fail(g, 504, "silent too long: killed");
	http_conn_run(c);
}

void
http_gw_kick(struct http_gw *g)
{
	g->kick = 1;
	loop_timer_set(g->gw->loop, &g->timer, 0);
}

void
http_gw_run(struct http_gw *g)
{
	http_conn_run(g->c);
}

void
http_gw_stderr(struct http_gw *g, const char *p, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;
		if (!g->errdone) {
			size_t room = sizeof g->errline - g->errlen;
			size_t t = k < room ? k : room;
			memcpy(g->errline + g->errlen, p, t);
			g->errlen += t;
			g->errdone = nl != NULL;
		}
		if (k)
			log_error("%s: %s: %.*s", gw_kind(g), g->name,
				  (int)(k < 512 ? k : 512), p);
		p += k + (nl != NULL);
		n -= k + (nl != NULL);
	}
}

void
http_gw_end_error(struct http_gw *g, int status)
{
	struct http_conn *c = g->c;

	c->x->gw = NULL;
	http_gw_reply_error(c, status, !g->client_done);
	http_gw_free(g);
}

void
http_gw_free(struct http_gw *g)
{
	if (g == NULL)
		return;
	g->ops->stop(g, 1);
	loop_timer_del(g->gw->loop, &g->timer);
	if (g->spool_fd >= 0)
		close(g->spool_fd);
	free(g->redirect);
	if (g->gw->nspare < HTTP_GW_SPARE)
		g->gw->spare[g->gw->nspare++] = g;
	else
		free(g);
}

static void
orphan_on_exit(struct loop *l, int fd, int events, void *arg)
{
	struct http_gw_orphan *o = arg;

	if (waitpid(o->pid, NULL, WNOHANG) == 0)
		return;
	loop_timer_del(l, &o->timer);
	atomic_fetch_sub(&o->gw->cfg->running, 1);
	loop_forget_fd(l, o->pidfd);
	close(o->pidfd);
	LIST_REMOVE(o, link);
	free(o);
}

static void
orphan_on_timer(struct loop *l, void *arg)
{
	struct http_gw_orphan *o = arg;

	/* not reaped yet: the group's id is still its own */
	kill(-o->pid, SIGKILL);
}

void
http_gw_orphan(struct http_gw_worker *gw, pid_t pid, int pidfd, int killed)
{
	struct http_gw_orphan *o = malloc(sizeof *o);

	if (o == NULL || loop_add_fd_read(gw->loop, pidfd, orphan_on_exit,
					  o) < 0) {
		free(o);
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
		atomic_fetch_sub(&gw->cfg->running, 1);
		close(pidfd);
		return;
	}
	o->pid = pid;
	o->pidfd = pidfd;
	o->gw = gw;
	loop_timer_init(&o->timer, orphan_on_timer, o);
	if (!killed)
		loop_timer_set(gw->loop, &o->timer, gw->cfg->timeout_ms);
	LIST_INSERT_HEAD(&gw->orphans, o, link);
}

void
http_gw_worker_free(struct http_gw_worker *gw)
{
	if (gw == NULL)
		return;
	while (!LIST_EMPTY(&gw->orphans)) {
		struct http_gw_orphan *o = LIST_FIRST(&gw->orphans);
		kill(-o->pid, SIGKILL);
		waitpid(o->pid, NULL, 0);
		loop_timer_del(gw->loop, &o->timer);
		atomic_fetch_sub(&gw->cfg->running, 1);
		loop_forget_fd(gw->loop, o->pidfd);
		close(o->pidfd);
		LIST_REMOVE(o, link);
		free(o);
	}
	http_fcgi_pools_free(gw);
	while (gw->nspare)
		free(gw->spare[--gw->nspare]);
	for (int i = 0; i <= HTTP_MAX_VHOSTS; i++)
		free(gw->roots[i]);
	free(gw);
}
