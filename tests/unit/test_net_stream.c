/* Unit tests of net_stream, the stream-connection life the DNS TCP and
 * echo engines share: the cap, the pump on each event and the close when
 * it fails, the idle timer, the graceful stop (only connections with
 * nothing left to send close) and the close of all. */
#include <check.h>
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "core/loop.h"
#include "net/net_stream.h"
#include "unit.h"

struct conn {
	struct net_stream s;	/* first */
	int bytes;		/* read by the pump */
};

/* Reads what there is; the peer's close ends the connection. */
static int
pump(struct net_stream *c, int events)
{
	char b[64];

	for (;;) {
		ssize_t n = read(c->fd, b, sizeof b);
		if (n == 0)
			return ERR_CLOSED;
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		((struct conn *)c)->bytes += (int)n;
	}
}

struct until {
	struct loop_timer t;
	struct net_streams *s;
	int n;			/* stop once s->n is this */
	struct conn *c;		/* with c, once it has read bytes: */
	int *peer;		/* close *peer, then wait for n */
};

static void
check(struct loop *l, void *arg)
{
	struct until *u = arg;

	if (u->c && *u->peer >= 0 && u->c->bytes > 0) {
		close(*u->peer);
		*u->peer = -1;
	}
	if (u->s->n == u->n)
		loop_stop(l, 0);
	else
		loop_timer_set(l, &u->t, 2);
}

/* Runs l (once: a loop stopped stays stopping) until s holds n
 * connections, closing *peer first once c has read something (Check's
 * timeout bounds it). */
static void
run_until(struct loop *l, struct net_streams *s, int n, struct conn *c,
	  int *peer)
{
	struct until u = { .s = s, .n = n, .c = c, .peer = peer };

	loop_timer_init(&u.t, check, &u);
	loop_timer_set(l, &u.t, 0);
	loop_run(l);
	loop_timer_del(l, &u.t);
}

static void
pair(int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
				    SOCK_CLOEXEC, 0, sv), 0);
}

START_TEST(cap_pump_and_close)
{
	struct loop *l = loop_new();
	struct net_streams s;
	int a[2], b[2], c[2];
	char x;

	net_streams_init(&s, l, sizeof(struct conn), 2, 60000, 1024, 1024,
			 pump, NULL);
	pair(a);
	pair(b);
	pair(c);
	struct conn *ca = (struct conn *)net_stream_accept(&s, a[0]);
	ck_assert_ptr_nonnull(ca);
	ck_assert_ptr_nonnull(net_stream_accept(&s, b[0]));
	/* Over the cap: refused, and its socket closed. */
	ck_assert_ptr_null(net_stream_accept(&s, c[0]));
	ck_assert_int_eq(read(c[1], &x, 1), 0);
	ck_assert_int_eq(s.n, 2);
	/* Bytes reach the pump; the peer's close then closes the
	 * connection. */
	ck_assert_int_eq(write(a[1], "hello", 5), 5);
	run_until(l, &s, 1, ca, &a[1]);
	ck_assert_int_eq(a[1], -1);
	ck_assert_int_eq(s.n, 1);
	net_streams_close_all(&s);
	ck_assert_int_eq(s.n, 0);
	ck_assert_int_eq(read(b[1], &x, 1), 0);
	close(b[1]);
	close(c[1]);
	loop_free(l);
}
END_TEST

START_TEST(idle_connections_close)
{
	struct loop *l = loop_new();
	struct net_streams s;
	int a[2];
	char x;

	net_streams_init(&s, l, sizeof(struct conn), 8, 20, 1024, 1024, pump,
			 NULL);
	pair(a);
	ck_assert_ptr_nonnull(net_stream_accept(&s, a[0]));
	run_until(l, &s, 0, NULL, NULL);
	ck_assert_int_eq(s.n, 0);
	ck_assert_int_eq(read(a[1], &x, 1), 0);
	close(a[1]);
	loop_free(l);
}
END_TEST

START_TEST(stop_keeps_what_has_bytes_to_send)
{
	struct loop *l = loop_new();
	struct net_streams s;
	int a[2], b[2];

	net_streams_init(&s, l, sizeof(struct conn), 8, 60000, 1024, 1024,
			 pump, NULL);
	pair(a);
	pair(b);
	ck_assert_ptr_nonnull(net_stream_accept(&s, a[0]));
	struct net_stream *cb = net_stream_accept(&s, b[0]);
	ck_assert_int_eq(buf_append(&cb->out, "queued", 6), 0);
	net_streams_stop(&s);
	ck_assert_int_eq(s.n, 1);
	ck_assert_ptr_eq(LIST_FIRST(&s.list), cb);
	net_streams_close_all(&s);
	ck_assert_int_eq(s.n, 0);
	close(a[1]);
	close(b[1]);
	loop_free(l);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("net_stream");
	TCase *tc = tcase_create("stream");

	tcase_add_test(tc, cap_pump_and_close);
	tcase_add_test(tc, idle_connections_close);
	tcase_add_test(tc, stop_keeps_what_has_bytes_to_send);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
