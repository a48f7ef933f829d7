/* resolve: "HOST:PORT" to addresses through the system resolver
 * (getaddrinfo). A stand-in until the project's own stub resolver takes
 * over the clients. */
#ifndef INETKIT_RESOLVE_H
#define INETKIT_RESOLVE_H

#include "addr.h"

/* Resolves spec ("name:port", "1.2.3.4:port", "[v6]:port") for the
 * socket type into at most max addresses. Returns the count (>= 1),
 * ERR_PARSE, ERR_RANGE or ERR_NOTFOUND. */
int net_resolve(const char *spec, int type, struct net_addr *out, int max);

#endif
