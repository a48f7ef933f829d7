/* http_date: the three HTTP date formats a client may send (RFC 9110
 * section 5.6.7). Pure. */
#ifndef INETKIT_HTTP_DATE_H
#define INETKIT_HTTP_DATE_H

#include <time.h>

#include "http_parse.h"

/* Parses an IMF-fixdate, RFC 850 or asctime date (RFC 9110 section
 * 5.6.7). Returns 0 or ERR_PARSE. */
int http_date_parse(struct http_slice v, time_t *out);

#endif
