/* dns_stub: one question (a name and a type) asked of a resolver's name
 * servers in turn, on the loop: UDP with a timeout per wait, TCP when the
 * reply is truncated, the next server on a timeout, an error rcode, a
 * refused port or a malformed reply, `attempts` rounds. The engine part of
 * dns_resolve; a lookup runs two of these (AAAA and A). */
#ifndef INETKIT_DNS_STUB_H
#define INETKIT_DNS_STUB_H

#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "dns_reply.h"
#include "dns_resolve.h"

#define DNS_STUB_QMAX 512	/* a query: header, one name, OPT */

struct dns_stub;
/* Called once when the stub is done: s->status is 0 with s->info filled
 * (ADDRS, CNAME, NODATA or NXDOMAIN), or ERR_TIMEOUT (no server answered)
 * or -EAGAIN (every server that answered failed). The callback may start
 * the stub again. */
typedef void (*dns_stub_fn)(struct dns_stub *s, void *arg);

struct dns_stub {
	struct loop *l;
	const struct dns_resolver_config *cfg;
	uint8_t name[DNS_NAME_MAX + 1];
	uint16_t type;
	dns_stub_fn done;
	void *arg;

	int server, round;	/* who is asked, in which round */
	int fd;			/* -1 when no socket is open */
	int tcp;		/* the current exchange is over TCP */
	int edns;		/* EDNS0 in the query (dropped on FORMERR) */
	int failed;		/* a server answered with an error */
	uint8_t q[DNS_STUB_QMAX];
	size_t qlen;
	uint8_t *tbuf;		/* TCP: length prefix + message */
	size_t tlen;		/* TCP bytes read so far */
	struct loop_timer timer;

	int status;
	struct dns_reply_info info;
};

/* Sets up s (once, before its first start). */
void dns_stub_init(struct dns_stub *s, struct loop *l,
		   const struct dns_resolver_config *cfg);
/* Asks for (name, type) from the first server. The callback comes later
 * (a failure to send moves to the next server, and the last failure is
 * reported from a timer, never from inside this call). */
void dns_stub_start(struct dns_stub *s, const uint8_t *name, uint16_t type,
		    dns_stub_fn done, void *arg);
/* Stops s: closes its socket, disarms its timer, frees its TCP buffer.
 * Harmless on a stub that is not running. */
void dns_stub_stop(struct dns_stub *s);

#endif
