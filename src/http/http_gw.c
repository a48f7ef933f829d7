/* http_gw: the gateway core: a request whose path belongs to a --cgi or
 * --fastcgi route is run here instead of by the file responder (RFC 3875:
 * the script's meta-variables, its body, its response). Both directions
 * stream with back-pressure: client bytes are read only when the program
 * took the last ones, program output is read only when the client took
 * the last round. The backends (CGI processes, FastCGI connections) only
 * move bytes; the meta-variables, the response head and the framing are
 * decided here, once for both. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "net/net_sock.h"
#include "http_auth.h"
#include "http_gw_int.h"
#include "http_open.h"
#include "http_path.h"
#include "http_site.h"

/* The split of a request path that a route found. */
struct gw_split {
	const struct http_gw_route *route;
	int status;		/* an error to answer instead, or 0 */
	size_t script_len;		/* path[0..script_len): SCRIPT_NAME */
	const char *index;		/* appended to SCRIPT_NAME, or NULL */
};

/* CGI: the first file on the way down the path below the route's
 * directory is the script; what follows is PATH_INFO (RFC 3875 section
 * 4.1.5). Not executable, or a directory at the end: 403. */
static void
cgi_split(const struct http_gw_route *rt, const char *path, size_t n,
	  struct gw_split *sp)
{
	char rel[HTTP_MAX_LINE + 32];
	size_t at = rt->prefix_len;

	sp->status = 403;
	while (at < n) {
		const char *slash = memchr(path + at, '/', n - at);
		size_t end = slash ? (size_t)(slash - path) : n;
		size_t rl = end - rt->prefix_len;
		memcpy(rel, path + rt->prefix_len, rl);
		rel[rl] = '\0';
		int fd = http_open(rt->dir_fd, rel);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0) {
			sp->status = fd == -EACCES ? 403 : 404;
			if (fd >= 0)
				close(fd);
			return;
		}
		close(fd);
		if (S_ISREG(st.st_mode)) {
			sp->script_len = end;
			sp->status = (st.st_mode & 0111) &&
				faccessat(rt->dir_fd, rel, X_OK, 0) == 0 ? 0 :
				403;
			return;
		}
		if (!S_ISDIR(st.st_mode))
			return;
		at = end + 1;
	}
}

/* FastCGI: the path up to the first segment ending in the extension
 * (nginx's fastcgi_split_path_info), or all of it; a directory gets the
 * index. Returns 0 when the request is not the backend's. */
static int
fcgi_split(const struct http_gw_config *cfg, const char *path, size_t n,
	   struct gw_split *sp)
{
	size_t el = strlen(cfg->fcgi_ext);
	int dir = path[n - 1] == '/';

	sp->status = 0;
	sp->index = dir && cfg->fcgi_index[0] ? cfg->fcgi_index : NULL;
	sp->script_len = n;
	if (el == 0)
		return !dir || sp->index;
	for (size_t i = 1; i + el <= n; i++) {
		if (memcmp(path + i, cfg->fcgi_ext, el) == 0 &&
		    (i + el == n || path[i + el] == '/') &&
		    path[i - 1] != '/') {
			sp->script_len = i + el;
			sp->index = NULL;
			return 1;
		}
	}
	size_t il = sp->index ? strlen(sp->index) : 0;
	return sp->index && il >= el &&
		strcmp(sp->index + il - el, cfg->fcgi_ext) == 0;
}

/* The route of a clean path. Returns 0 when none takes it. */
static int
gw_route(const struct http_gw_config *cfg, const char *path, size_t n,
	 struct gw_split *sp)
{
	for (int i = 0; i < cfg->nroutes; i++) {
		const struct http_gw_route *rt = &cfg->routes[i];
		size_t pl = rt->prefix_len;
		if (n + 1 == pl && memcmp(path, rt->prefix, n) == 0) {
			/* "/cgi-bin" itself: the directory of the scripts */
			sp->route = rt;
			sp->status = rt->kind == HTTP_GW_CGI ? 403 : 0;
			if (rt->kind == HTTP_GW_CGI)
				return 1;
			continue;
		}
		if (n < pl || memcmp(path, rt->prefix, pl) != 0)
			continue;
		sp->route = rt;
		sp->index = NULL;
		if (rt->kind == HTTP_GW_CGI) {
			cgi_split(rt, path, n, sp);
			return 1;
		}
		if (fcgi_split(cfg, path, n, sp))
			return 1;
	}
	return 0;
}

