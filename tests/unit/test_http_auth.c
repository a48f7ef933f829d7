/* Unit tests of src/http/http_auth.c: the Authorization field (RFC 7617),
 * htpasswd-style users files, the challenge and the escaping of names. */
#include <check.h>
#include <string.h>

#include "core/err.h"
#include "http/http_auth.h"
#include "unit.h"

static const struct {
	const char *field;
	int rc;
	const char *user, *pass;
} basic_cases[] = {
	/* RFC 7617 section 2's example */
	{ "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", 0, "Aladdin", "open sesame" },
	{ "basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", 0, "Aladdin", "open sesame" },
	{ "BASIC   QWxhZGRpbjpvcGVuIHNlc2FtZQ==  ", 0, "Aladdin",
	  "open sesame" },
	/* without padding */
	{ "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ", 0, "Aladdin", "open sesame" },
	{ "Basic dTo=", 0, "u", "" },			/* "u:" */
	{ "Basic dTpwOnE=", 0, "u", "p:q" },		/* "u:p:q" */
	{ "Basic w6k6w6k=", 0, "\xc3\xa9", "\xc3\xa9" },	/* UTF-8 */
	{ "Basic OnA=", ERR_PARSE, NULL, NULL },		/* ":p": no user */
	{ "Basic dXA=", ERR_PARSE, NULL, NULL },		/* "up": no colon */
	{ "Basic ", ERR_PARSE, NULL, NULL },
	{ "Basic", ERR_PARSE, NULL, NULL },
	{ "Bearer QWxhZGRpbjpvcGVuIHNlc2FtZQ==", ERR_PARSE, NULL, NULL },
	{ "Basicx QWxh", ERR_PARSE, NULL, NULL },
	{ "Basic QWxh*GRp", ERR_PARSE, NULL, NULL },	/* not base64 */
	{ "Basic QWxhZ===", ERR_PARSE, NULL, NULL },	/* bad padding */
	{ "Basic QQ==QQ==", ERR_PARSE, NULL, NULL },	/* data after = */
	{ "Basic Q", ERR_PARSE, NULL, NULL },		/* 6 bits */
	{ "Basic QR==", ERR_PARSE, NULL, NULL },		/* bits left over */
	{ "Basic dQp4OnA=", ERR_PARSE, NULL, NULL },	/* "u\nx:p" */
	{ "Basic dTpwAA==", ERR_PARSE, NULL, NULL },	/* "u:p\0" */
	{ "Basic dTpwDQo=", ERR_PARSE, NULL, NULL },	/* "u:p\r\n" */
};

START_TEST(test_parse_basic)
{
	const char *f = basic_cases[_i].field;
	struct http_slice v = { f, strlen(f) }, u = { 0 }, p = { 0 };
	char out[HTTP_AUTH_CRED_MAX];
	int rc = http_auth_parse_basic(v, out, &u, &p);

	ck_assert_msg(rc == basic_cases[_i].rc, "%s: %d", f, rc);
	if (rc != 0)
		return;
	ck_assert_str_eq(u.p, basic_cases[_i].user);
	ck_assert_str_eq(p.p, basic_cases[_i].pass);
	ck_assert_uint_eq(u.n, strlen(basic_cases[_i].user));
	ck_assert_uint_eq(p.n, strlen(basic_cases[_i].pass));
}
END_TEST

START_TEST(test_parse_basic_limits)
{
	/* 300 'a' then ":" : a user over the limit */
	char cred[400], field[600];
	memset(cred, 'a', 300);
	cred[300] = ':';
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = 0, len = 301;
	strcpy(field, "Basic ");
	n = 6;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned char)cred[i] << 16;
		v |= i + 1 < len ? (unsigned char)cred[i + 1] << 8 : 0;
		v |= i + 2 < len ? (unsigned char)cred[i + 2] : 0;
		field[n++] = b64[v >> 18 & 63];
		field[n++] = b64[v >> 12 & 63];
		field[n++] = i + 1 < len ? b64[v >> 6 & 63] : '=';
		field[n++] = i + 2 < len ? b64[v & 63] : '=';
	}
	struct http_slice v = { field, n }, u, p;
	char out[HTTP_AUTH_CRED_MAX];
	ck_assert_int_eq(http_auth_parse_basic(v, out, &u, &p), ERR_TOOBIG);
	/* far more than fits the buffer */
	char big[2000] = "Basic ";
	memset(big + 6, 'Q', 1600);
	v = (struct http_slice){ big, 1606 };
	ck_assert_int_eq(http_auth_parse_basic(v, out, &u, &p), ERR_TOOBIG);
}
END_TEST

static const char good_file[] =
	"# users\n"
	"\n"
	"zed:$2y$05$ZO6X5L2ZwbhSLD8RSv1D0OwM2Anq8C8pCUqUtiXAP5qYaHyxThcee\n"
	"alice:$6$7WoVMiXWHTVSZu..$Xf9JpRvrXRIgG2rpAQHeFcPLz10ns8vsk2CQ\r\n"
	"bob:$y$j9T$abcdefghijklmnop$0123456789012345678901234567890123:x\n"
	"carol:$2b$10$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234";

