/* dns_xfr_out: the primary side of zone transfer on a worker's loop.
 * Every query passes here first once transfers are configured: TSIG is
 * checked (RFC 8945 section 5.2), NOTIFY goes to the secondaries, AXFR
 * and IXFR are checked against --allow-transfer and answered; anything
 * else signed is answered as usual and signed. Over TCP a transfer takes
 * the connection over and streams the zone a message at a time, a few
 * messages per turn of the loop so that UDP answers never wait long. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/loop.h"
#include "dns_answer.h"
#include "dns_serial.h"
#include "dns_xfr.h"
#include "dns_xfrd.h"

#define TSIG_ROOM 400		/* a TSIG record's bytes, at most */
#define MSGS_PER_TURN 8

/* What a query is, once read and its TSIG checked. */
struct req {
	struct dns_xfr_q q;
	int opcode;
	int signed_;		/* carried a TSIG */
	struct dns_tsig_rr t;
	const struct dns_tsig_key *key;	/* verified key */
	struct dns_tsig_ctx ctx;	/* when key: for the reply */
	int tsig_error;
};

static uint64_t
now_s(const struct dns_xfrd *x)
{
	return (uint64_t)(x->now ? x->now() : time(NULL));
}

/* Reads the query and checks its TSIG. Returns 0, 1 when the query is
 * not ours (no TSIG, an ordinary question), or -1 (malformed). */
static int
req_read(struct dns_xfrd *x, const uint8_t *q, size_t qlen, struct req *r)
{
	memset(r, 0, sizeof *r);
	if (qlen < DNS_HDR_SIZE || (q[2] & 0x80))
		return -1;
	r->opcode = (q[2] >> 3) & 0xf;
	if (dns_xfr_query_read(q, qlen, &r->q) < 0)
		return -1;
	int rc = dns_tsig_find(q, qlen, &r->t);
	if (rc < 0)
		return -1;
	r->signed_ = rc;
	if (!rc && r->opcode == 0 && r->q.type != DNS_T_AXFR &&
	    r->q.type != DNS_T_IXFR)
		return 1;
	if (!rc)
		return 0;
	r->key = dns_tsig_lookup(x->keys, x->nkeys, &r->t);
	if (r->key == NULL) {
		r->tsig_error = DNS_TSIG_BADKEY;
		return 0;
	}
	if (dns_tsig_ctx_init(&r->ctx, r->key) < 0)
		return -1;
	rc = dns_tsig_verify(&r->ctx, q, qlen, &r->t, now_s(x), 0);
	if (rc < 0)
		return -1;
	r->tsig_error = rc;
	if (rc == DNS_TSIG_BADSIG)
		r->key = NULL;
	return 0;
}

static void
req_fini(struct req *r)
{
	if (r->ctx.mac)
		dns_tsig_ctx_fini(&r->ctx);
}

/* Signs a reply when the query was signed: with the key when it was
 * verified, else the unsigned error record (RFC 8945 section 5.3.2). */
static size_t
req_sign(struct dns_xfrd *x, struct req *r, uint8_t *out, size_t len,
	 size_t outsz)
{
	int rc = 0;

	if (!r->signed_)
		return len;
	if (r->key)
		rc = dns_tsig_sign(&r->ctx, out, &len, outsz, now_s(x),
				   (uint16_t)r->tsig_error, 0);
	else
		rc = dns_tsig_unsigned(out, &len, outsz, &r->t,
				       (uint16_t)r->tsig_error);
	return rc < 0 ? 0 : len;
}

static size_t
req_reply(struct dns_xfrd *x, struct req *r, int rcode, uint8_t *out,
	  size_t outsz)
{
	size_t n = dns_xfr_reply(&r->q, rcode, rcode == 0 || rcode == 9, out,
				 outsz - TSIG_ROOM);

	return n ? req_sign(x, r, out, n, outsz) : 0;
}

