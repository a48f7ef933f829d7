/* crawl_html: the crawl as one HTML page. The page is written in order,
 * through a buffer that goes to the sink whenever it holds 64 KiB, so a
 * crawl of 100,000 pages needs no page-sized memory. Errors are sticky
 * (the writer's rc), checked once at the end, as Knot's wire cursor. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "crawl/crawl.h"
#include "crawl/crawl_html.h"
#include "crawl/crawl_out.h"

#define FLUSH_AT (64 * 1024)

struct html_w {
	struct buf *b;
	crawl_html_sink sink;
	void *arg;
	int rc;
};

static void
w_put(struct html_w *w, const char *s)
{
	if (w->rc == 0)
		w->rc = buf_append(w->b, s, strlen(s));
}

/* Short formatted text (numbers, fixed words); never network bytes. */
__attribute__((format(printf, 2, 3))) static void
w_printf(struct html_w *w, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (w->rc == 0 && (n < 0 || (size_t)n >= sizeof tmp))
		w->rc = ERR_TOOBIG;
	if (w->rc == 0)
		w->rc = buf_append(w->b, tmp, (size_t)n);
}

static void
w_text(struct html_w *w, const char *s, size_t n)
{
	if (w->rc == 0)
		w->rc = crawl_html_escape(w->b, s, n);
}

/* Hands the buffer to the sink once it holds limit bytes (0: always). */
static void
w_flush(struct html_w *w, size_t limit)
{
	if (w->rc == 0 && buf_size(w->b) > 0 && buf_size(w->b) >= limit)
		w->rc = w->sink(w->arg, buf_data(w->b), buf_size(w->b));
	if (buf_size(w->b) >= limit)
		buf_reset(w->b);
}

int
crawl_html_escape(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0;
	int rc = 0;

	while (i < n && rc == 0) {
		const char *ref = NULL;
		size_t ul = 1;

		switch (u[i]) {
		case '&': ref = "&amp;"; break;
		case '<': ref = "&lt;"; break;
		case '>': ref = "&gt;"; break;
		case '"': ref = "&quot;"; break;
		case '\'': ref = "&#39;"; break;
		default:
			if (u[i] >= 0x80)
				ul = crawl_out_utf8_len(u + i, n - i);
			if (ul == 0 || u[i] == 0x7f ||
			    (u[i] < 0x20 && u[i] != '\t' && u[i] != '\n')) {
				ref = "\xef\xbf\xbd";	/* U+FFFD */
				ul = 1;
			}
		}
		if (ref) {
			rc = buf_append(b, s + i - run, run);
			rc = rc ? rc : buf_append(b, ref, strlen(ref));
			run = 0;
		} else {
			run += ul;
		}
		i += ul;
	}
	return rc ? rc : buf_append(b, s + i - run, run);
}

/* Only http and https URLs become links: a "javascript:" URL found on a
 * hostile page stays text. */
static int
is_web_url(const char *url)
{
	return strncmp(url, "http://", 7) == 0 ||
	       strncmp(url, "https://", 8) == 0;
}

/* <a href="URL">LABEL</a>, or the label alone for other schemes. */
static void
w_link(struct html_w *w, const char *cls, const char *url, size_t n,
       const char *label, size_t label_n)
{
	int web = is_web_url(url);

	if (web) {
		w_printf(w, "<a class=\"%s\" href=\"", cls);
		w_text(w, url, n);
		w_put(w, "\">");
	} else {
		w_printf(w, "<span class=\"%s\">", cls);
	}
	w_text(w, label, label_n);
	w_put(w, web ? "</a>" : "</span>");
}

/* The status as a badge: the number, or the failure's name. */
static void
w_status(struct html_w *w, const struct crawl_node *nd)
{
	if (nd->status > 0)
		w_printf(w, " <span class=\"st s%d\">%d</span>",
			 nd->status / 100 <= 5 ? nd->status / 100 : 5,
			 nd->status);
	else
		w_printf(w, " <span class=\"st err\">%s</span>",
			 crawl_fail_str(nd->status));
}

