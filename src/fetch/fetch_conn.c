/* fetch_conn: the plain TCP transport, and the opening of a client
 * connection over a host's addresses, one at a time (RFC 1123 section
 * 2.3: try each address of a multihomed host). */
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

void
fetch_conn_init(struct fetch_conn *c, struct loop *l)
{
	c->l = l;
	c->fd = -1;
	c->t = NULL;
	c->opening = 0;
	loop_timer_init(&c->timer, conn_on_timer, c);
}

void
fetch_conn_close(struct fetch_conn *c)
{
	loop_timer_del(c->l, &c->timer);
	if (c->fd >= 0 && c->opening) {
		loop_del_fd(c->l, c->fd);
		close(c->fd);
	} else if (c->fd >= 0) {
		c->t->close(c);
	}
	c->fd = -1;
	c->t = NULL;
	c->opening = 0;
}

/* The open is over: hand the connection (or the error) to the owner. */
static void
conn_opened(struct fetch_conn *c, int status)
{
	loop_timer_del(c->l, &c->timer);
	c->opening = 0;
	if (status == 0) {
		loop_del_fd(c->l, c->fd);
		net_set_nodelay(c->fd, 1);
		c->t = &tcp_transport;
	}
	c->done(c->arg, status);
}

/* Tries addrs[ai], then the following ones, until one is in progress;
 * when none is left, the last error is reported from the timer. */
static void
conn_try(struct fetch_conn *c)
{
	while (c->ai < c->naddrs) {
		const struct net_addr *a = &c->addrs[c->ai];
		int fd = net_connect_start(a, SOCK_STREAM);
		if (fd >= 0 && loop_add_fd(c->l, fd, conn_on_fd, c) == 0) {
			c->fd = fd;
			c->peer = *a;
			loop_timer_set(c->l, &c->timer, c->timeout_ms);
			return;
		}
		if (fd >= 0) {
			close(fd);
			fd = -ENOMEM;
		}
		c->last_err = fd;
		c->ai++;
	}
	if (c->last_err == 0)
		c->last_err = -ECONNREFUSED;
	loop_timer_set(c->l, &c->timer, 0);
}

/* The attempt on addrs[ai] failed with err: the next address. */
static void
conn_next(struct fetch_conn *c, int err)
{
	loop_del_fd(c->l, c->fd);
	close(c->fd);
	c->fd = -1;
	c->last_err = err;
	c->ai++;
	conn_try(c);
}

void
fetch_conn_open(struct fetch_conn *c, const struct net_addr *addrs,
		     int n, int timeout_ms, fetch_conn_fn done, void *arg)
{
	fetch_conn_close(c);
	c->addrs = addrs;
	c->naddrs = n;
	c->ai = 0;
	c->last_err = 0;
	c->timeout_ms = timeout_ms;
	c->done = done;
	c->arg = arg;
	c->opening = 1;
	conn_try(c);
}

static void
conn_on_timer(struct loop *l, void *arg)
{
	struct fetch_conn *c = arg;

	if (!c->opening)
		return;
	if (c->fd >= 0)
		conn_next(c, ERR_TIMEOUT);
	else
		conn_opened(c, c->last_err);
}

static void
conn_on_fd(struct loop *l, int fd, int events, void *arg)
{
	struct fetch_conn *c = arg;
	int rc;

	if (!c->opening || !(events & (LOOP_WRITE | LOOP_HUP)))
		return;
	rc = net_connect_result(fd);
	if (rc < 0)
		conn_next(c, rc);
	else
		conn_opened(c, 0);
}
