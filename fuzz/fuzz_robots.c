/* fuzz_robots: crawl_robots_parse and crawl_robots_allowed on arbitrary
 * bytes. The first line of the input is also used as a path to match, so
 * that patterns and paths meet; /robots.txt must always be allowed and a
 * second parse of the same text must decide the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawl/crawl_robots.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static const char *const paths[] = {
	"/", "/a", "/private/x", "/index.php?q=1", "/%7Ejoe/", "/a$b*c",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *txt = (const char *)data;
	const char *nl = memchr(txt, '\n', size);
	size_t plen = nl ? (size_t)(nl - txt) : size;
	struct crawl_robots r, again;
	int rc;

	crawl_robots_init(&r);
	crawl_robots_init(&again);
	rc = crawl_robots_parse(&r, txt, size, "inetkit");
	CHECK(rc >= 0 && (size_t)rc == r.nrules);
	CHECK(crawl_robots_parse(&again, txt, size, "inetkit") == rc);
	CHECK(crawl_robots_allowed(&r, "/robots.txt", 11));
	CHECK(r.delay_ms >= -1 && r.delay_ms <= CRAWL_ROBOTS_DELAY_MAX);
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		CHECK(crawl_robots_allowed(&r, paths[i], strlen(paths[i])) ==
		      crawl_robots_allowed(&again, paths[i],
					   strlen(paths[i])));
	crawl_robots_allowed(&r, txt, plen);
	crawl_robots_fini(&r);
	crawl_robots_fini(&again);
	return 0;
}
