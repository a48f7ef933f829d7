/* url_norm: syntax-based normalisation of a URI reference (RFC 3986
 * 6.2.2), the scheme-based rules of http and https (6.2.3, RFC 9110
 * 4.2.3) and the text form of IPv6 addresses (RFC 5952). */
#include <string.h>

#include "url_int.h"

/* The longest run of two or more zero groups, leftmost on a tie (RFC 5952
 * 4.2.2, 4.2.3); *len is 0 when there is none. */
static int
zero_run(const uint8_t a[16], int *len)
{
	int best = -1, bestlen = 0, start = -1;

	for (int g = 0; g <= 8; g++) {
		int zero = g < 8 && a[2 * g] == 0 && a[2 * g + 1] == 0;
		if (zero && start < 0)
			start = g;
		if (!zero && start >= 0) {
			if (g - start > bestlen) {
				best = start;
				bestlen = g - start;
			}
			start = -1;
		}
	}
	*len = bestlen >= 2 ? bestlen : 0;
	return best;
}

static void
put_hex16(struct url_w *w, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	int shift = 12;

	while (shift > 0 && ((v >> shift) & 15) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		url_w_putc(w, hex[(v >> shift) & 15]);
}

/* RFC 5952: lowercase hex without leading zeros, the longest zero run as
 * "::", and an IPv4-mapped address (::ffff:0:0/96) in dotted form (5). */
void
url_w_ipv6(struct url_w *w, const uint8_t a[16])
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	int runlen, run = zero_run(a, &runlen);
	int groups = 8;

	if (memcmp(a, mapped, sizeof mapped) == 0) {
		url_w_put(w, "::ffff:", 7);
		for (int i = 12; i < 16; i++) {
			url_w_num(w, a[i]);
			if (i < 15)
				url_w_putc(w, '.');
		}
		return;
	}
	for (int g = 0; g < groups; g++) {
		if (runlen && g == run) {
			url_w_put(w, "::", 2);
			g += runlen - 1;
			continue;
		}
		if (g > 0 && !(runlen && g == run + runlen))
			url_w_putc(w, ':');
		put_hex16(w, (unsigned)(a[2 * g] << 8 | a[2 * g + 1]));
	}
}

static int
is_http(const struct url *u)
{
	return url_scheme_is(u, "http") || url_scheme_is(u, "https");
}

static void
put_host(struct url_w *w, const struct url *u)
{
	uint8_t a[16];

	switch (u->host_type) {
	case URL_HOST_IPV6:
		url_w_putc(w, '[');
		if (url_ipv6_parse(u->host.p, u->host.n, a) == 0)
			url_w_ipv6(w, a);
		else
			w->err = ERR_PARSE;	/* a struct not from url_parse */
		url_w_putc(w, ']');
		break;
	case URL_HOST_IPVFUTURE:
		url_w_putc(w, '[');
		for (size_t i = 0; i < u->host.n; i++)
			url_w_putc(w, url_lower(u->host.p[i]));
		url_w_putc(w, ']');
		break;
	default:
		url_w_pct_norm(w, u->host, 1);
		break;
	}
}

/* The port in plain decimal; none when empty or the scheme's default. */
static void
put_port(struct url_w *w, const struct url *u)
{
	if (u->port_num < 0)
		return;
	if ((u->port_num == 80 && url_scheme_is(u, "http")) ||
	    (u->port_num == 443 && url_scheme_is(u, "https")))
		return;
	url_w_putc(w, ':');
	url_w_num(w, (unsigned)u->port_num);
}

static void
put_authority(struct url_w *w, const struct url *u)
{
	url_w_put(w, "//", 2);
	if (u->flags & URL_HAS_USERINFO) {
		url_w_pct_norm(w, u->userinfo, 0);
		url_w_putc(w, '@');
	}
	put_host(w, u);
	put_port(w, u);
}

/* The path's escapes are normalised first, so that "%2E%2E" is seen as
 * ".." (6.2.2.3); this happens in a scratch buffer so that the output
 * needs room for the result only. */
static void
put_path(struct url_w *w, const struct url *u)
{
	char tmp[URL_MAX_LEN + 1];
	struct url_w t;
	int authority = (u->flags & URL_HAS_AUTHORITY) != 0;

	url_w_init(&t, tmp, sizeof tmp);
	url_w_pct_norm(&t, u->path, 0);
	if (t.err) {
		w->err = t.err;
		return;
	}
	if ((u->flags & URL_HAS_SCHEME) || authority ||
	    (t.len && tmp[0] == '/'))
		url_w_path(w, tmp, t.len, authority);
	else
		url_w_put(w, tmp, t.len);
	if (t.len == 0 && authority && is_http(u))
		url_w_putc(w, '/');
}

ssize_t
url_normalize_parsed(const struct url *u, char *out, size_t size)
{
	struct url_w w;

	url_w_init(&w, out, size);
	if (u->flags & URL_HAS_SCHEME) {
		for (size_t i = 0; i < u->scheme.n; i++)
			url_w_putc(&w, url_lower(u->scheme.p[i]));
		url_w_putc(&w, ':');
	}
	if (u->flags & URL_HAS_AUTHORITY)
		put_authority(&w, u);
	put_path(&w, u);
	if (u->flags & URL_HAS_QUERY) {
		url_w_putc(&w, '?');
		url_w_pct_norm(&w, u->query, 0);
	}
	if (u->flags & URL_HAS_FRAGMENT) {
		url_w_putc(&w, '#');
		url_w_pct_norm(&w, u->fragment, 0);
	}
	return url_w_end(&w);
}

ssize_t
url_normalize(const char *s, size_t n, char *out, size_t size)
{
	struct url u;
	int rc = url_parse(s, n, &u);

	if (rc)
		return rc;
	return url_normalize_parsed(&u, out, size);
}
