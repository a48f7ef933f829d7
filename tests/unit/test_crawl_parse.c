/* Unit tests of src/crawl/crawl_parse: jobs parsed on helper threads come
 * back in the loop's thread with the links of their document, every job
 * exactly once; a job run in place gives the same links. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/loop.h"
#include "crawl/crawl_parse.h"
#include "unit.h"

#define JOBS 200

static int seen[JOBS];
static int returned;

static void
make_doc(struct buf *doc, uint32_t i)
{
	buf_init(doc, 1 << 20);
	buf_printf(doc, "<html><base href='/b/'><a href='p%u.html'>x</a>"
		   "<img srcset='i%u.png 1x, j.png 2x'></html>", i, i);
}

static void
check_links(const struct crawl_parse_job *job)
{
	char want[256];
	int n;

	n = snprintf(want, sizeof want, "http://h/b/p%u.html%chttp://h/b/i%u"
		     ".png%chttp://h/b/j.png%c", job->id, 0, job->id, 0, 0);
	ck_assert_int_eq(job->rc, 3);
	ck_assert_uint_eq(buf_size(&job->links), (size_t)n);
	ck_assert(memcmp(buf_data(&job->links), want, (size_t)n) == 0);
}

static void
on_done(void *arg, struct crawl_parse_job *job)
{
	struct loop *l = arg;

	check_links(job);
	seen[job->id]++;
	crawl_parse_job_free(job);
	if (++returned == JOBS)
		loop_stop(l, 0);
}

START_TEST(test_pool)
{
	struct loop *l = loop_new();
	struct crawl_parse_pool *p = crawl_parse_pool_new(l, 3, on_done, l);

	ck_assert_ptr_nonnull(p);
	for (uint32_t i = 0; i < JOBS; i++) {
		struct buf doc;
		struct crawl_parse_job *job;

		make_doc(&doc, i);
		job = crawl_parse_job_new(i, "http://h/x/", 11, &doc);
		ck_assert_ptr_nonnull(job);
		ck_assert_uint_eq(buf_size(&doc), 0);
		crawl_parse_submit(p, job);
	}
	loop_run(l);
	ck_assert_int_eq(returned, JOBS);
	for (int i = 0; i < JOBS; i++)
		ck_assert_int_eq(seen[i], 1);
	crawl_parse_pool_free(p);
	loop_free(l);
}
END_TEST

START_TEST(test_run_in_place)
{
	struct buf doc;
	struct crawl_parse_job *job;

	make_doc(&doc, 7);
	job = crawl_parse_job_new(7, "http://h/x/", 11, &doc);
	crawl_parse_run(job);
	check_links(job);
	crawl_parse_job_free(job);
	buf_fini(&doc);
}
END_TEST

/* Jobs still queued when the pool goes are freed, not leaked. */
START_TEST(test_free_with_jobs)
{
	struct loop *l = loop_new();
	struct crawl_parse_pool *p = crawl_parse_pool_new(l, 1, on_done, l);

	for (uint32_t i = 0; i < 50; i++) {
		struct buf doc;

		make_doc(&doc, i);
		crawl_parse_submit(p, crawl_parse_job_new(i, "http://h/", 9,
							  &doc));
	}
	crawl_parse_pool_free(p);
	loop_free(l);
	ck_assert_int_ge(crawl_parse_cpus(), 1);
}
END_TEST

static Suite *
parse_suite(void)
{
	Suite *s = suite_create("crawl_parse");
	TCase *t = tcase_create("crawl_parse");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_pool);
	tcase_add_test(t, test_run_in_place);
	tcase_add_test(t, test_free_with_jobs);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return unit_run(parse_suite());
}
