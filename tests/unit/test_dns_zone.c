/* Unit tests of the zone-file parser: every feature, every error message
 * (file:line: message), $INCLUDE through fake files. Every text is also
 * read as a file in pieces of a few bytes, which must give the same. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "dns/dns_rr.h"
#include "dns/dns_wire.h"
#include "dns/dns_zone.h"
#include "unit.h"

/* Each record as one line "owner ttl TYPE rdata\n". */
static struct buf out;

static int
collect(void *arg, const struct dns_zone_rr *rr, const char **why)
{
	char name[DNS_NAME_TEXT_MAX], tb[16];

	(void)arg;
	(void)why;
	dns_name_format(rr->owner, name, sizeof name);
	buf_printf(&out, "%s %u %s ", name, rr->ttl,
		   dns_type_name(rr->type, tb));
	dns_rdata_format(rr->type, rr->rdata, rr->rdlen, &out);
	buf_append(&out, "\n", 1);
	return 0;
}

/* In-memory files for $INCLUDE. */
static const struct {
	const char *path, *text;
} files[] = {
	{ "zones/sub.inc", "host A 192.0.2.9\n" },
	{ "zones/deep.inc", "$INCLUDE deep.inc\n" },
	{ "zones/origin.inc", "@ A 192.0.2.10\n$ORIGIN other.test.\nx A 192.0.2.11\n" },
	{ "zones/bad.inc", "\n\nbad A 1.2.3\n" },
};

/* An open fake file: read gives at most `piece` bytes at a time, and
 * fails with EIO at byte `fail_at`. */
struct fake {
	const char *text;
	size_t len, off;
};
static size_t piece = 4096, fail_at = SIZE_MAX;
static const char *top;	/* zones/z.zone, when read as a file */

static int
fake_open(const char *path, void **src)
{
	const char *text = strcmp(path, "zones/z.zone") == 0 ? top : NULL;
	struct fake *f;

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		if (strcmp(path, files[i].path) == 0)
			text = files[i].text;
	if (text == NULL)
		return -ENOENT;
	f = calloc(1, sizeof *f);
	f->text = text;
	f->len = strlen(text);
	*src = f;
	return 0;
}

static ssize_t
fake_read(void *src, char *buf, size_t n)
{
	struct fake *f = src;

	if (f->off >= fail_at)
		return -EIO;
	n = n < piece ? n : piece;
	n = n < f->len - f->off ? n : f->len - f->off;
	n = n < fail_at - f->off ? n : fail_at - f->off;
	memcpy(buf, f->text + f->off, n);
	f->off += n;
	return (ssize_t)n;
}

static void
fake_close(void *src)
{
	free(src);
}

static const struct dns_zone_io fake_io = { fake_open, fake_read,
					    fake_close };

static int
parse_file(const char *text, char *err, size_t errsz)
{
	struct dns_zone_opts o = { NULL, collect, NULL, &fake_io };
	void *src;

	top = text;
	buf_reset(&out);
	err[0] = 0;
	ck_assert_int_eq(fake_open("zones/z.zone", &src), 0);
	int rc = dns_zone_parse_src("zones/z.zone", src, &o, err, errsz);
	fake_close(src);
	return rc;
}

/* Parses text in memory, then as a file read in pieces of 1 to 4096
 * bytes (as many as the text's length allows): the records and the
 * message must not depend on where the pieces end. */
static int
parse(const char *text, char *err, size_t errsz)
{
	static const size_t pieces[] = { 1, 2, 3, 7, 64, 4096 };
	struct dns_zone_opts o = { NULL, collect, NULL, &fake_io };
	char err2[512];
	struct buf want;

	buf_init(&want, 1 << 20);
	for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
		if (strlen(text) / pieces[i] > 4096)
			continue;
		piece = pieces[i];
		int rc2 = parse_file(text, err2, sizeof err2);
		buf_reset(&want);
		buf_append(&want, buf_data(&out), out.len);
		buf_reset(&out);
		err[0] = 0;
		int rc = dns_zone_parse("zones/z.zone", text, strlen(text), &o,
					err, errsz);
		ck_assert_int_eq(rc, rc2);
		ck_assert_str_eq(err, err2);
		ck_assert_uint_eq(want.len, out.len);
		ck_assert(out.len == 0 ||
			  memcmp(buf_data(&want), buf_data(&out), out.len) == 0);
	}
	buf_fini(&want);
	piece = 4096;
	buf_reset(&out);
	return dns_zone_parse("zones/z.zone", text, strlen(text), &o, err,
			      errsz);
}

static const char *
result(void)
{
	buf_append(&out, "", 1);
	out.len--;
	return (const char *)buf_data(&out);
}

