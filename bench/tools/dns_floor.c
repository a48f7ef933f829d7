/* dns_floor: the least a name server can do per UDP query, to measure the
 * kernel's share of answering one (bench/dns_floor.sh).
 *
 * It answers every datagram with a reply of a name server's shape and
 * size: the query's header and question with QR and AA set, one A record
 * for the question's name, two NS records (ns1 and ns2 under it) and their
 * two addresses, names compressed: 84 bytes after the question, about the
 * 122 bytes of inetkit's and NSD's average reply in bench/dns.sh. No
 * lookup, nothing else. Three ways to wait:
 *
 *   dns_floor epoll PORT   edge-triggered epoll, recvmmsg of up to 32 and
 *                          sendmmsg, back to epoll_wait when a batch was
 *                          short: the system calls of inetkit's loop
 *   dns_floor block PORT   a blocking recvmmsg (MSG_WAITFORONE) and
 *                          sendmmsg, no epoll: nothing waits on the socket
 *                          while replies go out
 *   dns_floor uring PORT   io_uring: a multishot recvmsg into a ring of
 *                          provided buffers, each reply written in its
 *                          query's buffer and sent with a sendmsg SQE, the
 *                          sends of a batch submitted by the io_uring_enter
 *                          that waits for the next queries. The sends are
 *                          MSG_DONTWAIT, so io_uring runs them at once
 *                          (a full socket fails them instead of queueing
 *                          them): they are done when that call returns,
 *                          their buffers go back to the ring then, and a
 *                          send that succeeds posts no completion
 *
 * Not a server: it answers anything with a question. It runs until
 * killed. Listens on 127.0.0.1 only. */
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "floor.h"

#define BATCH 32
#define BUF_SIZE 1024		/* a query and its reply */
#define TAIL_SIZE 84		/* what a reply adds after the question */
#define NBUFS 1024		/* provided receive buffers (a power of 2) */
#define BUF_GROUP 1
#define KIND_RECV 1ULL
#define KIND_SEND 2ULL

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A record of owner `ptr` (a compression pointer), type t, rdata d. */
static size_t
put_rr(uint8_t *p, unsigned ptr, unsigned t, const uint8_t *d, size_t n)
{
	put16(p, 0xc000 | ptr);
	put16(p + 2, t);
	put16(p + 4, 1);			/* IN */
	memcpy(p + 6, "\0\0\x0e\x10", 4);	/* TTL 3600 */
	put16(p + 10, (unsigned)n);
	memcpy(p + 12, d, n);
	return 12 + n;
}

/* Turns the query of n bytes at p (cap bytes of room) into its reply in
 * place; returns the reply's length, 0 to send nothing. */
static size_t
answer(uint8_t *p, size_t n, size_t cap)
{
	size_t q = 12;

	if (n < 17 || p[4] != 0 || p[5] != 1 || (p[2] & 0x80))
		return 0;
	while (q < n && p[q] != 0 && p[q] < 64)
		q += 1 + p[q];
	if (q + 5 > n || p[q] != 0 || q + 5 + TAIL_SIZE > cap)
		return 0;
	q += 5;
	p[2] = (uint8_t)(0x84 | (p[2] & 0x01));	/* QR AA, RD kept */
	p[3] = 0;
	put16(p + 6, 1);
	put16(p + 8, 2);
	put16(p + 10, 2);
	uint8_t ns[6] = { 3, 'n', 's', '1', 0xc0, 12 };
	size_t ns1 = q + 16 + 12, ns2 = ns1 + 18;
	q += put_rr(p + q, 12, 1, (const uint8_t *)"\x7f\0\0\x01", 4);
	q += put_rr(p + q, 12, 2, ns, sizeof ns);
	ns[3] = '2';
	q += put_rr(p + q, 12, 2, ns, sizeof ns);
	q += put_rr(p + q, (unsigned)ns1, 1, (const uint8_t *)"\x7f\0\0\x02",
		    4);
	q += put_rr(p + q, (unsigned)ns2, 1, (const uint8_t *)"\x7f\0\0\x03",
		    4);
	return q;
}

