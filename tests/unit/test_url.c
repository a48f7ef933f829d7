/* Unit tests of src/url: parsing, escapes, normalisation, resolution
 * (every example of RFC 3986 5.4), the http request parts, and the drills
 * "format then parse gives the value back" and "normalise is idempotent". */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "url/url.h"
#include "unit.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char out[URL_MAX_LEN + 1];

/* RFC 3986 5.4: base "http://a/b/c/d;p?q". */
static const char *const rfc_base = "http://a/b/c/d;p?q";
static const struct {
	const char *ref, *want;
} rfc_examples[] = {
	/* 5.4.1 Normal Examples */
	{ "g:h", "g:h" },
	{ "g", "http://a/b/c/g" },
	{ "./g", "http://a/b/c/g" },
	{ "g/", "http://a/b/c/g/" },
	{ "/g", "http://a/g" },
	{ "//g", "http://g" },
	{ "?y", "http://a/b/c/d;p?y" },
	{ "g?y", "http://a/b/c/g?y" },
	{ "#s", "http://a/b/c/d;p?q#s" },
	{ "g#s", "http://a/b/c/g#s" },
	{ "g?y#s", "http://a/b/c/g?y#s" },
	{ ";x", "http://a/b/c/;x" },
	{ "g;x", "http://a/b/c/g;x" },
	{ "g;x?y#s", "http://a/b/c/g;x?y#s" },
	{ "", "http://a/b/c/d;p?q" },
	{ ".", "http://a/b/c/" },
	{ "./", "http://a/b/c/" },
	{ "..", "http://a/b/" },
	{ "../", "http://a/b/" },
	{ "../g", "http://a/b/g" },
	{ "../..", "http://a/" },
	{ "../../", "http://a/" },
	{ "../../g", "http://a/g" },
	/* 5.4.2 Abnormal Examples */
	{ "../../../g", "http://a/g" },
	{ "../../../../g", "http://a/g" },
	{ "/./g", "http://a/g" },
	{ "/../g", "http://a/g" },
	{ "g.", "http://a/b/c/g." },
	{ ".g", "http://a/b/c/.g" },
	{ "g..", "http://a/b/c/g.." },
	{ "..g", "http://a/b/c/..g" },
	{ "./../g", "http://a/b/g" },
	{ "./g/.", "http://a/b/c/g/" },
	{ "g/./h", "http://a/b/c/g/h" },
	{ "g/../h", "http://a/b/c/h" },
	{ "g;x=1/./y", "http://a/b/c/g;x=1/y" },
	{ "g;x=1/../y", "http://a/b/c/y" },
	{ "g?y/./x", "http://a/b/c/g?y/./x" },
	{ "g?y/../x", "http://a/b/c/g?y/../x" },
	{ "g#s/./x", "http://a/b/c/g#s/./x" },
	{ "g#s/../x", "http://a/b/c/g#s/../x" },
	{ "http:g", "http:g" },	/* strict parser */
};

START_TEST(test_rfc_examples)
{
	const char *ref = rfc_examples[_i].ref;
	ssize_t n = url_resolve_str(rfc_base, strlen(rfc_base), ref,
				    strlen(ref), out, sizeof out);

	ck_assert_msg(n >= 0, "%s: %s", ref, err_str((int)n));
	ck_assert_str_eq(out, rfc_examples[_i].want);
	ck_assert_int_eq(n, strlen(rfc_examples[_i].want));
}
END_TEST

/* Further resolution cases: other bases, empty base paths, the "//"
 * ambiguity of 5.2.4, and queries kept or replaced. */
