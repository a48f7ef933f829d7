/* http_retry: the Retry-After field of a 429 or 503 response (RFC 9110
 * section 10.2.3, RFC 6585 section 4), for the clients that wait and try
 * again instead of counting the page broken at once. Pure. */
#ifndef INETKIT_HTTP_RETRY_H
#define INETKIT_HTTP_RETRY_H

#include <stdint.h>
#include <time.h>

#include "http_parse.h"

/* The statuses that say "later": 429 Too Many Requests and 503 Service
 * Unavailable. */
int http_retry_status(int status);
/* The seconds to wait that Retry-After value v asks for: delay-seconds,
 * or an IMF-fixdate (then the time from now, 0 when it has passed).
 * Returns 0 with *secs set, or ERR_PARSE. */
int http_retry_after(struct http_slice v, time_t now, int64_t *secs);

#endif
