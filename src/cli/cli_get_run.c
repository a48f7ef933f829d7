/* cli_get_run: one `inetkit get` transfer on a private loop, by the fetch
 * engine (src/fetch: resolving, connecting, the request,
 * redirects, limits and timeouts): here the body is written to stdout or
 * to a temporary file renamed over FILE when complete, the progress
 * drawn, and each way of failing said in words. */
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
#include "core/err.h"
#include "core/loop.h"
#include "core/clock.h"
#include "fetch/fetch.h"
#include "http/http_retry.h"
#include "net/net_sock.h"
#include "url/url.h"

#define GET_RBUF (256 * 1024)	/* receive buffer: large reads, few calls */
#define GET_STOP (-ECANCELED)	/* on_head stops a response >= 400 */
/* A 429 or 503 with Retry-After up to GET_RETRY_MAX_S is fetched again
 * after it, GET_RETRIES times at most (as the crawler does). */
#define GET_RETRY_MAX_S 60
#define GET_RETRIES 3

struct get {
	const struct get_opts *o;
	struct loop *l;
	struct fetch *fetch;

	char url[URL_MAX_LEN + 1];	/* the start URL, normalised */
	int http_status;
	char reason[128];
	int write_err;			/* the output failed: -errno */

	int out_fd;
	int tmp;			/* out_fd is a temporary file */
	char tmp_path[PATH_MAX];
	struct get_progress prog;
	int status;			/* exit status */
	int ended;			/* the verdict is in: say nothing more */
	int64_t retry_ms;		/* >= 0: fetch again after that */
	int retries;
	struct loop_timer retry;
};

static int get_start(struct get *g);

