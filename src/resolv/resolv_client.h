/* resolv_client: one question to one server, as dig asks it: over UDP with
 * retries, then over TCP when the reply is truncated (RFC 7766 section
 * 5). Blocking, with a timeout per wait. */
#ifndef INETKIT_RESOLV_CLIENT_H
#define INETKIT_RESOLV_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/net_addr.h"

struct resolv_client {
	int timeout_ms;		/* each wait for the server */
	int retries;		/* UDP: extra sends when no reply comes */
	int tcp;		/* ask over TCP from the start */
	uint16_t edns_size;	/* 0: no EDNS */
	int rd;			/* ask for recursion */
};

/* Writes a query for name (wire form) and type into out. Returns the
 * length or ERR_TOOBIG. */
int resolv_query_build(const struct resolv_client *c, uint16_t id,
		       const uint8_t *name, uint16_t type, uint8_t *out,
		       size_t size);
/* Sends the query q to server and reads the reply with the same id and
 * question into out. *over_tcp tells which transport gave the reply.
 * Returns the reply length, ERR_TIMEOUT, ERR_PARSE or -errno. */
ssize_t resolv_client_ask(const struct resolv_client *c,
			  const struct net_addr *server, const uint8_t *q,
			  size_t qlen, uint8_t *out, size_t size,
			  int *over_tcp);

#endif
