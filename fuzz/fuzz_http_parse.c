/* Fuzz target for src/http/http_parse.c and http_chunked.c: a request head
 * parsed whole and byte by byte (same answer), a response head, and a
 * chunked body decoded whole and in two pieces (same data). */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_slices(const struct http_request *r, const char *p, size_t n)
{
	for (size_t i = 0; i < r->nheaders; i++) {
		const struct http_header *h = &r->headers[i];
		if (h->name.p < p || h->name.p + h->name.n > p + n ||
		    h->value.p < p || h->value.p + h->value.n > p + n)
			abort();
	}
}

static void
fuzz_request(const char *p, size_t n)
{
	static struct http_request whole, inc;

	http_request_init(&whole);
	ssize_t rc = http_parse_request(&whole, p, n);
	if (rc > 0) {
		if ((size_t)rc > n || whole.nheaders > HTTP_MAX_HEADERS)
			abort();
		check_slices(&whole, p, n);
	}
	/* fed in growing steps, the parser must reach the same verdict */
	http_request_init(&inc);
	ssize_t r2 = ERR_AGAIN;
	for (size_t i = 1; i <= n && r2 == ERR_AGAIN; i += 1 + i / 7)
		r2 = http_parse_request(&inc, p, i);
	if (r2 == ERR_AGAIN)
		r2 = http_parse_request(&inc, p, n);
	if (r2 != rc && !(r2 < 0 && rc < 0 && rc != ERR_AGAIN &&
			  r2 != ERR_AGAIN))
		abort();
	if (rc > 0 && (inc.method != whole.method ||
		       inc.framing != whole.framing))
		abort();
}

static void
fuzz_chunked(const char *p, size_t n)
{
	struct http_chunked c;
	char *a = malloc(n + 1), *b = malloc(n + 1);
	size_t la = n, half = n / 2, lb1 = half, lb2 = n - half;

	memcpy(a, p, n);
	memcpy(b, p, n);
	http_chunked_init(&c);
	ssize_t ra = http_chunked_decode(&c, a, &la);
	http_chunked_init(&c);
	ssize_t rb = http_chunked_decode(&c, b, &lb1);
	if (rb == ERR_AGAIN) {
		memmove(b + lb1, b + half, lb2);
		rb = http_chunked_decode(&c, b + lb1, &lb2);
		lb1 += lb2;
	} else if (rb >= 0) {
		rb += (ssize_t)(n - half);
	}
	if (ra >= 0 && (rb != ra || la != lb1 || memcmp(a, b, la) != 0))
		abort();
	if (ra >= 0 && la + (size_t)ra > n)
		abort();
	free(a);
	free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct http_response *resp = malloc(sizeof *resp);

	fuzz_request(p, size);
	http_response_init(resp);
	if (http_parse_response(resp, p, size, HTTP_M_GET) > (ssize_t)size)
		abort();
	free(resp);
	fuzz_chunked(p, size);
	return 0;
}
