/* svc_server: echo, daytime and time servers on one worker's loop.
 *
 * TCP echo streams with back-pressure: bytes read go straight back out;
 * only what the socket will not take is kept (at most one read's worth),
 * and nothing more is read until it is gone. An idle connection holds no
 * buffer at all. UDP replies are never larger than the request, so the
 * services cannot amplify a spoofed flood. */
#include <errno.h>
#include <stdlib.h>
#include <sys/queue.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "net/net_acceptor.h"
#include "net/net_sock.h"
#include "svc.h"

#define SVC_SCRATCH (64 * 1024)

struct svc_conn {
	struct svc_worker *w;
	LIST_ENTRY(svc_conn) link;
	struct loop_timer idle;
	struct buf pending;	/* echo bytes the socket would not take */
	int fd;
	int peer_done;		/* the client half-closed: finish and close */
};

struct svc_worker {
	struct loop *loop;
	struct svc_config cfg;
	struct net_acceptor tcp;
	int *udp;		/* datagram sockets */
	int nudp;
	LIST_HEAD(, svc_conn) conns;
	int nconns;
	uint8_t scratch[SVC_SCRATCH];
};

static void
conn_close(struct svc_conn *c)
{
	struct svc_worker *w = c->w;

	loop_del_fd(w->loop, c->fd);
	loop_timer_del(w->loop, &c->idle);
	close(c->fd);
	buf_fini(&c->pending);
	LIST_REMOVE(c, link);
	w->nconns--;
	free(c);
}

/* Sends what is pending. Returns 1 when all went, 0 when the socket is
 * full, or -errno. */
static int
conn_flush(struct svc_conn *c)
{
	int rc = net_send_buf(c->fd, &c->pending);

	if (rc == 1)
		buf_fini(&c->pending);	/* an idle connection holds no buffer */
	return rc;
}

/* Moves bytes from the socket back to the socket until one side would
 * block. A read shorter than the buffer emptied the receive queue, and any
 * later arrival raises a new edge, so the read that would only say EAGAIN
 * is skipped (a third of the system calls of a small round trip), unless
 * the peer's FIN may be waiting behind the data (hup). Returns 0 to keep
 * the connection, negative to close it. */
static int
echo_pump(struct svc_conn *c, int hup)
{
	uint8_t *scratch = c->w->scratch;

	for (;;) {
		int rc = conn_flush(c);
		if (rc <= 0)
			return rc;
		if (c->peer_done || loop_is_stopping(c->w->loop))
			return ERR_CLOSED;
		ssize_t n = read(c->fd, scratch, SVC_SCRATCH);
		if (n == 0) {
			c->peer_done = 1;
			continue;
		}
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		ssize_t sent = send(c->fd, scratch, (size_t)n, MSG_NOSIGNAL);
		if (sent < 0 && errno != EAGAIN)
			return -errno;
		if (sent < 0)
			sent = 0;
		if (sent < n && buf_append(&c->pending, scratch + sent,
					   (size_t)(n - sent)) < 0)
			return ERR_TOOBIG;
		if (sent == n && n < SVC_SCRATCH && !hup)
			return 0;
	}
}

static void
conn_on_event(struct loop *l, int fd, int events, void *arg)
{
	struct svc_conn *c = arg;

	if (echo_pump(c, events & (LOOP_RDHUP | LOOP_HUP)) < 0) {
		conn_close(c);
		return;
	}
	loop_timer_set(l, &c->idle, c->w->cfg.idle_timeout_ms);
}

static void
conn_on_idle(struct loop *l, void *arg)
{
	conn_close(arg);
}

static void
conn_start_echo(struct svc_worker *w, int fd)
{
	struct svc_conn *c = calloc(1, sizeof *c);

	if (c == NULL || loop_add_fd(w->loop, fd, conn_on_event, c) < 0) {
		free(c);
		close(fd);
		return;
	}
	c->w = w;
	c->fd = fd;
	buf_init(&c->pending, w->cfg.echo_pending_max);
	loop_timer_init(&c->idle, conn_on_idle, c);
	loop_timer_set(w->loop, &c->idle, w->cfg.idle_timeout_ms);
	LIST_INSERT_HEAD(&w->conns, c, link);
	w->nconns++;
}