static int
bind_udp(int port, int nonblock)
{
	return bind_loopback(SOCK_DGRAM | (nonblock ? SOCK_NONBLOCK : 0),
			     port);
}

/* The batch of the recvmmsg modes: each query answered in its buffer. */
struct batch {
	struct mmsghdr in[BATCH], out[BATCH];
	struct iovec iov_in[BATCH], iov_out[BATCH];
	struct sockaddr_in from[BATCH];
	uint8_t buf[BATCH][BUF_SIZE];
};

static void
batch_prepare(struct batch *b)
{
	for (int i = 0; i < BATCH; i++) {
		b->iov_in[i] = (struct iovec){ b->buf[i], BUF_SIZE };
		b->in[i].msg_hdr = (struct msghdr){
			.msg_name = &b->from[i],
			.msg_namelen = sizeof b->from[i],
			.msg_iov = &b->iov_in[i], .msg_iovlen = 1 };
	}
}

/* Answers n received datagrams and sends the replies. */
static void
batch_answer(int fd, struct batch *b, int n)
{
	int k = 0, sent = 0;

	for (int i = 0; i < n; i++) {
		size_t len = answer(b->buf[i], b->in[i].msg_len, BUF_SIZE);
		if (len == 0)
			continue;
		b->iov_out[k] = (struct iovec){ b->buf[i], len };
		b->out[k].msg_hdr = (struct msghdr){
			.msg_name = &b->from[i],
			.msg_namelen = b->in[i].msg_hdr.msg_namelen,
			.msg_iov = &b->iov_out[k], .msg_iovlen = 1 };
		k++;
	}
	for (int i = 0; i < n; i++)
		b->in[i].msg_hdr.msg_namelen = sizeof b->from[i];
	while (sent < k) {
		int r = sendmmsg(fd, b->out + sent, (unsigned)(k - sent),
				 MSG_DONTWAIT);
		if (r <= 0)
			break;
		sent += r;
	}
}

static void
run_epoll(int fd, struct batch *b)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, evs[8];
	int ep = epoll_create1(0);

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		die("epoll");
	for (;;) {
		if (epoll_wait(ep, evs, 8, -1) <= 0)
			continue;
		for (;;) {
			int n = recvmmsg(fd, b->in, BATCH, MSG_DONTWAIT, NULL);
			if (n <= 0)
				break;
			batch_answer(fd, b, n);
			if (n < BATCH)
				break;
		}
	}
}

static void
run_block(int fd, struct batch *b)
{
	for (;;) {
		int n = recvmmsg(fd, b->in, BATCH, MSG_WAITFORONE, NULL);
		if (n > 0)
			batch_answer(fd, b, n);
	}
}

/* io_uring: one msghdr per provided buffer, for the send of its reply. */
struct uring {
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	uint8_t *mem;
	struct msghdr recv_hdr, send_hdr[NBUFS];
	struct iovec iov[NBUFS];
	unsigned sent[NBUFS];	/* buffers of the sends last submitted */
	unsigned nsent;
	int fd;
};

static void
uring_recv(struct uring *u)
{
	struct io_uring_sqe *sqe = sqe_get(&u->ring);

	io_uring_prep_recvmsg_multishot(sqe, u->fd, &u->recv_hdr, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BUF_GROUP;
	io_uring_sqe_set_data64(sqe, KIND_RECV << 32);
}

static void
uring_give_back(struct uring *u, unsigned bid)
{
	io_uring_buf_ring_add(u->br, u->mem + (size_t)bid * BUF_SIZE,
			      BUF_SIZE, (unsigned short)bid,
			      io_uring_buf_ring_mask(NBUFS), 0);
	io_uring_buf_ring_advance(u->br, 1);
}

static void
uring_setup(struct uring *u, int fd)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_SINGLE_ISSUER |
			 IORING_SETUP_DEFER_TASKRUN
	};
	struct io_uring_buf_reg reg = { .ring_entries = NBUFS,
					.bgid = BUF_GROUP };

	u->fd = fd;
	u->mem = malloc((size_t)NBUFS * BUF_SIZE);
	if (u->mem == NULL ||
	    io_uring_queue_init_params(4096, &u->ring, &p) < 0)
		die("io_uring_queue_init");
	u->br = mmap(NULL, NBUFS * sizeof(struct io_uring_buf),
		     PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1,
		     0);
	if (u->br == MAP_FAILED)
		die("mmap");
	io_uring_buf_ring_init(u->br);
	reg.ring_addr = (unsigned long)u->br;
	if (io_uring_register_buf_ring(&u->ring, &reg, 0) < 0)
		die("io_uring_register_buf_ring");
	for (unsigned i = 0; i < NBUFS; i++)
		uring_give_back(u, i);
	u->recv_hdr.msg_namelen = sizeof(struct sockaddr_in);
	uring_recv(u);
}

