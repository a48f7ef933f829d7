/* Unit tests of src/crawl/crawl_frontier: de-duplication of normalised
 * URLs, breadth-first order, depth and page budget, the host rule, the
 * trap guards, and the links kept once per pair. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "crawl/crawl_frontier.h"
#include "unit.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct crawl_frontier f;
static struct crawl_limits lim;

static void
setup(void)
{
	crawl_limits_default(&lim);
}

static void
start(const char *seed)
{
	ck_assert_int_eq(crawl_frontier_init(&f, &lim), 0);
	ck_assert_int_eq(crawl_frontier_add(&f, CRAWL_NONE, seed,
					    strlen(seed)), 0);
}

static void
teardown(void)
{
	crawl_frontier_fini(&f);
}

static int
add(uint32_t from, const char *url)
{
	return crawl_frontier_add(&f, from, url, strlen(url));
}

START_TEST(test_dedup_normalised)
{
	static const char *const same[] = {
		"http://www.example.test/a/b.html",
		"HTTP://WWW.Example.TEST:80/a/./b.html",
		"http://www.example.test/a/c/../b.html#frag",
		"http://www.example.test/%61/b.html",
	};

	start("http://www.example.test/");
	for (size_t i = 0; i < N(same); i++)
		ck_assert_int_eq(add(0, same[i]), 1);
	ck_assert_uint_eq(f.nnodes, 2);
	ck_assert_str_eq(f.nodes[1].url, "http://www.example.test/a/b.html");
	ck_assert_uint_eq(f.nedges, 1);
	ck_assert_uint_eq(f.nodes[0].nlinks, 1);
}
END_TEST

START_TEST(test_bfs_order_and_depth)
{
	start("http://h/");
	ck_assert_uint_eq(crawl_frontier_next(&f), 0);
	add(0, "http://h/a");
	add(0, "http://h/b");
	ck_assert_uint_eq(crawl_frontier_next(&f), 1);
	add(1, "http://h/a/1");
	ck_assert_uint_eq(crawl_frontier_next(&f), 2);
	ck_assert_uint_eq(crawl_frontier_next(&f), 3);
	ck_assert_uint_eq(crawl_frontier_next(&f), CRAWL_NONE);
	ck_assert_int_eq(f.nodes[3].depth, 2);
	ck_assert_uint_eq(f.nodes[3].parent, 1);
	ck_assert_uint_eq(f.nodes[0].parent, CRAWL_NONE);
}
END_TEST

START_TEST(test_depth_limit)
{
	lim.max_depth = 1;
	start("http://h/");
	add(0, "http://h/1");
	add(1, "http://h/2");
	ck_assert_int_eq(f.nodes[1].skip, CRAWL_SKIP_NONE);
	ck_assert_int_eq(f.nodes[2].skip, CRAWL_SKIP_DEPTH);
	ck_assert_uint_eq(f.queued, 2);
}
END_TEST

START_TEST(test_budget)
{
	lim.max_pages = 3;
	start("http://h/");
	for (int i = 0; i < 5; i++) {
		char u[32];

		snprintf(u, sizeof u, "http://h/%d", i);
		add(0, u);
	}
	ck_assert_uint_eq(f.queued, 3);
	ck_assert_int_eq(f.nodes[2].skip, CRAWL_SKIP_NONE);
	ck_assert_int_eq(f.nodes[3].skip, CRAWL_SKIP_BUDGET);
	/* A robots skip gives the budget back. */
	crawl_frontier_skip(&f, 2, CRAWL_SKIP_ROBOTS);
	ck_assert_int_eq(f.nodes[2].skip, CRAWL_SKIP_ROBOTS);
	add(0, "http://h/more");
	ck_assert_int_eq(f.nodes[6].skip, CRAWL_SKIP_NONE);
}
END_TEST

START_TEST(test_hosts_and_schemes)
{
	start("http://h:8080/");
	ck_assert_int_eq(add(0, "http://h:8080/x"), 1);
	add(0, "http://h/x");
	add(0, "http://other:8080/x");
	add(0, "https://h:8080/x");
	add(0, "mailto:a@h");
	add(0, "https://h/y");
	add(0, "https://other/y");
	add(0, "ftp://h/y");
	ck_assert_int_eq(f.nodes[1].skip, CRAWL_SKIP_NONE);
	ck_assert_int_eq(f.nodes[2].skip, CRAWL_SKIP_HOST);
	ck_assert_int_eq(f.nodes[3].skip, CRAWL_SKIP_HOST);
	/* the same host over https, on any port, is the same site */
	ck_assert_int_eq(f.nodes[4].skip, CRAWL_SKIP_NONE);
	ck_assert_int_eq(f.nodes[5].skip, CRAWL_SKIP_SCHEME);
	ck_assert_int_eq(f.nodes[6].skip, CRAWL_SKIP_NONE);
	ck_assert_int_eq(f.nodes[7].skip, CRAWL_SKIP_HOST);
	ck_assert_int_eq(f.nodes[8].skip, CRAWL_SKIP_SCHEME);
	ck_assert_str_eq(crawl_skip_str(f.nodes[5].skip), "scheme");
}
END_TEST

