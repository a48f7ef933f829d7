/* Unit tests of src/crawl/crawl_robots: which group applies, longest
 * match, "*" and "$", canonical escapes, Crawl-delay, limits (RFC 9309
 * and its examples). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawl/crawl_robots.h"
#include "unit.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *name, *txt, *path;
	int allowed;
} cases[] = {
	{ "empty file", "", "/x", 1 },
	{ "disallow all", "User-agent: *\nDisallow: /\n", "/x", 0 },
	{ "robots.txt itself", "User-agent: *\nDisallow: /\n",
	  "/robots.txt", 1 },
	{ "empty disallow allows", "User-agent: *\nDisallow:\n", "/x", 1 },
	{ "prefix", "User-agent: *\nDisallow: /private\n", "/private/a", 0 },
	{ "prefix, no dir", "User-agent: *\nDisallow: /private\n",
	  "/privateer", 0 },
	{ "other path", "User-agent: *\nDisallow: /private/\n", "/public", 1 },
	{ "longest wins: allow", "User-agent: *\nDisallow: /a\n"
	  "Allow: /a/b\n", "/a/b/c", 1 },
	{ "longest wins: disallow", "User-agent: *\nAllow: /a\n"
	  "Disallow: /a/b\n", "/a/b/c", 0 },
	{ "tie goes to allow", "User-agent: *\nDisallow: /page\n"
	  "Allow: /page\n", "/page", 1 },
	{ "star", "User-agent: *\nDisallow: /*.php\n", "/a/b/index.php?x", 0 },
	{ "star no match", "User-agent: *\nDisallow: /*.php\n", "/a.html", 1 },
	{ "dollar anchors", "User-agent: *\nDisallow: /*.php$\n",
	  "/x.php", 0 },
	{ "dollar: more after", "User-agent: *\nDisallow: /*.php$\n",
	  "/x.php?q", 1 },
	{ "dollar backtracks", "User-agent: *\nDisallow: /*.php$\n",
	  "/a.php/b.php", 0 },
	{ "star in the middle", "User-agent: *\nDisallow: /a*b*c\n",
	  "/axxbyyc/z", 0 },
	{ "star needs all parts", "User-agent: *\nDisallow: /a*b*c\n",
	  "/axxbyy", 1 },
	{ "query", "User-agent: *\nDisallow: /*?sessionid=\n",
	  "/p?sessionid=3", 0 },
	{ "our group wins", "User-agent: *\nDisallow: /\n\n"
	  "User-agent: inetkit\nDisallow: /secret\n", "/x", 1 },
	{ "our group applies", "User-agent: *\nDisallow: /\n\n"
	  "User-agent: inetkit\nDisallow: /secret\n", "/secret", 0 },
	{ "token case and version", "User-agent: *\nDisallow: /\n"
	  "User-agent: InetKit/2.0\nAllow: /\n", "/x", 1 },
	{ "an empty group of ours allows all", "User-agent: *\n"
	  "Disallow: /\nUser-agent: inetkit\n", "/x", 1 },
	{ "other agents' rules ignored", "User-agent: googlebot\n"
	  "Disallow: /\n", "/x", 1 },
	{ "agents share a group", "User-agent: googlebot\n"
	  "User-agent: inetkit\nDisallow: /g\n", "/g", 0 },
	{ "groups of ours merged", "User-agent: inetkit\nDisallow: /a\n"
	  "User-agent: other\nDisallow: /b\nUser-agent: inetkit\n"
	  "Disallow: /c\n", "/c", 0 },
	{ "merged, other not", "User-agent: inetkit\nDisallow: /a\n"
	  "User-agent: other\nDisallow: /b\nUser-agent: inetkit\n"
	  "Disallow: /c\n", "/b", 1 },
	{ "rules before any group", "Disallow: /\n", "/x", 1 },
	{ "comments and spaces", "  User-agent : * # all\n"
	  "\tDisallow :  /tmp  # temp\n", "/tmp/1", 0 },
	{ "CR line ends", "User-agent: *\rDisallow: /cr\r", "/cr", 0 },
	{ "CRLF line ends", "User-agent: *\r\nDisallow: /crlf\r\n",
	  "/crlf", 0 },
	{ "case of keys", "USER-AGENT: *\nDISALLOW: /k\n", "/k", 0 },
	{ "sitemap does not end a group", "User-agent: *\n"
	  "Sitemap: http://x/s.xml\nDisallow: /s\n", "/s", 0 },
	{ "garbage lines skipped", "User-agent: *\nno colon here\n"
	  "Disallow: /g\n", "/g", 0 },
	{ "escape case", "User-agent: *\nDisallow: /a%3cb\n", "/a%3Cb", 0 },
	{ "unreserved escape decoded", "User-agent: *\nDisallow: /%7Ejoe\n",
	  "/~joe/x", 0 },
	{ "utf-8 encoded", "User-agent: *\nDisallow: /f\xc3\xbc\n",
	  "/f%C3%BCr", 0 },
	{ "a lone percent", "User-agent: *\nDisallow: /100%\n",
	  "/100%25", 0 },
};

START_TEST(test_cases)
{
	struct crawl_robots r;
	const char *txt = cases[_i].txt, *path = cases[_i].path;
	int rc;

	crawl_robots_init(&r);
	rc = crawl_robots_parse(&r, txt, strlen(txt), "inetkit");
	ck_assert_int_ge(rc, 0);
	ck_assert_msg(crawl_robots_allowed(&r, path, strlen(path)) ==
		      cases[_i].allowed, "%s", cases[_i].name);
	crawl_robots_fini(&r);
}
END_TEST

START_TEST(test_init_allows)
{
	struct crawl_robots r;

	crawl_robots_init(&r);
	ck_assert(crawl_robots_allowed(&r, "/a", 2));
	ck_assert_int_eq(r.delay_ms, -1);
	crawl_robots_fini(&r);
}
END_TEST

START_TEST(test_deny_all)
{
	struct crawl_robots r;

	crawl_robots_init(&r);
	crawl_robots_deny_all(&r);
	ck_assert(!crawl_robots_allowed(&r, "/", 1));
	ck_assert(!crawl_robots_allowed(&r, "/a", 2));
	ck_assert(crawl_robots_allowed(&r, "/robots.txt", 11));
	crawl_robots_parse(&r, "", 0, "inetkit");
	ck_assert(crawl_robots_allowed(&r, "/a", 2));
	crawl_robots_fini(&r);
}
END_TEST

static const struct {
	const char *txt;
	int ms;
} delays[] = {
	{ "User-agent: *\nCrawl-delay: 2\n", 2000 },
	{ "User-agent: *\nCrawl-delay: 0.25\n", 250 },
	{ "User-agent: *\nCrawl-delay: 99999999999\n",
	  CRAWL_ROBOTS_DELAY_MAX },
	{ "User-agent: *\nCrawl-delay: soon\n", -1 },
	{ "User-agent: other\nCrawl-delay: 5\n", -1 },
	{ "User-agent: *\nCrawl-delay: 5\nUser-agent: inetkit\n"
	  "Crawl-delay: 1\n", 1000 },
};

START_TEST(test_delay)
{
	struct crawl_robots r;

	crawl_robots_init(&r);
	crawl_robots_parse(&r, delays[_i].txt, strlen(delays[_i].txt),
			   "inetkit");
	ck_assert_int_eq(r.delay_ms, delays[_i].ms);
	crawl_robots_fini(&r);
}
END_TEST

/* Only the first CRAWL_ROBOTS_MAX bytes count: a rule past them is not
 * seen, and a huge file parses without trouble. */
