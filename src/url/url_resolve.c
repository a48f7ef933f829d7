/* url_resolve: reference resolution (RFC 3986 section 5.2, strict),
 * remove_dot_segments (5.2.4), recomposition of the target (5.3), and the
 * request parts of an http(s) URL (RFC 9110 4.2, RFC 9112 3.2.1). */
#include <string.h>

#include "url_int.h"

static int
at(const char *p, size_t left, const char *lit)
{
	size_t n = strlen(lit);

	return left >= n && memcmp(p, lit, n) == 0;
}

/* Removes the last segment and its preceding "/" (if any) from the
 * output, which is p[0..o). Returns the new o. */
static size_t
pop_segment(const char *p, size_t o)
{
	while (o > 0 && p[o - 1] != '/')
		o--;
	return o > 0 ? o - 1 : 0;
}

/* The loop of 5.2.4, with the input buffer the tail p[i..n) of the same
 * array as the output p[0..o): the output never overtakes the input, and
 * the "replace with /" steps rewrite a byte the input has not yet given. */
size_t
url_remove_dot_segments(char *p, size_t n)
{
	size_t i = 0, o = 0;

	while (i < n) {
		const char *in = p + i;
		size_t left = n - i, k;

		if (at(in, left, "../")) {			/* A */
			i += 3;
		} else if (at(in, left, "./")) {		/* A */
			i += 2;
		} else if (at(in, left, "/./")) {		/* B */
			i += 2;
		} else if (left == 2 && at(in, left, "/.")) {	/* B */
			p[++i] = '/';
		} else if (at(in, left, "/../")) {		/* C */
			i += 3;
			o = pop_segment(p, o);
		} else if (left == 3 && at(in, left, "/..")) {	/* C */
			i += 2;
			p[i] = '/';
			o = pop_segment(p, o);
		} else if ((left == 1 && in[0] == '.') ||
			   (left == 2 && at(in, left, ".."))) {	/* D */
			i = n;
		} else {					/* E */
			k = in[0] == '/' ? 1 : 0;
			while (k < left && in[k] != '/')
				k++;
			memmove(p + o, in, k);
			o += k;
			i += k;
		}
	}
	return o;
}

void
url_w_path(struct url_w *w, char *path, size_t n, int authority)
{
	n = url_remove_dot_segments(path, n);
	if (!authority && n >= 2 && path[0] == '/' && path[1] == '/')
		url_w_put(w, "/.", 2);
	url_w_put(w, path, n);
}

/* merge (5.2.3) into tmp: the base path up to its last "/" (or "/" alone
 * for an empty path under an authority), then ref's path. Both are at
 * most URL_MAX_LEN bytes. Returns the length. */
static size_t
merge(char *tmp, const struct url *base, const struct url *ref)
{
	size_t n = 0;

	if ((base->flags & URL_HAS_AUTHORITY) && base->path.n == 0) {
		tmp[n++] = '/';
	} else {
		for (n = base->path.n; n > 0; n--)
			if (base->path.p[n - 1] == '/')
				break;
		if (n)
			memcpy(tmp, base->path.p, n);
	}
	if (ref->path.n)
		memcpy(tmp + n, ref->path.p, ref->path.n);
	return n + ref->path.n;
}

/* T.path and T.query (5.2.2): a reference's own path has its dot
 * segments removed, an empty one takes the base's path and maybe query,
 * a relative one is merged with the base's. */
static void
put_path_query(struct url_w *w, const struct url *base,
	       const struct url *ref, int authority)
{
	char tmp[2 * URL_MAX_LEN + 1];
	const struct url *q = ref;
	size_t n;

	if (ref->path.n == 0 && base) {
		url_w_slice(w, base->path);
		if (!(ref->flags & URL_HAS_QUERY))
			q = base;
	} else {
		if (base && ref->path.p[0] != '/') {
			n = merge(tmp, base, ref);
		} else {
			n = ref->path.n;
			if (n)
				memcpy(tmp, ref->path.p, n);
		}
		url_w_path(w, tmp, n, authority);
	}
	if (q->flags & URL_HAS_QUERY) {
		url_w_putc(w, '?');
		url_w_slice(w, q->query);
	}
}

ssize_t
url_resolve(const struct url *base, const struct url *ref, char *out,
	    size_t size)
{
	const struct url *auth = ref;
	struct url_w w;

	if (!(base->flags & URL_HAS_SCHEME))
		return ERR_PARSE;
	url_w_init(&w, out, size);
	url_w_slice(&w, (ref->flags & URL_HAS_SCHEME) ? ref->scheme
						       : base->scheme);
	url_w_putc(&w, ':');
	if (!(ref->flags & (URL_HAS_SCHEME | URL_HAS_AUTHORITY)))
		auth = base;
	if (auth->flags & URL_HAS_AUTHORITY)
		url_w_authority(&w, auth);
	put_path_query(&w, auth == base ? base : NULL, ref,
		       (auth->flags & URL_HAS_AUTHORITY) != 0);
	if (ref->flags & URL_HAS_FRAGMENT) {
		url_w_putc(&w, '#');
		url_w_slice(&w, ref->fragment);
	}
	return url_w_end(&w);
}

ssize_t
url_resolve_str(const char *base, size_t bn, const char *ref, size_t rn,
		char *out, size_t size)
{
	struct url b, r;
	int rc = url_parse(base, bn, &b);

	if (rc == 0)
		rc = url_parse(ref, rn, &r);
	if (rc)
		return rc;
	return url_resolve(&b, &r, out, size);
}

/* host and hostport of an http(s) URL: the Host header value is the
 * authority without userinfo, and without an empty port's ":". */
static void
http_host(const struct url *u, struct url_http *h)
{
	int literal = u->host_type == URL_HOST_IPV6;
	const char *start = u->host.p - literal;
	const char *end = u->host.p + u->host.n + literal;

	if (u->port_num >= 0)
		end = u->port.p + u->port.n;
	h->host = u->host;
	h->host_type = u->host_type;
	h->hostport = (struct url_slice){ start, (size_t)(end - start) };
}

int
url_http_target(const struct url *u, struct url_http *h, char *target,
		size_t size)
{
	struct url_w w;
	ssize_t n;

	memset(h, 0, sizeof *h);
	h->tls = url_scheme_is(u, "https");
	if (!h->tls && !url_scheme_is(u, "http"))
		return ERR_UNSUPPORTED;
	if (!(u->flags & URL_HAS_AUTHORITY) || u->host.n == 0)
		return ERR_PARSE;
	if (u->host_type == URL_HOST_IPVFUTURE ||
	    memchr(u->host.p, '%', u->host.n))
		return ERR_UNSUPPORTED;
	if (u->port_num == 0)
		return ERR_RANGE;
	h->port = (uint16_t)(u->port_num > 0 ? u->port_num
					     : (h->tls ? 443 : 80));
	http_host(u, h);
	url_w_init(&w, target, size);
	if (u->path.n)
		url_w_slice(&w, u->path);
	else
		url_w_putc(&w, '/');
	if (u->flags & URL_HAS_QUERY) {
		url_w_putc(&w, '?');
		url_w_slice(&w, u->query);
	}
	n = url_w_end(&w);
	if (n < 0)
		return (int)n;
	h->target = (struct url_slice){ target, (size_t)n };
	return 0;
}