static const struct {
	const char *base, *ref, *want;
	int err;
} resolve_cases[] = {
	{ "http://a", "g", "http://a/g", 0 },
	{ "http://a", "", "http://a", 0 },
	{ "http://a", "?q", "http://a?q", 0 },
	{ "http://a/b?q#f", "#g", "http://a/b?q#g", 0 },
	{ "http://a/b?q", "", "http://a/b?q", 0 },
	{ "http://a/b/", "..", "http://a/", 0 },
	{ "http://a/b/", "../../..", "http://a/", 0 },
	{ "http://a/b/c", "//h:8080/x/../y", "http://h:8080/y", 0 },
	{ "http://a/b/c", "https:/x/./y", "https:/x/y", 0 },
	{ "http://u@a:81/b/c", "d", "http://u@a:81/b/d", 0 },
	{ "http://[::1]:8/b/c", "d?e", "http://[::1]:8/b/d?e", 0 },
	{ "foo:a/b", "../c", "foo:/c", 0 },	/* 5.2.4 as written */
	{ "foo:a", "b", "foo:b", 0 },
	{ "foo:a/b", "..//c", "foo:/.//c", 0 },
	{ "foo:/a", ".//b", "foo:/.//b", 0 },
	{ "HTTP://A/B/c", "D", "HTTP://A/B/D", 0 },
	{ "/relative", "g", NULL, ERR_PARSE },
	{ "http://a/", "g h", NULL, ERR_PARSE },
	{ "http://a:99999/", "g", NULL, ERR_RANGE },
};

START_TEST(test_resolve_cases)
{
	const char *b = resolve_cases[_i].base, *r = resolve_cases[_i].ref;
	ssize_t n = url_resolve_str(b, strlen(b), r, strlen(r), out,
				    sizeof out);

	if (resolve_cases[_i].err) {
		ck_assert_int_eq(n, resolve_cases[_i].err);
		return;
	}
	ck_assert_msg(n >= 0, "%s + %s: %s", b, r, err_str((int)n));
	ck_assert_str_eq(out, resolve_cases[_i].want);
}
END_TEST

START_TEST(test_resolve_toobig)
{
	char small[16];
	const char *b = "http://example.test/dir/", *r = "file";
	ssize_t n = url_resolve_str(b, strlen(b), r, strlen(r), small,
				    sizeof small);

	ck_assert_int_eq(n, ERR_TOOBIG);
	n = url_resolve_str(b, strlen(b), r, strlen(r), small, 0);
	ck_assert_int_eq(n, ERR_TOOBIG);
	/* Exactly fitting, NUL included. */
	char fit[sizeof "http://example.test/dir/file"];
	n = url_resolve_str(b, strlen(b), r, strlen(r), fit, sizeof fit);
	ck_assert_int_eq(n, sizeof fit - 1);
	ck_assert_str_eq(fit, "http://example.test/dir/file");
}
END_TEST

/* A long base and reference whose target passes URL_MAX_LEN. */
START_TEST(test_resolve_max_len)
{
	static char base[URL_MAX_LEN], ref[URL_MAX_LEN], big[3 * URL_MAX_LEN];
	size_t bn = URL_MAX_LEN - 1, rn = URL_MAX_LEN / 2;

	memset(base, 'a', bn);
	memcpy(base, "http://h/", 9);
	memset(ref, 'b', rn);
	base[bn - 1] = '/';
	ck_assert_int_eq(url_resolve_str(base, bn, ref, rn, big, sizeof big),
			 ERR_TOOBIG);
	ck_assert_int_eq(url_resolve_str(base, bn, ref, 1, big, sizeof big),
			 (ssize_t)bn + 1);
}
END_TEST

static const struct {
	const char *in, *want;
} dot_cases[] = {
	{ "/a/b/c/./../../g", "/a/g" },		/* RFC 3986 5.2.4 */
	{ "mid/content=5/../6", "mid/6" },	/* RFC 3986 5.2.4 */
	{ "", "" },
	{ "/", "/" },
	{ ".", "" },
	{ "..", "" },
	{ "/.", "/" },
	{ "/..", "/" },
	{ "/a/..", "/" },
	{ "/a/.", "/a/" },
	{ "/a//../b", "/a/b" },
	{ "a/../../b", "/b" },	/* 5.2.4 as written */
	{ "/./././", "/" },
	{ "/.../a", "/.../a" },
	{ "/a/.b/..c/..", "/a/.b/" },
};

START_TEST(test_remove_dot_segments)
{
	char buf[64];
	size_t n = strlen(dot_cases[_i].in);

	memcpy(buf, dot_cases[_i].in, n);
	n = url_remove_dot_segments(buf, n);
	buf[n] = '\0';
	ck_assert_str_eq(buf, dot_cases[_i].want);
}
END_TEST

/* Parsing: the components a user of struct url sees. "-" stands for an
 * absent component, so that absent and empty can be told apart. */
