/* net_service: what every server engine's worker does with the sockets
 * of one service, done once: it takes over the TCP listeners (through
 * net_acceptor) and the UDP sockets (read on the loop), registers the
 * engine's stop hook, logs a failure under the service's name, and at
 * stop or free closes them all. */
#ifndef INETKIT_NET_SERVICE_H
#define INETKIT_NET_SERVICE_H

#include "core/loop.h"
#include "net/net_acceptor.h"

struct net_service {
	struct net_acceptor tcp;
	struct loop *loop;
	int udp[NET_ACCEPTOR_MAX];	/* datagram sockets, -1 once closed */
	int nudp;
};

/* What a worker serves: name (for the log), its listening sockets
 * tcp[0..ntcp) with on_accept, its datagram sockets udp[0..nudp) with
 * on_datagram, and on_stop (loop_on_stop); arg goes to all three. */
struct net_service_config {
	const char *name;
	const int *tcp;
	int ntcp;
	net_accept_fn on_accept;
	const int *udp;
	int nudp;
	loop_fd_fn on_datagram;
	loop_hook_fn on_stop;
	void *arg;
};

/* Takes over c's sockets on l (they are s's either way: net_service_close
 * closes them) and registers the hooks. Returns 0, or ERR_TOOBIG (more
 * than NET_ACCEPTOR_MAX sockets of a kind) or -errno, logged as "NAME:
 * error". */
int net_service_start(struct net_service *s, struct loop *l,
		      const struct net_service_config *c);
/* Stops watching and closes every listener and datagram socket; harmless
 * twice, and on an s that is all zeros. */
void net_service_close(struct net_service *s);

#endif
