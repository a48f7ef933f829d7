/* Unit tests of src/crawl/crawl_html: HTML escaping, the page's sections
 * and their order, the tree of pages by path, only web URLs as links,
 * the note without a graph, and the DOT source of the graph. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "crawl/crawl_html.h"
#include "unit.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct buf b, page;

static const char *
text(struct buf *x)
{
	buf_append(x, "", 1);
	return (const char *)buf_data(x);
}

static void
setup(void)
{
	buf_init(&b, 1 << 20);
	buf_init(&page, 1 << 22);
}

static void
teardown(void)
{
	buf_fini(&b);
	buf_fini(&page);
}

static const struct {
	const char *in, *want;
} esc[] = {
	{ "plain/url?a=1", "plain/url?a=1" },
	{ "<script>&\"'", "&lt;script&gt;&amp;&quot;&#39;" },
	{ "a&amp;b", "a&amp;amp;b" },
	{ "tab\tnl\n", "tab\tnl\n" },
	{ "nul\x01" "del\x7f", "nul\xef\xbf\xbd" "del\xef\xbf\xbd" },
	{ "caf\xc3\xa9", "caf\xc3\xa9" },
	{ "bad\xff\xc3", "bad\xef\xbf\xbd\xef\xbf\xbd" },
	{ "", "" },
};

START_TEST(test_escape)
{
	ck_assert_int_eq(crawl_html_escape(&b, esc[_i].in,
					   strlen(esc[_i].in)), 0);
	ck_assert_str_eq(text(&b), esc[_i].want);
}
END_TEST

static int
to_buf(void *arg, const void *p, size_t n)
{
	return buf_append(arg, p, n);
}

static struct crawl_frontier f;

static void
done(uint32_t id, int status)
{
	f.nodes[id].state = CRAWL_DONE;
	f.nodes[id].status = status;
	f.nodes[id].size = 100 + id;
}

/* A site: the start, pages in folders, a broken link from two pages, a
 * javascript: link, and a Content-Type holding markup. */
static void
build(void)
{
	static const char *const urls[] = {
		"http://h/", "http://h/a/x.html", "http://h/a-b.html",
		"http://h/a/", "http://h/a/c/y.html", "http://h/gone",
		"javascript:alert(1)", "http://h/q?x=1&y=2",
	};
	struct crawl_limits lim;

	crawl_limits_default(&lim);
	crawl_frontier_init(&f, &lim);
	crawl_frontier_add(&f, CRAWL_NONE, urls[0], strlen(urls[0]));
	for (size_t i = 1; i < N(urls); i++)
		crawl_frontier_add(&f, 0, urls[i], strlen(urls[i]));
	crawl_frontier_add(&f, 1, "http://h/gone", 13);
	for (uint32_t i = 0; i < f.nnodes; i++)
		if (f.nodes[i].skip == CRAWL_SKIP_NONE)
			done(i, 200);
	f.nodes[5].status = 404;
	f.nodes[2].ctype = strdup("<b>x</b>");
	crawl_frontier_sort_edges(&f);
}

/* Where s is in the page, failing when it is not. */
static size_t
at(const char *pg, const char *s)
{
	const char *p = strstr(pg, s);

	ck_assert_msg(p != NULL, "missing: %s", s);
	return (size_t)(p - pg);
}

