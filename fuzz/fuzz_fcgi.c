/* Fuzz target: a stream of FastCGI records as the gateway reads them from
 * an application, and the name-value pairs of their contents: every
 * record and pair must lie inside the input, and a pair written back
 * must read the same. */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http/http_fcgi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
pairs(const char *p, size_t n)
{
	static uint8_t out[HTTP_FCGI_MAX_RECORD];
	struct http_slice name, value, n2, v2;

	while (n > 0) {
		ssize_t k = http_fcgi_pair_parse(p, n, &name, &value);
		if (k < 0)
			return;
		if ((size_t)k > n || name.p < p || value.p + value.n > p + n)
			abort();
		ssize_t w = http_fcgi_pair_format(out, sizeof out, name.p,
						  name.n, value.p, value.n);
		if (w > 0 &&
		    (http_fcgi_pair_parse(out, (size_t)w, &n2, &v2) != w ||
		     n2.n != name.n || v2.n != value.n ||
		     memcmp(n2.p, name.p, name.n) ||
		     memcmp(v2.p, value.p, value.n)))
			abort();
		p += k;
		n -= (size_t)k;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t n = size;
	struct http_fcgi_record r;

	for (;;) {
		ssize_t k = http_fcgi_record_parse(&r, p, n);
		if (k < 0)
			break;
		const uint8_t *end = (const uint8_t *)r.content.p + r.content.n;
		if ((size_t)k > n || end > p + k)
			abort();
		if (r.type == HTTP_FCGI_PARAMS ||
		    r.type == HTTP_FCGI_GET_VALUES_RESULT)
			pairs(r.content.p, r.content.n);
		uint32_t app;
		int proto;
		if (r.type == HTTP_FCGI_END_REQUEST)
			(void)http_fcgi_end_parse(&r, &app, &proto);
		p += k;
		n -= (size_t)k;
	}
	return 0;
}
