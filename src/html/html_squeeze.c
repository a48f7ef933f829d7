/* html_squeeze: the text of an HTML document shortened before the parse
 * (HTML Living Standard 13.2.5 tokenization, 13.2.6 tree construction).
 * Tree construction sees text as character tokens and tells them apart
 * only as NUL, white space or other (13.2.6.4: "in head", "in table
 * text", "after body"...) and, after <pre>, <listing> and <textarea>,
 * whether the first one is a line feed; once one "other" character has
 * been seen, the rest of a run cannot change an element. So a run keeps
 * its first character and, when that is white space, one '.' for the
 * first other character. Everything else is copied byte for byte, which
 * needs to know where the data state is: tags (with quoted attribute
 * values), comments, doctypes and bogus comments, character references,
 * and the elements whose start tag switches the tokenizer to RCDATA,
 * RAWTEXT or script data, skipped to their end tag. What would need more
 * of the tree builder's state is not squeezed at all. */
#include <string.h>

#include "html/html_squeeze.h"

/* Bytes that end a run of text: markup, a character reference, and the
 * two the input stream rewrites (NUL; CR, which becomes LF). */
static const unsigned char end_of_run[256] = {
	['<'] = 1, ['&'] = 1, ['\0'] = 1, ['\r'] = 1,
};

enum kind {
	KIND_TEXT,	/* RCDATA or RAWTEXT up to the matching end tag */
	KIND_SCRIPT,	/* script data, with its escapes */
	KIND_STOP,	/* copy the rest unchanged */
};

static const struct {
	const char *name;
	enum kind kind;
} special[] = {
	{ "title", KIND_TEXT },	   { "textarea", KIND_TEXT },
	{ "style", KIND_TEXT },	   { "xmp", KIND_TEXT },
	{ "iframe", KIND_TEXT },   { "noembed", KIND_TEXT },
	{ "noframes", KIND_TEXT }, { "script", KIND_SCRIPT },
	/* Foreign content (CDATA sections, svg's own <title>), "in select"
	 * and "in frameset" (which ignore the tags above), templates, and
	 * the end of all markup. gumbo parses with scripting off, so
	 * <noscript> holds markup like any element. */
	{ "svg", KIND_STOP },	   { "math", KIND_STOP },
	{ "select", KIND_STOP },   { "frameset", KIND_STOP },
	{ "template", KIND_STOP }, { "plaintext", KIND_STOP },
};

/* White space after the input stream's preprocessing (CR is LF). */
static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* True when the n bytes at p spell name, ignoring ASCII case. */
static int
name_is(const char *p, size_t n, const char *name)
{
	size_t i = 0;

	for (; i < n && name[i]; i++)
		if (lower(p[i]) != name[i])
			return 0;
	return i == n && name[i] == '\0';
}

/* The entry of special[] for the tag name p (n bytes), or -1. */
static int
tag_special(const char *p, size_t n)
{
	if (n < 3 || n > 9)	/* "svg" to "plaintext": not p, a, li, ... */
		return -1;
	for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
		if (name_is(p, n, special[i].name))
			return (int)i;
	return -1;
}

/* The end of a tag name starting at p (13.2.5.8). */
static size_t
name_end(const char *d, size_t n, size_t p)
{
	while (p < n && !is_ws(d[p]) && d[p] != '/' && d[p] != '>')
		p++;
	return p;
}

enum attr_state {
	AT_BEFORE_NAME, AT_NAME, AT_AFTER_NAME, AT_BEFORE_VALUE,
	AT_DQ, AT_SQ, AT_UNQUOTED, AT_AFTER_QUOTED, AT_SELF_CLOSING,
};

/* The attribute states of a tag (13.2.5.32 to 13.2.5.40), from p just
 * after its name: the index after the '>' that ends it, or n. A '>'
 * ends the tag everywhere but inside a quoted value, and a quote opens a
 * value only right after '='. */
static size_t
tag_end(const char *d, size_t n, size_t p)
{
	enum attr_state st = AT_BEFORE_NAME;

	for (; p < n; p++) {
		char c = d[p];

		if (st == AT_DQ || st == AT_SQ) {
			if (c == (st == AT_DQ ? '"' : '\''))
				st = AT_AFTER_QUOTED;
			continue;
		}
		if (c == '>')
			return p + 1;
		switch (st) {
		case AT_UNQUOTED:
			if (is_ws(c))
				st = AT_BEFORE_NAME;
			break;
		case AT_BEFORE_VALUE:
			if (c == '"')
				st = AT_DQ;
			else if (c == '\'')
				st = AT_SQ;
			else if (!is_ws(c))
				st = AT_UNQUOTED;
			break;
		case AT_NAME:
		case AT_AFTER_NAME:
			if (c == '=')
				st = AT_BEFORE_VALUE;
			else if (c == '/')
				st = AT_SELF_CLOSING;
			else if (is_ws(c))
				st = AT_AFTER_NAME;
			else
				st = AT_NAME;
			break;
		default:	/* before a name, after a quoted value, '/' */
			if (c == '/')
				st = AT_SELF_CLOSING;
			else if (is_ws(c))
				st = AT_BEFORE_NAME;
			else
				st = AT_NAME;	/* '=' here starts a name */
			break;
		}
	}
	return n;
}

/* The index after the first '>' at or after p, or n. */
static size_t
after_gt(const char *d, size_t n, size_t p)
{
	const char *gt = p < n ? memchr(d + p, '>', n - p) : NULL;

	return gt ? (size_t)(gt - d) + 1 : n;
}

