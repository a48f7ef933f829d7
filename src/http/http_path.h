/* http_path: a request path made safe to map onto files: percent-decoding
 * and dot-segment removal (RFC 3986 sections 2.1, 5.2.4). Pure. */
#ifndef INETKIT_HTTP_PATH_H
#define INETKIT_HTTP_PATH_H

#include <stddef.h>
#include <sys/types.h>

/* Decodes %XX in p[0..n) and removes dot segments (RFC 3986 sections 2.1,
 * 5.2.4), collapsing repeated slashes, into out (size bytes, NUL-ended).
 * Returns the length, or ERR_PARSE for a bad escape, a NUL (raw or
 * encoded), an encoded "/", a path that climbs above "/", or one that
 * does not start with "/"; ERR_TOOBIG when out is too small. */
ssize_t http_path_clean(const char *p, size_t n, char *out, size_t size);
/* True when a segment of a clean path starts with '.'. */
int http_path_is_hidden(const char *path);

#endif
