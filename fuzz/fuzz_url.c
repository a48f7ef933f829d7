/* fuzz_url: url_parse, url_format, url_normalize, url_resolve and
 * url_http_target on arbitrary bytes, checking their invariants: format
 * gives back the input, normal forms are fixed points, a normalised
 * absolute URL resolves to itself against any base, outputs fit. */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "url/url.h"

static const char *const bases[] = {
	"http://a/b/c/d;p?q",
	"https://u@[2001:db8::1]:8443/x/",
	"foo:rootless/path",
	"http://h",
};

static char a[URL_MAX_LEN + 1], b[URL_MAX_LEN + 1], c[URL_MAX_LEN + 1];

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static void
check_normal_form(const char *s, size_t n)
{
	struct url u;

	CHECK(n <= URL_MAX_LEN && s[n] == '\0');
	CHECK(url_parse(s, n, &u) == 0);
	CHECK(url_normalize_parsed(&u, c, sizeof c) == (ssize_t)n);
	CHECK(memcmp(c, s, n) == 0);
	if (!(u.flags & URL_HAS_SCHEME))
		return;
	for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
		ssize_t r = url_resolve_str(bases[i], strlen(bases[i]), s, n,
					    c, sizeof c);
		CHECK(r == (ssize_t)n && memcmp(c, s, n) == 0);
	}
}

static void
check_http(const char *s, size_t n)
{
	struct url u;
	struct url_http h;
	int rc;

	CHECK(url_parse(s, n, &u) == 0);
	rc = url_http_target(&u, &h, c, sizeof c);
	if (rc)
		return;
	CHECK(h.port != 0 && h.host.n > 0 && h.target.p == c);
	CHECK(h.target.n >= 1 && c[0] == '/' && c[h.target.n] == '\0');
	CHECK(!memchr(c, '#', h.target.n));
}

/* The output limit: a result that does not fit in an exact-size heap
 * buffer is ERR_TOOBIG, never an overflow (ASan watches the edge). */
static void
check_limit(const char *s, size_t n, size_t want)
{
	char *small = malloc(want);
	ssize_t r = url_normalize(s, n, small, want);

	CHECK(r == ERR_TOOBIG);
	free(small);
	small = malloc(want + 1);
	r = url_normalize(s, n, small, want + 1);
	CHECK(r == (ssize_t)want && small[want] == '\0');
	free(small);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct url u;
	ssize_t n;

	if (url_parse(s, size, &u) == 0) {
		n = url_format(&u, a, sizeof a);
		CHECK(n == (ssize_t)size && memcmp(a, s, size) == 0);
	}
	n = url_normalize(s, size, a, sizeof a);
	if (n >= 0) {
		check_normal_form(a, (size_t)n);
		check_http(a, (size_t)n);
		check_limit(s, size, (size_t)n);
	}
	for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
		n = url_resolve_str(bases[i], strlen(bases[i]), s, size, b,
				    sizeof b);
		if (n < 0)
			continue;
		CHECK(url_parse(b, (size_t)n, &u) == 0);
		CHECK(u.flags & URL_HAS_SCHEME);
		n = url_normalize_parsed(&u, a, sizeof a);
		if (n >= 0)
			check_normal_form(a, (size_t)n);
	}
	n = url_pct_decode(s, size, b, sizeof b, (enum url_dec)(size % 3));
	CHECK(n < 0 || (size_t)n <= size);
	return 0;
}