START_TEST(test_https_start)
{
	/* from an https start, the http side of the host is followed, and
	 * the https side only on the start's port */
	start("https://h:8443/");
	add(0, "http://h:8080/x");
	add(0, "https://h:9443/x");
	add(0, "https://h:8443/x");
	ck_assert_int_eq(f.nodes[1].skip, CRAWL_SKIP_NONE);
	ck_assert_int_eq(f.nodes[2].skip, CRAWL_SKIP_HOST);
	ck_assert_int_eq(f.nodes[3].skip, CRAWL_SKIP_NONE);
}
END_TEST

START_TEST(test_allow_origin)
{
	start("http://h/");
	ck_assert_int_eq(crawl_frontier_allow(&f, "HTTP://WWW.H:80/x", 17), 0);
	add(0, "http://www.h/y");
	add(0, "http://www.h:81/y");
	ck_assert_int_eq(f.nodes[1].skip, CRAWL_SKIP_NONE);
	ck_assert_int_eq(f.nodes[2].skip, CRAWL_SKIP_HOST);
	for (int i = 0; i < CRAWL_MAX_ORIGINS - 2; i++) {
		char u[32];

		snprintf(u, sizeof u, "http://o%d/", i);
		ck_assert_int_eq(crawl_frontier_allow(&f, u, strlen(u)), 0);
	}
	ck_assert_int_eq(crawl_frontier_allow(&f, "http://h/z", 10), 0);
	ck_assert_int_eq(crawl_frontier_allow(&f, "http://full/", 12),
			 ERR_TOOBIG);
	ck_assert_int_eq(crawl_frontier_allow(&f, "no scheme", 9), ERR_PARSE);
}
END_TEST

START_TEST(test_all_hosts)
{
	lim.all_hosts = 1;
	start("http://h/");
	add(0, "http://other/x");
	ck_assert_int_eq(f.nodes[1].skip, CRAWL_SKIP_NONE);
}
END_TEST

START_TEST(test_bad_urls)
{
	start("http://h/");
	ck_assert_int_eq(add(0, "/relative"), ERR_PARSE);
	ck_assert_int_eq(add(0, "http://h/a b"), ERR_PARSE);
	ck_assert_uint_eq(f.nnodes, 1);
}
END_TEST

START_TEST(test_max_nodes)
{
	lim.max_nodes = 2;
	start("http://h/");
	ck_assert_int_eq(add(0, "http://h/1"), 1);
	ck_assert_int_eq(add(0, "http://h/2"), ERR_RANGE);
	ck_assert_int_eq(add(0, "http://h/1"), 1);
	ck_assert_uint_eq(f.dropped, 1);
}
END_TEST

static const struct {
	const char *url;
	enum crawl_skip want;
} traps[] = {
	{ "http://h/a/b/c", CRAWL_SKIP_NONE },
	{ "http://h/a/a/a", CRAWL_SKIP_NONE },
	{ "http://h/a/b/a/b/a/b/a", CRAWL_SKIP_PATH },
	{ "http://h/x/a/y/a/z/a/w/a/", CRAWL_SKIP_PATH },
	{ "http://h/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/19/20/21/"
	  "22/23/24/25/26/27/28/29/30/31/32", CRAWL_SKIP_NONE },
	{ "http://h/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/19/20/21/"
	  "22/23/24/25/26/27/28/29/30/31/32/33", CRAWL_SKIP_PATH },
	{ "http://h/?a=1&b=2&c=3", CRAWL_SKIP_NONE },
	{ "http://h/?1&2&3&4&5&6&7&8&9&10&11&12&13&14&15&16",
	  CRAWL_SKIP_NONE },
	{ "http://h/?1&2&3&4&5&6&7&8&9&10&11&12&13&14&15&16&17",
	  CRAWL_SKIP_QUERY },
	{ "http://h/?1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17",
	  CRAWL_SKIP_QUERY },
};

START_TEST(test_traps)
{
	struct url u;
	const char *s = traps[_i].url;

	ck_assert_int_eq(url_parse(s, strlen(s), &u), 0);
	ck_assert_int_eq(crawl_trap_check(&u, strlen(s), &lim), traps[_i].want);
}
END_TEST

START_TEST(test_trap_lengths)
{
	char s[4000];
	struct url u;

	memcpy(s, "http://h/?q=", 12);
	memset(s + 12, 'x', 1100);
	s[1112] = '\0';
	url_parse(s, strlen(s), &u);
	ck_assert_int_eq(crawl_trap_check(&u, strlen(s), &lim),
			 CRAWL_SKIP_QUERY);
	memcpy(s, "http://h/", 9);
	memset(s + 9, 'p', 2100);
	s[2109] = '\0';
	url_parse(s, strlen(s), &u);
	ck_assert_int_eq(crawl_trap_check(&u, strlen(s), &lim),
			 CRAWL_SKIP_LONG_URL);
}
END_TEST