START_TEST(features)
{
	char err[512];
	const char *zone =
		"; a comment line\n"
		"$ORIGIN example.test.\n"
		"$TTL 1h\n"
		"@ IN SOA ns1 admin.example.test. ( 2024010101 ; serial\n"
		"      7200 3600\n"
		"      1209600 300 )\n"
		"  NS ns1\n"
		"\tIN 60 NS ns2.example.test.\n"
		"ns1 A 192.0.2.1\n"
		"ns2 300 IN AAAA 2001:db8::2\n"
		"WWW CNAME @\n"
		"txt TXT \"two words\" plain \"q\\\"uote\" \"\\065\\066\"\n"
		"esc\\.dot A 192.0.2.3\n"
		"mx MX 10 mail\n"
		"_sip._udp SRV 0 5 5060 sip\n"
		"caa CAA 0 issue \"ca.example.net\"\n"
		"1.2 PTR host.example.test.\n"
		"unk TYPE65534 \\# 3 abcdef\n"
		"unk2 TYPE65533 \\# 4 ab cd ef 01\n"
		"$INCLUDE sub.inc\n"
		"$INCLUDE origin.inc inc.example.test.\n"
		"after A 192.0.2.12\n"
		"$TTL 120\n"
		"last A 192.0.2.13 ; trailing comment\n";

	ck_assert_msg(parse(zone, err, sizeof err) == 0, "%s", err);
	ck_assert_str_eq(result(),
		"example.test. 3600 SOA ns1.example.test. admin.example.test. "
		"2024010101 7200 3600 1209600 300\n"
		"example.test. 3600 NS ns1.example.test.\n"
		"example.test. 60 NS ns2.example.test.\n"
		"ns1.example.test. 3600 A 192.0.2.1\n"
		"ns2.example.test. 300 AAAA 2001:db8::2\n"
		"WWW.example.test. 3600 CNAME example.test.\n"
		"txt.example.test. 3600 TXT \"two words\" \"plain\" "
		"\"q\\\"uote\" \"AB\"\n"
		"esc\\.dot.example.test. 3600 A 192.0.2.3\n"
		"mx.example.test. 3600 MX 10 mail.example.test.\n"
		"_sip._udp.example.test. 3600 SRV 0 5 5060 sip.example.test.\n"
		"caa.example.test. 3600 CAA 0 issue \"ca.example.net\"\n"
		"1.2.example.test. 3600 PTR host.example.test.\n"
		"unk.example.test. 3600 TYPE65534 \\# 3 abcdef\n"
		"unk2.example.test. 3600 TYPE65533 \\# 4 abcdef01\n"
		"host.example.test. 3600 A 192.0.2.9\n"
		"inc.example.test. 3600 A 192.0.2.10\n"
		"x.other.test. 3600 A 192.0.2.11\n"
		"after.example.test. 3600 A 192.0.2.12\n"
		"last.example.test. 120 A 192.0.2.13\n");
}
END_TEST

START_TEST(ttl_carried_without_dollar_ttl)
{
	char err[512];

	ck_assert_msg(parse("$ORIGIN t.\na 42 A 192.0.2.1\nb A 192.0.2.2\n"
			    "c 1w2d3h4m5s A 192.0.2.3\n", err, sizeof err) == 0,
		      "%s", err);
	ck_assert_str_eq(result(), "a.t. 42 A 192.0.2.1\nb.t. 42 A 192.0.2.2\n"
			 "c.t. 788645 A 192.0.2.3\n");
	ck_assert_int_eq(parse("$ORIGIN t.\n@ SOA a b 1 2 3 4 99\n", err,
			       sizeof err), 0);
	ck_assert_str_eq(result(), "t. 99 SOA a.t. b.t. 1 2 3 4 99\n");
	ck_assert_int_eq(parse("$ORIGIN t.\n@ A 192.0.2.1\n", err,
			       sizeof err), 0);
	ck_assert_str_eq(result(), "t. 3600 A 192.0.2.1\n");
}
END_TEST

static char longline[DNS_ZONE_MAX_LINE + 100];
static char longlabel[200], longname[400], longtxt[400], manyfields[20000];

