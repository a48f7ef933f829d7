/* Unit tests of src/net/net_tls*.c: SNI name matching, the failure-log
 * limiter, a whole connection over a memory BIO pair (handshake, data both
 * ways, close_notify), reload keeping the old pair on a bad one, and
 * ticket keys: a ticket resumes under the current and the previous key,
 * not after two rotations. */
#include <check.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "net/net_tls.h"
#include "net/net_tls_cert.h"
#include "unit.h"

START_TEST(test_name_matches)
{
	static const struct {
		const char *pattern, *name;
		int want;
	} cases[] = {
		{ "www.example.test", "www.example.test", 1 },
		{ "www.example.test", "WWW.Example.TEST", 1 },
		{ "www.example.test", "example.test", 0 },
		{ "*.example.test", "a.example.test", 1 },
		{ "*.example.test", "A.EXAMPLE.test", 1 },
		{ "*.example.test", "a.b.example.test", 0 },
		{ "*.example.test", "example.test", 0 },
		{ "*.example.test", ".example.test", 0 },
		{ "*.example.test", "aexample.test", 0 },
		{ "a*.example.test", "ab.example.test", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(net_tls_name_matches(cases[i].pattern,
						   cases[i].name) == cases[i].want,
			      "%s vs %s", cases[i].pattern, cases[i].name);
}
END_TEST

static char dir[64];

/* A server on a fresh local CA's certificate; rotate_s 0: the default. */
static struct net_tls_server *
server_new(int rotate_s)
{
	static char cert[128], key[128];
	struct net_tls_server_config c = { .ncerts = 1,
					   .ticket_rotate_s = rotate_s };
	struct net_tls_server *s;
	char err[NET_TLS_ERR_MAX];
	int made;

	snprintf(dir, sizeof dir, "/tmp/unit_tls.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(net_tls_local_ca(dir, "unit.test", &made, err,
					  sizeof err), 0);
	ck_assert_int_eq(made, 1);
	snprintf(cert, sizeof cert, "%s/unit.test.pem", dir);
	snprintf(key, sizeof key, "%s/unit.test.key", dir);
	c.certs[0] = (struct net_tls_cert){ NULL, cert, key };
	ck_assert_int_eq(net_tls_server_new(&c, &s, err, sizeof err), 0);
	return s;
}

struct pair {
	struct net_tls *t;
	SSL *c;
	BIO *srv_net, *cli_net;
};

static void
pair_open(struct pair *p, struct net_tls_server *s, SSL_CTX *cctx,
	  SSL_SESSION *sess)
{
	BIO *sb, *cb;

	ck_assert_int_eq(BIO_new_bio_pair(&sb, 0, &p->srv_net, 0), 1);
	ck_assert_int_eq(BIO_new_bio_pair(&cb, 0, &p->cli_net, 0), 1);
	p->t = net_tls_accept_bio(s, sb);
	p->c = SSL_new(cctx);
	ck_assert_ptr_nonnull(p->t);
	SSL_set_bio(p->c, cb, cb);
	SSL_set_connect_state(p->c);
	if (sess)
		SSL_set_session(p->c, sess);
}

static void
pump(struct pair *p)
{
	char buf[32768];
	int n;

	while ((n = BIO_read(p->cli_net, buf, sizeof buf)) > 0)
		ck_assert_int_eq(BIO_write(p->srv_net, buf, n), n);
	while ((n = BIO_read(p->srv_net, buf, sizeof buf)) > 0)
		ck_assert_int_eq(BIO_write(p->cli_net, buf, n), n);
}

/* Handshake and one message each way; returns the server's read of the
 * client's "ping". */
static void
exchange(struct pair *p)
{
	char buf[64];
	size_t k;
	ssize_t rc = -EAGAIN;

	for (int i = 0; i < 20 && rc == -EAGAIN; i++) {
		(void)SSL_do_handshake(p->c);
		if (SSL_is_init_finished(p->c))
			(void)SSL_write_ex(p->c, "ping", 4, &k);
		pump(p);
		rc = net_tls_read(p->t, buf, sizeof buf);
		if (rc == -EAGAIN)
			ck_assert_int_eq(net_tls_wants(p->t), NET_TLS_WANT_READ);
		pump(p);
	}
	ck_assert_int_eq(rc, 4);
	ck_assert_mem_eq(buf, "ping", 4);
	ck_assert(net_tls_is_established(p->t));
	ck_assert_int_eq(net_tls_write(p->t, "pong", 4), 4);
	pump(p);
	ck_assert_int_eq(SSL_read_ex(p->c, buf, sizeof buf, &k), 1);
	ck_assert_mem_eq(buf, "pong", 4);
	/* ask again: TLS 1.3 tickets come after the handshake */
	(void)SSL_read_ex(p->c, buf, sizeof buf, &k);
	ERR_clear_error();
}

static void
pair_close(struct pair *p)
{
	net_tls_free(p->t);
	SSL_free(p->c);
	BIO_free(p->srv_net);
	BIO_free(p->cli_net);
}

static SSL_CTX *
client_ctx(void)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());

	ck_assert_ptr_nonnull(c);
	SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
	return c;
}

