/* cli_get_run: one `inetkit get` transfer on a private loop: resolve,
 * request, follow redirects (RFC 9110 section 15.4: at most max_redirs,
 * a URL seen before is a loop), write the body to stdout or to a
 * temporary file renamed over FILE when complete, draw the progress. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_get.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/loop.h"
#include "http/http_client.h"
#include "net/net_sock.h"
#include "url/url.h"

#define GET_RBUF (256 * 1024)	/* receive buffer: large reads, few calls */
#define GET_STOP (-ECANCELED)	/* on_head stops a response >= 400 */

struct get {
	const struct get_opts *o;
	struct loop *l;
	struct dns_resolver *res;
	struct http_client *hc;
	struct loop_timer max_timer;

	char url[URL_MAX_LEN + 1];	/* current, normalised */
	char target[URL_MAX_LEN + 1];
	char host[URL_MAX_LEN + 1], hostport[URL_MAX_LEN + 1];
	struct url u;
	struct url_http h;
	struct net_addr addrs[DNS_RESOLVE_MAX_ADDRS];
	int naddrs;

	char seen[GET_DEFAULT_REDIRS * 10 + 1][URL_MAX_LEN + 1];
	int hops;			/* URLs in seen */
	char next[URL_MAX_LEN + 1];	/* a redirect's target */
	int redirect;
	int http_status;
	char reason[128];
	int write_err;			/* the output failed: -errno */
	int bad_location;		/* a redirect's Location is unusable */

	int out_fd;
	int tmp;			/* out_fd is a temporary file */
	char tmp_path[PATH_MAX];
	struct get_progress prog;
	int status;			/* exit status */
	int ended;			/* the verdict is in: say nothing more */
};

static void get_start(struct get *g);

/* Prints "inetkit get: URL: why" once and ends the loop with status 1. */
static void
get_fail(struct get *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
get_fail(struct get *g, const char *fmt, ...)
{
	va_list ap;

	if (g->ended)
		return;
	g->ended = 1;
	get_progress_end(&g->prog);
	fprintf(stderr, "inetkit get: %s: ", g->url[0] ? g->url : g->o->url);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	g->status = EXIT_FAIL;
	loop_stop(g->l, 0);
}

static const char *
get_strerror(int rc)
{
	switch (rc) {
	case ERR_TIMEOUT:
		return "timed out";
	case ERR_CLOSED:
		return "connection closed before the end of the response";
	case ERR_TOOBIG:
		return "response over a limit (header size or count, "
		       "--max-size, interim responses)";
	case ERR_PARSE:
		return "malformed response";
	case ERR_UNSUPPORTED:
		return "protocol switch not supported";
	default:
		return err_str(rc);
	}
}

/* -o FILE: a temporary file beside it, unless FILE exists and is not a
 * regular file (/dev/null, a pipe), which is written directly. */
static int
output_open(struct get *g)
{
	const char *path = g->o->out;
	struct stat st;

	if (path == NULL || strcmp(path, "-") == 0) {
		g->out_fd = STDOUT_FILENO;
		return 0;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		g->out_fd = open(path, O_WRONLY | O_CLOEXEC);
		return g->out_fd < 0 ? -errno : 0;
	}
	int n = snprintf(g->tmp_path, sizeof g->tmp_path, "%s.inetkit-XXXXXX",
			 path);
	if (n < 0 || (size_t)n >= sizeof g->tmp_path)
		return -ENAMETOOLONG;
	g->out_fd = mkostemp(g->tmp_path, O_CLOEXEC);
	if (g->out_fd < 0)
		return -errno;
	g->tmp = 1;
	/* The mode a plain open would give, not mkstemp's 0600. */
	mode_t mask = umask(0);
	umask(mask);
	fchmod(g->out_fd, 0666 & ~mask);
	return 0;
}

/* Closes the output; a complete temporary file replaces FILE, any other
 * is removed. Returns 0 or -errno. */
static int
output_close(struct get *g, int complete)
{
	int rc = 0;

	if (g->out_fd > STDOUT_FILENO && close(g->out_fd) < 0)
		rc = -errno;
	g->out_fd = -1;
	if (!g->tmp)
		return rc;
	g->tmp = 0;
	if (complete && rc == 0) {
		if (rename(g->tmp_path, g->o->out) == 0)
			return 0;
		rc = -errno;
	}
	unlink(g->tmp_path);
	return rc;
}

static int
is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 ||
	       status == 307 || status == 308;
}

