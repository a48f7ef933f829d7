/* fetch_conn: the plain TCP and the TLS transports, and the opening of
 * a client connection over a host's addresses by Happy Eyeballs (RFC 8305
 * section 5; RFC 1123 section 2.3: try each address of a multihomed
 * host), with the TLS handshake (RFC 8446) on the winner for https. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "fetch_conn.h"
#include "net/net_sock.h"

static ssize_t
tcp_read(struct fetch_conn *c, void *p, size_t n)
{
	for (;;) {
		ssize_t r = recv(c->fd, p, n, 0);
		if (r >= 0)
			return r;
		if (errno != EINTR)
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
}

static ssize_t
tcp_write(struct fetch_conn *c, const void *p, size_t n)
{
	for (;;) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w >= 0)
			return w;
		if (errno != EINTR)
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
}

static void
tcp_close(struct fetch_conn *c)
{
	close(c->fd);
}

static const struct fetch_transport tcp_transport = {
	.name = "tcp",
	.read = tcp_read,
	.write = tcp_write,
	.close = tcp_close,
	.splice = 1,
};

/* TLS: the same returns, ERR_CLOSED for an end without close_notify
 * (the owner decides whether that truncated anything); a failure says
 * why in c->why. */
static ssize_t
tls_failed(struct fetch_conn *c, ssize_t r)
{
	if (r < 0 && r != -EAGAIN && r != ERR_CLOSED)
		snprintf(c->why, sizeof c->why, "TLS: %s",
			 net_tls_error(c->tls));
	return r;
}

static ssize_t
tls_read(struct fetch_conn *c, void *p, size_t n)
{
	return tls_failed(c, net_tls_read(c->tls, p, n));
}

static ssize_t
tls_write(struct fetch_conn *c, const void *p, size_t n)
{
	return tls_failed(c, net_tls_write(c->tls, p, n));
}

/* close_notify when the socket takes it (RFC 8446 section 6.1), without
 * waiting for the server's. */
static void
tls_close(struct fetch_conn *c)
{
	net_tls_shutdown(c->tls);
	net_tls_free(c->tls);
	c->tls = NULL;
	close(c->fd);
}

static const struct fetch_transport tls_transport = {
	.name = "tls",
	.read = tls_read,
	.write = tls_write,
	.close = tls_close,
	.splice = 0,
};

static void conn_on_fd(struct loop *l, int fd, int events, void *arg);
static void conn_on_timer(struct loop *l, void *arg);
static void conn_on_deadline(struct loop *l, void *arg);

void
fetch_conn_init(struct fetch_conn *c, struct loop *l)
{
	c->l = l;
	c->fd = -1;
	c->t = NULL;
	c->tls = NULL;
	c->tls_ctx = NULL;
	c->opening = 0;
	c->handshaking = 0;
	c->why[0] = '\0';
	c->ntries = 0;
	loop_timer_init(&c->timer, conn_on_timer, c);
	loop_timer_init(&c->deadline, conn_on_deadline, c);
}

/* Drops attempt i (its socket closed), keeping the others in order. */
static void
try_drop(struct fetch_conn *c, int i)
{
	loop_del_fd(c->l, c->tries[i].fd);
	close(c->tries[i].fd);
	c->tries[i] = c->tries[--c->ntries];
}

/* Stops every attempt but keep (-1: all), telling bad of those dropped
 * unanswered when told is set: they were slower than the winner. */
static void
tries_stop(struct fetch_conn *c, int keep, int told)
{
	for (int i = c->ntries - 1; i >= 0; i--) {
		const struct net_addr *a = &c->addrs[c->tries[i].ai];

		if (c->tries[i].fd == keep)
			continue;
		try_drop(c, i);
		if (told && c->bad)
			c->bad(c->arg, a, ERR_TIMEOUT);
	}
}