/* Copies s into g->strs and returns the slice of the copy. */
static struct http_slice
keep(struct http_gw *g, size_t *used, const char *s, size_t n)
{
	if (n > sizeof g->strs - *used)
		n = sizeof g->strs - *used;
	char *d = g->strs + *used;
	memcpy(d, s, n);
	*used += n;
	return (struct http_slice){ d, n };
}

static struct http_slice
keep2(struct http_gw *g, size_t *used, struct http_slice a, const char *b)
{
	struct http_slice s = keep(g, used, a.p, a.n);
	if (b)
		s.n += keep(g, used, b, strlen(b)).n;
	return s;
}

/* An address and a port as two strings in g->strs. */
static void
addr_slices(struct http_gw *g, size_t *used, const struct net_addr *a,
	    struct http_slice *addr, struct http_slice *port)
{
	char host[NET_ADDR_STRLEN], num[8];
	const struct sockaddr_in *s4 = (const void *)&a->ss;
	const struct sockaddr_in6 *s6 = (const void *)&a->ss;
	unsigned p = a->ss.ss_family == AF_INET6 ? ntohs(s6->sin6_port) :
		ntohs(s4->sin_port);

	if (net_addr_format(a, 0, host, sizeof host) < 0)
		strcpy(host, "-");
	*addr = keep(g, used, host, strlen(host));
	*port = keep(g, used, num, (size_t)snprintf(num, sizeof num, "%u", p));
}

/* SERVER_NAME: the Host without its port (section 4.1.14), else the
 * address the request came in on. */
static struct http_slice
server_name(const struct http_request *r, struct http_slice addr)
{
	struct http_slice h = r->host;

	if (h.p == NULL || h.n == 0)
		return addr;
	if (h.p[0] == '[') {
		const char *e = memchr(h.p, ']', h.n);
		size_t n = e ? (size_t)(e - h.p) + 1 : h.n;
		return (struct http_slice){ h.p, n };
	}
	const char *colon = memchr(h.p, ':', h.n);
	return (struct http_slice){ h.p, colon ? (size_t)(colon - h.p) : h.n };
}

/* The real path of v's root, found once per worker (it may have been
 * given relative, or through symlinks): NULL when it cannot be found. */
static const char *
gw_root(struct http_gw_worker *gw, const struct http_site *s,
	const struct http_vhost *v)
{
	int i = v == &s->def ? HTTP_MAX_VHOSTS : (int)(v - s->vhosts);

	if (gw->roots[i] == NULL)
		gw->roots[i] = realpath(v->root, NULL);
	return gw->roots[i];
}

/* The meta-variables of g's request (path: the clean request path). */
/* RFC 3875 sections 4.1.1 and 4.1.11: the user a request under --auth
 * was let in as (http_guard checked the password before the program was
 * chosen). NULL slice when the path is not protected. */
static struct http_slice
gw_remote_user(struct http_gw *g, size_t *used)
{
	const struct http_ctx *x = g->c->x;
	const struct http_header *h = http_header_find(x->req.headers,
						       x->req.nheaders,
						       "authorization");
	char cred[HTTP_AUTH_CRED_MAX];
	struct http_slice user = { NULL, 0 }, pass;

	if (x->realm && h &&
	    http_auth_parse_basic(h->value, cred, &user, &pass) == 0)
		user = keep(g, used, user.p, user.n);
	else
		user = (struct http_slice){ NULL, 0 };
	explicit_bzero(cred, sizeof cred);
	return user;
}

