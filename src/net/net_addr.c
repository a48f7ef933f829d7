/* net_addr: numeric IPv4/IPv6 addresses (RFC 791, RFC 4291 section 2.2) and
 * the ADDR:PORT forms of the command line, with IPv6 literals in brackets
 * as in RFC 3986 section 3.2.2. Pure: no name lookups, no I/O. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "net/net_addr.h"

/* Longest numeric IPv6 text inet_pton can take (with an embedded IPv4
 * quad), plus '%' and a scope id. */
#define ADDR_IP_MAX (INET6_ADDRSTRLEN + 8)
/* Scope ids are numeric only (interface names would need a lookup) and
 * at most 7 digits, so that "[" V6 "%" SCOPE "]:65535" fits in
 * NET_ADDR_STRLEN. */
#define ADDR_SCOPE_DIGITS 7

/* Parses 1 to ADDR_SCOPE_DIGITS decimal digits. Returns 0 or ERR_PARSE. */
static int
parse_scope(const char *s, uint32_t *out)
{
	size_t n = strlen(s);
	uint32_t v = 0;

	if (n == 0 || n > ADDR_SCOPE_DIGITS)
		return ERR_PARSE;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return ERR_PARSE;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Parses n bytes of s as a numeric IPv4 or IPv6 address (an IPv6 one may
 * carry a numeric "%scope"). v6only refuses IPv4. */
static int
parse_ip_n(const char *s, size_t n, int v6only, struct net_addr *out)
{
	char tmp[ADDR_IP_MAX + 1];
	char *pct;
	uint32_t scope = 0;

	if (n == 0 || n > ADDR_IP_MAX)
		return ERR_PARSE;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(out, 0, sizeof *out);
	if (!v6only && !strchr(tmp, ':')) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;

		if (inet_pton(AF_INET, tmp, &sin->sin_addr) != 1)
			return ERR_PARSE;
		sin->sin_family = AF_INET;
		out->len = sizeof *sin;
		return 0;
	}
	pct = strchr(tmp, '%');
	if (pct) {
		*pct = '\0';
		if (parse_scope(pct + 1, &scope) < 0)
			return ERR_PARSE;
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;

	if (inet_pton(AF_INET6, tmp, &sin6->sin6_addr) != 1) {
		memset(out, 0, sizeof *out);
		return ERR_PARSE;
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_scope_id = scope;
	out->len = sizeof *sin6;
	return 0;
}

int
net_ip_parse(const char *s, struct net_addr *out)
{
	return parse_ip_n(s, strlen(s), 0, out);
}

/* Parses a decimal port: one or more digits and nothing else. Returns 0,
 * ERR_PARSE (empty or not a number) or ERR_RANGE (above 65535). */
static int
parse_port(const char *s, uint16_t *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return ERR_PARSE;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return ERR_PARSE;
		if (v <= 65535)
			v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > 65535)
		return ERR_RANGE;
	*out = (uint16_t)v;
	return 0;
}

/* Splits s into a host part and a port string. "[V6]:PORT" gives the
 * bracket contents (*bracketed set); "HOST:PORT" splits at the only ':'.
 * A bare IPv6 address ("::1:80") is ambiguous and refused. */
static int
split_hostport(const char *s, const char **host, size_t *hostlen,
	       const char **port, int *bracketed)
{
	const char *colon;

	*bracketed = s[0] == '[';
	if (*bracketed) {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return ERR_PARSE;
		*host = s + 1;
		*hostlen = (size_t)(close - s - 1);
		*port = close + 2;
		return 0;
	}
	colon = strchr(s, ':');
	if (!colon || strchr(colon + 1, ':'))
		return ERR_PARSE;
	*host = s;
	*hostlen = (size_t)(colon - s);
	*port = colon + 1;
	return 0;
}

int
net_addr_parse(const char *s, struct net_addr *out)
{
	const char *host, *port;
	size_t hostlen;
	int bracketed, rc;
	uint16_t pnum;

	rc = split_hostport(s, &host, &hostlen, &port, &bracketed);
	if (rc < 0)
		return rc;
	if (hostlen == 0 && !bracketed) {
		/* ":PORT": the IPv6 wildcard, made dual-stack by net_listen. */
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;

		memset(out, 0, sizeof *out);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_any;
		out->len = sizeof *sin6;
	} else {
		rc = parse_ip_n(host, hostlen, bracketed, out);
		if (rc < 0)
			return rc;
	}
	rc = parse_port(port, &pnum);
	if (rc < 0)
		return rc;
	net_addr_set_port(out, pnum);
	return 0;
}

/* A host name or address as it may appear before ":PORT": printable
 * ASCII without spaces, brackets, '/', '@' or ':' (which only a bracketed
 * IPv6 literal may hold). */
static int
host_chars_ok(const char *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];

		if (c <= ' ' || c >= 0x7f || strchr("[]/@:", c))
			return 0;
	}
	return n > 0;
}