START_TEST(test_page)
{
	struct crawl_html_page pg = { .start_url = "http://h/", .ms = 12,
				      .graph_note = "no <dot>" };
	const char *p;

	build();
	ck_assert_int_eq(crawl_html_write(&f, &pg, &b, to_buf, &page), 0);
	ck_assert_uint_eq(buf_size(&b), 0);
	p = text(&page);
	/* sections in order, the broken link first with both referrers */
	ck_assert(at(p, "id=\"summary\"") < at(p, "id=\"broken\""));
	ck_assert(at(p, "id=\"broken\"") < at(p, "id=\"pages\""));
	ck_assert(at(p, "id=\"pages\"") < at(p, "id=\"graph\""));
	ck_assert(at(p, "<h2>Broken links: 1</h2>") <
		  at(p, "href=\"http://h/gone\">http://h/gone</a> "
		     "<span class=\"st s4\">404</span>"));
	ck_assert(at(p, "linked from <a class=\"ref\" href=\"http://h/\">") <
		  at(p, "linked from <a class=\"ref\" "
		     "href=\"http://h/a/x.html\">"));
	/* the tree: folder a holds x.html and c/, a-b.html comes after */
	at(p, "<summary>http://h</summary>\n<ul>\n<li><a class=\"page\" "
	   "href=\"http://h/\">/</a>");
	ck_assert(at(p, "<summary>a/</summary>") <
		  at(p, "href=\"http://h/a/x.html\">x.html</a>"));
	ck_assert(at(p, "<summary>c/</summary>\n<ul>\n<li><a class=\"page\" "
		     "href=\"http://h/a/c/y.html\">y.html</a>") <
		  at(p, "\">x.html</a>"));
	ck_assert(at(p, "\">x.html</a>") < at(p, ">a-b.html</a>"));
	at(p, "href=\"http://h/a/\">a/</a>");
	at(p, "href=\"http://h/q?x=1&amp;y=2\">q?x=1&amp;y=2</a>");
	at(p, "<span class=\"type\">&lt;b&gt;x&lt;/b&gt;</span>");
	at(p, "id=\"n-pages\">7<");
	at(p, "<p class=\"note\" id=\"graph-note\">no &lt;dot&gt;</p>");
	ck_assert(strstr(p, "javascript") == NULL);	/* skipped: no tree */
	ck_assert(strstr(p, "<script") == NULL);
	ck_assert(strstr(p, "<svg") == NULL);
	ck_assert(strstr(p, "</html>\n") != NULL);
	crawl_frontier_fini(&f);
}
END_TEST

START_TEST(test_page_with_svg)
{
	static const char svg[] = "<svg><text>/gone</text></svg>";
	struct crawl_html_page pg = { .start_url = "javascript:x",
				      .svg = svg, .svg_len = strlen(svg),
				      .graph_nodes = 8 };
	const char *p;

	build();
	ck_assert_int_eq(crawl_html_write(&f, &pg, &b, to_buf, &page), 0);
	p = text(&page);
	at(p, "<div class=\"graph\">\n<svg><text>/gone</text></svg>\n</div>");
	/* a start URL of another scheme is text, not a link */
	at(p, "<span class=\"start\">javascript:x</span>");
	ck_assert(strstr(p, "graph-note") == NULL);
	crawl_frontier_fini(&f);
}
END_TEST

START_TEST(test_graph_dot)
{
	size_t drawn = 0;
	const char *p;

	build();
	ck_assert_int_eq(crawl_html_graph_dot(&b, &f, &drawn), 0);
	ck_assert_uint_eq(drawn, f.nnodes);
	p = text(&b);
	at(p, "\tn0 [label=\"/\"];\n");
	at(p, "\tn5 [label=\"/gone\", color=red, fontcolor=red];\n");
	at(p, "\tn6 [label=\"javascript:alert(1)\", style=dashed");
	at(p, "\tn1 -> n5;\n");
	at(p, "\tn0 -> n5;\n");
	ck_assert(p[strlen(p) - 2] == '}');
	crawl_frontier_fini(&f);
}
END_TEST

static int
fail_sink(void *arg, const void *p, size_t n)
{
	return -EIO;
}

START_TEST(test_sink_error)
{
	struct crawl_html_page pg = { .start_url = "http://h/" };

	build();
	ck_assert_int_eq(crawl_html_write(&f, &pg, &b, fail_sink, NULL),
			 -EIO);
	crawl_frontier_fini(&f);
}
END_TEST

static Suite *
html_suite(void)
{
	Suite *s = suite_create("crawl_html");
	TCase *t = tcase_create("crawl_html");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_loop_test(t, test_escape, 0, N(esc));
	tcase_add_test(t, test_page);
	tcase_add_test(t, test_page_with_svg);
	tcase_add_test(t, test_graph_dot);
	tcase_add_test(t, test_sink_error);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return unit_run(html_suite());
}
