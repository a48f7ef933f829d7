/* http_floor: the least a server can do per keep-alive request, to measure
 * the kernel's share of serving a small file (bench/http_floor.sh).
 *
 * It answers every read with one fixed reply (a head of the same fields
 * and length as inetkit's for the benchmark's 1k.html, and 1 KiB of body) and does
 * nothing else: no parsing, no file, no timers. Two ways to wait:
 *
 *   http_floor epoll PORT   edge-triggered epoll, one read and one send a
 *                           request: the system calls inetkit makes
 *   http_floor uring PORT   io_uring: a multishot accept, a multishot recv
 *                           per connection into provided buffers, and the
 *                           sends of a batch submitted with one
 *                           io_uring_enter
 *
 * Not a server: it answers whatever it reads, pipelined requests with one
 * reply. It runs until killed. Listens on 127.0.0.1 only. */
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "floor.h"

#define BODY_SIZE 1024
#define READ_SIZE 4096
#define NBUFS 1024		/* provided receive buffers (a power of 2) */
#define BUF_GROUP 1
#define KIND_ACCEPT 1ULL
#define KIND_RECV 2ULL
#define KIND_SEND 3ULL

static char reply[BODY_SIZE + 512];
static size_t reply_len;

static void
reply_build(void)
{
	int n = snprintf(reply, sizeof reply,
			 "HTTP/1.1 200 OK\r\n"
			 "Server: inetkit\r\n"
			 "Date: Sat, 21 Nov 2026 13:00:00 GMT\r\n"
			 "Content-Type: text/html; charset=utf-8\r\n"
			 "Last-Modified: Sat, 21 Nov 2026 12:00:00 GMT\r\n"
			 "ETag: \"6b0195ae-323c499e-400\"\r\n"
			 "Accept-Ranges: bytes\r\n"
			 "Content-Length: %d\r\n\r\n", BODY_SIZE);
	memset(reply + n, 'x', BODY_SIZE);
	reply_len = (size_t)n + BODY_SIZE;
}

static int
listen_on(int port)
{
	int fd = bind_loopback(SOCK_STREAM | SOCK_NONBLOCK, port), one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (listen(fd, 4096) < 0)
		die("listen");
	return fd;
}

static void
epoll_accept(int ep, int lfd)
{
	int c;

	while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
		struct epoll_event e = { .events = EPOLLIN | EPOLLET,
					 .data.fd = c };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &e) < 0)
			close(c);
	}
}

static void
run_epoll(int lfd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = lfd };
	struct epoll_event evs[512];
	static char in[READ_SIZE];
	int ep = epoll_create1(0);

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0)
		die("epoll");
	for (;;) {
		int n = epoll_wait(ep, evs, 512, -1);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == lfd) {
				epoll_accept(ep, lfd);
				continue;
			}
			ssize_t r = read(fd, in, sizeof in);
			if (r > 0)
				send(fd, reply, reply_len, MSG_NOSIGNAL);
			else if (r == 0)
				close(fd);
		}
	}
}

static void
uring_recv(struct io_uring *ring, int fd)
{
	struct io_uring_sqe *sqe = sqe_get(ring);

	io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BUF_GROUP;
	io_uring_sqe_set_data64(sqe, KIND_RECV << 32 | (unsigned)fd);
}

static struct io_uring_buf_ring *
uring_buffers(struct io_uring *ring, char *mem)
{
	struct io_uring_buf_ring *br;
	struct io_uring_buf_reg reg = { .ring_entries = NBUFS,
					.bgid = BUF_GROUP };

	br = mmap(NULL, NBUFS * sizeof(struct io_uring_buf),
		  PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	if (br == MAP_FAILED)
		die("mmap");
	io_uring_buf_ring_init(br);
	reg.ring_addr = (unsigned long)br;
	if (io_uring_register_buf_ring(ring, &reg, 0) < 0)
		die("io_uring_register_buf_ring");
	for (int i = 0; i < NBUFS; i++)
		io_uring_buf_ring_add(br, mem + (size_t)i * READ_SIZE,
				      READ_SIZE, (unsigned short)i,
				      io_uring_buf_ring_mask(NBUFS), i);
	io_uring_buf_ring_advance(br, NBUFS);
	return br;
}

/* One receive completion: give the buffer back, queue the reply. */
static void
uring_on_recv(struct io_uring *ring, struct io_uring_buf_ring *br,
	      char *mem, const struct io_uring_cqe *cqe)
{
	int fd = (int)(cqe->user_data & 0xffffffff);

	if (cqe->res > 0) {
		unsigned short bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
		io_uring_buf_ring_add(br, mem + (size_t)bid * READ_SIZE,
				      READ_SIZE, bid,
				      io_uring_buf_ring_mask(NBUFS), 0);
		io_uring_buf_ring_advance(br, 1);
		struct io_uring_sqe *sqe = sqe_get(ring);
		io_uring_prep_send(sqe, fd, reply, reply_len, MSG_NOSIGNAL);
		sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
		io_uring_sqe_set_data64(sqe, KIND_SEND << 32);
	}
	if (!(cqe->flags & IORING_CQE_F_MORE)) {
		if (cqe->res == -ENOBUFS)
			uring_recv(ring, fd);	/* buffers ran out: rearm */
		else
			close(fd);
	}
}

static void
run_uring(int lfd)
{
	struct io_uring ring;
	struct io_uring_params p = {
		.flags = IORING_SETUP_SINGLE_ISSUER |
			 IORING_SETUP_DEFER_TASKRUN
	};
	char *mem = malloc((size_t)NBUFS * READ_SIZE);

	if (mem == NULL || io_uring_queue_init_params(4096, &ring, &p) < 0)
		die("io_uring_queue_init");
	struct io_uring_buf_ring *br = uring_buffers(&ring, mem);
	struct io_uring_sqe *sqe = sqe_get(&ring);
	io_uring_prep_multishot_accept(sqe, lfd, NULL, NULL, 0);
	io_uring_sqe_set_data64(sqe, KIND_ACCEPT << 32);
	for (;;) {
		struct io_uring_cqe *cqe;
		unsigned head, seen = 0;

		io_uring_submit_and_wait(&ring, 1);
		io_uring_for_each_cqe(&ring, head, cqe) {
			seen++;
			uint64_t kind = cqe->user_data >> 32;
			if (kind == KIND_ACCEPT && cqe->res >= 0)
				uring_recv(&ring, cqe->res);
			if (kind == KIND_ACCEPT &&
			    !(cqe->flags & IORING_CQE_F_MORE)) {
				sqe = sqe_get(&ring);
				io_uring_prep_multishot_accept(sqe, lfd, NULL,
							       NULL, 0);
				io_uring_sqe_set_data64(sqe, KIND_ACCEPT << 32);
			}
			else if (kind == KIND_RECV)
				uring_on_recv(&ring, br, mem, cqe);
		}
		io_uring_cq_advance(&ring, seen);
	}
}

int
main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "epoll") != 0 &&
			  strcmp(argv[1], "uring") != 0)) {
		fprintf(stderr, "usage: http_floor epoll|uring PORT\n");
		return 2;
	}
	reply_build();
	int lfd = listen_on(atoi(argv[2]));
	if (strcmp(argv[1], "uring") == 0)
		run_uring(lfd);
	else
		run_epoll(lfd);
	return 0;
}
