/* resolv_stub: one question, asked of the configured servers in turn, on the
 * loop (RFC 1035 section 4.2, RFC 1123 section 6.1.3.3 for retransmission,
 * RFC 7766 section 5 for TCP after truncation, RFC 6891 section 7 for a
 * server that does not know EDNS0, RFC 5452 for what a reply must match). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "net/net_sock.h"
#include "resolv_client.h"
#include "resolv_stub.h"

#define STUB_EDNS_SIZE 1232	/* DNS flag day 2020: no fragmentation */
#define STUB_TCP_MAX (2 + DNS_MAX_MSG)

static void stub_send(struct resolv_stub *s);
static void stub_on_timer(struct loop *l, void *arg);

/* The server to ask now; with none configured, 127.0.0.1:53 as
 * resolv.conf(5) says (built in tmp: no shared state between threads). */
static const struct net_addr *
stub_server(const struct resolv_stub *s, struct net_addr *tmp)
{
	if (s->cfg->nservers > 0)
		return &s->cfg->servers[s->server];
	net_ip_parse("127.0.0.1", tmp);
	net_addr_set_port(tmp, RESOLV_PORT);
	return tmp;
}

static int
stub_nservers(const struct resolv_stub *s)
{
	return s->cfg->nservers > 0 ? s->cfg->nservers : 1;
}

static void
stub_close(struct resolv_stub *s)
{
	if (s->fd >= 0) {
		loop_del_fd(s->l, s->fd);
		close(s->fd);
		s->fd = -1;
	}
	loop_timer_del(s->l, &s->timer);
}

void
resolv_stub_init(struct resolv_stub *s, struct loop *l,
		 const struct resolv_config *cfg)
{
	memset(s, 0, sizeof *s);
	s->l = l;
	s->cfg = cfg;
	s->fd = -1;
	loop_timer_init(&s->timer, stub_on_timer, s);
}

void
resolv_stub_stop(struct resolv_stub *s)
{
	stub_close(s);
	free(s->tbuf);
	s->tbuf = NULL;
	s->done = NULL;
}

/* Ends the stub with status; the callback runs now. */
static void
stub_finish(struct resolv_stub *s, int status)
{
	resolv_stub_fn done = s->done;

	stub_close(s);
	s->status = status;
	s->done = NULL;
	if (done)
		done(s, s->arg);
}

/* This server failed or stayed silent: the next one, or the next round.
 * When every attempt is spent, the failure is reported from a timer so
 * that no caller sees its callback run inside its own call. */
static void
stub_next(struct resolv_stub *s)
{
	stub_close(s);
	s->tcp = 0;
	if (++s->server >= stub_nservers(s)) {
		s->server = 0;
		s->round++;
	}
	if (s->round >= s->cfg->attempts) {
		s->status = s->failed ? -EAGAIN : ERR_TIMEOUT;
		s->round = -1;	/* tells the timer to end the stub */
		loop_timer_set(s->l, &s->timer, 0);
		return;
	}
	stub_send(s);
}

static void
stub_on_timer(struct loop *l, void *arg)
{
	struct resolv_stub *s = arg;

	if (s->round < 0) {
		stub_finish(s, s->status);
		return;
	}
	log_debug("dns: no answer in %d ms", s->cfg->timeout_ms);
	stub_next(s);
}

/* A reply that matched the query: decide. */
static void
stub_reply(struct resolv_stub *s, const uint8_t *msg, size_t len)
{
	if (resolv_reply_read(msg, len, s->name, s->type, &s->info) < 0) {
		s->failed = 1;
		stub_next(s);
		return;
	}
	if (s->info.truncated && !s->tcp) {
		s->tcp = 1;
		stub_close(s);
		stub_send(s);
		return;
	}
	if (s->info.kind != RESOLV_REPLY_FAIL) {
		stub_finish(s, 0);
		return;
	}
	if (s->info.rcode == DNS_RCODE_FORMERR && s->edns) {
		/* RFC 6891 section 7: ask the same server again without. */
		s->edns = 0;
		stub_close(s);
		stub_send(s);
		return;
	}
	s->failed = 1;
	stub_next(s);
}

