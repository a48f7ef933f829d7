/* Unit tests of the pure parts of the classic services: the RFC 868 time
 * encoding across its 2036 wrap, and the daytime text. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "services/svc.h"
#include "unit.h"

START_TEST(time_epoch_values)
{
	uint8_t b[4];

	/* 1970-01-01 is 2208988800 seconds after 1900-01-01. */
	svc_time_format(0, b);
	ck_assert_int_eq(b[0], 0x83);
	ck_assert_int_eq(b[1], 0xaa);
	ck_assert_int_eq(b[2], 0x7e);
	ck_assert_int_eq(b[3], 0x80);
	ck_assert_int_eq(svc_time_parse(b, 1000), 0);
}
END_TEST

START_TEST(time_round_trip_across_wrap)
{
	/* 2036-02-07T06:28:16Z is where the 32-bit count wraps to 0. */
	const time_t wrap = (time_t)4294967296LL - 2208988800LL;
	const time_t cases[] = { 1, 1000000000, 1795000000, wrap - 1, wrap,
				 wrap + 1, wrap + 86400 * 365 };

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t b[4];
		svc_time_format(cases[i], b);
		/* A client whose clock is a few minutes off still reads it. */
		ck_assert_int_eq(svc_time_parse(b, cases[i] + 300), cases[i]);
		ck_assert_int_eq(svc_time_parse(b, cases[i] - 300), cases[i]);
	}
	uint8_t z[4] = { 0, 0, 0, 0 };
	ck_assert_int_eq(svc_time_parse(z, wrap + 5), wrap);
}
END_TEST

START_TEST(daytime_text)
{
	char out[SVC_DAYTIME_LEN + 1];

	setenv("TZ", "UTC", 1);
	svc_daytime_format(784111777, out);
	ck_assert_str_eq(out, "Sun Nov  6 08:49:37 1994\r\n");
	ck_assert_uint_eq(strlen(out), SVC_DAYTIME_LEN);
}
END_TEST

START_TEST(kind_names)
{
	enum svc_kind k;

	ck_assert_int_eq(svc_kind_parse("daytime", &k), 0);
	ck_assert_int_eq(k, SVC_DAYTIME);
	ck_assert_str_eq(svc_kind_name(SVC_TIME), "time");
	ck_assert_int_lt(svc_kind_parse("chargen", &k), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("svc");
	TCase *tc = tcase_create("svc");

	tcase_add_test(tc, time_epoch_values);
	tcase_add_test(tc, time_round_trip_across_wrap);
	tcase_add_test(tc, daytime_text);
	tcase_add_test(tc, kind_names);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
