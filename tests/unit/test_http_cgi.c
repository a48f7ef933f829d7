/* Unit tests of the pure halves of programs behind the server: the CGI
 * response head (src/http/http_cgi_parse.c), the meta-variables
 * (http_cgi_env.c) and the FastCGI records (http_fcgi_wire.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http/http_cgi.h"
#include "http/http_fcgi.h"
#include "unit.h"

static const struct {
	const char *in;
	ssize_t rc;		/* > 0: the head's length */
	int status;
	const char *type, *location;
	size_t nfields;
} heads[] = {
	{ "Content-Type: text/plain\n\nbody", 26, 0, "text/plain", NULL, 0 },
	{ "Content-Type: text/html\r\n\r\n", 27, 0, "text/html", NULL, 0 },
	{ "Status: 404 Not Here\r\nContent-Type: a/b\r\n\r\n", 43, 404,
	  "a/b", NULL, 0 },
	{ "Location: /x\n\n", 14, 0, NULL, "/x", 0 },
	{ "Location:   http://h/  \nX-A: 1\nX-B:\n\n", 37, 0, NULL,
	  "http://h/", 2 },
	{ "Status: 204\n\n", 13, 204, NULL, NULL, 0 },
	{ "status:302 Found\nlocation: /y\n\n", 0, 0, NULL, NULL, 0 },
	{ "Content-Type: a/b\n", ERR_AGAIN, 0, NULL, NULL, 0 },
	{ "", ERR_AGAIN, 0, NULL, NULL, 0 },
	{ "garbage\n\n", ERR_PARSE, 0, NULL, NULL, 0 },
	{ "X-Only: 1\n\n", ERR_PARSE, 0, NULL, NULL, 0 },
	{ "\n", ERR_PARSE, 0, NULL, NULL, 0 },
	{ "Status: 99 Low\n\n", ERR_PARSE, 0, NULL, NULL, 0 },
	{ "Status: 600\n\n", ERR_PARSE, 0, NULL, NULL, 0 },
	{ "Status: 20x\n\n", ERR_PARSE, 0, NULL, NULL, 0 },
	{ "Status: 200\nStatus: 200\n\n", ERR_PARSE, 0, NULL, NULL, 0 },
	{ "Content-Type: a\nContent-Type: b\n\n", ERR_PARSE, 0, NULL, NULL,
	  0 },
	{ "Content-Type: a\n folded\n\n", ERR_PARSE, 0, NULL, NULL, 0 },
	{ "Content-Type : a\n\n", ERR_PARSE, 0, NULL, NULL, 0 },
	{ "Content-Type: a\rb\n\n", ERR_PARSE, 0, NULL, NULL, 0 },
	{ "Content-Type: a\x01\n\n", ERR_PARSE, 0, NULL, NULL, 0 },
	{ "Content-Length: 1x\nContent-Type: a\n\n", ERR_PARSE, 0, NULL,
	  NULL, 0 },
	{ "Location:\n\n", ERR_PARSE, 0, NULL, NULL, 0 },
};

START_TEST(test_head_table)
{
	struct http_cgi_head h;
	const char *in = heads[_i].in;

	http_cgi_head_init(&h);
	ssize_t rc = http_cgi_parse_head(&h, in, strlen(in));
	if (heads[_i].rc == 0) {
		ck_assert_int_gt(rc, 0);
		ck_assert_int_eq(h.status, 302);
		return;
	}
	ck_assert_msg(rc == heads[_i].rc, "%s: %zd", in, rc);
	if (rc <= 0)
		return;
	ck_assert_int_eq(h.status, heads[_i].status);
	ck_assert_uint_eq(h.nfields, heads[_i].nfields);
	if (heads[_i].type) {
		ck_assert_uint_eq(h.content_type.n, strlen(heads[_i].type));
		ck_assert(!memcmp(h.content_type.p, heads[_i].type,
				  h.content_type.n));
	} else {
		ck_assert_ptr_null(h.content_type.p);
	}
	if (heads[_i].location) {
		ck_assert_uint_eq(h.location.n, strlen(heads[_i].location));
		ck_assert(!memcmp(h.location.p, heads[_i].location,
				  h.location.n));
	}
}
END_TEST

/* Every proper prefix of a complete head is incomplete, fed to one
 * struct byte by byte; the whole gives the same length. */
