/* url_parse: a URI reference into its components (RFC 3986 section 3 and
 * the grammar of appendix A, section 4.2 for relative references), the
 * validation of IP literals (3.2.2), and recomposition (5.3). */
#include <string.h>

#include "url_int.h"

/* Checks n bytes against a component's grammar: each byte in the classes
 * cls or among extra, or a valid escape when pct is set. */
static int
check_chars(const char *s, size_t n, unsigned cls, const char *extra,
	    int pct)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (url_c_is(c, cls) || (c && strchr(extra, c)))
			continue;
		if (c != '%' || !pct || n - i < 3 ||
		    hex_value((unsigned char)s[i + 1]) < 0 ||
		    hex_value((unsigned char)s[i + 2]) < 0)
			return ERR_PARSE;
		i += 2;
	}
	return 0;
}

/* dec-octet (3.2.2): "0" to "255" without leading zeros. Returns the
 * value or -1. */
static int
dec_octet(const char *s, size_t n)
{
	int v = 0;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 255 ? v : -1;
}

/* IPv4address: four dec-octets. Writes the bytes when out is not NULL. */
static int
ipv4_parse(const char *s, size_t n, uint8_t *out)
{
	size_t start = 0;
	int part = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		int v = dec_octet(s + start, i - start);
		if (v < 0 || part > 3)
			return ERR_PARSE;
		if (out)
			out[part] = (uint8_t)v;
		part++;
		start = i + 1;
	}
	return part == 4 ? 0 : ERR_PARSE;
}

/* One h16 (1 to 4 hex digits) at s; returns its length or 0. */
static size_t
h16(const char *s, size_t n, unsigned *v)
{
	size_t i = 0;

	*v = 0;
	while (i < n && i < 4 && hex_value((unsigned char)s[i]) >= 0)
		*v = *v * 16 + (unsigned)hex_value((unsigned char)s[i++]);
	return i;
}

/* With a "::" after group gap, moves the groups that follow it to the end
 * and fills the gap with zeros; without one, there must be eight. */
static int
ipv6_expand(uint8_t out[16], int ngroups, int gap)
{
	int tail = (ngroups - gap) * 2, shift = 16 - ngroups * 2;

	if (gap < 0)
		return ngroups == 8 ? 0 : ERR_PARSE;
	if (ngroups > 7)
		return ERR_PARSE;
	memmove(out + gap * 2 + shift, out + gap * 2, (size_t)tail);
	memset(out + gap * 2, 0, (size_t)shift);
	return 0;
}

/* IPv6address (3.2.2): eight 16-bit groups, one "::" standing for one or
 * more zero groups, the last two groups maybe written as an IPv4address. */
int
url_ipv6_parse(const char *s, size_t n, uint8_t out[16])
{
	size_t i = 0;
	int ngroups = 0, gap = -1;

	memset(out, 0, 16);
	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (n >= 1 && s[0] == ':') {
		return ERR_PARSE;
	}
	while (i < n) {
		unsigned v;
		size_t k = h16(s + i, n - i, &v);
		if (ngroups >= 8)
			return ERR_PARSE;
		if (k && i + k < n && s[i + k] == '.') {
			if (ngroups > 6 || ipv4_parse(s + i, n - i,
						      out + ngroups * 2))
				return ERR_PARSE;
			ngroups += 2;
			i = n;
			break;
		}
		if (k == 0)
			return ERR_PARSE;
		out[ngroups * 2] = (uint8_t)(v >> 8);
		out[ngroups * 2 + 1] = (uint8_t)v;
		ngroups++;
		i += k;
		if (i == n)
			break;
		if (s[i] != ':' || i + 1 == n)
			return ERR_PARSE;
		i++;
		if (s[i] == ':') {
			if (gap >= 0)
				return ERR_PARSE;
			gap = ngroups;
			i++;
		}
	}
	return ipv6_expand(out, ngroups, gap);
}

