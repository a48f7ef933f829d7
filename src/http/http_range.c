/* http_range: byte ranges (RFC 9110 section 14). Ranges are sorted and
 * merged, and a request for too many of them is served whole, so that no
 * client can make one response expensive (Apache CVE-2011-3192). */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/err.h"
#include "http_range.h"

#define HTTP_MAX_RANGE_SPECS 100

static size_t
skip_ows(struct http_slice v, size_t i)
{
	while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t'))
		i++;
	return i;
}

/* 1*DIGIT at v.p[*i]. Returns 0, or -1 when there is no digit or the value
 * overflows. */
static int
digits(struct http_slice v, size_t *i, uint64_t *out)
{
	uint64_t x = 0;
	size_t b = *i;

	while (*i < v.n && v.p[*i] >= '0' && v.p[*i] <= '9') {
		if (x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(v.p[(*i)++] - '0');
	}
	*out = x;
	return *i > b ? 0 : -1;
}

/* One range-spec at *i. Returns 1 satisfiable (in *r), 0 unsatisfiable,
 * -1 bad syntax. */
static int
spec_parse(struct http_slice v, size_t *i, uint64_t size, struct http_range *r)
{
	uint64_t a, b;

	if (*i < v.n && v.p[*i] == '-') {
		(*i)++;
		if (digits(v, i, &b) < 0)
			return -1;
		if (b == 0 || size == 0)
			return 0;
		r->first = b >= size ? 0 : size - b;
		r->last = size - 1;
		return 1;
	}
	if (digits(v, i, &a) < 0 || *i >= v.n || v.p[(*i)++] != '-')
		return -1;
	b = UINT64_MAX;
	if (*i < v.n && v.p[*i] >= '0' && v.p[*i] <= '9' &&
	    (digits(v, i, &b) < 0 || b < a))
		return -1;
	if (a >= size)
		return 0;
	r->first = a;
	r->last = b >= size ? size - 1 : b;
	return 1;
}

/* Sorts by first byte and merges ranges that overlap or touch. */
static int
ranges_merge(struct http_range *r, int n)
{
	for (int i = 1; i < n; i++) {
		struct http_range x = r[i];
		int j = i;
		while (j > 0 && r[j - 1].first > x.first) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = x;
	}
	int w = 0;
	for (int i = 1; i < n; i++) {
		if (r[i].first <= r[w].last + 1) {
			if (r[i].last > r[w].last)
				r[w].last = r[i].last;
		} else {
			r[++w] = r[i];
		}
	}
	return n ? w + 1 : 0;
}

int
http_range_parse(struct http_slice v, uint64_t size, struct http_range *out)
{
	struct http_range r[HTTP_MAX_RANGE_SPECS];
	int n = 0, specs = 0;
	size_t i = 0;

	if (v.n < 6 || strncasecmp(v.p, "bytes=", 6) != 0)
		return 0;
	i = 6;
	for (;;) {
		i = skip_ows(v, i);
		if (i < v.n && v.p[i] != ',') {
			if (++specs > HTTP_MAX_RANGE_SPECS)
				return 0;
			int rc = spec_parse(v, &i, size, &r[n]);
			if (rc < 0)
				return 0;
			n += rc;
			i = skip_ows(v, i);
		}
		if (i >= v.n)
			break;
		if (v.p[i++] != ',')
			return 0;
	}
	if (specs == 0)
		return 0;
	if (n == 0)
		return ERR_RANGE;
	n = ranges_merge(r, n);
	if (n > HTTP_MAX_RANGES)
		return 0;
	memcpy(out, r, sizeof *r * (size_t)n);
	return n;
}
