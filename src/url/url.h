/* url: URI references after RFC 3986. Pure functions over bytes: parsing
 * into slices of the input (section 3), percent-encoding (2.1), syntax-based
 * normalisation (6.2.2) with the http/https scheme rules (6.2.3, RFC 9110
 * 4.2), reference resolution (5.2, 5.3), and the parts of an http(s) URL
 * that a client needs for its request (RFC 9112 3.2).
 *
 * Nothing here allocates. Functions that produce text write into a caller
 * buffer, NUL-terminate it on success, return the length (without the
 * NUL), and return ERR_TOOBIG when the result does not fit or would be
 * longer than URL_MAX_LEN, so whatever they produce parses again. An
 * output buffer must not overlap the input (url_pct_decode excepted).
 * Inputs longer than URL_MAX_LEN are refused with ERR_TOOBIG. Dot-segment
 * removal works in a scratch buffer on the stack (up to 16 KiB). */
#ifndef INETKIT_URL_H
#define INETKIT_URL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Longest URI reference accepted or produced, in bytes. */
#define URL_MAX_LEN 8192

/* A borrowed run of bytes, not NUL-terminated. */
struct url_slice {
	const char *p;
	size_t n;
};

/* Which optional components were present, even when empty: "http://a?"
 * has an empty query, "http://a" has none (RFC 3986 5.3 keeps them apart). */
enum {
	URL_HAS_SCHEME = 1 << 0,
	URL_HAS_AUTHORITY = 1 << 1,	/* "//" was present */
	URL_HAS_USERINFO = 1 << 2,	/* "@" was present */
	URL_HAS_PORT = 1 << 3,		/* ":" after the host, digits or not */
	URL_HAS_QUERY = 1 << 4,
	URL_HAS_FRAGMENT = 1 << 5,
};

enum url_host_type {
	URL_HOST_NONE,		/* no authority */
	URL_HOST_NAME,		/* reg-name, possibly empty */
	URL_HOST_IPV4,		/* dotted decimal, RFC 3986 dec-octet rules */
	URL_HOST_IPV6,		/* "[...]" literal; the slice has no brackets */
	URL_HOST_IPVFUTURE,	/* "[v1.x]"; the slice has no brackets */
};

/* A parsed reference. Slices point into the parsed input and carry no
 * delimiters (no ":" after the scheme, no "?" or "#", no "[]"). path is
 * always present, maybe empty. port_num is -1 when there are no digits. */
struct url {
	struct url_slice scheme, userinfo, host, port, path, query, fragment;
	unsigned flags;
	enum url_host_type host_type;
	int port_num;
};

/* Parses a URI reference (absolute URI or relative reference) of n bytes.
 * Every byte must be one RFC 3986 allows where it stands, every "%" must
 * start a valid escape, the port must be at most 65535 and an IP literal
 * must be a valid IPv6 address or IPvFuture. Returns 0, ERR_PARSE,
 * ERR_RANGE (port), or ERR_TOOBIG (n > URL_MAX_LEN). */
int url_parse(const char *s, size_t n, struct url *u);

/* Recomposes u (RFC 3986 5.3) into out: the exact inverse of url_parse. */
ssize_t url_format(const struct url *u, char *out, size_t size);

/* True when u's scheme is s (ASCII case-insensitive). */
int url_scheme_is(const struct url *u, const char *s);

/* Character sets for url_pct_encode: the bytes kept as they are. */
enum url_enc {
	URL_ENC_COMPONENT,	/* unreserved only: a value in a component */
	URL_ENC_PATH,		/* pchar and "/": a path from raw bytes */
	URL_ENC_QUERY,		/* pchar, "/" and "?" */
	URL_ENC_FIXUP,		/* everything RFC 3986 allows, "%" included:
				 * repairs spaces, controls and non-ASCII in
				 * a reference taken from a document */
};

/* Percent-encodes n bytes (2.1, uppercase hex) keeping the bytes of set.
 * Returns the length or ERR_TOOBIG. */
ssize_t url_pct_encode(const char *s, size_t n, enum url_enc set, char *out,
		       size_t size);
/* How url_pct_decode treats what is not a plain byte. */
enum url_dec {
	URL_DEC_STRICT = 0,	/* a bad escape is ERR_PARSE */
	URL_DEC_KEEP_BAD = 1,	/* a "%" without two hex digits stays */
	URL_DEC_PATH = 2,	/* also an encoded "/" or any NUL: ERR_PARSE */
};

/* Decodes every %XX escape of n bytes into out (which may be s itself:
 * decoding never grows) and ends it with a NUL. Without URL_DEC_PATH the
 * result may hold any byte, NUL included. Returns the length, ERR_PARSE
 * for what flags refuse, or ERR_TOOBIG. */
ssize_t url_pct_decode(const char *s, size_t n, char *out, size_t size,
		       enum url_dec flags);

/* Normalises a reference (6.2.2, 6.2.3): lowercase scheme and host,
 * uppercase escape hex digits, unreserved characters decoded, dot segments
 * removed (for a reference with a scheme, an authority or an absolute
 * path), IPv6 literals in RFC 5952 form, the port in plain decimal, an
 * empty or default port dropped for http and https (80, 443), and an empty
 * http(s) path made "/". Returns the length or what url_parse returns. */
ssize_t url_normalize(const char *s, size_t n, char *out, size_t size);
/* The same on a reference already parsed. */
ssize_t url_normalize_parsed(const struct url *u, char *out, size_t size);

/* Resolves ref against base (5.2.2, strict: a scheme in ref makes it
 * absolute even if it equals base's) and writes the target (5.3). base
 * must have a scheme (else ERR_PARSE); its fragment is ignored. The target
 * is not normalised beyond remove_dot_segments (5.2.4). */
ssize_t url_resolve(const struct url *base, const struct url *ref, char *out,
		    size_t size);
/* The same from text: parses both, then resolves. */
ssize_t url_resolve_str(const char *base, size_t bn, const char *ref,
			size_t rn, char *out, size_t size);

/* Removes "." and ".." segments from a path of n bytes in place (5.2.4).
 * Returns the new length, never more than n. */
size_t url_remove_dot_segments(char *path, size_t n);

/* What an http(s) client needs from an absolute URL. */
struct url_http {
	struct url_slice host;		/* name or address, no brackets */
	struct url_slice hostport;	/* Host header value (RFC 9110 7.2) */
	struct url_slice target;	/* origin-form request target */
	enum url_host_type host_type;
	uint16_t port;			/* as given, else 80 or 443 */
	int tls;			/* 1 for https */
};

/* Fills h from u, an http or https URL. The request target (path and
 * query, "/" for an empty path, never the fragment) is copied into
 * target[size] and h->target points there; host and hostport point into
 * u's input. Userinfo is ignored (RFC 9110 4.2.4). Pass a normalised URL:
 * a host that still holds an escape is refused. Returns 0, ERR_UNSUPPORTED
 * (another scheme, an escaped or IPvFuture host), ERR_PARSE (no authority
 * or an empty host), ERR_RANGE (port 0) or ERR_TOOBIG. */
int url_http_target(const struct url *u, struct url_http *h, char *target,
		    size_t size);

#endif
