/* Unit tests of src/http/http_encode.c and http_encode_cache.c: the
 * Accept-Encoding table (RFC 9110 section 12.5.3: q-values, "*",
 * identity, ties br > zstd > gzip), the compressible types, --compress
 * values, compression that decodes back, and the cache of variants
 * (compressed once, a changed file compressed again, a zero-byte cache
 * keeps nothing). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "core/err.h"
#include "http/http_encode.h"
#include "http/http_stats.h"
#include "unit.h"

struct ae_case {
	const char *in;
	const char *want;	/* the ranked codings, space-separated */
};

static const struct ae_case ae_cases[] = {
	{ "gzip, deflate, br, zstd", "br zstd gzip" },
	{ "gzip, deflate", "gzip" },
	{ "", "" },
	{ "identity", "" },
	{ "*", "br zstd gzip" },
	{ "*;q=0", "" },
	{ "gzip;q=0.5, br;q=0.8", "br gzip" },
	{ "gzip;q=1, br;q=0.5", "gzip br" },
	{ "br;q=0, *", "zstd gzip" },
	{ "gzip;q=0.5, identity", "" },
	{ "gzip;q=0.5, identity;q=0.5", "gzip" },
	{ "gzip;q=0.5, identity;q=0", "gzip" },
	{ "GZIP;Q=0.5", "gzip" },
	{ "x-gzip", "gzip" },
	{ "gzip;q=1.5", "" },
	{ "gzip;q=1.000", "gzip" },
	{ "gzip;q=1.001", "" },
	{ "gzip;q=0.", "" },
	{ "gzip;q=0.001", "gzip" },
	{ "gzip;q=0.0001", "" },
	{ "gzip;q=", "" },
	{ "gzip;q", "" },
	{ "gzip ; q=0.3 , br", "br gzip" },
	{ "gzip;level=9;q=0.7", "gzip" },
	{ "gzip;foo=\"a,b\";q=0.7, br;q=0.2", "gzip br" },
	{ "gzip;foo=\"a,b;q=0.1, br;q=0.2", "br" },
	{ "gzip;q=0, gzip", "" },
	{ "deflate, compress", "" },
	{ "gzip/x, br", "br" },
	{ "zstd;q=0.9, br;q=0.9, gzip;q=0.9", "br zstd gzip" },
	{ ",,, gzip ,", "gzip" },
	{ "*;q=0.5, gzip", "gzip br zstd" },
	{ "*;q=0.5, identity;q=0.8, gzip", "gzip" },
	{ "br;q=0.2, identity;q=0.1", "br" },
	{ "\tzstd\t", "zstd" },
	{ "gzip;;q=1", "" },
	{ "gzip q=1", "" },
};

static void
ranked(const char *in, unsigned mask, char *out, size_t size)
{
	struct http_slice v = { in, strlen(in) };
	enum http_coding order[HTTP_CODINGS];
	struct http_accept a;
	size_t n = 0;

	http_accept_parse(v, &a);
	int k = http_accept_rank(&a, mask, order);
	out[0] = '\0';
	for (int i = 0; i < k; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%s", i ? " " : "",
				      http_coding_name(order[i]));
}

START_TEST(test_accept_rank)
{
	const struct ae_case *c = &ae_cases[_i];
	char got[64];

	ranked(c->in, HTTP_CODING_ALL, got, sizeof got);
	ck_assert_msg(strcmp(got, c->want) == 0, "'%s': '%s', not '%s'",
		      c->in, got, c->want);
}
END_TEST

START_TEST(test_accept_mask)
{
	char got[64];

	ranked("br, zstd, gzip", HTTP_CODING_BIT(HTTP_CODING_GZIP), got,
	       sizeof got);
	ck_assert_str_eq(got, "gzip");
	ranked("br", HTTP_CODING_BIT(HTTP_CODING_GZIP), got, sizeof got);
	ck_assert_str_eq(got, "");
}
END_TEST

