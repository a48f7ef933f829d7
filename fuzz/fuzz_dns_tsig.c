/* Fuzz target: reading a TSIG record out of a message and checking it
 * against a key (RFC 8945), as the server does for every signed query;
 * then signing the same message must give a record that reads back and
 * verifies. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns_tsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_tsig_key key;
	static int ready;
	static uint8_t m[DNS_MAX_MSG + 512];
	struct dns_tsig_rr t;
	struct dns_tsig_ctx c;
	const char *why;

	if (!ready) {
		if (dns_tsig_key_parse("hmac-sha256:k:c2VjcmV0", &key, &why))
			abort();
		ready = 1;
	}
	if (size > DNS_MAX_MSG)
		return 0;
	int rc = dns_tsig_find(data, size, &t);
	if (rc == 1 && dns_tsig_ctx_init(&c, &key) == 0) {
		dns_tsig_verify(&c, data, size, &t, (uint64_t)t.time, 0);
		dns_tsig_ctx_fini(&c);
	}
	if (rc != 0 || size < DNS_HDR_SIZE)
		return 0;
	/* An unsigned, well-formed message: sign it, read it back. */
	size_t n = size;
	memcpy(m, data, size);
	if (dns_tsig_ctx_init(&c, &key) < 0)
		return 0;
	if (dns_tsig_sign(&c, m, &n, sizeof m, 1000, 0, 0) == 0) {
		struct dns_tsig_ctx v;
		if (dns_tsig_find(m, n, &t) == 1 &&
		    dns_tsig_ctx_init(&v, &key) == 0) {
			if (dns_tsig_verify(&v, m, n, &t, 1000, 0) != 0)
				abort();
			dns_tsig_ctx_fini(&v);
		}
	}
	dns_tsig_ctx_fini(&c);
	return 0;
}