START_TEST(test_head_prefixes)
{
	static const char in[] = "Status: 200 OK\r\nContent-Type: text/plain"
		"\r\nContent-Length: 12\r\nX-Y: z\r\n\r\nhello world\n";
	struct http_cgi_head h;

	http_cgi_head_init(&h);
	size_t head = strstr(in, "\r\n\r\n") - in + 4;
	for (size_t i = 0; i < head; i++)
		ck_assert_int_eq(http_cgi_parse_head(&h, in, i), ERR_AGAIN);
	ck_assert_int_eq(http_cgi_parse_head(&h, in, sizeof in - 1),
			 (ssize_t)head);
	ck_assert(h.has_length && h.length == 12);
	ck_assert_uint_eq(h.nfields, 1);
}
END_TEST

START_TEST(test_head_limits)
{
	static char big[HTTP_CGI_MAX_HEAD + 64];
	struct http_cgi_head h;

	memset(big, 'a', sizeof big);
	memcpy(big, "X-Big: ", 7);
	http_cgi_head_init(&h);
	ck_assert_int_eq(http_cgi_parse_head(&h, big, sizeof big), ERR_TOOBIG);
	/* too many fields */
	size_t n = 0;
	for (int i = 0; i <= HTTP_CGI_MAX_FIELDS; i++)
		n += (size_t)snprintf(big + n, sizeof big - n, "X-%d: v\n", i);
	http_cgi_head_init(&h);
	ck_assert_int_eq(http_cgi_parse_head(&h, big, n), ERR_TOOBIG);
}
END_TEST

START_TEST(test_hop_fields)
{
	ck_assert(http_cgi_is_hop((struct http_slice){ "Connection", 10 }));
	ck_assert(http_cgi_is_hop((struct http_slice){ "transfer-encoding",
						      17 }));
	ck_assert(!http_cgi_is_hop((struct http_slice){ "Set-Cookie", 10 }));
}
END_TEST

static struct http_cgi_env env;

static const char *
build(const char *head)
{
	static struct http_request r;
	static char buf[4096];
	struct http_cgi_meta m = { .req = &r };

	strcpy(buf, head);
	http_request_init(&r);
	ck_assert_int_gt(http_parse_request(&r, buf, strlen(buf)), 0);
	m.script_name = (struct http_slice){ "/cgi-bin/s", 10 };
	m.path_info = (struct http_slice){ "/p", 2 };
	m.remote_addr = (struct http_slice){ "192.0.2.1", 9 };
	m.server_port = (struct http_slice){ "80", 2 };
	m.has_body = r.framing == HTTP_BODY_LENGTH;
	m.content_length = r.content_length;
	return http_cgi_env_build(&env, &m) == 0 ? "ok" : "overflow";
}

