/* http_load: a small HTTP/1.1 client for bench/http.sh and the profiles in
 * docs/PERFORMANCE.md. One thread, epoll, non-blocking sockets, libc only.
 *
 *   http_load idle HOST PORT CONNS PATH     open CONNS keep-alive
 *       connections, make one request on each, then hold them all open
 *       (prints "ready ..." once every one has its answer; exits on
 *       SIGTERM or SIGINT)
 *   http_load count HOST PORT CONNS N PATH  make N requests in all over
 *       CONNS keep-alive connections, one at a time on each, then exit
 *
 * A reply counts when it is "HTTP/1.x 200" with a Content-Length whose
 * bytes all arrived; anything else (another status, a closed connection)
 * is an error. Results are one line of key=value pairs on stdout; the exit
 * status is 1 when there was an error. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "load.h"

#define CONNECT_WINDOW 256	/* connects in flight at once */
#define HEAD_MAX 2048		/* bytes of a reply head we keep */
#define MAX_EVENTS 256
#define MAX_ERROR_LINES 10

enum conn_state { C_CONNECTING, C_HEAD, C_BODY, C_IDLE, C_DEAD };

struct conn {
	int fd;
	enum conn_state state;
	size_t head_len;
	uint64_t body_left;
	char head[HEAD_MAX];
};

static struct addrinfo *target;
static int epfd;
static long errors;
static char request[1024];
static size_t request_len;
static volatile sig_atomic_t stop_requested;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
fail(const char *what)
{
	fprintf(stderr, "http_load: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void
error_note(const char *what, size_t i)
{
	errors++;
	if (errors <= MAX_ERROR_LINES)
		fprintf(stderr, "http_load: connection %zu: %s\n", i, what);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
conn_open(struct conn *c, size_t i)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLET,
				  .data.u64 = i };
	int one = 1;

	c->fd = socket(target->ai_family,
		       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		fail("socket");
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(c->fd, target->ai_addr, target->ai_addrlen) < 0 &&
	    errno != EINPROGRESS)
		fail("connect");
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		fail("epoll_ctl");
	c->state = C_CONNECTING;
}

static void
conn_kill(struct conn *c, size_t i, const char *why)
{
	error_note(why, i);
	close(c->fd);
	c->fd = -1;
	c->state = C_DEAD;
}

/* Sends the request (small enough to leave in one write). */
static void
conn_send(struct conn *c, size_t i)
{
	ssize_t n = send(c->fd, request, request_len, MSG_NOSIGNAL);

	if (n != (ssize_t)request_len) {
		conn_kill(c, i, "send failed");
		return;
	}
	c->state = C_HEAD;
	c->head_len = 0;
}

/* Checks a complete head; sets body_left. Returns 0 or -1. */
static int
head_check(struct conn *c)
{
	char *p = c->head;
	const char *cl = NULL;

	if (strncmp(p, "HTTP/1.", 7) != 0 || strncmp(p + 8, " 200", 4) != 0)
		return -1;
	for (char *q = strstr(p, "\r\n"); q; q = strstr(q + 2, "\r\n"))
		if (strncasecmp(q + 2, "content-length:", 15) == 0) {
			cl = q + 17;
			break;
		}
	if (cl == NULL)
		return -1;
	c->body_left = strtoull(cl, NULL, 10);
	return 0;
}

/* Feeds received bytes. Returns 1 when a reply is complete (extra bytes
 * are an error: one request is in flight), 0 when more must come, -1. */
static int
conn_feed(struct conn *c, const char *p, size_t n)
{
	if (c->state == C_HEAD) {
		size_t take = n < HEAD_MAX - 1 - c->head_len ? n :
			HEAD_MAX - 1 - c->head_len;
		memcpy(c->head + c->head_len, p, take);
		c->head_len += take;
		c->head[c->head_len] = '\0';
		char *end = strstr(c->head, "\r\n\r\n");
		if (end == NULL)
			return c->head_len == HEAD_MAX - 1 ? -1 : 0;
		size_t hl = (size_t)(end + 4 - c->head);
		if (head_check(c) < 0)
			return -1;
		size_t extra = c->head_len - hl + (n - take);
		c->state = C_BODY;
		if (extra > c->body_left)
			return -1;
		c->body_left -= extra;
	} else if (c->state == C_BODY) {
		if (n > c->body_left)
			return -1;
		c->body_left -= n;
	} else {
		return -1;
	}
	return c->state == C_BODY && c->body_left == 0;
}

struct run {
	struct conn *conns;
	size_t nconns, opened, answered, done;
	uint64_t want, sent, replies;
	int idle;
};

/* Reads what is there. Returns 1 after a whole reply, 0, or -1. */
static int
conn_read(struct conn *c)
{
	static char buf[64 * 1024];
	int whole = 0;

	for (;;) {
		ssize_t n = read(c->fd, buf, sizeof buf);
		if (n == 0)
			return -1;
		if (n < 0)
			return errno == EAGAIN ? whole : -1;
		int rc = conn_feed(c, buf, (size_t)n);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			whole = 1;
			c->state = C_IDLE;
		}
	}
}

