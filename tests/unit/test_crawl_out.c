/* Unit tests of src/crawl/crawl_out: JSON strings and records, summary
 * lines, DOT statements, and mirror paths that stay inside the mirror. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "crawl/crawl_out.h"
#include "unit.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct buf b;

static const char *
text(void)
{
	buf_append(&b, "", 1);
	return (const char *)buf_data(&b);
}

static void
setup(void)
{
	buf_init(&b, 1 << 20);
}

static void
teardown(void)
{
	buf_fini(&b);
}

static const struct {
	const char *in, *want;
} json[] = {
	{ "plain", "\"plain\"" },
	{ "q\"b\\", "\"q\\\"b\\\\\"" },
	{ "nl\n\t\x01", "\"nl\\u000a\\u0009\\u0001\"" },
	{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
	{ "bad\xff\xc3", "\"bad\\u00ff\\u00c3\"" },
	{ "surrogate\xed\xa0\x80", "\"surrogate\\u00ed\\u00a0\\u0080\"" },
	{ "del\x7f", "\"del\\u007f\"" },
};

START_TEST(test_json_string)
{
	crawl_out_json_string(&b, json[_i].in, strlen(json[_i].in));
	ck_assert_str_eq(text(), json[_i].want);
}
END_TEST

/* A frontier of three nodes: the start, a page, a broken link. */
static struct crawl_frontier f;

static void
build(void)
{
	struct crawl_limits lim;

	crawl_limits_default(&lim);
	crawl_frontier_init(&f, &lim);
	crawl_frontier_add(&f, CRAWL_NONE, "http://h/", 9);
	crawl_frontier_add(&f, 0, "http://h/a", 10);
	crawl_frontier_add(&f, 0, "http://h/gone", 13);
	crawl_frontier_add(&f, 1, "http://h/gone", 13);
	crawl_frontier_add(&f, 1, "ftp://h/s", 9);
	f.nodes[0].state = CRAWL_DONE;
	f.nodes[0].status = 200;
	f.nodes[0].size = 1234;
	f.nodes[0].us = 5250;
	f.nodes[0].ctype = strdup("text/html");
	f.nodes[1].state = CRAWL_DONE;
	f.nodes[1].status = -ECONNREFUSED;
	f.nodes[2].state = CRAWL_DONE;
	f.nodes[2].status = 404;
	crawl_frontier_sort_edges(&f);
}

START_TEST(test_json_node)
{
	build();
	crawl_out_json_node(&b, &f, 0);
	ck_assert_str_eq(text(), "{\"url\":\"http://h/\",\"depth\":0,"
			 "\"parent\":null,\"status\":200,\"error\":null,"
			 "\"skipped\":null,\"size\":1234,\"ms\":5.250,"
			 "\"type\":\"text/html\",\"links\":2,"
			 "\"broken\":false,\"linked_from\":[]}\n");
	buf_reset(&b);
	crawl_out_json_node(&b, &f, 2);
	ck_assert_str_eq(text(), "{\"url\":\"http://h/gone\",\"depth\":1,"
			 "\"parent\":\"http://h/\",\"status\":404,"
			 "\"error\":null,\"skipped\":null,\"size\":0,"
			 "\"ms\":0.000,\"type\":null,\"links\":0,"
			 "\"broken\":true,\"linked_from\":[\"http://h/\","
			 "\"http://h/a\"]}\n");
	buf_reset(&b);
	crawl_out_json_node(&b, &f, 1);
	ck_assert(strstr(text(), "\"status\":null,\"error\":\"refused\""));
	buf_reset(&b);
	crawl_out_json_node(&b, &f, 3);
	ck_assert(strstr(text(), "\"skipped\":\"scheme\""));
	ck_assert(strstr(text(), "\"broken\":false"));
	crawl_frontier_fini(&f);
}
END_TEST

START_TEST(test_summary_lines)
{
	build();
	crawl_out_page_line(&b, &f.nodes[0]);
	ck_assert_str_eq(text(), "200       1234      5.2 ms  http://h/\n");
	buf_reset(&b);
	crawl_out_broken(&b, &f, 2);
	ck_assert_str_eq(text(), "404          0      0.0 ms  http://h/gone\n"
			 "    <- http://h/\n    <- http://h/a\n");
	buf_reset(&b);
	crawl_out_broken(&b, &f, 1);
	ck_assert_str_eq(text(), "refused             0.0 ms  http://h/a\n"
			 "    <- http://h/\n");
	crawl_frontier_fini(&f);
}
END_TEST