START_TEST(test_env)
{
	ck_assert_str_eq(build("POST /cgi-bin/s/p?a=b%20c HTTP/1.0\r\n"
			       "Host: h\r\nContent-Length: 3\r\n"
			       "Content-Type: t/x\r\nX-A: 1\r\nx-a: 2\r\n"
			       "Proxy: evil\r\nX_B: smuggled\r\n"
			       "Authorization: Basic x\r\n\r\n"), "ok");
	ck_assert_str_eq(http_cgi_env_get(&env, "REQUEST_METHOD"), "POST");
	ck_assert_str_eq(http_cgi_env_get(&env, "QUERY_STRING"), "a=b%20c");
	ck_assert_str_eq(http_cgi_env_get(&env, "SERVER_PROTOCOL"),
			 "HTTP/1.0");
	ck_assert_str_eq(http_cgi_env_get(&env, "GATEWAY_INTERFACE"),
			 "CGI/1.1");
	ck_assert_str_eq(http_cgi_env_get(&env, "CONTENT_LENGTH"), "3");
	ck_assert_str_eq(http_cgi_env_get(&env, "CONTENT_TYPE"), "t/x");
	ck_assert_str_eq(http_cgi_env_get(&env, "HTTP_X_A"), "1, 2");
	ck_assert_str_eq(http_cgi_env_get(&env, "PATH_INFO"), "/p");
	ck_assert_str_eq(http_cgi_env_get(&env, "REMOTE_HOST"), "192.0.2.1");
	ck_assert_ptr_null(http_cgi_env_get(&env, "HTTP_PROXY"));
	ck_assert_ptr_null(http_cgi_env_get(&env, "HTTP_X_B"));
	ck_assert_ptr_null(http_cgi_env_get(&env, "HTTP_AUTHORIZATION"));
	ck_assert_ptr_null(http_cgi_env_get(&env, "HTTP_CONTENT_TYPE"));
	ck_assert_ptr_null(http_cgi_env_get(&env, "HTTPS"));
	ck_assert_ptr_null(env.vars[env.n]);
	ck_assert_str_eq(build("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), "ok");
	ck_assert_str_eq(http_cgi_env_get(&env, "QUERY_STRING"), "");
	ck_assert_ptr_null(http_cgi_env_get(&env, "CONTENT_LENGTH"));
}
END_TEST

START_TEST(test_env_overflow)
{
	memset(&env, 0, sizeof env);
	static char v[HTTP_CGI_ENV_SIZE];
	memset(v, 'v', sizeof v);
	http_cgi_env_add(&env, "A", v, sizeof v - 8);
	ck_assert(!env.overflow);
	http_cgi_env_add(&env, "B", v, 16);
	ck_assert(env.overflow);
	ck_assert_int_eq(env.n, 1);
}
END_TEST

START_TEST(test_fcgi_records)
{
	uint8_t b[64];
	struct http_fcgi_record r;

	http_fcgi_begin_format(b, 1, 1);
	ck_assert_int_eq(http_fcgi_record_parse(&r, b, 16), 16);
	ck_assert_int_eq(r.type, HTTP_FCGI_BEGIN_REQUEST);
	ck_assert_int_eq(r.id, 1);
	ck_assert_uint_eq(r.content.n, 8);
	for (size_t i = 0; i < 16; i++)
		ck_assert_int_eq(http_fcgi_record_parse(&r, b, i), ERR_AGAIN);
	/* content and padding */
	http_fcgi_header_format(b, HTTP_FCGI_STDOUT, 7, 5, 3);
	memcpy(b + 8, "hello\0\0\0", 8);
	ck_assert_int_eq(http_fcgi_record_parse(&r, b, 40), 16);
	ck_assert_int_eq(r.id, 7);
	ck_assert(r.content.n == 5 && !memcmp(r.content.p, "hello", 5));
	b[0] = 2;
	ck_assert_int_eq(http_fcgi_record_parse(&r, b, 40), ERR_PARSE);
	/* END_REQUEST */
	static const uint8_t end[] = { 1, 3, 0, 1, 0, 8, 0, 0,
				       0, 0, 1, 2, 0, 0, 0, 0 };
	uint32_t app;
	int proto;
	ck_assert_int_eq(http_fcgi_record_parse(&r, end, sizeof end), 16);
	ck_assert_int_eq(http_fcgi_end_parse(&r, &app, &proto), 0);
	ck_assert(app == 258 && proto == 0);
	r.content.n = 7;
	ck_assert_int_eq(http_fcgi_end_parse(&r, &app, &proto), ERR_PARSE);
}
END_TEST

START_TEST(test_fcgi_pairs)
{
	static uint8_t b[600];
	static char longv[300];
	struct http_slice n, v;

	memset(longv, 'x', sizeof longv);
	ssize_t a = http_fcgi_pair_format(b, sizeof b, "NAME", 4, "val", 3);
	ck_assert_int_eq(a, 9);
	ssize_t c = http_fcgi_pair_format(b + a, sizeof b - (size_t)a, "L", 1,
					  longv, sizeof longv);
	ck_assert_int_eq(c, 1 + 4 + 1 + 300);
	ck_assert_int_eq(http_fcgi_pair_parse(b, (size_t)(a + c), &n, &v), a);
	ck_assert(n.n == 4 && !memcmp(n.p, "NAME", 4) && v.n == 3);
	ck_assert_int_eq(http_fcgi_pair_parse(b + a, (size_t)c, &n, &v), c);
	ck_assert(v.n == 300 && v.p[299] == 'x');
	for (ssize_t i = 0; i < c; i++)
		ck_assert_int_eq(http_fcgi_pair_parse(b + a, (size_t)i, &n, &v),
				 ERR_PARSE);
	ck_assert_int_eq(http_fcgi_pair_format(b, 10, "L", 1, longv, 300),
			 ERR_TOOBIG);
}
END_TEST

static Suite *
cgi_suite(void)
{
	Suite *s = suite_create("http_cgi");
	TCase *t = tcase_create("core");

	tcase_add_loop_test(t, test_head_table, 0,
			    sizeof heads / sizeof *heads);
	tcase_add_test(t, test_head_prefixes);
	tcase_add_test(t, test_head_limits);
	tcase_add_test(t, test_hop_fields);
	tcase_add_test(t, test_env);
	tcase_add_test(t, test_env_overflow);
	tcase_add_test(t, test_fcgi_records);
	tcase_add_test(t, test_fcgi_pairs);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return unit_run(cgi_suite());
}
