/* fuzz_html_links: html_links_extract on arbitrary documents. Every link
 * reported with a URL must carry an absolute, normalised URL that fits
 * URL_MAX_LEN; the count never passes HTML_LINKS_MAX. */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "html/html_links.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static int
check_link(void *arg, const struct html_link *l)
{
	static char again[URL_MAX_LEN + 1];
	struct url u;

	(*(int *)arg)++;
	CHECK(l->tag && l->attr);
	if (!l->url) {
		CHECK(l->err < 0);
		return 0;
	}
	CHECK(l->url_len <= URL_MAX_LEN && strlen(l->url) == l->url_len);
	CHECK(url_parse(l->url, l->url_len, &u) == 0);
	CHECK(u.flags & URL_HAS_SCHEME);
	CHECK(url_normalize_parsed(&u, again, sizeof again) ==
	      (ssize_t)l->url_len);
	CHECK(memcmp(again, l->url, l->url_len) == 0);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char doc_url[] = "http://example.test/dir/page.html";
	int seen = 0;
	int rc = html_links_extract((const char *)data, size, doc_url,
				    sizeof doc_url - 1, check_link, &seen);

	CHECK(rc == seen || (rc == ERR_TOOBIG && seen == HTML_LINKS_MAX));
	return 0;
}
