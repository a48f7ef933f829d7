/* dns_zone: the zone-file parser (RFC 1035 section 5, with $TTL of RFC
 * 2308 and the unknown-type form of RFC 3597), as NSD and BIND read it.
 * Pure: text in, one callback per record out. A file is read in pieces
 * through hooks (so the parser itself never touches a file, and a zone
 * file is never whole in memory); $INCLUDE goes through the same hooks. */
#ifndef INETKIT_DNS_ZONE_H
#define INETKIT_DNS_ZONE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DNS_ZONE_MAX_LINE 65536		/* bytes in one physical line */
#define DNS_ZONE_MAX_ENTRY (1 << 20)	/* bytes in one entry's lines */
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
/* Files, read in pieces. open: opens path, returns 0 with *src set or
 * -errno. read: copies up to n next bytes of src into buf, returns the
 * count, 0 at the end, or -errno. close: releases src. */
struct dns_zone_io {
	int (*open)(const char *path, void **src);
	ssize_t (*read)(void *src, char *buf, size_t n);
	void (*close)(void *src);
};

struct dns_zone_opts {
	const uint8_t *origin;	/* initial $ORIGIN, or NULL */
	dns_zone_rr_fn rr;
	void *arg;
	const struct dns_zone_io *io;	/* NULL: $INCLUDE is refused */
};

/* Parses the zone text text[0..len) read from file `name` (used in
 * messages and to resolve $INCLUDE paths). On failure returns a negative
 * code and writes "name:line: message" into err. */
int dns_zone_parse(const char *name, const char *text, size_t len,
		   const struct dns_zone_opts *o, char *err, size_t errsz);
/* The same over the file src, opened through o->io, read in pieces into
 * a buffer of at most a few MiB (an entry must fit: DNS_ZONE_MAX_ENTRY).
 * Reports a read error as "name:line: message". Does not close src. */
int dns_zone_parse_src(const char *name, void *src,
		       const struct dns_zone_opts *o, char *err, size_t errsz);

#endif