/* A comment's end, p just after "<!--" (13.2.5.43 to 13.2.5.52): "<!-->"
 * and "<!--->" end at once, else the first "-->" or "--!>" does. */
static size_t
comment_end(const char *d, size_t n, size_t p)
{
	if (p < n && d[p] == '>')
		return p + 1;
	if (p + 1 < n && d[p] == '-' && d[p + 1] == '>')
		return p + 2;
	for (; p + 2 < n; p++) {
		if (d[p] != '-' || d[p + 1] != '-')
			continue;
		if (d[p + 2] == '>')
			return p + 3;
		if (d[p + 2] == '!' && p + 3 < n && d[p + 3] == '>')
			return p + 4;
	}
	return n;
}

/* The first end tag "</name" followed by white space, '/' or '>' at or
 * after p (the "appropriate end tag" of 13.2.5.11 and its kin), or n. */
static size_t
find_end_tag(const char *d, size_t n, size_t p, const char *name, size_t len)
{
	while (p < n) {
		const char *lt = memchr(d + p, '<', n - p);
		size_t q, e;

		if (!lt)
			break;
		q = (size_t)(lt - d);
		e = q + 2 + len;
		if (e < n && d[q + 1] == '/' && name_is(d + q + 2, len, name) &&
		    (is_ws(d[e]) || d[e] == '/' || d[e] == '>'))
			return q;
		p = q + 1;
	}
	return n;
}

/* True when "<!--" occurs in d[p, q): script data would enter its
 * escaped states (13.2.5.20), which are not followed here. */
static int
has_escape(const char *d, size_t p, size_t q)
{
	return q - p >= 4 && memmem(d + p, q - p, "<!--", 4) != NULL;
}

/* A start tag at d[i] == '<': the index where the data state resumes
 * (after the tag, or at the end tag of an element whose text it skips),
 * or n with *stop set when the rest must be copied unchanged. */
static size_t
start_tag(const char *d, size_t n, size_t i, int *stop)
{
	size_t ne = name_end(d, n, i + 1), te = tag_end(d, n, ne), end;
	int s = tag_special(d + i + 1, ne - i - 1);

	if (s < 0 || te == n)
		return te;
	if (special[s].kind == KIND_STOP) {
		*stop = 1;
		return n;
	}
	end = find_end_tag(d, n, te, special[s].name, ne - i - 1);
	if (special[s].kind == KIND_SCRIPT && has_escape(d, te, end))
		*stop = 1;
	return end;
}

/* Markup at d[i] == '<' (13.2.5.6): the index where the data state
 * resumes; *stop as for start_tag. */
static size_t
markup(const char *d, size_t n, size_t i, int *stop)
{
	char c = i + 1 < n ? d[i + 1] : '\0';

	if (i + 1 >= n)
		return n;
	if (is_alpha(c))
		return start_tag(d, n, i, stop);
	if (c == '/') {
		if (i + 2 >= n)
			return n;
		if (is_alpha(d[i + 2]))
			return tag_end(d, n, name_end(d, n, i + 2));
		return after_gt(d, n, i + 2);	/* "</>" or a bogus comment */
	}
	if (c == '!') {
		if (i + 3 < n && d[i + 2] == '-' && d[i + 3] == '-')
			return comment_end(d, n, i + 4);
		return after_gt(d, n, i + 2);	/* doctype, bogus comment */
	}
	if (c == '?')
		return after_gt(d, n, i + 2);
	return i + 1;	/* a '<' that is text */
}

/* After '&', what a character reference may read (13.2.5.72 to
 * 13.2.5.80: names are alphanumeric, numbers '#', 'x', digits, then ';'),
 * so that it sees the same bytes. */
static size_t
reference_end(const char *d, size_t n, size_t p)
{
	while (p < n && ((d[p] >= '0' && d[p] <= '9') || is_alpha(d[p]) ||
			 d[p] == '#' || d[p] == ';'))
		p++;
	return p;
}

/* Writes the run of text d[i, e) as its first character and, when that
 * is white space, a '.' for its first other one. A line feed first may
 * be dropped by the parser (right after <pre> or <listing>): then what
 * follows it counts as first. */
static size_t
squeeze_run(const char *d, size_t i, size_t e, char *out)
{
	size_t o = 0;

	if (d[i] == '\n' && i + 1 < e)
		out[o++] = d[i++];
	out[o++] = d[i];
	if (!is_ws(d[i]))
		return o;
	for (size_t k = i + 1; k < e; k++) {
		if (!is_ws(d[k])) {
			out[o++] = '.';
			break;
		}
	}
	return o;
}

size_t
html_squeeze(const char *doc, size_t len, char *out)
{
	size_t i = 0, o = 0;
	int stop = 0;

	/* Text before the first markup is left alone: a byte order mark
	 * there is not a character. */
	while (i < len && doc[i] != '<')
		i++;
	memcpy(out, doc, i);
	o = i;
	while (i < len && !stop) {
		size_t e;

		if (doc[i] == '<') {
			e = markup(doc, len, i, &stop);
			if (stop)
				break;
		} else if (doc[i] == '&') {
			e = reference_end(doc, len, i + 1);
		} else if (doc[i] == '\0' || doc[i] == '\r') {
			e = i + 1;
		} else {
			e = i + 1;
			while (e < len && !end_of_run[(unsigned char)doc[e]])
				e++;
			o += squeeze_run(doc, i, e, out + o);
			i = e;
			continue;
		}
		memcpy(out + o, doc + i, e - i);
		o += e - i;
		i = e;
	}
	memcpy(out + o, doc + i, len - i);
	return o + len - i;
}
