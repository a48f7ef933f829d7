/* http_file: the static-file responder. A request and a site in, a reply
 * (head in the connection's buffer, body as file segments) out; it opens
 * files but never touches a socket (RFC 9110 sections 8, 13, 14).
 *
 *   http_site_*           virtual hosts and their roots
 *   http_file_respond     the reply to one parsed request
 *   http_path_clean       percent-decoding and dot-segment removal
 *   http_mime_type        Content-Type from a file name
 *   http_range_parse      a Range header into merged byte ranges
 *   http_date_parse       the three HTTP date formats
 *   http_autoindex        an HTML directory listing */
#ifndef INETKIT_HTTP_FILE_H
#define INETKIT_HTTP_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "core/buf.h"
#include "http_parse.h"
#include "http_reply.h"

#define HTTP_MAX_VHOSTS 64
#define HTTP_MAX_HOSTNAME 255
#define HTTP_AUTOINDEX_MAX (1024 * 1024)	/* bytes of a listing page */

struct http_vhost {
	char name[HTTP_MAX_HOSTNAME + 1];	/* lowercase, no port */
	char *root;				/* path, for messages */
	int root_fd;				/* O_PATH directory */
};

struct http_site {
	struct http_vhost vhosts[HTTP_MAX_VHOSTS];
	int nvhosts;
	struct http_vhost def;		/* --root: any other host */
	unsigned autoindex : 1;		/* list directories without index */
	unsigned dotfiles : 1;		/* serve names starting with '.' */
};

/* Empties s. */
void http_site_init(struct http_site *s);
/* Opens dir as the default root (name NULL) or as the root of host name.
 * Returns 0, -errno (no such directory), ERR_TOOBIG or ERR_PARSE. */
int http_site_add(struct http_site *s, const char *name, const char *dir);
/* Closes the roots. */
void http_site_fini(struct http_site *s);
/* The vhost a Host value picks (case-insensitive, port and trailing dot
 * ignored), or the default. NULL when there is no default root. */
const struct http_vhost *http_site_find(const struct http_site *s,
					struct http_slice host);

/* Per-request scratch the responder needs, owned by the connection. */
struct http_file_scratch {
	char path[HTTP_MAX_LINE + 32];	/* decoded path */
};

/* Fills rep with the answer to r: a file, a directory redirect or index,
 * a 304/412/416, or an error page (404, 403, 405 with Allow, 501, 400 for
 * a bad path). The reply holds the open file. Never fails: internal
 * errors give 500. Set rep->close first when the client does not keep
 * the connection alive. */
void http_file_respond(const struct http_site *s, const struct http_request *r,
		       struct http_file_scratch *sc, struct http_reply *rep);

/* Decodes %XX in p[0..n) and removes dot segments (RFC 3986 sections 2.1,
 * 5.2.4), collapsing repeated slashes, into out (size bytes, NUL-ended).
 * Returns the length, or ERR_PARSE for a bad escape, a NUL (raw or
 * encoded), an encoded "/", a path that climbs above "/", or one that does not start with "/";
 * ERR_TOOBIG when out is too small. */
ssize_t http_path_clean(const char *p, size_t n, char *out, size_t size);
/* True when a segment of a clean path starts with '.'. */
int http_path_is_hidden(const char *path);

/* The media type for a file name, by extension, with "; charset=utf-8"
 * for text types; "application/octet-stream" when unknown. Static. */
const char *http_mime_type(const char *name, size_t n);

struct http_range {
	uint64_t first, last;	/* inclusive */
};
/* Parses a Range value (RFC 9110 section 14.1.1) for a representation of
 * size bytes: out gets the satisfiable ranges, sorted and merged when they
 * overlap or touch. Returns the count (>= 1); 0 when the header must be
 * ignored (bad syntax, not "bytes", more than HTTP_MAX_RANGES ranges after
 * merging: CVE-2011-3192); ERR_RANGE when none is satisfiable (416). */
int http_range_parse(struct http_slice v, uint64_t size,
		     struct http_range *out);

/* Parses an IMF-fixdate, RFC 850 or asctime date (RFC 9110 section
 * 5.6.7). Returns 0 or ERR_PARSE. */
int http_date_parse(struct http_slice v, time_t *out);

/* Writes an HTML listing of the open directory dirfd (not consumed) into
 * page, with names escaped for HTML and links percent-encoded. path is the
 * decoded request path (the title). Returns 0, -errno or ERR_TOOBIG. */
int http_autoindex(int dirfd, const char *path, int dotfiles, struct buf *page);

#endif
