/* dns_db: the zones in memory, read-only once built. Each zone keeps its
 * names relative to the apex, lower-cased, in one blob, a hash of them to
 * nodes, the RRsets of each node sorted by type, and the rdata in wire
 * form in another blob: a few flat arrays, no pointer per record. Empty
 * non-terminals are nodes without RRsets. */
#ifndef INETKIT_DNS_DB_H
#define INETKIT_DNS_DB_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_wire.h"

#define DNS_ZONE_NS_GLUE 8	/* apex NS targets remembered */

/* In dns_node.name: NS below the apex, a delegation. */
#define DNS_NODE_CUT 0x80000000u

/* A name of the zone: 8 bytes. Its RRsets run from rrset up to the next
 * node's (the array ends with a sentinel node). */
struct dns_node {
	uint32_t name;		/* offset in the names blob: [len][labels] */
	uint32_t rrset;		/* first RRset in the zone's array */
};

/* An RRset's records lie at rdata in the zone's blob, each as [u16
 * len][rdata], except for the types of dns_rdata_fixed: rdata alone. */
struct dns_rrset {
	uint16_t type, count;
	uint32_t ttl;
	uint32_t rdata;		/* offset of the first record */
};

/* The rdata size of the types stored without their length (every A is
 * 4 bytes, every AAAA 16), or 0. */
static inline size_t
dns_rdata_fixed(uint16_t type)
{
	return type == DNS_T_A ? 4 : type == DNS_T_AAAA ? 16 : 0;
}

/* What a zone's positive (DNS_TAIL_POS) and negative (DNS_TAIL_NEG)
 * answers end with, written by dns_answer_prepare once the database is
 * built; one malloc'd block each. */
struct dns_answer_tail;
enum { DNS_TAIL_POS, DNS_TAIL_NEG };

struct dns_zone {
	uint8_t apex[DNS_NAME_MAX + 1];	/* lower case */
	size_t apex_len;
	uint8_t *names, *rdata;
	size_t names_len, names_cap, rdata_len, rdata_cap;
	struct dns_node *nodes;
	uint32_t nnodes, nodes_cap;
	uint32_t *hash;		/* node index + 1; 0 is empty */
	uint32_t hash_cap;
	struct dns_rrset *rrsets;
	uint32_t nrrsets;
	int has_cuts;
	/* The nodes of the apex NS RRset's first targets (index + 1; 0:
	 * not in this zone): every positive answer carries that RRset and
	 * the targets' addresses, found here without a lookup. */
	uint32_t ns_glue[DNS_ZONE_NS_GLUE];
	unsigned nns_glue;
	struct dns_answer_tail *tail[2];	/* NULL: none */
	struct dns_zone_build *build;	/* only while loading */
	/* Holders: the databases that list the zone (a zone that did not
	 * change is shared by the database a reload or a transfer builds)
	 * and the zone transfers reading it. */
	atomic_uint refs;
};

struct dns_db {
	struct dns_zone **zones;
	int nzones;
	size_t nrecords;
};

/* Loads the zone files, then the /etc/hosts-style file (may be NULL),
 * into a new database. On failure returns a negative code and writes
 * "file:line: message" into err. */
int dns_db_load(const char *const *zone_files, int nzones,
		const char *hosts_file, struct dns_db **out, char *err,
		size_t errsz);
/* Builds a database from zone texts in memory (no $INCLUDE): for tests
 * and fuzzing. names[i] names texts[i] in messages. */
int dns_db_load_texts(const char *const *names, const char *const *texts,
		      int n, struct dns_db **out, char *err, size_t errsz);
void dns_db_free(struct dns_db *db);
/* One more holder of z; dns_zone_unref frees it after the last. */
void dns_zone_ref(struct dns_zone *z);
void dns_zone_unref(struct dns_zone *z);

/* The zone whose apex is the longest suffix of name (any case), or NULL. */
const struct dns_zone *dns_db_zone(const struct dns_db *db,
				   const uint8_t *name);
/* The same for a lower-case name of len bytes (the query's path). */
const struct dns_zone *dns_db_zone_lower(const struct dns_db *db,
					 const uint8_t *low, size_t len);
/* The node for the lower-case labels rel[0..n) below the apex (n == 0:
 * the apex), or NULL. */
const struct dns_node *dns_zone_lookup(const struct dns_zone *z,
				       const uint8_t *rel, size_t n);
/* A lookup in steps, for a batch of queries that then waits for memory
 * once instead of once per query: dns_zone_probe_start hashes the name
 * and asks for its hash slot (a prefetch); each dns_zone_probe_step
 * reads what the step before asked for and asks for the next: the node,
 * then its name and its RRsets; the last compares the name and asks for
 * the rdata of the RRset of type qtype. The name may be in any case.
 * Once known is set, node is the lookup's result (NULL: no such name);
 * a probe can also stop without a result (z NULL, known 0). */
#define DNS_PROBE_STEPS 3

struct dns_probe {
	const struct dns_zone *z;	/* NULL once stopped */
	const struct dns_zone *zone;	/* the zone probed */
	const uint8_t *rel;	/* the name probed (borrowed) */
	size_t n;		/* its length */
	size_t off, qname;	/* free for the caller */
	uint32_t tag, slot, idx;
	uint16_t qtype, step;
	int known;
	const struct dns_node *node;
};

void dns_zone_probe_start(struct dns_probe *p, const struct dns_zone *z,
			  const uint8_t *rel, size_t n, uint16_t qtype);
void dns_zone_probe_step(struct dns_probe *p);

static inline int
dns_node_is_cut(const struct dns_node *n)
{
	return (n->name & DNS_NODE_CUT) != 0;
}

static inline uint32_t
dns_node_nrrset(const struct dns_node *n)
{
	return n[1].rrset - n[0].rrset;
}

/* The node's RRset of the given type, or NULL. */
const struct dns_rrset *dns_node_rrset(const struct dns_zone *z,
				       const struct dns_node *n, uint16_t type);
/* The zone's SOA RRset (every zone has one). */
const struct dns_rrset *dns_zone_soa(const struct dns_zone *z);

/* Reads a whole file into *text (malloc'd, one byte spare after len).
 * Returns 0 or -errno. */
int dns_db_read_file(const char *path, char **text, size_t *len);

/* Building (dns_db_load.c). A new zone whose SOA was read in file; the
 * caller puts it in a database, which owns it. NULL when out of memory. */
struct dns_zone *dns_db_zone_new(const uint8_t *apex, const char *file);
/* Adds a record (owner inside the zone) to a zone being built. On
 * failure returns a negative code with *why set to a message. */
int dns_db_zone_add(struct dns_zone *z, const uint8_t *owner, uint16_t type,
		    uint32_t ttl, const uint8_t *rd, uint16_t rdlen,
		    const char **why);
/* The TTL of the first record (the SOA) of a zone being built. */
uint32_t dns_db_zone_ttl(const struct dns_zone *z);
/* Sorts every zone's records into RRsets, after the last record. On
 * failure returns a negative code and writes "file: zone Z: message". */
int dns_db_finish(struct dns_db *db, char *err, size_t errsz);

#endif