static const struct {
	const char *in;
	const char *scheme, *userinfo, *host, *port, *path, *query, *frag;
	enum url_host_type ht;
	int port_num;
} parse_cases[] = {
	{ "http://example.test/", "http", "-", "example.test", "-", "/", "-",
	  "-", URL_HOST_NAME, -1 },
	{ "HTTPS://u:p@Host.Test:8443/a/b?x=1&y#frag", "HTTPS", "u:p",
	  "Host.Test", "8443", "/a/b", "x=1&y", "frag", URL_HOST_NAME, 8443 },
	{ "http://127.0.0.1:0/", "http", "-", "127.0.0.1", "0", "/", "-", "-",
	  URL_HOST_IPV4, 0 },
	{ "http://256.1.1.1/", "http", "-", "256.1.1.1", "-", "/", "-", "-",
	  URL_HOST_NAME, -1 },
	{ "http://01.2.3.4/", "http", "-", "01.2.3.4", "-", "/", "-", "-",
	  URL_HOST_NAME, -1 },
	{ "http://[::1]:65535", "http", "-", "::1", "65535", "", "-", "-",
	  URL_HOST_IPV6, 65535 },
	{ "http://[2001:db8::7]/c=GB?objectClass?one", "http", "-",
	  "2001:db8::7", "-", "/c=GB", "objectClass?one", "-",
	  URL_HOST_IPV6, -1 },
	{ "http://[::ffff:192.0.2.1]/", "http", "-", "::ffff:192.0.2.1", "-",
	  "/", "-", "-", URL_HOST_IPV6, -1 },
	{ "http://[v7.a:b!]/", "http", "-", "v7.a:b!", "-", "/", "-", "-",
	  URL_HOST_IPVFUTURE, -1 },
	{ "http://h:/", "http", "-", "h", "", "/", "-", "-", URL_HOST_NAME,
	  -1 },
	{ "http://@h?#", "http", "", "h", "-", "", "", "", URL_HOST_NAME, -1 },
	{ "http:///p", "http", "-", "", "-", "/p", "-", "-", URL_HOST_NAME,
	  -1 },
	{ "http://h:0080", "http", "-", "h", "0080", "", "-", "-",
	  URL_HOST_NAME, 80 },
	{ "mailto:John.Doe@example.com", "mailto", "-", "-", "-",
	  "John.Doe@example.com", "-", "-", URL_HOST_NONE, -1 },
	{ "urn:oasis:names:specification:docbook:dtd:xml:4.1.2", "urn", "-",
	  "-", "-", "oasis:names:specification:docbook:dtd:xml:4.1.2", "-",
	  "-", URL_HOST_NONE, -1 },
	{ "tel:+1-816-555-1212", "tel", "-", "-", "-", "+1-816-555-1212", "-",
	  "-", URL_HOST_NONE, -1 },
	{ "", "-", "-", "-", "-", "", "-", "-", URL_HOST_NONE, -1 },
	{ "a/b:c?d#e", "-", "-", "-", "-", "a/b:c", "d", "e", URL_HOST_NONE,
	  -1 },
	{ "./a:b", "-", "-", "-", "-", "./a:b", "-", "-", URL_HOST_NONE, -1 },
	{ "//h%41st/%7e", "-", "-", "h%41st", "-", "/%7e", "-", "-",
	  URL_HOST_NAME, -1 },
	{ "?q/?:@", "-", "-", "-", "-", "", "q/?:@", "-", URL_HOST_NONE, -1 },
	{ "#f/?", "-", "-", "-", "-", "", "-", "f/?", URL_HOST_NONE, -1 },
	{ "a+b.c-d:x", "a+b.c-d", "-", "-", "-", "x", "-", "-", URL_HOST_NONE,
	  -1 },
};

static void
check_slice(const char *what, const char *in, struct url_slice s, int has,
	    const char *want)
{
	if (strcmp(want, "-") == 0) {
		ck_assert_msg(!has, "%s: %s should be absent", in, what);
		return;
	}
	ck_assert_msg(has, "%s: %s should be present", in, what);
	ck_assert_msg(s.n == strlen(want) && memcmp(s.p, want, s.n) == 0,
		      "%s: %s is '%.*s', want '%s'", in, what, (int)s.n,
		      s.p ? s.p : "", want);
}

