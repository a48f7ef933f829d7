/* http_gw_int: what the gateway core (http_gw.c) shares with its two
 * backends, CGI processes (http_gw_cgi.c) and FastCGI connections
 * (http_gw_fcgi.c). Private to src/http. */
#ifndef INETKIT_HTTP_GW_INT_H
#define INETKIT_HTTP_GW_INT_H

#include <limits.h>
#include <sys/queue.h>

#include "core/loop.h"
#include "http_cgi.h"
#include "http_conn.h"
#include "http_gw.h"

#define HTTP_GW_OUT (64 * 1024)		/* program output held at once */
#define HTTP_GW_ERRLINE 200		/* stderr bytes kept for the log */
#define HTTP_GW_SPARE 8		/* request states kept, per worker */

/* A backend moves bytes between the core and a program. The byte calls
 * return a count, 0 at the end of the output, -EAGAIN when the program
 * or its descriptor is not ready (an event will run the core again), or
 * another negative code when the program is gone. */
struct http_gw_ops {
	/* Starts the program for g (the request body not yet given).
	 * Returns 0 or a negative code (the core answers 502 or 503). */
	int (*start)(struct http_gw *g);
	ssize_t (*write_body)(struct http_gw *g, const char *p, size_t n);
	/* The body spooled in g->spool_fd from g->spool_off on: */
	ssize_t (*write_spool)(struct http_gw *g);
	void (*end_body)(struct http_gw *g);
	ssize_t (*read_out)(struct http_gw *g, char *p, size_t n);
	/* Lets go of the program: kill it when it still runs (and, when
	 * kill, what it left behind) and release what start took. Does
	 * nothing the second time (be is NULL). */
	void (*stop)(struct http_gw *g, int kill);
};

extern const struct http_gw_ops http_gw_cgi_ops;
extern const struct http_gw_ops http_gw_fcgi_ops;

enum http_gw_state {
	GW_NEW,		/* the program is not started yet */
	GW_SPOOL,	/* a chunked body goes to a file first */
	GW_RUN,		/* the program runs */
};

struct http_gw_orphan {
	LIST_ENTRY(http_gw_orphan) link;
	int pidfd;
	pid_t pid;
	struct http_gw_worker *gw;
	struct loop_timer timer;	/* the kill of one that lingers */
};

struct http_fcgi_pool;

struct http_gw_worker {
	struct loop *loop;
	struct http_gw_config *cfg;
	LIST_HEAD(, http_gw_orphan) orphans;
	struct http_fcgi_pool *pools[HTTP_GW_MAX_ROUTES];
	/* kept for reuse: a request's state is large (its environment) */
	struct http_gw *spare[HTTP_GW_SPARE];
	int nspare;
	/* the real path of each root, found once (by vhost index, the
	 * default root last) */
	char *roots[HTTP_MAX_VHOSTS + 1];
};

struct http_gw {
	struct http_conn *c;
	struct http_gw_worker *gw;
	struct http_gw_config *cfg;
	const struct http_gw_route *route;
	const struct http_gw_ops *ops;
	void *be;			/* the backend's state */
	enum http_gw_state state;
	int redirects;
	/* the request body, client to program */
	unsigned body : 1;		/* the request has one */
	unsigned body_out : 1;		/* all of it given (or refused) */
	unsigned client_done : 1;	/* all of it read from the client */
	unsigned client_gone : 1;
	uint64_t body_left;		/* Content-Length bytes to read */
	size_t body_start;		/* in c->x->in */
	size_t blo, bhi;		/* read bytes waiting for the program */
	struct http_chunked chunked;
	int spool_fd;			/* chunked body, -1 */
	uint64_t spool_len, spool_off;
	/* the program's output, in c->x->page */
	struct http_cgi_head head;
	unsigned head_done : 1;
	unsigned out_eof : 1;
	unsigned sending : 1;		/* a framed round is on its way */
	unsigned final : 1;		/* the round holds the end */
	unsigned chunked_out : 1;	/* Transfer-Encoding: chunked */
	unsigned length_out : 1;	/* the script's Content-Length */
	unsigned no_body : 1;		/* HEAD, 204, 304 */
	unsigned kick : 1;		/* the timer runs the connection */
	uint64_t out_left;		/* of the script's Content-Length */
	uint64_t out_total;		/* body bytes sent */
	size_t out_lo;			/* first unsent byte in page */
	struct loop_timer timer;
	int64_t deadline;
	char errline[HTTP_GW_ERRLINE];	/* the first stderr line */
	size_t errlen;
	unsigned errdone : 1;
	char name[128];			/* the script, for log lines */
	char exe[PATH_MAX];		/* CGI: the file to run */
	char cwd[PATH_MAX];		/* CGI: its directory */
	char strs[2 * PATH_MAX + 4 * HTTP_MAX_LINE];	/* meta slices */
	char *redirect;			/* a local redirect's target */
	struct http_cgi_env env;
};

/* Called by a backend with bytes of the program's stderr: logged line by
 * line (as error), the first line kept for the 502 message. */
void http_gw_stderr(struct http_gw *g, const char *p, size_t n);
/* A backend descriptor reported events: run the connection (which may
 * free g: touch nothing after). */
void http_gw_run(struct http_gw *g);
/* Runs g's connection from the loop soon (g waited for no event of its
 * own: a FastCGI connection came free for it). */
void http_gw_kick(struct http_gw *g);
/* Keeps watching a child whose request is over until it exits, then
 * reaps it; one not killed yet is killed (with its group) when it is
 * still there after the timeout. */
void http_gw_orphan(struct http_gw_worker *gw, pid_t pid, int pidfd,
		    int killed);

/* From http_gw.c to http_gw_io.c: an error reply in place of the
 * program's (the connection closes after when unread_body); the silence
 * deadline moved to now + timeout; the program started (an error reply
 * when it cannot be: 503 when too many run, else 502). */
void http_gw_reply_error(struct http_conn *c, int status, int unread_body);
void http_gw_touch(struct http_gw *g);
/* Detaches g from its connection, answers status there, frees g. */
void http_gw_end_error(struct http_gw *g, int status);
/* The worker's FastCGI connections, closed (http_gw_fcgi.c). */
void http_fcgi_pools_free(struct http_gw_worker *gw);
int http_gw_start(struct http_gw *g);
void http_gw_on_timer(struct loop *l, void *arg);

#endif