/* daytime and time answer on connect and close (RFC 867, RFC 868). */
static void
answer_and_close(struct svc_worker *w, int fd)
{
	char text[SVC_DAYTIME_LEN + 1];
	uint8_t bin[4];

	if (w->cfg.kind == SVC_DAYTIME) {
		svc_daytime_format(clock_wall(), text);
		(void)send(fd, text, SVC_DAYTIME_LEN, MSG_NOSIGNAL);
	} else {
		svc_time_format(clock_wall(), bin);
		(void)send(fd, bin, sizeof bin, MSG_NOSIGNAL);
	}
	close(fd);
}

static void
on_accept(void *arg, int fd, const struct net_addr *peer)
{
	struct svc_worker *w = arg;

	if (w->cfg.kind != SVC_ECHO)
		answer_and_close(w, fd);
	else if (w->nconns >= w->cfg.max_conns)
		close(fd);
	else
		conn_start_echo(w, fd);
}

/* The reply to one datagram, or 0 for none: never larger than the
 * request, so that a forged source address gains an attacker nothing. */
static size_t
udp_reply(struct svc_worker *w, uint8_t *msg, size_t n)
{
	switch (w->cfg.kind) {
	case SVC_ECHO:
		return n;
	case SVC_DAYTIME:
		if (n < SVC_DAYTIME_LEN)
			return 0;
		svc_daytime_format(clock_wall(), (char *)msg);
		return SVC_DAYTIME_LEN;
	case SVC_TIME:
		if (n < 4)
			return 0;
		svc_time_format(clock_wall(), msg);
		return 4;
	}
	return 0;
}

static int
port_is_privileged(const struct sockaddr_storage *ss)
{
	struct net_addr a = { .ss = *ss, .len = sizeof *ss };

	/* Two services answering each other would loop forever; nothing
	 * legitimate talks to them from a system port (inetd does alike). */
	return net_addr_port(&a) < 1024;
}

static void
on_datagram(struct loop *l, int fd, int events, void *arg)
{
	struct svc_worker *w = arg;

	for (;;) {
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof from;
		ssize_t n = recvfrom(fd, w->scratch, SVC_SCRATCH, 0,
				     (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			return;
		if (port_is_privileged(&from))
			continue;
		size_t len = udp_reply(w, w->scratch, (size_t)n);
		if (len > 0)
			(void)sendto(fd, w->scratch, len, 0,
				     (struct sockaddr *)&from, fromlen);
	}
}

/* Stop: no new clients; connections close once their bytes are out. */
static void
svc_on_stop(struct loop *l, void *arg)
{
	struct svc_worker *w = arg;

	net_acceptor_close(&w->tcp);
	loop_close_fds(l, w->udp, w->nudp);
	struct svc_conn *c = LIST_FIRST(&w->conns);
	while (c) {
		struct svc_conn *next = LIST_NEXT(c, link);
		if (buf_size(&c->pending) == 0)
			conn_close(c);
		c = next;
	}
}

struct svc_worker *
svc_worker_start(struct loop *l, const struct svc_config *c,
		 const int *tcp_fds, int ntcp, const int *udp_fds, int nudp)
{
	struct svc_worker *w = calloc(1, sizeof *w);

	if (w == NULL)
		return NULL;
	w->udp = malloc(sizeof(int) * (size_t)(nudp + 1));
	if (w->udp == NULL) {
		free(w);
		return NULL;
	}
	w->loop = l;
	w->cfg = *c;
	w->nudp = nudp;
	memcpy(w->udp, udp_fds, sizeof(int) * (size_t)nudp);
	int rc = net_acceptor_start(&w->tcp, l, tcp_fds, ntcp,
				    svc_kind_name(c->kind), on_accept, w);
	if (rc == 0)
		rc = loop_on_stop(l, svc_on_stop, w);
	for (int i = 0; i < nudp && rc == 0; i++)
		rc = loop_add_fd_read(l, w->udp[i], on_datagram, w);
	if (rc < 0) {
		log_error("%s: %s", svc_kind_name(c->kind), err_str(rc));
		svc_worker_free(w);
		return NULL;
	}
	return w;
}

void
svc_worker_free(struct svc_worker *w)
{
	if (w == NULL)
		return;
	while (!LIST_EMPTY(&w->conns))
		conn_close(LIST_FIRST(&w->conns));
	net_acceptor_close(&w->tcp);
	loop_close_fds(w->loop, w->udp, w->nudp);
	free(w->udp);
	free(w);
}
