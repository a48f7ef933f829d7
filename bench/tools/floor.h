/* floor.h: what the floor servers (http_floor.c, dns_floor.c) share,
 * included by each: they are one C file apiece, built by the Makefile's
 * rule for bench/tools/%.c. */
#ifndef BENCH_FLOOR_H
#define BENCH_FLOOR_H

#include <liburing.h>

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
