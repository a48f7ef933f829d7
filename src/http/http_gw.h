/* http_gw: programs behind the server: CGI/1.1 scripts (RFC 3875), one
 * process each, and FastCGI applications (php-fpm) over kept-alive
 * connections. A request whose path maps to a program is handed over here
 * from the server (http_gw_begin); the request body streams to the
 * program, its output streams back through the server's send path, and
 * every descriptor (pipes, pidfd, backend socket) sits in the worker's
 * loop: the loop never waits for a program.
 *
 *   http_gw_config_*     the routes (--cgi, --fastcgi) and limits
 *   http_gw_begin        take over a request whose path is a program's
 *   http_gw_step         the connection's HC_GATEWAY state
 *   http_gw_client_event what the client socket reported
 *   http_gw_free         end a request's program (killed if running) */
#ifndef INETKIT_HTTP_GW_H
#define INETKIT_HTTP_GW_H

#include <stdatomic.h>
#include <stddef.h>
#include <sys/un.h>

#include "net/net_addr.h"

#define HTTP_GW_MAX_ROUTES 16
#define HTTP_GW_MAX_PREFIX 255
#define HTTP_GW_MAX_EXT 15
#define HTTP_GW_DEFAULT_TIMEOUT_MS 30000
#define HTTP_GW_DEFAULT_MAX 64
#define HTTP_GW_MAX_REDIRECTS 5		/* local redirects per request */
#define HTTP_FCGI_POOL 16		/* connections per backend, worker */
#define HTTP_FCGI_QUEUE 1024		/* requests waiting, per worker */

enum http_gw_kind {
	HTTP_GW_CGI,
	HTTP_GW_FCGI,
};

struct http_gw_route {
	enum http_gw_kind kind;
	char prefix[HTTP_GW_MAX_PREFIX + 2];	/* clean, ends with '/' */
	size_t prefix_len;
	char *dir;		/* CGI: the scripts' directory, absolute */
	int dir_fd;		/* CGI: O_PATH, or -1 */
	int unix_sock;		/* FastCGI: at sun, else at addr */
	struct sockaddr_un sun;
	struct net_addr addr;
};

struct http_gw_config {
	struct http_gw_route routes[HTTP_GW_MAX_ROUTES];
	int nroutes;
	int timeout_ms;		/* a program silent this long: killed */
	int max_cgi;		/* CGI scripts at once, in the process */
	atomic_int running;	/* CGI scripts running now */
	char fcgi_index[64];	/* appended to a directory path, or "" */
	char fcgi_ext[HTTP_GW_MAX_EXT + 1];	/* ".php", or "" */
	const char *tmpdir;	/* where chunked bodies wait */
};

/* Empties c and sets the defaults (30 s, 64 scripts). */
void http_gw_config_init(struct http_gw_config *c);
/* Adds a CGI route: URL prefix to directory. Returns 0, -errno for the
 * directory, ERR_PARSE for a prefix not starting with '/', ERR_TOOBIG. */
int http_gw_add_cgi(struct http_gw_config *c, const char *prefix,
		    const char *dir);
/* Adds a FastCGI route: prefix to "unix:PATH" or "HOST:PORT". Returns 0,
 * ERR_PARSE or ERR_TOOBIG. */
int http_gw_add_fcgi(struct http_gw_config *c, const char *prefix,
		     const char *backend);
/* Closes the directories. */
void http_gw_config_fini(struct http_gw_config *c);

struct http_conn;
struct http_gw;
struct http_gw_worker;

/* With the parsed head of c's request: when its path belongs to a route,
 * takes the request over (state HC_GATEWAY, or an error reply in HC_SEND)
 * and returns 1; else returns 0 and the server goes on as for a file. */
int http_gw_begin(struct http_conn *c);
/* Runs c's gateway request as far as it can go. Returns STEP_WAIT, or
 * STEP_NEXT after moving c to another state. */
int http_gw_step(struct http_conn *c);
/* The client socket reported events (LOOP_ bits) in HC_GATEWAY. */
void http_gw_client_event(struct http_conn *c, int events);
/* Ends g: kills a script still running, gives a FastCGI connection back
 * (or drops it when a request is in flight), frees g. */
void http_gw_free(struct http_gw *g);
/* The worker's gateway state (pools, orphaned children); after its loop
 * ended. */
void http_gw_worker_free(struct http_gw_worker *gw);

#endif
