/* Unit tests of src/core: buffers (limits, compaction, consume), the timer
 * heap (order, re-arm, delete, many timers), the loop's stop protocol, the
 * HTTP date, and error strings. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/loop.h"
#include "unit.h"

START_TEST(buf_append_within_max)
{
	struct buf b;

	buf_init(&b, 16);
	ck_assert_int_eq(buf_append(&b, "hello", 5), 0);
	ck_assert_int_eq(buf_append(&b, " world", 6), 0);
	ck_assert_uint_eq(buf_size(&b), 11);
	ck_assert(memcmp(buf_data(&b), "hello world", 11) == 0);
	ck_assert_int_eq(buf_append(&b, "123456", 6), ERR_TOOBIG);
	ck_assert_uint_eq(buf_size(&b), 11);
	ck_assert_int_eq(buf_append(&b, "12345", 5), 0);
	ck_assert_uint_eq(buf_size(&b), 16);
	buf_fini(&b);
}
END_TEST

START_TEST(buf_consume_then_reuse_room)
{
	struct buf b;

	buf_init(&b, 8);
	ck_assert_int_eq(buf_append(&b, "abcdefgh", 8), 0);
	buf_consume(&b, 6);
	ck_assert_uint_eq(buf_size(&b), 2);
	/* 6 bytes were consumed: appending 6 compacts instead of failing. */
	ck_assert_int_eq(buf_append(&b, "123456", 6), 0);
	ck_assert(memcmp(buf_data(&b), "gh123456", 8) == 0);
	buf_consume(&b, 8);
	ck_assert_uint_eq(buf_size(&b), 0);
	ck_assert_uint_eq(b.off, 0);
	buf_fini(&b);
}
END_TEST

START_TEST(buf_printf_long_and_short)
{
	struct buf b;
	char big[600];

	buf_init(&b, 4096);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ck_assert_int_eq(buf_printf(&b, "n=%d;", 42), 0);
	ck_assert_int_eq(buf_printf(&b, "%s", big), 0);
	ck_assert_uint_eq(buf_size(&b), 5 + 599);
	ck_assert(memcmp(buf_data(&b), "n=42;xxx", 8) == 0);
	buf_fini(&b);
}
END_TEST

START_TEST(buf_printf_over_max)
{
	struct buf b;

	buf_init(&b, 4);
	ck_assert_int_eq(buf_printf(&b, "%s", "too long"), ERR_TOOBIG);
	ck_assert_uint_eq(buf_size(&b), 0);
	buf_fini(&b);
}
END_TEST

struct fired {
	int order[64];
	int n;
};
struct tagged {
	struct loop_timer t;
	struct fired *log;
	int tag;
};

static void
record_fire(struct loop *l, void *arg)
{
	struct tagged *x = arg;

	x->log->order[x->log->n++] = x->tag;
	if (x->log->n == 3)
		loop_stop(l, 0);
}

START_TEST(timers_fire_in_deadline_order)
{
	struct loop *l = loop_new();
	struct fired log = { .n = 0 };
	struct tagged t[4];
	int64_t after[4] = { 30, 10, 20, 5000 };

	ck_assert_ptr_nonnull(l);
	for (int i = 0; i < 4; i++) {
		t[i] = (struct tagged){ .log = &log, .tag = i };
		loop_timer_init(&t[i].t, record_fire, &t[i]);
		loop_timer_set(l, &t[i].t, after[i]);
	}
	loop_run(l);
	ck_assert_int_eq(log.n, 3);
	ck_assert_int_eq(log.order[0], 1);
	ck_assert_int_eq(log.order[1], 2);
	ck_assert_int_eq(log.order[2], 0);
	ck_assert(loop_timer_is_armed(&t[3].t));
	loop_timer_del(l, &t[3].t);
	ck_assert(!loop_timer_is_armed(&t[3].t));
	loop_free(l);
}
END_TEST