START_TEST(test_parse_cases)
{
	const char *in = parse_cases[_i].in;
	struct url u;

	ck_assert_int_eq(url_parse(in, strlen(in), &u), 0);
	check_slice("scheme", in, u.scheme, u.flags & URL_HAS_SCHEME,
		    parse_cases[_i].scheme);
	check_slice("userinfo", in, u.userinfo, u.flags & URL_HAS_USERINFO,
		    parse_cases[_i].userinfo);
	check_slice("host", in, u.host, u.flags & URL_HAS_AUTHORITY,
		    parse_cases[_i].host);
	check_slice("port", in, u.port, u.flags & URL_HAS_PORT,
		    parse_cases[_i].port);
	check_slice("path", in, u.path, 1, parse_cases[_i].path);
	check_slice("query", in, u.query, u.flags & URL_HAS_QUERY,
		    parse_cases[_i].query);
	check_slice("fragment", in, u.fragment, u.flags & URL_HAS_FRAGMENT,
		    parse_cases[_i].frag);
	ck_assert_int_eq(u.host_type, parse_cases[_i].ht);
	ck_assert_int_eq(u.port_num, parse_cases[_i].port_num);
}
END_TEST

static const struct {
	const char *in;
	int err;
} bad_cases[] = {
	{ "http://h:65536/", ERR_RANGE },
	{ "http://h:99999999999999999999/", ERR_RANGE },
	{ "http://h:8o/", ERR_PARSE },
	{ "http://h:-1/", ERR_PARSE },
	{ "http://h:80:80/", ERR_PARSE },
	{ "http://[::1/", ERR_PARSE },
	{ "http://[::1]x/", ERR_PARSE },
	{ "http://[1:2:3:4:5:6:7:8:9]/", ERR_PARSE },
	{ "http://[1:2:3:4:5:6:7]/", ERR_PARSE },
	{ "http://[1::2::3]/", ERR_PARSE },
	{ "http://[:1::2]/", ERR_PARSE },
	{ "http://[1::2:]/", ERR_PARSE },
	{ "http://[12345::]/", ERR_PARSE },
	{ "http://[::g]/", ERR_PARSE },
	{ "http://[::1.2.3]/", ERR_PARSE },
	{ "http://[::1.2.3.256]/", ERR_PARSE },
	{ "http://[::1.2.3.4:5]/", ERR_PARSE },
	{ "http://[1:2:3:4:5:6:7:1.2.3.4]/", ERR_PARSE },
	{ "http://[fe80::1%25eth0]/", ERR_PARSE },
	{ "http://[]/", ERR_PARSE },
	{ "http://[v.x]/", ERR_PARSE },
	{ "http://[v1.]/", ERR_PARSE },
	{ "http://[v1x]/", ERR_PARSE },
	{ "http://a[b]/", ERR_PARSE },
	{ "http://a@b@c/", ERR_PARSE },
	{ "http://h/%", ERR_PARSE },
	{ "http://h/%4", ERR_PARSE },
	{ "http://h/%4g", ERR_PARSE },
	{ "http://h/%%41", ERR_PARSE },
	{ "http://h/?%zz", ERR_PARSE },
	{ "http://h/#%", ERR_PARSE },
	{ "http://h%/", ERR_PARSE },
	{ "http://u%x@h/", ERR_PARSE },
	{ "http://h/a b", ERR_PARSE },
	{ " http://h/", ERR_PARSE },
	{ "http://h/ ", ERR_PARSE },
	{ "http://h/\t", ERR_PARSE },
	{ "http://h/\n", ERR_PARSE },
	{ "http://h/\x7f", ERR_PARSE },
	{ "http://h/\x80", ERR_PARSE },
	{ "http://h/a\\b", ERR_PARSE },
	{ "http://h/<>", ERR_PARSE },
	{ "http://h/\"", ERR_PARSE },
	{ "http://h/{}", ERR_PARSE },
	{ "http://h/a#b#c", ERR_PARSE },
	{ "http://h/[", ERR_PARSE },
	{ "http://h/?[", ERR_PARSE },
	{ "http://h^/", ERR_PARSE },
	{ "1a:b", ERR_PARSE },
	{ "a:b", 0 },
	{ ":a", ERR_PARSE },
	{ "a/b:c", 0 },
};

