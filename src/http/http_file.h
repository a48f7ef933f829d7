/* http_file: the static-file responder. A request and a site in, a reply
 * (head in the connection's buffer, body as file segments) out; it opens
 * files but never touches a socket (RFC 9110 sections 8, 13, 14). What it
 * stands on has its own header each: http_site (virtual hosts), http_path,
 * http_open (opening beneath a root, the ETag), http_cache (open files),
 * http_mime, http_range, http_date, http_autoindex. */
#ifndef INETKIT_HTTP_FILE_H
#define INETKIT_HTTP_FILE_H

#include "http_parse.h"
#include "http_reply.h"
#include "http_site.h"

struct http_cache;
struct http_encode;

/* Per-request scratch the responder needs, owned by the connection. */
struct http_file_scratch {
	char path[HTTP_MAX_LINE + 32];	/* decoded path */
	struct http_cache *cache;	/* the worker's, or NULL: no cache */
	struct http_encode *enc;	/* the worker's, or NULL: no
					 * compression on the fly */
	const struct http_encode_config *enc_cfg;	/* its settings */
};

/* Fills rep with the answer to r: a file, a directory redirect or index,
 * a 304/412/416, or an error page (404, 403, 405 with Allow, 501, 400 for
 * a bad path); a file in the coding Accept-Encoding picks: a fresh
 * precompressed sibling (.br, .zst, .gz), else compressed on the fly
 * through sc->enc; a Range is always served from the file itself. The reply holds the open file. Never fails: internal
 * errors give 500. Set rep->close first when the client does not keep
 * the connection alive. */
void http_file_respond(const struct http_site *s, const struct http_request *r,
		       struct http_file_scratch *sc, struct http_reply *rep);

#endif
