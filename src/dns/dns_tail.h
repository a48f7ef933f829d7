/* dns_tail: the precomputed ends of a zone's answers (dns_answer.c
 * decides what they hold and when they may be used): made once from a
 * message the general writer wrote (RFC 1035 section 4.1.4 compression
 * included), copied into a reply with their compression pointers moved.
 * Pure: no I/O. */
#ifndef INETKIT_DNS_TAIL_H
#define INETKIT_DNS_TAIL_H

#include <stddef.h>
#include <stdint.h>

#include "dns_db.h"

#define DNS_TAIL_MAX 512	/* bytes of a tail */
#define DNS_TAIL_PTRS 32	/* compression pointers in it */
#define DNS_TAIL_TOPS 128	/* bytes of top labels (see below) */

/* What a zone's answers end with, written once at load: the zone's NS
 * RRset and its targets' addresses after a positive answer
 * (DNS_TAIL_POS), the SOA of a negative one (DNS_TAIL_NEG). The bytes
 * are those the general writer produces after a question for the apex;
 * after a question for another name of the zone only the compression
 * pointers move (into the question's apex, or into the tail), so a
 * reply copies them and moves those, unless the question's name could
 * change the compression: a name below the apex that the tail also
 * writes shares its top label (the one under the apex) with the
 * question's. tops[] holds the top labels of the tail's names, each
 * [len][bytes], lower case. The pointers: ptr[0..napex) into the apex,
 * ptr[napex..nptr) into the tail, each at offset at of the tail, its
 * value v the pointer's less the apex's or the tail's offset. */
struct tail_ptr {
	uint16_t at, v;
};

struct dns_answer_tail {
	uint16_t len, count[2];	/* bytes; records in authority, additional */
	uint8_t ncomp;		/* names it remembers */
	uint8_t napex, nptr;
	struct tail_ptr ptr[DNS_TAIL_PTRS];
	uint8_t ntops;		/* bytes in tops */
	uint8_t tops[DNS_TAIL_TOPS];
	uint8_t wire[DNS_TAIL_MAX];
};

/* Makes *out (malloc'd, freed with free) of the records msg[t0..end)
 * (nauth in authority, nadd in additional; NS, SOA, A and AAAA only)
 * written after a question for z's apex at offset 12; ncomp: the names
 * they added to the compression table. Leaves *out NULL when they cannot
 * be moved (a pointer elsewhere, too big). Returns 0 or -ENOMEM. */
int dns_tail_new(const struct dns_zone *z, const uint8_t *msg, size_t t0,
		 size_t end, unsigned nauth, unsigned nadd, unsigned ncomp,
		 struct dns_answer_tail **out);
/* Does the question's name, relative to z's apex (low[0..n), lower
 * case), end with one of the top labels of z's tails (both hold the
 * same)? A byte match that is not a label counts too: it only costs the
 * general path. */
int dns_tail_clash(const struct dns_zone *z, const uint8_t *low, size_t n);
/* Copies t into msg at offset at, its pointers moved for a question
 * whose apex starts at apex_off. The caller checked the room. */
void dns_tail_copy(const struct dns_answer_tail *t, uint8_t *msg, size_t at,
		   size_t apex_off);

#endif