static void
on_event(struct run *r, size_t i, uint32_t ev)
{
	struct conn *c = &r->conns[i];

	if (c->state == C_DEAD)
		return;
	if (c->state == C_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof err;
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err != 0 || (ev & (EPOLLERR | EPOLLHUP))) {
			conn_kill(c, i, "connect failed");
			r->done++;
			return;
		}
		if (!(ev & EPOLLOUT))
			return;
		r->answered++;
		r->sent++;
		conn_send(c, i);
		return;
	}
	int was_idle = c->state == C_IDLE;
	int rc = conn_read(c);
	if (rc < 0) {
		conn_kill(c, i, "connection lost or bad reply");
		if (!(r->idle && was_idle))
			r->done++;
		return;
	}
	if (rc == 0)
		return;
	r->replies++;
	if (!r->idle && r->sent < r->want) {
		r->sent++;
		conn_send(c, i);
		if (c->state == C_DEAD)
			r->done++;
	} else {
		r->done++;
	}
}

static void
run_loop(struct run *r)
{
	struct epoll_event evs[MAX_EVENTS];

	while (r->done < r->nconns && !stop_requested) {
		while (r->opened < r->nconns &&
		       r->opened - r->answered < CONNECT_WINDOW &&
		       (r->idle || r->opened < r->want)) {
			conn_open(&r->conns[r->opened], r->opened);
			r->opened++;
		}
		if (!r->idle && r->opened < r->nconns &&
		    r->opened >= r->want && r->done == r->opened)
			break;
		int n = epoll_wait(epfd, evs, MAX_EVENTS, 1000);
		if (n < 0 && errno != EINTR)
			fail("epoll_wait");
		for (int k = 0; k < n; k++)
			on_event(r, (size_t)evs[k].data.u64, evs[k].events);
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: http_load idle HOST PORT CONNS PATH\n"
		"       http_load count HOST PORT CONNS N PATH\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct run r = { 0 };
	const char *path;

	if (argc == 6 && strcmp(argv[1], "idle") == 0) {
		r.idle = 1;
		path = argv[5];
	} else if (argc == 7 && strcmp(argv[1], "count") == 0) {
		r.want = strtoull(argv[5], NULL, 10);
		path = argv[6];
	} else {
		usage();
	}
	r.nconns = strtoul(argv[4], NULL, 10);
	if (r.nconns == 0 || strlen(path) > 512)
		usage();
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	target = resolve_numeric("http_load", argv[2], argv[3]);
	request_len = (size_t)snprintf(request, sizeof request,
				       "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n",
				       path, argv[2]);
	r.conns = calloc(r.nconns, sizeof *r.conns);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r.conns == NULL || epfd < 0)
		fail("setup");
	double t0 = now_s();
	run_loop(&r);
	double secs = now_s() - t0;
	if (r.idle) {
		size_t held = 0;
		for (size_t i = 0; i < r.nconns; i++)
			held += r.conns[i].state == C_IDLE;
		printf("%s conns=%zu held=%zu seconds=%.2f errors=%ld\n",
		       errors || held != r.nconns ? "failed" : "ready",
		       r.nconns, held, secs, errors);
		fflush(stdout);
		while (!stop_requested && !errors)
			pause();
	} else {
		printf("requests=%llu seconds=%.3f errors=%ld\n",
		       (unsigned long long)r.replies, secs, errors);
	}
	return errors ? 1 : 0;
}
