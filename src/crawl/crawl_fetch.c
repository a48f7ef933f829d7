/* crawl_fetch: one request of the crawler and what its answer becomes:
 * the response head (status, media type, a redirect's Location as a link,
 * RFC 9110 10.2.2), the body (kept for link extraction, saved to the
 * mirror), the links of an HTML page (parsed here or on the parser
 * threads), and a host's robots.txt (RFC 9309 2.3.1). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "crawl/crawl_int.h"
#include "crawl/crawl_out.h"
#include "html/html_links.h"
#include "http/http_retry.h"
#include "net/net_sock.h"

/* The media type of a Content-Type value, lowercase, without
 * parameters, or NULL. */
static char *
media_type(const struct http_response *r)
{
	const struct http_header *ct = http_header_find(r->headers,
							r->nheaders,
							"Content-Type");
	size_t n = 0, start = 0;
	char *t;

	if (!ct)
		return NULL;
	while (start < ct->value.n && ct->value.p[start] == ' ')
		start++;
	while (start + n < ct->value.n && ct->value.p[start + n] != ';' &&
	       ct->value.p[start + n] != ' ' && n < CTYPE_MAX)
		n++;
	t = strndup(ct->value.p + start, n);
	for (size_t i = 0; t && i < n; i++)
		t[i] = (char)((t[i] >= 'A' && t[i] <= 'Z') ? t[i] + 32 : t[i]);
	return t;
}

static int
is_html(const char *type)
{
	return type && (strcmp(type, "text/html") == 0 ||
			strcmp(type, "application/xhtml+xml") == 0);
}

/* A redirect's Location, resolved against the page, is one of its links
 * (RFC 9110 10.2.2). */
static void
add_redirect(struct crawl *cr, uint32_t id, const struct http_response *r)
{
	const struct http_header *loc = http_header_find(r->headers,
							 r->nheaders,
							 "Location");
	const struct crawl_node *nd = &cr->f->nodes[id];
	char out[URL_MAX_LEN + 1];
	ssize_t n;

	if (!loc)
		return;
	n = url_resolve_str(nd->url, nd->len, loc->value.p, loc->value.n, out,
			    sizeof out);
	if (n <= 0)
		return;
	if (nd->depth == 0)	/* the start URL moved: follow its new host */
		crawl_frontier_allow(cr->f, out, (size_t)n);
	crawl_frontier_add(cr->f, id, out, (size_t)n);
}

/* Opens the mirror file for url, creating its directories one at a time
 * below the mirror directory without following a symbolic link. Returns
 * the descriptor or a negative code. */
