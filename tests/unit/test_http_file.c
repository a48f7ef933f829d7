/* Unit tests of the static-file responder (src/http/http_file.c and its
 * helpers): path cleaning, ranges, dates, MIME types, and whole replies
 * over a temporary document root. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "http/http_autoindex.h"
#include "http/http_date.h"
#include "http/http_file.h"
#include "http/http_mime.h"
#include "http/http_path.h"
#include "http/http_range.h"
#include "unit.h"

static const struct {
	const char *in;
	const char *out;	/* NULL: refused */
} paths[] = {
	{ "/", "/" },
	{ "/a/b", "/a/b" },
	{ "/a/b/", "/a/b/" },
	{ "/a//b", "/a/b" },
	{ "/a/./b/.", "/a/b/" },
	{ "/a/../b", "/b" },
	{ "/a/b/..", "/a/" },
	{ "/%61%2e%2E/x", "/a../x" },
	{ "/%2e%2e/x", NULL },
	{ "/..", NULL },
	{ "/a/../../b", NULL },
	{ "/a%00b", NULL },
	{ "/a%2fb", NULL },
	{ "/a%2Fb", NULL },
	{ "/a%zz", NULL },
	{ "/a%4", NULL },
	{ "/sp%20ace", "/sp ace" },
	{ "a", NULL },
};

START_TEST(test_path_clean)
{
	char out[64];
	ssize_t n = http_path_clean(paths[_i].in, strlen(paths[_i].in), out,
				    sizeof out);

	if (paths[_i].out == NULL) {
		ck_assert_msg(n < 0, "%s accepted as %s", paths[_i].in, out);
		return;
	}
	ck_assert_msg(n >= 0, "%s refused", paths[_i].in);
	ck_assert_str_eq(out, paths[_i].out);
	ck_assert_uint_eq((size_t)n, strlen(paths[_i].out));
}
END_TEST

START_TEST(test_hidden_and_mime)
{
	ck_assert(http_path_is_hidden("/.git/config"));
	ck_assert(http_path_is_hidden("/a/.htpasswd"));
	ck_assert(!http_path_is_hidden("/a.b/c"));
	ck_assert_str_eq(http_mime_type("/x/index.HTML", 13),
			 "text/html; charset=utf-8");
	ck_assert_str_eq(http_mime_type("a.png", 5), "image/png");
	ck_assert_str_eq(http_mime_type("a.tar.gz", 8), "application/gzip");
	ck_assert_str_eq(http_mime_type("README", 6),
			 "application/octet-stream");
	ck_assert_str_eq(http_mime_type("dir.css/x", 9),
			 "application/octet-stream");
}
END_TEST

static const struct {
	const char *in;
	int rc;
	uint64_t first, last;	/* of the first range */
} ranges[] = {
	{ "bytes=0-9", 1, 0, 9 },
	{ "bytes=10-", 1, 10, 99 },
	{ "bytes=-10", 1, 90, 99 },
	{ "bytes=-1000", 1, 0, 99 },
	{ "bytes=90-1000", 1, 90, 99 },
	{ "bytes=0-9,20-29", 2, 0, 9 },
	{ "bytes=20-29, 0-9", 2, 0, 9 },
	{ "bytes=0-9,5-15,16-20", 1, 0, 20 },
	{ "bytes=0-0,0-0,0-0,0-0", 1, 0, 0 },
	{ "bytes=100-", ERR_RANGE, 0, 0 },
	{ "bytes=-0", ERR_RANGE, 0, 0 },
	{ "bytes=100-200, 300-", ERR_RANGE, 0, 0 },
	{ "bytes=100-200, 5-6", 1, 5, 6 },
	{ "bytes=9-1", 0, 0, 0 },
	{ "bytes=a-b", 0, 0, 0 },
	{ "items=0-1", 0, 0, 0 },
	{ "bytes=", 0, 0, 0 },
	{ "bytes=0-1;", 0, 0, 0 },
	{ "bytes=0-1,2-3,4-5,6-7,8-9,10-11,12-13,14-15,16-17,18-19,20-21,"
	  "22-23,24-25,26-27,28-29,30-31,32-33", 1, 0, 33 },
	{ "bytes=0-0,2-2,4-4,6-6,8-8,10-10,12-12,14-14,16-16,18-18,20-20,"
	  "22-22,24-24,26-26,28-28,30-30,32-32", 0, 0, 0 },
};

START_TEST(test_ranges)
{
	struct http_range r[HTTP_MAX_RANGES];
	struct http_slice v = { ranges[_i].in, strlen(ranges[_i].in) };
	int rc = http_range_parse(v, 100, r);

	ck_assert_msg(rc == ranges[_i].rc, "%s: %d", ranges[_i].in, rc);
	if (rc > 0) {
		ck_assert_uint_eq(r[0].first, ranges[_i].first);
		ck_assert_uint_eq(r[0].last, ranges[_i].last);
	}
}
END_TEST

