/* Unit tests of the worker's file cache (http_cache.c) through the
 * responder: cached replies equal uncached ones; a file changed, deleted,
 * created or replaced by a symlink out of the root is seen at the next
 * loop iteration (clock_update() starts one); the entries are bounded. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "http/http_autoindex.h"
#include "http/http_cache.h"
#include "http/http_file.h"
#include "unit.h"

static char root[64];
static struct http_site site;
static struct http_request req;
static struct http_reply rep;
static struct http_file_scratch scratch;
static char out[HTTP_OUT_SIZE];
static struct buf page;
static char text[HTTP_OUT_SIZE + 1];

static void
path_of(char *p, size_t n, const char *name)
{
	snprintf(p, n, "%s/%s", root, name);
}

static void
put(const char *name, const char *content)
{
	char p[256];

	path_of(p, sizeof p, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
}

static void
setup(void)
{
	char p[256];

	strcpy(root, "/tmp/inetkit-cache-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	path_of(p, sizeof p, "dir");
	mkdir(p, 0755);
	put("index.html", "<h1>home</h1>\n");
	put("a.txt", "0123456789abcdefghij");
	put("dir/index.html", "dir index\n");
	put("page.html", "plain page");
	put("page.html.gz", "GZ");
	http_site_init(&site);
	ck_assert_int_eq(http_site_add(&site, NULL, root), 0);
	buf_init(&page, HTTP_AUTOINDEX_MAX);
	http_reply_init(&rep, out, &page);
	scratch.cache = http_cache_new();
	ck_assert_ptr_nonnull(scratch.cache);
	clock_update();
}

static void
teardown(void)
{
	char cmd[128];

	http_reply_fini(&rep);
	http_cache_free(scratch.cache);
	scratch.cache = NULL;
	http_site_fini(&site);
	buf_fini(&page);
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	ck_assert_int_eq(system(cmd), 0);
}

/* Runs one GET; text holds the head and the in-buffer body without the
 * Date line (which may change between two calls). */
static int
get(const char *path, const char *extra)
{
	static char request[512];

	snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n",
		 path, extra);
	http_request_init(&req);
	ck_assert_int_gt(http_parse_request(&req, request, strlen(request)),
			 0);
	http_reply_fini(&rep);
	http_file_respond(&site, &req, &scratch, &rep);
	memcpy(text, rep.out, rep.out_len);
	text[rep.out_len] = '\0';
	char *d = strstr(text, "\r\nDate: ");
	if (d) {
		char *e = strstr(d + 2, "\r\n");
		memmove(d, e, strlen(e) + 1);
	}
	return rep.status;
}

static const struct {
	const char *path, *extra;
} same[] = {
	{ "/", "" }, { "/a.txt", "" }, { "/dir/", "" }, { "/dir", "" },
	{ "/missing", "" }, { "/a.txt", "Range: bytes=2-4\r\n" },
	{ "/a.txt", "Range: bytes=0-1,5-6\r\n" },
	{ "/a.txt", "If-None-Match: *\r\n" },
	{ "/page.html", "Accept-Encoding: gzip, br\r\n" },
	{ "/page.html", "Accept-Encoding: gzip;q=0\r\n" },
	{ "/nodir/x", "" }, { "/a.txt/", "" },
};

/* The same reply with and without the cache, and from a hit. */
START_TEST(test_cached_equals_uncached)
{
	static char plain[HTTP_OUT_SIZE + 1];
	struct http_cache *c = scratch.cache;

	scratch.cache = NULL;
	int s0 = get(same[_i].path, same[_i].extra);
	strcpy(plain, text);
	scratch.cache = c;
	for (int k = 0; k < 3; k++) {
		ck_assert_int_eq(get(same[_i].path, same[_i].extra), s0);
		ck_assert_str_eq(text, plain);
		if (k == 1)
			clock_update();
	}
}
END_TEST

