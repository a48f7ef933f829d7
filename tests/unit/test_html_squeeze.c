/* Unit tests of src/html/html_squeeze: which text is shortened and which
 * bytes are copied whole (tags, quoted values, comments, references,
 * raw text elements), and where squeezing stops. fuzz_html_squeeze checks
 * the parse of the copy against the parse of the original. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html/html_links.h"
#include "html/html_squeeze.h"
#include "unit.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *name, *in, *want;
} cases[] = {
	{ "a run keeps its first character",
	  "<p>hello world</p>", "<p>h</p>" },
	{ "white space first keeps one other character",
	  "<p>  hello</p>\n  <p>x", "<p> .</p>\n <p>x" },
	{ "text before the first markup is kept",
	  "  hi there <p>x y", "  hi there <p>x" },
	{ "a quoted value may hold '>'",
	  "<a title='x > y z' href=\"a b>c\">t u</a>",
	  "<a title='x > y z' href=\"a b>c\">t</a>" },
	{ "a quote opens a value only after '='",
	  "<a b\"c> d e\">", "<a b\"c> ." },
	{ "an unquoted value ends at '>'",
	  "<a href=x>y z</a>", "<a href=x>y</a>" },
	{ "character references are copied with what they may read",
	  "<p>a &amp;b c &#32; d</p>", "<p>a&amp;b .&#32; .</p>" },
	{ "raw text elements are copied whole",
	  "<title>a  b</title><style>p > a {}</style>"
	  "<textarea>\n x </textarea><xmp> <a href=x> </xmp> tail",
	  "<title>a  b</title><style>p > a {}</style>"
	  "<textarea>\n x </textarea><xmp> <a href=x> </xmp> ." },
	{ "an end tag needs white space, '/' or '>' after its name",
	  "<title>x</titlex> y</title > z", "<title>x</titlex> y</title > ." },
	{ "script data up to its end tag",
	  "<script>if (a<b) s='</scrip'+'t>';</script> after",
	  "<script>if (a<b) s='</scrip'+'t>';</script> ." },
	{ "a script with an escape stops squeezing",
	  "<p>a b<script><!-- x --></script> c d",
	  "<p>a<script><!-- x --></script> c d" },
	{ "comments end where the tokenizer ends them",
	  "<!-- a > b --> c d <!--> e f <!---> g h <!-- x --!> i j",
	  "<!-- a > b --> .<!--> .<!---> .<!-- x --!> ." },
	{ "doctypes and bogus comments end at '>'",
	  "<!DOCTYPE html \"x\"> a b <? pi > c d </ x > e f </> g h",
	  "<!DOCTYPE html \"x\"> .<? pi > .</ x > .</> ." },
	{ "foreign content stops squeezing",
	  "<p>a b<svg><title>c d</title></svg> e f",
	  "<p>a<svg><title>c d</title></svg> e f" },
	{ "noscript holds markup (scripting is off)",
	  "<noscript><a href=x>a b</a></noscript> c",
	  "<noscript><a href=x>a</a></noscript> ." },
	{ "select stops squeezing",
	  "<p>a b<SELECT><option>c d", "<p>a<SELECT><option>c d" },
	{ "CR is copied, the line feed after it kept",
	  "<p>ab\r\ncd ef</p>", "<p>a\r\nc</p>" },
	{ "a line feed first keeps what follows (<pre> drops it)",
	  "<pre>\n  a b</pre><pre>\nab</pre>",
	  "<pre>\n .</pre><pre>\na</pre>" },
	{ "a '<' that is text ends a run",
	  "<p>a < b c</p>", "<p>a< .</p>" },
	{ "an unfinished tag is copied",
	  "<p>a b <a href='x y", "<p>a<a href='x y" },
};

START_TEST(test_cases)
{
	const char *in = cases[_i].in, *want = cases[_i].want;
	size_t n = strlen(in);
	char out[256], again[256];
	size_t m;

	ck_assert_uint_lt(n, sizeof out);
	m = html_squeeze(in, n, out);
	ck_assert_msg(m == strlen(want) && memcmp(out, want, m) == 0,
		      "%s: got \"%.*s\"", cases[_i].name, (int)m, out);
	ck_assert_uint_eq(html_squeeze(out, m, again), m);
	ck_assert_mem_eq(again, out, m);
}
END_TEST

START_TEST(test_nul)
{
	static const char in[] = "<p>a b\0c d</p>";
	static const char want[] = "<p>a\0c</p>";
	char out[sizeof in];

	ck_assert_uint_eq(html_squeeze(in, sizeof in - 1, out),
			  sizeof want - 1);
	ck_assert_mem_eq(out, want, sizeof want - 1);
}
END_TEST

START_TEST(test_empty)
{
	char out[1] = { 'z' };

	ck_assert_uint_eq(html_squeeze("", 0, out), 0);
	ck_assert_int_eq(out[0], 'z');
}
END_TEST

static int
count(void *arg, const struct html_link *l)
{
	(void)l;
	(*(int *)arg)++;
	return 0;
}

/* A page of text around a link is squeezed to a few bytes, and the link
 * is still found. */
START_TEST(test_text_page)
{
	char doc[4096], out[4096];
	int n = 0, seen = 0;

	n += snprintf(doc + n, sizeof doc - n, "<html><body><p>");
	while (n < 3000)
		n += snprintf(doc + n, sizeof doc - n, "some words. ");
	n += snprintf(doc + n, sizeof doc - n, "<a href=/x>x</a></p>");
	ck_assert_uint_lt(html_squeeze(doc, (size_t)n, out), 64);
	ck_assert_int_eq(html_links_extract(doc, (size_t)n, "http://h/", 9,
					    count, &seen), 1);
	ck_assert_int_eq(seen, 1);
}
END_TEST

static Suite *
html_squeeze_suite(void)
{
	Suite *s = suite_create("html_squeeze");
	TCase *t = tcase_create("html_squeeze");

	tcase_add_loop_test(t, test_cases, 0, N(cases));
	tcase_add_test(t, test_nul);
	tcase_add_test(t, test_empty);
	tcase_add_test(t, test_text_page);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return unit_run(html_squeeze_suite());
}
