/* net_acceptor: the listening half every TCP engine shares. A worker's
 * listening sockets on its loop; accept4 until the queue is empty (the loop
 * is edge-triggered, so anything left would wait for the next client); and
 * a retry timer when the process runs out of descriptors, so the clients
 * still queued are served once some are freed. */
#ifndef INETKIT_ACCEPTOR_H
#define INETKIT_ACCEPTOR_H

#include "net/net_addr.h"
#include "core/loop.h"

#define NET_ACCEPTOR_MAX 16

/* Called with each accepted connection (non-blocking, close-on-exec), now
 * the callee's to keep or close, and the peer's address. */
typedef void (*net_accept_fn)(void *arg, int fd, const struct net_addr *peer);

struct net_acceptor {
	struct loop *loop;
	int fds[NET_ACCEPTOR_MAX];
	int nfds;
	const char *name;	/* the service, for the log */
	net_accept_fn fn;
	void *arg;
	struct loop_timer retry;
	unsigned long long starved;	/* retries since descriptors ran out */
};

/* Takes over the listening sockets fds[0..n) and watches them on l.
 * Returns 0, ERR_TOOBIG (more than NET_ACCEPTOR_MAX) or -errno; the
 * sockets are the acceptor's either way: net_acceptor_close frees them. */
int net_acceptor_start(struct net_acceptor *a, struct loop *l, const int *fds,
		       int n, const char *name, net_accept_fn fn, void *arg);
/* Stops watching and closes every listener; harmless twice. */
void net_acceptor_close(struct net_acceptor *a);

#endif