/* The zone whose apex is the question's name, or NULL. */
static const struct dns_zone *
req_zone(const struct dns_db *db, const struct req *r)
{
	const struct dns_zone *z = dns_db_zone(db, r->q.name);

	return z && dns_name_equal(z->apex, r->q.name) ? z : NULL;
}

/* An ordinary query that was signed: answered without its TSIG record,
 * then signed. */
static size_t
answer_signed(struct dns_xfrd *x, const struct dns_db *db, struct req *r,
	      const uint8_t *q, int tcp, uint8_t *out, size_t outsz)
{
	uint8_t in[DNS_MAX_MSG];
	size_t n = r->t.off;

	memcpy(in, q, n);
	unsigned ar = (unsigned)(in[10] << 8 | in[11]) - 1;
	in[10] = (uint8_t)(ar >> 8);
	in[11] = (uint8_t)ar;
	struct dns_msg m = { in, n, out, 0, 0 };
	dns_answer(db, &m, 1, outsz - TSIG_ROOM, tcp);
	return m.rlen ? req_sign(x, r, out, m.rlen, outsz) : 0;
}

/* UDP IXFR: the differences when they fit, else the SOA alone (RFC 1995
 * section 2), which sends the client to TCP. */
static size_t
ixfr_udp(struct dns_xfrd *x, const struct dns_zone *z, struct req *r,
	 uint8_t *out, size_t outsz)
{
	struct dns_xfr_src s;
	struct buf list;
	size_t n = 0;

	buf_init(&list, DNS_MAX_MSG);
	pthread_mutex_lock(&x->lock);
	struct dns_journal *j = dns_xfrd_journal(x, z->apex, 0);
	int rc = j && r->q.has_serial ?
		dns_journal_ixfr(j, r->q.serial, z, &list) : 0;
	pthread_mutex_unlock(&x->lock);
	if (rc == 1) {
		dns_xfr_src_list(&s, buf_data(&list), buf_size(&list));
		n = dns_xfr_msg(&s, &r->q, 1, out, outsz, TSIG_ROOM);
		if (dns_xfr_src_get(&s, &(struct dns_xfr_rec){ 0 }))
			n = 0;
	}
	buf_fini(&list);
	if (n == 0) {
		dns_xfr_src_zone(&s, z);
		s.phase = 2;	/* the SOA alone */
		n = dns_xfr_msg(&s, &r->q, 1, out, outsz, TSIG_ROOM);
	}
	return n ? req_sign(x, r, out, n, outsz) : 0;
}

/* Decides what a query gets, short of streaming a transfer. Returns the
 * reply length, 0 when the ordinary answer goes, DNS_XFRD_DROP, or
 * (TCP) 1 with *zone set: stream that zone. */
static size_t
decide(struct dns_xfrd *x, const struct dns_db *db,
       const struct sockaddr_storage *from, struct req *r, const uint8_t *q,
       size_t qlen, int tcp, uint8_t *out, size_t outsz,
       const struct dns_zone **zone)
{
	int rc = req_read(x, q, qlen, r);

	if (rc < 0)
		return 0;	/* dns_answer says FORMERR or drops it */
	if (rc == 1) {
		if (x->nsec && dns_secondary_dead(x, r->q.name))
			return req_reply(x, r, DNS_RCODE_SERVFAIL, out, outsz);
		return 0;
	}
	if (r->tsig_error)
		return req_reply(x, r, DNS_RCODE_NOTAUTH, out, outsz);
	if (r->opcode == DNS_OPCODE_NOTIFY) {
		dns_xfrd_note(x, DNS_XFRD_NOTIFY_IN);
		rc = r->q.type == DNS_T_SOA ?
			dns_secondary_notified(x, r->q.name, from, r->key) :
			DNS_RCODE_FORMERR;
		return req_reply(x, r, rc, out, outsz);
	}
	if (r->opcode != 0)
		return 0;
	if (r->q.type != DNS_T_AXFR && r->q.type != DNS_T_IXFR) {
		if (x->nsec && dns_secondary_dead(x, r->q.name))
			return req_reply(x, r, DNS_RCODE_SERVFAIL, out, outsz);
		return answer_signed(x, db, r, q, tcp, out, outsz);
	}
	const struct dns_zone *z = req_zone(db, r);
	if (z == NULL)
		return req_reply(x, r, DNS_RCODE_NOTAUTH, out, outsz);
	if (!dns_xfrd_allowed(x, from, r->key))
		return req_reply(x, r, DNS_RCODE_REFUSED, out, outsz);
	if (!tcp && r->q.type == DNS_T_AXFR)
		return req_reply(x, r, DNS_RCODE_FORMERR, out, outsz);
	dns_xfrd_note(x, r->q.type == DNS_T_IXFR ? DNS_XFRD_IXFR_OUT :
		      DNS_XFRD_AXFR_OUT);
	if (!tcp)
		return ixfr_udp(x, z, r, out, outsz);
	*zone = z;
	return 1;
}

