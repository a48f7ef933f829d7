/* dns_wire: the DNS message format (RFC 1035 section 4.1): a bounded read
 * cursor with a sticky error, strict name decompression, a writer that
 * compresses names (section 4.1.4), and the EDNS0 OPT record (RFC 6891).
 * Names are handled in uncompressed wire form: length-prefixed labels
 * ending with the root label, at most DNS_NAME_MAX bytes. Pure: no I/O. */
#ifndef INETKIT_DNS_WIRE_H
#define INETKIT_DNS_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"

#define DNS_HDR_SIZE 12
#define DNS_NAME_MAX 255
#define DNS_LABEL_MAX 63
#define DNS_MAX_UDP 512		/* without EDNS (RFC 1035 section 4.2.1) */
#define DNS_MAX_MSG 65535	/* the TCP length prefix limit */
#define DNS_COMP_MAX 64		/* remembered names per written message */

enum dns_type {
	DNS_T_A = 1, DNS_T_NS = 2, DNS_T_CNAME = 5, DNS_T_SOA = 6,
	DNS_T_PTR = 12, DNS_T_HINFO = 13, DNS_T_MX = 15, DNS_T_TXT = 16,
	DNS_T_AAAA = 28, DNS_T_SRV = 33, DNS_T_OPT = 41, DNS_T_DS = 43,
	DNS_T_IXFR = 251, DNS_T_AXFR = 252, DNS_T_MAILB = 253,
	DNS_T_MAILA = 254, DNS_T_ANY = 255, DNS_T_CAA = 257,
};

enum { DNS_C_IN = 1, DNS_C_CH = 3, DNS_C_HS = 4, DNS_C_ANY = 255 };

enum dns_rcode {
	DNS_RCODE_NOERROR = 0, DNS_RCODE_FORMERR = 1, DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3, DNS_RCODE_NOTIMP = 4, DNS_RCODE_REFUSED = 5,
	DNS_RCODE_BADVERS = 16,
};

enum { DNS_OPCODE_QUERY = 0 };

/* Header flag bits (RFC 1035 section 4.1.1, RFC 4035 for AD and CD). */
#define DNS_F_QR 0x8000
#define DNS_F_AA 0x0400
#define DNS_F_TC 0x0200
#define DNS_F_RD 0x0100
#define DNS_F_RA 0x0080
#define DNS_F_AD 0x0020
#define DNS_F_CD 0x0010
#define DNS_F_OPCODE(f) (((f) >> 11) & 0xf)
#define DNS_F_RCODE(f) ((f) & 0xf)
#define DNS_EDNS_DO 0x8000	/* in the OPT TTL's low 16 bits */

/* A read cursor over one message. The first failure sticks in err
 * (ERR_PARSE); every later read returns zeros, so callers check once. */
struct dns_cur {
	const uint8_t *p;
	size_t len, pos;
	int err;
};

struct dns_hdr {
	uint16_t id, flags, qdcount, ancount, nscount, arcount;
};

struct dns_question {
	uint8_t name[DNS_NAME_MAX + 1];
	size_t nlen;
	uint16_t type, class;
};

/* One resource record as read: rdata is a slice of the message (it may
 * hold compression pointers; see dns_rdata_expand). */
struct dns_rr {
	uint8_t name[DNS_NAME_MAX + 1];
	size_t nlen;
	uint16_t type, class;
	uint32_t ttl;
	uint16_t rdlen;
	size_t rdoff;		/* where rdata starts in the message */
};

/* EDNS0 as carried by the OPT pseudo-record (RFC 6891 section 6.1.3). */
struct dns_edns {
	int present;
	uint16_t udp_size;
	uint8_t ext_rcode, version;
	uint16_t flags;
};

void dns_cur_init(struct dns_cur *c, const void *p, size_t len);
uint8_t dns_cur_u8(struct dns_cur *c);
uint16_t dns_cur_u16(struct dns_cur *c);
uint32_t dns_cur_u32(struct dns_cur *c);
/* Skips n bytes; returns a pointer to them or NULL (error set). */
const uint8_t *dns_cur_skip(struct dns_cur *c, size_t n);

/* Reads a possibly compressed name at the cursor into out (256 bytes).
 * Strict: a pointer must point backwards, into the message, to a label;
 * labels over 63 bytes, names over 255 and the 0x40/0x80 label types are
 * refused. Returns the uncompressed length or ERR_PARSE (also stuck). */
int dns_name_read(struct dns_cur *c, uint8_t *out);
int dns_hdr_read(struct dns_cur *c, struct dns_hdr *h);
int dns_question_read(struct dns_cur *c, struct dns_question *q);
int dns_rr_read(struct dns_cur *c, struct dns_rr *rr);
/* Copies rr's rdata into out (outsz bytes) with every name decompressed,
 * for the types whose rdata names may be compressed (NS, CNAME, SOA, PTR,
 * MX, SRV), and checks those rdata shapes. Returns the length, ERR_PARSE
 * or ERR_TOOBIG. */
