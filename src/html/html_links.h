/* html_links: the hyperlinks of an HTML document, for a crawler or link
 * checker. The document is parsed as a browser would (HTML Living Standard
 * tree construction, by gumbo); links come from a/href, link/href,
 * img/src, img/srcset (every candidate), script/src, iframe/src and
 * area/href of HTML elements, in document order. Each is resolved against
 * the document base URL (the first <base href>, else the document's own
 * URL) and normalised with src/url (RFC 3986 5.2, 6.2). Pure: no I/O. */
#ifndef INETKIT_HTML_LINKS_H
#define INETKIT_HTML_LINKS_H

#include <stddef.h>

#include "url/url.h"

/* Links reported per document; more than that is ERR_TOOBIG. */
#define HTML_LINKS_MAX 10000
/* Longest document parsed, in bytes. */
#define HTML_DOC_MAX (16 * 1024 * 1024)

enum html_link_elem {
	HTML_LINK_A,
	HTML_LINK_LINK,
	HTML_LINK_IMG,
	HTML_LINK_SCRIPT,
	HTML_LINK_IFRAME,
	HTML_LINK_AREA,
};

struct html_link {
	enum html_link_elem elem;
	const char *tag;	/* "a", "img", ... */
	const char *attr;	/* "href", "src" or "srcset" */
	/* The URL as written (character references decoded, surrounding
	 * whitespace trimmed; for srcset one candidate's URL). */
	struct url_slice raw;
	/* raw resolved and normalised, NUL-terminated, or NULL when that
	 * failed: then err says why (ERR_PARSE: not a URI reference even
	 * after repair; ERR_NOTFOUND: relative with no base; ERR_TOOBIG). */
	const char *url;
	size_t url_len;
	int err;
};

/* Called once per link; the link and its strings are valid only during
 * the call. Returns 0 to go on, or a negative code that stops the walk. */
typedef int (*html_link_fn)(void *arg, const struct html_link *link);

/* Extracts the links of doc (len bytes, any encoding gumbo reads as
 * UTF-8). doc_url is the document's own absolute URL (dn bytes), or NULL
 * when unknown. Before resolution a value is repaired as browsers do:
 * tabs and newlines inside are dropped, and bytes RFC 3986 never allows
 * (space, controls, non-ASCII, "<>\"{}|\\^`") are percent-encoded.
 * Returns the number of links reported; ERR_TOOBIG for a document longer
 * than HTML_DOC_MAX (nothing reported) or after reporting HTML_LINKS_MAX
 * links when there are more; ERR_PARSE when doc_url is not an absolute
 * URI; -ENOMEM; or what fn returned to stop. */
int html_links_extract(const char *doc, size_t len, const char *doc_url,
		       size_t dn, html_link_fn fn, void *arg);

/* Iterates over the URLs of a srcset attribute (HTML Living Standard,
 * "parse a srcset attribute"): from *pos, sets url to the next
 * candidate's URL and advances *pos past its descriptors. Returns 1, or 0
 * when there are no more. */
int html_srcset_next(const char *s, size_t n, size_t *pos,
		     struct url_slice *url);

#endif
