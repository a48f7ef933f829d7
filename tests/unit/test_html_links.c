/* Unit tests of src/html/html_links: which links a document yields, how
 * they resolve (base href, srcset), and malformed or oversized input. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "html/html_links.h"
#include "unit.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Every link of one run as "tag attr raw -> url" (or "-> !err") lines. */
static char got[8192];
static int stop_after;

static int
collect(void *arg, const struct html_link *l)
{
	size_t n = strlen(got);
	int *seen = arg;

	if (l->url)
		snprintf(got + n, sizeof got - n, "%s %s %.*s -> %s\n", l->tag,
			 l->attr, (int)l->raw.n, l->raw.p, l->url);
	else
		snprintf(got + n, sizeof got - n, "%s %s %.*s -> !%s\n", l->tag,
			 l->attr, (int)l->raw.n, l->raw.p, err_str(l->err));
	(*seen)++;
	if (stop_after && *seen >= stop_after)
		return ERR_CLOSED;
	return 0;
}

static int
extract(const char *doc, const char *url)
{
	int seen = 0, rc;

	got[0] = '\0';
	rc = html_links_extract(doc, strlen(doc), url, url ? strlen(url) : 0,
				collect, &seen);
	if (rc >= 0)
		ck_assert_int_eq(rc, seen);
	return rc;
}

