/* net_activate: the sockets of systemd's socket activation
 * (sd_listen_fds(3)): the descriptors from 3 on, checked against our pid,
 * described by type and address so that the servers can match them to
 * their listeners. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "net/net_activate.h"
#include "net/net_sock.h"

/* A decimal number without sign or garbage, at most max. */
static int
parse_num(const char *s, long max, long *out)
{
	long v = 0;

	if (s == NULL || *s == '\0')
		return ERR_PARSE;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return ERR_PARSE;
		v = v * 10 + (*s - '0');
		if (v > max)
			return ERR_RANGE;
	}
	*out = v;
	return 0;
}

/* "a:b:c" into out->names[0..n); the count must be n (sd_listen_fds
 * refuses a mismatch too). A name longer than ours is cut: it cannot be
 * one of the services' names either way. */
static int
parse_names(const char *s, int n, struct net_activate_env *out)
{
	int i = 0;

	for (;;) {
		const char *end = strchr(s, ':');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		if (i == n)
			return ERR_PARSE;
		if (len >= NET_ACTIVATE_NAME_MAX)
			len = NET_ACTIVATE_NAME_MAX - 1;
		memcpy(out->names[i], s, len);
		out->names[i++][len] = '\0';
		if (end == NULL)
			break;
		s = end + 1;
	}
	return i == n ? 0 : ERR_PARSE;
}

int
net_activate_parse(const char *pid, const char *fds, const char *names,
		   long self, struct net_activate_env *out)
{
	long p, n;

	memset(out, 0, sizeof *out);
	if (fds == NULL)
		return 0;
	/* another process's sockets (a parent that forgot to unset them) */
	if (pid == NULL || parse_num(pid, 1L << 30, &p) < 0 || p != self)
		return 0;
	int rc = parse_num(fds, 1 << 20, &n);
	if (rc < 0)
		return ERR_PARSE;
	if (n > NET_ACTIVATE_MAX)
		return ERR_TOOBIG;
	if (n > 0 && names && (rc = parse_names(names, (int)n, out)) < 0)
		return rc;
	out->n = (int)n;
	return (int)n;
}

static int
sock_opt(int fd, int opt, int *out)
{
	socklen_t len = sizeof *out;

	return getsockopt(fd, SOL_SOCKET, opt, out, &len) < 0 ? -errno : 0;
}

/* Describes descriptor fd and makes it close-on-exec and non-blocking:
 * the accept loop and the datagram readers expect EAGAIN, never a wait. */
static int
describe(int fd, struct net_inherited *in, const char **why)
{
	int domain, listening = 1, flags;

	*why = "not a socket";
	if (sock_opt(fd, SO_DOMAIN, &domain) < 0 ||
	    sock_opt(fd, SO_TYPE, &in->type) < 0)
		return ERR_UNSUPPORTED;
	*why = "not an IPv4 or IPv6 socket";
	if (domain != AF_INET && domain != AF_INET6)
		return ERR_UNSUPPORTED;
	*why = "neither stream nor datagram";
	if (in->type != SOCK_STREAM && in->type != SOCK_DGRAM)
		return ERR_UNSUPPORTED;
	*why = "a stream socket that is not listening (Accept=yes is not "
	       "supported)";
	if (in->type == SOCK_STREAM &&
	    (sock_opt(fd, SO_ACCEPTCONN, &listening) < 0 || !listening))
		return ERR_UNSUPPORTED;
	if (net_local_addr(fd, &in->addr) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ||
	    (flags = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		int e = errno;
		*why = strerror(e);
		return -e;
	}
	in->fd = fd;
	return 0;
}

int
net_activate_take(struct net_inherited *out, int max, char *err,
		  size_t errsz)
{
	struct net_activate_env *env = malloc(sizeof *env);

	if (env == NULL)
		return -ENOMEM;
	int n = net_activate_parse(getenv("LISTEN_PID"), getenv("LISTEN_FDS"),
				   getenv("LISTEN_FDNAMES"), (long)getpid(),
				   env);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (n < 0)
		snprintf(err, errsz, "LISTEN_FDS/LISTEN_FDNAMES: %s "
			 "(at most %d sockets, one name each)", err_str(n),
			 NET_ACTIVATE_MAX);
	if (n > max) {
		snprintf(err, errsz, "LISTEN_FDS: %d sockets, at most %d",
			 n, max);
		n = ERR_TOOBIG;
	}
	for (int i = 0; i < n; i++) {
		const char *why;
		int rc = describe(NET_ACTIVATE_FD0 + i, &out[i], &why);
		if (rc < 0) {
			snprintf(err, errsz, "descriptor %d: %s",
				 NET_ACTIVATE_FD0 + i, why);
			n = rc;
			break;
		}
		memcpy(out[i].name, env->names[i], sizeof out[i].name);
	}
	free(env);
	return n;
}