int
net_hostport_split(const char *s, char *host, size_t hostsz, uint16_t *port)
{
	const char *h, *p;
	size_t hlen;
	int bracketed, rc;
	struct net_addr tmp;

	rc = split_hostport(s, &h, &hlen, &p, &bracketed);
	if (rc < 0)
		return rc;
	if (bracketed) {
		if (parse_ip_n(h, hlen, 1, &tmp) < 0)
			return ERR_PARSE;
	} else if (!host_chars_ok(h, hlen)) {
		return ERR_PARSE;
	}
	rc = parse_port(p, port);
	if (rc < 0)
		return rc;
	if (hlen + 1 > hostsz)
		return ERR_TOOBIG;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	return 0;
}

int
net_addr_format(const struct net_addr *a, int with_port, char *out,
		size_t size)
{
	char ip[INET6_ADDRSTRLEN];
	char scope[16] = "";
	int n;

	if (net_addr_family(a) == AF_INET) {
		const struct sockaddr_in *sin = (const void *)&a->ss;

		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip);
		if (with_port)
			n = snprintf(out, size, "%s:%u", ip,
				     (unsigned)ntohs(sin->sin_port));
		else
			n = snprintf(out, size, "%s", ip);
	} else if (net_addr_family(a) == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)&a->ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof ip);
		if (sin6->sin6_scope_id)
			snprintf(scope, sizeof scope, "%%%u",
				 (unsigned)sin6->sin6_scope_id);
		if (with_port)
			n = snprintf(out, size, "[%s%s]:%u", ip, scope,
				     (unsigned)ntohs(sin6->sin6_port));
		else
			n = snprintf(out, size, "%s%s", ip, scope);
	} else {
		return -EAFNOSUPPORT;
	}
	if (n < 0 || (size_t)n >= size)
		return ERR_TOOBIG;
	return n;
}

uint16_t
net_addr_port(const struct net_addr *a)
{
	switch (net_addr_family(a)) {
	case AF_INET:
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	case AF_INET6:
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	}
	return 0;
}

void
net_addr_set_port(struct net_addr *a, uint16_t port)
{
	switch (net_addr_family(a)) {
	case AF_INET:
		((struct sockaddr_in *)&a->ss)->sin_port = htons(port);
		break;
	case AF_INET6:
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons(port);
		break;
	}
}

int
net_addr_family(const struct net_addr *a)
{
	if (a->len == 0)
		return AF_UNSPEC;
	return a->ss.ss_family;
}

int
net_addr_equal(const struct net_addr *a, const struct net_addr *b)
{
	int fam = net_addr_family(a);

	if (fam != net_addr_family(b) || net_addr_port(a) != net_addr_port(b))
		return 0;
	if (fam == AF_INET) {
		const struct sockaddr_in *x = (const void *)&a->ss;
		const struct sockaddr_in *y = (const void *)&b->ss;

		return x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (fam == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)&a->ss;
		const struct sockaddr_in6 *y = (const void *)&b->ss;

		return memcmp(&x->sin6_addr, &y->sin6_addr,
			      sizeof x->sin6_addr) == 0 &&
		       x->sin6_scope_id == y->sin6_scope_id;
	}
	return fam == AF_UNSPEC;
}
