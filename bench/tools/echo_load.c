/* echo_load: a load generator for TCP echo servers (RFC 862), used by
 * bench/echo.sh. One thread, epoll, non-blocking sockets, libc only.
 *
 *   echo_load rtt HOST PORT CONNS SECONDS    round trips of 64-byte messages
 *   echo_load conn HOST PORT CLIENTS SECONDS  a new connection per message
 *   echo_load stream HOST PORT SECONDS       one connection, bytes echoed
 *   echo_load idle HOST PORT CONNS           hold CONNS connections open
 *
 * Every echoed byte is checked against what was sent; a mismatch or a
 * connection lost counts as an error, is reported, and makes the exit
 * status 1. Results are one line of key=value pairs on stdout. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "load.h"

#define MSG_LEN 64
#define CONNECT_WINDOW 256	/* connects in flight at once */
#define STREAM_CHUNK (64 * 1024)
#define PATTERN_PERIOD 65521	/* prime: chunks never align with it */
#define MAX_EVENTS 256
#define MAX_ERROR_LINES 10
#define MAX_ERRORS 1000		/* conn mode gives up after so many */
#define WARM_LIMIT_S 10		/* every rtt connection answers by then */

struct conn {
	int fd;
	int dead;
	int connected;		/* conn mode: the handshake is done */
	uint32_t seq;		/* messages completed on this connection */
	size_t got;		/* bytes of the current echo received */
	uint8_t want[MSG_LEN];
	uint8_t in[MSG_LEN];
};