static void
stub_on_udp(struct loop *l, int fd, int events, void *arg)
{
	struct resolv_stub *s = arg;
	uint8_t msg[DNS_MAX_MSG];

	for (;;) {
		ssize_t n = recv(fd, msg, sizeof msg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			/* ICMP port unreachable and the like. */
			stub_next(s);
			return;
		}
		if (resolv_reply_matches(s->q, s->qlen, msg, (size_t)n)) {
			stub_reply(s, msg, (size_t)n);
			return;
		}
		log_debug("dns: ignored a reply that does not match");
	}
}

/* TCP: write the prefixed query once connected, then read the prefixed
 * reply. The query is small: one write is enough or the server failed. */
static void
stub_on_tcp(struct loop *l, int fd, int events, void *arg)
{
	struct resolv_stub *s = arg;

	if (s->tlen == SIZE_MAX && (events & (LOOP_WRITE | LOOP_HUP))) {
		uint8_t out[2 + RESOLV_STUB_QMAX];
		out[0] = (uint8_t)(s->qlen >> 8);
		out[1] = (uint8_t)s->qlen;
		memcpy(out + 2, s->q, s->qlen);
		if (net_connect_result(fd) < 0 ||
		    send(fd, out, s->qlen + 2, MSG_NOSIGNAL) !=
			    (ssize_t)(s->qlen + 2)) {
			stub_next(s);
			return;
		}
		s->tlen = 0;
	}
	if (s->tlen == SIZE_MAX || !(events & LOOP_READ))
		return;
	for (;;) {
		size_t want = s->tlen < 2 ? 2 :
			2 + ((size_t)s->tbuf[0] << 8 | s->tbuf[1]);
		if (s->tlen == want && want > 2)
			break;
		ssize_t n = recv(fd, s->tbuf + s->tlen, want - s->tlen, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			stub_next(s);
			return;
		}
		s->tlen += (size_t)n;
	}
	if (!resolv_reply_matches(s->q, s->qlen, s->tbuf + 2, s->tlen - 2)) {
		s->failed = 1;
		stub_next(s);
		return;
	}
	stub_reply(s, s->tbuf + 2, s->tlen - 2);
}

static int
stub_open(struct resolv_stub *s, const struct net_addr *server)
{
	int fd;

	if (s->tcp) {
		if (s->tbuf == NULL && (s->tbuf = malloc(STUB_TCP_MAX)) == NULL)
			return -ENOMEM;
		s->tlen = SIZE_MAX;	/* connecting */
		fd = net_connect_start(server, SOCK_STREAM);
		if (fd < 0)
			return fd;
		s->fd = fd;
		return loop_add_fd(s->l, fd, stub_on_tcp, s);
	}
	fd = net_connect_start(server, SOCK_DGRAM);
	if (fd < 0)
		return fd;
	s->fd = fd;
	int rc = loop_add_fd_read(s->l, fd, stub_on_udp, s);
	if (rc == 0 && send(fd, s->q, s->qlen, MSG_NOSIGNAL) < 0)
		rc = -errno;
	return rc;
}

/* Builds a query with a fresh ID and sends it to the current server (a
 * new socket, so a new source port, each time). */
static void
stub_send(struct resolv_stub *s)
{
	struct resolv_client c = { .rd = 1,
				.edns_size = s->edns ? STUB_EDNS_SIZE : 0 };
	uint16_t id;

	if (getrandom(&id, sizeof id, 0) != sizeof id)
		id = (uint16_t)(rand() & 0xffff);
	int n = resolv_query_build(&c, id, s->name, s->type, s->q, sizeof s->q);
	if (n < 0) {
		s->failed = 1;
		s->round = s->cfg->attempts;
		stub_next(s);
		return;
	}
	s->qlen = (size_t)n;
	struct net_addr tmp;
	int rc = stub_open(s, stub_server(s, &tmp));
	if (rc < 0) {
		log_debug("dns: cannot ask a server: %s", err_str(rc));
		stub_next(s);
		return;
	}
	loop_timer_set(s->l, &s->timer, s->cfg->timeout_ms);
}

void
resolv_stub_start(struct resolv_stub *s, const uint8_t *name, uint16_t type,
		  resolv_stub_fn done, void *arg)
{
	stub_close(s);
	memcpy(s->name, name, dns_name_len(name));
	s->type = type;
	s->done = done;
	s->arg = arg;
	s->server = 0;
	s->round = 0;
	s->tcp = 0;
	s->edns = !s->cfg->no_edns;
	s->failed = 0;
	s->status = 0;
	stub_send(s);
}
