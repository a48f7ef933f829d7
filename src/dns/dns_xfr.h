/* dns_xfr: zone transfer streams (AXFR, RFC 5936; IXFR, RFC 1995), pure.
 * Out: the records of a zone (SOA, the rest, SOA) or of a list built
 * from the journal, packed into messages of up to 64 KiB with name
 * compression. In: the messages a primary sends, checked one by one
 * (IDs, rcode, SOA first and last, every record inside the zone, limits)
 * and handed over record by record; nothing here keeps the records. */
#ifndef INETKIT_DNS_XFR_H
#define INETKIT_DNS_XFR_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "dns_db.h"
#include "dns_wire.h"

#define DNS_OPCODE_NOTIFY 4

/* One record; pointers valid until the source moves on. Names are
 * uncompressed wire names, rdata in wire form with uncompressed names. */
struct dns_xfr_rec {
	const uint8_t *owner;
	uint16_t type;
	uint32_t ttl;
	const uint8_t *rd;
	uint16_t rdlen;
};

/* Where a transfer's records come from: a zone walked in place (AXFR:
 * its SOA, every other record, the SOA again), or a list of records in
 * the form dns_xfr_list_add writes (an IXFR answer). */
struct dns_xfr_src {
	const struct dns_zone *z;	/* NULL: the list */
	const uint8_t *list;
	size_t list_len, pos;
	uint32_t node, set, rec, roff;
	int phase;			/* zone: 0 SOA, 1 body, 2 SOA, 3 end */
	uint8_t owner[DNS_NAME_MAX + 1];
};

void dns_xfr_src_zone(struct dns_xfr_src *s, const struct dns_zone *z);
void dns_xfr_src_list(struct dns_xfr_src *s, const uint8_t *list,
		      size_t len);
/* The current record: 1, or 0 at the end. */
int dns_xfr_src_get(struct dns_xfr_src *s, struct dns_xfr_rec *r);
void dns_xfr_src_next(struct dns_xfr_src *s);

/* Appends a record to a list: owner, type, TTL, rdata length, rdata. */
int dns_xfr_list_add(struct buf *b, const struct dns_xfr_rec *r);
/* Reads the record of a list at *pos; returns 1, or 0 at the end. */
int dns_xfr_list_get(const uint8_t *list, size_t len, size_t *pos,
		     struct dns_xfr_rec *r);

/* The question a transfer answers. */
struct dns_xfr_q {
	uint16_t id, flags;		/* the query's */
	uint8_t name[DNS_NAME_MAX + 1];	/* as asked (its case kept) */
	uint16_t type, class;
	int edns;			/* echo an OPT */
	uint32_t serial;		/* IXFR: the client's (authority SOA) */
	int has_serial;
};

/* Reads a query for AXFR/IXFR, NOTIFY or anything else into q (the
 * first SOA of an IXFR query's authority section gives q->serial).
 * Returns 0, or ERR_PARSE. */
int dns_xfr_query_read(const uint8_t *msg, size_t len, struct dns_xfr_q *q);

/* Writes the next message of the answer to q: header, the question in
 * the first message only, records from s while they fit in max bytes
 * less reserve (room for a TSIG record), then the OPT when q->edns.
 * Returns the length, or 0 when s had no record left (no message). */
size_t dns_xfr_msg(struct dns_xfr_src *s, const struct dns_xfr_q *q,
		   int first, uint8_t *out, size_t max, size_t reserve);
/* An answer without records: rcode, the question, the OPT. */
size_t dns_xfr_reply(const struct dns_xfr_q *q, int rcode, int aa,
		     uint8_t *out, size_t max);

/* Reading a transfer: what each record is. */
enum dns_xfr_op {
	DNS_XFR_FULL,		/* a record of the whole zone (AXFR form) */
	DNS_XFR_DEL,		/* IXFR: deleted from the version before */
	DNS_XFR_ADD,		/* IXFR: added */
	DNS_XFR_VERSION,	/* IXFR: a new difference begins: rr is its
				 * old SOA */
};

typedef int (*dns_xfr_rr_fn)(void *arg, enum dns_xfr_op op,
			     const struct dns_xfr_rec *r);

struct dns_xfr_in {
	uint8_t apex[DNS_NAME_MAX + 1];
	uint16_t id, qtype;
	uint32_t have;		/* IXFR: the serial we hold */
	size_t max_records, max_bytes;	/* limits on the whole */
	dns_xfr_rr_fn rr;
	void *arg;
	/* State. */
	int state;		/* below */
	int incremental;	/* an IXFR answered with differences */
	int up_to_date;		/* the answer was the SOA alone */
	uint8_t soa[512];	/* the first SOA's rdata */
	uint16_t soa_len;
	uint32_t serial;	/* the first SOA's serial */
	size_t nrecords, nbytes;
	int rcode;		/* the primary's, when it refused */
};

void dns_xfr_in_init(struct dns_xfr_in *x, const uint8_t *apex,
		     uint16_t id, uint16_t qtype, uint32_t have);
/* One message of the answer. Returns 0 when more are expected, 1 when
 * the transfer is complete, or ERR_PARSE (malformed, or against the
 * rules: *why says which; x->rcode holds an error rcode the primary
 * sent), ERR_TOOBIG (a limit), or the callback's error. */
int dns_xfr_in_msg(struct dns_xfr_in *x, const uint8_t *msg, size_t len,
		   const char **why);

#endif
