/* dns_answer_int: the two halves of dns_answer's UDP path, apart, for
 * the tests and the fuzz target that check that a probed answer is the
 * answer. Not for the server: it calls dns_answer. */
#ifndef INETKIT_DNS_ANSWER_INT_H
#define INETKIT_DNS_ANSWER_INT_H

#include "dns_answer.h"

/* Starts the probe (dns_zone_probe_start) of the name dns_answer will
 * look up first for query q. Returns 1 when p was started, else 0 (p->z
 * NULL). Either way p->qname is the length of the question's name when
 * it is uncompressed and valid (else 0), so that dns_answer_one copies
 * it without reading it again label by label. */
int dns_answer_probe(const struct dns_db *db, const uint8_t *q, size_t qlen,
		     struct dns_probe *p);
/* Answers one query q[0..qlen) into out, as dns_answer does, using the
 * result of probe p (from dns_answer_probe for the same q and db,
 * stepped to its end) instead of looking the name up again, or looking
 * it up when p is NULL. Returns the reply length or 0. */
size_t dns_answer_one(const struct dns_db *db, const struct dns_probe *p,
		      const uint8_t *q, size_t qlen, uint8_t *out,
		      size_t outsz, int tcp);

#endif