size_t
dns_xfrd_udp(struct dns_xfrd *x, const struct dns_db *db,
	     const struct sockaddr_storage *from, const uint8_t *q,
	     size_t qlen, uint8_t *out, size_t outsz)
{
	struct req r;
	const struct dns_zone *z = NULL;

	size_t n = decide(x, db, from, &r, q, qlen, 0, out, outsz, &z);
	req_fini(&r);
	return n;
}

/* A transfer going out on its own connection. */
struct xfr_conn {
	struct dns_xfrd *x;
	struct loop *loop;
	int fd;
	struct dns_zone *zone;	/* a reference */
	struct dns_xfr_q q;
	struct dns_xfr_src src;
	struct buf list;	/* IXFR: the records */
	struct req r;		/* its TSIG context signs each message */
	struct loop_timer turn, stall;
	int first;
	int ixfr_pending;	/* the journal is read on the first turn,
				 * out of the worker's hold on the database */
	size_t len, off;
	uint8_t msg[2 + DNS_MAX_MSG];
};

static void
xc_close(struct xfr_conn *c)
{
	loop_del_fd(c->loop, c->fd);
	loop_timer_del(c->loop, &c->turn);
	loop_timer_del(c->loop, &c->stall);
	close(c->fd);
	dns_zone_unref(c->zone);
	buf_fini(&c->list);
	req_fini(&c->r);
	free(c);
}

/* The next message, framed and signed. Returns 0, or 1 at the end. */
static int
xc_fill(struct xfr_conn *c)
{
	size_t n = dns_xfr_msg(&c->src, &c->q, c->first, c->msg + 2,
			       DNS_MAX_MSG, TSIG_ROOM);

	if (n == 0)
		return 1;
	if (c->r.key && dns_tsig_sign(&c->r.ctx, c->msg + 2, &n, DNS_MAX_MSG,
				      now_s(c->x), 0, !c->first) < 0)
		return 1;
	c->first = 0;
	c->msg[0] = (uint8_t)(n >> 8);
	c->msg[1] = (uint8_t)n;
	c->len = n + 2;
	c->off = 0;
	return 0;
}

/* Sends until the socket is full, the transfer ends, or this turn's
 * share is used (then a timer of 0 ms gives the loop back). */
static void
xc_pump(struct xfr_conn *c)
{
	for (int sent = 0; sent < MSGS_PER_TURN;) {
		if (c->off == c->len) {
			if (xc_fill(c)) {
				xc_close(c);
				return;
			}
			sent++;
		}
		ssize_t w = send(c->fd, c->msg + c->off, c->len - c->off,
				 MSG_NOSIGNAL);
		if (w < 0 && errno == EAGAIN) {
			if (!loop_timer_is_armed(&c->stall))
				loop_timer_set(c->loop, &c->stall,
					       c->x->send_timeout_ms);
			return;
		}
		if (w <= 0) {
			xc_close(c);
			return;
		}
		c->off += (size_t)w;
		loop_timer_del(c->loop, &c->stall);
	}
	loop_timer_set(c->loop, &c->turn, 0);
}

