/* Unit tests of src/http/http_retry.c: Retry-After as delay-seconds or an
 * IMF-fixdate (RFC 9110 section 10.2.3), and what is refused. */
#include <check.h>
#include <string.h>

#include "core/err.h"
#include "http/http_retry.h"
#include "unit.h"

struct retry_case {
	const char *in;
	int rc;
	int64_t secs;
};

/* now: Sun, 06 Nov 1994 08:49:37 GMT */
#define NOW 784111777

static const struct retry_case cases[] = {
	{ "0", 0, 0 },
	{ "120", 0, 120 },
	{ " 7 ", 0, 7 },
	{ "9999999999", 0, 9999999999 },
	{ "Sun, 06 Nov 1994 08:49:37 GMT", 0, 0 },
	{ "Sun, 06 Nov 1994 08:50:07 GMT", 0, 30 },
	{ "Sat, 05 Nov 1994 08:49:37 GMT", 0, 0 },	/* passed */
	{ "", ERR_PARSE, 0 },
	{ "-1", ERR_PARSE, 0 },
	{ "1.5", ERR_PARSE, 0 },
	{ "12345678901", ERR_PARSE, 0 },
	{ "soon", ERR_PARSE, 0 },
	{ "Sunday, 06-Nov-94 08:49:37 GMT", ERR_PARSE, 0 },
	{ "Sun, 06 Nov 1994 08:49:37 UTC", ERR_PARSE, 0 },
	{ "Sun, 06 Nov 1994 08:49:37 GMTx", ERR_PARSE, 0 },
};

START_TEST(test_retry_after)
{
	const struct retry_case *c = &cases[_i];
	struct http_slice v = { c->in, strlen(c->in) };
	int64_t secs = -1;

	ck_assert_int_eq(http_retry_after(v, NOW, &secs), c->rc);
	if (c->rc == 0)
		ck_assert_int_eq(secs, c->secs);
}
END_TEST

START_TEST(test_retry_status)
{
	ck_assert(http_retry_status(429));
	ck_assert(http_retry_status(503));
	ck_assert(!http_retry_status(500));
	ck_assert(!http_retry_status(200));
}
END_TEST

static Suite *
retry_suite(void)
{
	Suite *s = suite_create("http_retry");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_retry_after, 0,
			    sizeof cases / sizeof cases[0]);
	tcase_add_test(tc, test_retry_status);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(retry_suite());
}
