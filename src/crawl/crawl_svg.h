/* crawl_svg: a DOT graph drawn as SVG by Graphviz's `dot -Tsvg`, run as
 * a child process (found on PATH) with a time limit and a cap on what it
 * prints, for the HTML report (crawl_html.h). Graphviz escapes labels for
 * XML; the result is still checked for elements that could run script
 * before it is inlined in a page. */
#ifndef INETKIT_CRAWL_SVG_H
#define INETKIT_CRAWL_SVG_H

#include <stddef.h>

#include "core/buf.h"

#define CRAWL_SVG_PROG "dot"
#define CRAWL_SVG_TIMEOUT_MS 20000
#define CRAWL_SVG_MAX (8u * 1024 * 1024)	/* bytes of SVG at most */

/* Runs prog -Tsvg with the n bytes of DOT at dot on its input; svg (with
 * a max of at least CRAWL_SVG_MAX + 64 KiB) gets its output from "<svg" on (the
 * XML prologue dropped). Gives up after timeout_ms (the child killed).
 * Returns 0, ERR_NOTFOUND (prog not found), ERR_TIMEOUT, ERR_TOOBIG
 * (more than CRAWL_SVG_MAX bytes), ERR_PARSE (prog failed, or printed no
 * SVG or SVG with <script> or <foreignObject>), or -errno. */
int crawl_svg_render(const char *prog, const void *dot, size_t n,
		     struct buf *svg, int timeout_ms);

#endif
