/* fuzz_ipcalc: net_ipcalc_parse on any "SPEC" or "SPEC\nMASK"; whatever
 * parses must hold its address inside [network, last], and network/prefix
 * must parse back to the same network and range. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_ipcalc.h"

#define FUZZ_MAX 128

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_again(const struct net_ipcalc *c)
{
	char net[NET_ADDR_STRLEN], spec[NET_ADDR_STRLEN + 8];
	struct net_ipcalc d;
	const char *why;

	if (net_addr_format(&c->network, 0, net, sizeof net) < 0)
		abort();
	snprintf(spec, sizeof spec, "%s/%d", net, c->prefix);
	if (net_ipcalc_parse(spec, NULL, &d, &why) != 0)
		abort();
	if (!net_addr_equal(&d.network, &c->network) ||
	    !net_addr_equal(&d.last, &c->last) || d.hosts != c->hosts ||
	    d.count_log2 != c->count_log2)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[FUZZ_MAX + 1], *nl;
	struct net_ipcalc c, d;
	const char *why;

	if (size > FUZZ_MAX)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	nl = strchr(s, '\n');
	if (nl)
		*nl++ = '\0';
	if (net_ipcalc_parse(s, nl, &c, &why) != 0) {
		if (why == NULL || why[0] == '\0')
			abort();
		return 0;
	}
	if (c.prefix < 0 || c.prefix > (c.family == AF_INET ? 32 : 128))
		abort();
	/* The address is in its own network: computing it again with the
	 * same prefix from the network gives the same result. */
	if (net_ipcalc_compute(&c.network, c.prefix, &d) != 0 ||
	    !net_addr_equal(&d.network, &c.network) ||
	    !net_addr_equal(&d.last, &c.last))
		abort();
	check_again(&c);
	return 0;
}
