/* resolv_stub: one question (a name and a type) asked of a resolver's name
 * servers in turn, on the loop: UDP with a timeout per wait, TCP when the
 * reply is truncated, the next server on a timeout, an error rcode, a
 * refused port or a malformed reply, `attempts` rounds. The engine part of
 * resolv; a lookup runs two of these (AAAA and A). */
#ifndef INETKIT_RESOLV_STUB_H
#define INETKIT_RESOLV_STUB_H

#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "resolv.h"
#include "resolv_reply.h"

#define RESOLV_STUB_QMAX 512	/* a query: header, one name, OPT */

struct resolv_stub;
/* Called once when the stub is done: s->status is 0 with s->info filled
 * (ADDRS, CNAME, NODATA or NXDOMAIN), or ERR_TIMEOUT (no server answered)
 * or -EAGAIN (every server that answered failed). The callback may start
 * the stub again. */
typedef void (*resolv_stub_fn)(struct resolv_stub *s, void *arg);

struct resolv_stub {
	struct loop *l;
	const struct resolv_config *cfg;
	uint8_t name[DNS_NAME_MAX + 1];
	uint16_t type;
	resolv_stub_fn done;
	void *arg;

	int server, round;	/* who is asked, in which round */
	int fd;			/* -1 when no socket is open */
	int tcp;		/* the current exchange is over TCP */
	int edns;		/* EDNS0 in the query (dropped on FORMERR) */
	int failed;		/* a server answered with an error */
	uint8_t q[RESOLV_STUB_QMAX];
	size_t qlen;
	uint8_t *tbuf;		/* TCP: length prefix + message */
	size_t tlen;		/* TCP bytes read so far */
	struct loop_timer timer;

	int status;
	struct resolv_reply_info info;
};

/* Sets up s (once, before its first start). */
void resolv_stub_init(struct resolv_stub *s, struct loop *l,
		      const struct resolv_config *cfg);
/* Asks for (name, type) from the first server. The callback comes later
 * (a failure to send moves to the next server, and the last failure is
 * reported from a timer, never from inside this call). */
void resolv_stub_start(struct resolv_stub *s, const uint8_t *name,
		       uint16_t type, resolv_stub_fn done, void *arg);
/* Stops s: closes its socket, disarms its timer, frees its TCP buffer.
 * Harmless on a stub that is not running. */
void resolv_stub_stop(struct resolv_stub *s);

#endif