START_TEST(test_parse_bad)
{
	const char *in = bad_cases[_i].in;
	struct url u;

	ck_assert_msg(url_parse(in, strlen(in), &u) == bad_cases[_i].err,
		      "'%s': want %s", in, err_str(bad_cases[_i].err));
}
END_TEST

START_TEST(test_parse_nul_and_limit)
{
	static char big[URL_MAX_LEN + 2];
	struct url u;

	ck_assert_int_eq(url_parse("http://h/\0x", 11, &u), ERR_PARSE);
	memset(big, 'a', sizeof big);
	ck_assert_int_eq(url_parse(big, URL_MAX_LEN, &u), 0);
	ck_assert_int_eq(u.path.n, URL_MAX_LEN);
	ck_assert_int_eq(url_parse(big, URL_MAX_LEN + 1, &u), ERR_TOOBIG);
}
END_TEST

/* The drill: format gives back exactly what was parsed, and what format
 * writes parses to the same components. */
START_TEST(test_format_parse_drill)
{
	const char *in = parse_cases[_i].in;
	struct url u, v;
	char again[256];
	ssize_t n;

	ck_assert_int_eq(url_parse(in, strlen(in), &u), 0);
	n = url_format(&u, out, sizeof out);
	ck_assert_int_eq(n, strlen(in));
	ck_assert_str_eq(out, in);
	ck_assert_int_eq(url_parse(out, (size_t)n, &v), 0);
	ck_assert_int_eq(v.flags, u.flags);
	ck_assert_int_eq(v.host_type, u.host_type);
	ck_assert_int_eq(v.port_num, u.port_num);
	ck_assert_int_eq(url_format(&v, again, sizeof again), n);
	ck_assert_str_eq(again, in);
}
END_TEST

/* A struct built by hand (not parsed) formats to the expected text. */
START_TEST(test_format_built)
{
	struct url u = {
		.scheme = { "https", 5 }, .host = { "2001:db8::1", 11 },
		.port = { "8443", 4 }, .path = { "/a", 2 }, .query = { "", 0 },
		.flags = URL_HAS_SCHEME | URL_HAS_AUTHORITY | URL_HAS_PORT |
			 URL_HAS_QUERY,
		.host_type = URL_HOST_IPV6, .port_num = 8443,
	};
	struct url v;
	char small[8];

	ck_assert_int_eq(url_format(&u, out, sizeof out), 29);
	ck_assert_str_eq(out, "https://[2001:db8::1]:8443/a?");
	ck_assert_int_eq(url_parse(out, 29, &v), 0);
	ck_assert_int_eq(v.port_num, 8443);
	ck_assert_int_eq(v.host.n, 11);
	ck_assert_int_eq(url_format(&u, small, sizeof small), ERR_TOOBIG);
}
END_TEST