void
fetch_conn_close(struct fetch_conn *c)
{
	loop_timer_del(c->l, &c->timer);
	loop_timer_del(c->l, &c->deadline);
	tries_stop(c, -1, 0);
	if (c->fd >= 0 && c->handshaking) {
		loop_del_fd(c->l, c->fd);
		net_tls_free(c->tls);
		c->tls = NULL;
		close(c->fd);
	} else if (c->fd >= 0) {
		c->t->close(c);
	}
	c->fd = -1;
	c->t = NULL;
	c->opening = 0;
	c->handshaking = 0;
}

int
fetch_conn_is_for(const struct fetch_conn *c,
		  const struct net_tls_client *tls, const char *name)
{
	if (c->tls_ctx != tls)
		return 0;
	return tls == NULL || strcasecmp(c->name, name) == 0;
}

/* The open is over: hand the connection (or the error) to the owner. */
static void
conn_opened(struct fetch_conn *c, int status)
{
	loop_timer_del(c->l, &c->timer);
	loop_timer_del(c->l, &c->deadline);
	c->opening = 0;
	c->handshaking = 0;
	if (status == 0)
		c->t = c->tls ? &tls_transport : &tcp_transport;
	c->done(c->arg, status);
}

/* The TLS handshake failed (or timed out) with err: the open ends, as
 * another address would show the same certificate. */
static void
conn_tls_fail(struct fetch_conn *c, int err)
{
	loop_del_fd(c->l, c->fd);
	net_tls_free(c->tls);
	c->tls = NULL;
	close(c->fd);
	c->fd = -1;
	conn_opened(c, err);
}

/* Says in c->why why the handshake failed; returns the code for it. */
static int
conn_tls_why(struct fetch_conn *c, int rc)
{
	const char *e = net_tls_error(c->tls);
	int name = net_tls_is_name_mismatch(c->tls);

	if (net_tls_is_verify_failed(c->tls)) {
		snprintf(c->why, sizeof c->why, "certificate verification "
			 "failed: %s%s%s%s", e,
			 name ? " (the certificate is not for " : "",
			 name ? c->name : "", name ? ")" : "");
		return ERR_CERT;
	}
	if (rc == -ECONNRESET)
		e = "the server closed the connection";
	snprintf(c->why, sizeof c->why, "TLS handshake failed: %s", e);
	return ERR_TLS;
}

/* Drives the handshake; -EAGAIN waits for the socket's next edge. */
static void
conn_handshake(struct fetch_conn *c)
{
	int rc = net_tls_handshake(c->tls);

	if (rc == 0) {
		loop_del_fd(c->l, c->fd);
		conn_opened(c, 0);
	} else if (rc != -EAGAIN) {
		conn_tls_fail(c, conn_tls_why(c, rc));
	}
}

/* The winner's TCP is up: TLS starts on it, under the same deadline. */
static void
conn_tls_start(struct fetch_conn *c)
{
	loop_timer_del(c->l, &c->timer);	/* no more attempts */
	c->tls = net_tls_connect(c->tls_ctx, c->fd, c->name);
	if (c->tls == NULL) {
		snprintf(c->why, sizeof c->why, "TLS: cannot start a "
			 "connection to %s", c->name);
		conn_tls_fail(c, -ENOMEM);
		return;
	}
	c->handshaking = 1;
	conn_handshake(c);
}

/* Starts the attempt on the next address that can be started. Returns
 * 1 when one is in flight, 0 when none was left. */
static int
conn_try_next(struct fetch_conn *c)
{
	while (c->ai < c->naddrs && c->ntries < FETCH_CONN_MAX_TRIES) {
		const struct net_addr *a = &c->addrs[c->ai];
		int fd = net_connect_start(a, SOCK_STREAM);

		if (fd >= 0 && loop_add_fd(c->l, fd, conn_on_fd, c) == 0) {
			c->tries[c->ntries].fd = fd;
			c->tries[c->ntries++].ai = c->ai++;
			return 1;
		}
		if (fd >= 0) {
			close(fd);
			fd = -ENOMEM;
		}
		c->last_err = fd;
		if (c->bad)
			c->bad(c->arg, a, fd);
		c->ai++;
	}
	return 0;
}

