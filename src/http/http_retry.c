/* http_retry: Retry-After (RFC 9110 section 10.2.3). */
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "http_retry.h"

#define RETRY_DIGITS 10		/* more is no delay anyone waits for */

int
http_retry_status(int status)
{
	return status == 429 || status == 503;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT", the one form a sender may generate
 * (RFC 9110 section 5.6.7). */
static int
fixdate(struct http_slice v, time_t *out)
{
	char s[32];
	struct tm tm;

	if (v.n != 29)
		return ERR_PARSE;
	memcpy(s, v.p, v.n);
	s[v.n] = '\0';
	memset(&tm, 0, sizeof tm);
	const char *end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != '\0')
		return ERR_PARSE;
	*out = timegm(&tm);
	return 0;
}

int
http_retry_after(struct http_slice v, time_t now, int64_t *secs)
{
	time_t when;

	while (v.n > 0 && (v.p[0] == ' ' || v.p[0] == '\t')) {
		v.p++;
		v.n--;
	}
	while (v.n > 0 && (v.p[v.n - 1] == ' ' || v.p[v.n - 1] == '\t'))
		v.n--;
	if (v.n > 0 && v.p[0] >= '0' && v.p[0] <= '9') {
		int64_t n = 0;
		if (v.n > RETRY_DIGITS)
			return ERR_PARSE;
		for (size_t i = 0; i < v.n; i++) {
			if (v.p[i] < '0' || v.p[i] > '9')
				return ERR_PARSE;
			n = n * 10 + (v.p[i] - '0');
		}
		*secs = n;
		return 0;
	}
	if (fixdate(v, &when) < 0)
		return ERR_PARSE;
	*secs = when > now ? (int64_t)(when - now) : 0;
	return 0;
}