static const struct {
	const char *name, *doc, *url, *want;
} cases[] = {
	{ "every element",
	  "<!doctype html><html><head>"
	  "<link rel=stylesheet href='s.css'>"
	  "<script src=\"/js/app.js\"></script></head><body>"
	  "<a href='page.html'>p</a><img src=i.png alt=x>"
	  "<iframe src='//other.test/f'></iframe>"
	  "<map><area href='../up'></map>"
	  "<a name=anchor>no href</a><script>var a='<a href=x>';</script>"
	  "</body></html>",
	  "http://example.test/dir/index.html",
	  "link href s.css -> http://example.test/dir/s.css\n"
	  "script src /js/app.js -> http://example.test/js/app.js\n"
	  "a href page.html -> http://example.test/dir/page.html\n"
	  "img src i.png -> http://example.test/dir/i.png\n"
	  "iframe src //other.test/f -> http://other.test/f\n"
	  "area href ../up -> http://example.test/up\n" },
	{ "base href is honoured, the first one only, wherever it is",
	  "<a href=a>1</a><base href='http://cdn.test/x/'>"
	  "<base href='http://ignored.test/'><a href=b>2</a>",
	  "http://example.test/",
	  "a href a -> http://cdn.test/x/a\n"
	  "a href b -> http://cdn.test/x/b\n" },
	{ "relative base href resolves against the document URL",
	  "<head><base href='/root/'></head><a href='p?q#f'>x</a>",
	  "https://example.test:443/a/b",
	  "a href p?q#f -> https://example.test/root/p?q#f\n" },
	{ "base without href is skipped",
	  "<base target=_blank><base href=sub/><a href=x>x</a>",
	  "http://h.test/d/",
	  "a href x -> http://h.test/d/sub/x\n" },
	{ "bad base href falls back to the document URL",
	  "<base href='http://h:99999/'><a href=x>x</a>", "http://h.test/d/",
	  "a href x -> http://h.test/d/x\n" },
	{ "srcset candidates",
	  "<img src=a.png srcset='b.png 1x, c.png 2x,d.png,,  e.png 100w'>",
	  "http://h.test/",
	  "img src a.png -> http://h.test/a.png\n"
	  "img srcset b.png -> http://h.test/b.png\n"
	  "img srcset c.png -> http://h.test/c.png\n"
	  "img srcset d.png -> http://h.test/d.png\n"
	  "img srcset e.png -> http://h.test/e.png\n" },
	{ "srcset with commas in URLs and parenthesised descriptors",
	  "<img srcset='a,b.png 1x (x, y), /c.png'>", "http://h.test/",
	  "img srcset a,b.png -> http://h.test/a,b.png\n"
	  "img srcset /c.png -> http://h.test/c.png\n" },
	{ "character references, whitespace and repairs",
	  "<a href=' a&amp;b.html\n'>1</a><a href='x y/caf\xc3\xa9'>2</a>"
	  "<a href='a\tb\nc'>3</a><a href='q?&lt;x&gt;'>4</a>",
	  "http://h.test/",
	  "a href a&b.html -> http://h.test/a&b.html\n"
	  "a href x y/caf\xc3\xa9 -> http://h.test/x%20y/caf%C3%A9\n"
	  "a href a\tb\nc -> http://h.test/abc\n"
	  "a href q?<x> -> http://h.test/q?%3Cx%3E\n" },
	{ "other schemes are reported, normalised",
	  "<a href='MAILTO:a@b.test'>m</a><a href='HTTPS://H.TEST:443'>h</a>"
	  "<a href='javascript:void(0)'>j</a><a href='#top'>t</a>"
	  "<a href=''>self</a>",
	  "http://h.test/p?q",
	  "a href MAILTO:a@b.test -> mailto:a@b.test\n"
	  "a href HTTPS://H.TEST:443 -> https://h.test/\n"
	  "a href javascript:void(0) -> javascript:void(0)\n"
	  "a href #top -> http://h.test/p?q#top\n"
	  "a href  -> http://h.test/p?q\n" },
	{ "links that cannot be resolved say why",
	  "<a href='http://h:99999/'>1</a><a href='%zz'>2</a>"
	  "<a href='http://[::1/'>3</a>",
	  "http://h.test/",
	  "a href http://h:99999/ -> !value out of range\n"
	  "a href %zz -> !malformed input\n"
	  "a href http://[::1/ -> !malformed input\n" },
	{ "no document URL: relative links have no base",
	  "<a href=rel>1</a><a href='http://abs.test/x'>2</a>", NULL,
	  "a href rel -> !not found\n"
	  "a href http://abs.test/x -> http://abs.test/x\n" },
	{ "no document URL but an absolute base href",
	  "<base href='http://b.test/d/'><a href=rel>1</a>", NULL,
	  "a href rel -> http://b.test/d/rel\n" },
	{ "malformed HTML: unclosed tags, misplaced links, a tag cut by EOF",
	  "<p><a href=one<b>x</a></p><table><tr><a href=two></table>"
	  "<div><a href='three'><img src=four",
	  "http://h.test/",
	  "a href one<b -> http://h.test/one%3Cb\n"
	  "a href two -> http://h.test/two\n"
	  "a href three -> http://h.test/three\n" },
	{ "an unclosed quote swallows the rest of the document",
	  "<a href=1>x</a><a href=\"2>y<a href='3'>z", "http://h.test/",
	  "a href 1 -> http://h.test/1\n" },
	{ "misnesting: the adoption agency clones <a>, as a browser's DOM",
	  "<b><a href=1><i>x</b>y</a></i><a href=2>z",
	  "http://h.test/",
	  "a href 1 -> http://h.test/1\n"
	  "a href 1 -> http://h.test/1\n"
	  "a href 2 -> http://h.test/2\n" },
	{ "uppercase tags and attributes, duplicate attributes",
	  "<A HREF=up.html>x</A><IMG SRC=a.png src=b.png>",
	  "http://h.test/",
	  "a href up.html -> http://h.test/up.html\n"
	  "img src a.png -> http://h.test/a.png\n" },
	{ "template contents and SVG links are not HTML links",
	  "<template><a href=t>t</a></template>"
	  "<svg><a href=s><text>s</text></a></svg><a href=h>h</a>",
	  "http://h.test/",
	  "a href h -> http://h.test/h\n" },
	{ "empty and text-only documents",
	  "just text, <no links>", "http://h.test/", "" },
};

START_TEST(test_cases)
{
	int rc = extract(cases[_i].doc, cases[_i].url);

	ck_assert_msg(rc >= 0, "%s: %s", cases[_i].name, err_str(rc));
	ck_assert_msg(strcmp(got, cases[_i].want) == 0,
		      "%s:\ngot:\n%swant:\n%s", cases[_i].name, got,
		      cases[_i].want);
}
END_TEST

START_TEST(test_bad_doc_url)
{
	ck_assert_int_eq(extract("<a href=x>", "relative/only"), ERR_PARSE);
	ck_assert_int_eq(extract("<a href=x>", "http://h:99999/"), ERR_PARSE);
}
END_TEST

