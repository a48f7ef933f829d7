/* net_prefix: networks of addresses, for per-client limits. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "net/net_addr.h"
#include "net/net_prefix.h"

/* Clears the bits of p->bytes past p->len. */
static void
prefix_mask(struct net_prefix *p)
{
	int nbytes = p->v6 ? 16 : 4;

	for (int i = 0; i < nbytes; i++) {
		int keep = (int)p->len - i * 8;
		if (keep <= 0)
			p->bytes[i] = 0;
		else if (keep < 8)
			p->bytes[i] &= (uint8_t)(0xff << (8 - keep));
	}
}

/* The address bytes of sa: IPv4 (mapped included) sets *v6 to 0 and
 * returns 4 bytes; IPv6 16. NULL for another family. */
static const uint8_t *
addr_bytes(const struct sockaddr *sa, int *v6)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0xff, 0xff };

	if (sa->sa_family == AF_INET) {
		*v6 = 0;
		return (const uint8_t *)&((const struct sockaddr_in *)sa)->
			sin_addr;
	}
	if (sa->sa_family != AF_INET6)
		return NULL;
	const uint8_t *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.
		s6_addr;
	*v6 = memcmp(b, mapped, sizeof mapped) != 0;
	return *v6 ? b : b + 12;
}

int
net_prefix_parse(const char *s, struct net_prefix *out)
{
	char host[NET_ADDR_STRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	struct net_addr a;
	int v6;

	if (n == 0 || n >= sizeof host)
		return ERR_PARSE;
	memcpy(host, s, n);
	host[n] = '\0';
	if (net_ip_parse(host, &a) < 0)
		return ERR_PARSE;
	const uint8_t *b = addr_bytes((const struct sockaddr *)&a.ss, &v6);
	if (b == NULL)
		return ERR_PARSE;
	memset(out, 0, sizeof *out);
	out->v6 = (uint8_t)v6;
	int max = v6 ? 128 : 32;
	long len = max;
	if (slash) {
		char *end;
		if (slash[1] < '0' || slash[1] > '9')
			return ERR_PARSE;
		len = strtol(slash + 1, &end, 10);
		if (*end != '\0' || len > max)
			return ERR_PARSE;
	}
	out->len = (uint8_t)len;
	memcpy(out->bytes, b, v6 ? 16 : 4);
	prefix_mask(out);
	return 0;
}

int
net_prefix_of(const struct sockaddr *sa, int v4len, int v6len,
	      struct net_prefix *out)
{
	int v6;
	const uint8_t *b = addr_bytes(sa, &v6);

	if (b == NULL)
		return ERR_PARSE;
	memset(out, 0, sizeof *out);
	out->v6 = (uint8_t)v6;
	out->len = (uint8_t)(v6 ? v6len : v4len);
	memcpy(out->bytes, b, v6 ? 16 : 4);
	prefix_mask(out);
	return 0;
}

int
net_prefix_contains(const struct net_prefix *p, const struct sockaddr *sa)
{
	struct net_prefix q;

	if (net_prefix_of(sa, p->len, p->len, &q) < 0 || q.v6 != p->v6)
		return 0;
	return memcmp(q.bytes, p->bytes, sizeof q.bytes) == 0;
}

int
net_prefix_any(const struct net_prefix *p, int n, const struct sockaddr *sa)
{
	for (int i = 0; i < n; i++)
		if (net_prefix_contains(&p[i], sa))
			return 1;
	return 0;
}

void
net_prefix_format(const struct net_prefix *p, char *out, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->v6 ? AF_INET6 : AF_INET, p->bytes, a, sizeof a);
	snprintf(out, size, "%s/%u", a, p->len);
}
