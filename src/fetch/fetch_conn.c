/* fetch_conn: the plain TCP transport, and the opening of a client
 * connection over a host's addresses by Happy Eyeballs (RFC 8305 section
 * 5; RFC 1123 section 2.3: try each address of a multihomed host). */
#include <errno.h>
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

static void conn_on_fd(struct loop *l, int fd, int events, void *arg);
static void conn_on_timer(struct loop *l, void *arg);
static void conn_on_deadline(struct loop *l, void *arg);

void
fetch_conn_init(struct fetch_conn *c, struct loop *l)
{
	c->l = l;
	c->fd = -1;
	c->t = NULL;
	c->opening = 0;
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
	if (c->fd >= 0)
		c->t->close(c);
	c->fd = -1;
	c->t = NULL;
	c->opening = 0;
}

/* The open is over: hand the connection (or the error) to the owner. */
static void
conn_opened(struct fetch_conn *c, int status)
{
	loop_timer_del(c->l, &c->timer);
	loop_timer_del(c->l, &c->deadline);
	c->opening = 0;
	if (status == 0) {
		net_set_nodelay(c->fd, 1);
		c->t = &tcp_transport;
	}
	c->done(c->arg, status);
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
		     int n, int timeout_ms, fetch_conn_fn done,
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
	loop_timer_set(c->l, &c->deadline, timeout_ms);
	conn_step(c);
}

/* The stagger passed with no winner: one more attempt (RFC 8305 section
 * 5); or, with nothing in flight, the end. */
static void
conn_on_timer(struct loop *l, void *arg)
{
	struct fetch_conn *c = arg;

	if (!c->opening)
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
	tries_stop(c, -1, 1);
	c->last_err = ERR_TIMEOUT;
	conn_opened(c, ERR_TIMEOUT);
}

static void
conn_on_fd(struct loop *l, int fd, int events, void *arg)
{
	struct fetch_conn *c = arg;
	int i, rc;

	if (!c->opening || !(events & (LOOP_WRITE | LOOP_HUP)))
		return;
	for (i = 0; i < c->ntries && c->tries[i].fd != fd; i++)
		;
	if (i == c->ntries)
		return;
	rc = net_connect_result(fd);
	if (rc == 0) {
		c->peer = c->addrs[c->tries[i].ai];
		loop_del_fd(c->l, fd);
		c->fd = fd;
		c->ntries--;		/* the winner leaves the list */
		c->tries[i] = c->tries[c->ntries];
		tries_stop(c, -1, 1);
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