static void
xc_on_event(struct loop *l, int fd, int events, void *arg)
{
	struct xfr_conn *c = arg;

	if (events & LOOP_HUP) {
		xc_close(c);
		return;
	}
	if ((events & LOOP_WRITE) && !loop_timer_is_armed(&c->turn))
		xc_pump(c);
}

static int xc_ixfr(struct xfr_conn *c);

static void
xc_on_turn(struct loop *l, void *arg)
{
	struct xfr_conn *c = arg;

	if (c->ixfr_pending) {
		c->ixfr_pending = 0;
		if (xc_ixfr(c) < 0) {
			xc_close(c);
			return;
		}
	}
	xc_pump(c);
}

static void
xc_on_stall(struct loop *l, void *arg)
{
	xc_close(arg);	/* the reader stopped reading */
}

/* IXFR over TCP: the differences from the journal, or the whole zone
 * when they are not there (RFC 1995 section 4), or the SOA alone when
 * the client is up to date. */
static int
xc_ixfr(struct xfr_conn *c)
{
	struct dns_xfr_src s;
	struct dns_xfr_rec soa;
	int rc = 0;

	dns_xfr_src_zone(&s, c->zone);
	dns_xfr_src_get(&s, &soa);
	if (c->q.has_serial &&
	    dns_serial_cmp(c->q.serial, dns_soa_serial(soa.rd, soa.rdlen)) >=
	    0) {
		c->src.phase = 2;
		return 0;
	}
	pthread_mutex_lock(&c->x->lock);
	struct dns_journal *j = dns_xfrd_journal(c->x, c->zone->apex, 0);
	if (j && c->q.has_serial)
		rc = dns_journal_ixfr(j, c->q.serial, c->zone, &c->list);
	pthread_mutex_unlock(&c->x->lock);
	if (rc == 1)
		dns_xfr_src_list(&c->src, buf_data(&c->list),
				 buf_size(&c->list));
	return rc < 0 ? rc : 0;
}

int
dns_xfrd_tcp(struct dns_xfrd *x, struct loop *l, int fd,
	     const struct dns_db *db, const uint8_t *q, size_t qlen,
	     uint8_t *out, size_t outsz, size_t *outlen)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof peer;
	const struct dns_zone *z = NULL;
	struct req r;

	memset(&peer, 0, sizeof peer);
	getpeername(fd, (struct sockaddr *)&peer, &plen);
	size_t n = decide(x, db, &peer, &r, q, qlen, 1, out, outsz, &z);
	struct xfr_conn *c = z ? malloc(sizeof *c) : NULL;
	if (c == NULL) {
		req_fini(&r);
		*outlen = n;
		return n == 0 || n == DNS_XFRD_DROP || z ? 0 : 1;
	}
	c->r = r;	/* its TSIG context moves over */
	c->x = x;
	c->loop = l;
	c->fd = fd;
	c->zone = (struct dns_zone *)z;
	dns_zone_ref(c->zone);
	c->q = c->r.q;
	c->first = 1;
	c->ixfr_pending = c->q.type == DNS_T_IXFR;
	c->len = c->off = 0;
	buf_init(&c->list, (size_t)1 << 30);
	dns_xfr_src_zone(&c->src, z);
	loop_timer_init(&c->turn, xc_on_turn, c);
	loop_timer_init(&c->stall, xc_on_stall, c);
	loop_del_fd(l, fd);
	if (loop_add_fd(l, fd, xc_on_event, c) < 0) {
		xc_close(c);
		return 2;
	}
	loop_timer_set(l, &c->turn, 0);
	return 2;
}