static const char style[] =
	"body{font:15px/1.45 system-ui,sans-serif;margin:1.5em auto;"
	"max-width:70em;padding:0 1em;color:#222;background:#fff}\n"
	"h1{font-size:1.5em;overflow-wrap:anywhere}h2{margin-top:1.6em;"
	"border-bottom:1px solid #ddd}\n"
	"a{color:#0645ad;overflow-wrap:anywhere}\n"
	"table.summary{border-collapse:collapse}\n"
	".summary th{text-align:left;padding:.2em 1.5em .2em 0;"
	"font-weight:normal;color:#555}.summary td{font-weight:bold;"
	"text-align:right}\n"
	".bad{color:#b00}.good{color:#070}\n"
	".st{display:inline-block;min-width:2.6em;text-align:center;"
	"border-radius:3px;font:12px monospace;padding:0 .3em;color:#fff}\n"
	".s1,.s2{background:#2a7d2a}.s3{background:#777}"
	".s4,.s5,.err{background:#c0392b}\n"
	"ol.broken>li{margin:.6em 0}ul.from{margin:.2em 0;color:#555}\n"
	".size,.type{color:#666;font-size:.9em}\n"
	"ul.tree,ul.tree ul{list-style:none;padding-left:1.2em}\n"
	"ul.tree{padding-left:0}summary{cursor:pointer;font-weight:bold}\n"
	".graph{overflow:auto;border:1px solid #ddd}.graph svg{display:block}\n"
	".note{background:#fff8dc;border:1px solid #e6d9a8;padding:.5em}\n";

static void
w_head(struct html_w *w, const struct crawl_html_page *pg)
{
	size_t n = strlen(pg->start_url);

	w_put(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width\">\n"
	      "<title>Link check: ");
	w_text(w, pg->start_url, n);
	w_put(w, "</title>\n<style>\n");
	w_put(w, style);
	w_put(w, "</style>\n</head>\n<body>\n<h1>Link check of ");
	w_link(w, "start", pg->start_url, n, pg->start_url, n);
	w_put(w, "</h1>\n");
}

static void
w_row(struct html_w *w, const char *label, const char *id, const char *cls,
      uint64_t v)
{
	w_printf(w, "<tr><th>%s</th><td id=\"n-%s\"%s>%" PRIu64
		 "</td></tr>\n", label, id, cls, v);
}

