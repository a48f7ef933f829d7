/* crawl_html: the link-check report as one self-contained HTML page
 * (`inetkit crawl --html FILE`), for people who would rather look than
 * read JSON Lines: a summary, the broken links first with the pages that
 * link to them, the fetched pages as a tree by path, and the link graph
 * as inline SVG (rendered by Graphviz: crawl_svg.h) or a note saying why
 * it is left out. Inline CSS only: no script, no external asset, so the
 * page works offline and from file://. Every byte that came from the
 * network (URLs, media types) is escaped for HTML; only http and https
 * URLs become links. Pure: the page goes out through a sink. */
#ifndef INETKIT_CRAWL_HTML_H
#define INETKIT_CRAWL_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "crawl/crawl_frontier.h"

/* Most referrers listed per broken link ("and N more" beyond). */
#define CRAWL_HTML_REFERRERS 100
/* Most nodes, and edges between them, drawn in the graph: dot's layout
 * time grows fast with the edges, and a bigger picture is unreadable. */
#define CRAWL_HTML_GRAPH_NODES 150
#define CRAWL_HTML_GRAPH_EDGES 1000

/* Where the page's bytes go; returns 0 or a negative code (which stops
 * the writer and is returned by it). */
typedef int (*crawl_html_sink)(void *arg, const void *p, size_t n);

struct crawl_html_page {
	const char *start_url;
	int64_t ms;		/* the crawl's duration */
	int64_t generated;	/* Unix time of the report, or 0 */
	/* The graph: SVG bytes to inline (from "<svg"), or NULL and a note
	 * in plain text saying why it is left out ("dot was not found"). */
	const char *svg;
	size_t svg_len;
	const char *graph_note;
	size_t graph_nodes;	/* nodes drawn (crawl_html_graph_dot) */
};

/* Appends s (n bytes) escaped for HTML text and double-quoted attribute
 * values: & < > " ' become references; control characters (but tab and
 * newline) and bytes that are not valid UTF-8 become U+FFFD. */
int crawl_html_escape(struct buf *b, const char *s, size_t n);

/* Appends the DOT source of the graph the page shows: the first
 * CRAWL_HTML_GRAPH_NODES nodes (the crawl's breadth-first order, so the
 * pages nearest the start) labelled by path, and up to
 * CRAWL_HTML_GRAPH_EDGES links between them. *drawn gets the number of
 * nodes drawn. Edges sorted (crawl_frontier_sort_edges). */
int crawl_html_graph_dot(struct buf *b, const struct crawl_frontier *f,
			 size_t *drawn);

/* Writes the whole page for the crawl in f (edges sorted) through sink,
 * using b (empty; left empty) as its buffer. Returns 0, a code of b
 * (ERR_TOOBIG, -ENOMEM) or the sink's. */
int crawl_html_write(const struct crawl_frontier *f,
		     const struct crawl_html_page *pg, struct buf *b,
		     crawl_html_sink sink, void *arg);

#endif
