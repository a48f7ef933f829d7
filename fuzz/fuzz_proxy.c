/* fuzz_proxy: net_proxy_parse on any bytes. A header it accepts is no
 * longer than the input, parses again to the same length and addresses
 * from exactly its own bytes, and every shorter beginning of it asks for
 * more; more bytes are never asked for past NET_PROXY_V2_MAX. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "net/net_proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_proxy_info a, b;
	ssize_t n;

	if (size > NET_PROXY_V2_MAX + 16)
		return 0;
	n = net_proxy_parse(data, size, &a);
	if (n == ERR_AGAIN || n == ERR_PARSE) {
		if (n == ERR_AGAIN && size >= NET_PROXY_V2_MAX)
			abort();
		return 0;
	}
	if (n <= 0 || (size_t)n > size)
		abort();
	if (net_proxy_parse(data, (size_t)n, &b) != n || a.local != b.local)
		abort();
	if (!a.local && (!net_addr_equal(&a.src, &b.src) ||
			 !net_addr_equal(&a.dst, &b.dst)))
		abort();
	for (size_t k = 0; k < (size_t)n; k += 1 + k / 8)
		if (net_proxy_parse(data, k, &b) != ERR_AGAIN)
			abort();
	return 0;
}
