/* Fuzz target for the Accept-Encoding parser (http_encode.c): any bytes
 * give a q of -1 or 0-1000 per coding, and a ranking of distinct codings
 * of the mask, with non-increasing q, none refused (q = 0). The same
 * bytes as a Content-Type go through the compressible-type test. */
#include <stdlib.h>
#include <string.h>

#include "http/http_encode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
q_of(const struct http_accept *a, enum http_coding c)
{
	return a->q[c] >= 0 ? a->q[c] : a->star >= 0 ? a->star : 0;
}

static void
check_rank(const struct http_accept *a, unsigned mask)
{
	enum http_coding out[HTTP_CODINGS];
	unsigned seen = 0;
	int n = http_accept_rank(a, mask, out);

	if (n < 0 || n > 3)
		abort();
	for (int i = 0; i < n; i++) {
		unsigned bit = HTTP_CODING_BIT(out[i]);
		if (out[i] == HTTP_CODING_IDENTITY || !(mask & bit) ||
		    (seen & bit) || q_of(a, out[i]) <= 0)
			abort();
		if (i > 0 && q_of(a, out[i]) > q_of(a, out[i - 1]))
			abort();
		seen |= bit;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_slice v = { (const char *)data, size };
	struct http_accept a;
	char type[256];

	http_accept_parse(v, &a);
	for (int c = 0; c < HTTP_CODINGS; c++)
		if (a.q[c] < -1 || a.q[c] > 1000)
			abort();
	if (a.star < -1 || a.star > 1000)
		abort();
	check_rank(&a, HTTP_CODING_ALL);
	check_rank(&a, HTTP_CODING_BIT(HTTP_CODING_GZIP));
	size_t n = size < sizeof type - 1 ? size : sizeof type - 1;
	memcpy(type, data, n);
	type[n] = '\0';
	(void)http_encode_type_ok(type);
	return 0;
}
