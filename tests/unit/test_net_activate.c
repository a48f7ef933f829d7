/* Unit tests of src/net/net_activate.c and src/core/notify.c: the
 * variables of socket activation (LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES)
 * and the address of $NOTIFY_SOCKET, each accepted and refused form; and
 * one message through a real datagram socket. */
#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/err.h"
#include "core/notify.h"
#include "net/net_activate.h"
#include "unit.h"

struct env_case {
	const char *pid, *fds, *names;
	int rc;
	const char *name0, *name1;
};

static const struct env_case env_cases[] = {
	{ NULL, NULL, NULL, 0, NULL, NULL },		/* no activation */
	{ "42", "2", NULL, 2, "", "" },
	{ "42", "2", "http:dns", 2, "http", "dns" },
	{ "42", "2", "http:", 2, "http", "" },
	{ "42", "1", "", 1, "", NULL },
	{ "42", "0", NULL, 0, NULL, NULL },
	{ "43", "2", "http:dns", 0, NULL, NULL },	/* another process */
	{ NULL, "2", NULL, 0, NULL, NULL },
	{ "x", "2", NULL, 0, NULL, NULL },
	{ "42", "", NULL, ERR_PARSE, NULL, NULL },
	{ "42", "-1", NULL, ERR_PARSE, NULL, NULL },
	{ "42", "2x", NULL, ERR_PARSE, NULL, NULL },
	{ "42", "99999999999", NULL, ERR_PARSE, NULL, NULL },
	{ "42", "65", NULL, ERR_TOOBIG, NULL, NULL },
	{ "42", "2", "http", ERR_PARSE, NULL, NULL },	/* one name short */
	{ "42", "1", "http:dns", ERR_PARSE, NULL, NULL },
	{ "42", "1", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaa", 1, NULL, NULL },			/* 64 bytes: cut */
};

START_TEST(test_env_parse)
{
	const struct env_case *c = &env_cases[_i];
	struct net_activate_env *e = malloc(sizeof *e);

	ck_assert_ptr_nonnull(e);
	int rc = net_activate_parse(c->pid, c->fds, c->names, 42, e);
	ck_assert_msg(rc == c->rc, "case %d: %d", _i, rc);
	if (c->name0)
		ck_assert_str_eq(e->names[0], c->name0);
	if (c->name1)
		ck_assert_str_eq(e->names[1], c->name1);
	free(e);
}
END_TEST

struct addr_case {
	const char *in;
	int rc;
	size_t len;	/* of the address, past sun_family */
};

static const struct addr_case addr_cases[] = {
	{ "/run/systemd/notify", 0, sizeof "/run/systemd/notify" },
	{ "@abstract", 0, sizeof "@abstract" - 1 },
	{ "", ERR_PARSE, 0 },
	{ "@", ERR_PARSE, 0 },
	{ "vsock:2:1234", ERR_UNSUPPORTED, 0 },
	{ "relative/path", ERR_UNSUPPORTED, 0 },
};

START_TEST(test_addr_parse)
{
	const struct addr_case *c = &addr_cases[_i];
	struct sockaddr_un a;
	socklen_t len;

	int rc = notify_addr_parse(c->in, &a, &len);
	ck_assert_int_eq(rc, c->rc);
	if (rc == 0) {
		ck_assert_uint_eq(len, offsetof(struct sockaddr_un, sun_path) +
				  c->len);
		ck_assert_int_eq(a.sun_path[0], c->in[0] == '@' ? 0 : '/');
	}
}
END_TEST

START_TEST(test_addr_too_long)
{
	char path[200];
	struct sockaddr_un a;
	socklen_t len;

	memset(path, 'a', sizeof path - 1);
	path[sizeof path - 1] = '\0';
	path[0] = '/';
	ck_assert_int_eq(notify_addr_parse(path, &a, &len), ERR_PARSE);
	path[sizeof a.sun_path - 1] = '\0';	/* 107 bytes and the NUL */
	ck_assert_int_eq(notify_addr_parse(path, &a, &len), 0);
	path[0] = '@';
	path[sizeof a.sun_path - 1] = 'a';
	path[sizeof a.sun_path] = '\0';		/* 108 bytes, no NUL */
	ck_assert_int_eq(notify_addr_parse(path, &a, &len), 0);
}
END_TEST

/* READY=1 reaches the socket named by the variable, which is then gone. */
START_TEST(test_notify_ready)
{
	char name[64], buf[512];
	struct sockaddr_un a;
	socklen_t len;
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);

	snprintf(name, sizeof name, "@inetkit-unit-notify-%d", (int)getpid());
	ck_assert_int_eq(notify_addr_parse(name, &a, &len), 0);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, len), 0);
	setenv("NOTIFY_SOCKET", name, 1);
	ck_assert_int_eq(notify_open(), 1);
	ck_assert_ptr_null(getenv("NOTIFY_SOCKET"));
	notify_ready("serving");
	ssize_t n = recv(s, buf, sizeof buf - 1, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "READY=1\nSTATUS=serving\nMAINPID="));
	notify_close();
	ck_assert_int_eq(notify_send("READY=1"), 0);	/* closed: no-op */
	close(s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("net_activate");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_env_parse, 0,
			    sizeof env_cases / sizeof env_cases[0]);
	tcase_add_loop_test(tc, test_addr_parse, 0,
			    sizeof addr_cases / sizeof addr_cases[0]);
	tcase_add_test(tc, test_addr_too_long);
	tcase_add_test(tc, test_notify_ready);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