START_TEST(test_dot)
{
	build();
	crawl_out_dot_begin(&b);
	for (uint32_t i = 0; i < f.nnodes; i++)
		crawl_out_dot_node(&b, &f.nodes[i]);
	for (size_t i = 0; i < f.nedges; i++)
		crawl_out_dot_edge(&b, &f, &f.edges[i]);
	crawl_out_dot_end(&b);
	ck_assert(strncmp(text(), "digraph crawl {\n", 16) == 0);
	ck_assert(strstr(text(), "\t\"http://h/gone\" [color=red"));
	ck_assert(strstr(text(), "\t\"ftp://h/s\" [style=dashed"));
	ck_assert(strstr(text(), "\t\"http://h/a\" -> \"http://h/gone\";\n"));
	ck_assert(strstr(text(), "\t\"http://h/\" -> \"http://h/a\";\n"));
	ck_assert(strcmp(text() + strlen(text()) - 2, "}\n") == 0);
	crawl_frontier_fini(&f);
}
END_TEST

static const struct {
	const char *url, *want;
} mirror[] = {
	{ "http://h/", "h/index.html" },
	{ "http://h", "h/index.html" },
	{ "http://h:8080/a/b.html", "h:8080/a/b.html" },
	{ "http://h/dir/", "h/dir/index.html" },
	{ "http://h/p?x=1&y=/z", "h/p?x=1&y=%2Fz" },
	{ "http://h/?q", "h/index.html?q" },
	{ "http://h/a%20b/c%2Fd", "h/a b/c%2Fd" },
	{ "http://h/100%25", "h/100%25" },
	{ "http://h/../../etc/passwd", "h/%2E%2E/%2E%2E/etc/passwd" },
	{ "http://h/a/./b", "h/a/%2E/b" },
	{ "http://h/%2e%2E/x", "h/%2E%2E/x" },
	{ "http://h//a//b", "h/a/b" },
	{ "http://h/nul%00ctl%0A", "h/nul%00ctl%0A" },
	{ "http://[::1]:80/", "[::1]:80/index.html" },
	{ "http://h/f#frag", "h/f" },
	{ "http://h/x?a=%2F", "h/x?a=%2F" },
};

START_TEST(test_mirror_path)
{
	char out[512];
	const char *u = mirror[_i].url;
	ssize_t n = crawl_out_mirror_path(u, strlen(u), out, sizeof out);

	ck_assert_int_ge(n, 0);
	ck_assert_str_eq(out, mirror[_i].want);
	ck_assert_int_eq(n, (ssize_t)strlen(mirror[_i].want));
}
END_TEST

START_TEST(test_mirror_refused)
{
	char out[512], name[400];
	char url[600];

	ck_assert_int_eq(crawl_out_mirror_path("ftp://h/", 8, out,
					       sizeof out), ERR_PARSE);
	/* https is saved beside http, as wget does */
	ck_assert_int_eq(crawl_out_mirror_path("https://h/", 10, out,
					       sizeof out), 12);
	ck_assert_str_eq(out, "h/index.html");
	ck_assert_int_eq(crawl_out_mirror_path("/rel", 4, out, sizeof out),
			 ERR_PARSE);
	ck_assert_int_eq(crawl_out_mirror_path("http://h/abc", 12, out, 5),
			 ERR_TOOBIG);
	memset(name, 'n', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	snprintf(url, sizeof url, "http://h/%s", name);
	ck_assert_int_eq(crawl_out_mirror_path(url, strlen(url), out,
					       sizeof out), ERR_TOOBIG);
}
END_TEST

static Suite *
out_suite(void)
{
	Suite *s = suite_create("crawl_out");
	TCase *t = tcase_create("crawl_out");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_loop_test(t, test_json_string, 0, N(json));
	tcase_add_test(t, test_json_node);
	tcase_add_test(t, test_summary_lines);
	tcase_add_test(t, test_dot);
	tcase_add_loop_test(t, test_mirror_path, 0, N(mirror));
	tcase_add_test(t, test_mirror_refused);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return unit_run(out_suite());
}
