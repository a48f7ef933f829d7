/* Fuzz target: a CGI script's response head as the gateway reads it, in
 * pieces from a pipe: fed in growing steps to one struct, the parser must
 * reach the verdict it reaches on the whole input, with the same status,
 * CGI fields and other fields, all inside the input. The first byte
 * picks the step. */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http/http_cgi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(struct http_slice s, const char *p, size_t n)
{
	if (s.p && (s.p < p || s.p + s.n > p + n))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_cgi_head whole, inc;

	if (size < 1)
		return 0;
	size_t step = 1 + data[0];
	const char *p = (const char *)data + 1;
	size_t n = size - 1;

	http_cgi_head_init(&whole);
	ssize_t rc = http_cgi_parse_head(&whole, p, n);
	if (rc > 0 && ((size_t)rc > n || whole.nfields > HTTP_CGI_MAX_FIELDS))
		abort();
	http_cgi_head_init(&inc);
	ssize_t r2 = ERR_AGAIN;
	for (size_t i = 0; i <= n && r2 == ERR_AGAIN; i += step)
		r2 = http_cgi_parse_head(&inc, p, i);
	if (r2 == ERR_AGAIN)
		r2 = http_cgi_parse_head(&inc, p, n);
	if (r2 != rc)
		abort();
	if (rc <= 0)
		return 0;
	if (whole.status != inc.status || whole.nfields != inc.nfields ||
	    whole.has_length != inc.has_length || whole.length != inc.length)
		abort();
	inside(whole.location, p, n);
	inside(whole.content_type, p, n);
	for (size_t i = 0; i < whole.nfields; i++) {
		inside(whole.fields[i].name, p, n);
		inside(whole.fields[i].value, p, n);
		(void)http_cgi_is_hop(whole.fields[i].name);
	}
	return 0;
}