/* Resolves the Location of a redirect against the current URL and
 * normalises it into g->next. Returns 0 or a negative code. */
static int
redirect_target(struct get *g, struct http_slice loc)
{
	char abs[URL_MAX_LEN + 1];
	ssize_t n = url_resolve_str(g->url, strlen(g->url), loc.p, loc.n, abs,
				    sizeof abs);

	if (n < 0)
		return (int)n;
	n = url_normalize(abs, (size_t)n, g->next, sizeof g->next);
	return n < 0 ? (int)n : 0;
}

static int
on_head(void *arg, const struct http_response *r, const char *raw,
	size_t rawlen)
{
	struct get *g = arg;
	const struct http_header *loc = http_header_find(
		r->headers, r->nheaders, "location");

	g->http_status = r->status;
	snprintf(g->reason, sizeof g->reason, "%.*s", (int)r->reason.n,
		 r->reason.p);
	if (g->o->head_only && net_write_all(STDOUT_FILENO, raw, rawlen) < 0)
		return -errno;
	if (g->o->follow && is_redirect(r->status) && loc != NULL) {
		int rc = redirect_target(g, loc->value);
		if (rc < 0) {
			g->bad_location = 1;
			return rc;
		}
		g->redirect = 1;
		return 1;
	}
	if (r->status >= 400)
		return GET_STOP;
	if (g->o->head_only)
		return 1;
	int rc = output_open(g);
	if (rc < 0) {
		g->write_err = rc;
		return rc;
	}
	/* As curl: no bar over a body being written to the same terminal. */
	int bar = isatty(STDERR_FILENO) &&
		  !(g->out_fd == STDOUT_FILENO && isatty(STDOUT_FILENO));
	get_progress_start(&g->prog, bar,
			   r->framing == HTTP_BODY_LENGTH ? r->content_length
							  : 0);
	return 0;
}

static int
on_body(void *arg, const void *p, size_t n)
{
	struct get *g = arg;
	int rc = p ? net_write_all(g->out_fd, p, n) : 0;

	if (rc < 0) {
		g->write_err = rc;
		return rc;
	}
	get_progress_add(&g->prog, n);
	return 0;
}

/* A redirect response ended: check the limits, then go on. */
static void
get_follow(struct get *g)
{
	g->redirect = 0;
	if (g->hops > g->o->max_redirs) {
		get_fail(g, "too many redirects (more than %d)",
			 g->o->max_redirs);
		return;
	}
	for (int i = 0; i < g->hops; i++)
		if (strcmp(g->seen[i], g->next) == 0) {
			get_fail(g, "redirect loop: %s was already visited",
				 g->next);
			return;
		}
	memcpy(g->url, g->next, strlen(g->next) + 1);
	get_start(g);
}

static void
on_done(void *arg, int status)
{
	struct get *g = arg;

	if (g->ended)
		return;
	if (status == 0 && g->redirect) {
		get_follow(g);
		return;
	}
	if (status == GET_STOP || (status == 0 && g->http_status >= 400)) {
		get_fail(g, "HTTP %d %s", g->http_status, g->reason);
		return;
	}
	if (status < 0) {
		output_close(g, 0);
		if (g->write_err)
			get_fail(g, "cannot write the output: %s",
				 err_str(g->write_err));
		else if (g->bad_location)
			get_fail(g, "HTTP %d with an unusable Location",
				 g->http_status);
		else
			get_fail(g, "%s", get_strerror(status));
		return;
	}
	get_progress_end(&g->prog);
	int rc = output_close(g, 1);
	if (rc < 0) {
		get_fail(g, "cannot write %s: %s", g->o->out, err_str(rc));
		return;
	}
	g->status = EXIT_OK;
	g->ended = 1;
	loop_stop(g->l, 0);
}

/* The output takes the body by splice(2) when it is a regular file or a
 * device other than a terminal (/dev/null): no copy through our memory. */
static int
body_fd(void *arg)
{
	struct get *g = arg;
	struct stat st;

	if (fstat(g->out_fd, &st) < 0 || isatty(g->out_fd))
		return -1;
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
		return -1;
	if (fcntl(g->out_fd, F_GETFL) & (O_APPEND | O_NONBLOCK))
		return -1;
	return g->out_fd;
}

