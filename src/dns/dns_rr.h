/* dns_rr: the presentation format of names, types, classes and rdata
 * (RFC 1035 section 5.1, RFC 3597 for unknown types), in both directions.
 * Shared by the zone-file parser and by `inetkit lookup`. Pure. */
#ifndef INETKIT_DNS_RR_H
#define INETKIT_DNS_RR_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* A token of a zone-file line: raw text, escapes not yet decoded. */
struct dns_tok {
	const char *p;
	size_t n;
	int quoted;
};

/* "A", "aaaa", "TYPE65534": the type number, or ERR_PARSE. */
int dns_type_parse(const char *s, size_t n);
/* The mnemonic of type ("TYPE65534" for unknown ones) in buf (16 bytes). */
const char *dns_type_name(uint16_t type, char *buf);
/* "IN", "CH", "HS", "CLASS3": the class number, or ERR_PARSE. */
int dns_class_parse(const char *s, size_t n);
const char *dns_class_name(uint16_t class, char *buf);
/* "NOERROR", "NXDOMAIN", ... or "RCODE17". */
const char *dns_rcode_name(int rcode, char *buf);
const char *dns_opcode_name(int opcode, char *buf);

/* Parses a TTL: seconds, or BIND units (1w2d3h4m5s). Returns 0 or
 * ERR_PARSE / ERR_RANGE (above 2^31-1, RFC 2181 section 8). */
int dns_ttl_parse(const char *s, size_t n, uint32_t *out);

/* Parses the text name s[0..n) into out (256 bytes), relative to origin
 * unless it ends with a dot; "@" is the origin. On failure returns
 * ERR_PARSE or ERR_TOOBIG with *why set to a message. */
int dns_name_parse(const char *s, size_t n, const uint8_t *origin,
		   uint8_t *out, const char **why);
/* Writes the name with a trailing dot and escapes (\. \\ \DDD) into out.
 * Returns the length or ERR_TOOBIG. At most 4 * 255 + 1 bytes. */
int dns_name_format(const uint8_t *name, char *out, size_t outsz);
#define DNS_NAME_TEXT_MAX 1024

/* Parses the rdata tokens of one record of the given type into wire form
 * (uncompressed names) in out. Accepts the RFC 3597 form "\# LEN HEX" for
 * every type. Returns the length, or a negative code with *why set. */
int dns_rdata_parse(uint16_t type, const struct dns_tok *t, int ntok,
		    const uint8_t *origin, uint8_t *out, size_t outsz,
		    const char **why);
/* Appends the presentation form of the rdata to out; rdata that does not
 * fit its type's shape is written in the RFC 3597 form. Returns 0 or
 * ERR_TOOBIG. */
int dns_rdata_format(uint16_t type, const uint8_t *rd, size_t len,
		     struct buf *out);

#endif
