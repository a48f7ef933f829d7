/* http_server: the HTTP/1.1 server engine on one worker's loop (RFC 9112):
 * accept, read heads, discard bodies, send replies in order (pipelining),
 * timeouts, a connection cap, graceful stop, and the access log.
 *
 *   http_listener_prepare set a listening socket's options, before any
 *                         client can connect
 *   http_worker_start     take over a worker's listeners, start serving
 *   http_worker_free      after the loop ended: close and free everything
 *   http_log_*            Combined Log Format, buffered per worker */
#ifndef INETKIT_HTTP_SERVER_H
#define INETKIT_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "http_site.h"
#include "net/net_proxy.h"

struct loop;
struct http_guard;
struct http_gw_config;
struct http_limits;
struct http_gens;
struct http_encode_config;

/* How file bodies leave. ON: sendfile hands the kernel page-cache pages,
 * no copy on our side. OFF: pread into a 64 KiB buffer, then send: two
 * copies on our side, for file systems whose sendfile misbehaves (some
 * network and virtual-machine shared folders). Since the listeners keep
 * little unsent data (TCP_NOTSENT_LOWAT), OFF is no faster for any client
 * measured here (docs/PERFORMANCE.md items 9 and 11). */
enum http_sendfile {
	HTTP_SENDFILE_ON,
	HTTP_SENDFILE_OFF,
};

struct http_server_config {
	const struct http_site *site;	/* shared, read-only while serving */
	int max_conns;			/* connections per worker */
	int header_timeout_ms;		/* a request head must arrive within */
	int idle_timeout_ms;		/* keep-alive wait for the next request */
	int send_timeout_ms;		/* a reply must progress within */
	uint64_t max_body;		/* request body bytes (413 beyond) */
	int access_log_fd;		/* -1: no access log */
	enum http_sendfile sendfile;	/* file bodies: see above */
	struct http_guard *guard;	/* Basic authentication, or NULL */
	/* Load balancers: a connection from one of these ranges must begin
	 * with a PROXY protocol header (v1 or v2), whose client address the
	 * access log then shows; others are served as they are. n = 0: no
	 * header is accepted from anyone. */
	const struct net_cidr *proxy_from;
	int nproxy_from;
	struct http_limits *limits;	/* per client (http_limit.h), or NULL */
	/* TLS (http_tls.c): the contexts of the TLS listeners (NULL: none),
	 * Strict-Transport-Security max-age on their replies (0: none,
	 * RFC 6797), and --redirect-https: the plain listeners answer 301
	 * to the same URL on https at https_port */
	struct net_tls_server *tls;
	int hsts_s;
	int redirect_https;
	int https_port;
	struct http_gw_config *gw;	/* programs (http_gw.h), or NULL */
	/* --status: the status page and the workers' counters (http_stats.h),
	 * or NULL: no page, nothing counted */
	struct http_stats_page *status;
	/* reloads: the live settings' generations (http_gen.h), whose
	 * current one replaces this config in each worker; or NULL */
	struct http_gens *gens;
	/* --compress: on-the-fly content codings (http_encode.h), or NULL */
	const struct http_encode_config *encode;
};

/* Sets defaults: 10 s header, 15 s idle, 30 s send, 1 MiB body, 10000
 * connections, no access log, sendfile on. */
void http_server_config_init(struct http_server_config *c);

/* Sets the options accepted connections inherit (TCP_NODELAY, delayed
 * ACKs) and TCP_DEFER_ACCEPT on a listening socket. Call it before the
 * socket is announced: a connection that arrives before it misses them. */
void http_listener_prepare(int fd);
/* The same for a TLS listener, which lets more unsent bytes queue. */
void http_tls_listener_prepare(int fd);

/* Serves on the worker's loop l from the listening sockets fds[0..n),
 * and over TLS (c->tls) from tls_fds[0..ntls), which it takes over
 * (closed at the end). Returns NULL on failure. */
struct http_worker;
struct net_tls_server;
struct http_worker *http_worker_start(struct loop *l,
				      const struct http_server_config *c,
				      const int *fds, int n,
				      const int *tls_fds, int ntls);
/* Closes what is left, flushes the access log, frees the worker. */
void http_worker_free(struct http_worker *w);

/* The access log of one worker: lines gather in a buffer that goes out in
 * one write when full, each second and at the end. */
#define HTTP_LOG_BUF (64 * 1024)
struct http_log {
	int fd;
	int failing;		/* the last write failed (a full disk) */
	uint64_t dropped;	/* lines lost since it started failing */
	uint64_t dropped_total;	/* lines lost since the start */
	size_t len;
	time_t stamp_for;
	char stamp[32];		/* "21/Nov/2026:10:40:45 +0000" */
	char buf[HTTP_LOG_BUF];
};

/* One entry in Combined Log Format. request is the request line as sent
 * (escaped here); bytes < 0 logs "-". Headers may be NULL. Over TLS,
 * tls_version and tls_cipher follow ("TLSv1.3 TLS_AES_128_GCM_SHA256");
 * NULL for plain HTTP. */
void http_log_add(struct http_log *g, const char *host,
		  struct http_slice request, int status, int64_t bytes,
		  const struct http_slice *referer, const struct http_slice *agent,
		  const char *tls_version, const char *tls_cipher);
/* Writes the buffered lines. When the file cannot take them (a full
 * disk), they are dropped and counted, and the log says so once when it
 * starts failing and once when it works again, not once per line. */
void http_log_flush(struct http_log *g);

#endif
