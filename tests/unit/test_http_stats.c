/* Unit tests of src/http/http_stats*.c: the latency buckets (every
 * duration in the bucket whose bounds hold it, no gap, at most 25% wide),
 * the percentiles, the sum over workers, per-vhost indexes, and the JSON
 * and Prometheus documents (whole, or -1 when the buffer is too small,
 * never a byte past it). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_site.h"
#include "http/http_stats.h"
#include "unit.h"

/* The first duration of bucket i (the bound of the one before). */
static uint64_t
lower(unsigned i)
{
	return i == 0 ? 0 : http_stats_lat_bound(i - 1);
}

START_TEST(test_buckets)
{
	for (unsigned i = 0; i + 1 < HTTP_STATS_LAT_BUCKETS; i++) {
		uint64_t lo = lower(i), hi = http_stats_lat_bound(i);
		ck_assert_uint_lt(lo, hi);
		ck_assert_uint_eq(http_stats_lat_index(lo), i);
		ck_assert_uint_eq(http_stats_lat_index(hi - 1), i);
		if (lo >= 4)	/* four per power of two */
			ck_assert_uint_le((hi - lo) * 4, lo);
	}
	/* past 2^32 us, the last bucket */
	ck_assert_uint_eq(http_stats_lat_index(UINT64_MAX),
			  HTTP_STATS_LAT_BUCKETS - 1);
	ck_assert_uint_eq(http_stats_lat_index((uint64_t)1 << 40),
			  HTTP_STATS_LAT_BUCKETS - 1);
	ck_assert_uint_eq(http_stats_lat_index(0), 0);
	ck_assert_uint_eq(http_stats_lat_index(100),
			  http_stats_lat_index(96));
}
END_TEST

static struct http_stats_page *
page_with(int workers, struct http_stats **w)
{
	struct http_stats_page *p = http_stats_page_new("/.status", workers);

	ck_assert_ptr_nonnull(p);
	for (int i = 0; i < workers; i++) {
		w[i] = http_stats_claim(p, NULL);
		ck_assert_ptr_nonnull(w[i]);
	}
	ck_assert_ptr_null(http_stats_claim(p, NULL));
	return p;
}

START_TEST(test_sum_and_percentiles)
{
	struct http_stats *w[2], t;
	struct http_stats_page *p = page_with(2, w);

	/* 90 quick ones on one worker, 10 slow ones on the other */
	for (int i = 0; i < 90; i++) {
		http_stats_count_reply(w[0], 200, 100, HTTP_STATS_VHOST_DEFAULT);
		http_stats_count_time(w[0], 50);
	}
	for (int i = 0; i < 10; i++) {
		http_stats_count_reply(w[1], 404, 7, HTTP_STATS_VHOST_OTHER);
		http_stats_count_time(w[1], 20000);
	}
	http_stats_count_time(w[1], -5);	/* a clock step: 0 */
	http_stats_sum(p, &t);
	ck_assert_uint_eq(t.requests, 100);
	ck_assert_uint_eq(t.bytes, 9070);
	ck_assert_uint_eq(t.status[2], 90);
	ck_assert_uint_eq(t.status[4], 10);
	ck_assert_uint_eq(t.vhost_requests[HTTP_STATS_VHOST_DEFAULT], 90);
	ck_assert_uint_eq(t.vhost_bytes[HTTP_STATS_VHOST_OTHER], 70);
	ck_assert_uint_eq(t.lat_count, 101);
	ck_assert_uint_eq(t.lat_sum_us, 90 * 50 + 10 * 20000);
	ck_assert_uint_eq(t.lat[0], 1);
	http_stats_page_free(p);
}
END_TEST

START_TEST(test_documents)
{
	struct http_stats *w[1];
	struct http_stats_page *p = page_with(1, w);
	char *big = malloc(65536), small[300];
	int n;

	for (int i = 0; i < 37; i++) {
		http_stats_count_reply(w[0], 200, 1000, HTTP_STATS_VHOST_DEFAULT);
		http_stats_count_time(w[0], 300);
	}
	n = http_stats_json(p, big, 65536);
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(strlen(big), (size_t)n);
	ck_assert_ptr_nonnull(strstr(big, "\"requests\":37,\"bytes\":37000,"));
	ck_assert_ptr_nonnull(strstr(big, "\"p50_us\":320,"));
	ck_assert_ptr_nonnull(strstr(big, "{\"name\":\"default\","
				     "\"requests\":37,\"bytes\":37000}"));
	n = http_stats_prometheus(p, big, 65536);
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_nonnull(strstr(big, "\ninetkit_http_requests_total"
				     "{code=\"2xx\"} 37\n"));
	ck_assert_ptr_nonnull(strstr(big, "\ninetkit_http_request_duration_"
				     "seconds_bucket{le=\"0.000256\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(big, "\ninetkit_http_request_duration_"
				     "seconds_bucket{le=\"0.000512\"} 37\n"));
	ck_assert_ptr_nonnull(strstr(big, "\ninetkit_http_request_duration_"
				     "seconds_sum 0.011100\n"));
	/* too small: -1, and nothing written past the end */
	memset(small, 'x', sizeof small);
	ck_assert_int_eq(http_stats_json(p, small, sizeof small - 8), -1);
	ck_assert_int_eq(http_stats_prometheus(p, small, sizeof small - 8), -1);
	for (size_t i = sizeof small - 8; i < sizeof small; i++)
		ck_assert_int_eq(small[i], 'x');
	free(big);
	http_stats_page_free(p);
}
END_TEST

START_TEST(test_vhosts)
{
	struct http_site site;
	struct http_request r = { 0 };

	http_site_init(&site);
	/* no root at all: other */
	ck_assert_int_eq(http_stats_vhost(&site, &r, 1),
			 HTTP_STATS_VHOST_OTHER);
	ck_assert_int_eq(http_site_add(&site, "a.test", "."), 0);
	ck_assert_int_eq(http_site_add(&site, "b.test", "."), 0);
	r.host = (struct http_slice){ "B.test:8080", 11 };
	ck_assert_int_eq(http_stats_vhost(&site, &r, 1), 1);
	ck_assert_int_eq(http_stats_vhost(&site, &r, 0),
			 HTTP_STATS_VHOST_OTHER);
	r.host = (struct http_slice){ "c.test", 6 };
	ck_assert_int_eq(http_stats_vhost(&site, &r, 1),
			 HTTP_STATS_VHOST_OTHER);
	ck_assert_int_eq(http_site_add(&site, NULL, "."), 0);
	ck_assert_int_eq(http_stats_vhost(&site, &r, 1),
			 HTTP_STATS_VHOST_DEFAULT);
	/* the first worker names them for the page */
	struct http_stats_page *p = http_stats_page_new("/s", 2);
	ck_assert_ptr_nonnull(http_stats_claim(p, &site));
	char *out = malloc(65536);
	ck_assert_int_gt(http_stats_prometheus(p, out, 65536), 0);
	ck_assert_ptr_nonnull(strstr(out, "inetkit_http_vhost_requests_total"
				     "{vhost=\"b.test\"} 0\n"));
	free(out);
	http_stats_page_free(p);
	http_site_fini(&site);
}
END_TEST

static Suite *
stats_suite(void)
{
	Suite *s = suite_create("http_stats");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_buckets);
	tcase_add_test(tc, test_sum_and_percentiles);
	tcase_add_test(tc, test_documents);
	tcase_add_test(tc, test_vhosts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(stats_suite());
}
