/* dns_server: moves DNS messages between sockets and dns_answer. UDP in
 * batches (recvmmsg/sendmmsg); TCP with the 2-byte length prefix, several
 * queries per connection, an idle timeout and a cap on connections (RFC
 * 7766 sections 6.2 and 6.2.3). Each worker reads the shared database
 * under its hazard slot, so a reload never frees what is in use. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "dns_answer.h"
#include "dns_rrl.h"
#include "dns_server.h"
#include "dns_xfrd.h"
#include "net/net_service.h"
#include "net/net_sock.h"
#include "net/net_stream.h"

#define UDP_BATCH DNS_ANSWER_BATCH
#define UDP_IN_MAX 4096		/* larger queries are dropped */
#define TCP_FRAME_MAX (2 + DNS_MAX_MSG)
#define TCP_OUT_MAX (4 * TCP_FRAME_MAX)	/* replies the client has not read */
#define TCP_READ_CHUNK 1024

struct udp_batch {
	struct mmsghdr in[UDP_BATCH], out[UDP_BATCH];
	struct iovec iov_in[UDP_BATCH], iov_out[UDP_BATCH];
	struct sockaddr_storage from[UDP_BATCH];
	uint8_t q[UDP_BATCH][UDP_IN_MAX];
	uint8_t *r[UDP_BATCH];	/* cfg.udp_max bytes each */
	struct dns_msg m[UDP_BATCH];
};

struct dns_worker {
	struct loop *loop;
	struct dns_served *served;
	int index;
	struct dns_server_config cfg;
	struct net_service sockets;
	struct net_streams conns;	/* TCP (net_stream) */
	struct udp_batch *udp;
	uint8_t *replies;	/* the UDP reply buffers, in one block */
	uint8_t scratch[TCP_FRAME_MAX];
};

int
dns_served_init(struct dns_served *s, struct dns_db *db, int nworkers)
{
	s->slots = aligned_alloc(64, sizeof *s->slots * (size_t)nworkers);
	if (s->slots == NULL)
		return -ENOMEM;
	memset(s->slots, 0, sizeof *s->slots * (size_t)nworkers);
	for (int i = 0; i < nworkers; i++)
		atomic_init(&s->slots[i].db, NULL);
	s->nslots = nworkers;
	atomic_init(&s->db, db);
	return 0;
}

void
dns_served_stats(const struct dns_served *s, struct dns_stats *out)
{
	memset(out, 0, sizeof *out);
	for (int i = 0; i < s->nslots; i++) {
		const struct dns_hazard *h = &s->slots[i];
		out->queries += __atomic_load_n(&h->queries, __ATOMIC_RELAXED);
		for (int k = 0; k < DNS_STATS_RCODES; k++)
			out->rcode[k] += __atomic_load_n(&h->rcode[k],
							 __ATOMIC_RELAXED);
		out->rrl_limited += __atomic_load_n(&h->rrl.limited,
						    __ATOMIC_RELAXED);
		out->rrl_slipped += __atomic_load_n(&h->rrl.slipped,
						    __ATOMIC_RELAXED);
		out->rrl_dropped += __atomic_load_n(&h->rrl.dropped,
						    __ATOMIC_RELAXED);
	}
}

struct dns_db *
dns_served_publish(struct dns_served *s, struct dns_db *db)
{
	return atomic_exchange(&s->db, db);
}

void
dns_served_retire(struct dns_served *s, struct dns_db *old)
{
	struct timespec ms = { 0, 1000000 };

	for (int i = 0; i < s->nslots; i++)
		while (atomic_load(&s->slots[i].db) == old)
			nanosleep(&ms, NULL);
	dns_db_free(old);
}

void
dns_served_swap(struct dns_served *s, struct dns_db *db)
{
	dns_served_retire(s, dns_served_publish(s, db));
}

void
dns_served_fini(struct dns_served *s)
{
	dns_db_free(atomic_load(&s->db));
	free(s->slots);
	s->slots = NULL;
}

/* A TCP connection is writing while replies wait in its output buffer:
 * it reads no more queries until they are out. */
static int
conn_writing(const struct net_stream *c)
{
	return buf_size(&c->out) > 0;
}

/* Sends one framed reply, keeping what the socket does not take. */
static int
conn_send(struct net_stream *c, const uint8_t *p, size_t n)
{
	ssize_t sent = 0;

	if (buf_size(&c->out) == 0) {
		sent = send(c->fd, p, n, MSG_NOSIGNAL);
		if (sent < 0 && errno != EAGAIN)
			return -errno;
		if (sent < 0)
			sent = 0;
	}
	if ((size_t)sent == n)
		return 0;
	return buf_append(&c->out, p + sent, n - (size_t)sent);
}

/* Answers every complete query in the input buffer. A query whose reply
 * is nothing (unreadable header) ends the connection. */