static int
mirror_open(struct crawl *cr, const char *url, size_t n)
{
	char path[4096];
	char *p = path, *slash;
	int d = cr->mirror_fd, fd;
	ssize_t len = crawl_out_mirror_path(url, n, path, sizeof path);

	if (len < 0)
		return (int)len;
	while ((slash = strchr(p, '/')) != NULL) {
		int next;

		*slash = '\0';
		if (mkdirat(d, p, 0755) < 0 && errno != EEXIST) {
			next = -errno;
		} else {
			next = openat(d, p, O_RDONLY | O_DIRECTORY |
				      O_NOFOLLOW | O_CLOEXEC);
			if (next < 0)
				next = -errno;
		}
		if (d != cr->mirror_fd)
			close(d);
		if (next < 0)
			return next;
		d = next;
		p = slash + 1;
	}
	fd = openat(d, p, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
	if (fd < 0)
		fd = -errno;
	if (d != cr->mirror_fd)
		close(d);
	return fd;
}

/* RFC 9309 2.3.1.2: a redirected robots.txt is followed, up to five
 * times, when it stays on the same host; robots_done fetches the new
 * target (h->robots_target) instead of parsing. */
static void
robots_redirect(struct crawl_host *h, const char *target,
		const struct http_response *r)
{
	const struct http_header *loc = http_header_find(r->headers,
							 r->nheaders,
							 "Location");
	char base[URL_MAX_LEN + 1], out[URL_MAX_LEN + 1];
	int n = snprintf(base, sizeof base, "%s%s", h->origin, target);
	ssize_t len;

	if (!loc || n < 0 || (size_t)n >= sizeof base ||
	    h->robots_redirects >= 5)
		return;
	len = url_resolve_str(base, (size_t)n, loc->value.p, loc->value.n,
			      out, sizeof out);
	if (len < 0 || (size_t)len <= h->origin_len ||
	    memcmp(out, h->origin, h->origin_len) != 0 ||
	    out[h->origin_len] != '/')
		return;
	free(h->robots_target);
	h->robots_target = strndup(out + h->origin_len,
				   (size_t)len - h->origin_len);
	if (h->robots_target)
		h->robots_redirects++;
}

/* A 429 or 503 that says when to come back, soon enough and not too
 * often: the node is fetched again then (s->retry_ms), not counted broken
 * (RFC 9110 section 10.2.3, RFC 6585 section 4). */
static int
retry_later(struct crawl_slot *s, const struct http_response *r,
	    const struct crawl_node *nd)
{
	const struct http_header *ra = http_header_find(r->headers,
							r->nheaders,
							"retry-after");
	int64_t secs;

	if (ra == NULL || nd->retries >= CRAWL_RETRIES ||
	    http_retry_after(ra->value, clock_wall(), &secs) < 0 ||
	    secs > CRAWL_RETRY_MAX_S)
		return 0;
	s->retry_ms = secs * 1000;
	return 1;
}

static int
on_head(void *arg, const struct fetch_head *hd)
{
	const struct http_response *r = hd->r;
	struct crawl_slot *s = arg;
	struct crawl *cr = s->cr;
	struct crawl_node *nd;
	int ok = r->status >= 200 && r->status < 300;

	s->status = r->status;
	if (r->framing == HTTP_BODY_LENGTH)
		s->size = r->content_length;
	if (s->robots) {
		if (r->status >= 300 && r->status < 400)
			robots_redirect(s->host, s->target, r);
		return ok ? 0 : 1;
	}
	nd = &cr->f->nodes[s->id];
	if (http_retry_status(r->status) && retry_later(s, r, nd))
		return 1;
	free(nd->ctype);
	nd->ctype = media_type(r);
	if (r->status >= 300 && r->status < 400)
		add_redirect(cr, s->id, r);
	if (!ok)
		return 1;
	nd = &cr->f->nodes[s->id];
	s->html = is_html(nd->ctype);
	s->size = 0;
	if (cr->mirror_fd >= 0) {
		s->mirror_fd = mirror_open(cr, nd->url, nd->len);
		if (s->mirror_fd < 0)
			log_warn("crawl: mirror %s: %s", nd->url,
				 err_str(s->mirror_fd));
	}
	return 0;
}

static void
mirror_write(struct crawl_slot *s, const char *p, size_t n)
{
	int rc = net_write_all(s->mirror_fd, p, n);

	if (rc < 0) {
		log_warn("crawl: mirror write: %s", err_str(rc));
		close(s->mirror_fd);
		s->mirror_fd = -1;
	}
}

static int
on_body(void *arg, const void *p, size_t n)
{
	struct crawl_slot *s = arg;
	size_t cap = s->robots ? CRAWL_ROBOTS_MAX : HTML_DOC_MAX;

	s->size += n;
	if ((s->html || s->robots) && buf_size(&s->body) < cap) {
		size_t take = cap - buf_size(&s->body);

		buf_append(&s->body, p, n < take ? n : take);
	}
	if (s->mirror_fd >= 0)
		mirror_write(s, p, n);
	return 0;
}

struct extract_ctx {
	struct crawl *cr;
	uint32_t from;
};

static int
on_link(void *arg, const struct html_link *l)
{
	struct extract_ctx *x = arg;
	int rc;

	if (!l->url)
		return 0;	/* not a URI reference even after repair */
	rc = crawl_frontier_add(x->cr->f, x->from, l->url, l->url_len);
	return rc == -ENOMEM ? rc : 0;
}

static void
extract_links(struct crawl *cr, struct crawl_slot *s)
{
	struct extract_ctx x = { cr, s->id };
	const struct crawl_node *nd = &cr->f->nodes[s->id];
	int rc;

	rc = html_links_extract((const char *)buf_data(&s->body),
				buf_size(&s->body), nd->url, nd->len,
				on_link, &x);
	if (rc < 0 && rc != ERR_TOOBIG)
		log_warn("crawl: links of %s: %s", cr->f->nodes[s->id].url,
			 err_str(rc));
}

/* The links of a parsed page join the frontier. */
void
crawl_fetch_parsed(void *arg, struct crawl_parse_job *job)
{
	struct crawl *cr = arg;
	const char *p = (const char *)buf_data(&job->links);
	const char *end = p + buf_size(&job->links);

	cr->parsing--;
	while (p < end) {
		size_t n = strlen(p);

		crawl_frontier_add(cr->f, job->id, p, n);
		p += n + 1;
	}
	if (job->rc < 0 && job->rc != ERR_TOOBIG)
		log_warn("crawl: links of %s: %s", job->url, err_str(job->rc));
	crawl_parse_job_free(job);
	crawl_pump(cr);
}

/* Hands the page in s->body to the parser threads, or parses it here
 * when there are none, when it is small (the hand-off would cost more
 * than the parse), or when there is no memory for a job. */
static void
parse_page(struct crawl *cr, struct crawl_slot *s)
{
	const struct crawl_node *nd = &cr->f->nodes[s->id];
	struct crawl_parse_job *job = NULL;

	if (cr->pool && buf_size(&s->body) >= CRAWL_PARSE_LOOP_MAX)
		job = crawl_parse_job_new(s->id, nd->url, nd->len, &s->body);
	if (!job) {
		extract_links(cr, s);
		return;
	}
	cr->parsing++;
	crawl_parse_submit(cr->pool, job);
}

/* RFC 9309 2.3.1: a 2xx file is parsed; 4xx (and a redirect not
 * followed: off the host, or a sixth) means no rules; 5xx means disallow
 * everything; no answer at all fails the host's pages with that error. */
static void
robots_done(struct crawl *cr, struct crawl_slot *s, int status)
{
	struct crawl_host *h = s->host;

	h->robots_state = ROBOTS_DONE;
	if (status == 0 && h->robots_target &&
	    strcmp(h->robots_target, s->target) != 0) {
		h->robots_state = ROBOTS_WANTED;	/* a redirect to follow */
		return;
	}
	if (status != 0 && s->status == 0) {
		crawl_host_fail(cr, h, status);
		return;
	}
	if (s->status >= 200 && s->status < 300) {
		if (crawl_robots_parse(&h->robots,
				       (const char *)buf_data(&s->body),
				       buf_size(&s->body), CRAWL_AGENT) < 0)
			crawl_robots_deny_all(&h->robots);
		if (h->robots.delay_ms > h->delay_ms)
			h->delay_ms = h->robots.delay_ms;
	} else if (s->status >= 500) {
		crawl_robots_deny_all(&h->robots);
	}
}

static void
on_done(void *arg, const struct fetch_end *e)
{
	struct crawl_slot *s = arg;
	struct crawl *cr = s->cr;
	int status = e->status;
	int64_t us = crawl_now_us() - s->t0_us;

	s->busy = 0;
	cr->active--;
	if (s->mirror_fd >= 0) {
		close(s->mirror_fd);
		s->mirror_fd = -1;
	}
	if (s->robots) {
		robots_done(cr, s, status);
	} else if (status == 0 && s->retry_ms >= 0 &&
		   crawl_host_retry(cr, s->host, s->id, s->retry_ms) == 0) {
		/* fetched again after Retry-After */
	} else {
		if (status == 0 && s->html)
			parse_page(cr, s);
		crawl_finish_node(cr, s->id, status == 0 ? s->status : status,
			    s->size, us);
	}
	buf_reset(&s->body);
	crawl_pump(cr);
}

static const struct fetch_cb crawl_cb = {
	.on_head = on_head,
	.on_body = on_body,
	.on_done = on_done,
};

/* Starts a GET of s->target on h, for node id or (robots) robots.txt. */
void
crawl_fetch_start(struct crawl *cr, struct crawl_slot *s, struct crawl_host *h,
	    uint32_t id, int robots)
{
	char url[URL_MAX_LEN + 1];
	struct fetch_req req = {
		.url = url,
		.method = HTTP_M_GET,
		.headers = "User-Agent: " CRAWL_AGENT "/0.1 (crawl)\r\n",
	};
	int rc = snprintf(url, sizeof url, "%s%s", h->origin, s->target);

	s->host = h;
	s->id = id;
	s->robots = robots;
	s->status = 0;
	s->retry_ms = -1;
	s->html = 0;
	s->size = 0;
	s->mirror_fd = -1;
	s->t0_us = crawl_now_us();
	buf_reset(&s->body);
	h->next_ok = clock_mono_ms() + h->delay_ms;
	rc = rc < 0 || (size_t)rc >= sizeof url ? ERR_TOOBIG :
	     fetch_start(cr->fetch, &req, &crawl_cb, s);
	if (rc == 0) {
		s->busy = 1;
		cr->active++;
	} else if (robots) {
		h->robots_state = ROBOTS_DONE;
	} else {
		crawl_finish_node(cr, id, rc, 0, 0);
	}
}

/* mkdir -p dir. Returns 0 or -errno. */
static int
make_dirs(const char *dir)
{
	char path[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof path)
		return -ENAMETOOLONG;
	memcpy(path, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		path[i] = i < n ? '/' : '\0';
	}
	return 0;
}

int
crawl_mirror_setup(struct crawl *cr)
{
	const char *dir = cr->cfg->mirror_dir;
	int rc;

	cr->mirror_fd = -1;
	if (!dir)
		return 0;
	rc = make_dirs(dir);
	if (rc < 0)
		return rc;
	cr->mirror_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return cr->mirror_fd < 0 ? -errno : 0;
}
