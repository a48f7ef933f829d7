/* http_reply: a response as the server sends it: a head formatted into a
 * connection-owned buffer and a list of body segments (bytes in that
 * buffer, in a page buffer, or a range of an open file for sendfile). No
 * socket here; http_server moves the segments out.
 *
 *   http_reply_begin      reset, status line, Date, Server
 *   http_reply_header     one more field; http_reply_end closes the head
 *   http_reply_error      a complete small HTML error response
 *   http_reply_fini       closes the file a reply holds */
#ifndef INETKIT_HTTP_REPLY_H
#define INETKIT_HTTP_REPLY_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#include "core/buf.h"

#define HTTP_OUT_SIZE (32 * 1024)	/* head plus a small body */
#define HTTP_SMALL_BODY (16 * 1024)	/* bodies up to this go with the head */
#define HTTP_MAX_RANGES 16		/* parts of a multipart/byteranges */
#define HTTP_MAX_SEGS (2 * HTTP_MAX_RANGES + 2)

enum http_seg_kind {
	HTTP_SEG_OUT,		/* bytes of the out buffer */
	HTTP_SEG_PAGE,		/* bytes of the page buffer */
	HTTP_SEG_FILE,		/* bytes of the reply's file */
	HTTP_SEG_BLOB,		/* bytes of the reply's blob */
};

/* Bytes shared by replies and a cache (a compressed variant): counted
 * references, one thread (the worker's), freed with the last. */
struct http_blob {
	unsigned refs;
	size_t len;
	unsigned char data[];
};

struct http_seg {
	enum http_seg_kind kind;
	uint64_t off, len;
};

struct http_reply {
	int status;
	int fd;			/* open file for HTTP_SEG_FILE, or -1 */
	struct http_blob *blob;	/* a reference for HTTP_SEG_BLOB, or NULL */
	char *out;		/* connection-owned, HTTP_OUT_SIZE bytes */
	size_t out_len;
	int overflow;		/* the head did not fit: sticky */
	struct buf *page;	/* connection-owned, for generated pages */
	struct http_seg segs[HTTP_MAX_SEGS];
	int nsegs;		/* segs[0] is the head */
	uint64_t body_len;	/* Content-Length sent */
	const char *extra;	/* raw field lines every head ends with (the
				 * connection's, e.g. HSTS), or NULL */
	unsigned close : 1;	/* close the connection after this reply */
	unsigned head_only : 1;	/* HEAD: no body goes out */
};

/* A blob of len bytes (contents undefined) with one reference, or NULL.
 * shrink: the same bytes cut to len (<= its length), or b when that
 * fails; the caller holds the only reference. put: drops one reference
 * (NULL is fine). */
struct http_blob *http_blob_new(size_t len);
struct http_blob *http_blob_shrink(struct http_blob *b, size_t len);
static inline void
http_blob_put(struct http_blob *b)
{
	if (b && --b->refs == 0)
		free(b);
}

/* Sets up a reply over the connection's buffers. fd is -1. */
void http_reply_init(struct http_reply *rep, char *out, struct buf *page);
/* Closes the file (and drops the blob) the reply holds and empties it. */
void http_reply_fini(struct http_reply *rep);
/* The reason phrase of a status ("Not Found"); "Unknown" if none. */
const char *http_status_text(int status);

/* Empties the reply (but keeps close, which the caller sets per request
 * and which only ever goes from 0 to 1) and writes "HTTP/1.1 status
 * reason", Date and Server. */
void http_reply_begin(struct http_reply *rep, int status);
/* Appends "name: value" to the head. */
void http_reply_header(struct http_reply *rep, const char *name,
		       const char *value, size_t n);
void http_reply_header_u64(struct http_reply *rep, const char *name,
			   uint64_t v);
/* Appends raw bytes to the out buffer (head or body bytes). */
void http_reply_raw(struct http_reply *rep, const void *p, size_t n);
/* Appends Content-Length (body_len) and the Connection field, closes the
 * head and makes it segment 0. keep_alive_10 says the client spoke
 * HTTP/1.0 with keep-alive (it needs "Connection: keep-alive"). Returns 0
 * or ERR_TOOBIG when the head overflowed the buffer. */
int http_reply_end(struct http_reply *rep, int keep_alive_10);
/* Adds a body segment. */
void http_reply_seg(struct http_reply *rep, enum http_seg_kind kind,
		    uint64_t off, uint64_t len);

/* A complete error reply with a short HTML body. close forces
 * "Connection: close"; allow, when not NULL, goes out as Allow. */
void http_reply_error(struct http_reply *rep, int status, int close,
		      int keep_alive_10, const char *allow, int head_only);

/* After http_reply_begin and any extra fields: the HTML error page for
 * rep->status, its Content-Type and framing. */
void http_reply_error_finish(struct http_reply *rep, int keep_alive_10);

#endif