static int
gw_env(struct http_gw *g, const char *path, const struct gw_split *sp)
{
	struct http_conn *c = g->c;
	const struct http_request *r = &c->x->req;
	struct http_cgi_meta m = { .req = r };
	size_t used = 0;
	struct net_addr local, peer = { .len = c->peer_len };
	const struct http_vhost *v = http_site_find(c->w->cfg.site, r->host);
	const char *root = v ? gw_root(g->gw, c->w->cfg.site, v) : NULL;

	memcpy(&peer.ss, &c->peer, c->peer_len);
	m.script_name = keep2(g, &used, (struct http_slice){ path,
				sp->script_len }, sp->index);
	if (sp->script_len < strlen(path))
		m.path_info = keep(g, &used, path + sp->script_len,
				   strlen(path) - sp->script_len);
	if (root) {
		m.document_root = keep(g, &used, root, strlen(root));
		/* two copies in a row make one slice */
		if (m.path_info.p) {
			m.path_translated = keep(g, &used, root, strlen(root));
			m.path_translated.n += keep(g, &used, m.path_info.p,
						    m.path_info.n).n;
		}
		m.script_filename = keep(g, &used, root, strlen(root));
		m.script_filename.n += keep(g, &used, m.script_name.p,
					    m.script_name.n).n;
	}
	if (sp->route->kind == HTTP_GW_CGI)
		m.script_filename = keep(g, &used, g->exe, strlen(g->exe));
	m.request_uri = r->target;
	addr_slices(g, &used, &peer, &m.remote_addr, &m.remote_port);
	if (net_local_addr(c->fd, &local) == 0)
		addr_slices(g, &used, &local, &m.server_addr, &m.server_port);
	m.server_name = server_name(r, m.server_addr);
	const char *envpath = getenv("PATH"), *lang = getenv("LANG");
	m.path = envpath ? (struct http_slice){ envpath, strlen(envpath) } :
		(struct http_slice){ "/usr/local/bin:/usr/bin:/bin", 28 };
	if (lang)
		m.lang = (struct http_slice){ lang, strlen(lang) };
	/* a spooled body's length is added once it is all there */
	m.has_body = (g->body && g->spool_fd < 0) ||
		http_header_find(r->headers, r->nheaders, "content-length");
	m.content_length = r->content_length;
	m.https = c->tls != NULL;
	m.remote_user = gw_remote_user(g, &used);
	snprintf(g->name, sizeof g->name, "%.*s", (int)m.script_name.n,
		 m.script_name.p);
	return http_cgi_env_build(&g->env, &m);
}

/* For CGI: the file to run and the directory it runs in. */
static int
cgi_paths(struct http_gw *g, const char *path, size_t script_len)
{
	const struct http_gw_route *rt = g->route;
	const char *rel = path + rt->prefix_len;
	size_t rl = script_len - rt->prefix_len;
	int n = snprintf(g->exe, sizeof g->exe, "%s/%.*s", rt->dir, (int)rl,
			 rel);

	if (n < 0 || (size_t)n >= sizeof g->exe)
		return ERR_TOOBIG;
	memcpy(g->cwd, g->exe, (size_t)n + 1);
	*strrchr(g->cwd, '/') = '\0';
	return 0;
}

/* An error reply instead of the program's: logged, the rest of the body
 * left unread (so the connection closes after). */
void
http_gw_reply_error(struct http_conn *c, int status, int unread_body)
{
	const struct http_request *r = &c->x->req;
	struct http_reply *rep = &c->x->rep;

	rep->close |= unread_body;
	http_reply_begin(rep, status);
	rep->head_only = r->method == HTTP_M_HEAD;
	if (status == 503)
		http_reply_header(rep, "Retry-After", "1", 1);
	http_reply_error_finish(rep, r->version == 10 && r->keep_alive);
	http_conn_log(c);
	c->x->seg = 0;
	c->x->seg_done = 0;
	c->state = HC_SEND;
}

/* Moves g's silence deadline: the program must move bytes within it. */
void
http_gw_touch(struct http_gw *g)
{
	int64_t when = clock_mono_ms() + g->cfg->timeout_ms;

	g->deadline = when;
	http_conn_deadline(g->c, g->cfg->timeout_ms +
			   g->c->w->cfg.send_timeout_ms);
	if (!loop_timer_is_armed(&g->timer))
		loop_timer_set(g->gw->loop, &g->timer, g->cfg->timeout_ms);
}

static struct http_gw_worker *
gw_worker(struct http_conn *c)
{
	struct http_worker *w = c->w;

	if (w->gw == NULL) {
		w->gw = calloc(1, sizeof *w->gw);
		if (w->gw == NULL)
			return NULL;
		w->gw->loop = w->loop;
		w->gw->cfg = w->cfg.gw;
		LIST_INIT(&w->gw->orphans);
	}
	return w->gw;
}

