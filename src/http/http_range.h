/* http_range: a Range header into merged byte ranges (RFC 9110 section
 * 14). Pure. */
#ifndef INETKIT_HTTP_RANGE_H
#define INETKIT_HTTP_RANGE_H

#include <stdint.h>

#include "http_parse.h"
#include "http_reply.h"

struct http_range {
	uint64_t first, last;	/* inclusive */
};
/* Parses a Range value (RFC 9110 section 14.1.1) for a representation of
 * size bytes: out gets the satisfiable ranges, sorted and merged when they
 * overlap or touch. Returns the count (>= 1); 0 when the header must be
 * ignored (bad syntax, not "bytes", more than HTTP_MAX_RANGES ranges after
 * merging: CVE-2011-3192); ERR_RANGE when none is satisfiable (416). */
int http_range_parse(struct http_slice v, uint64_t size,
		     struct http_range *out);

#endif