/* Prints "inetkit get: URL: why" once and ends the loop with status 1. */
static void
get_fail(struct get *g, const char *url, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
get_fail(struct get *g, const char *url, const char *fmt, ...)
{
	va_list ap;

	if (g->ended)
		return;
	g->ended = 1;
	get_progress_end(&g->prog);
	fprintf(stderr, "inetkit get: %s: ", url && url[0] ? url : g->o->url);
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

/* A 429 or 503 that says when to come back, soon enough and not too
 * often (RFC 9110 section 10.2.3, RFC 6585 section 4): sets g->retry_ms. */
static int
retry_later(struct get *g, const struct http_response *r)
{
	const struct http_header *ra;
	int64_t secs;

	if (!http_retry_status(r->status) || g->retries >= GET_RETRIES)
		return 0;
	ra = http_header_find(r->headers, r->nheaders, "retry-after");
	if (ra == NULL || http_retry_after(ra->value, clock_wall(), &secs) < 0
	    || secs > GET_RETRY_MAX_S)
		return 0;
	g->retry_ms = secs * 1000;
	return 1;
}

static void
on_retry(struct loop *l, void *arg)
{
	struct get *g = arg;

	if (get_start(g) < 0)
		get_fail(g, g->url, "out of memory");
}

static int
on_head(void *arg, const struct fetch_head *h)
{
	struct get *g = arg;
	const struct http_response *r = h->r;

	g->http_status = r->status;
	snprintf(g->reason, sizeof g->reason, "%.*s", (int)r->reason.n,
		 r->reason.p);
	if (g->o->head_only) {
		int rc = net_write_all(STDOUT_FILENO, h->raw, h->rawlen);
		if (rc < 0)
			return rc;
	}
	if (h->redirect)
		return 1;
	if (retry_later(g, r))
		return 1;
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

/* Says why the fetch failed, in the words of each stage. */
static void
get_failed(struct get *g, const struct fetch_end *e)
{
	const char *u = e->url;

	switch (e->where) {
	case FETCH_AT_URL:
		get_fail(g, u, "not a valid URL");
		break;
	case FETCH_AT_TARGET:
		get_fail(g, u, e->status == ERR_UNSUPPORTED ? "only http and "
			 "https URLs are supported" : "not a usable http URL");
		break;
	case FETCH_AT_TLS:
		get_fail(g, u, "%s", e->detail);
		break;
	case FETCH_AT_RESOLVE:
		get_fail(g, u, "cannot resolve %s: %s", e->host,
			 resolv_strerror(e->status));
		break;
	case FETCH_AT_REQUEST:
		get_fail(g, u, "cannot send the request: %s",
			 err_str(e->status));
		break;
	case FETCH_AT_LOCATION:
		get_fail(g, u, "HTTP %d with an unusable Location",
			 g->http_status);
		break;
	case FETCH_AT_REDIRS:
		get_fail(g, u, "too many redirects (more than %d)",
			 g->o->max_redirs);
		break;
	case FETCH_AT_LOOP:
		get_fail(g, u, "redirect loop: %s was already visited",
			 e->location);
		break;
	case FETCH_AT_DEADLINE:
		get_fail(g, u, "timed out after %d ms (--max-time)",
			 g->o->max_ms);
		break;
	case FETCH_AT_TRANSFER:
		if (g->write_err)
			get_fail(g, u, "cannot write the output: %s",
				 err_str(g->write_err));
		else if (e->detail)
			get_fail(g, u, "%s", e->detail);
		else
			get_fail(g, u, "%s", get_strerror(e->status));
		break;
	}
}

static void
on_done(void *arg, const struct fetch_end *e)
{
	struct get *g = arg;

	if (g->ended)
		return;
	if (e->status == 0 && g->retry_ms >= 0) {
		g->retries++;
		fprintf(stderr, "inetkit get: %s: HTTP %d %s, trying again in "
			"%lld s\n", e->url, g->http_status, g->reason,
			(long long)(g->retry_ms / 1000));
		loop_timer_set(g->l, &g->retry, g->retry_ms);
		return;
	}
	if (e->status == GET_STOP || (e->status == 0 && g->http_status >= 400)) {
		get_fail(g, e->url, "HTTP %d %s", g->http_status, g->reason);
		return;
	}
	if (e->status < 0) {
		output_close(g, 0);
		get_failed(g, e);
		return;
	}
	get_progress_end(&g->prog);
	int rc = output_close(g, 1);
	if (rc < 0) {
		get_fail(g, e->url, "cannot write %s: %s", g->o->out,
			 err_str(rc));
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

static const struct fetch_cb get_cb = {
	on_head, on_body, on_done, body_fd,
};

static int
get_setup(struct get *g)
{
	struct fetch_config fc = {
		.client = {
			.connect_timeout_ms = g->o->connect_ms,
			.read_timeout_ms = g->o->read_ms,
			.head_timeout_ms = g->o->read_ms,
			.max_body = g->o->max_size,
			.rbuf_size = GET_RBUF,
		},
		.max_conns = 1,
		.dns = &g->o->dns,
		.tls = g->o->tls,
	};

	g->l = loop_new();
	if (g->l == NULL)
		return -ENOMEM;
	loop_timer_init(&g->retry, on_retry, g);
	g->fetch = fetch_new(g->l, &fc);
	return g->fetch ? 0 : -ENOMEM;
}

static int
get_start(struct get *g)
{
	struct fetch_req req = {
		.url = g->url,
		.method = g->o->head_only ? HTTP_M_HEAD : HTTP_M_GET,
		.headers = g->o->headers,
		.follow = g->o->follow,
		.max_redirs = g->o->max_redirs,
		.max_time_ms = g->o->max_ms,
	};

	g->retry_ms = -1;
	return fetch_start(g->fetch, &req, &get_cb, g);
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
	} else if (get_setup(g) < 0 || get_start(g) < 0) {
		fprintf(stderr, "inetkit get: out of memory\n");
	} else {
		loop_run(g->l);
		status = g->status;
	}
	output_close(g, 0);
	fetch_free(g->fetch);
	if (g->l)
		loop_free(g->l);
	free(g);
	return status;
}