static const struct {
	const char *in, *want;
} norm_cases[] = {
	{ "HTTP://Example.COM/", "http://example.com/" },
	{ "http://example.com", "http://example.com/" },
	{ "http://example.com:80/", "http://example.com/" },
	{ "http://example.com:/", "http://example.com/" },
	{ "https://example.com:443/", "https://example.com/" },
	{ "http://example.com:443/", "http://example.com:443/" },
	{ "https://example.com:80/", "https://example.com:80/" },
	{ "http://example.com:0080/", "http://example.com/" },
	{ "http://example.com:08080/", "http://example.com:8080/" },
	{ "ftp://example.com:21", "ftp://example.com:21" },
	{ "http://example.com/a/./b/../c", "http://example.com/a/c" },
	{ "http://example.com/%7Euser/%7efoo",
	  "http://example.com/~user/~foo" },
	{ "http://example.com/%2F%2f%3a", "http://example.com/%2F%2F%3A" },
	{ "http://example.com/a%2e%2E/../b", "http://example.com/b" },
	{ "http://example.com/a/%2E%2e/b", "http://example.com/b" },
	{ "http://ex%41mple.com/", "http://example.com/" },
	{ "http://EX%c3%a9.com/", "http://ex%C3%A9.com/" },
	{ "http://U%73er:P@h/", "http://User:P@h/" },
	{ "http://h/?Q=%41%2b", "http://h/?Q=A%2B" },
	{ "http://h/#F%7E%7c", "http://h/#F~%7C" },
	{ "http://h/?a/../b#c/./d", "http://h/?a/../b#c/./d" },
	{ "http://[2001:DB8:0:0:0:0:0:1]/", "http://[2001:db8::1]/" },
	{ "http://[2001:db8:0:0:1:0:0:1]/", "http://[2001:db8::1:0:0:1]/" },
	{ "http://[2001:0db8:0000:0001:0:0:0:0]/", "http://[2001:db8:0:1::]/" },
	{ "http://[0:0:0:0:0:0:0:0]/", "http://[::]/" },
	{ "http://[1:0:1:1:1:1:1:1]/", "http://[1:0:1:1:1:1:1:1]/" },
	{ "http://[1:0:0:1:0:0:1:1]/", "http://[1::1:0:0:1:1]/" },
	{ "http://[1:0:0:1:0:0:0:1]/", "http://[1:0:0:1::1]/" },
	{ "http://[0:0:1::]/", "http://[0:0:1::]/" },
	{ "http://[::ffff:0:0]/", "http://[::ffff:0.0.0.0]/" },
	{ "http://[::FFFF:C000:0201]/", "http://[::ffff:192.0.2.1]/" },
	{ "http://[::1.2.3.4]/", "http://[::102:304]/" },
	{ "http://[V7.A:B]/", "http://[v7.a:b]/" },
	{ "HTTP://[::1]:80", "http://[::1]/" },
	{ "http:/a/../..//b", "http:/.//b" },
	{ "http:g", "http:g" },
	{ "mailto:A@B.example", "mailto:A@B.example" },
	{ "foo://h/a/../b", "foo://h/b" },
	{ "foo://h", "foo://h" },
	{ "../a/./b", "../a/./b" },
	{ "/a/../b", "/b" },
	{ "//H/a/..", "//h/" },
	{ "", "" },
};

START_TEST(test_normalize)
{
	const char *in = norm_cases[_i].in;
	ssize_t n = url_normalize(in, strlen(in), out, sizeof out);
	char again[256];

	ck_assert_msg(n >= 0, "%s: %s", in, err_str((int)n));
	ck_assert_str_eq(out, norm_cases[_i].want);
	/* Idempotent: a normal form is its own normal form. */
	ck_assert_int_eq(url_normalize(out, (size_t)n, again, sizeof again),
			 n);
	ck_assert_str_eq(again, out);
}
END_TEST

START_TEST(test_normalize_errors)
{
	char small[16];

	ck_assert_int_eq(url_normalize("http://h/%zz", 12, out, sizeof out),
			 ERR_PARSE);
	ck_assert_int_eq(url_normalize("http://h:70000", 14, out, sizeof out),
			 ERR_RANGE);
	ck_assert_int_eq(url_normalize("http://h/abcdefgh", 17, small,
				       sizeof small), ERR_TOOBIG);
	/* The empty path made "/" can be the byte that does not fit. */
	ck_assert_int_eq(url_normalize("http://h", 8, small, 9), ERR_TOOBIG);
	ck_assert_int_eq(url_normalize("http://h", 8, small, 10), 9);
}
END_TEST

static const struct {
	const char *in;
	enum url_enc set;
	const char *want;
} enc_cases[] = {
	{ "a b/c?d", URL_ENC_COMPONENT, "a%20b%2Fc%3Fd" },
	{ "a b/c?d", URL_ENC_PATH, "a%20b/c%3Fd" },
	{ "a b/c?d#", URL_ENC_QUERY, "a%20b/c?d%23" },
	{ "-._~AZaz09", URL_ENC_COMPONENT, "-._~AZaz09" },
	{ "100%", URL_ENC_PATH, "100%25" },
	{ "/caf\xc3\xa9 %41|x", URL_ENC_FIXUP, "/caf%C3%A9%20%41%7Cx" },
	{ "\x01\x7f", URL_ENC_FIXUP, "%01%7F" },
	{ "", URL_ENC_COMPONENT, "" },
};

START_TEST(test_pct_encode)
{
	const char *in = enc_cases[_i].in;
	ssize_t n = url_pct_encode(in, strlen(in), enc_cases[_i].set, out,
				   sizeof out);

	ck_assert_int_eq(n, strlen(enc_cases[_i].want));
	ck_assert_str_eq(out, enc_cases[_i].want);
}
END_TEST

