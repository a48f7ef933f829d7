/* Fuzz target: --rate rules as parsed from the command line (the first
 * line of the input) and request paths as sent by clients (the rest),
 * matched after the file layer's cleaning; the wait is never negative. */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_limit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t seed[2] = { 5, 6 };
	static const char *const fixed[] = { "/api=2/s", "/=100/m:3" };
	static struct http_limits l;	/* the tables once: 3 MiB */
	struct sockaddr_in from = { .sin_family = AF_INET };
	char spec[512];
	const uint8_t *nl = memchr(data, '\n', size);
	size_t n = nl ? (size_t)(nl - data) : 0;

	if (nl == NULL || n >= sizeof spec)
		return 0;
	memcpy(spec, data, n);
	spec[n] = '\0';
	if (l.nrules == 0) {
		for (int i = 0; i < 2; i++)
			if (http_limit_rule_parse(fixed[i],
						  &l.rules[l.nrules++]) < 0)
				abort();
		l.max_conns_per_ip = 2;
		if (http_limits_init(&l, seed) < 0)
			abort();
	}
	l.nrules = 2;
	if (http_limit_rule_parse(spec, &l.rules[2]) == 0)
		l.nrules = 3;
	const char *path = (const char *)nl + 1;
	size_t plen = size - n - 1;
	for (int i = 0; i < 4; i++)
		if (http_limits_request(&l, (struct sockaddr *)&from, path,
					plen, 1000 + i) < 0)
			abort();
	if (http_limits_conn_open(&l, (struct sockaddr *)&from) < 0)
		abort();
	http_limits_conn_close(&l, (struct sockaddr *)&from);
	return 0;
}