static struct addrinfo *target;
static int epfd;
static long errors;
static size_t lost;		/* connections the server closed or broke */
static volatile sig_atomic_t stop_requested;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds this process has used, user and system. */
static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void
fail(const char *what)
{
	fprintf(stderr, "echo_load: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Counts an error; prints the first few so a broken server is visible. */
__attribute__((format(printf, 1, 2))) static void
error_note(const char *fmt, ...)
{
	va_list ap;

	errors++;
	if (errors > MAX_ERROR_LINES)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "echo_load: error: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void
ep_set(int op, int fd, uint32_t events, size_t index)
{
	struct epoll_event ev = { .events = events, .data.u64 = index };

	if (epoll_ctl(epfd, op, fd, &ev) < 0)
		fail("epoll_ctl");
}

static int
connect_start(void)
{
	int fd = socket(target->ai_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		fail("socket");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, target->ai_addr, target->ai_addrlen) < 0 &&
	    errno != EINPROGRESS)
		fail("connect");
	return fd;
}

/* Opens n connections, at most CONNECT_WINDOW in flight, and leaves each
 * registered for EPOLLIN with its index as the event's data. */
static void
connect_all(struct conn *c, size_t n)
{
	struct epoll_event evs[MAX_EVENTS];
	size_t started = 0, done = 0;

	while (done < n) {
		while (started < n && started - done < CONNECT_WINDOW) {
			c[started].fd = connect_start();
			ep_set(EPOLL_CTL_ADD, c[started].fd, EPOLLOUT, started);
			started++;
		}
		int k = epoll_wait(epfd, evs, MAX_EVENTS, 10000);
		if (k == 0) {
			fprintf(stderr, "echo_load: connects stalled at %zu\n",
				done);
			exit(2);
		}
		for (int i = 0; i < k; i++) {
			struct conn *x = &c[evs[i].data.u64];
			int err = 0;
			socklen_t len = sizeof err;
			getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &len);
			if (err != 0) {
				errno = err;
				fail("connect");
			}
			ep_set(EPOLL_CTL_MOD, x->fd, EPOLLIN, evs[i].data.u64);
			done++;
		}
	}
}

static void
conn_lose(struct conn *x, size_t index)
{
	x->dead = 1;
	lost++;
	ep_set(EPOLL_CTL_DEL, x->fd, 0, index);
}

/* The next message of a connection: depends on its index and sequence
 * number, so an echo of a stale or foreign message is caught. */
static void
msg_fill(struct conn *x, size_t index)
{
	for (size_t i = 0; i < MSG_LEN; i++)
		x->want[i] = (uint8_t)(x->seq * 131u + index * 7u + i);
}

static void
msg_send(struct conn *x, size_t index)
{
	msg_fill(x, index);
	x->got = 0;
	/* 64 bytes always fit an empty socket buffer. */
	if (send(x->fd, x->want, MSG_LEN, MSG_NOSIGNAL) != MSG_LEN) {
		error_note("conn %zu: send failed (seq %u)", index, x->seq);
		conn_lose(x, index);
	}
}

/* Reads what has arrived; returns 1 when the whole echo is in. */
static int
msg_read(struct conn *x, size_t index)
{
	ssize_t r = recv(x->fd, x->in + x->got, MSG_LEN - x->got, 0);

	if (r < 0 && errno == EAGAIN)
		return 0;
	if (r <= 0) {
		error_note("conn %zu: closed by the server (seq %u)", index,
			   x->seq);
		conn_lose(x, index);
		return 0;
	}
	x->got += (size_t)r;
	if (x->got < MSG_LEN)
		return 0;
	if (memcmp(x->in, x->want, MSG_LEN) != 0)
		error_note("conn %zu: echo differs from message %u", index,
			   x->seq);
	x->seq++;
	return 1;
}

/* rtt: each connection sends one message and waits for all of it to come
 * back before the next. The clock starts once every connection has done
 * one round trip (forking servers start their children meanwhile). */
static int
run_rtt(size_t n, double seconds)
{
	struct conn *c = calloc(n, sizeof *c);
	struct epoll_event evs[MAX_EVENTS];
	size_t warm = 0;
	long trips = 0, total = 0;
	double t0 = 0, end = 0, t;

	if (c == NULL)
		fail("calloc");
	connect_all(c, n);
	double warm_deadline = now_s() + WARM_LIMIT_S;
	for (size_t i = 0; i < n; i++)
		msg_send(&c[i], i);
	for (;;) {
		int k = epoll_wait(epfd, evs, MAX_EVENTS, 100);
		for (int i = 0; i < k; i++) {
			size_t idx = evs[i].data.u64;
			struct conn *x = &c[idx];
			if (x->dead || !msg_read(x, idx))
				continue;
			total++;
			if (warm < n && x->seq == 1 && ++warm == n) {
				t0 = now_s();
				end = t0 + seconds;
			} else if (warm == n) {
				trips++;
			}
			msg_send(x, idx);
		}
		t = now_s();
		if (warm == n && t >= end)
			break;
		if (lost == n) {
			fprintf(stderr, "echo_load: every connection lost\n");
			return 1;
		}
		if (warm < n && t >= warm_deadline) {
			fprintf(stderr, "echo_load: only %zu of %zu connections "
				"answered within %d s\n", warm, n, WARM_LIMIT_S);
			return 1;
		}
	}
	printf("rtt conns=%zu seconds=%.3f trips=%ld trips_per_s=%.0f "
	       "total_trips=%ld cpu=%.3f errors=%ld\n", n, t - t0, trips,
	       trips / (t - t0), total, cpu_s(), errors);
	for (size_t i = 0; i < n; i++)
		close(c[i].fd);
	free(c);
	return errors ? 1 : 0;
}

static void
cycle_start(struct conn *x, size_t index)
{
	x->fd = connect_start();
	x->connected = 0;
	x->got = 0;
	ep_set(EPOLL_CTL_ADD, x->fd, EPOLLOUT, index);
}

/* Closes with a reset, so that no TIME_WAIT state piles up on the client
 * side at thousands of connections a second, and starts the next. */
static void
cycle_restart(struct conn *x, size_t index)
{
	struct linger lg = { 1, 0 };

	setsockopt(x->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(x->fd);
	cycle_start(x, index);
}

/* One step of a client in conn mode; returns 1 when a connection has
 * carried its message there and back. */
static int
cycle_step(struct conn *x, size_t index)
{
	if (!x->connected) {
		int err = 0;
		socklen_t len = sizeof err;
		getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err != 0) {
			error_note("client %zu: connect: %s", index,
				   strerror(err));
			cycle_restart(x, index);
			return 0;
		}
		x->connected = 1;
		ep_set(EPOLL_CTL_MOD, x->fd, EPOLLIN, index);
		msg_fill(x, index);
		if (send(x->fd, x->want, MSG_LEN, MSG_NOSIGNAL) != MSG_LEN) {
			error_note("client %zu: send failed", index);
			cycle_restart(x, index);
		}
		return 0;
	}
	ssize_t r = recv(x->fd, x->in + x->got, MSG_LEN - x->got, 0);
	if (r < 0 && errno == EAGAIN)
		return 0;
	if (r <= 0) {
		error_note("client %zu: closed before the echo (connection "
			   "%u)", index, x->seq);
		cycle_restart(x, index);
		return 0;
	}
	x->got += (size_t)r;
	if (x->got < MSG_LEN)
		return 0;
	if (memcmp(x->in, x->want, MSG_LEN) != 0)
		error_note("client %zu: echo differs (connection %u)", index,
			   x->seq);
	x->seq++;
	cycle_restart(x, index);
	return 1;
}

/* conn: n clients, each connecting, sending one message, reading its
 * echo and closing, over and over: what a connection costs the server
 * (for inetd, a fork). */
static int
run_conn(size_t n, double seconds)
{
	struct conn *c = calloc(n, sizeof *c);
	struct epoll_event evs[MAX_EVENTS];
	long conns = 0;
	double t0 = now_s(), t;

	if (c == NULL)
		fail("calloc");
	for (size_t i = 0; i < n; i++)
		cycle_start(&c[i], i);
	while ((t = now_s()) < t0 + seconds && errors < MAX_ERRORS) {
		int k = epoll_wait(epfd, evs, MAX_EVENTS, 100);
		for (int i = 0; i < k; i++) {
			size_t idx = evs[i].data.u64;
			conns += cycle_step(&c[idx], idx);
		}
	}
	printf("conn clients=%zu seconds=%.3f conns=%ld conns_per_s=%.0f "
	       "cpu=%.3f errors=%ld\n", n, t - t0, conns, conns / (t - t0),
	       cpu_s(), errors);
	for (size_t i = 0; i < n; i++)
		close(c[i].fd);
	free(c);
	return errors ? 1 : 0;
}

static uint8_t *
pattern_new(void)
{
	uint8_t *p = malloc(PATTERN_PERIOD + STREAM_CHUNK);
	uint32_t x = 2463534242u;

	if (p == NULL)
		fail("malloc");
	for (size_t i = 0; i < PATTERN_PERIOD + STREAM_CHUNK; i++) {
		if (i < PATTERN_PERIOD) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			p[i] = (uint8_t)x;
		} else {
			p[i] = p[i - PATTERN_PERIOD];
		}
	}
	return p;
}