START_TEST(test_connection_over_bio_pair)
{
	struct net_tls_server *s = server_new(0);
	SSL_CTX *cctx = client_ctx();
	struct pair p;
	char buf[16];
	size_t k;

	pair_open(&p, s, cctx, NULL);
	ck_assert_str_eq(net_tls_version(p.t), "-");
	exchange(&p);
	ck_assert_str_eq(net_tls_version(p.t), "TLSv1.3");
	ck_assert_str_eq(net_tls_cipher(p.t), "TLS_AES_128_GCM_SHA256");
	ck_assert(!net_tls_is_resumed(p.t));
	/* close_notify: the client reads a clean end */
	ck_assert_int_eq(net_tls_shutdown(p.t), 0);
	pump(&p);
	ck_assert_int_eq(SSL_read_ex(p.c, buf, sizeof buf, &k), 0);
	ck_assert_int_eq(SSL_get_error(p.c, 0), SSL_ERROR_ZERO_RETURN);
	/* and the client's close_notify reads as 0 on the server */
	SSL_shutdown(p.c);
	pump(&p);
	ck_assert_int_eq(net_tls_read(p.t, buf, sizeof buf), 0);
	pair_close(&p);
	SSL_CTX_free(cctx);
	net_tls_server_free(s);
}
END_TEST

START_TEST(test_garbage_fails_cleanly)
{
	struct net_tls_server *s = server_new(0);
	struct pair p;
	SSL_CTX *cctx = client_ctx();
	char buf[64];

	pair_open(&p, s, cctx, NULL);
	BIO_write(p.srv_net, "GET / HTTP/1.1\r\n\r\n", 18);
	ck_assert_int_eq(net_tls_read(p.t, buf, sizeof buf), -EPROTO);
	ck_assert(net_tls_is_plain_http(p.t));
	ck_assert_str_eq(net_tls_error(p.t), "http request");
	ck_assert_int_eq(net_tls_shutdown(p.t), 0);	/* nothing to send */
	pair_close(&p);
	SSL_CTX_free(cctx);
	net_tls_server_free(s);
}
END_TEST

START_TEST(test_reload_keeps_the_old_pair_on_a_bad_one)
{
	struct net_tls_server *s = server_new(0);
	char err[NET_TLS_ERR_MAX], path[128];

	ck_assert_int_eq(net_tls_server_reload(s, err, sizeof err), 0);
	snprintf(path, sizeof path, "%s/unit.test.key", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("not a key\n", f);
	fclose(f);
	ck_assert_int_lt(net_tls_server_reload(s, err, sizeof err), 0);
	ck_assert_ptr_nonnull(strstr(err, path));
	/* the old pair still serves */
	SSL_CTX *cctx = client_ctx();
	struct pair p;
	pair_open(&p, s, cctx, NULL);
	exchange(&p);
	pair_close(&p);
	SSL_CTX_free(cctx);
	net_tls_server_free(s);
}
END_TEST

START_TEST(test_may_log_once_per_source_per_second)
{
	struct net_tls_server *s = server_new(0);

	ck_assert(net_tls_server_may_log(s, "192.0.2.1"));
	ck_assert(!net_tls_server_may_log(s, "192.0.2.1"));
	ck_assert(net_tls_server_may_log(s, "192.0.2.2"));
	sleep(1);
	ck_assert(net_tls_server_may_log(s, "192.0.2.1"));
	net_tls_server_free(s);
}
END_TEST

/* A connection offering sess; returns whether it was resumed. */
static int
resumes(struct net_tls_server *s, SSL_CTX *cctx, SSL_SESSION *sess)
{
	struct pair p;

	pair_open(&p, s, cctx, sess);
	exchange(&p);
	int r = net_tls_is_resumed(p.t);
	ck_assert_int_eq(r, SSL_session_reused(p.c));
	SSL_shutdown(p.c);
	pair_close(&p);
	return r;
}

/* A full handshake's session (its ticket), the client's to free. */
static SSL_SESSION *
ticket(struct net_tls_server *s, SSL_CTX *cctx)
{
	struct pair p;

	pair_open(&p, s, cctx, NULL);
	exchange(&p);
	SSL_SESSION *sess = SSL_get1_session(p.c);
	/* a session closed without close_notify is not resumable */
	SSL_shutdown(p.c);
	pair_close(&p);
	ck_assert_ptr_nonnull(sess);
	return sess;
}

START_TEST(test_ticket_keys_rotate)
{
	struct net_tls_server *s = server_new(0);
	SSL_CTX *cctx = client_ctx();
	/* three tickets under the first key, each offered once */
	SSL_SESSION *now = ticket(s, cctx), *later = ticket(s, cctx),
		*too_late = ticket(s, cctx);

	ck_assert(SSL_SESSION_is_resumable(now));
	ck_assert(resumes(s, cctx, now));
	/* rotated once: the previous key still decrypts */
	net_tls_server_rotate_keys(s);
	ck_assert(resumes(s, cctx, later));
	/* twice: that key is gone, a full handshake instead */
	net_tls_server_rotate_keys(s);
	ck_assert(!resumes(s, cctx, too_late));
	SSL_SESSION_free(now);
	SSL_SESSION_free(later);
	SSL_SESSION_free(too_late);
	SSL_CTX_free(cctx);
	net_tls_server_free(s);
}
END_TEST

static Suite *
tls_suite(void)
{
	Suite *s = suite_create("tls");
	TCase *tc = tcase_create("tls");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_name_matches);
	tcase_add_test(tc, test_connection_over_bio_pair);
	tcase_add_test(tc, test_garbage_fails_cleanly);
	tcase_add_test(tc, test_reload_keeps_the_old_pair_on_a_bad_one);
	tcase_add_test(tc, test_may_log_once_per_source_per_second);
	tcase_add_test(tc, test_ticket_keys_rotate);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(tls_suite());
}