/* Starts the program (with a spooled body: now that it is all there). */
int
http_gw_start(struct http_gw *g)
{
	int rc = g->ops->start(g);

	if (rc < 0) {
		if (rc != -EAGAIN)
			log_error("%s: %s: cannot start: %s", g->route->kind ==
				  HTTP_GW_CGI ? "cgi" : "fastcgi", g->name,
				  err_str(rc));
		http_gw_end_error(g, rc == -EAGAIN ? 503 : 502);
		return rc;
	}
	g->state = GW_RUN;
	http_gw_touch(g);
	return 0;
}

static struct http_gw *
gw_new(struct http_conn *c, const struct gw_split *sp)
{
	struct http_gw_worker *gw = gw_worker(c);
	struct http_gw *g = NULL;

	if (gw && gw->nspare)
		g = gw->spare[--gw->nspare];
	else if (gw)
		g = malloc(sizeof *g);
	if (g == NULL)
		return NULL;
	memset(g, 0, offsetof(struct http_gw, errline));
	g->c = c;
	g->gw = gw;
	g->cfg = c->w->cfg.gw;
	g->route = sp->route;
	g->ops = sp->route->kind == HTTP_GW_CGI ? &http_gw_cgi_ops :
		&http_gw_fcgi_ops;
	g->spool_fd = -1;
	g->errlen = 0;
	g->errdone = 0;
	g->redirect = NULL;
	loop_timer_init(&g->timer, http_gw_on_timer, g);
	http_cgi_head_init(&g->head);
	return g;
}

/* Sets up the body side: streamed (Content-Length) or spooled (chunked:
 * CONTENT_LENGTH must be known before the script starts). Returns 0 or
 * an HTTP status. */
static int
gw_body(struct http_gw *g)
{
	struct http_conn *c = g->c;
	const struct http_request *r = &c->x->req;

	g->body_start = c->in_off;
	g->blo = g->bhi = c->in_off;
	g->body = r->framing != HTTP_BODY_NONE;
	g->client_done = !g->body;
	g->body_out = 0;
	if (r->framing == HTTP_BODY_LENGTH) {
		if (r->content_length > c->w->cfg.max_body)
			return 413;
		g->body_left = r->content_length;
	} else if (r->framing == HTTP_BODY_CHUNKED) {
		g->spool_fd = open(g->cfg->tmpdir, O_TMPFILE | O_RDWR |
				   O_CLOEXEC, 0600);
		if (g->spool_fd < 0) {
			log_error("cgi: %s: %s", g->cfg->tmpdir,
				  strerror(errno));
			return 500;
		}
		http_chunked_init(&g->chunked);
		g->state = GW_SPOOL;
	}
	if (r->expect_continue && r->version == 11 && g->body)
		http_conn_continue(c);
	return 0;
}

int
http_gw_begin(struct http_conn *c)
{
	struct http_request *r = &c->x->req;
	char *path = c->x->sc.path;
	struct gw_split sp = { 0 };
	ssize_t n = http_path_clean(r->path.p, r->path.n, path,
				    sizeof c->x->sc.path);

	if (n <= 0 || !gw_route(c->w->cfg.gw, path, (size_t)n, &sp))
		return 0;
	int body = r->framing != HTTP_BODY_NONE;
	if (sp.status == 0 && http_path_is_hidden(path) &&
	    !c->w->cfg.site->dotfiles)
		sp.status = 404;
	if (sp.status) {
		http_gw_reply_error(c, sp.status, body);
		return 1;
	}
	struct http_gw *g = gw_new(c, &sp);
	int status = g ? 0 : 500;
	if (g && sp.route->kind == HTTP_GW_CGI &&
	    cgi_paths(g, path, sp.script_len) < 0)
		status = 414;
	if (status == 0)
		status = gw_body(g);
	if (status == 0 && gw_env(g, path, &sp) < 0)
		status = 431;
	if (status) {
		if (g)
			http_gw_free(g);
		http_gw_reply_error(c, status, body);
		return 1;
	}
	c->x->gw = g;
	c->state = HC_GATEWAY;
	/* the connection's own deadlines wait: the program has its own */
	http_conn_deadline(c, g->cfg->timeout_ms + c->w->cfg.send_timeout_ms);
	buf_reset(&c->x->page);
	if (buf_reserve(&c->x->page, HTTP_GW_OUT) < 0) {
		c->x->gw = NULL;
		http_gw_free(g);
		http_gw_reply_error(c, 500, body);
		return 1;
	}
	if (g->state != GW_SPOOL)
		http_gw_start(g);
	return 1;
}