int dns_rdata_expand(const uint8_t *msg, size_t msglen,
		     const struct dns_rr *rr, uint8_t *out, size_t outsz);
/* Fills e from an OPT record already read. */
void dns_edns_from_rr(const struct dns_rr *rr, struct dns_edns *e);

/* Name helpers over uncompressed wire names. */
/* Length of a valid uncompressed name, labels included. */
size_t dns_name_len(const uint8_t *name);
unsigned dns_name_labels(const uint8_t *name);
/* Case-insensitive equality. */
int dns_name_equal(const uint8_t *a, const uint8_t *b);
/* Eight bytes lower-cased at once: bit 7 of a byte of up is set when
 * the byte is ASCII and from 'A' (0x41, +0x3f reaches 0x80) to 'Z'
 * (0x5a; 0x5b and above +0x25 reach 0x80); it becomes 0x20 (no carry
 * crosses a byte: every byte is below 0x80 before adding). */
static inline uint64_t
dns_lc8(uint64_t w)
{
	uint64_t h = w & 0x7f7f7f7f7f7f7f7full;
	uint64_t up = (h + 0x3f3f3f3f3f3f3f3full) &
		~(h + 0x2525252525252525ull) & ~w & 0x8080808080808080ull;

	return w | up >> 2;
}

/* Copies name to out in lower case; returns the length. */
size_t dns_name_lower(const uint8_t *name, uint8_t *out);
/* The same for a name whose length n is known. */
void dns_name_lower_len(const uint8_t *name, size_t n, uint8_t *out);
/* If name is zone or below it, the offset in name where zone starts;
 * else -1. Case-insensitive. */
int dns_name_suffix(const uint8_t *name, const uint8_t *zone);
/* Offset of the parent name (the name minus its first label); the root
 * has no parent: returns -1. */
int dns_name_parent(const uint8_t *name);

#define DNS_WR_SAME_MAX 16	/* names remembered by address */

/* A writer into a caller buffer of at most max bytes. An overflow sets
 * err (ERR_TOOBIG) and sticks; use dns_wr_mark/rollback to retry less.
 * A caller that sets stable promises that every name it passes keeps
 * its address and bytes until the message is done: a name passed again
 * from the same address then becomes a pointer without a search. */
struct dns_wr {
	uint8_t *p;
	size_t len, max;
	int err;
	int stable;
	unsigned ncomp, nsame;
	uint16_t comp[DNS_COMP_MAX];	/* offsets of names written */
	uint8_t comp_len[DNS_COMP_MAX];	/* their lengths */
	const uint8_t *same[DNS_WR_SAME_MAX];	/* with stable: names... */
	uint16_t same_off[DNS_WR_SAME_MAX];	/* ...and where they are */
};

struct dns_wr_mark {
	size_t len;
	unsigned ncomp, nsame;
};

void dns_wr_init(struct dns_wr *w, uint8_t *p, size_t max);
/* The small writes, inline: every record is a few of them. */
static inline void
dns_wr_bytes(struct dns_wr *w, const void *p, size_t n)
{
	if (w->err || w->max - w->len < n) {
		w->err = ERR_TOOBIG;
		return;
	}
	memcpy(w->p + w->len, p, n);
	w->len += n;
}

static inline void
dns_wr_u8(struct dns_wr *w, uint8_t v)
{
	dns_wr_bytes(w, &v, 1);
}

static inline void
dns_wr_u16(struct dns_wr *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	dns_wr_bytes(w, b, 2);
}

static inline void
dns_wr_u32(struct dns_wr *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };

	dns_wr_bytes(w, b, 4);
}
void dns_wr_set_u16(struct dns_wr *w, size_t off, uint16_t v);
/* Writes name, compressed against the names written before when
 * compress is set (case-insensitively), and remembers its suffixes. */
void dns_wr_name(struct dns_wr *w, const uint8_t *name, int compress);
/* With stable: notes that name is already in the message at offset off
 * (a suffix of a name written), so that writing it is a pointer. */
void dns_wr_name_at(struct dns_wr *w, const uint8_t *name, size_t off);
void dns_wr_hdr(struct dns_wr *w, const struct dns_hdr *h);
/* Writes one RR whose rdata holds uncompressed names; names in NS,
 * CNAME, SOA, PTR and MX rdata are compressed (RFC 3597 section 4). */
void dns_wr_rr(struct dns_wr *w, const uint8_t *owner, uint16_t type,
	       uint16_t class, uint32_t ttl, const uint8_t *rdata,
	       uint16_t rdlen);
/* The same after an owner the caller wrote itself. */
void dns_wr_rr_body(struct dns_wr *w, uint16_t type, uint16_t class,
		    uint32_t ttl, const uint8_t *rdata, uint16_t rdlen);
/* Writes an OPT record (RFC 6891 section 6.1.2). */
void dns_wr_opt(struct dns_wr *w, uint16_t udp_size, uint8_t ext_rcode,
		uint16_t flags);
struct dns_wr_mark dns_wr_mark(const struct dns_wr *w);
void dns_wr_rollback(struct dns_wr *w, struct dns_wr_mark m);

#endif
