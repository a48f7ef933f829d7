/* dns_journal: the differences between a zone's versions, kept in memory
 * so that IXFR (RFC 1995) can send a secondary what changed rather than
 * the whole zone. Bounded: the last DNS_JOURNAL_MAX versions and at most
 * max_bytes of records; older differences are dropped, and a client
 * asking from before them gets the whole zone. Pure. */
#ifndef INETKIT_DNS_JOURNAL_H
#define INETKIT_DNS_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "dns_db.h"

#define DNS_JOURNAL_MAX 16

/* One difference: a list (dns_xfr_list_add's form) of the old SOA, the
 * records deleted, the new SOA, the records added: RFC 1995's form. */
struct dns_journal_diff {
	uint32_t from, to;
	struct buf list;
};

struct dns_journal {
	uint8_t apex[DNS_NAME_MAX + 1];
	struct dns_journal_diff d[DNS_JOURNAL_MAX];	/* oldest first */
	int n;
	size_t bytes, max_bytes;
};

void dns_journal_init(struct dns_journal *j, const uint8_t *apex,
		      size_t max_bytes);
void dns_journal_fini(struct dns_journal *j);
/* Records the difference between two versions of a zone (the new one's
 * serial newer). Returns 0 or -ENOMEM (then the journal is emptied: an
 * IXFR gets the whole zone). */
int dns_journal_add(struct dns_journal *j, const struct dns_zone *old,
		    const struct dns_zone *cur);
/* Appends to out the records of the IXFR answer that takes a client from
 * serial `from` to cur (cur's SOA, the differences, cur's SOA again).
 * Returns 1, 0 when the journal does not reach back to from (answer
 * with the whole zone), or -ENOMEM. */
int dns_journal_ixfr(const struct dns_journal *j, uint32_t from,
		     const struct dns_zone *cur, struct buf *out);
/* The same list written for two versions directly (one difference). */
int dns_journal_diff_zones(const struct dns_zone *old,
			   const struct dns_zone *cur, struct buf *out);

#endif