static const struct http_client_cb get_cb = {
	on_head, on_body, on_done, body_fd,
};

static void
get_request(struct get *g)
{
	struct http_client_req req = {
		.method = g->o->head_only ? HTTP_M_HEAD : HTTP_M_GET,
		.host = g->hostport,
		.target = g->target,
		.headers = g->o->headers,
		.addrs = g->addrs,
		.naddrs = g->naddrs,
	};
	int rc = http_client_request(g->hc, &req, &get_cb, g);

	if (rc < 0)
		get_fail(g, "cannot send the request: %s", err_str(rc));
}

static void
on_resolved(void *arg, int status, const struct net_addr *addrs, int n)
{
	struct get *g = arg;

	if (status < 0) {
		get_fail(g, "cannot resolve %s: %s", g->host,
			 dns_resolve_strerror(status));
		return;
	}
	g->naddrs = n;
	for (int i = 0; i < n; i++) {
		g->addrs[i] = addrs[i];
		net_addr_set_port(&g->addrs[i], g->h.port);
	}
	get_request(g);
}

/* Parses g->url and starts resolving its host. */
static void
get_start(struct get *g)
{
	size_t len = strlen(g->url);

	memcpy(g->seen[g->hops++], g->url, len + 1);
	if (url_parse(g->url, len, &g->u) < 0) {
		get_fail(g, "not a valid URL");
		return;
	}
	if (url_scheme_is(&g->u, "https")) {
		get_fail(g, "https is not supported yet");
		return;
	}
	int rc = url_http_target(&g->u, &g->h, g->target, sizeof g->target);
	if (rc < 0) {
		get_fail(g, rc == ERR_UNSUPPORTED ? "only http URLs are "
			 "supported" : "not a usable http URL");
		return;
	}
	snprintf(g->host, sizeof g->host, "%.*s", (int)g->h.host.n,
		 g->h.host.p);
	snprintf(g->hostport, sizeof g->hostport, "%.*s",
		 (int)g->h.hostport.n, g->h.hostport.p);
	if (dns_resolve(g->res, g->host, on_resolved, g) == NULL)
		get_fail(g, "out of memory");
}

static void
on_max_time(struct loop *l, void *arg)
{
	struct get *g = arg;

	get_fail(g, "timed out after %d ms (--max-time)", g->o->max_ms);
}

static int
get_setup(struct get *g)
{
	struct http_client_config hc = {
		.connect_timeout_ms = g->o->connect_ms,
		.read_timeout_ms = g->o->read_ms,
		.head_timeout_ms = g->o->read_ms,
		.max_body = g->o->max_size,
		.rbuf_size = GET_RBUF,
	};

	g->l = loop_new();
	if (g->l == NULL)
		return -ENOMEM;
	g->res = dns_resolver_new(g->l, &g->o->dns);
	g->hc = http_client_new(g->l, &hc);
	if (g->res == NULL || g->hc == NULL)
		return -ENOMEM;
	loop_timer_init(&g->max_timer, on_max_time, g);
	if (g->o->max_ms > 0)
		loop_timer_set(g->l, &g->max_timer, g->o->max_ms);
	return 0;
}

int
get_run(const struct get_opts *o)
{
	struct get *g = calloc(1, sizeof *g);
	int status = EXIT_FAIL;

	if (g == NULL) {
		fprintf(stderr, "inetkit get: out of memory\n");
		return EXIT_FAIL;
	}
	g->o = o;
	g->out_fd = -1;
	g->status = EXIT_FAIL;
	ssize_t n = url_normalize(o->url, strlen(o->url), g->url, sizeof g->url);
	if (n < 0) {
		fprintf(stderr, "inetkit get: %s: not a valid URL\n", o->url);
	} else if (get_setup(g) < 0) {
		fprintf(stderr, "inetkit get: out of memory\n");
	} else {
		get_start(g);
		loop_run(g->l);
		status = g->status;
	}
	output_close(g, 0);
	http_client_free(g->hc);
	dns_resolver_free(g->res);
	if (g->l) {
		loop_timer_del(g->l, &g->max_timer);
		loop_free(g->l);
	}
	free(g);
	return status;
}
