/* Fuzz target: the files the stub resolver reads, the same bytes as
 * resolv.conf text and as hosts text. */
#include <stddef.h>
#include <stdint.h>

#include "resolv/resolv_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct resolv_conf rc;
	struct net_addr addrs[8];

	resolv_conf_parse((const char *)data, size, &rc);
	if (rc.nservers > RESOLV_MAX_SERVERS)
		__builtin_trap();
	resolv_hosts_find((const char *)data, size, "localhost", addrs, 8);
	resolv_hosts_find((const char *)data, size, "www.example.test", addrs,
			  8);
	return 0;
}