static void
w_summary(struct html_w *w, const struct crawl_frontier *f,
	  const struct crawl_html_page *pg)
{
	struct crawl_totals t;

	crawl_totals(f, &t);
	w_put(w, "<section id=\"summary\">\n<h2>Summary</h2>\n"
	      "<table class=\"summary\">\n");
	w_row(w, "pages fetched", "pages", "", t.fetched);
	w_row(w, "links", "links", "", f->nedges);
	w_row(w, "broken links", "broken", t.broken ? " class=\"bad\"" :
	      " class=\"good\"", t.broken);
	w_row(w, "URLs not followed", "skipped", "", t.skipped);
	w_row(w, "bytes", "bytes", "", t.bytes);
	w_row(w, "time (ms)", "ms", "", (uint64_t)(pg->ms > 0 ? pg->ms : 0));
	w_put(w, "</table>\n");
	if (f->dropped)
		w_printf(w, "<p class=\"note\">%zu links were not recorded "
			 "(the URL limit was reached).</p>\n", f->dropped);
	if (pg->generated > 0) {
		time_t tt = (time_t)pg->generated;
		struct tm tm;
		char when[64];

		gmtime_r(&tt, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
		w_printf(w, "<p>Crawled by inetkit, %s.</p>\n", when);
	}
	w_put(w, "</section>\n");
}

/* One broken link and the pages that link to it. */
static void
w_broken_one(struct html_w *w, const struct crawl_frontier *f, uint32_t id)
{
	const struct crawl_node *nd = &f->nodes[id];
	size_t e = crawl_frontier_first_edge_to(f, id), k, shown = 0;

	w_put(w, "<li>");
	w_link(w, "url", nd->url, nd->len, nd->url, nd->len);
	w_status(w, nd);
	w_put(w, "\n<ul class=\"from\">\n");
	for (k = e; k < f->nedges && f->edges[k].to == id; k++) {
		const struct crawl_node *from = &f->nodes[f->edges[k].from];

		if (shown++ >= CRAWL_HTML_REFERRERS)
			continue;
		w_put(w, "<li>linked from ");
		w_link(w, "ref", from->url, from->len, from->url, from->len);
		w_put(w, "</li>\n");
	}
	if (shown > CRAWL_HTML_REFERRERS)
		w_printf(w, "<li class=\"more\">and %zu more pages</li>\n",
			 shown - CRAWL_HTML_REFERRERS);
	if (shown == 0)
		w_put(w, "<li class=\"start\">(the start URL)</li>\n");
	w_put(w, "</ul></li>\n");
}

static void
w_broken(struct html_w *w, const struct crawl_frontier *f)
{
	size_t n = 0;

	for (uint32_t i = 0; i < f->nnodes; i++)
		n += crawl_node_is_broken(&f->nodes[i]) != 0;
	w_printf(w, "<section id=\"broken\">\n<h2>Broken links: %zu</h2>\n",
		 n);
	if (n == 0)
		w_put(w, "<p class=\"good\">No broken links.</p>\n");
	else
		w_put(w, "<ol class=\"broken\">\n");
	for (uint32_t i = 0; i < f->nnodes && w->rc == 0; i++) {
		if (!crawl_node_is_broken(&f->nodes[i]))
			continue;
		w_broken_one(w, f, i);
		w_flush(w, FLUSH_AT);
	}
	w_put(w, n ? "</ol>\n</section>\n" : "</section>\n");
}

/* The tree: URLs sorted so that "/" orders before every other byte,
 * which keeps each folder's entries together ("/a/x" before "/a-b"). */
static int
tree_cmp(const void *a, const void *b)
{
	const unsigned char *x = (const unsigned char *)
		(*(const struct crawl_node *const *)a)->url;
	const unsigned char *y = (const unsigned char *)
		(*(const struct crawl_node *const *)b)->url;

	for (;; x++, y++) {
		int cx = *x == '/' ? 1 : *x ? *x + 1 : 0;
		int cy = *y == '/' ? 1 : *y ? *y + 1 : 0;

		if (cx != cy || cx == 0)
			return cx - cy;
	}
}

struct seg {
	const char *p;
	size_t n;
};

/* Splits url into folders (the origin first, then each path segment
 * but the last) and the leaf (the last segment, with "/" when the path
 * ends there, and the query). Returns the folder count. */
static size_t
tree_split(const char *url, struct seg *dirs, size_t max, struct seg *leaf)
{
	const char *p = strstr(url, "://"), *end, *q, *s;
	size_t nd = 0;

	p = p ? p + 3 : url;
	end = p + strcspn(p, "/?");
	dirs[nd++] = (struct seg){ url, (size_t)(end - url) };
	q = end + strcspn(end, "?");	/* the path is [end, q) */
	if (q - end > 1 && q[-1] == '/')
		q--;			/* ".../dir/" is the leaf "dir/" */
	s = end;
	while (s < q && nd < max) {
		const char *slash = memchr(s + 1, '/', (size_t)(q - s - 1));

		if (!slash)
			break;
		dirs[nd++] = (struct seg){ s + 1, (size_t)(slash - s - 1) };
		s = slash;
	}
	if (s < q && *s == '/' && q - s > 1)
		s++;
	*leaf = (struct seg){ s, strlen(s) };
	return nd;
}

static void
w_leaf(struct html_w *w, const struct crawl_node *nd, struct seg leaf)
{
	w_put(w, "<li>");
	if (leaf.n == 0)
		leaf = (struct seg){ "/", 1 };
	w_link(w, "page", nd->url, nd->len, leaf.p, leaf.n);
	w_status(w, nd);
	w_printf(w, " <span class=\"size\">%" PRIu64 " B</span>", nd->size);
	if (nd->ctype && *nd->ctype) {
		w_put(w, " <span class=\"type\">");
		w_text(w, nd->ctype, strlen(nd->ctype));
		w_put(w, "</span>");
	}
	w_put(w, "</li>\n");
}

/* Walks the sorted pages keeping the open folders on a stack: folders
 * the next page does not share are closed, its new ones opened. */
static void
w_tree_walk(struct html_w *w, const struct crawl_node **pages, size_t n)
{
	enum { MAX_DIRS = URL_MAX_LEN / 2 + 2 };
	struct seg *open = malloc(2 * MAX_DIRS * sizeof *open), leaf;
	struct seg *dirs = open + MAX_DIRS;
	size_t nopen = 0;

	if (!open) {
		w->rc = w->rc ? w->rc : -ENOMEM;
		return;
	}
	w_put(w, "<ul class=\"tree\">\n");
	for (size_t i = 0; i < n && w->rc == 0; i++) {
		size_t nd = tree_split(pages[i]->url, dirs, MAX_DIRS, &leaf);
		size_t same = 0;

		while (same < nd && same < nopen && open[same].n ==
		       dirs[same].n && memcmp(open[same].p, dirs[same].p,
					      dirs[same].n) == 0)
			same++;
		for (; nopen > same; nopen--)
			w_put(w, "</ul></details></li>\n");
		for (; nopen < nd; nopen++) {
			open[nopen] = dirs[nopen];
			w_put(w, "<li class=\"dir\"><details open><summary>");
			w_text(w, dirs[nopen].p, dirs[nopen].n);
			w_put(w, nopen ? "/</summary>\n<ul>\n" :
			      "</summary>\n<ul>\n");
		}
		w_leaf(w, pages[i], leaf);
		w_flush(w, FLUSH_AT);
	}
	for (; nopen > 0; nopen--)
		w_put(w, "</ul></details></li>\n");
	w_put(w, "</ul>\n");
	free(open);
}

static void
w_tree(struct html_w *w, const struct crawl_frontier *f)
{
	const struct crawl_node **pages = malloc((f->nnodes + 1) *
						 sizeof *pages);
	size_t n = 0;

	if (!pages) {
		w->rc = w->rc ? w->rc : -ENOMEM;
		return;
	}
	for (size_t i = 0; i < f->nnodes; i++)
		if (f->nodes[i].state == CRAWL_DONE)
			pages[n++] = &f->nodes[i];
	qsort(pages, n, sizeof *pages, tree_cmp);
	w_printf(w, "<section id=\"pages\">\n<h2>Pages: %zu</h2>\n", n);
	w_tree_walk(w, pages, n);
	w_put(w, "</section>\n");
	free(pages);
}

static void
w_graph(struct html_w *w, const struct crawl_frontier *f,
	const struct crawl_html_page *pg)
{
	w_put(w, "<section id=\"graph\">\n<h2>Link graph</h2>\n");
	if (pg->svg) {
		if (pg->graph_nodes < f->nnodes)
			w_printf(w, "<p>The first %zu of %zu URLs, nearest the "
				 "start first; broken links in red, URLs not "
				 "followed dashed.</p>\n", pg->graph_nodes,
				 f->nnodes);
		else
			w_put(w, "<p>Broken links in red, URLs not followed "
			      "dashed.</p>\n");
		w_put(w, "<div class=\"graph\">\n");
		if (w->rc == 0)
			w->rc = buf_append(w->b, pg->svg, pg->svg_len);
		w_put(w, "\n</div>\n");
	} else {
		w_put(w, "<p class=\"note\" id=\"graph-note\">");
		w_text(w, pg->graph_note ? pg->graph_note : "no graph",
		       strlen(pg->graph_note ? pg->graph_note : "no graph"));
		w_put(w, "</p>\n");
	}
	w_put(w, "</section>\n");
}

int
crawl_html_write(const struct crawl_frontier *f,
		 const struct crawl_html_page *pg, struct buf *b,
		 crawl_html_sink sink, void *arg)
{
	struct html_w w = { .b = b, .sink = sink, .arg = arg };

	w_head(&w, pg);
	w_summary(&w, f, pg);
	w_broken(&w, f);
	w_flush(&w, FLUSH_AT);
	w_tree(&w, f);
	w_flush(&w, FLUSH_AT);
	w_graph(&w, f, pg);
	w_put(&w, "</body>\n</html>\n");
	w_flush(&w, 0);
	return w.rc;
}

/* The node's label: its path and query on the start's origin, else the
 * whole URL. */
static void
dot_label(struct buf *b, const struct crawl_frontier *f,
	  const struct crawl_node *nd, int *rc)
{
	const char *start = f->nnodes ? f->nodes[0].url : "";
	const char *p = strstr(nd->url, "://");
	size_t origin = p ? (size_t)(p + 3 - nd->url) : 0;

	origin += strcspn(nd->url + origin, "/?");
	if (origin == 0 || strncmp(start, nd->url, origin) != 0 ||
	    (start[origin] != '/' && start[origin] != '?' && start[origin]))
		origin = 0;
	if (*rc == 0)
		*rc = crawl_out_dot_string(b, nd->url + origin,
					   nd->len - origin);
}

int
crawl_html_graph_dot(struct buf *b, const struct crawl_frontier *f,
		     size_t *drawn)
{
	size_t n = f->nnodes < CRAWL_HTML_GRAPH_NODES ? f->nnodes :
		   CRAWL_HTML_GRAPH_NODES, edges = 0;
	int rc = buf_printf(b, "digraph crawl {\n\trankdir=LR;\n"
			    "\tnode [shape=box, fontsize=10, "
			    "fontname=\"sans-serif\", height=0.3];\n"
			    "\tedge [arrowsize=0.6, color=\"#888888\"];\n");

	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct crawl_node *nd = &f->nodes[i];

		rc = buf_printf(b, "\tn%zu [label=", i);
		dot_label(b, f, nd, &rc);
		if (rc == 0 && crawl_node_is_broken(nd))
			rc = buf_printf(b, ", color=red, fontcolor=red");
		else if (rc == 0 && nd->skip != CRAWL_SKIP_NONE)
			rc = buf_printf(b, ", style=dashed, color=grey");
		rc = rc ? rc : buf_append(b, "];\n", 3);
	}
	for (size_t i = 0; i < f->nedges && rc == 0 &&
	     edges < CRAWL_HTML_GRAPH_EDGES; i++) {
		const struct crawl_edge *e = &f->edges[i];

		if (e->from >= n || e->to >= n)
			continue;
		rc = buf_printf(b, "\tn%" PRIu32 " -> n%" PRIu32 ";\n",
				e->from, e->to);
		edges++;
	}
	*drawn = n;
	return rc ? rc : buf_append(b, "}\n", 2);
}
