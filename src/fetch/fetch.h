/* fetch: the fetch engine under every HTTP client of inetkit (`get`,
 * the crawler): an absolute URL in, the response's head and body out by
 * callbacks. It owns the chain between them:
 *   - the host resolved by the stub resolver (on each request, its cache
 *     answering within the TTL; or once per origin, host and port, for
 *     the engine's life with resolve_once);
 *   - a connection from its pool, one already open to the origin first
 *     (RFC 9112 section 9.3), opened by fetch_conn (the transport, TCP
 *     or TLS for https, and Happy Eyeballs over the origin's addresses:
 *     turned by one per request so that many connections spread over
 *     all of them, those that failed lately last);
 *   - the request and the response by fetch_client (head limits, max_body,
 *     the silence and head timeouts), an overall deadline per fetch;
 *   - redirects when asked (RFC 9110 section 15.4: at most max_redirs, a
 *     URL already fetched is a loop).
 * Many fetches run at once on one loop, up to max_conns; what to fetch
 * and when (a frontier, politeness) is the caller's.
 *
 * Its own folder, src/fetch/ (layer 4 of docs/ARCHITECTURE.md), not
 * src/http/: the engine with its HTTP/1.1 exchange and connection is
 * some 1,500 lines in three files (fetch.c: origins, pool, redirects;
 * fetch_client.c: one request on one connection; fetch_conn.c: the
 * transport and the trying of addresses), and it needs the stub resolver,
 * a client of layer 4, which the protocol layer may not include.
 *
 *   fetch_new / _free        one engine per loop
 *   fetch_start              one fetch (redirects included)
 *   fetch_resolve            an origin's addresses ahead of fetches */
#ifndef INETKIT_FETCH_H
#define INETKIT_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "fetch_client.h"
#include "resolv/resolv.h"

struct loop;

#define FETCH_MAX_REDIRS 100
#define FETCH_MAX_CONNS 1024

struct fetch_config {
	struct fetch_client_config client;	/* timeouts, max_body, rbuf */
	int max_conns;		/* fetches at once, one connection each;
				 * default 1, at most FETCH_MAX_CONNS */
	const struct resolv_config *dns;	/* NULL: the defaults */
	/* Look each origin up once and keep its addresses (or its failure)
	 * for the engine's life, as a crawl does; 0: ask the resolver on
	 * every request (its cache answers while the TTL lasts). */
	int resolve_once;
	/* https: trust anchors beside the system store, or no verification;
	 * the context is made at the first https URL (http costs nothing) */
	struct net_tls_client_config tls;
};

struct fetch_req {
	const char *url;	/* absolute, normalised (url_normalize) */
	enum http_method method;	/* HTTP_M_GET or HTTP_M_HEAD */
	const char *headers;	/* as fetch_client_req's; must live until
				 * on_done */
	int follow;		/* follow 301, 302, 303, 307, 308 */
	int max_redirs;		/* with follow, <= FETCH_MAX_REDIRS */
	int max_time_ms;	/* the whole fetch; 0: no limit */
};

/* A final response head, valid during on_head only. */
struct fetch_head {
	const struct http_response *r;
	const char *raw;	/* the head as received; r points into it */
	size_t rawlen;
	const char *url;	/* the URL it answers */
	int redirect;		/* followed: its body is dropped whatever
				 * on_head returns (a negative code stops) */
	const char *location;	/* then the next URL, or NULL when the
				 * Location is unusable (the fetch ends) */
};

/* Where a fetch that failed stopped. */
enum fetch_where {
	FETCH_AT_URL,	/* the URL does not parse: url_parse's code */
	FETCH_AT_TARGET,	/* no usable http URL: url_http_target's
				 * code (ERR_UNSUPPORTED: another scheme) */
	FETCH_AT_TLS,	/* https: no TLS context (a bad --cacert file);
			 * detail says why */
	FETCH_AT_RESOLVE,	/* the host: resolv_fn's status */
	FETCH_AT_REQUEST,	/* fetch_client_request refused it */
	FETCH_AT_TRANSFER,	/* connect, exchange, limit, callback code */
	FETCH_AT_LOCATION,	/* a redirect's Location is unusable */
	FETCH_AT_REDIRS,	/* more than max_redirs (ERR_TOOBIG) */
	FETCH_AT_LOOP,	/* a redirect to a URL fetched before */
	FETCH_AT_DEADLINE,	/* max_time_ms passed (ERR_TIMEOUT) */
};

/* How a fetch ended. The strings are valid during on_done, until it
 * starts another fetch. */
struct fetch_end {
	int status;		/* 0: the last response was read whole */
	enum fetch_where where;	/* when status < 0 */
	const char *url;	/* the URL fetched last */
	const char *host;	/* AT_RESOLVE: the host that did not resolve */
	const char *location;	/* AT_LOOP: the URL fetched before */
	/* A TLS failure in words, or NULL: AT_TLS's "file: message", or at
	 * AT_TRANSFER the handshake's ("certificate verification failed:
	 * certificate has expired", "TLS handshake timed out") or a body
	 * cut without close_notify */
	const char *detail;
};

struct fetch_cb {
	/* Every final head, redirects' included. Return 0 to receive the
	 * body through on_body, 1 to have it dropped, or a negative code to
	 * stop (on_done gets it, AT_TRANSFER). */
	int (*on_head)(void *arg, const struct fetch_head *h);
	/* As fetch_client_cb's on_body and body_fd (body_fd may be NULL). */
	int (*on_body)(void *arg, const void *p, size_t n);
	/* Once per fetch, from the loop, never inside fetch_start. The
	 * fetch's connection is back in the pool: on_done may start
	 * fetches, not free the engine. */
	void (*on_done)(void *arg, const struct fetch_end *e);
	int (*body_fd)(void *arg);
};

struct fetch;

/* An engine on loop l with a resolver made from c->dns and c->max_conns
 * connections. Returns NULL when out of memory. */
struct fetch *fetch_new(struct loop *l,
				  const struct fetch_config *c);
/* Drops fetches in flight (without on_done), closes the connections,
 * frees. Not from inside a callback. */
void fetch_free(struct fetch *f);

/* Starts fetching r->url (copied). Returns 0 (on_done will come), -EBUSY
 * (max_conns fetches in flight) or -ENOMEM. */
int fetch_start(struct fetch *f, const struct fetch_req *r,
		     const struct fetch_cb *cb, void *arg);

/* Resolves host (no brackets) for port, as a fetch to it would, and calls
 * fn(arg, status, addrs with port, n) from the loop once it is known;
 * with resolve_once, fetches to the origin then use those addresses.
 * Returns 0 or -ENOMEM. */
int fetch_resolve(struct fetch *f, const char *host, uint16_t port,
		       resolv_fn fn, void *arg);

#endif