START_TEST(test_change_seen_next_iteration)
{
	char p[256];

	ck_assert_int_eq(get("/a.txt", ""), 200);
	ck_assert(strstr(text, "0123456789abcdefghij"));
	put("a.txt", "changed");
	/* the same iteration: the entry holds */
	get("/a.txt", "");
	ck_assert(strstr(text, "0123456789abcdefghij"));
	clock_update();
	ck_assert_int_eq(get("/a.txt", ""), 200);
	ck_assert(strstr(text, "Content-Length: 7\r\n"));
	ck_assert(strstr(text, "\r\n\r\nchanged"));
	/* replaced by rename, as editors and deploy tools do */
	put("b.tmp", "renamed in place");
	char q[256];
	path_of(p, sizeof p, "b.tmp");
	path_of(q, sizeof q, "a.txt");
	ck_assert_int_eq(rename(p, q), 0);
	clock_update();
	get("/a.txt", "");
	ck_assert(strstr(text, "\r\n\r\nrenamed in place"));
}
END_TEST

START_TEST(test_deleted_then_created)
{
	char p[256];

	ck_assert_int_eq(get("/a.txt", ""), 200);
	path_of(p, sizeof p, "a.txt");
	ck_assert_int_eq(unlink(p), 0);
	clock_update();
	ck_assert_int_eq(get("/a.txt", ""), 404);
	ck_assert_int_eq(get("/new.txt", ""), 404);
	put("new.txt", "new");
	clock_update();
	ck_assert_int_eq(get("/new.txt", ""), 200);
	ck_assert(strstr(text, "\r\n\r\nnew"));
}
END_TEST

START_TEST(test_symlink_out_refused)
{
	char p[256];

	ck_assert_int_eq(get("/a.txt", ""), 200);
	path_of(p, sizeof p, "a.txt");
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(symlink("/etc/passwd", p), 0);
	clock_update();
	ck_assert_int_eq(get("/a.txt", ""), 404);
}
END_TEST

/* A large file leaves by sendfile from a descriptor the reply owns: the
 * cache may close its own meanwhile. */
START_TEST(test_large_file_own_descriptor)
{
	char p[256], big[HTTP_SMALL_BODY + 100];
	struct stat st;

	memset(big, 'b', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	put("big.txt", big);
	ck_assert_int_eq(get("/big.txt", ""), 200);
	ck_assert_int_eq(rep.nsegs, 2);
	ck_assert_int_eq(rep.segs[1].kind, HTTP_SEG_FILE);
	int fd = rep.fd;
	ck_assert_int_ge(fd, 0);
	rep.fd = -1;	/* keep it beyond the next reply */
	path_of(p, sizeof p, "big.txt");
	ck_assert_int_eq(unlink(p), 0);
	clock_update();
	ck_assert_int_eq(get("/big.txt", ""), 404);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, (off_t)sizeof big - 1);
	close(fd);
}
END_TEST

static int
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

START_TEST(test_bounded)
{
	char name[32];
	int before = open_fds();

	for (int i = 0; i < HTTP_CACHE_ENTRIES + 50; i++) {
		snprintf(name, sizeof name, "f%d.txt", i);
		put(name, name);
		snprintf(name, sizeof name, "/f%d.txt", i);
		ck_assert_int_eq(get(name, ""), 200);
	}
	ck_assert_int_le(open_fds() - before, HTTP_CACHE_ENTRIES);
	/* the first ones were dropped and come back */
	ck_assert_int_eq(get("/f0.txt", ""), 200);
	ck_assert(strstr(text, "\r\n\r\nf0.txt"));
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

int
main(void)
{
	Suite *s = suite_create("http_cache");
	TCase *tc = tcase_create("cache");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_cached_equals_uncached, 0, N(same));
	tcase_add_test(tc, test_change_seen_next_iteration);
	tcase_add_test(tc, test_deleted_then_created);
	tcase_add_test(tc, test_symlink_out_refused);
	tcase_add_test(tc, test_large_file_own_descriptor);
	tcase_add_test(tc, test_bounded);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