START_TEST(timers_rearm_and_delete)
{
	struct loop *l = loop_new();
	struct fired log = { .n = 0 };
	struct tagged t[3];

	for (int i = 0; i < 3; i++) {
		t[i] = (struct tagged){ .log = &log, .tag = i };
		loop_timer_init(&t[i].t, record_fire, &t[i]);
		loop_timer_set(l, &t[i].t, 10 * (i + 1));
	}
	loop_timer_set(l, &t[0].t, 40);	/* pushed back: now last */
	loop_timer_del(l, &t[1].t);
	loop_timer_del(l, &t[1].t);	/* harmless twice */
	struct tagged stop = { .log = &log, .tag = 9 };
	loop_timer_init(&stop.t, record_fire, &stop);
	loop_timer_set(l, &stop.t, 50);
	loop_run(l);
	ck_assert_int_eq(log.n, 3);
	ck_assert_int_eq(log.order[0], 2);
	ck_assert_int_eq(log.order[1], 0);
	ck_assert_int_eq(log.order[2], 9);
	loop_free(l);
}
END_TEST

/* Tens of thousands armed, many re-armed and deleted: the heap must still
 * hand them out in order. */
static int64_t heap_last;
static int heap_count, heap_bad;
static void
heap_check(struct loop *l, void *arg)
{
	struct loop_timer *t = arg;

	if (t->when < heap_last)
		heap_bad++;
	heap_last = t->when;
	heap_count++;
}

static void
stop_now(struct loop *l, void *arg)
{
	loop_stop(l, 0);
}

START_TEST(timers_many_stay_ordered)
{
	enum { N = 20000 };
	struct loop *l = loop_new();
	struct loop_timer *ts = calloc(N, sizeof *ts), end;

	srand(7);
	for (int i = 0; i < N; i++) {
		loop_timer_init(&ts[i], heap_check, &ts[i]);
		loop_timer_set(l, &ts[i], rand() % 40);
	}
	for (int i = 0; i < N; i += 3)
		loop_timer_set(l, &ts[i], rand() % 40);
	for (int i = 1; i < N; i += 5)
		loop_timer_del(l, &ts[i]);
	loop_timer_init(&end, stop_now, NULL);
	loop_timer_set(l, &end, 200);
	loop_run(l);
	ck_assert_int_eq(heap_bad, 0);
	ck_assert_int_eq(heap_count, N - N / 5);
	free(ts);
	loop_free(l);
}
END_TEST

static void
on_pipe(struct loop *l, int fd, int events, void *arg)
{
	char c;

	if (read(fd, &c, 1) == 1)
		*(int *)arg += c;
	loop_del_fd(l, fd);
}

START_TEST(loop_drains_until_no_fd_left)
{
	struct loop *l = loop_new();
	int p[2], got = 0;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(loop_add_fd_read(l, p[0], on_pipe, &got), 0);
	ck_assert_uint_eq(loop_fd_count(l), 1);
	loop_stop_async(l, 5000);
	ck_assert_int_eq(write(p[1], "\x05", 1), 1);
	loop_run(l);
	/* The stop waited for the descriptor that was still registered. */
	ck_assert_int_eq(got, 5);
	ck_assert_uint_eq(loop_fd_count(l), 0);
	close(p[0]);
	close(p[1]);
	loop_free(l);
}
END_TEST

START_TEST(http_date_format)
{
	char out[32];

	clock_format_http_date(784111777, out);
	ck_assert_str_eq(out, "Sun, 06 Nov 1994 08:49:37 GMT");
	clock_format_http_date(0, out);
	ck_assert_str_eq(out, "Thu, 01 Jan 1970 00:00:00 GMT");
	ck_assert_uint_eq(strlen(clock_http_date()), 29);
}
END_TEST

START_TEST(err_strings)
{
	ck_assert_str_eq(err_str(ERR_TOOBIG), "limit exceeded");
	ck_assert_str_eq(err_str(-ECONNREFUSED), strerror(ECONNREFUSED));
	ck_assert_str_eq(err_str(-999999), "unknown error");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, buf_append_within_max);
	tcase_add_test(tc, buf_consume_then_reuse_room);
	tcase_add_test(tc, buf_printf_long_and_short);
	tcase_add_test(tc, buf_printf_over_max);
	tcase_add_test(tc, timers_fire_in_deadline_order);
	tcase_add_test(tc, timers_rearm_and_delete);
	tcase_add_test(tc, timers_many_stay_ordered);
	tcase_add_test(tc, loop_drains_until_no_fd_left);
	tcase_add_test(tc, http_date_format);
	tcase_add_test(tc, err_strings);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
