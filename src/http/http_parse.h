/* http_parse: pure HTTP/1.x message parsers (RFC 9110, RFC 9112). Bytes in,
 * slices into those bytes out; no I/O, no allocation. Shared by the server
 * (requests, chunked bodies) and the client (responses, chunked bodies).
 *
 *   http_parse_request    request line + header fields, framing decisions
 *   http_parse_response   status line + header fields, framing decisions
 *   http_chunked_decode   chunked transfer coding, in place, incremental
 *   http_header_find      first field with a given name
 *   http_token_list_has   "close" in "keep-alive, close" and the like */
#ifndef INETKIT_HTTP_PARSE_H
#define INETKIT_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Limits of a message head (RFC 9112 section 2.3 leaves them to us). */
#define HTTP_MAX_LINE 8192	/* request line, without CRLF: else 414 */
#define HTTP_MAX_FIELDS 16384	/* header section, after the start line: 431 */
#define HTTP_MAX_HEADERS 100	/* header fields: else 431 */
#define HTTP_MAX_HEAD (HTTP_MAX_LINE + HTTP_MAX_FIELDS + 4)
/* Chunked coding: a chunk-size line (with extensions) and the trailers. */
#define HTTP_MAX_CHUNK_LINE 4096
#define HTTP_MAX_TRAILERS 16384

struct http_slice {
	const char *p;
	size_t n;
};

struct http_header {
	struct http_slice name, value;
};

enum http_method {
	HTTP_M_UNKNOWN, HTTP_M_GET, HTTP_M_HEAD, HTTP_M_POST, HTTP_M_PUT,
	HTTP_M_DELETE, HTTP_M_CONNECT, HTTP_M_OPTIONS, HTTP_M_TRACE,
	HTTP_M_PATCH,
};

/* How the message body is delimited (RFC 9112 section 6.3). */
enum http_framing {
	HTTP_BODY_NONE,		/* no body */
	HTTP_BODY_LENGTH,	/* content_length bytes */
	HTTP_BODY_CHUNKED,	/* chunked transfer coding */
	HTTP_BODY_CLOSE,	/* responses only: until the connection closes */
};

struct http_request {
	size_t scan;		/* bytes already scanned; 0 for a new message */
	int status;		/* after an error: the status to answer with */
	enum http_method method;
	int version;		/* 10 for HTTP/1.0, 11 for HTTP/1.1 */
	struct http_slice method_name, target, path, query, host;
	size_t line_len;	/* request line, without CRLF */
	size_t head_len;	/* whole head, with the blank line */
	struct http_header headers[HTTP_MAX_HEADERS];
	size_t nheaders;
	enum http_framing framing;
	uint64_t content_length;
	unsigned keep_alive : 1;	/* the client allows a next request */
	unsigned expect_continue : 1;	/* Expect: 100-continue */
	unsigned absolute_form : 1;	/* target was http://host/path */
};

struct http_response {
	size_t scan;		/* bytes already scanned; 0 for a new message */
	int version;
	int status;
	struct http_slice reason;
	size_t line_len;	/* status line, without CRLF */
	size_t head_len;
	struct http_header headers[HTTP_MAX_HEADERS];
	size_t nheaders;
	enum http_framing framing;
	uint64_t content_length;
	unsigned keep_alive : 1;
};

/* Prepares r for a new message (sets scan to 0). */
void http_request_init(struct http_request *r);
void http_response_init(struct http_response *r);

/* Parses the request head at p[0..n). Call again with the same r and a
 * longer n (same bytes at the front) while it returns ERR_AGAIN; the bytes
 * already scanned are not scanned again. Returns head_len (> 0) when the
 * head is complete; ERR_AGAIN; ERR_TOOBIG (r->status 414 or 431); or
 * ERR_PARSE (r->status 400, or 505 for a version other than 1.x). Slices in
 * r point into p. Unknown method tokens parse (method HTTP_M_UNKNOWN). */
ssize_t http_parse_request(struct http_request *r, const char *p, size_t n);

/* Parses a response head; req_method is the method of the request it
 * answers (HEAD and 1xx/204/304 have no body). Returns head_len, ERR_AGAIN,
 * ERR_TOOBIG or ERR_PARSE, like http_parse_request. */
ssize_t http_parse_response(struct http_response *r, const char *p, size_t n,
			    enum http_method req_method);

/* Incremental chunked decoder (RFC 9112 section 7.1). */
struct http_chunked {
	int state;
	uint64_t left;		/* bytes left in the current chunk */
	size_t line;		/* bytes in the current size or trailer line */
	size_t trailers;	/* bytes of trailer section so far */
	uint64_t total;		/* decoded bytes so far */
	unsigned digits;	/* hex digits in the current size */
};

void http_chunked_init(struct http_chunked *c);
/* Decodes buf[0..*len) in place: on return buf[0..*len) holds the decoded
 * data. Returns ERR_AGAIN when the body goes on (feed the next bytes), or,
 * at the end of the body, the count of bytes that followed it, which are
 * moved to buf[*len..*len + count). ERR_PARSE on bad framing (bad or
 * oversized chunk size, missing CRLF); ERR_TOOBIG for an over-long chunk
 * line or trailer section. */
ssize_t http_chunked_decode(struct http_chunked *c, char *buf, size_t *len);

/* The first header named name (case-insensitive), or NULL. */
const struct http_header *http_header_find(const struct http_header *h,
					   size_t n, const char *name);
/* True when the comma-separated list s holds token tok (case-insensitive). */
int http_token_list_has(struct http_slice s, const char *tok);
/* True when s equals the NUL-terminated str, case-insensitively. */
int http_slice_eqi(struct http_slice s, const char *str);
/* The name of a known method ("GET"), or NULL for HTTP_M_UNKNOWN. */
const char *http_method_str(enum http_method m);

#endif
