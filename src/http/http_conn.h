/* http_conn: what a connection, its request context and its worker hold,
 * shared by the two halves of the server engine: http_server.c (the
 * connection's life and the reading of requests) and http_send.c (the
 * sending of replies). Private to src/http. */
#ifndef INETKIT_HTTP_CONN_H
#define INETKIT_HTTP_CONN_H

#include <netinet/in.h>
#include <sys/queue.h>
#include <sys/types.h>

#include "core/loop.h"
#include "net/net_service.h"
#include "net/net_tls.h"
#include "http_file.h"
#include "http_guard.h"
#include "http_gw.h"
#include "http_server.h"
#include "http_stats.h"

#define HTTP_IN_SIZE (32 * 1024)	/* > HTTP_MAX_HEAD */
#define HTTP_LINGER_MS 2000		/* reading after our last reply */
#define HTTP_FREE_CONNS 64		/* connections kept for reuse */
#define HTTP_FREE_CTX 64		/* request contexts kept for reuse */
#define HTTP_TRIM_PEAK 256		/* connections: below, no malloc_trim */
#define HTTP_DRAIN_SIZE 4096
#define HTTP_COPY_SIZE (64 * 1024)	/* bytes per pread and send: the buffer
					 * stays in the CPU's L2 (128 KiB and
					 * more were slower) */
#define HTTP_TLS_SENDFILE_MAX (256 * 1024) /* bytes per SSL_sendfile */

enum http_conn_state {
	HC_PROXY,	/* reading a PROXY protocol header (net_proxy.h) */
	HC_HEAD,	/* reading a request head */
	HC_BODY,	/* discarding a request body */
	HC_AUTH,	/* waiting for a password's verification or delay */
	HC_SEND,	/* sending a reply */
	HC_GATEWAY,	/* a program answers (http_gw.h) */
	HC_LINGER,	/* reply sent, write side shut: drain, then close */
	HC_CLOSE,
};

/* What a step tells the loop in conn_run. */
enum { STEP_WAIT, STEP_NEXT };

/* What a connection needs while a request is in progress. */
struct http_ctx {
	struct http_ctx *next;		/* in the worker's free list */
	size_t body_start;		/* first byte after the head */
	uint64_t body_left;		/* Content-Length bytes to discard */
	struct http_chunked chunked;
	struct http_gw *gw;		/* the program answering, or NULL */
	int seg;			/* reply segment being sent */
	uint64_t seg_done;		/* bytes of it already sent */
	struct http_request req;
	struct http_reply rep;
	const struct http_guard_realm *realm;	/* protecting the request */
	struct http_guard_job *job;	/* its verification, in HC_AUTH */
	struct buf page;
	char in[HTTP_IN_SIZE];
	/* written once a head is complete (sc.cache too, just before the
	 * reply): a slowloris holds thousands of contexts, each resident
	 * only where written, so what a head in progress touches comes
	 * first, on as few pages as it can */
	struct http_file_scratch sc;
	char out[HTTP_OUT_SIZE];
};

struct http_conn {
	struct http_worker *w;
	LIST_ENTRY(http_conn) link;	/* in the live list or the free one */
	int fd;
	enum http_conn_state state;
	struct loop_timer timer;
	int64_t deadline;		/* monotonic ms; the timer checks it */
	unsigned head_timed : 1;	/* the header timer runs for this head */
	unsigned drained : 1;		/* the last read was short */
	unsigned rdhup : 1;		/* the peer half-closed */
	unsigned client_close : 1;	/* the request said close, no body */
	unsigned registered : 1;	/* in the loop (from the first wait) */
	unsigned read_once : 1;		/* read since the last event */
	unsigned limit_counted : 1;	/* in cfg.limits' count of its peer */
	struct net_tls *tls;		/* from a TLS listener, else NULL */
	struct http_ctx *x;		/* NULL while idle */
	size_t in_off, in_len;		/* current request at x->in + in_off */
	/* the client's address, compact (an idle connection is mostly
	 * this struct): IPv4 or IPv6, for the access log */
	union {
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} peer;
	socklen_t peer_len;
	int64_t head_us;	/* the current head read (--status), loop clock */
};

struct http_worker {
	struct loop *loop;
	struct http_server_config cfg;
	struct net_service sockets;
	struct net_acceptor tls_tcp;	/* the TLS listeners */
	char hsts[64];			/* Strict-Transport-Security line */
	unsigned tls_file_logged : 1;	/* the file path was logged */
	LIST_HEAD(, http_conn) conns, free;
	int nconns, nfree;
	int peak_conns;			/* since the last malloc_trim */
	struct http_ctx *free_ctx;
	int nfree_ctx;
	struct http_cache *cache;
	struct http_guard_worker *guard;	/* NULL: no --auth */
	char drain[HTTP_DRAIN_SIZE];
	char *copy;			/* http_send.c's buffer, on first use */
	struct loop_timer log_timer;
	struct http_log *log;
	uint64_t limited_conns, limited_reqs;	/* refused by cfg.limits */
	int64_t limit_logged_ms;		/* when that was last said */
	struct http_gw_worker *gw;	/* on the first gateway request */
	struct http_stats *stats;	/* this worker's counters, or NULL */
	/* reloads (http_gen.h): the hub, or NULL (cfg fixed); the
	 * generation cfg is a copy of; a timer that looks for a newer one
	 * while no request comes; the table connections are counted in */
	struct http_gens *gens;
	struct http_gen *gen;
	struct loop_timer gen_timer;
	struct http_limits *limits_base;
	struct http_encode *encode;	/* compressed variants, or NULL */
};

/* Sends the next part of c's reply (memory segments in one write, or the
 * next piece of a file) and moves the send position past what left.
 * Returns the bytes sent, 0 when the file shrank under us (the reply
 * cannot be completed), or -1 with errno set (EAGAIN: the socket is
 * full). */
ssize_t http_send_next(struct http_conn *c);

/* Moves w to the current generation (http_gen.c); call it at a safe
 * point when http_gens_moved says so. */
void http_worker_regen(struct http_worker *w);

/* The seam for programs behind the server (http_gw): run c's state
 * machine (which may free c); log its request; answer it with a file;
 * move its deadline to ms from now; send "100 Continue" (RFC 9110
 * section 10.1.1: the body may come). */
void http_conn_run(struct http_conn *c);
void http_conn_log(struct http_conn *c);
void http_conn_respond(struct http_conn *c);
void http_conn_deadline(struct http_conn *c, int ms);
void http_conn_continue(struct http_conn *c);

/* The TLS seam (http_tls.c), for connections with c->tls. read, send and
 * send_file return like read(2) and send(2): a count, or -1 with errno
 * (EAGAIN: wait for the socket, either way). send_file sends a piece of
 * file fd (SSL_sendfile with kernel TLS, else a copy). failed: the read
 * failed; logs a failed handshake (once per source per second) and
 * answers plain HTTP with a 400 in clear text. close_notify: sends it;
 * end: sends it if not yet sent and frees c->tls. redirect: the 301 to
 * https of a plain listener (--redirect-https). */
ssize_t http_tls_read(struct http_conn *c, void *p, size_t n);
ssize_t http_tls_send(struct http_conn *c, const void *p, size_t n);
ssize_t http_tls_send_file(struct http_conn *c, int fd, off_t off,
			   uint64_t left);
void http_tls_failed(struct http_conn *c);
void http_tls_close_notify(struct http_conn *c);
void http_tls_end(struct http_conn *c);
void http_tls_redirect(struct http_conn *c);

#endif
