/* Unit tests of src/http/http_log.c: Combined Log Format lines, escaping
 * of bytes from the network, flushing through a pipe. */
#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/http_server.h"
#include "unit.h"

static struct http_log g;

static const char *
flushed(int *fds)
{
	static char out[HTTP_LOG_BUF];

	http_log_flush(&g);
	ssize_t n = read(fds[0], out, sizeof out - 1);
	out[n > 0 ? n : 0] = '\0';
	return out;
}

START_TEST(test_combined_format)
{
	int fds[2];
	regex_t re;

	ck_assert_int_eq(pipe(fds), 0);
	memset(&g, 0, sizeof g);
	g.fd = fds[1];
	struct http_slice line = { "GET /a?b HTTP/1.1", 17 };
	struct http_slice ref = { "http://r.test/", 14 };
	struct http_slice ua = { "curl/8", 6 };
	http_log_add(&g, "192.0.2.1", line, 200, 1234, &ref, &ua, NULL, NULL);
	const char *out = flushed(fds);
	ck_assert_int_eq(regcomp(&re, "^192\\.0\\.2\\.1 - - \\[[0-9]{2}/[A-Z][a-z]{2}/"
				 "[0-9]{4}:[0-9:]{8} \\+0000\\] \"GET /a\\?b "
				 "HTTP/1\\.1\" 200 1234 \"http://r\\.test/\" "
				 "\"curl/8\"\n$", REG_EXTENDED), 0);
	ck_assert_msg(regexec(&re, out, 0, NULL, 0) == 0, "%s", out);
	regfree(&re);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

START_TEST(test_escaping_and_dashes)
{
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	memset(&g, 0, sizeof g);
	g.fd = fds[1];
	struct http_slice line = { "GET /\"x\\\n\xff", 10 };
	http_log_add(&g, "::1", line, 400, -1, NULL, NULL, NULL, NULL);
	const char *out = flushed(fds);
	ck_assert_msg(strstr(out, "\"GET /\\x22x\\x5c\\x0a\\xff\" 400 - \"-\" "
			      "\"-\"\n"), "%s", out);
	/* one line: the LF from the network was escaped */
	ck_assert_ptr_eq(strchr(out, '\n'), out + strlen(out) - 1);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

START_TEST(test_buffer_flushes_when_full)
{
	FILE *f = tmpfile();
	char big[2000], line_buf[4096];
	int lines = 0;

	ck_assert_ptr_nonnull(f);
	memset(&g, 0, sizeof g);
	g.fd = fileno(f);
	memset(big, 'a', sizeof big);
	struct http_slice line = { big, sizeof big };
	/* 100 lines of about 1.1 KiB (fields are cut at 1 KiB): more than a
	 * buffer's worth, so lines go out as the buffer fills, each whole */
	for (int i = 0; i < 100; i++)
		http_log_add(&g, "h", line, 200, 1, NULL, NULL, NULL, NULL);
	ck_assert_uint_lt(g.len, HTTP_LOG_BUF);
	http_log_flush(&g);
	ck_assert_uint_eq(g.len, 0);
	rewind(f);
	while (fgets(line_buf, sizeof line_buf, f)) {
		ck_assert_msg(strncmp(line_buf, "h - - [", 7) == 0, "%s", line_buf);
		ck_assert(strstr(line_buf, "\" 200 1 \"-\" \"-\"\n"));
		lines++;
	}
	ck_assert_int_eq(lines, 100);
	fclose(f);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("http_log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_combined_format);
	tcase_add_test(tc, test_escaping_and_dashes);
	tcase_add_test(tc, test_buffer_flushes_when_full);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
