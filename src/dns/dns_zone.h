/* dns_zone: the zone-file parser (RFC 1035 section 5, with $TTL of RFC
 * 2308 and the unknown-type form of RFC 3597), as NSD and BIND read it.
 * Pure: text in, one callback per record out; $INCLUDE goes through a
 * reader hook so the parser itself never touches a file. */
#ifndef INETKIT_DNS_ZONE_H
#define INETKIT_DNS_ZONE_H

#include <stddef.h>
#include <stdint.h>

#define DNS_ZONE_MAX_LINE 65536		/* bytes in one physical line */
#define DNS_ZONE_MAX_TOKENS 4096	/* fields in one entry */
#define DNS_ZONE_MAX_INCLUDE 8		/* $INCLUDE nesting */
#define DNS_ZONE_DEFAULT_TTL 3600	/* with no $TTL and no TTL before */

/* One record as parsed; every pointer is valid only during the call. */
struct dns_zone_rr {
	const uint8_t *owner;		/* uncompressed wire name */
	uint16_t type, class;
	uint32_t ttl;
	const uint8_t *rdata;		/* wire form, names uncompressed */
	uint16_t rdlen;
};

/* Receives each record. Returns 0, or a negative code to stop with *why
 * set to a message (which the parser prefixes with file:line). */
typedef int (*dns_zone_rr_fn)(void *arg, const struct dns_zone_rr *rr,
			      const char **why);
/* Loads a whole file for $INCLUDE into *text (malloc'd, the caller
 * frees). Returns 0 or -errno. */
typedef int (*dns_zone_read_fn)(const char *path, char **text, size_t *len);

struct dns_zone_opts {
	const uint8_t *origin;	/* initial $ORIGIN, or NULL */
	dns_zone_rr_fn rr;
	void *arg;
	dns_zone_read_fn read;	/* NULL: $INCLUDE is refused */
};

/* Parses the zone text text[0..len) read from file `name` (used in
 * messages and to resolve $INCLUDE paths). On failure returns a negative
 * code and writes "name:line: message" into err. */
int dns_zone_parse(const char *name, const char *text, size_t len,
		   const struct dns_zone_opts *o, char *err, size_t errsz);

#endif
