/* svc_client: blocking clients for echo, daytime and time, with a timeout
 * on every wait and retries over UDP. */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "net/net_sock.h"
#include "svc.h"

#define SVC_STREAM_CHUNK (64 * 1024)

int
svc_client_connect(const struct svc_client *c, const struct net_addr *addrs,
		   int naddrs)
{
	int rc = ERR_NOTFOUND;

	for (int i = 0; i < naddrs; i++) {
		if (c->udp) {
			/* A connected UDP socket hears only its server and
			 * learns of ICMP port-unreachable as ECONNREFUSED. */
			rc = net_connect_start(&addrs[i], SOCK_DGRAM);
		} else {
			rc = net_connect_timeout(&addrs[i], SOCK_STREAM,
						 c->timeout_ms);
		}
		if (rc >= 0)
			return rc;
	}
	return rc;
}

static int
wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == 0 ? ERR_TIMEOUT : 0;
}

ssize_t
svc_client_udp_ask(const struct svc_client *c, int fd, const void *req,
		   size_t reqlen, void *out, size_t size)
{
	for (int attempt = 0; attempt <= c->retries; attempt++) {
		if (send(fd, req, reqlen, 0) < 0)
			return -errno;
		int rc = wait_fd(fd, POLLIN, c->timeout_ms);
		if (rc == ERR_TIMEOUT)
			continue;
		if (rc < 0)
			return rc;
		ssize_t n = recv(fd, out, size, 0);
		if (n >= 0)
			return n;
		if (errno != EAGAIN)
			return -errno;
	}
	return ERR_TIMEOUT;
}

ssize_t
svc_client_read_all(const struct svc_client *c, int fd, void *out, size_t size)
{
	size_t got = 0;

	while (got < size) {
		int rc = wait_fd(fd, POLLIN, c->timeout_ms);
		if (rc < 0)
			return rc;
		ssize_t n = read(fd, (char *)out + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Both directions at once: a client that wrote everything before reading
 * would deadlock against a server that applies back-pressure. */
ssize_t
svc_client_stream(const struct svc_client *c, int fd, int in_fd, int out_fd)
{
	static char up[SVC_STREAM_CHUNK], down[SVC_STREAM_CHUNK];
	size_t uplen = 0, upoff = 0;
	ssize_t received = 0;
	int in_open = in_fd >= 0;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = in_open && uplen == 0 ? in_fd : -1, .events = POLLIN },
		};
		if (uplen > upoff)
			p[0].events |= POLLOUT;
		/* Waiting on the user's own input is not the server's fault:
		 * the timeout counts only once our side has finished. */
		int n = poll(p, 2, in_open ? -1 : c->timeout_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return ERR_TIMEOUT;
		if (p[1].revents) {
			ssize_t r = read(in_fd, up, sizeof up);
			if (r <= 0) {
				in_open = 0;
				shutdown(fd, SHUT_WR);
			} else {
				uplen = (size_t)r;
				upoff = 0;
			}
		}
		if (p[0].revents & POLLOUT) {
			ssize_t w = send(fd, up + upoff, uplen - upoff,
					 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w < 0 && errno != EAGAIN)
				return -errno;
			if (w > 0)
				upoff += (size_t)w;
			if (upoff == uplen)
				uplen = upoff = 0;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = recv(fd, down, sizeof down, MSG_DONTWAIT);
			if (r == 0)
				return received;
			if (r < 0 && errno != EAGAIN)
				return -errno;
			if (r > 0) {
				int rc = net_write_all(out_fd, down, (size_t)r);
				if (rc < 0)
					return rc;
				received += r;
			}
		}
	}
}