START_TEST(test_query_variants)
{
	lim.max_query_variants = 10;
	start("http://h/cal");
	for (int i = 0; i < 12; i++) {
		char u[64];

		snprintf(u, sizeof u, "http://h/cal?month=%d", i);
		add(0, u);
	}
	add(0, "http://h/other?month=1");
	ck_assert_int_eq(f.nodes[10].skip, CRAWL_SKIP_NONE);
	ck_assert_int_eq(f.nodes[11].skip, CRAWL_SKIP_VARIANTS);
	ck_assert_int_eq(f.nodes[12].skip, CRAWL_SKIP_VARIANTS);
	ck_assert_int_eq(f.nodes[13].skip, CRAWL_SKIP_NONE);
}
END_TEST

START_TEST(test_edges_sorted)
{
	start("http://h/");
	add(0, "http://h/a");
	add(0, "http://h/b");
	add(1, "http://h/b");
	add(2, "http://h/a");
	add(2, "http://h/a");
	ck_assert_uint_eq(f.nedges, 4);
	crawl_frontier_sort_edges(&f);
	ck_assert_uint_eq(crawl_frontier_first_edge_to(&f, 0), 0);
	ck_assert_uint_eq(crawl_frontier_first_edge_to(&f, 1), 0);
	ck_assert_uint_eq(f.edges[0].from, 0);
	ck_assert_uint_eq(f.edges[1].from, 2);
	ck_assert_uint_eq(crawl_frontier_first_edge_to(&f, 2), 2);
	ck_assert_uint_eq(crawl_frontier_first_edge_to(&f, 3), 4);
}
END_TEST

/* Edges recorded in any order of their sources come out by target, then
 * source. */
START_TEST(test_edges_sorted_by_source)
{
	static const uint32_t want[] = { 0, 1, 2, 3 };

	start("http://h/");
	add(0, "http://h/a");
	add(0, "http://h/b");
	add(0, "http://h/c");
	add(3, "http://h/b");
	add(2, "http://h/b");
	add(1, "http://h/b");
	add(3, "http://h/a");
	crawl_frontier_sort_edges(&f);
	ck_assert_uint_eq(crawl_frontier_first_edge_to(&f, 2), 2);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_uint_eq(f.edges[2 + i].to, 2);
		ck_assert_uint_eq(f.edges[2 + i].from, want[i]);
	}
	ck_assert_uint_eq(f.edges[0].to, 1);
	ck_assert_uint_eq(f.edges[0].from, 0);
	ck_assert_uint_eq(f.edges[1].from, 3);
	ck_assert_uint_eq(f.edges[6].to, 3);
}
END_TEST

/* Many nodes: the hash table grows and every URL is still found once. */
START_TEST(test_many)
{
	char u[64];

	start("http://h/");
	for (int i = 0; i < 20000; i++) {
		snprintf(u, sizeof u, "http://h/p%d.html", i);
		ck_assert_int_eq(add(0, u), i + 1);
	}
	for (int i = 0; i < 20000; i += 7) {
		snprintf(u, sizeof u, "http://h/p%d.html#x", i);
		ck_assert_int_eq(add((uint32_t)i + 1, u), i + 1);
	}
	ck_assert_uint_eq(f.nnodes, 20001);
}
END_TEST

START_TEST(test_broken_and_fail_names)
{
	struct crawl_node nd = { .state = CRAWL_DONE, .status = 404 };

	ck_assert(crawl_node_is_broken(&nd));
	nd.status = 301;
	ck_assert(!crawl_node_is_broken(&nd));
	nd.status = -ECONNREFUSED;
	ck_assert(crawl_node_is_broken(&nd));
	nd.state = CRAWL_NEW;
	ck_assert(!crawl_node_is_broken(&nd));
	ck_assert_str_eq(crawl_fail_str(ERR_NOTFOUND), "dns");
	ck_assert_str_eq(crawl_fail_str(-ECONNREFUSED), "refused");
	ck_assert_str_eq(crawl_fail_str(ERR_TIMEOUT), "timeout");
}
END_TEST

static Suite *
frontier_suite(void)
{
	Suite *s = suite_create("crawl_frontier");
	TCase *t = tcase_create("crawl_frontier");

	tcase_set_timeout(t, 60);
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_dedup_normalised);
	tcase_add_test(t, test_bfs_order_and_depth);
	tcase_add_test(t, test_depth_limit);
	tcase_add_test(t, test_budget);
	tcase_add_test(t, test_hosts_and_schemes);
	tcase_add_test(t, test_https_start);
	tcase_add_test(t, test_allow_origin);
	tcase_add_test(t, test_all_hosts);
	tcase_add_test(t, test_bad_urls);
	tcase_add_test(t, test_max_nodes);
	tcase_add_loop_test(t, test_traps, 0, N(traps));
	tcase_add_test(t, test_trap_lengths);
	tcase_add_test(t, test_query_variants);
	tcase_add_test(t, test_edges_sorted);
	tcase_add_test(t, test_edges_sorted_by_source);
	tcase_add_test(t, test_many);
	tcase_add_test(t, test_broken_and_fail_names);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return unit_run(frontier_suite());
}
