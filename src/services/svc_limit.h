/* svc_limit: a per-source limit on the UDP replies of echo, daytime and
 * time, so that a forged source address cannot turn them into a stream
 * aimed at a victim. A token bucket per source address (not port) in a
 * fixed direct-mapped table per worker: no allocation, no lock; a source
 * that collides with another takes its slot and starts a fresh bucket. */
#ifndef INETKIT_SVC_LIMIT_H
#define INETKIT_SVC_LIMIT_H

#include <stdint.h>
#include <sys/socket.h>

#define SVC_LIMIT_SLOTS 4096
#define SVC_LIMIT_RATE 20	/* replies per second per source */
#define SVC_LIMIT_BURST 40	/* replies a quiet source may send at once */

struct svc_limit_slot {
	uint8_t addr[16];	/* IPv4 as ::ffff:a.b.c.d */
	int64_t last_ms;	/* when tokens was computed */
	int32_t tokens;		/* in thousandths of a reply */
	uint8_t used;
};

struct svc_limit {
	struct svc_limit_slot slots[SVC_LIMIT_SLOTS];
};

/* 1 when a reply to from may go out at now_ms (a token is taken), 0 when
 * the source is over its rate. Other families always pass. */
int svc_limit_allow(struct svc_limit *t, const struct sockaddr *from,
		    int64_t now_ms);

#endif