/* A received query: its reply goes out of the same buffer, which comes
 * back to the ring when the send completes. */
static void
uring_on_recv(struct uring *u, const struct io_uring_cqe *cqe)
{
	if (!(cqe->flags & IORING_CQE_F_MORE))
		uring_recv(u);	/* buffers ran out, or an error: rearm */
	if (cqe->res < 0 || !(cqe->flags & IORING_CQE_F_BUFFER))
		return;
	unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
	uint8_t *buf = u->mem + (size_t)bid * BUF_SIZE;
	struct io_uring_recvmsg_out *o =
		io_uring_recvmsg_validate(buf, cqe->res, &u->recv_hdr);
	size_t len = 0;
	if (o != NULL && !(o->flags & MSG_TRUNC)) {
		uint8_t *q = io_uring_recvmsg_payload(o, &u->recv_hdr);
		len = answer(q, io_uring_recvmsg_payload_length(o, cqe->res,
				&u->recv_hdr),
			     (size_t)(buf + BUF_SIZE - q));
		u->iov[bid] = (struct iovec){ q, len };
		u->send_hdr[bid] = (struct msghdr){
			.msg_name = io_uring_recvmsg_name(o),
			.msg_namelen = o->namelen,
			.msg_iov = &u->iov[bid], .msg_iovlen = 1 };
	}
	if (len == 0) {
		uring_give_back(u, bid);
		return;
	}
	struct io_uring_sqe *sqe = sqe_get(&u->ring);
	io_uring_prep_sendmsg(sqe, u->fd, &u->send_hdr[bid], MSG_DONTWAIT);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	io_uring_sqe_set_data64(sqe, KIND_SEND << 32 | bid);
	u->sent[u->nsent++] = bid;
}

static void
run_uring(int fd)
{
	static struct uring u;

	uring_setup(&u, fd);
	for (;;) {
		struct io_uring_cqe *cqe;
		unsigned head, seen = 0;

		io_uring_submit_and_wait(&u.ring, 1);
		/* The sends submitted by that call have run. */
		for (unsigned i = 0; i < u.nsent; i++)
			uring_give_back(&u, u.sent[i]);
		u.nsent = 0;
		io_uring_for_each_cqe(&u.ring, head, cqe) {
			seen++;	/* a failed send needs nothing more */
			if (cqe->user_data >> 32 == KIND_RECV)
				uring_on_recv(&u, cqe);
		}
		io_uring_cq_advance(&u.ring, seen);
	}
}

int
main(int argc, char **argv)
{
	static struct batch b;

	if (argc != 3 || (strcmp(argv[1], "epoll") != 0 &&
			  strcmp(argv[1], "block") != 0 &&
			  strcmp(argv[1], "uring") != 0)) {
		fprintf(stderr, "usage: dns_floor epoll|block|uring PORT\n");
		return 2;
	}
	int fd = bind_udp(atoi(argv[2]), strcmp(argv[1], "epoll") == 0);
	batch_prepare(&b);
	if (strcmp(argv[1], "uring") == 0)
		run_uring(fd);
	else if (strcmp(argv[1], "block") == 0)
		run_block(fd, &b);
	else
		run_epoll(fd, &b);
	return 0;
}
