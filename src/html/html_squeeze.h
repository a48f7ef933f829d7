/* html_squeeze: a copy of an HTML document with its text shortened to
 * what tree construction can tell apart, so that the HTML5 parser that
 * finds the links (gumbo) has less to read. Markup is copied byte for
 * byte; only text in the tokenizer's data state changes (HTML Living
 * Standard, 13.2.5 tokenization, 13.2.6 tree construction). Pure: no I/O,
 * no allocation. */
#ifndef INETKIT_HTML_SQUEEZE_H
#define INETKIT_HTML_SQUEEZE_H

#include <stddef.h>

/* Copies doc (len bytes) to out (room for len bytes; not overlapping),
 * each run of text between two pieces of markup cut down to its first
 * character, and, when that is white space, the first other character as
 * a '.'. Tree construction looks at text only through such classes (white
 * space or not, the first character after <pre>), so the parse of the copy
 * has the same elements, attributes and comments in the same places. The
 * contents of title, textarea, style, xmp, iframe, noembed, noframes and
 * script elements, comments, doctypes and tags are copied whole; from the
 * first element that can change the tokenizer in ways not followed here
 * (svg, math, select, frameset, template, plaintext, a script with
 * "<!--") to the end, the document is copied unchanged. Returns the
 * bytes written, at most len. */
size_t html_squeeze(const char *doc, size_t len, char *out);

#endif
