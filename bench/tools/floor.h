/* floor.h: what the floor servers (http_floor.c, dns_floor.c) share,
 * included by each: they are one C file apiece, built by the Makefile's
 * rule for bench/tools/%.c. */
#ifndef BENCH_FLOOR_H
#define BENCH_FLOOR_H

#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

/* A socket of the given type bound to 127.0.0.1:port. */
static int
bind_loopback(int type, int port)
{
	int fd = socket(AF_INET, type, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };

	if (fd < 0)
		die("socket");
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
		die("bind");
	return fd;
}

/* A submission entry; when the queue is full, what it holds is handed to
 * the kernel first. */
static struct io_uring_sqe *
sqe_get(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (sqe == NULL) {
		io_uring_submit(ring);
		sqe = io_uring_get_sqe(ring);
	}
	return sqe;
}

#endif