START_TEST(test_users_good)
{
	struct http_auth_users u;
	size_t line;
	const char *msg = NULL;

	ck_assert_int_eq(http_auth_users_parse(good_file, strlen(good_file),
					       &u, &line, &msg), 0);
	ck_assert_uint_eq(u.n, 4);
	ck_assert_str_eq(u.v[0].name, "alice");
	ck_assert_str_eq(u.v[3].name, "zed");
	ck_assert_str_eq(http_auth_users_find(&u, "alice", 5),
			 "$6$7WoVMiXWHTVSZu..$Xf9JpRvrXRIgG2rpAQHeFcPLz10ns8vsk2CQ");
	/* fields after the hash are not part of it */
	ck_assert_str_eq(http_auth_users_find(&u, "bob", 3),
			 "$y$j9T$abcdefghijklmnop$0123456789012345678901234567890123");
	ck_assert_ptr_nonnull(http_auth_users_find(&u, "carol", 5));
	ck_assert_ptr_null(http_auth_users_find(&u, "ali", 3));
	ck_assert_ptr_null(http_auth_users_find(&u, "alicex", 6));
	ck_assert_ptr_null(http_auth_users_find(&u, "bobby", 3 + 2));
	ck_assert_ptr_null(http_auth_users_find(&u, "", 0));
	http_auth_users_fini(&u);
}
END_TEST

static const struct {
	const char *text;
	size_t line;
	const char *msg;	/* a part of the message */
} bad_files[] = {
	{ "alice:secret\n", 1, "plain-text" },
	{ "# x\nalice:$apr1$abc$defghijklmnopqrstuvwx\n", 2, "MD5" },
	{ "a:$6$abcdefgh$ijklmnopqrstu\nb:$1$abc$defghijklmnopqrstuvwx\n", 2,
	  "MD5" },
	{ "alice:$5$abc$defghijklmnopqrstuvwx\n", 1, "unsupported" },
	{ "alice\n", 1, "user:hash" },
	{ ":$6$abcdefgh$ijklmnopqrstu\n", 1, "user name" },
	{ "a:$6$\n", 1, "too short" },
	{ "a:$6$abcdefgh$ijk\x01lmnopqrstu\n", 1, "control" },
	{ "a:$6$abcdefgh$ijklmnopqrstu\na:$6$abcdefgh$ijklmnopqrstu\n", 0,
	  "twice" },
};

START_TEST(test_users_bad)
{
	struct http_auth_users u;
	size_t line = 99;
	const char *msg = NULL;
	const char *t = bad_files[_i].text;

	ck_assert_int_eq(http_auth_users_parse(t, strlen(t), &u, &line, &msg),
			 ERR_PARSE);
	ck_assert_uint_eq(line, bad_files[_i].line);
	ck_assert_msg(msg && strstr(msg, bad_files[_i].msg), "%s", msg);
}
END_TEST

START_TEST(test_users_nul_and_long)
{
	struct http_auth_users u;
	size_t line;
	const char *msg;
	static const char nul[] = "a:$6$abcdefgh$ijklmnopqrstu\nb\0:x\n";

	ck_assert_int_eq(http_auth_users_parse(nul, sizeof nul - 1, &u, &line,
					       &msg), ERR_PARSE);
	ck_assert_uint_eq(line, 2);
	ck_assert_str_eq(msg, "NUL byte in file");
	char longl[2000];
	memset(longl, 'a', sizeof longl);
	ck_assert_int_eq(http_auth_users_parse(longl, sizeof longl, &u, &line,
					       &msg), ERR_PARSE);
	ck_assert_str_eq(msg, "line too long");
	ck_assert_int_eq(http_auth_users_parse("", 0, &u, &line, &msg), 0);
	ck_assert_uint_eq(u.n, 0);
	http_auth_users_fini(&u);
}
END_TEST

START_TEST(test_challenge)
{
	char out[HTTP_AUTH_CHALLENGE_MAX];

	ck_assert_int_eq(http_auth_challenge("/private", out, sizeof out), 39);
	ck_assert_str_eq(out, "Basic realm=\"/private\", charset=\"UTF-8\"");
	ck_assert_int_gt(http_auth_challenge("/a\"b\\c", out, sizeof out), 0);
	ck_assert_str_eq(out, "Basic realm=\"/a\\\"b\\\\c\", charset=\"UTF-8\"");
	ck_assert_int_eq(http_auth_challenge("/a\nb", out, sizeof out),
			 ERR_PARSE);
	ck_assert_int_eq(http_auth_challenge("/x", out, 10), ERR_TOOBIG);
}
END_TEST

START_TEST(test_escape)
{
	char out[64];

	ck_assert_uint_eq(http_auth_escape("bob", 3, out, sizeof out), 3);
	ck_assert_str_eq(out, "bob");
	http_auth_escape("a\nb\"c\\\x7f\xc3", 8, out, sizeof out);
	ck_assert_str_eq(out, "a\\x0ab\\x22c\\x5c\\x7f\\xc3");
	/* cut short, never a broken escape */
	ck_assert_uint_eq(http_auth_escape("\n\n\n", 3, out, 9), 8);
	ck_assert_str_eq(out, "\\x0a\\x0a");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("http_auth");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_parse_basic, 0,
			    sizeof basic_cases / sizeof *basic_cases);
	tcase_add_test(tc, test_parse_basic_limits);
	tcase_add_test(tc, test_users_good);
	tcase_add_loop_test(tc, test_users_bad, 0,
			    sizeof bad_files / sizeof *bad_files);
	tcase_add_test(tc, test_users_nul_and_long);
	tcase_add_test(tc, test_challenge);
	tcase_add_test(tc, test_escape);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