START_TEST(test_size_limit)
{
	size_t n = CRAWL_ROBOTS_MAX + 100;
	char *txt = malloc(n);
	const char *head = "User-agent: *\nDisallow: /early\n";
	const char *tail = "\nDisallow: /late\n";
	struct crawl_robots r;

	memset(txt, '#', n);
	memcpy(txt, head, strlen(head));
	memcpy(txt + n - strlen(tail), tail, strlen(tail));
	crawl_robots_init(&r);
	ck_assert_int_eq(crawl_robots_parse(&r, txt, n, "inetkit"), 1);
	ck_assert(!crawl_robots_allowed(&r, "/early", 6));
	ck_assert(crawl_robots_allowed(&r, "/late", 5));
	crawl_robots_fini(&r);
	free(txt);
}
END_TEST

/* Many stars against a long path must stay fast (no exponential
 * backtracking); the test fails by timing out. */
START_TEST(test_star_storm)
{
	char txt[4096], path[8192];
	struct crawl_robots r;
	size_t n = 0;

	n += (size_t)snprintf(txt, sizeof txt, "User-agent: *\nDisallow: /");
	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(txt + n, sizeof txt - n, "*a");
	snprintf(txt + n, sizeof txt - n, "b$\n");
	path[0] = '/';
	memset(path + 1, 'a', sizeof path - 2);
	path[sizeof path - 1] = '\0';
	crawl_robots_init(&r);
	crawl_robots_parse(&r, txt, strlen(txt), "inetkit");
	ck_assert(crawl_robots_allowed(&r, path, strlen(path)));
	crawl_robots_fini(&r);
}
END_TEST

static Suite *
robots_suite(void)
{
	Suite *s = suite_create("crawl_robots");
	TCase *t = tcase_create("crawl_robots");

	tcase_set_timeout(t, 60);
	tcase_add_loop_test(t, test_cases, 0, N(cases));
	tcase_add_test(t, test_init_allows);
	tcase_add_test(t, test_deny_all);
	tcase_add_loop_test(t, test_delay, 0, N(delays));
	tcase_add_test(t, test_size_limit);
	tcase_add_test(t, test_star_storm);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return unit_run(robots_suite());
}
