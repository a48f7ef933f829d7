/* fetch_conn: a client connection of the fetch engine: its transport
 * and the opening of it over a host's addresses.
 *
 * The transport is a small table of operations (read, write, close) that
 * the HTTP/1.1 exchange (fetch_client.c) goes through, never through the
 * socket directly: plain TCP, or TLS (https) by net_tls over the same
 * socket, its handshake done in fetch_conn_open on the connection that
 * won, before the owner is told it is open. The plain path does nothing
 * more than before: TLS costs a connection only when fetch_conn_open is
 * given a context.
 *
 * fetch_conn_open connects by Happy Eyeballs (RFC 8305 section 5): the
 * addresses are tried in the order given (the resolver interleaves the
 * families, section 4), a new attempt every FETCH_CONN_STAGGER_MS while
 * none has connected, at once when one fails; the first to connect wins
 * and the others are closed. One timeout bounds the whole open, the TLS
 * handshake included. A TLS failure ends the open at once: another
 * address of the same name would show the same certificate. */
#ifndef INETKIT_FETCH_CONN_H
#define INETKIT_FETCH_CONN_H

#include <stddef.h>
#include <sys/types.h>

#include "core/loop.h"
#include "net/net_addr.h"
#include "net/net_tls.h"

struct fetch_conn;

#define FETCH_CONN_STAGGER_MS 250	/* RFC 8305 section 5: 250 ms */
#define FETCH_CONN_MAX_TRIES 16		/* attempts in flight at once */
#define FETCH_CONN_NAME_MAX 256	/* a host name for SNI, with its NUL */
#define FETCH_CONN_WHY_MAX 512

/* How bytes move over an open connection. read and write return a count,
 * 0 (read: the peer closed), -EAGAIN (wait for the loop) or -errno. */
struct fetch_transport {
	const char *name;	/* "tcp", "tls" */
	ssize_t (*read)(struct fetch_conn *c, void *p, size_t n);
	ssize_t (*write)(struct fetch_conn *c, const void *p, size_t n);
	void (*close)(struct fetch_conn *c);
	int splice;	/* the socket's bytes are the stream as is, so that
			 * splice(2) may move them (not under TLS) */
};

/* Called once per open: 0 when the connection is open (c->fd connected,
 * not watched by the loop: the owner adds it), else the last address's
 * error (-errno, ERR_TIMEOUT), or the TLS failure (ERR_TLS, ERR_CERT,
 * ERR_TIMEOUT) with c->why saying it in words. */
typedef void (*fetch_conn_fn)(void *arg, int status);
/* Optional: an address that failed (refused, unreachable) or was still
 * silent when another one connected or the time ran out, so that the
 * owner may try it last for a while. Called before done, and inside
 * fetch_conn_open when a socket cannot even be started (no route); it
 * must not close c. */
typedef void (*fetch_conn_bad_fn)(void *arg, const struct net_addr *a,
				  int err);

/* One connect in flight. */
struct fetch_conn_try {
	int fd;
	int ai;		/* its index in addrs */
};

struct fetch_conn {
	struct loop *l;
	int fd;				/* -1: no connection */
	const struct fetch_transport *t;	/* while fd is open */
	struct net_addr peer;		/* the address connected (or tried) */
	struct net_tls *tls;		/* an https connection's TLS */
	struct net_tls_client *tls_ctx;	/* of the last open; NULL: TCP */
	char name[FETCH_CONN_NAME_MAX];	/* the server's name, with tls_ctx */
	/* The last TLS failure in words ("certificate verification failed:
	 * certificate has expired"), or "": kept after the close, cleared
	 * by the next open. */
	char why[FETCH_CONN_WHY_MAX];

	/* While opening. */
	const struct net_addr *addrs;
	int naddrs, ai, last_err;	/* ai: the next address to try */
	int opening;
	int handshaking;		/* TCP is up (fd), TLS is not yet */
	struct fetch_conn_try tries[FETCH_CONN_MAX_TRIES];
	int ntries;
	struct loop_timer timer;	/* the next attempt (or the end) */
	struct loop_timer deadline;	/* the whole open */
	fetch_conn_fn done;
	fetch_conn_bad_fn bad;		/* may be NULL */
	void *arg;
};

/* Sets up c (no connection) on loop l. */
void fetch_conn_init(struct fetch_conn *c, struct loop *l);
/* Opens c to the first of addrs[0..n) (with ports) to accept, Happy
 * Eyeballs within timeout_ms for the whole, closing what c held; with tls
 * (NULL: plain TCP), the TLS handshake with the server called name (a
 * DNS name or an address, no brackets) follows within the same time.
 * addrs must live until done runs. done runs later, from the loop, never
 * inside this call; bad (may be NULL) as said above. */
void fetch_conn_open(struct fetch_conn *c,
			  const struct net_addr *addrs, int n, int timeout_ms,
			  struct net_tls_client *tls, const char *name,
			  fetch_conn_fn done, fetch_conn_bad_fn bad, void *arg);
/* True when c, open, may carry a request for that server: the same
 * transport, and under TLS the same name (the one its certificate was
 * checked for). */
int fetch_conn_is_for(const struct fetch_conn *c,
		      const struct net_tls_client *tls, const char *name);
/* Closes the connection, or stops an open in progress (done is not
 * called). Harmless when there is none. The owner takes fd out of the
 * loop first when it added it. */
void fetch_conn_close(struct fetch_conn *c);

static inline ssize_t
fetch_conn_read(struct fetch_conn *c, void *p, size_t n)
{
	return c->t->read(c, p, n);
}

static inline ssize_t
fetch_conn_write(struct fetch_conn *c, const void *p, size_t n)
{
	return c->t->write(c, p, n);
}

#endif
