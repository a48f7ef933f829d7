/* Fuzz target: a reply as the stub resolver reads it: matched against a
 * fixed query, then read for A and AAAA with the CNAME chain and the
 * negative TTL. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "resolv/resolv_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t query[] = {
	0, 7, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
	3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct resolv_reply_info in;

	resolv_reply_matches(query, sizeof query, data, size);
	if (resolv_reply_read(data, size, query + 12, 1, &in) == 0 &&
	    in.naddrs > RESOLV_CACHE_MAX_ADDRS)
		__builtin_trap();
	resolv_reply_read(data, size, query + 12, 28, &in);
	return 0;
}
