/* Fuzz target: what the stub resolver reads from outside: a reply (matched
 * against a fixed query, then read for A and AAAA with the CNAME chain and
 * the negative TTL), and the same bytes as resolv.conf and hosts text. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns/dns_reply.h"
#include "dns/dns_resolvconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t query[] = {
	0, 7, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
	3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_reply_info in;
	struct dns_resolvconf rc;
	struct net_addr addrs[8];

	dns_reply_matches(query, sizeof query, data, size);
	if (dns_reply_read(data, size, query + 12, 1, &in) == 0 &&
	    in.naddrs > DNS_CACHE_MAX_ADDRS)
		__builtin_trap();
	dns_reply_read(data, size, query + 12, 28, &in);
	dns_resolvconf_parse((const char *)data, size, &rc);
	if (rc.nservers > DNS_RESOLV_MAX_SERVERS)
		__builtin_trap();
	dns_hosts_find((const char *)data, size, "localhost", addrs, 8);
	dns_hosts_find((const char *)data, size, "www.example.test", addrs, 8);
	return 0;
}
