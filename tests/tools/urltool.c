/* urltool: a test driver for src/url. Reads lines "BASE<TAB>REF" (or a
 * lone URL) on stdin and prints, one line each, the reference resolved
 * against the base (RFC 3986 5.2) and normalised (6.2.2, 6.2.3), or
 * "error: REASON". Used by tests/e2e/test_url_whatwg.py. */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "url/url.h"

static void
one(char *line, size_t n)
{
	static char tmp[URL_MAX_LEN + 1], norm[URL_MAX_LEN + 1];
	char *tab = memchr(line, '\t', n);
	ssize_t r;

	if (tab) {
		r = url_resolve_str(line, (size_t)(tab - line), tab + 1,
				    n - (size_t)(tab - line) - 1, tmp,
				    sizeof tmp);
	} else {
		memcpy(tmp, line, n);
		r = (ssize_t)n;
	}
	if (r >= 0)
		r = url_normalize(tmp, (size_t)r, norm, sizeof norm);
	if (r < 0)
		printf("error: %s\n", err_str((int)r));
	else
		printf("%s\n", norm);
}

int
main(void)
{
	static char line[3 * URL_MAX_LEN];

	while (fgets(line, sizeof line, stdin)) {
		size_t n = strlen(line);
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 2 * URL_MAX_LEN + 1) {
			printf("error: %s\n", err_str(ERR_TOOBIG));
			continue;
		}
		one(line, n);
	}
	return 0;
}