START_TEST(test_types)
{
	static const char *const yes[] = {
		"text/html; charset=utf-8", "text/css; charset=utf-8",
		"text/javascript; charset=utf-8", "application/json",
		"image/svg+xml", "application/wasm", "application/ld+json",
		"application/atom+xml", "font/ttf", "image/x-icon",
	};
	static const char *const no[] = {
		"image/png", "image/jpeg", "font/woff2", "application/zip",
		"application/gzip", "application/octet-stream", "video/mp4",
		"application/pdf", "+xml", "application/jsonx",
	};

	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		ck_assert_msg(http_encode_type_ok(yes[i]), "%s", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		ck_assert_msg(!http_encode_type_ok(no[i]), "%s", no[i]);
}
END_TEST

START_TEST(test_codings_parse)
{
	unsigned m = 99;

	ck_assert_int_eq(http_encode_codings_parse("off", &m), 0);
	ck_assert_uint_eq(m, 0);
	ck_assert_int_eq(http_encode_codings_parse("gzip,br,zstd", &m), 0);
	ck_assert_uint_eq(m, HTTP_CODING_ALL);
	ck_assert_int_eq(http_encode_codings_parse("zstd", &m), 0);
	ck_assert_uint_eq(m, HTTP_CODING_BIT(HTTP_CODING_ZSTD));
	static const char *const bad[] = { "", "gzip,", ",gzip", "deflate",
		"gzip,,br", "identity", "GZIP", "on" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ck_assert_msg(http_encode_codings_parse(bad[i], &m) ==
			      ERR_PARSE, "%s", bad[i]);
}
END_TEST

static char text[20000];

static void
text_fill(void)
{
	for (size_t i = 0; i < sizeof text; i++)
		text[i] = "<p>hello, compressed world</p>\n"[i % 31];
}

START_TEST(test_compress_roundtrip)
{
	static char back[sizeof text];

	text_fill();
	struct http_blob *b = http_encode_compress(HTTP_CODING_GZIP, 6, text,
						   sizeof text);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_lt(b->len, sizeof text / 10);
	z_stream z;
	memset(&z, 0, sizeof z);
	ck_assert_int_eq(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = b->data;
	z.avail_in = (uInt)b->len;
	z.next_out = (Bytef *)back;
	z.avail_out = sizeof back;
	ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
	ck_assert_uint_eq(z.total_out, sizeof text);
	inflateEnd(&z);
	ck_assert(memcmp(back, text, sizeof text) == 0);
	http_blob_put(b);

	b = http_encode_compress(HTTP_CODING_ZSTD, 6, text, sizeof text);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(ZSTD_decompress(back, sizeof back, b->data, b->len),
			  sizeof text);
	ck_assert(memcmp(back, text, sizeof text) == 0);
	http_blob_put(b);

	b = http_encode_compress(HTTP_CODING_BR, 6, text, sizeof text);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_lt(b->len, sizeof text / 10);
	http_blob_put(b);
	/* bytes that do not shrink are not worth a coding */
	ck_assert_ptr_null(http_encode_compress(HTTP_CODING_GZIP, 6, "ab", 2));
}
END_TEST

static int
temp_file(struct stat *st)
{
	char name[] = "/tmp/inetkit-encode-XXXXXX";
	int fd = mkstemp(name);

	ck_assert_int_ge(fd, 0);
	unlink(name);
	text_fill();
	ck_assert_int_eq(write(fd, text, sizeof text), (ssize_t)sizeof text);
	ck_assert_int_eq(fstat(fd, st), 0);
	return fd;
}

START_TEST(test_cache_once)
{
	struct http_encode_config cfg;
	struct http_stats stats;
	struct stat st;
	int fd = temp_file(&st);

	memset(&stats, 0, sizeof stats);
	http_encode_config_init(&cfg);
	struct http_encode *e = http_encode_new(&cfg, &stats);
	ck_assert_ptr_nonnull(e);
	struct http_blob *a = http_encode_get(e, &st, fd, NULL,
					      HTTP_CODING_GZIP);
	struct http_blob *b = http_encode_get(e, &st, fd, NULL,
					      HTTP_CODING_GZIP);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_eq(a, b);
	ck_assert_uint_eq(stats.compressed, 1);
	ck_assert_uint_eq(stats.compress_hits, 1);
	struct http_blob *c = http_encode_get(e, &st, fd, NULL,
					      HTTP_CODING_BR);
	ck_assert_ptr_ne(c, a);
	ck_assert_uint_eq(stats.compressed, 2);
	/* a new mtime is a new file */
	st.st_mtim.tv_nsec++;
	struct http_blob *d = http_encode_get(e, &st, fd, NULL,
					      HTTP_CODING_GZIP);
	ck_assert_ptr_ne(d, a);
	ck_assert_uint_eq(stats.compressed, 3);
	http_encode_free(e);
	/* the replies' references outlive the cache */
	ck_assert(memcmp(a->data, d->data, a->len) == 0);
	http_blob_put(a);
	http_blob_put(b);
	http_blob_put(c);
	http_blob_put(d);
	close(fd);
}
END_TEST

START_TEST(test_cache_bounded)
{
	struct http_encode_config cfg;
	struct http_stats stats;
	struct stat st;
	int fd = temp_file(&st);

	memset(&stats, 0, sizeof stats);
	http_encode_config_init(&cfg);
	cfg.cache = 0;
	struct http_encode *e = http_encode_new(&cfg, &stats);
	for (int i = 0; i < 3; i++)
		http_blob_put(http_encode_get(e, &st, fd, NULL,
					      HTTP_CODING_ZSTD));
	ck_assert_uint_eq(stats.compressed, 3);
	ck_assert_uint_eq(stats.compress_hits, 0);
	http_encode_free(e);
	/* room for two variants (each costs its bytes and about 100 more):
	 * the least recently used goes */
	struct http_blob *one = http_encode_compress(HTTP_CODING_GZIP, 6,
						     text, sizeof text);
	cfg.cache = 2 * (one->len + 150);
	http_blob_put(one);
	e = http_encode_new(&cfg, &stats);
	memset(&stats, 0, sizeof stats);
	for (int i = 0; i < 8; i++) {
		st.st_ino = (ino_t)(1000 + i % 4);
		http_blob_put(http_encode_get(e, &st, fd, NULL,
					      HTTP_CODING_GZIP));
	}
	ck_assert_uint_eq(stats.compressed, 8);
	st.st_ino = 1003;
	http_blob_put(http_encode_get(e, &st, fd, NULL, HTTP_CODING_GZIP));
	ck_assert_uint_eq(stats.compress_hits, 1);
	http_encode_free(e);
	close(fd);
}
END_TEST

static Suite *
encode_suite(void)
{
	Suite *s = suite_create("http_encode");
	TCase *tc = tcase_create("encode");

	tcase_add_loop_test(tc, test_accept_rank, 0,
			    sizeof ae_cases / sizeof *ae_cases);
	tcase_add_test(tc, test_accept_mask);
	tcase_add_test(tc, test_types);
	tcase_add_test(tc, test_codings_parse);
	tcase_add_test(tc, test_compress_roundtrip);
	tcase_add_test(tc, test_cache_once);
	tcase_add_test(tc, test_cache_bounded);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(encode_suite());
}
