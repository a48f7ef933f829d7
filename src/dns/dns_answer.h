/* dns_answer: the authoritative responder. A pure function from query
 * messages to reply messages over caller buffers, shared by UDP and TCP
 * (after NSD's query_process): no I/O, no allocation. One entry point for
 * the server, dns_answer; one for whoever builds a database to serve,
 * dns_answer_prepare. */
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
/* Queries whose lookups dns_answer overlaps (a UDP batch). */
#define DNS_ANSWER_BATCH 32

/* One query and the room for its reply. */
struct dns_msg {
	const uint8_t *q;	/* the query */
	size_t qlen;		/* its length (0: no query, no reply) */
	uint8_t *r;		/* outsz bytes for the reply */
	size_t rlen;		/* out: the reply's length, 0 for none */
	size_t qname;		/* out (UDP): the length of the question's
				 * name, which the reply starts with, when
				 * it was read plain; else 0 (dns_rrl) */
};

/* Answers the n queries m[i].q from db into m[i].r. tcp: a reply may use
 * outsz bytes (up to 65535). UDP: outsz is the server's UDP maximum (the
 * size its OPT offers, DNS_EDNS_UDP_MAX by default); a reply fits the
 * client's EDNS size, or 512 bytes without EDNS, and outsz. A UDP batch
 * has its database lookups done in steps side by side first, so that
 * their cache misses overlap (large zones); TCP queries come one at a
 * time. m[i].rlen is 0 when the query deserves no reply (its header is
 * unreadable, or it is itself a response). */
void dns_answer(const struct dns_db *db, struct dns_msg *m, int n,
		size_t outsz, int tcp);

/* Writes once, for every zone of a database that is built and final,
 * what every positive and every negative answer of the zone ends with
 * (z->tail), so that an answer copies it. Before the database serves.
 * Returns 0 or -ENOMEM (a zone whose tails cannot be copied gets none:
 * its answers are written in full). */
int dns_answer_prepare(struct dns_db *db);

#endif