static int
conn_answer(struct net_stream *c)
{
	struct dns_worker *w = c->set->arg;

	while (buf_size(&c->in) >= 2 && !conn_writing(c)) {
		const uint8_t *p = buf_data(&c->in);
		size_t qlen = (size_t)p[0] << 8 | p[1];
		if (buf_size(&c->in) < 2 + qlen)
			return 0;
		struct dns_msg m = { p + 2, qlen, w->scratch + 2, 0, 0 };
		struct dns_db *db = dns_served_enter(w->served, w->index);
		int xfr = w->cfg.xfrd ? dns_xfrd_tcp(w->cfg.xfrd, w->loop,
						     c->fd, db, m.q, qlen, m.r,
						     DNS_MAX_MSG, &m.rlen) : 0;
		if (xfr == 0)
			dns_answer(db, &m, 1, DNS_MAX_MSG, 1);
		dns_served_leave(w->served, w->index);
		if (xfr == 2) {
			c->fd = -1;	/* a transfer took it over */
			return ERR_CLOSED;
		}
		buf_consume(&c->in, 2 + qlen);
		size_t n = m.rlen;
		if (n == 0)
			return ERR_PARSE;
		dns_served_count(w->served, w->index, w->scratch + 2);
		w->scratch[0] = (uint8_t)(n >> 8);
		w->scratch[1] = (uint8_t)n;
		int rc = conn_send(c, w->scratch, n + 2);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
conn_read(struct net_stream *c)
{
	size_t want = TCP_READ_CHUNK;

	if (buf_size(&c->in) >= 2) {
		const uint8_t *p = buf_data(&c->in);
		size_t frame = 2 + ((size_t)p[0] << 8 | p[1]);
		if (frame - buf_size(&c->in) > want)
			want = frame - buf_size(&c->in);
	}
	if (buf_size(&c->in) + want > TCP_FRAME_MAX)
		want = TCP_FRAME_MAX - buf_size(&c->in);
	int rc = buf_reserve(&c->in, want);
	if (rc < 0)
		return rc;
	ssize_t n = read(c->fd, buf_tail(&c->in), want);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (n == 0) {
		c->peer_done = 1;
		return 1;
	}
	buf_commit(&c->in, (size_t)n);
	return 1;
}

/* The connection's state machine: flush, answer, read, until the socket
 * would block. Returns 0 to keep the connection, negative to close it. */
static int
conn_pump(struct net_stream *c, int events)
{
	for (;;) {
		int rc;
		if (conn_writing(c)) {
			rc = net_send_buf(c->fd, &c->out);
			if (rc <= 0)
				return rc;
			continue;
		}
		rc = conn_answer(c);
		if (rc < 0)
			return rc;
		if (conn_writing(c))
			continue;
		if (c->peer_done || loop_is_stopping(c->set->loop))
			return ERR_CLOSED;
		rc = conn_read(c);
		if (rc <= 0)
			return rc;
	}
}

static void
on_accept(void *arg, int fd, const struct net_addr *peer)
{
	struct dns_worker *w = arg;

	(void)net_stream_accept(&w->conns, fd);
}

/* Once per worker: the kernel changes only msg_len, msg_namelen and
 * msg_flags of the headers it fills, and udp_rearm restores those. */
static void
udp_prepare(struct udp_batch *b)
{
	for (int i = 0; i < UDP_BATCH; i++) {
		b->iov_in[i] = (struct iovec){ b->q[i], UDP_IN_MAX };
		memset(&b->in[i].msg_hdr, 0, sizeof b->in[i].msg_hdr);
		b->in[i].msg_hdr.msg_name = &b->from[i];
		b->in[i].msg_hdr.msg_namelen = sizeof b->from[i];
		b->in[i].msg_hdr.msg_iov = &b->iov_in[i];
		b->in[i].msg_hdr.msg_iovlen = 1;
	}
}

static void
udp_rearm(struct udp_batch *b, int n)
{
	for (int i = 0; i < n; i++)
		b->in[i].msg_hdr.msg_namelen = sizeof b->from[i];
}

/* Answers a batch of n datagrams; returns how many replies to send. */
/* With zone transfer configured: TSIG, NOTIFY, IXFR and the secondary
 * zones' SERVFAIL first (dns_xfrd_udp); the rest as usual. */
static void
udp_xfrd(struct dns_worker *w, const struct dns_db *db, int n)
{
	struct udp_batch *b = w->udp;
	size_t mine[UDP_BATCH];

	for (int i = 0; i < n; i++) {
		mine[i] = b->m[i].qlen == 0 ? 0 :
			dns_xfrd_udp(w->cfg.xfrd, db, &b->from[i], b->m[i].q,
				     b->m[i].qlen, b->m[i].r,
				     (size_t)w->cfg.udp_max);
		if (mine[i])
			b->m[i].qlen = 0;
	}
	dns_answer(db, b->m, n, (size_t)w->cfg.udp_max, 0);
	for (int i = 0; i < n; i++)
		if (mine[i])
			b->m[i].rlen = mine[i] == DNS_XFRD_DROP ? 0 : mine[i];
}

static int
udp_answer(struct dns_worker *w, int n)
{
	struct udp_batch *b = w->udp;
	int k = 0;

	/* A datagram cut short is no query. */
	for (int i = 0; i < n; i++)
		b->m[i].qlen = b->in[i].msg_hdr.msg_flags & MSG_TRUNC ? 0 :
			b->in[i].msg_len;
	struct dns_db *db = dns_served_enter(w->served, w->index);
	if (w->cfg.xfrd)
		udp_xfrd(w, db, n);
	else
		dns_answer(db, b->m, n, (size_t)w->cfg.udp_max, 0);
	dns_served_leave(w->served, w->index);
	struct dns_rrl *rrl = w->cfg.rrl;
	struct dns_rrl_stats *st = &w->served->slots[w->index].rrl;
	int64_t now = rrl ? clock_mono_ms() : 0;
	for (int i = 0; i < n; i++) {
		size_t len = b->m[i].rlen;
		if (len > 0 && rrl)
			len = dns_rrl_reply(rrl, st,
					    (struct sockaddr *)&b->from[i],
					    b->r[i], len, b->m[i].qname,
					    w->index, now);
		if (len == 0)
			continue;
		dns_served_count(w->served, w->index, b->r[i]);
		b->iov_out[k] = (struct iovec){ b->r[i], len };
		memset(&b->out[k].msg_hdr, 0, sizeof b->out[k].msg_hdr);
		b->out[k].msg_hdr.msg_name = &b->from[i];
		b->out[k].msg_hdr.msg_namelen = b->in[i].msg_hdr.msg_namelen;
		b->out[k].msg_hdr.msg_iov = &b->iov_out[k];
		b->out[k].msg_hdr.msg_iovlen = 1;
		k++;
	}
	return k;
}

static void
on_datagram(struct loop *l, int fd, int events, void *arg)
{
	struct dns_worker *w = arg;
	struct udp_batch *b = w->udp;

	for (;;) {
		int n = recvmmsg(fd, b->in, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		int k = udp_answer(w, n), sent = 0;
		udp_rearm(b, n);
		/* A full send buffer drops replies, as a busy network would. */
		while (sent < k) {
			int r = sendmmsg(fd, b->out + sent,
					 (unsigned)(k - sent), MSG_DONTWAIT);
			if (r <= 0)
				break;
			sent += r;
		}
		/* A short batch emptied the queue; the fd is edge-triggered
		 * and any datagram queued since raises a new event, so the
		 * read that would only say EAGAIN is saved (as NSD and Knot
		 * read once per event). */
		if (n < UDP_BATCH)
			return;
	}
}

/* Stop: no new queries; connections close once their replies are out. */
static void
dns_on_stop(struct loop *l, void *arg)
{
	struct dns_worker *w = arg;

	net_service_close(&w->sockets);
	net_streams_stop(&w->conns);
}

static struct dns_worker *
worker_new(struct dns_served *s, int index, const struct dns_server_config *c)
{
	struct dns_worker *w = calloc(1, sizeof *w);

	if (w == NULL)
		return NULL;
	w->udp = calloc(1, sizeof *w->udp);
	w->replies = malloc((size_t)c->udp_max * UDP_BATCH);
	if (w->udp == NULL || w->replies == NULL) {
		free(w->udp);
		free(w->replies);
		free(w);
		return NULL;
	}
	for (int i = 0; i < UDP_BATCH; i++) {
		w->udp->r[i] = w->replies + (size_t)i * (size_t)c->udp_max;
		w->udp->m[i].q = w->udp->q[i];
		w->udp->m[i].r = w->udp->r[i];
	}
	udp_prepare(w->udp);
	w->served = s;
	w->index = index;
	w->cfg = *c;
	return w;
}

struct dns_worker *
dns_worker_start(struct loop *l, struct dns_served *s, int index,
		 const struct dns_server_config *c, const int *tcp_fds,
		 int ntcp, const int *udp_fds, int nudp)
{
	struct dns_worker *w = worker_new(s, index, c);
	struct net_service_config sc = {
		"dns", tcp_fds, ntcp, on_accept, udp_fds, nudp, on_datagram,
		dns_on_stop, w,
	};

	if (w == NULL)
		return NULL;
	w->loop = l;
	/* TCP: queries framed by their length (RFC 7766 section 8) */
	net_streams_init(&w->conns, l, sizeof(struct net_stream), c->max_conns,
			 c->idle_timeout_ms, TCP_FRAME_MAX, TCP_OUT_MAX,
			 conn_pump, w);
	if (net_service_start(&w->sockets, l, &sc) == 0)
		return w;
	dns_worker_free(w);
	return NULL;
}

void
dns_worker_free(struct dns_worker *w)
{
	if (w == NULL)
		return;
	net_streams_close_all(&w->conns);
	net_service_close(&w->sockets);
	free(w->udp);
	free(w->replies);
	free(w);
}
