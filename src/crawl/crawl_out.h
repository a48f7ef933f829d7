/* crawl_out: what a crawl hands its user, formatted into buffers: the
 * summary lines, one JSON Lines record per node (RFC 8259 strings), a
 * Graphviz DOT graph of the links, and the file a page is saved as in a
 * mirror (like `wget -m`), a relative path that can never leave the
 * mirror directory. Pure: no I/O. */
#ifndef INETKIT_CRAWL_OUT_H
#define INETKIT_CRAWL_OUT_H

#include <stddef.h>
#include <sys/types.h>

#include "core/buf.h"
#include "crawl/crawl_frontier.h"

/* Most referrers listed per broken link in the summary ("and N more"). */
#define CRAWL_OUT_REFERRERS 20
/* Longest file name (one path component) a mirror writes. */
#define CRAWL_OUT_NAME_MAX 255

/* The length of the valid UTF-8 sequence (RFC 3629) that starts at s
 * (n > 0 bytes left), or 0 when s[0] does not start one. */
size_t crawl_out_utf8_len(const unsigned char *s, size_t n);

/* Appends s (n bytes) as a JSON string with its quotes. Bytes of 0x80 and
 * above that do not form valid UTF-8 are written as \u00XX. */
int crawl_out_json_string(struct buf *b, const char *s, size_t n);

/* Appends node id as one JSON object and a newline:
 *   {"url":..., "depth":N, "parent":URL|null, "status":N|null,
 *    "error":STR|null, "skipped":STR|null, "size":N, "ms":X.XXX,
 *    "type":STR|null, "links":N, "broken":BOOL, "linked_from":[URL...]}
 * linked_from lists every page that links here; it needs the edges
 * sorted (crawl_frontier_sort_edges). Returns 0 or ERR_TOOBIG. */
int crawl_out_json_node(struct buf *b, const struct crawl_frontier *f,
			uint32_t id);

/* One summary line for a fetched node: "STATUS SIZE MS URL", status as a
 * number or the failure name ("dns", "refused", ...). */
int crawl_out_page_line(struct buf *b, const struct crawl_node *nd);
/* The lines of one broken link: the line above, then "  <- REFERRER" for
 * up to CRAWL_OUT_REFERRERS pages that link to it (edges sorted). */
int crawl_out_broken(struct buf *b, const struct crawl_frontier *f,
		     uint32_t id);

/* The DOT graph, in three parts: the header, one statement per node
 * (broken nodes red, skipped ones dashed grey), one per edge, the end. */
int crawl_out_dot_begin(struct buf *b);
/* Appends s (n bytes) as a DOT quoted string, '"' and '\\' escaped. */
int crawl_out_dot_string(struct buf *b, const char *s, size_t n);
int crawl_out_dot_node(struct buf *b, const struct crawl_node *nd);
int crawl_out_dot_edge(struct buf *b, const struct crawl_frontier *f,
		       const struct crawl_edge *e);
int crawl_out_dot_end(struct buf *b);

/* The path, relative to the mirror directory, that the http or https URL
 * (n bytes, normalised) is saved as (both schemes in one folder, as wget
 * does): "HOST[:PORT]/SEG/.../NAME[?QUERY]", with
 * "index.html" for a path ending in "/". Escapes are decoded except those
 * that would make an unsafe name: "/", "%", NUL and control characters
 * stay (or become) %XX, and "." and ".." become "%2E" and "%2E%2E", so
 * the result has no ".." component, no empty component and no leading
 * "/". Returns the length, ERR_PARSE (not an absolute http(s) URL), or
 * ERR_TOOBIG (a component over CRAWL_OUT_NAME_MAX, or size too small). */
ssize_t crawl_out_mirror_path(const char *url, size_t n, char *out,
			      size_t size);

#endif