static const struct {
	const char *text;
	const char *err;
} errors[] = {
	{ longline, "zones/z.zone:2: line too long" },
	{ "$ORIGIN t.\na TXT \"open\n", "zones/z.zone:2: unterminated quoted string" },
	{ "$ORIGIN t.\na A 192.0.2.1 )\n", "zones/z.zone:2: unbalanced parenthesis ')'" },
	{ "$ORIGIN t.\n\na SOA ( a b 1 2 3 4 5\n\n", "zones/z.zone:3: unclosed parenthesis" },
	{ "$ORIGIN t.\na SOA ( ( a b 1 2 3 4 5 ))\n", "zones/z.zone:2: nested parenthesis" },
	{ manyfields, "zones/z.zone:2: too many fields" },
	{ "$GENERATE 1-2 a A 1.2.3.4\n", "zones/z.zone:1: unknown directive $GENERATE" },
	{ "$ORIGIN\n", "zones/z.zone:1: $ORIGIN needs one name" },
	{ "$ORIGIN a..b.\n", "zones/z.zone:1: bad $ORIGIN: empty label" },
	{ "$TTL 1 2\n", "zones/z.zone:1: $TTL needs one value" },
	{ "$TTL 1x\n", "zones/z.zone:1: bad $TTL" },
	{ "$TTL 2147483648\n", "zones/z.zone:1: TTL out of range" },
	{ "$INCLUDE\n", "zones/z.zone:1: $INCLUDE needs a file name" },
	{ "$INCLUDE deep.inc\n", "zones/deep.inc:1: $INCLUDE nested too deeply" },
	{ "\n$INCLUDE missing.inc\n", "zones/z.zone:2: cannot read zones/missing.inc: No such file or directory" },
	{ "$ORIGIN t.\n$INCLUDE bad.inc\n", "zones/bad.inc:3: A rdata: bad IPv4 address" },
	{ "$INCLUDE sub.inc a..b\n", "zones/z.zone:1: bad $INCLUDE origin: empty label" },
	{ "a A 192.0.2.1\n", "zones/z.zone:1: bad owner name: relative name with no origin" },
	{ "@ A 192.0.2.1\n", "zones/z.zone:1: bad owner name: @ with no origin" },
	{ longlabel, "zones/z.zone:1: bad owner name: label longer than 63 bytes" },
	{ longname, "zones/z.zone:1: bad owner name: name longer than 255 bytes" },
	{ "a\\ .t. A 192.0.2.1\nb\\9.t. A 192.0.2.1\n", "zones/z.zone:2: bad owner name: bad escape" },
	{ "  A 192.0.2.1\n", "zones/z.zone:1: no owner name" },
	{ "a.t. 300 IN\n", "zones/z.zone:1: missing type" },
	{ "a.t. BOGUS 1\n", "zones/z.zone:1: unknown type BOGUS" },
	{ "a.t. CH TXT x\n", "zones/z.zone:1: only class IN is supported" },
	{ "a.t. 1z A 192.0.2.1\n", "zones/z.zone:1: bad TTL" },
	{ "a.t. 9999999999 A 192.0.2.1\n", "zones/z.zone:1: TTL out of range" },
	{ "a.t. ANY \\# 0\n", "zones/z.zone:1: type ANY cannot appear in a zone file" },
	{ "a.t. A\n", "zones/z.zone:1: A rdata: missing rdata field" },
	{ "a.t. A 192.0.2.1 x\n", "zones/z.zone:1: A rdata: too many rdata fields" },
	{ "a.t. A 300.0.0.1\n", "zones/z.zone:1: A rdata: bad IPv4 address" },
	{ "a.t. AAAA 2001:db8::g\n", "zones/z.zone:1: AAAA rdata: bad IPv6 address" },
	{ "a.t. MX x b.t.\n", "zones/z.zone:1: MX rdata: bad number" },
	{ "a.t. MX 65536 b.t.\n", "zones/z.zone:1: MX rdata: number out of range" },
	{ "a.t. NS b..t.\n", "zones/z.zone:1: NS rdata: empty label" },
	{ "a.t. CNAME b\n", "zones/z.zone:1: CNAME rdata: relative name with no origin" },
	{ "a.t. TXT \"\\25\"\n", "zones/z.zone:1: TXT rdata: bad escape" },
	{ longtxt, "zones/z.zone:1: TXT rdata: character string longer than 255 bytes" },
	{ "a.t. TYPE9 \\# x\n", "zones/z.zone:1: TYPE9 rdata: bad \\# length" },
	{ "a.t. TYPE9 \\# 1 zz\n", "zones/z.zone:1: TYPE9 rdata: bad hex in \\# rdata" },
	{ "a.t. TYPE9 \\# 2 ab\n", "zones/z.zone:1: TYPE9 rdata: \\# length does not match the data" },
	{ "a.t. CAA 0 is-sue \"x\"\n", "zones/z.zone:1: CAA rdata: bad CAA tag" },
	{ "a.t. HINFO cpu os\n", "zones/z.zone:1: HINFO rdata: this type needs the \\# rdata form" },
	{ "a.t. SOA a.t. b.t. 1 2 3 4\n", "zones/z.zone:1: SOA rdata: missing rdata field" },
	{ "a.t. SRV 1 2 70000 x.t.\n", "zones/z.zone:1: SRV rdata: number out of range" },
};

