/* fuzz_crawl_mirror: crawl_out_mirror_path on arbitrary bytes (and on
 * their normalised form), checking that a mirror path never leaves the
 * mirror directory: no leading "/", no empty, "." or ".." component, no
 * component over CRAWL_OUT_NAME_MAX, no NUL or control byte, and the
 * returned length is the string's. Also feeds the URL to a frontier. */
#include <stdlib.h>
#include <string.h>

#include "crawl/crawl_frontier.h"
#include "crawl/crawl_out.h"
#include "url/url.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_path(const char *s, size_t n)
{
	char out[4096];
	ssize_t len = crawl_out_mirror_path(s, n, out, sizeof out);
	size_t start = 0;

	if (len < 0)
		return;
	CHECK((size_t)len == strlen(out) && len > 0 && out[0] != '/');
	for (size_t i = 0; i <= (size_t)len; i++) {
		if (i < (size_t)len) {
			CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
			if (out[i] != '/')
				continue;
		}
		CHECK(i > start && i - start <= CRAWL_OUT_NAME_MAX);
		CHECK(!(i - start == 1 && out[start] == '.'));
		CHECK(!(i - start == 2 && memcmp(out + start, "..", 2) == 0));
		start = i + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char norm[URL_MAX_LEN + 1];
	const char *s = (const char *)data;
	struct crawl_frontier f;
	struct crawl_limits lim;
	ssize_t n;

	check_path(s, size);
	n = url_normalize(s, size, norm, sizeof norm);
	if (n >= 0)
		check_path(norm, (size_t)n);
	crawl_limits_default(&lim);
	if (crawl_frontier_init(&f, &lim) == 0) {
		crawl_frontier_add(&f, CRAWL_NONE, "http://h/", 9);
		crawl_frontier_add(&f, 0, s, size);
		crawl_frontier_add(&f, 0, s, size);
		CHECK(f.nnodes <= 2 && f.nedges <= 1);
		crawl_frontier_fini(&f);
	}
	return 0;
}