/* IP-literal without its brackets: IPv6address or IPvFuture. */
static int
ip_literal(const char *s, size_t n, struct url *u)
{
	uint8_t a[16];
	size_t i = 1;

	if (n > 0 && (s[0] == 'v' || s[0] == 'V')) {
		while (i < n && hex_value((unsigned char)s[i]) >= 0)
			i++;
		if (i == 1 || i >= n - 1 || s[i] != '.')
			return ERR_PARSE;
		u->host_type = URL_HOST_IPVFUTURE;
		return check_chars(s + i + 1, n - i - 1,
				   URL_C_UNRES | URL_C_SUB, ":", 0);
	}
	u->host_type = URL_HOST_IPV6;
	return url_ipv6_parse(s, n, a);
}

/* port = *DIGIT (3.2.3), at most 65535. */
static int
port_parse(const char *s, size_t n, struct url *u)
{
	long v = 0;

	u->port_num = -1;
	if (check_chars(s, n, URL_C_DIGIT, "", 0))
		return ERR_PARSE;
	for (size_t i = 0; i < n; i++) {
		v = v * 10 + (s[i] - '0');
		if (v > 65535)
			return ERR_RANGE;
	}
	if (n)
		u->port_num = (int)v;
	return 0;
}

/* host [":" port] after the userinfo. */
static int
hostport_parse(const char *s, size_t n, struct url *u)
{
	const char *colon, *end = s + n;
	int rc;

	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close)
			return ERR_PARSE;
		u->host = (struct url_slice){ s + 1, (size_t)(close - s - 1) };
		rc = ip_literal(u->host.p, u->host.n, u);
		if (rc)
			return rc;
		colon = close + 1;
		if (colon < end && *colon != ':')
			return ERR_PARSE;
	} else {
		colon = memchr(s, ':', n);
		if (!colon)
			colon = end;
		u->host = (struct url_slice){ s, (size_t)(colon - s) };
		if (check_chars(s, u->host.n, URL_C_UNRES | URL_C_SUB, "", 1))
			return ERR_PARSE;
		u->host_type = ipv4_parse(s, u->host.n, NULL) == 0 ?
				       URL_HOST_IPV4 : URL_HOST_NAME;
	}
	if (colon == end)
		return 0;
	u->flags |= URL_HAS_PORT;
	u->port = (struct url_slice){ colon + 1, (size_t)(end - colon - 1) };
	return port_parse(u->port.p, u->port.n, u);
}

/* authority = [ userinfo "@" ] host [ ":" port ] (3.2). */
static int
authority_parse(const char *s, size_t n, struct url *u)
{
	const char *at = memchr(s, '@', n);

	u->flags |= URL_HAS_AUTHORITY;
	if (at) {
		u->flags |= URL_HAS_USERINFO;
		u->userinfo = (struct url_slice){ s, (size_t)(at - s) };
		if (check_chars(s, u->userinfo.n, URL_C_UNRES | URL_C_SUB,
				":", 1))
			return ERR_PARSE;
		n -= u->userinfo.n + 1;
		s = at + 1;
	}
	return hostport_parse(s, n, u);
}

/* scheme ":" when the reference starts with one (3.1); else 0 bytes. */
static size_t
scheme_len(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !url_c_is((unsigned char)s[0], URL_C_ALPHA))
		return 0;
	while (i < n && url_c_is((unsigned char)s[i], URL_C_SCHEME))
		i++;
	return (i < n && s[i] == ':') ? i : 0;
}

/* The path (3.3): segments of pchar. Without a scheme, the first segment
 * of a relative path may not hold ":" (4.2, segment-nz-nc). */
static int
path_parse(const struct url *u)
{
	const char *p = u->path.p;
	size_t n = u->path.n;

	if (check_chars(p, n, URL_C_UNRES | URL_C_SUB, ":@/", 1))
		return ERR_PARSE;
	if (!(u->flags & (URL_HAS_SCHEME | URL_HAS_AUTHORITY)) && n &&
	    p[0] != '/') {
		const char *slash = memchr(p, '/', n);
		size_t first = slash ? (size_t)(slash - p) : n;
		if (memchr(p, ':', first))
			return ERR_PARSE;
	}
	return 0;
}

