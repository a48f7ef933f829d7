/* Fuzz target: a Retry-After value as a server may send it; a delay that
 * parses is never negative. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "http/http_retry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_slice v = { (const char *)data, size };
	int64_t secs;

	if (http_retry_after(v, 784111777, &secs) == 0 && secs < 0)
		abort();
	return 0;
}
