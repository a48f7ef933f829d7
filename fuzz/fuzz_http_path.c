/* Fuzz target for the pure helpers of the file responder: path cleaning
 * (the result is clean: starts with '/', no "." or ".." segments, no
 * "//"), Range parsing (sorted, disjoint ranges inside the file) and HTTP
 * dates. */
#include <stdlib.h>
#include <string.h>

#include "http/http_date.h"
#include "http/http_mime.h"
#include "http/http_path.h"
#include "http/http_range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_path(const char *in, size_t n)
{
	char out[512];
	ssize_t len = http_path_clean(in, n, out, sizeof out);

	if (len < 0)
		return;
	if ((size_t)len >= sizeof out || out[0] != '/' || out[len] != '\0' ||
	    strlen(out) != (size_t)len)
		abort();
	if (strstr(out, "//") || strstr(out, "/./") || strstr(out, "/../"))
		abort();
	if ((len >= 2 && strcmp(out + len - 2, "/.") == 0) ||
	    (len >= 3 && strcmp(out + len - 3, "/..") == 0))
		abort();
}

static void
check_range(const char *in, size_t n, uint64_t size)
{
	struct http_range r[HTTP_MAX_RANGES];
	struct http_slice v = { in, n };
	int k = http_range_parse(v, size, r);

	if (k > HTTP_MAX_RANGES)
		abort();
	for (int i = 0; i < k; i++) {
		if (r[i].first > r[i].last || r[i].last >= size)
			abort();
		if (i > 0 && r[i].first <= r[i - 1].last + 1)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	time_t t;

	check_path(p, size);
	check_range(p, size, 1000);
	check_range(p, size, 1);
	struct http_slice v = { p, size };
	(void)http_date_parse(v, &t);
	(void)http_mime_type(p, size);
	return 0;
}
