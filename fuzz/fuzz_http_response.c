/* Fuzz target: a response head as the client engine reads it, in pieces
 * from a socket: fed in growing steps to one struct (each a longer prefix
 * of the same bytes), the parser must reach the verdict it reaches on the
 * whole input, with the same status, framing, length and fields. The
 * first byte picks the request method (GET or HEAD) and the step. */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_same(const struct http_response *a, const struct http_response *b)
{
	if (a->status != b->status || a->framing != b->framing ||
	    a->content_length != b->content_length ||
	    a->nheaders != b->nheaders || a->keep_alive != b->keep_alive ||
	    a->reason.n != b->reason.n)
		abort();
	for (size_t i = 0; i < a->nheaders; i++)
		if (a->headers[i].name.n != b->headers[i].name.n ||
		    a->headers[i].value.n != b->headers[i].value.n)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_response whole, inc;

	if (size < 1)
		return 0;
	enum http_method m = data[0] & 1 ? HTTP_M_HEAD : HTTP_M_GET;
	size_t step = 1 + (data[0] >> 1);
	const char *p = (const char *)data + 1;
	size_t n = size - 1;

	http_response_init(&whole);
	ssize_t rc = http_parse_response(&whole, p, n, m);
	if (rc > 0 && ((size_t)rc > n || whole.nheaders > HTTP_MAX_HEADERS))
		abort();
	http_response_init(&inc);
	ssize_t r2 = ERR_AGAIN;
	for (size_t i = 0; i <= n && r2 == ERR_AGAIN; i += step)
		r2 = http_parse_response(&inc, p, i, m);
	if (r2 == ERR_AGAIN)
		r2 = http_parse_response(&inc, p, n, m);
	/* An error may be found at another byte when fed in pieces. */
	if (r2 != rc && !(r2 < 0 && rc < 0 && rc != ERR_AGAIN &&
			  r2 != ERR_AGAIN))
		abort();
	if (rc > 0)
		check_same(&whole, &inc);
	return 0;
}