/* Encode then decode gives every byte value back. */
START_TEST(test_pct_roundtrip)
{
	char raw[256], enc[800], dec[257];
	ssize_t n;

	for (int i = 0; i < 256; i++)
		raw[i] = (char)i;
	n = url_pct_encode(raw, sizeof raw, URL_ENC_COMPONENT, enc,
			   sizeof enc);
	ck_assert_int_eq(n, 66 + 190 * 3);
	ck_assert_int_eq(url_pct_decode(enc, (size_t)n, dec, sizeof dec, URL_DEC_STRICT),
			 256);
	ck_assert_mem_eq(dec, raw, 256);
	ck_assert_int_eq(url_pct_encode(raw, sizeof raw, URL_ENC_COMPONENT,
					enc, 100), ERR_TOOBIG);
}
END_TEST

static const struct {
	const char *in, *want;
	ssize_t n;
} dec_cases[] = {
	{ "a%20b", "a b", 3 },
	{ "%41%62%7e%7E", "Ab~~", 4 },
	{ "%00x", "\0x", 2 },
	{ "plain+text", "plain+text", 10 },
	{ "%", NULL, ERR_PARSE },
	{ "a%2", NULL, ERR_PARSE },
	{ "%G0", NULL, ERR_PARSE },
	{ "%0g", NULL, ERR_PARSE },
	{ "%%", NULL, ERR_PARSE },
};

START_TEST(test_pct_decode)
{
	const char *in = dec_cases[_i].in;
	ssize_t n = url_pct_decode(in, strlen(in), out, sizeof out, 0);

	ck_assert_int_eq(n, dec_cases[_i].n);
	if (n >= 0)
		ck_assert_mem_eq(out, dec_cases[_i].want, (size_t)n);
}
END_TEST

START_TEST(test_pct_decode_inplace_and_limit)
{
	char s[] = "x%2Fy%3f";
	char small[3];

	ck_assert_int_eq(url_pct_decode(s, strlen(s), s, sizeof s, 0), 4);
	ck_assert_str_eq(s, "x/y?");
	ck_assert_int_eq(url_pct_decode("abc", 3, small, sizeof small, 0),
			 ERR_TOOBIG);
	ck_assert_int_eq(url_pct_decode("a%41", 4, small, sizeof small, 0), 2);
	ck_assert_str_eq(small, "aA");
}
END_TEST

/* The flags of url_pct_decode: what the web server's path and the
 * crawler's mirror names each refuse or keep. */
static const struct {
	const char *in;
	enum url_dec flags;
	const char *want;	/* NULL: ERR_PARSE */
} dec_flag_cases[] = {
	{ "a%zzb%4", URL_DEC_KEEP_BAD, "a%zzb%4" },
	{ "a%41%", URL_DEC_KEEP_BAD, "aA%" },
	{ "a%zz", URL_DEC_STRICT, NULL },
	{ "/a%2fb", URL_DEC_PATH, NULL },
	{ "/a%2Fb", URL_DEC_PATH, NULL },
	{ "/a%00b", URL_DEC_PATH, NULL },
	{ "/a%2eb/%7E", URL_DEC_PATH, "/a.b/~" },
	{ "/a%2fb", URL_DEC_STRICT, "/a/b" },
	{ "/a%4", URL_DEC_PATH, NULL },
};

START_TEST(test_pct_decode_flags)
{
	const char *in = dec_flag_cases[_i].in;
	const char *want = dec_flag_cases[_i].want;
	ssize_t n = url_pct_decode(in, strlen(in), out, sizeof out,
				   dec_flag_cases[_i].flags);

	if (want == NULL) {
		ck_assert_int_eq(n, ERR_PARSE);
		return;
	}
	ck_assert_int_eq(n, (ssize_t)strlen(want));
	ck_assert_str_eq(out, want);
}
END_TEST