/* After an attempt started or failed: the next one in a stagger when
 * addresses are left; the end (from the timer) when nothing is in flight
 * and none is left. */
static void
conn_step(struct fetch_conn *c)
{
	if (c->ntries == 0 && !conn_try_next(c)) {
		if (c->last_err == 0)
			c->last_err = -ECONNREFUSED;
		loop_timer_set(c->l, &c->timer, 0);
		return;
	}
	if (c->ai < c->naddrs)
		loop_timer_set(c->l, &c->timer, FETCH_CONN_STAGGER_MS);
	else
		loop_timer_del(c->l, &c->timer);
}

void
fetch_conn_open(struct fetch_conn *c, const struct net_addr *addrs,
		     int n, int timeout_ms, struct net_tls_client *tls,
		     const char *name, fetch_conn_fn done,
		     fetch_conn_bad_fn bad, void *arg)
{
	fetch_conn_close(c);
	c->addrs = addrs;
	c->naddrs = n;
	c->ai = 0;
	c->last_err = 0;
	c->done = done;
	c->bad = bad;
	c->arg = arg;
	c->opening = 1;
	c->tls_ctx = tls;
	c->why[0] = '\0';
	if (tls)
		snprintf(c->name, sizeof c->name, "%s", name);
	loop_timer_set(c->l, &c->deadline, timeout_ms);
	conn_step(c);
}

/* The stagger passed with no winner: one more attempt (RFC 8305 section
 * 5); or, with nothing in flight, the end. */
static void
conn_on_timer(struct loop *l, void *arg)
{
	struct fetch_conn *c = arg;

	if (!c->opening || c->handshaking)
		return;
	if (c->ntries == 0) {
		conn_opened(c, c->last_err);
		return;
	}
	conn_try_next(c);
	conn_step(c);
}

/* The connect timeout bounds the whole open, every attempt included. */
static void
conn_on_deadline(struct loop *l, void *arg)
{
	struct fetch_conn *c = arg;

	if (!c->opening)
		return;
	if (c->handshaking) {
		snprintf(c->why, sizeof c->why, "TLS handshake timed out");
		conn_tls_fail(c, ERR_TIMEOUT);
		return;
	}
	tries_stop(c, -1, 1);
	c->last_err = ERR_TIMEOUT;
	conn_opened(c, ERR_TIMEOUT);
}

static void
conn_on_fd(struct loop *l, int fd, int events, void *arg)
{
	struct fetch_conn *c = arg;
	int i, rc;

	if (c->handshaking && fd == c->fd) {
		conn_handshake(c);
		return;
	}
	if (!c->opening || !(events & (LOOP_WRITE | LOOP_HUP)))
		return;
	for (i = 0; i < c->ntries && c->tries[i].fd != fd; i++)
		;
	if (i == c->ntries)
		return;
	rc = net_connect_result(fd);
	if (rc == 0) {
		c->peer = c->addrs[c->tries[i].ai];
		c->fd = fd;
		c->ntries--;		/* the winner leaves the list */
		c->tries[i] = c->tries[c->ntries];
		tries_stop(c, -1, 1);
		net_set_nodelay(fd, 1);
		if (c->tls_ctx) {
			conn_tls_start(c);
			return;
		}
		loop_del_fd(c->l, fd);
		conn_opened(c, 0);
		return;
	}
	c->peer = c->addrs[c->tries[i].ai];
	try_drop(c, i);
	c->last_err = rc;
	if (c->bad)
		c->bad(c->arg, &c->peer, rc);
	/* RFC 8305 section 5: a failure starts the next attempt at once. */
	conn_try_next(c);
	conn_step(c);
}