START_TEST(test_callback_stops)
{
	stop_after = 2;
	ck_assert_int_eq(extract("<a href=1><a href=2><a href=3>",
				 "http://h.test/"), ERR_CLOSED);
	stop_after = 0;
	ck_assert_str_eq(got, "a href 1 -> http://h.test/1\n"
			      "a href 2 -> http://h.test/2\n");
}
END_TEST

static int
count_only(void *arg, const struct html_link *l)
{
	(*(int *)arg)++;
	return l->url ? 0 : -1;
}

START_TEST(test_link_cap)
{
	size_t per = strlen("<a href=x>"), n = (HTML_LINKS_MAX + 1) * per;
	char *doc = malloc(n + 1);
	int seen = 0;

	for (size_t i = 0; i < n; i += per)
		memcpy(doc + i, "<a href=x>", per);
	ck_assert_int_eq(html_links_extract(doc, n - per, "http://h/", 9,
					    count_only, &seen),
			 HTML_LINKS_MAX);
	seen = 0;
	ck_assert_int_eq(html_links_extract(doc, n, "http://h/", 9,
					    count_only, &seen), ERR_TOOBIG);
	ck_assert_int_eq(seen, HTML_LINKS_MAX);
	free(doc);
}
END_TEST

START_TEST(test_doc_too_big)
{
	int seen = 0;

	ck_assert_int_eq(html_links_extract("", HTML_DOC_MAX + 1, NULL, 0,
					    count_only, &seen), ERR_TOOBIG);
	ck_assert_int_eq(seen, 0);
}
END_TEST

/* Deep nesting is walked without recursion. */
START_TEST(test_deep_nesting)
{
	size_t depth = 20000, n = depth * 5 + 16;
	char *doc = malloc(n), *p = doc;

	for (size_t i = 0; i < depth; i++, p += 5)
		memcpy(p, "<div>", 5);
	memcpy(p, "<a href=d>", 11);
	ck_assert_int_eq(extract(doc, "http://h/"), 1);
	ck_assert_str_eq(got, "a href d -> http://h/d\n");
	free(doc);
}
END_TEST

/* NUL bytes and invalid UTF-8 inside the document. */
START_TEST(test_binary_garbage)
{
	static const char doc[] = "<a href='a\0b'>\xff\xfe<a href=\xc3(>";
	int seen = 0;
	int rc = html_links_extract(doc, sizeof doc - 1, "http://h/", 9,
				    count_only, &seen);

	ck_assert_int_eq(rc, 2);
}
END_TEST

static const struct {
	const char *in;
	const char *want[6];
} srcset_cases[] = {
	{ "a.png", { "a.png" } },
	{ " a.png 1x , b.png 2x ", { "a.png", "b.png" } },
	{ "a.png,b.png", { "a.png,b.png" } },
	{ "a.png, b.png", { "a.png", "b.png" } },
	{ "a.png,, b.png,,", { "a.png", "b.png" } },
	{ "data:x,y 1x, z", { "data:x,y", "z" } },
	{ "a 1x (p, q), b", { "a", "b" } },
	{ "", { NULL } },
	{ " , ,, ", { NULL } },
};

START_TEST(test_srcset)
{
	const char *s = srcset_cases[_i].in;
	size_t pos = 0, k = 0;
	struct url_slice u;

	while (html_srcset_next(s, strlen(s), &pos, &u)) {
		const char *w = srcset_cases[_i].want[k++];
		ck_assert_msg(w != NULL, "%s: extra candidate", s);
		ck_assert_msg(u.n == strlen(w) && memcmp(u.p, w, u.n) == 0,
			      "%s: '%.*s' != '%s'", s, (int)u.n, u.p, w);
	}
	ck_assert_ptr_null(srcset_cases[_i].want[k]);
}
END_TEST

static Suite *
html_links_suite(void)
{
	Suite *s = suite_create("html_links");
	TCase *t = tcase_create("html_links");

	tcase_set_timeout(t, 60);
	tcase_add_loop_test(t, test_cases, 0, N(cases));
	tcase_add_test(t, test_bad_doc_url);
	tcase_add_test(t, test_callback_stops);
	tcase_add_test(t, test_link_cap);
	tcase_add_test(t, test_doc_too_big);
	tcase_add_test(t, test_deep_nesting);
	tcase_add_test(t, test_binary_garbage);
	tcase_add_loop_test(t, test_srcset, 0, N(srcset_cases));
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return unit_run(html_links_suite());
}
