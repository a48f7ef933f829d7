/* net_sock: non-blocking socket verbs: listen, connect, addresses. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "net/net_sock.h"

static int
set_opt(int fd, int level, int name, int value)
{
	if (setsockopt(fd, level, name, &value, sizeof value) < 0)
		return -errno;
	return 0;
}

int
net_listen(const struct net_addr *a, int type, int reuseport)
{
	int family = a->ss.ss_family;
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (type == SOCK_STREAM)
		rc = set_opt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (rc == 0 && reuseport)
		rc = set_opt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	/* An IPv6 wildcard serves IPv4 too; a specific IPv6 address only
	 * IPv6 (the kernel ignores the option there). */
	if (rc == 0 && family == AF_INET6)
		rc = set_opt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0);
	if (rc == 0 && bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0)
		rc = -errno;
	if (rc == 0 && type == SOCK_STREAM && listen(fd, 4096) < 0)
		rc = -errno;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

int
net_local_addr(int fd, struct net_addr *out)
{
	out->len = sizeof out->ss;
	if (getsockname(fd, (struct sockaddr *)&out->ss, &out->len) < 0)
		return -errno;
	return 0;
}

int
net_connect_start(const struct net_addr *a, int type)
{
	int fd = socket(a->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) < 0 &&
	    errno != EINPROGRESS) {
		int rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int
net_connect_result(int fd)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -errno;
	return -err;
}

int
net_connect_timeout(const struct net_addr *a, int type, int timeout_ms)
{
	int fd = net_connect_start(a, type);
	int rc = 0;

	if (fd < 0)
		return fd;
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int n;
	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		rc = -errno;
	else if (n == 0)
		rc = ERR_TIMEOUT;
	else
		rc = net_connect_result(fd);
	if (rc == 0) {
		int flags = fcntl(fd, F_GETFL);
		if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
			rc = -errno;
	}
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

int
net_send_buf(int fd, struct buf *b)
{
	while (buf_size(b) > 0) {
		ssize_t n = send(fd, buf_data(b), buf_size(b), MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		buf_consume(b, (size_t)n);
	}
	return 1;
}

int
net_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int
net_set_nodelay(int fd, int on)
{
	return set_opt(fd, IPPROTO_TCP, TCP_NODELAY, on);
}

int
net_set_buffer(int fd, int send, int bytes)
{
	if (bytes <= 0)
		return 0;
	if (set_opt(fd, SOL_SOCKET, send ? SO_SNDBUFFORCE : SO_RCVBUFFORCE,
		    bytes) == 0)
		return 0;
	return set_opt(fd, SOL_SOCKET, send ? SO_SNDBUF : SO_RCVBUF, bytes);
}
