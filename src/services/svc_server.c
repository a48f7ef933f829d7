/* svc_server: echo, daytime and time servers on one worker's loop.
 *
 * TCP echo streams with back-pressure: bytes read go straight back out;
 * only what the socket will not take is kept (at most one read's worth),
 * and nothing more is read until it is gone. An idle connection holds no
 * buffer at all. UDP replies are never larger than the request, so the
 * services cannot amplify a spoofed flood. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/loop.h"
#include "net/net_service.h"
#include "net/net_sock.h"
#include "net/net_stream.h"
#include "svc.h"

#define SVC_SCRATCH (64 * 1024)

struct svc_worker {
	struct loop *loop;
	struct svc_config cfg;
	struct net_service sockets;
	/* echo over TCP (net_stream): out holds the bytes the socket would
	 * not take */
	struct net_streams conns;
	uint8_t scratch[SVC_SCRATCH];
};

/* Sends what is pending. Returns 1 when all went, 0 when the socket is
 * full, or -errno. */
static int
conn_flush(struct net_stream *c)
{
	int rc = net_send_buf(c->fd, &c->out);

	if (rc == 1)
		buf_fini(&c->out);	/* an idle connection holds no buffer */
	return rc;
}

/* Moves bytes from the socket back to the socket until one side would
 * block. A read shorter than the buffer emptied the receive queue, and any
 * later arrival raises a new edge, so the read that would only say EAGAIN
 * is skipped (a third of the system calls of a small round trip), unless
 * the peer's FIN may be waiting behind the data (hup). Returns 0 to keep
 * the connection, negative to close it. */
static int
echo_pump(struct net_stream *c, int events)
{
	struct svc_worker *w = c->set->arg;
	uint8_t *scratch = w->scratch;
	int hup = events & (LOOP_RDHUP | LOOP_HUP);

	for (;;) {
		int rc = conn_flush(c);
		if (rc <= 0)
			return rc;
		if (c->peer_done || loop_is_stopping(w->loop))
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
		if (sent < n && buf_append(&c->out, scratch + sent,
					   (size_t)(n - sent)) < 0)
			return ERR_TOOBIG;
		if (sent == n && n < SVC_SCRATCH && !hup)
			return 0;
	}
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
	else
		(void)net_stream_accept(&w->conns, fd);
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

	net_service_close(&w->sockets);
	net_streams_stop(&w->conns);
}

struct svc_worker *
svc_worker_start(struct loop *l, const struct svc_config *c,
		 const int *tcp_fds, int ntcp, const int *udp_fds, int nudp)
{
	struct svc_worker *w = calloc(1, sizeof *w);
	struct net_service_config sc = {
		svc_kind_name(c->kind), tcp_fds, ntcp, on_accept, udp_fds,
		nudp, on_datagram, svc_on_stop, w,
	};

	if (w == NULL)
		return NULL;
	w->loop = l;
	w->cfg = *c;
	/* echo over TCP: only the pending bytes are buffered */
	net_streams_init(&w->conns, l, sizeof(struct net_stream), c->max_conns,
			 c->idle_timeout_ms, 0, c->echo_pending_max, echo_pump,
			 w);
	if (net_service_start(&w->sockets, l, &sc) < 0) {
		svc_worker_free(w);
		w = NULL;
	}
	return w;
}

void
svc_worker_free(struct svc_worker *w)
{
	if (w == NULL)
		return;
	net_streams_close_all(&w->conns);
	net_service_close(&w->sockets);
	free(w);
}
