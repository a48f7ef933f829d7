/* fuzz_addr: net_addr_parse, net_ip_parse and net_hostport_split on any
 * bytes; whatever parses must format and parse back to the same value. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_addr.h"

#define FUZZ_MAX 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_addr(const char *s)
{
	struct net_addr a, b;
	char out[NET_ADDR_STRLEN];

	if (net_addr_parse(s, &a) == 0) {
		if (net_addr_format(&a, 1, out, sizeof out) < 0)
			abort();
		if (net_addr_parse(out, &b) != 0 || !net_addr_equal(&a, &b))
			abort();
	}
	if (net_ip_parse(s, &a) == 0) {
		if (net_addr_format(&a, 0, out, sizeof out) < 0)
			abort();
		if (net_ip_parse(out, &b) != 0 || !net_addr_equal(&a, &b))
			abort();
	}
}

static void
check_split(const char *s)
{
	char host[FUZZ_MAX], again[FUZZ_MAX + 16], host2[FUZZ_MAX];
	uint16_t port, port2;
	int v6;

	if (net_hostport_split(s, host, sizeof host, &port) != 0)
		return;
	v6 = strchr(host, ':') != NULL;
	snprintf(again, sizeof again, v6 ? "[%s]:%u" : "%s:%u", host,
		 (unsigned)port);
	if (net_hostport_split(again, host2, sizeof host2, &port2) != 0 ||
	    strcmp(host, host2) != 0 || port != port2)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[FUZZ_MAX + 1];

	if (size > FUZZ_MAX)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_addr(s);
	check_split(s);
	return 0;
}
