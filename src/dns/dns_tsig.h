/* dns_tsig: transaction signatures (RFC 8945) with HMAC-SHA256, -SHA512
 * and -SHA1 through OpenSSL: the key form of `dig -y`, reading a TSIG
 * record, verifying a request or each message of a reply stream, and
 * signing. Pure: no I/O (OpenSSL computes the MACs). */
#ifndef INETKIT_DNS_TSIG_H
#define INETKIT_DNS_TSIG_H

#include <stddef.h>
#include <stdint.h>

#include "dns_wire.h"

#define DNS_T_TSIG 250
#define DNS_TSIG_FUDGE 300	/* seconds of clock skew allowed */
#define DNS_TSIG_MAC_MAX 64	/* HMAC-SHA512 */
#define DNS_TSIG_SECRET_MAX 256
#define DNS_RCODE_NOTAUTH 9
/* The TSIG error field (RFC 8945 section 3). */
enum { DNS_TSIG_BADSIG = 16, DNS_TSIG_BADKEY = 17, DNS_TSIG_BADTIME = 18 };
enum { DNS_TSIG_SHA256, DNS_TSIG_SHA512, DNS_TSIG_SHA1 };

struct dns_tsig_key {
	uint8_t name[DNS_NAME_MAX + 1];	/* wire form, lower case */
	int alg;			/* DNS_TSIG_SHA256, ... */
	uint8_t secret[DNS_TSIG_SECRET_MAX];
	size_t slen;
};

/* A TSIG record as read; pointers into the message. */
struct dns_tsig_rr {
	size_t off;		/* where the record starts */
	uint16_t id;		/* the message's ID field */
	uint8_t key[DNS_NAME_MAX + 1];	/* lower case */
	uint8_t alg[DNS_NAME_MAX + 1];	/* lower case */
	uint64_t time;
	uint16_t fudge, orig_id, error;
	const uint8_t *mac, *other;
	uint16_t mac_len, other_len;
};

/* Parses "[ALG:]NAME:SECRET" (dig -y): ALG hmac-sha256 (the default),
 * hmac-sha512 or hmac-sha1, SECRET in base64. Returns 0, or ERR_PARSE
 * with *why set. */
int dns_tsig_key_parse(const char *s, struct dns_tsig_key *k,
		       const char **why);
/* The algorithm's name in wire form. */
const uint8_t *dns_tsig_alg_wire(int alg);
/* Finds the TSIG record of msg. Returns 1 with t filled, 0 when the
 * message has none, ERR_PARSE when the message or the record is
 * malformed, or a TSIG is not the last record (RFC 8945 section 5.1). */
int dns_tsig_find(const uint8_t *msg, size_t len, struct dns_tsig_rr *t);
/* The key named by t whose algorithm is t's, among keys[0..n), or NULL. */
const struct dns_tsig_key *dns_tsig_lookup(const struct dns_tsig_key *keys,
					   int n, const struct dns_tsig_rr *t);

/* One conversation's running MAC (RFC 8945 sections 5.3 and 5.3.1): a
 * request, then each message of the reply, chained by the MAC before. */
struct dns_tsig_ctx {
	const struct dns_tsig_key *key;
	void *mac;		/* OpenSSL's EVP_MAC_CTX, started */
	uint8_t prior[DNS_TSIG_MAC_MAX];
	size_t prior_len;	/* 0: none yet (a request) */
	unsigned unsigned_run;	/* messages since the last signed one */
};

/* Returns 0 or -ENOMEM. */
int dns_tsig_ctx_init(struct dns_tsig_ctx *c, const struct dns_tsig_key *k);
void dns_tsig_ctx_fini(struct dns_tsig_ctx *c);
/* Verifies msg, whose TSIG record is t, against the running MAC; the
 * first message of a conversation uses every TSIG variable, a later one
 * of a reply stream only the timers (timers_only). Returns 0, or the
 * TSIG error: DNS_TSIG_BADSIG, DNS_TSIG_BADTIME (now outside the fudge),
 * or -ENOMEM. On success the MAC becomes the prior one. */
int dns_tsig_verify(struct dns_tsig_ctx *c, const uint8_t *msg, size_t len,
		    const struct dns_tsig_rr *t, uint64_t now,
		    int timers_only);
/* An unsigned message in a reply stream: into the running MAC. At most
 * 99 in a row (RFC 8945 section 5.3.1). Returns 0 or ERR_PARSE. */
int dns_tsig_skip(struct dns_tsig_ctx *c, const uint8_t *msg, size_t len);
/* Appends a TSIG record signing msg[0..*len) (at most max bytes), with
 * error (0, or DNS_TSIG_BADTIME: then other data holds now), and adds
 * one to ARCOUNT. Returns 0, ERR_TOOBIG or -ENOMEM. */
int dns_tsig_sign(struct dns_tsig_ctx *c, uint8_t *msg, size_t *len,
		  size_t max, uint64_t now, uint16_t error, int timers_only);
/* Appends the unsigned TSIG record of an error reply to the request
 * whose record was t (BADKEY, BADSIG: an empty MAC, RFC 8945 section
 * 5.3.2). Returns 0 or ERR_TOOBIG. */
int dns_tsig_unsigned(uint8_t *msg, size_t *len, size_t max,
		      const struct dns_tsig_rr *t, uint16_t error);

#endif
