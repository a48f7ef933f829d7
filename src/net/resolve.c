/* resolve: getaddrinfo behind the HOST:PORT syntax. */
#include <netdb.h>
#include <string.h>

#include "core/err.h"
#include "resolve.h"

int
net_resolve(const char *spec, int type, struct net_addr *out, int max)
{
	char host[256];
	uint16_t port;
	int rc = net_hostport_split(spec, host, sizeof host, &port);

	if (rc < 0)
		return rc;
	struct addrinfo hints = { .ai_socktype = type }, *res;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return ERR_NOTFOUND;
	int n = 0;
	for (struct addrinfo *ai = res; ai && n < max; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof out[n].ss)
			continue;
		memcpy(&out[n].ss, ai->ai_addr, ai->ai_addrlen);
		out[n].len = ai->ai_addrlen;
		net_addr_set_port(&out[n], port);
		n++;
	}
	freeaddrinfo(res);
	return n > 0 ? n : ERR_NOTFOUND;
}
