/* Unit tests of src/net/acceptor.c: every queued connection is accepted on
 * one readiness event, and clients queued while the process is out of
 * descriptors are accepted once descriptors are free again. */
#include <check.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/loop.h"
#include "net/net_acceptor.h"
#include "net/net_sock.h"
#include "unit.h"

struct seen {
	int fds[16];
	int n;
	int want;
};

static void
on_accept(void *arg, int fd, const struct net_addr *peer)
{
	struct seen *s = arg;

	ck_assert_int_eq(net_addr_family(peer), AF_INET);
	s->fds[s->n++] = fd;
}

struct waiter {
	struct loop_timer t;
	struct seen *s;
};

static void
stop_when_done(struct loop *l, void *arg)
{
	struct waiter *w = arg;

	if (w->s->n >= w->s->want)
		loop_stop(l, 0);
	else
		loop_timer_set(l, &w->t, 5);
}

/* A listener on 127.0.0.1 with a free port; its address in *a. */
static int
listener(struct net_addr *a)
{
	ck_assert_int_eq(net_addr_parse("127.0.0.1:0", a), 0);
	int fd = net_listen(a, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(net_local_addr(fd, a), 0);
	return fd;
}

/* Runs l until s has want connections (Check's timeout bounds it). */
static int
run_until(struct loop *l, struct seen *s, int want)
{
	struct waiter w = { .s = s };

	s->want = want;
	loop_timer_init(&w.t, stop_when_done, &w);
	loop_timer_set(l, &w.t, 0);
	loop_run(l);
	return s->n;
}

START_TEST(accepts_every_queued_client)
{
	struct loop *l = loop_new();
	struct net_acceptor a = { 0 };
	struct net_addr addr;
	struct seen s = { .n = 0 };
	int lfd = listener(&addr), clients[5];

	for (int i = 0; i < 5; i++)
		clients[i] = net_connect_timeout(&addr, SOCK_STREAM, 1000);
	ck_assert_int_eq(net_acceptor_start(&a, l, &lfd, 1, "test", on_accept,
					    &s), 0);
	ck_assert_int_eq(run_until(l, &s, 5), 5);
	for (int i = 0; i < 5; i++) {
		close(clients[i]);
		close(s.fds[i]);
	}
	net_acceptor_close(&a);
	net_acceptor_close(&a);	/* harmless twice */
	ck_assert_uint_eq(loop_fd_count(l), 0);
	loop_free(l);
}
END_TEST

static struct rlimit saved_limit;

static void
restore_limit(struct loop *l, void *arg)
{
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &saved_limit), 0);
}

/* Check runs each test in its own process, so the limit stays here. */
START_TEST(retries_after_running_out_of_descriptors)
{
	struct loop *l = loop_new();
	struct net_acceptor a = { 0 };
	struct net_addr addr;
	struct seen s = { .n = 0 };
	struct loop_timer restore;
	int lfd = listener(&addr);
	int client = net_connect_timeout(&addr, SOCK_STREAM, 1000);

	/* Every descriptor below the lowest free one is taken: with the
	 * limit there, accept4 fails with EMFILE and the client stays
	 * queued. */
	getrlimit(RLIMIT_NOFILE, &saved_limit);
	int lowest_free = dup(client);
	close(lowest_free);
	struct rlimit low = { (rlim_t)lowest_free, saved_limit.rlim_max };
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	/* Descriptors come back 30 ms later; no new client arrives, so only
	 * the acceptor's retry timer can find the queued one. */
	loop_timer_init(&restore, restore_limit, NULL);
	loop_timer_set(l, &restore, 30);
	ck_assert_int_eq(net_acceptor_start(&a, l, &lfd, 1, "test", on_accept,
					    &s), 0);
	ck_assert_int_eq(run_until(l, &s, 1), 1);
	close(s.fds[0]);
	close(client);
	net_acceptor_close(&a);
	loop_free(l);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("acceptor");
	TCase *tc = tcase_create("acceptor");

	tcase_add_test(tc, accepts_every_queued_client);
	tcase_add_test(tc, retries_after_running_out_of_descriptors);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
