/* html_links: hyperlink extraction over gumbo's HTML5 tree (HTML Living
 * Standard: tree construction, "document base URL", "parse a srcset
 * attribute"), resolution and normalisation with src/url (RFC 3986). */
#include <errno.h>
#include <gumbo.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "html_links.h"
#include "html_squeeze.h"

static const struct {
	GumboTag tag;
	enum html_link_elem elem;
	const char *name, *attr;
	int srcset;
} rules[] = {
	{ GUMBO_TAG_A, HTML_LINK_A, "a", "href", 0 },
	{ GUMBO_TAG_LINK, HTML_LINK_LINK, "link", "href", 0 },
	{ GUMBO_TAG_IMG, HTML_LINK_IMG, "img", "src", 0 },
	{ GUMBO_TAG_IMG, HTML_LINK_IMG, "img", "srcset", 1 },
	{ GUMBO_TAG_SCRIPT, HTML_LINK_SCRIPT, "script", "src", 0 },
	{ GUMBO_TAG_IFRAME, HTML_LINK_IFRAME, "iframe", "src", 0 },
	{ GUMBO_TAG_AREA, HTML_LINK_AREA, "area", "href", 0 },
};

/* One extraction: the base URL and the scratch buffers of a link. */
struct ctx {
	html_link_fn fn;
	void *arg;
	int count;
	int has_base;
	struct url base;
	char base_buf[URL_MAX_LEN + 1];
	char fix[URL_MAX_LEN + 1];
	char res[URL_MAX_LEN + 1];
	char norm[URL_MAX_LEN + 1];
};

/* gumbo's memory for one document: blocks taken from chunks that are
 * freed together once the walk is over, so that the thousands of small
 * nodes, strings and vectors of a parse cost a pointer bump each and the
 * tree needs no walk to be freed. A request larger than a chunk gets a
 * chunk of its own. */
#define ARENA_CHUNK (64 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct arena {
	struct arena_chunk *head;
};