static const struct {
	const char *in;
	int err;
	const char *host, *hostport, *target;
	unsigned port;
	int tls;
} http_cases[] = {
	{ "http://example.test/a?b#c", 0, "example.test", "example.test",
	  "/a?b", 80, 0 },
	{ "https://example.test", 0, "example.test", "example.test", "/", 443,
	  1 },
	{ "http://u:p@h:8080?q", 0, "h", "h:8080", "/?q", 8080, 0 },
	{ "HTTP://[::1]:81/x", 0, "::1", "[::1]:81", "/x", 81, 0 },
	{ "http://[::1]/x", 0, "::1", "[::1]", "/x", 80, 0 },
	{ "http://h:/x", 0, "h", "h", "/x", 80, 0 },
	{ "http://10.0.0.1:443/", 0, "10.0.0.1", "10.0.0.1:443", "/", 443,
	  0 },
	{ "ftp://h/", ERR_UNSUPPORTED, NULL, NULL, NULL, 0, 0 },
	{ "/a/b", ERR_UNSUPPORTED, NULL, NULL, NULL, 0, 0 },
	{ "http:/a", ERR_PARSE, NULL, NULL, NULL, 0, 0 },
	{ "http:///a", ERR_PARSE, NULL, NULL, NULL, 0, 0 },
	{ "http://h%20x/", ERR_UNSUPPORTED, NULL, NULL, NULL, 0, 0 },
	{ "http://[v1.x]/", ERR_UNSUPPORTED, NULL, NULL, NULL, 0, 0 },
	{ "http://h:0/", ERR_RANGE, NULL, NULL, NULL, 0, 0 },
};

static void
assert_slice(struct url_slice s, const char *want)
{
	ck_assert_msg(s.n == strlen(want) && memcmp(s.p, want, s.n) == 0,
		      "'%.*s' != '%s'", (int)s.n, s.p, want);
}

START_TEST(test_http_target)
{
	const char *in = http_cases[_i].in;
	struct url u;
	struct url_http h;
	char target[64];

	ck_assert_int_eq(url_parse(in, strlen(in), &u), 0);
	ck_assert_int_eq(url_http_target(&u, &h, target, sizeof target),
			 http_cases[_i].err);
	if (http_cases[_i].err)
		return;
	assert_slice(h.host, http_cases[_i].host);
	assert_slice(h.hostport, http_cases[_i].hostport);
	assert_slice(h.target, http_cases[_i].target);
	ck_assert_str_eq(target, http_cases[_i].target);
	ck_assert_uint_eq(h.port, http_cases[_i].port);
	ck_assert_int_eq(h.tls, http_cases[_i].tls);
}
END_TEST

START_TEST(test_http_target_toobig)
{
	struct url u;
	struct url_http h;
	char target[4];

	ck_assert_int_eq(url_parse("http://h/abcd", 13, &u), 0);
	ck_assert_int_eq(url_http_target(&u, &h, target, sizeof target),
			 ERR_TOOBIG);
	ck_assert_int_eq(url_parse("http://h/ab", 11, &u), 0);
	ck_assert_int_eq(url_http_target(&u, &h, target, sizeof target), 0);
	ck_assert_str_eq(target, "/ab");
}
END_TEST

static Suite *
url_suite(void)
{
	Suite *s = suite_create("url");
	TCase *t = tcase_create("url");

	tcase_add_loop_test(t, test_rfc_examples, 0, N(rfc_examples));
	tcase_add_loop_test(t, test_resolve_cases, 0, N(resolve_cases));
	tcase_add_test(t, test_resolve_toobig);
	tcase_add_test(t, test_resolve_max_len);
	tcase_add_loop_test(t, test_remove_dot_segments, 0, N(dot_cases));
	tcase_add_loop_test(t, test_parse_cases, 0, N(parse_cases));
	tcase_add_loop_test(t, test_parse_bad, 0, N(bad_cases));
	tcase_add_test(t, test_parse_nul_and_limit);
	tcase_add_loop_test(t, test_format_parse_drill, 0, N(parse_cases));
	tcase_add_test(t, test_format_built);
	tcase_add_loop_test(t, test_normalize, 0, N(norm_cases));
	tcase_add_test(t, test_normalize_errors);
	tcase_add_loop_test(t, test_pct_encode, 0, N(enc_cases));
	tcase_add_test(t, test_pct_roundtrip);
	tcase_add_loop_test(t, test_pct_decode, 0, N(dec_cases));
	tcase_add_test(t, test_pct_decode_inplace_and_limit);
	tcase_add_loop_test(t, test_pct_decode_flags, 0, N(dec_flag_cases));
	tcase_add_loop_test(t, test_http_target, 0, N(http_cases));
	tcase_add_test(t, test_http_target_toobig);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return unit_run(url_suite());
}
