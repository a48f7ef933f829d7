/* dns_answer: the authoritative responder. A pure function from one query
 * message to one reply message over caller buffers, shared by UDP and TCP
 * (after NSD's query_process): no I/O, no allocation. */
#ifndef INETKIT_DNS_ANSWER_H
#define INETKIT_DNS_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include "dns_db.h"

/* The default largest UDP reply, whatever the client offers (the DNS
 * flag day 2020 figure, which avoids IP fragmentation). */
#define DNS_EDNS_UDP_MAX 1232
/* CNAMEs followed inside our zones for one query. */
#define DNS_MAX_CHAIN 8

/* Answers the query q[0..qlen) from db into out. tcp: the reply may use
 * outsz bytes (up to 65535). UDP: outsz is the server's UDP maximum (the
 * size its OPT offers, DNS_EDNS_UDP_MAX by default); the reply fits the
 * client's EDNS size, or 512 bytes without EDNS, and outsz.
 * Returns the reply length, or 0 when the query deserves no reply (its
 * header is unreadable, or it is itself a response). */
size_t dns_answer(const struct dns_db *db, const uint8_t *q, size_t qlen,
		  uint8_t *out, size_t outsz, int tcp);
/* Starts the probe (dns_zone_probe_start) of the name dns_answer will
 * look up first for query q. Returns 1 when p was started, else 0 (p->z
 * NULL). Either way p->qname is the length of the question's name when
 * it is uncompressed and valid (else 0), so that dns_answer_probed copies
 * it without reading it again label by label. */
int dns_answer_probe(const struct dns_db *db, const uint8_t *q, size_t qlen,
		     struct dns_probe *p);
/* dns_answer, using the result of p (from dns_answer_probe for the same
 * q and db, stepped to its end) instead of looking the name up again. */
size_t dns_answer_probed(const struct dns_db *db, const struct dns_probe *p,
			 const uint8_t *q, size_t qlen, uint8_t *out,
			 size_t outsz, int tcp);
/* Writes once what every positive and every negative answer of zone z
 * ends with (z->tail), so that an answer copies it. Once the zone is
 * final, before it serves. Returns 0 or -ENOMEM (a zone whose tails
 * cannot be copied gets none: its answers are written in full). */
int dns_answer_zone_prepare(struct dns_zone *z);

#endif
