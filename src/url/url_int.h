/* url_int: what the url_*.c files share and nobody else needs: the RFC 3986
 * character classes and a bounded output cursor with a sticky error. */
#ifndef INETKIT_URL_INT_H
#define INETKIT_URL_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/dec.h"
#include "core/err.h"
#include "core/hex.h"
#include "url.h"

/* Character classes of RFC 3986 section 2 and appendix A. */
enum {
	URL_C_ALPHA = 1 << 0,
	URL_C_DIGIT = 1 << 1,
	URL_C_HEX = 1 << 2,
	URL_C_UNRES = 1 << 3,	/* unreserved: ALPHA DIGIT - . _ ~ */
	URL_C_SUB = 1 << 4,	/* sub-delims: ! $ & ' ( ) * + , ; = */
	URL_C_GEN = 1 << 5,	/* gen-delims: : / ? # [ ] @ */
	URL_C_SCHEME = 1 << 6,	/* ALPHA DIGIT + - . */
};

extern const uint8_t url_ctype[256];

static inline int
url_c_is(unsigned char c, unsigned cls)
{
	return (url_ctype[c] & cls) != 0;
}

/* pchar without pct-encoded: unreserved, sub-delims, ":" and "@". */
static inline int
url_c_pchar(unsigned char c)
{
	return url_c_is(c, URL_C_UNRES | URL_C_SUB) || c == ':' || c == '@';
}

static inline char
url_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* An output cursor: writes stop at lim (the smaller of size - 1 and
 * URL_MAX_LEN) and set err instead of overflowing. */
struct url_w {
	char *p;
	size_t len, lim;
	int err;
};

void url_w_init(struct url_w *w, char *out, size_t size);
void url_w_putc(struct url_w *w, char c);
void url_w_put(struct url_w *w, const char *s, size_t n);
void url_w_slice(struct url_w *w, struct url_slice s);
void url_w_num(struct url_w *w, unsigned v);
/* NUL-terminates; returns the length or the first error. */
ssize_t url_w_end(struct url_w *w);

/* Writes s with escapes normalised (6.2.2.1, 6.2.2.2): hex in uppercase,
 * escapes of unreserved characters decoded; lower also lowercases the
 * other letters (for a host). */
void url_w_pct_norm(struct url_w *w, struct url_slice s, int lower);

/* Writes "//" and the authority of u as it was written. */
void url_w_authority(struct url_w *w, const struct url *u);
/* Removes the dot segments of path[0..n) in place (5.2.4), then writes
 * it. A path with no authority before it must not start with "//", which
 * would read as one: "/." in front keeps its meaning (WHATWG does the
 * same; RFC 3986 5.2.4 leaves the case open). */
void url_w_path(struct url_w *w, char *path, size_t n, int authority);

/* Parses an IPv6 address (RFC 3986 IPv6address, no zone) into 16 bytes.
 * Returns 0 or ERR_PARSE. */
int url_ipv6_parse(const char *s, size_t n, uint8_t out[16]);
/* Writes the RFC 5952 text form of a 16-byte address. */
void url_w_ipv6(struct url_w *w, const uint8_t a[16]);

#endif