static void
build_long_inputs(void)
{
	char *p = longline;

	p += sprintf(p, "$ORIGIN t.\n");
	memset(p, 'a', DNS_ZONE_MAX_LINE + 10);
	p[DNS_ZONE_MAX_LINE + 10] = 0;
	memset(longlabel, 'x', 64);
	strcpy(longlabel + 64, ".t. A 192.0.2.1\n");
	p = longname;
	for (int i = 0; i < 5; i++)
		p += sprintf(p, "%.60s.", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij");
	strcpy(p, " A 192.0.2.1\n");
	p = longtxt + sprintf(longtxt, "a.t. TXT ");
	memset(p, 'z', 256);
	strcpy(p + 256, "\n");
	p = manyfields + sprintf(manyfields, "$ORIGIN t.\na TXT");
	for (int i = 0; i < DNS_ZONE_MAX_TOKENS; i++)
		p += sprintf(p, " x");
	strcpy(p, "\n");
}

START_TEST(error_messages)
{
	char err[512];

	build_long_inputs();
	ck_assert_int_lt(parse(errors[_i].text, err, sizeof err), 0);
	ck_assert_str_eq(err, errors[_i].err);
}
END_TEST

static int
refuse(void *arg, const struct dns_zone_rr *rr, const char **why)
{
	(void)arg;
	(void)rr;
	*why = "out of zone";
	return ERR_PARSE;
}

START_TEST(callback_error_has_location)
{
	char err[512];
	struct dns_zone_opts o = { NULL, refuse, NULL, NULL };
	const char *t = "\n\na.t. A 192.0.2.1\n";

	ck_assert_int_lt(dns_zone_parse("f", t, strlen(t), &o, err,
					sizeof err), 0);
	ck_assert_str_eq(err, "f:3: out of zone");
	t = "$INCLUDE x\n";
	ck_assert_int_lt(dns_zone_parse("f", t, strlen(t), &o, err,
					sizeof err), 0);
	ck_assert_str_eq(err, "f:1: $INCLUDE not allowed");
}
END_TEST

START_TEST(no_trailing_newline_and_crlf)
{
	char err[512];

	ck_assert_int_eq(parse("$ORIGIN t.\r\na A 192.0.2.1\r\nb A 192.0.2.2",
			       err, sizeof err), 0);
	ck_assert_str_eq(result(),
			 "a.t. 3600 A 192.0.2.1\nb.t. 3600 A 192.0.2.2\n");
}
END_TEST

/* An entry inside parentheses may run over many lines, up to a limit
 * that keeps the buffer of a file read in pieces bounded. */
START_TEST(entry_limit)
{
	char err[512];
	struct buf t;

	buf_init(&t, 4 << 20);
	buf_printf(&t, "$ORIGIN t.\na TXT ( x\n");
	while (t.len < DNS_ZONE_MAX_ENTRY - 100)
		buf_printf(&t, "; a comment line\n");
	buf_printf(&t, ")\n");
	buf_append(&t, "", 1);
	ck_assert_msg(parse((const char *)buf_data(&t), err, sizeof err) == 0,
		      "%s", err);
	t.len -= 3;
	while (t.len < DNS_ZONE_MAX_ENTRY + 100)
		buf_printf(&t, "; a comment line\n");
	buf_printf(&t, ")\n");
	buf_append(&t, "", 1);
	ck_assert_int_lt(parse((const char *)buf_data(&t), err, sizeof err),
			 0);
	ck_assert_str_eq(err, "zones/z.zone:2: entry too long");
	buf_fini(&t);
}
END_TEST

START_TEST(read_error_has_location)
{
	char err[512];

	fail_at = 20;
	ck_assert_int_lt(parse_file("$ORIGIN t.\n\na A 192.0.2.1\n", err,
				    sizeof err), 0);
	fail_at = SIZE_MAX;
	ck_assert_str_eq(err, "zones/z.zone:3: Input/output error");
	ck_assert_str_eq(result(), "");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dns_zone");
	TCase *tc = tcase_create("zone");

	buf_init(&out, 1 << 20);
	tcase_add_test(tc, features);
	tcase_add_test(tc, ttl_carried_without_dollar_ttl);
	tcase_add_loop_test(tc, error_messages, 0,
			    sizeof errors / sizeof errors[0]);
	tcase_add_test(tc, callback_error_has_location);
	tcase_add_test(tc, no_trailing_newline_and_crlf);
	tcase_add_test(tc, entry_limit);
	tcase_add_test(tc, read_error_has_location);
	suite_add_tcase(s, tc);
	int status = unit_run(s);
	buf_fini(&out);
	return status;
}
