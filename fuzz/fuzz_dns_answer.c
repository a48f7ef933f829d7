/* Fuzz target: the whole responder, dns_answer, on any bytes as a query,
 * against a small zone that has every kind of node (CNAME chain and loop,
 * wildcard, empty non-terminal, delegation), over UDP and TCP limits.
 * Each reply must also be the one written without the zone's precomputed
 * tails, and the one written after a probe of the question's name. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns_answer_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char zone[] =
	"$ORIGIN example.test.\n$TTL 3600\n"
	"@ SOA ns1 admin 1 7200 3600 1209600 300\n"
	"  NS ns1\n  MX 10 mail\n  TXT \"apex\"\n"
	"ns1 A 192.0.2.1\nmail A 192.0.2.2\nmail AAAA 2001:db8::2\n"
	"www A 192.0.2.3\nweb CNAME www\nl1 CNAME l2\nl2 CNAME l1\n"
	"*.w TXT \"wild\"\n*.c CNAME web\na.b.ent A 192.0.2.5\n"
	"sub NS ns.sub\nns.sub A 192.0.2.6\n_s._tcp SRV 0 1 80 www\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_db *db;
	static uint8_t out[DNS_MAX_MSG], out2[DNS_MAX_MSG];
	char err[256];

	if (db == NULL) {
		const char *names[] = { "fuzz.zone" }, *texts[] = { zone };
		if (dns_db_load_texts(names, texts, 1, &db, err,
				      sizeof err) < 0 ||
		    dns_answer_prepare(db) < 0)
			abort();
	}
	for (int tcp = 0; tcp < 2; tcp++) {
		size_t max = tcp ? sizeof out : DNS_EDNS_UDP_MAX;
		struct dns_msg m = { data, size, out, 0, 0 };
		dns_answer(db, &m, 1, max, tcp);
		size_t n = m.rlen;
		struct dns_zone *z = db->zones[0];
		struct dns_answer_tail *t[2] = { z->tail[0], z->tail[1] };
		z->tail[0] = z->tail[1] = NULL;
		size_t n2 = dns_answer_one(db, NULL, data, size, out2, max,
					   tcp);
		z->tail[0] = t[0];
		z->tail[1] = t[1];
		if (n != n2 || memcmp(out, out2, n) != 0)
			abort();
		struct dns_probe p;
		dns_answer_probe(db, data, size, &p);
		for (int i = 0; i < DNS_PROBE_STEPS; i++)
			dns_zone_probe_step(&p);
		n2 = dns_answer_one(db, &p, data, size, out2, max, tcp);
		if (n != n2 || memcmp(out, out2, n) != 0)
			abort();
	}
	return 0;
}
