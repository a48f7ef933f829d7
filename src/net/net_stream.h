/* net_stream: the life of a server's stream connections, shared by the
 * engines that keep them open (the DNS TCP engine, echo): the cap on
 * connections, the object, its registration on the loop, its two
 * buffers, its idle timer, the close, and the graceful stop that closes
 * the connections with nothing left to send. What a connection does with
 * its bytes is the engine's pump. */
#ifndef INETKIT_NET_STREAM_H
#define INETKIT_NET_STREAM_H

#include <stddef.h>
#include <sys/queue.h>

#include "core/buf.h"
#include "core/loop.h"

struct net_stream;
/* Runs on every event of the connection's socket (events as the loop
 * gives them). Returns 0 to keep the connection (its idle timer starts
 * again), negative to close it. */
typedef int (*net_stream_fn)(struct net_stream *c, int events);

/* One worker's connections of one engine. */
struct net_streams {
	struct loop *loop;
	LIST_HEAD(, net_stream) list;
	int n;
	int max;		/* more are closed as soon as accepted */
	int idle_ms;		/* closed after this long without an event */
	size_t size;		/* the engine's connection object, which
				 * starts with a struct net_stream */
	size_t in_max, out_max;	/* the buffers' limits */
	net_stream_fn pump;
	void *arg;		/* the engine's, for its pump */
};

struct net_stream {
	struct net_streams *set;
	LIST_ENTRY(net_stream) link;
	struct loop_timer idle;
	struct buf in, out;
	int fd;
	int peer_done;		/* the client half-closed: finish, close */
};

/* An empty set on loop l; size, limits, pump and arg as above. */
void net_streams_init(struct net_streams *s, struct loop *l, size_t size,
		      int max, int idle_ms, size_t in_max, size_t out_max,
		      net_stream_fn pump, void *arg);
/* Takes over the accepted socket fd: a new connection (zeroed beyond the
 * struct net_stream), registered and timed, or NULL when the cap is
 * reached or memory is short (fd is then closed). */
struct net_stream *net_stream_accept(struct net_streams *s, int fd);
/* Stops watching c, closes its socket, frees its buffers and c. */
void net_stream_close(struct net_stream *c);
/* Closes the connections with nothing left to send (the others close
 * when their pump sees loop_is_stopping). */
void net_streams_stop(struct net_streams *s);
/* Closes every connection. */
void net_streams_close_all(struct net_streams *s);

#endif
