/* Unit tests of src/http/http_parse.c and http_chunked.c: tables of
 * requests good and bad, the prefix drill, responses, chunked bodies. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http/http_parse.h"
#include "unit.h"

static struct http_request req;

static ssize_t
parse(const char *s)
{
	http_request_init(&req);
	return http_parse_request(&req, s, strlen(s));
}

/* Requests that must be refused, with the status to answer. */
static const struct {
	const char *in;
	int status;
} bad_requests[] = {
	{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
	  "Content-Length: 1\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: "
	  "99999999999999999999999\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked"
	  "\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n", 400 },
	{ "GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\nHost: a\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01\r\n\r\n", 400 },
	{ "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400 },
	{ "GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400 },
	{ "GET / http/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "GET /\r\n\r\n", 400 },
	{ "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "GET x HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "GET http://u@h/ HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505 },
	{ "GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505 },
	{ "GET / HTTP/3.1\r\nHost: a\r\n\r\n", 505 },
};

START_TEST(test_bad_requests)
{
	const char *in = bad_requests[_i].in;

	ck_assert_msg(parse(in) == ERR_PARSE, "%s", in);
	ck_assert_int_eq(req.status, bad_requests[_i].status);
}
END_TEST

/* Requests that parse, and what they must give. */
static const struct {
	const char *in;
	enum http_method method;
	const char *path, *query, *host;
	int version, keep_alive, expect;
	enum http_framing framing;
	uint64_t length;
} good_requests[] = {
	{ "GET / HTTP/1.1\r\nHost: example.test\r\n\r\n",
	  HTTP_M_GET, "/", "", "example.test", 11, 1, 0, HTTP_BODY_NONE, 0 },
	{ "HEAD /a/b?x=1&y HTTP/1.1\r\nhost:h:8080\r\n\r\n",
	  HTTP_M_HEAD, "/a/b", "x=1&y", "h:8080", 11, 1, 0,
	  HTTP_BODY_NONE, 0 },
	{ "GET /x HTTP/1.0\r\n\r\n",
	  HTTP_M_GET, "/x", "", "", 10, 0, 0, HTTP_BODY_NONE, 0 },
	{ "GET /x HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
	  HTTP_M_GET, "/x", "", "", 10, 1, 0, HTTP_BODY_NONE, 0 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n",
	  HTTP_M_GET, "/", "", "a", 11, 0, 0, HTTP_BODY_NONE, 0 },
	{ "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n",
	  HTTP_M_POST, "/f", "", "a", 11, 1, 0, HTTP_BODY_LENGTH, 12 },
	{ "PUT /f HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
	  HTTP_M_PUT, "/f", "", "a", 11, 1, 0, HTTP_BODY_NONE, 0 },
	{ "POST /f HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n"
	  "Expect: 100-continue\r\n\r\n",
	  HTTP_M_POST, "/f", "", "a", 11, 1, 1, HTTP_BODY_CHUNKED, 0 },
	{ "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
	  HTTP_M_GET, "/", "", "a", 11, 1, 0, HTTP_BODY_NONE, 0 },
	{ "BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n",
	  HTTP_M_UNKNOWN, "/pot", "", "a", 11, 1, 0, HTTP_BODY_NONE, 0 },
	{ "GET http://Other.Test:81/p?q HTTP/1.1\r\nHost: a\r\n\r\n",
	  HTTP_M_GET, "/p", "q", "Other.Test:81", 11, 1, 0,
	  HTTP_BODY_NONE, 0 },
	{ "GET http://h HTTP/1.1\r\nHost: a\r\n\r\n",
	  HTTP_M_GET, "/", "", "h", 11, 1, 0, HTTP_BODY_NONE, 0 },
	{ "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
	  HTTP_M_OPTIONS, "*", "", "a", 11, 1, 0, HTTP_BODY_NONE, 0 },
	{ "GET / HTTP/1.2\r\nHost: a\r\nX:  v  \r\nY:\r\n\r\n",
	  HTTP_M_GET, "/", "", "a", 11, 1, 0, HTTP_BODY_NONE, 0 },
	{ "GET /%7e/\xc3\xa9 HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
	  HTTP_M_GET, "/%7e/\xc3\xa9", "", "[::1]:80", 11, 1, 0,
	  HTTP_BODY_NONE, 0 },
};

static void
assert_slice(struct http_slice s, const char *want)
{
	ck_assert_msg(s.n == strlen(want) && memcmp(s.p, want, s.n) == 0,
		      "got '%.*s' want '%s'", (int)s.n, s.p, want);
}

START_TEST(test_good_requests)
{
	const char *in = good_requests[_i].in;
	ssize_t n = parse(in);

	ck_assert_msg(n == (ssize_t)strlen(in), "%s: %zd", in, n);
	ck_assert_int_eq(req.method, good_requests[_i].method);
	assert_slice(req.path, good_requests[_i].path);
	assert_slice(req.query, good_requests[_i].query);
	assert_slice(req.host, good_requests[_i].host);
	ck_assert_int_eq(req.version, good_requests[_i].version);
	ck_assert_int_eq(req.keep_alive, good_requests[_i].keep_alive);
	ck_assert_int_eq(req.expect_continue, good_requests[_i].expect);
	ck_assert_int_eq(req.framing, good_requests[_i].framing);
	ck_assert_uint_eq(req.content_length, good_requests[_i].length);
}
END_TEST

START_TEST(test_headers_slices)
{
	const char *in = "GET / HTTP/1.1\r\nHost: a\r\nX-Long:  a b\t\r\n"
		"Accept:\r\n\r\nBODY";
	ck_assert_int_eq(parse(in), (ssize_t)strlen(in) - 4);
	ck_assert_uint_eq(req.nheaders, 3);
	assert_slice(req.headers[1].name, "X-Long");
	assert_slice(req.headers[1].value, "a b");
	assert_slice(req.headers[2].value, "");
	const struct http_header *h =
		http_header_find(req.headers, req.nheaders, "x-long");
	ck_assert_ptr_eq(h, &req.headers[1]);
	ck_assert_ptr_null(http_header_find(req.headers, req.nheaders, "y"));
}
END_TEST

/* The drill: every proper prefix of a valid message is incomplete, both
 * parsed afresh and fed byte by byte to the same request. */
START_TEST(test_prefix_drill)
{
	for (size_t k = 0; k < sizeof good_requests / sizeof *good_requests;
	     k++) {
		const char *in = good_requests[k].in;
		size_t n = strlen(in);
		struct http_request inc;
		http_request_init(&inc);
		for (size_t i = 0; i < n; i++) {
			http_request_init(&req);
			ck_assert_msg(http_parse_request(&req, in, i) ==
				      ERR_AGAIN, "%s at %zu", in, i);
			ck_assert_int_eq(http_parse_request(&inc, in, i),
					 ERR_AGAIN);
		}
		ck_assert_int_eq(http_parse_request(&inc, in, n), (ssize_t)n);
		ck_assert_int_eq(inc.method, good_requests[k].method);
	}
}
END_TEST

static char *
request_with(size_t target, size_t nfields, size_t field_len)
{
	size_t cap = target + nfields * (field_len + 8) + 64;
	char *s = malloc(cap), *w = s;

	w += sprintf(w, "GET /");
	memset(w, 'a', target);
	w += target;
	w += sprintf(w, " HTTP/1.1\r\nHost: a\r\n");
	for (size_t i = 0; i < nfields; i++) {
		w += sprintf(w, "X%zu: ", i);
		memset(w, 'v', field_len);
		w += field_len;
		w += sprintf(w, "\r\n");
	}
	sprintf(w, "\r\n");
	return s;
}

START_TEST(test_limits)
{
	char *s = request_with(HTTP_MAX_LINE, 0, 0);
	ck_assert_int_eq(parse(s), ERR_TOOBIG);
	ck_assert_int_eq(req.status, 414);
	/* the limit holds before the line ends, too */
	http_request_init(&req);
	ck_assert_int_eq(http_parse_request(&req, s, HTTP_MAX_LINE + 2),
			 ERR_TOOBIG);
	ck_assert_int_eq(req.status, 414);
	free(s);
	s = request_with(HTTP_MAX_LINE - 20, 0, 0);
	ck_assert_int_gt(parse(s), 0);
	free(s);
	s = request_with(10, HTTP_MAX_HEADERS, 4);
	ck_assert_int_eq(parse(s), ERR_TOOBIG);
	ck_assert_int_eq(req.status, 431);
	free(s);
	s = request_with(10, HTTP_MAX_HEADERS - 1, 4);
	ck_assert_int_gt(parse(s), 0);
	free(s);
	s = request_with(10, 20, 1000);
	ck_assert_int_eq(parse(s), ERR_TOOBIG);
	ck_assert_int_eq(req.status, 431);
	http_request_init(&req);
	ck_assert_int_eq(http_parse_request(&req, s, HTTP_MAX_FIELDS + 200),
			 ERR_TOOBIG);
	free(s);
	s = request_with(10, 15, 1000);
	ck_assert_int_gt(parse(s), 0);
	free(s);
}
END_TEST

START_TEST(test_token_list)
{
	struct http_slice s = { "keep-alive ,  Close,x", 21 };
	ck_assert(http_token_list_has(s, "close"));
	ck_assert(http_token_list_has(s, "keep-alive"));
	ck_assert(http_token_list_has(s, "x"));
	ck_assert(!http_token_list_has(s, "clos"));
	ck_assert_str_eq(http_method_str(HTTP_M_OPTIONS), "OPTIONS");
	ck_assert_ptr_null(http_method_str(HTTP_M_UNKNOWN));
}
END_TEST

static const struct {
	const char *in;
	enum http_method method;
	ssize_t rc;
	int status, keep_alive;
	enum http_framing framing;
	uint64_t length;
} responses[] = {
	{ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", HTTP_M_GET, 0,
	  200, 1, HTTP_BODY_LENGTH, 5 },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", HTTP_M_HEAD, 0,
	  200, 1, HTTP_BODY_NONE, 5 },
	{ "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n",
	  HTTP_M_GET, 0, 304, 1, HTTP_BODY_NONE, 5 },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	  HTTP_M_GET, 0, 200, 1, HTTP_BODY_CHUNKED, 0 },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
	  HTTP_M_GET, 0, 200, 0, HTTP_BODY_CLOSE, 0 },
	{ "HTTP/1.0 200 OK\r\n\r\n", HTTP_M_GET, 0, 200, 0,
	  HTTP_BODY_CLOSE, 0 },
	{ "HTTP/1.1 204\r\nConnection: close\r\n\r\n", HTTP_M_GET, 0, 204, 0,
	  HTTP_BODY_NONE, 0 },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
	  HTTP_M_GET, ERR_PARSE, 0, 0, 0, 0 },
	{ "HTTP/1.1 2x0 OK\r\n\r\n", HTTP_M_GET, ERR_PARSE, 0, 0, 0, 0 },
	{ "HTTP/2 200 OK\r\n\r\n", HTTP_M_GET, ERR_PARSE, 0, 0, 0, 0 },
	{ "HTTP/1.1 200 OK\nX: y\r\n\r\n", HTTP_M_GET, ERR_PARSE, 0, 0, 0, 0 },
};

/* One struct fed a growing prefix, as a client reading a socket does:
 * the status line is found again after a resumed scan. */
START_TEST(test_response_incremental)
{
	static const char in[] = "HTTP/1.1 206 Partial\r\nContent-Length: 3"
				 "\r\nX-A: b\r\n\r\nabc";
	size_t head = sizeof in - 1 - 3;
	struct http_response r;

	http_response_init(&r);
	for (size_t i = 0; i < head; i++)
		ck_assert_int_eq(http_parse_response(&r, in, i, HTTP_M_GET),
				 ERR_AGAIN);
	ck_assert_int_eq(http_parse_response(&r, in, head, HTTP_M_GET),
			 (ssize_t)head);
	ck_assert_int_eq(r.status, 206);
	ck_assert(http_slice_eqi(r.reason, "Partial"));
	ck_assert_uint_eq(r.nheaders, 2);
	ck_assert_uint_eq(r.content_length, 3);
}
END_TEST

START_TEST(test_responses)
{
	struct http_response r;
	const char *in = responses[_i].in;
	size_t n = strlen(in);

	for (size_t i = 0; i < n && responses[_i].rc == 0; i++) {
		http_response_init(&r);
		ck_assert_int_eq(http_parse_response(&r, in, i,
						     responses[_i].method),
				 ERR_AGAIN);
	}
	http_response_init(&r);
	ssize_t rc = http_parse_response(&r, in, n, responses[_i].method);
	ck_assert_int_eq(rc, responses[_i].rc ? responses[_i].rc : (ssize_t)n);
	if (rc < 0)
		return;
	ck_assert_int_eq(r.status, responses[_i].status);
	ck_assert_int_eq(r.keep_alive, responses[_i].keep_alive);
	ck_assert_int_eq(r.framing, responses[_i].framing);
	if (r.framing == HTTP_BODY_LENGTH)
		ck_assert_uint_eq(r.content_length, responses[_i].length);
}
END_TEST

static const struct {
	const char *in;
	ssize_t rc;
	const char *data;
} chunked[] = {
	{ "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\nNEXT", 4, "hello world" },
	{ "A \r\n0123456789\r\n000\r\nTrailer: x\r\n\r\n", 0, "0123456789" },
	{ "0\r\n\r\n", 0, "" },
	{ "\r\n0\r\n\r\n", ERR_PARSE, NULL },
	{ "x\r\n", ERR_PARSE, NULL },
	{ "5\nhello\r\n0\r\n\r\n", ERR_PARSE, NULL },
	{ "5\r\nhelloXX0\r\n\r\n", ERR_PARSE, NULL },
	{ "10000000000000000\r\n", ERR_PARSE, NULL },
	{ "-1\r\n", ERR_PARSE, NULL },
	{ "0\r\nX: y\n\r\n", ERR_PARSE, NULL },
};

START_TEST(test_chunked)
{
	struct http_chunked c;
	const char *in = chunked[_i].in;
	size_t n = strlen(in), len = n;
	char buf[256];

	/* whole */
	memcpy(buf, in, n);
	http_chunked_init(&c);
	ssize_t rc = http_chunked_decode(&c, buf, &len);
	ck_assert_int_eq(rc, chunked[_i].rc);
	if (rc < 0)
		return;
	ck_assert_uint_eq(len, strlen(chunked[_i].data));
	ck_assert(memcmp(buf, chunked[_i].data, len) == 0);
	ck_assert(memcmp(buf + len, in + n - rc, (size_t)rc) == 0);
	/* byte by byte: each proper prefix asks for more */
	char out[256];
	size_t got = 0;
	http_chunked_init(&c);
	for (size_t i = 0; i < n; i++) {
		char b = in[i];
		size_t one = 1;
		rc = http_chunked_decode(&c, &b, &one);
		memcpy(out + got, &b, one);
		got += one;
		if (rc >= 0) {
			ck_assert_uint_eq(i + 1 + (size_t)chunked[_i].rc, n);
			break;
		}
		ck_assert_int_eq(rc, ERR_AGAIN);
	}
	ck_assert_uint_eq(got, strlen(chunked[_i].data));
	ck_assert(memcmp(out, chunked[_i].data, got) == 0);
}
END_TEST

START_TEST(test_chunked_limits)
{
	struct http_chunked c;
	static char buf[HTTP_MAX_TRAILERS + 64];
	size_t len;

	http_chunked_init(&c);
	memset(buf, ';', sizeof buf);
	buf[0] = '1';
	len = HTTP_MAX_CHUNK_LINE + 8;
	ck_assert_int_eq(http_chunked_decode(&c, buf, &len), ERR_TOOBIG);
	http_chunked_init(&c);
	memcpy(buf, "0\r\n", 3);
	memset(buf + 3, 'x', sizeof buf - 3);
	len = sizeof buf;
	ck_assert_int_eq(http_chunked_decode(&c, buf, &len), ERR_TOOBIG);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

int
main(void)
{
	Suite *s = suite_create("http_parse");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_bad_requests, 0, N(bad_requests));
	tcase_add_loop_test(tc, test_good_requests, 0, N(good_requests));
	tcase_add_test(tc, test_headers_slices);
	tcase_add_test(tc, test_prefix_drill);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_token_list);
	tcase_add_loop_test(tc, test_responses, 0, N(responses));
	tcase_add_test(tc, test_response_incremental);
	tcase_add_loop_test(tc, test_chunked, 0, N(chunked));
	tcase_add_test(tc, test_chunked_limits);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
