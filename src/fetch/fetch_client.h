/* fetch_client: the HTTP/1.1 client engine, on the loop (RFC 9112). One
 * struct fetch_client is one connection at a time carrying one request at
 * a time; many can run on one loop (a crawler holds one per concurrent
 * fetch). Its connection is a struct fetch_conn (the transport, and
 * each address tried in turn with a timeout for each), over which it
 * sends the request, parses the response head with http_parse_response
 * (skipping 1xx interim responses), and reads the body framed by
 * Content-Length, chunked coding (http_chunked_decode) or the close. A
 * response that leaves the connection clean (keep-alive, body fully read)
 * leaves it open: the next request to the same address reuses it, and is
 * sent once more on a fresh connection if the old one turns out closed.
 * An idempotent request (GET, HEAD) that fails on a fresh connection
 * before any byte of its response (reset, EOF, silence past the timeout)
 * is sent again on a fresh connection to the other addresses (RFC 9110
 * section 9.2.2), each address at most once per request.
 *
 * Limits: the head limits of http_parse.h (line, field section, field
 * count), at most FETCH_CLIENT_MAX_INTERIM interim responses, max_body, a
 * timeout for each connect, for each silence and for the whole head.
 * The fetch engine (fetch.h) drives it; TLS is a transport of
 * fetch_conn, chosen by the request's tls field. */
#ifndef INETKIT_FETCH_CLIENT_H
#define INETKIT_FETCH_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "fetch_conn.h"
#include "http/http_parse.h"
#include "net/net_addr.h"

struct loop;

#define FETCH_CLIENT_MAX_INTERIM 8	/* 1xx responses before the final */
#define FETCH_CLIENT_MAX_REQUEST 65536	/* bytes of a request head */
#define FETCH_CLIENT_MIN_RBUF (HTTP_MAX_HEAD + 1024)
#define FETCH_CLIENT_MAX_SKIP (1 << 20)	/* a dropped body read at most */
#define FETCH_CLIENT_MAX_ADDRS 32	/* addresses of a request used */

struct fetch_client_config {
	int connect_timeout_ms;	/* the whole connect (Happy Eyeballs over
				 * the addresses); default 10000 */
	int read_timeout_ms;	/* longest silence from the server; 30000 */
	int head_timeout_ms;	/* the whole head, from the request on; 30000 */
	uint64_t max_body;	/* decoded body bytes; 0: no limit */
	size_t rbuf_size;	/* receive buffer; default and minimum
				 * FETCH_CLIENT_MIN_RBUF, raised to it */
};

/* One request. Everything is borrowed until fetch_client_request returns
 * (it is copied into the request buffer then), except addrs, which must
 * live until on_done. */
struct fetch_client_req {
	enum http_method method;	/* HTTP_M_GET or HTTP_M_HEAD */
	const char *host;		/* Host field value (url_http.hostport) */
	const char *target;		/* origin-form target, "/x?y" */
	const char *headers;		/* extra "Name: value\r\n" lines, or NULL;
					 * they replace our User-Agent and
					 * Accept when they name them */
	const struct net_addr *addrs;	/* with ports, in the order to try */
	int naddrs;
	int close;			/* ask for Connection: close */
	struct net_tls_client *tls;	/* https: the TLS context; NULL: http */
	const char *name;		/* with tls: the server's name (SNI,
					 * certificate), no brackets */
};

struct fetch_client_cb {
	/* The final response head. raw[0..rawlen) is the head as received;
	 * r's slices point into it; both only during the call. Return 0 to
	 * receive the body through on_body, 1 to have it read and dropped
	 * (a redirect's; past FETCH_CLIENT_MAX_SKIP bytes the connection is
	 * closed instead, without an error), or a negative code to stop:
	 * on_done then gets it. */
	int (*on_head)(void *arg, const struct http_response *r,
		       const char *raw, size_t rawlen);
	/* A piece of the decoded body. Return 0, or a negative code to stop
	 * (on_done gets it). May be NULL when on_head never returns 0. p is
	 * NULL when the n bytes went to body_fd's descriptor directly. */
	int (*on_body)(void *arg, const void *p, size_t n);
	/* Once per request: 0 when the response was read whole, else
	 * ERR_TIMEOUT, ERR_CLOSED (closed before the end, or a body framed
	 * by the close ended without TLS close_notify), ERR_TOOBIG (a
	 * limit), ERR_PARSE (malformed response), ERR_UNSUPPORTED (101),
	 * ERR_TLS or ERR_CERT (the handshake; see fetch_client_tls_error), a
	 * code from a callback, or -errno (the last address's connect error,
	 * ECONNREFUSED...). The client is idle then: on_done may start the
	 * next request or free the client. */
	void (*on_done)(void *arg, int status);
	/* Optional (NULL: not used). Asked after on_head returned 0 when the
	 * body needs no decoding (Content-Length or close-delimited): a
	 * blocking descriptor (a regular file, /dev/null) to which the body
	 * is moved with splice(2), never through user memory, or -1 for
	 * on_body. The bytes before the first splice still come through
	 * on_body with p set. A failure to write there ends the request with
	 * its -errno. */
	int (*body_fd)(void *arg);
	/* Optional (NULL: not told). An address that failed during this
	 * request: refused or unreachable, slower to connect than another
	 * (Happy Eyeballs), or silent, reset or closed before any byte of
	 * the response. The owner may try it last for a while. */
	void (*on_bad_addr)(void *arg, const struct net_addr *a, int err);
};

/* A client on loop l with a copy of c (NULL: defaults). Returns NULL when
 * out of memory. */
struct fetch_client *fetch_client_new(struct loop *l,
				    const struct fetch_client_config *c);
/* Closes the connection and frees; a request in flight is dropped without
 * its on_done. Not from inside on_head or on_body. */
void fetch_client_free(struct fetch_client *c);

/* Starts a request. Callbacks run later, from the loop, never inside this
 * call; on_head and on_body must not free the client or start another
 * request (return a negative code to stop instead). Returns 0, -EBUSY (a
 * request is in flight), ERR_TOOBIG (request head over
 * FETCH_CLIENT_MAX_REQUEST) or ERR_PARSE (no address, bad method). */
int fetch_client_request(struct fetch_client *c,
			const struct fetch_client_req *req,
			const struct fetch_client_cb *cb, void *arg);

/* Stops the request in flight without its on_done and closes the
 * connection; the client is idle then. Not from inside a callback. */
void fetch_client_cancel(struct fetch_client *c);

/* The address of the current (or last) connection, or NULL. */
const struct net_addr *fetch_client_peer(const struct fetch_client *c);
/* Closes the connection held open for the next request, if any. */
void fetch_client_drop_idle(struct fetch_client *c);
/* True when an idle connection is held open for the next request. */
int fetch_client_is_connected(const struct fetch_client *c);
/* The last request's TLS failure in words ("certificate verification
 * failed: certificate has expired", "TLS handshake timed out"), or NULL:
 * valid until the next request. */
const char *fetch_client_tls_error(const struct fetch_client *c);

#endif