static void *
arena_alloc(void *arg, size_t n)
{
	struct arena *a = arg;
	struct arena_chunk *c = a->head;
	size_t need = (n + 15) & ~(size_t)15;

	if (!c || c->size - c->used < need) {
		size_t size = need > ARENA_CHUNK ? need : ARENA_CHUNK;

		c = malloc(sizeof *c + size);
		if (!c)
			return NULL;
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	c->used += need;
	return (char *)c->data + c->used - need;
}

static void
arena_free(void *arg, void *p)
{
	(void)arg;
	(void)p;	/* everything goes at once, in arena_release */
}

static void
arena_release(struct arena *a)
{
	while (a->head) {
		struct arena_chunk *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}

/* ASCII whitespace (HTML Living Standard, Infra). */
static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

int
html_srcset_next(const char *s, size_t n, size_t *pos, struct url_slice *url)
{
	size_t i = *pos, start;
	int paren = 0;

	while (i < n && (is_ws(s[i]) || s[i] == ','))
		i++;
	if (i >= n) {
		*pos = n;
		return 0;
	}
	start = i;
	while (i < n && !is_ws(s[i]))
		i++;
	*url = (struct url_slice){ s + start, i - start };
	if (s[i - 1] == ',') {
		/* "url," has no descriptors: trailing commas end it. */
		while (url->n > 0 && url->p[url->n - 1] == ',')
			url->n--;
		*pos = i;
		return 1;
	}
	for (; i < n; i++) {
		if (s[i] == '(')
			paren = 1;
		else if (s[i] == ')')
			paren = 0;
		else if (s[i] == ',' && !paren)
			break;
	}
	*pos = i < n ? i + 1 : n;
	return 1;
}

/* The repair browsers apply to a URL from a document: drop tabs and
 * newlines, percent-encode what RFC 3986 never allows. */
static ssize_t
repair(struct url_slice raw, char *out, size_t size)
{
	size_t o = 0, i = 0;

	while (i < raw.n) {
		size_t k = i;
		while (k < raw.n && raw.p[k] != '\t' && raw.p[k] != '\n' &&
		       raw.p[k] != '\r')
			k++;
		ssize_t w = url_pct_encode(raw.p + i, k - i, URL_ENC_FIXUP,
					   out + o, size - o);
		if (w < 0)
			return w;
		o += (size_t)w;
		i = k + 1;
	}
	out[o] = '\0';
	return (ssize_t)o;
}

/* raw resolved against base (when it has none of its own scheme) and
 * normalised into c->norm. Returns the length or an error. */
static ssize_t
absolute(struct ctx *c, struct url_slice raw, const struct url *base)
{
	struct url ref;
	ssize_t n = raw.n > URL_MAX_LEN ? ERR_TOOBIG
					: repair(raw, c->fix, sizeof c->fix);

	if (n < 0)
		return n;
	n = url_parse(c->fix, (size_t)n, &ref);
	if (n < 0)
		return n;
	if (ref.flags & URL_HAS_SCHEME)
		return url_normalize_parsed(&ref, c->norm, sizeof c->norm);
	if (!base)
		return ERR_NOTFOUND;
	n = url_resolve(base, &ref, c->res, sizeof c->res);
	if (n < 0)
		return n;
	return url_normalize(c->res, (size_t)n, c->norm, sizeof c->norm);
}

static int
report(struct ctx *c, int rule, struct url_slice raw)
{
	struct html_link l = {
		.elem = rules[rule].elem,
		.tag = rules[rule].name,
		.attr = rules[rule].attr,
		.raw = raw,
	};
	ssize_t n;

	if (c->count >= HTML_LINKS_MAX)
		return ERR_TOOBIG;
	while (l.raw.n && is_ws(l.raw.p[0])) {
		l.raw.p++;
		l.raw.n--;
	}
	while (l.raw.n && is_ws(l.raw.p[l.raw.n - 1]))
		l.raw.n--;
	n = absolute(c, l.raw, c->has_base ? &c->base : NULL);
	if (n >= 0) {
		l.url = c->norm;
		l.url_len = (size_t)n;
	} else {
		l.err = (int)n;
	}
	c->count++;
	return c->fn(c->arg, &l);
}

static int
visit_rule(struct ctx *c, int rule, const char *v)
{
	struct url_slice raw = { v, strlen(v) }, u;
	size_t pos = 0;
	int rc;

	if (!rules[rule].srcset)
		return report(c, rule, raw);
	while (html_srcset_next(raw.p, raw.n, &pos, &u)) {
		rc = report(c, rule, u);
		if (rc)
			return rc;
	}
	return 0;
}

static int
visit(struct ctx *c, const GumboElement *el)
{
	if (el->tag_namespace != GUMBO_NAMESPACE_HTML)
		return 0;
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		if (rules[i].tag != el->tag)
			continue;
		GumboAttribute *a = gumbo_get_attribute(&el->attributes,
							rules[i].attr);
		int rc = a ? visit_rule(c, (int)i, a->value) : 0;
		if (rc)
			return rc;
	}
	return 0;
}

/* The children a walk descends into: none for text, and none for a
 * <template>, whose contents are inert. */
static const GumboVector *
children(const GumboNode *n)
{
	if (n->type == GUMBO_NODE_DOCUMENT)
		return &n->v.document.children;
	if (n->type == GUMBO_NODE_ELEMENT)
		return &n->v.element.children;
	return NULL;
}

/* The node after n in document order, without recursion: deep documents
 * must not exhaust the stack. */
static const GumboNode *
next_node(const GumboNode *n)
{
	const GumboVector *kids = children(n);

	if (kids && kids->length)
		return kids->data[0];
	while (n->parent) {
		kids = children(n->parent);
		if (n->index_within_parent + 1 < kids->length)
			return kids->data[n->index_within_parent + 1];
		n = n->parent;
	}
	return NULL;
}

/* The first HTML <base> element with an href, or NULL. */
static const char *
find_base_href(const GumboNode *root)
{
	for (const GumboNode *n = root; n; n = next_node(n)) {
		const GumboElement *el = &n->v.element;
		if (n->type != GUMBO_NODE_ELEMENT ||
		    el->tag != GUMBO_TAG_BASE ||
		    el->tag_namespace != GUMBO_NAMESPACE_HTML)
			continue;
		GumboAttribute *a = gumbo_get_attribute(&el->attributes,
							"href");
		if (a)
			return a->value;
	}
	return NULL;
}

/* The document base URL: <base href> resolved against the document URL,
 * else the document URL itself (the fallback when that fails too). */
static int
set_base(struct ctx *c, const char *doc_url, size_t dn, const char *href)
{
	struct url doc;
	ssize_t n = ERR_NOTFOUND;

	if (doc_url && (url_parse(doc_url, dn, &doc) ||
			!(doc.flags & URL_HAS_SCHEME)))
		return ERR_PARSE;
	if (href)
		n = absolute(c, (struct url_slice){ href, strlen(href) },
			     doc_url ? &doc : NULL);
	if (n < 0 && doc_url)
		n = url_normalize_parsed(&doc, c->norm, sizeof c->norm);
	if (n < 0)
		return 0;
	memcpy(c->base_buf, c->norm, (size_t)n + 1);
	c->has_base = url_parse(c->base_buf, (size_t)n, &c->base) == 0;
	return 0;
}

int
html_links_extract(const char *doc, size_t len, const char *doc_url,
		   size_t dn, html_link_fn fn, void *arg)
{
	GumboOptions opt = kGumboDefaultOptions;
	struct arena arena = { NULL };
	GumboOutput *out;
	struct ctx *c;
	char *text;
	int rc;

	if (len > HTML_DOC_MAX)
		return ERR_TOOBIG;
	/* The scratch buffers are written before they are read: only the
	 * head of the context needs clearing. */
	c = arena_alloc(&arena, sizeof *c);
	text = arena_alloc(&arena, len ? len : 1);
	if (!c || !text) {
		arena_release(&arena);
		return -ENOMEM;
	}
	c->fn = fn;
	c->arg = arg;
	c->count = 0;
	c->has_base = 0;
	opt.max_errors = 0;	/* parse errors are not wanted: keep none */
	opt.allocator = arena_alloc;
	opt.deallocator = arena_free;
	opt.userdata = &arena;
	/* The same elements and attributes from less text to read. */
	len = html_squeeze(doc, len, text);
	out = gumbo_parse_with_options(&opt, text, len);
	if (!out) {
		arena_release(&arena);
		return -ENOMEM;
	}
	rc = set_base(c, doc_url, dn, find_base_href(out->document));
	for (const GumboNode *n = out->document; n && !rc; n = next_node(n))
		if (n->type == GUMBO_NODE_ELEMENT)
			rc = visit(c, &n->v.element);
	if (rc == 0)
		rc = c->count;
	arena_release(&arena);	/* the whole tree: no gumbo_destroy_output */
	return rc;
}
