/* http_date: HTTP dates as clients send them (RFC 9110 section 5.6.7):
 * IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient
 * must still accept. */
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "http_date.h"

int
http_date_parse(struct http_slice v, time_t *out)
{
	static const char *const formats[] = {
		"%a, %d %b %Y %H:%M:%S GMT",	/* IMF-fixdate */
		"%A, %d-%b-%y %H:%M:%S GMT",	/* RFC 850 */
		"%a %b %e %H:%M:%S %Y",		/* asctime */
	};
	char s[64];

	if (v.n == 0 || v.n >= sizeof s)
		return ERR_PARSE;
	memcpy(s, v.p, v.n);
	s[v.n] = '\0';
	for (size_t k = 0; k < sizeof formats / sizeof *formats; k++) {
		struct tm tm;
		memset(&tm, 0, sizeof tm);
		const char *end = strptime(s, formats[k], &tm);
		if (end && *end == '\0') {
			*out = timegm(&tm);
			return 0;
		}
	}
	return ERR_PARSE;
}
