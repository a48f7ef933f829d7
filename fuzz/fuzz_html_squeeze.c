/* fuzz_html_squeeze: html_squeeze against the parser it feeds. gumbo's
 * tree of any document and of its squeezed copy must hold the same
 * elements (namespace, tag, attribute names and values) and comments,
 * each with the same parent, in the same order; the copy is never
 * longer, and squeezing it again changes nothing more than once did. */
#include <gumbo.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "html/html_squeeze.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

/* Parses like html_links: no error list. */
static GumboOutput *
parse(const char *p, size_t n)
{
	GumboOptions opt = kGumboDefaultOptions;

	opt.max_errors = 0;
	return gumbo_parse_with_options(&opt, p, n);
}

static const GumboVector *
kids(const GumboNode *n)
{
	if (n->type == GUMBO_NODE_DOCUMENT)
		return &n->v.document.children;
	if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE)
		return &n->v.element.children;
	return NULL;
}

static int
is_kept(const GumboNode *n)
{
	return n->type == GUMBO_NODE_ELEMENT ||
	       n->type == GUMBO_NODE_TEMPLATE || n->type == GUMBO_NODE_COMMENT;
}

/* The n-th child of v that is an element or a comment, or NULL. */
static const GumboNode *
kept_child(const GumboVector *v, unsigned n)
{
	for (unsigned i = 0; v && i < v->length; i++) {
		const GumboNode *c = v->data[i];

		if (is_kept(c) && n-- == 0)
			return c;
	}
	return NULL;
}

static void
same_element(const GumboElement *a, const GumboElement *b)
{
	CHECK(a->tag == b->tag && a->tag_namespace == b->tag_namespace);
	if (a->tag == GUMBO_TAG_UNKNOWN)
		CHECK(a->original_tag.length == b->original_tag.length &&
		      memcmp(a->original_tag.data, b->original_tag.data,
			     a->original_tag.length) == 0);
	CHECK(a->attributes.length == b->attributes.length);
	for (unsigned i = 0; i < a->attributes.length; i++) {
		const GumboAttribute *x = a->attributes.data[i];
		const GumboAttribute *y = b->attributes.data[i];

		CHECK(x->attr_namespace == y->attr_namespace);
		CHECK(strcmp(x->name, y->name) == 0);
		CHECK(strcmp(x->value, y->value) == 0);
	}
}

static void
same_tree(const GumboNode *a, const GumboNode *b, int depth)
{
	CHECK(a->type == b->type);
	if (a->type == GUMBO_NODE_COMMENT) {
		CHECK(strcmp(a->v.text.text, b->v.text.text) == 0);
		return;
	}
	if (a->type != GUMBO_NODE_DOCUMENT)
		same_element(&a->v.element, &b->v.element);
	if (depth > 200)
		return;	/* deep enough: the stack is not the subject */
	for (unsigned i = 0;; i++) {
		const GumboNode *x = kept_child(kids(a), i);
		const GumboNode *y = kept_child(kids(b), i);

		CHECK((x == NULL) == (y == NULL));
		if (!x)
			break;
		same_tree(x, y, depth + 1);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *t = malloc(size + 1);
	size_t n, m;
	GumboOutput *a, *b;

	CHECK(s && t);
	n = html_squeeze((const char *)data, size, s);
	CHECK(n <= size);
	m = html_squeeze(s, n, t);
	CHECK(m == n && memcmp(s, t, n) == 0);
	a = parse((const char *)data, size);
	b = parse(s, n);
	CHECK(a && b);
	CHECK(a->document->v.document.doc_type_quirks_mode ==
	      b->document->v.document.doc_type_quirks_mode);
	same_tree(a->document, b->document, 0);
	gumbo_destroy_output(&kGumboDefaultOptions, a);
	gumbo_destroy_output(&kGumboDefaultOptions, b);
	free(s);
	free(t);
	return 0;
}