START_TEST(test_dates)
{
	const char *ok[] = { "Sun, 06 Nov 1994 08:49:37 GMT",
		"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994" };
	time_t t;

	for (int i = 0; i < 3; i++) {
		struct http_slice v = { ok[i], strlen(ok[i]) };
		ck_assert_int_eq(http_date_parse(v, &t), 0);
		ck_assert_int_eq(t, 784111777);
	}
	struct http_slice bad = { "yesterday", 9 };
	ck_assert_int_eq(http_date_parse(bad, &t), ERR_PARSE);
}
END_TEST

/* Whole replies over a temporary root. */
static char root[64];
static struct http_site site;
static struct http_request req;
static struct http_reply rep;
static struct http_file_scratch scratch;
static char out[HTTP_OUT_SIZE];
static struct buf page;
static char text[HTTP_OUT_SIZE + 1];

static void
put(const char *name, const char *content)
{
	char p[256];

	snprintf(p, sizeof p, "%s/%s", root, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
}

static void
setup(void)
{
	char p[256];

	strcpy(root, "/tmp/inetkit-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(p, sizeof p, "%s/dir", root);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/empty", root);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/.git", root);
	mkdir(p, 0755);
	put("index.html", "<h1>home</h1>\n");
	put("a.txt", "0123456789abcdefghij");
	put("dir/index.html", "dir index\n");
	put(".git/config", "secret");
	put("page.html", "plain page");
	put("page.html.gz", "GZ");
	snprintf(p, sizeof p, "%s/escape", root);
	ck_assert_int_eq(symlink("/etc/passwd", p), 0);
	snprintf(p, sizeof p, "%s/inside", root);
	ck_assert_int_eq(symlink("a.txt", p), 0);
	http_site_init(&site);
	ck_assert_int_eq(http_site_add(&site, NULL, root), 0);
	buf_init(&page, HTTP_AUTOINDEX_MAX);
	http_reply_init(&rep, out, &page);
}

static void
teardown(void)
{
	char cmd[128];

	http_reply_fini(&rep);
	http_site_fini(&site);
	buf_fini(&page);
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	ck_assert_int_eq(system(cmd), 0);
}

/* Runs one request; text holds the head and the in-buffer body. */
static int
respond(const char *request)
{
	http_request_init(&req);
	ck_assert_int_gt(http_parse_request(&req, request, strlen(request)),
			 0);
	http_reply_fini(&rep);
	rep.close = !req.keep_alive;
	http_file_respond(&site, &req, &scratch, &rep);
	memcpy(text, rep.out, rep.out_len);
	text[rep.out_len] = '\0';
	return rep.status;
}

static const struct {
	const char *req;
	int status;
	const char *has;	/* in the head or in-buffer body */
} replies[] = {
	{ "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200, "<h1>home</h1>" },
	{ "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", 200,
	  "Content-Type: text/plain; charset=utf-8\r\n" },
	{ "HEAD /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", 200,
	  "Content-Length: 20\r\n" },
	{ "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n", 404, "404 Not Found" },
	{ "GET /.git/config HTTP/1.1\r\nHost: x\r\n\r\n", 404, "" },
	{ "GET /dir/../.git/config HTTP/1.1\r\nHost: x\r\n\r\n", 404, "" },
	{ "GET /escape HTTP/1.1\r\nHost: x\r\n\r\n", 404, "" },
	{ "GET /inside HTTP/1.1\r\nHost: x\r\n\r\n", 200, "0123456789" },
	{ "GET /../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", 400, "" },
	{ "GET /a%00 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "" },
	{ "GET /dir HTTP/1.1\r\nHost: x\r\n\r\n", 301, "Location: /dir/\r\n" },
	{ "GET /dir?q=1 HTTP/1.1\r\nHost: x\r\n\r\n", 301,
	  "Location: /dir/?q=1\r\n" },
	{ "GET /dir/ HTTP/1.1\r\nHost: x\r\n\r\n", 200, "dir index" },
	{ "GET /empty/ HTTP/1.1\r\nHost: x\r\n\r\n", 403, "" },
	{ "POST / HTTP/1.1\r\nHost: x\r\n\r\n", 405,
	  "Allow: GET, HEAD, OPTIONS\r\n" },
	{ "BREW / HTTP/1.1\r\nHost: x\r\n\r\n", 501, "" },
	{ "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 200,
	  "Allow: GET, HEAD, OPTIONS\r\n" },
	{ "GET /a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=2-4\r\n\r\n", 206,
	  "Content-Range: bytes 2-4/20\r\n" },
	{ "GET /a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=50-\r\n\r\n", 416,
	  "Content-Range: bytes */20\r\n" },
	{ "GET /a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1,5-6\r\n\r\n",
	  206, "Content-Range: bytes 5-6/20\r\n" },
	{ "HEAD /a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\n\r\n", 200,
	  "" },
	{ "GET /a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\n"
	  "If-Range: \"nope\"\r\n\r\n", 200, "" },
	{ "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: *\r\n\r\n", 304,
	  "ETag: \"" },
	{ "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"x\"\r\n\r\n",
	  200, "" },
	{ "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-Match: \"x\"\r\n\r\n", 412, "" },
	{ "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-Match: *\r\n\r\n", 200, "" },
	{ "GET /a.txt HTTP/1.1\r\nHost: x\r\n"
	  "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n\r\n", 304, "" },
	{ "GET /a.txt HTTP/1.1\r\nHost: x\r\n"
	  "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n", 200, "" },
	{ "GET /a.txt HTTP/1.1\r\nHost: x\r\n"
	  "If-Unmodified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n", 412,
	  "" },
	{ "GET /page.html HTTP/1.1\r\nHost: x\r\n"
	  "Accept-Encoding: gzip, br\r\n\r\n", 200,
	  "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n" },
	{ "GET /page.html HTTP/1.1\r\nHost: x\r\n"
	  "Accept-Encoding: gzip;q=0\r\n\r\n", 200, "plain page" },
	{ "GET /page.html HTTP/1.1\r\nHost: x\r\n\r\n", 200, "plain page" },
	{ "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 200,
	  "Connection: close\r\n" },
	{ "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 200,
	  "Connection: keep-alive\r\n" },
};

START_TEST(test_replies)
{
	int status = respond(replies[_i].req);

	ck_assert_msg(status == replies[_i].status, "%s: %d\n%s",
		      replies[_i].req, status, text);
	ck_assert_msg(strstr(text, replies[_i].has), "%s: no '%s' in\n%s",
		      replies[_i].req, replies[_i].has, text);
	ck_assert(strstr(text, "\r\nDate: "));
	ck_assert(strstr(text, "\r\nServer: inetkit\r\n"));
	ck_assert(strstr(text, "\r\nContent-Length: "));
}
END_TEST

START_TEST(test_multipart)
{
	respond("GET /a.txt HTTP/1.1\r\nHost: x\r\n"
		"Range: bytes=0-1, 10-11\r\n\r\n");
	ck_assert_int_eq(rep.status, 206);
	ck_assert(strstr(text, "multipart/byteranges; boundary="));
	/* head, part head, file, part head, file, end */
	ck_assert_int_eq(rep.nsegs, 5);
	ck_assert_int_eq(rep.segs[1].kind, HTTP_SEG_FILE);
	ck_assert_uint_eq(rep.segs[3].off, 10);
	uint64_t total = 0;
	for (int i = 1; i < rep.nsegs; i++)
		total += rep.segs[i].len;
	total += rep.segs[0].len - (uint64_t)(strstr(text, "\r\n\r\n") + 4 - text);
	ck_assert_uint_eq(total, rep.body_len);
}
END_TEST

START_TEST(test_autoindex_and_vhost)
{
	char p[256];

	site.autoindex = 1;
	put("empty/<b>&.txt", "x");
	respond("GET /empty/ HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(rep.status, 200);
	ck_assert_int_eq(rep.segs[1].kind, HTTP_SEG_PAGE);
	buf_append(&page, "", 1);
	ck_assert(strstr((char *)buf_data(&page),
			 "<a href=\"%3Cb%3E%26.txt\">&lt;b&gt;&amp;.txt</a>"));
	snprintf(p, sizeof p, "%s/dir", root);
	ck_assert_int_eq(http_site_add(&site, "Www.Example.Test", p), 0);
	respond("GET / HTTP/1.1\r\nHost: www.example.test.:8080\r\n\r\n");
	ck_assert(strstr(text, "dir index"));
	respond("GET / HTTP/1.1\r\nHost: other\r\n\r\n");
	ck_assert(strstr(text, "home"));
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

int
main(void)
{
	Suite *s = suite_create("http_file");
	TCase *tc = tcase_create("pure");
	TCase *tf = tcase_create("files");

	tcase_add_loop_test(tc, test_path_clean, 0, N(paths));
	tcase_add_test(tc, test_hidden_and_mime);
	tcase_add_loop_test(tc, test_ranges, 0, N(ranges));
	tcase_add_test(tc, test_dates);
	tcase_add_checked_fixture(tf, setup, teardown);
	tcase_add_loop_test(tf, test_replies, 0, N(replies));
	tcase_add_test(tf, test_multipart);
	tcase_add_test(tf, test_autoindex_and_vhost);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tf);
	return unit_run(s);
}
