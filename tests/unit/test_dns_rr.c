/* Unit tests of dns_rr, the presentation forms: rdata parsed from zone
 * file tokens and formatted back, names in text, type and class names. */
#include <check.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "dns/dns_rr.h"
#include "dns/dns_wire.h"
#include "unit.h"

static const struct {
	const char *type;
	const char *text;	/* rdata as tokens joined by single spaces */
	const char *want;	/* formatted, NULL when same as text */
} rdata_rt[] = {
	{ "A", "192.0.2.1", NULL },
	{ "AAAA", "2001:db8::1", NULL },
	{ "NS", "ns1.example.test.", NULL },
	{ "CNAME", "www", "www.example.test." },
	{ "MX", "10 mail.example.test.", NULL },
	{ "SOA", "ns1 admin 1 7200 3600 1209600 300",
	  "ns1.example.test. admin.example.test. 1 7200 3600 1209600 300" },
	{ "SOA", "ns1 admin 1 2h 1h 2w 5m",
	  "ns1.example.test. admin.example.test. 1 7200 3600 1209600 300" },
	{ "TXT", "\"hello world\" two", "\"hello world\" \"two\"" },
	{ "TXT", "\"a\\\"b\\\\c\\010\"", NULL },
	{ "PTR", "host.example.test.", NULL },
	{ "SRV", "0 5 5060 sip.example.test.", NULL },
	{ "CAA", "0 issue \"ca.example.net\"", NULL },
	{ "TYPE65534", "\\# 3 abcdef", NULL },
	{ "A", "\\# 4 7f000001", "127.0.0.1" },
	{ "TYPE65535", "\\# 0", NULL },
};

/* Splits text on single spaces outside quotes into tokens. */
static int
split(const char *s, struct dns_tok *t)
{
	int n = 0;

	while (*s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		if (*s == '"') {
			const char *e = s + 1;
			while (*e != '"')
				e += *e == '\\' ? 2 : 1;
			t[n++] = (struct dns_tok){ s + 1, (size_t)(e - s - 1), 1 };
			s = e + 1;
			continue;
		}
		const char *e = s;
		while (*e && *e != ' ')
			e++;
		t[n++] = (struct dns_tok){ s, (size_t)(e - s), 0 };
		s = e;
	}
	return n;
}

START_TEST(rdata_roundtrip)
{
	struct dns_tok t[16];
	uint8_t rd[65535];
	const char *why = NULL;
	struct buf b;
	int type = dns_type_parse(rdata_rt[_i].type, strlen(rdata_rt[_i].type));
	int nt = split(rdata_rt[_i].text, t);

	ck_assert_int_gt(type, 0);
	int n = dns_rdata_parse((uint16_t)type, t, nt,
				(const uint8_t *)"\7example\4test", rd,
				sizeof rd, &why);
	ck_assert_msg(n >= 0, "%s: %s", rdata_rt[_i].text, why);
	buf_init(&b, 1 << 20);
	ck_assert_int_eq(dns_rdata_format((uint16_t)type, rd, (size_t)n, &b), 0);
	buf_append(&b, "", 1);
	const char *want = rdata_rt[_i].want ? rdata_rt[_i].want :
		rdata_rt[_i].text;
	ck_assert_str_eq((const char *)buf_data(&b), want);
	buf_fini(&b);
}
END_TEST

START_TEST(name_text_roundtrip)
{
	uint8_t n[256];
	char out[DNS_NAME_TEXT_MAX];
	const char *why;
	const char *in = "a\\.b.c\\032d.\\\\.x.";

	ck_assert_int_gt(dns_name_parse(in, strlen(in), NULL, n, &why), 0);
	ck_assert_int_eq(n[0], 3);
	ck_assert_int_gt(dns_name_format(n, out, sizeof out), 0);
	ck_assert_str_eq(out, "a\\.b.c\\032d.\\\\.x.");
	ck_assert_int_eq(dns_name_parse("a..b", 4, NULL, n, &why), ERR_PARSE);
	ck_assert_str_eq(why, "empty label");
	ck_assert_int_eq(dns_name_parse("a", 1, NULL, n, &why), ERR_PARSE);
	ck_assert_str_eq(why, "relative name with no origin");
}
END_TEST

START_TEST(rdata_format_bad_shape_is_generic)
{
	struct buf b;
	static const uint8_t rd[] = { 1, 2, 3 };

	buf_init(&b, 1024);
	ck_assert_int_eq(dns_rdata_format(DNS_T_A, rd, 3, &b), 0);
	buf_append(&b, "", 1);
	ck_assert_str_eq((const char *)buf_data(&b), "\\# 3 010203");
	buf_fini(&b);
}
END_TEST

START_TEST(type_and_class_names)
{
	char buf[16];

	ck_assert_int_eq(dns_type_parse("aaaa", 4), DNS_T_AAAA);
	ck_assert_int_eq(dns_type_parse("TYPE65534", 9), 65534);
	ck_assert_int_eq(dns_type_parse("TYPE65536", 9), ERR_PARSE);
	ck_assert_int_eq(dns_type_parse("BOGUS", 5), ERR_PARSE);
	ck_assert_str_eq(dns_type_name(65534, buf), "TYPE65534");
	ck_assert_int_eq(dns_class_parse("in", 2), DNS_C_IN);
	ck_assert_int_eq(dns_class_parse("CLASS4", 6), 4);
	ck_assert_str_eq(dns_rcode_name(16, buf), "BADVERS");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dns_rr");
	TCase *tc = tcase_create("rr");

	tcase_add_loop_test(tc, rdata_roundtrip, 0,
			    sizeof rdata_rt / sizeof rdata_rt[0]);
	tcase_add_test(tc, name_text_roundtrip);
	tcase_add_test(tc, rdata_format_bad_shape_is_generic);
	tcase_add_test(tc, type_and_class_names);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
