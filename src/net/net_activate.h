/* net_activate: sockets handed over by a service manager (systemd socket
 * activation, sd_listen_fds(3) semantics, written here without
 * libsystemd): $LISTEN_FDS descriptors from 3 on, meant for the process
 * $LISTEN_PID, named by $LISTEN_FDNAMES (colon-separated). */
#ifndef INETKIT_NET_ACTIVATE_H
#define INETKIT_NET_ACTIVATE_H

#include <stddef.h>

#include "net/net_addr.h"

#define NET_ACTIVATE_FD0 3	/* SD_LISTEN_FDS_START */
#define NET_ACTIVATE_MAX 64	/* sockets taken at most */
#define NET_ACTIVATE_NAME_MAX 64	/* bytes of a name, with its NUL */

/* What the three variables say, for the process self: n sockets (0 when
 * none or not for self) and their names ("" when unnamed). */
struct net_activate_env {
	int n;
	char names[NET_ACTIVATE_MAX][NET_ACTIVATE_NAME_MAX];
};

/* Parses the values of LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES (each
 * may be NULL: unset). Pure. Returns the count (0: none for self), or
 * ERR_PARSE (a bad number, a name count that differs from LISTEN_FDS)
 * or ERR_TOOBIG (more than NET_ACTIVATE_MAX sockets). A name is cut to
 * NET_ACTIVATE_NAME_MAX - 1 bytes. */
int net_activate_parse(const char *pid, const char *fds, const char *names,
		       long self, struct net_activate_env *out);

/* One inherited socket: its descriptor, SOCK_STREAM (listening) or
 * SOCK_DGRAM, local address and name. */
struct net_inherited {
	int fd;
	int type;
	struct net_addr addr;
	char name[NET_ACTIVATE_NAME_MAX];
};

/* Takes the sockets of the environment: parses it, removes the three
 * variables (children must not take them too), makes each descriptor
 * close-on-exec and non-blocking (the workers share them) and describes
 * it into out[0..max). Returns the count, 0 when there are none, or a
 * negative code with a message in err: a bad variable, a descriptor that
 * is not an IPv4/IPv6 socket, a stream socket that is not listening. */
int net_activate_take(struct net_inherited *out, int max, char *err,
		      size_t errsz);

#endif