/* Query and fragment after the path (3.4, 3.5). */
static int
tail_parse(const char *s, const char *end, struct url *u)
{
	const char *hash;

	if (s == end)
		return 0;
	hash = memchr(s, '#', (size_t)(end - s));
	if (hash) {
		u->flags |= URL_HAS_FRAGMENT;
		u->fragment = (struct url_slice){ hash + 1,
						  (size_t)(end - hash - 1) };
		end = hash;
	}
	if (s < end && *s == '?') {
		u->flags |= URL_HAS_QUERY;
		u->query = (struct url_slice){ s + 1, (size_t)(end - s - 1) };
	}
	if (check_chars(u->query.p, u->query.n, URL_C_UNRES | URL_C_SUB,
			":@/?", 1) ||
	    check_chars(u->fragment.p, u->fragment.n,
			URL_C_UNRES | URL_C_SUB, ":@/?", 1))
		return ERR_PARSE;
	return 0;
}

int
url_parse(const char *s, size_t n, struct url *u)
{
	const char *p = s, *end = s + n, *q;
	size_t k;
	int rc;

	memset(u, 0, sizeof *u);
	u->port_num = -1;
	if (n > URL_MAX_LEN)
		return ERR_TOOBIG;
	k = scheme_len(s, n);
	if (k) {
		u->flags |= URL_HAS_SCHEME;
		u->scheme = (struct url_slice){ s, k };
		p += k + 1;
	}
	if (end - p >= 2 && p[0] == '/' && p[1] == '/') {
		p += 2;
		q = p;
		while (q < end && *q != '/' && *q != '?' && *q != '#')
			q++;
		rc = authority_parse(p, (size_t)(q - p), u);
		if (rc)
			return rc;
		p = q;
	}
	q = p;
	while (q < end && *q != '?' && *q != '#')
		q++;
	u->path = (struct url_slice){ p, (size_t)(q - p) };
	rc = path_parse(u);
	if (rc)
		return rc;
	return tail_parse(q, end, u);
}

int
url_scheme_is(const struct url *u, const char *s)
{
	size_t n = strlen(s);

	if (!(u->flags & URL_HAS_SCHEME) || u->scheme.n != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (url_lower(u->scheme.p[i]) != url_lower(s[i]))
			return 0;
	return 1;
}

void
url_w_authority(struct url_w *w, const struct url *u)
{
	int literal = u->host_type == URL_HOST_IPV6 ||
		      u->host_type == URL_HOST_IPVFUTURE;

	url_w_put(w, "//", 2);
	if (u->flags & URL_HAS_USERINFO) {
		url_w_slice(w, u->userinfo);
		url_w_putc(w, '@');
	}
	if (literal)
		url_w_putc(w, '[');
	url_w_slice(w, u->host);
	if (literal)
		url_w_putc(w, ']');
	if (u->flags & URL_HAS_PORT) {
		url_w_putc(w, ':');
		url_w_slice(w, u->port);
	}
}

ssize_t
url_format(const struct url *u, char *out, size_t size)
{
	struct url_w w;

	url_w_init(&w, out, size);
	if (u->flags & URL_HAS_SCHEME) {
		url_w_slice(&w, u->scheme);
		url_w_putc(&w, ':');
	}
	if (u->flags & URL_HAS_AUTHORITY)
		url_w_authority(&w, u);
	url_w_slice(&w, u->path);
	if (u->flags & URL_HAS_QUERY) {
		url_w_putc(&w, '?');
		url_w_slice(&w, u->query);
	}
	if (u->flags & URL_HAS_FRAGMENT) {
		url_w_putc(&w, '#');
		url_w_slice(&w, u->fragment);
	}
	return url_w_end(&w);
}