/* stream: one connection sends a long pattern and reads it back at the
 * same time; the result is the rate of bytes received. */
static int
run_stream(double seconds)
{
	struct conn c = { 0 };
	struct epoll_event evs[4];
	uint8_t *pat = pattern_new(), *in = malloc(STREAM_CHUNK);
	uint64_t sent = 0, got = 0;
	double t0, t;

	if (in == NULL)
		fail("malloc");
	connect_all(&c, 1);
	ep_set(EPOLL_CTL_MOD, c.fd, EPOLLIN | EPOLLOUT, 0);
	t0 = now_s();
	while ((t = now_s()) < t0 + seconds) {
		int k = epoll_wait(epfd, evs, 4, 100);
		uint32_t ev = k > 0 ? evs[0].events : EPOLLIN | EPOLLOUT;
		if (ev & EPOLLOUT) {
			ssize_t w = send(c.fd, pat + sent % PATTERN_PERIOD,
					 STREAM_CHUNK, MSG_NOSIGNAL);
			if (w < 0 && errno != EAGAIN)
				fail("send");
			if (w > 0)
				sent += (uint64_t)w;
		}
		if (!(ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
			continue;
		ssize_t r = recv(c.fd, in, STREAM_CHUNK, 0);
		if (r == 0 || (r < 0 && errno != EAGAIN)) {
			error_note("stream: closed by the server after %llu "
				   "bytes", (unsigned long long)got);
			break;
		}
		if (r < 0)
			continue;
		if (memcmp(in, pat + got % PATTERN_PERIOD, (size_t)r) != 0)
			error_note("stream: echo differs within bytes "
				   "%llu..+%zd", (unsigned long long)got, r);
		got += (uint64_t)r;
	}
	printf("stream seconds=%.3f sent=%llu received=%llu "
	       "mib_per_s=%.1f cpu=%.3f errors=%ld\n", t - t0,
	       (unsigned long long)sent, (unsigned long long)got,
	       (double)got / (t - t0) / (1 << 20), cpu_s(), errors);
	close(c.fd);
	free(pat);
	free(in);
	return errors ? 1 : 0;
}

static void
on_signal(int sig)
{
	stop_requested = 1;
}

/* idle: opens n connections, echoes one byte on each (so the server has
 * accepted and served every one), prints `ready`, then holds them until
 * SIGTERM or SIGINT. They close with a reset so that no TIME_WAIT state
 * is left to exhaust the ephemeral ports of the next run. */
static int
run_idle(size_t n)
{
	struct conn *c = calloc(n, sizeof *c);
	struct epoll_event evs[MAX_EVENTS];
	size_t answered = 0;
	struct linger lg = { 1, 0 };
	double t0 = now_s();

	if (c == NULL)
		fail("calloc");
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	connect_all(c, n);
	for (size_t i = 0; i < n; i++)
		if (send(c[i].fd, "i", 1, MSG_NOSIGNAL) != 1)
			fail("send");
	while (answered < n && !stop_requested) {
		int k = epoll_wait(epfd, evs, MAX_EVENTS, 10000);
		if (k == 0)
			break;
		for (int i = 0; i < k; i++) {
			struct conn *x = &c[evs[i].data.u64];
			char b;
			if (recv(x->fd, &b, 1, 0) != 1 || b != 'i')
				error_note("idle conn %llu: no echo",
					   (unsigned long long)evs[i].data.u64);
			ep_set(EPOLL_CTL_DEL, x->fd, 0, 0);
			answered++;
		}
	}
	int ok = answered == n && errors == 0;
	printf("%s conns=%zu answered=%zu seconds=%.3f errors=%ld\n",
	       ok ? "ready" : "failed", n, answered, now_s() - t0, errors);
	fflush(stdout);
	while (ok && !stop_requested)
		pause();
	for (size_t i = 0; i < n; i++) {
		setsockopt(c[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		close(c[i].fd);
	}
	free(c);
	return ok ? 0 : 1;
}

static long
arg_num(const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "echo_load: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr,
			"usage: echo_load rtt HOST PORT CONNS SECONDS\n"
			"       echo_load conn HOST PORT CLIENTS SECONDS\n"
			"       echo_load stream HOST PORT SECONDS\n"
			"       echo_load idle HOST PORT CONNS\n");
		return 2;
	}
	raise_fd_limit();
	setvbuf(stdout, NULL, _IOLBF, 0);
	target = resolve_numeric("echo_load", argv[2], argv[3]);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		fail("epoll_create1");
	if (strcmp(argv[1], "rtt") == 0 && argc == 6)
		return run_rtt((size_t)arg_num(argv[4], 1, 1000000),
			       (double)arg_num(argv[5], 1, 3600));
	if (strcmp(argv[1], "conn") == 0 && argc == 6)
		return run_conn((size_t)arg_num(argv[4], 1, 100000),
				(double)arg_num(argv[5], 1, 3600));
	if (strcmp(argv[1], "stream") == 0 && argc == 5)
		return run_stream((double)arg_num(argv[4], 1, 3600));
	if (strcmp(argv[1], "idle") == 0 && argc == 5)
		return run_idle((size_t)arg_num(argv[4], 1, 1000000));
	fprintf(stderr, "echo_load: unknown mode or wrong arguments\n");
	return 2;
}
