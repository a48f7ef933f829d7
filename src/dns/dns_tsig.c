/* dns_tsig: RFC 8945. The MAC covers the message as it was before its
 * TSIG record was added (original ID, ARCOUNT one less), then the TSIG
 * variables (section 4.3.3); in a reply the prior MAC comes first
 * (section 4.3.2), and after the first message of a stream only the
 * timers (section 4.3.1). The HMAC is OpenSSL's. */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "dns_rr.h"
#include "dns_tsig.h"

#define TSIG_UNSIGNED_MAX 99

static const struct {
	const char *name;
	const char *wire;
	const char *digest;
} algs[] = {
	[DNS_TSIG_SHA256] = { "hmac-sha256", "\13hmac-sha256", "SHA256" },
	[DNS_TSIG_SHA512] = { "hmac-sha512", "\13hmac-sha512", "SHA512" },
	[DNS_TSIG_SHA1] = { "hmac-sha1", "\11hmac-sha1", "SHA1" },
};
#define NALGS (int)(sizeof algs / sizeof algs[0])

const uint8_t *
dns_tsig_alg_wire(int alg)
{
	return (const uint8_t *)algs[alg].wire;
}

/* Base64 (RFC 4648 section 4) with padding; returns the length or -1. */
static int
base64_decode(const char *s, uint8_t *out, size_t outsz)
{
	size_t n = strlen(s), pad = 0;
	uint8_t tmp[DNS_TSIG_SECRET_MAX + 4];

	if (n == 0 || n % 4 || n / 4 * 3 > sizeof tmp)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '=' && i >= n - 2) {
			pad++;
			continue;
		}
		if (pad || !(ch == '+' || ch == '/' || (ch >= '0' && ch <= '9')
			     || (ch >= 'a' && ch <= 'z') ||
			     (ch >= 'A' && ch <= 'Z')))
			return -1;
	}
	int k = EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)n);
	if (k < 0 || (size_t)k - pad > outsz)
		return -1;
	memcpy(out, tmp, (size_t)k - pad);
	return k - (int)pad;
}

int
dns_tsig_key_parse(const char *s, struct dns_tsig_key *k, const char **why)
{
	const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : 0;
	const char *name = s, *secret = c1 ? c1 + 1 : NULL;
	char text[DNS_NAME_TEXT_MAX];
	uint8_t wire[DNS_NAME_MAX + 1];

	memset(k, 0, sizeof *k);
	k->alg = DNS_TSIG_SHA256;
	if (c2) {
		k->alg = -1;
		for (int i = 0; i < NALGS; i++)
			if ((size_t)(c1 - s) == strlen(algs[i].name) &&
			    strncasecmp(s, algs[i].name, (size_t)(c1 - s)) == 0)
				k->alg = i;
		if (k->alg < 0) {
			*why = "unknown algorithm (hmac-sha256, hmac-sha512 "
				"or hmac-sha1)";
			return ERR_PARSE;
		}
		name = c1 + 1;
		c1 = c2;
		secret = c2 + 1;
	}
	if (c1 == NULL || c1 == name || (size_t)(c1 - name) >= sizeof text) {
		*why = "expected [ALG:]NAME:SECRET";
		return ERR_PARSE;
	}
	memcpy(text, name, (size_t)(c1 - name));
	text[c1 - name] = 0;
	if (dns_name_parse(text, strlen(text), (const uint8_t *)"", wire,
			   why) < 0)
		return ERR_PARSE;
	dns_name_lower(wire, k->name);
	int n = base64_decode(secret, k->secret, sizeof k->secret);
	if (n <= 0) {
		*why = "the secret is not base64";
		return ERR_PARSE;
	}
	k->slen = (size_t)n;
	return 0;
}

/* Reads the rdata of a TSIG record at c (rdlen bytes). */
static int
read_rdata(struct dns_cur *c, size_t rdlen, struct dns_tsig_rr *t)
{
	size_t end = c->pos + rdlen;
	uint8_t alg[DNS_NAME_MAX + 1];

	if (dns_name_read(c, alg) < 0)
		return ERR_PARSE;
	dns_name_lower(alg, t->alg);
	t->time = (uint64_t)dns_cur_u16(c) << 32;
	t->time |= dns_cur_u32(c);
	t->fudge = dns_cur_u16(c);
	t->mac_len = dns_cur_u16(c);
	t->mac = dns_cur_skip(c, t->mac_len);
	t->orig_id = dns_cur_u16(c);
	t->error = dns_cur_u16(c);
	t->other_len = dns_cur_u16(c);
	t->other = dns_cur_skip(c, t->other_len);
	if (c->err || c->pos != end)
		return ERR_PARSE;
	return 0;
}

int
dns_tsig_find(const uint8_t *msg, size_t len, struct dns_tsig_rr *t)
{
	struct dns_cur c;
	struct dns_hdr h;
	struct dns_question q;
	struct dns_rr rr;
	int found = 0;

	dns_cur_init(&c, msg, len);
	if (dns_hdr_read(&c, &h) < 0)
		return ERR_PARSE;
	for (unsigned i = 0; i < h.qdcount; i++)
		if (dns_question_read(&c, &q) < 0)
			return ERR_PARSE;
	unsigned total = (unsigned)h.ancount + h.nscount + h.arcount;
	for (unsigned i = 0; i < total; i++) {
		size_t start = c.pos;
		if (found || dns_rr_read(&c, &rr) < 0)
			return ERR_PARSE;
		if (rr.type != DNS_T_TSIG)
			continue;
		if (i != total - 1 || h.arcount == 0)
			return ERR_PARSE;
		struct dns_cur rd;
		dns_cur_init(&rd, msg, rr.rdoff + rr.rdlen);
		rd.pos = rr.rdoff;
		if (read_rdata(&rd, rr.rdlen, t) < 0)
			return ERR_PARSE;
		dns_name_lower(rr.name, t->key);
		t->off = start;
		t->id = h.id;
		found = 1;
	}
	return c.pos == len ? found : ERR_PARSE;
}

const struct dns_tsig_key *
dns_tsig_lookup(const struct dns_tsig_key *keys, int n,
		const struct dns_tsig_rr *t)
{
	for (int i = 0; i < n; i++)
		if (dns_name_equal(keys[i].name, t->key) &&
		    dns_name_equal(dns_tsig_alg_wire(keys[i].alg), t->alg))
			return &keys[i];
	return NULL;
}

/* (Re)starts the running MAC with the prior MAC, if any. */
static int
ctx_start(struct dns_tsig_ctx *c)
{
	const struct dns_tsig_key *k = c->key;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
			(char *)algs[k->alg].digest, 0),
		OSSL_PARAM_construct_end(),
	};
	uint8_t n[2] = { (uint8_t)(c->prior_len >> 8), (uint8_t)c->prior_len };

	if (!EVP_MAC_init(c->mac, k->secret, k->slen, params))
		return -ENOMEM;
	if (c->prior_len && (!EVP_MAC_update(c->mac, n, 2) ||
			     !EVP_MAC_update(c->mac, c->prior, c->prior_len)))
		return -ENOMEM;
	c->unsigned_run = 0;
	return 0;
}

int
dns_tsig_ctx_init(struct dns_tsig_ctx *c, const struct dns_tsig_key *k)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);

	memset(c, 0, sizeof *c);
	c->key = k;
	if (mac == NULL)
		return -ENOMEM;
	c->mac = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (c->mac == NULL)
		return -ENOMEM;
	return ctx_start(c);
}

void
dns_tsig_ctx_fini(struct dns_tsig_ctx *c)
{
	EVP_MAC_CTX_free(c->mac);
	c->mac = NULL;
}

static void
put48(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 6; i++)
		p[i] = (uint8_t)(v >> (40 - 8 * i));
}

/* The TSIG variables after the message (RFC 8945 section 4.3.3), or the
 * timers alone; written to out, returns the length. */
static size_t
variables(const struct dns_tsig_key *k, uint64_t time, uint16_t fudge,
	  uint16_t error, const uint8_t *other, uint16_t olen,
	  int timers_only, uint8_t *out)
{
	size_t o = 0;

	if (!timers_only) {
		size_t n = dns_name_len(k->name);
		memcpy(out, k->name, n);
		o = n;
		memcpy(out + o, "\0\377\0\0\0\0", 6);	/* ANY, TTL 0 */
		o += 6;
		n = dns_name_len(dns_tsig_alg_wire(k->alg));
		memcpy(out + o, dns_tsig_alg_wire(k->alg), n);
		o += n;
	}
	put48(out + o, time);
	out[o + 6] = (uint8_t)(fudge >> 8);
	out[o + 7] = (uint8_t)fudge;
	o += 8;
	if (timers_only)
		return o;
	uint8_t e[4] = { (uint8_t)(error >> 8), (uint8_t)error,
			 (uint8_t)(olen >> 8), (uint8_t)olen };
	memcpy(out + o, e, 4);
	if (olen)
		memcpy(out + o + 4, other, olen);
	return o + 4 + olen;
}

/* MACs the message msg[0..end) as it was without its TSIG record: with
 * id in its header and ARCOUNT less by drop. Then the variables. */
static int
mac_message(struct dns_tsig_ctx *c, const uint8_t *msg, size_t end,
	    uint16_t id, int drop, const uint8_t *vars, size_t vlen,
	    uint8_t *mac, size_t *mlen)
{
	uint8_t h[DNS_HDR_SIZE];
	unsigned ar;

	memcpy(h, msg, sizeof h);
	ar = (unsigned)(h[10] << 8 | h[11]) - (unsigned)drop;
	h[0] = (uint8_t)(id >> 8);
	h[1] = (uint8_t)id;
	h[10] = (uint8_t)(ar >> 8);
	h[11] = (uint8_t)ar;
	if (!EVP_MAC_update(c->mac, h, sizeof h) ||
	    !EVP_MAC_update(c->mac, msg + sizeof h, end - sizeof h) ||
	    !EVP_MAC_update(c->mac, vars, vlen) ||
	    !EVP_MAC_final(c->mac, mac, mlen, DNS_TSIG_MAC_MAX))
		return -ENOMEM;
	return 0;
}

/* The MAC just computed becomes the prior one of the next message. */
static int
chain(struct dns_tsig_ctx *c, const uint8_t *mac, size_t mlen)
{
	memcpy(c->prior, mac, mlen);
	c->prior_len = mlen;
	return ctx_start(c);
}

int
dns_tsig_verify(struct dns_tsig_ctx *c, const uint8_t *msg, size_t len,
		const struct dns_tsig_rr *t, uint64_t now, int timers_only)
{
	uint8_t vars[2 * (DNS_NAME_MAX + 1) + 32 + 65535];
	uint8_t mac[DNS_TSIG_MAC_MAX];
	size_t mlen = 0;

	if (t->off < DNS_HDR_SIZE || t->off > len)
		return DNS_TSIG_BADSIG;
	size_t vlen = variables(c->key, t->time, t->fudge, t->error,
				t->other, t->other_len, timers_only, vars);
	int rc = mac_message(c, msg, t->off, t->orig_id, 1, vars, vlen, mac,
			     &mlen);
	if (rc < 0)
		return rc;
	/* A shorter MAC than the digest is refused: we never truncate. */
	if (t->mac_len != mlen || CRYPTO_memcmp(mac, t->mac, mlen) != 0) {
		ctx_start(c);
		return DNS_TSIG_BADSIG;
	}
	rc = chain(c, mac, mlen);
	if (rc < 0)
		return rc;
	uint64_t d = now > t->time ? now - t->time : t->time - now;
	return d > t->fudge ? DNS_TSIG_BADTIME : 0;
}

int
dns_tsig_skip(struct dns_tsig_ctx *c, const uint8_t *msg, size_t len)
{
	if (++c->unsigned_run > TSIG_UNSIGNED_MAX)
		return ERR_PARSE;
	return EVP_MAC_update(c->mac, msg, len) ? 0 : ERR_PARSE;
}

/* Writes a TSIG record at the end of msg; mac may be empty. */
static int
put_record(uint8_t *msg, size_t *len, size_t max, const uint8_t *key,
	   const uint8_t *alg, uint64_t time, uint16_t fudge,
	   const uint8_t *mac, size_t mlen, uint16_t orig_id, uint16_t error,
	   const uint8_t *other, uint16_t olen)
{
	struct dns_wr w;
	size_t an = dns_name_len(alg);

	dns_wr_init(&w, msg, max);
	w.len = *len;
	dns_wr_name(&w, key, 0);
	dns_wr_u16(&w, DNS_T_TSIG);
	dns_wr_u16(&w, DNS_C_ANY);
	dns_wr_u32(&w, 0);
	dns_wr_u16(&w, (uint16_t)(an + 16 + mlen + olen));
	dns_wr_bytes(&w, alg, an);
	dns_wr_u16(&w, (uint16_t)(time >> 32));
	dns_wr_u32(&w, (uint32_t)time);
	dns_wr_u16(&w, fudge);
	dns_wr_u16(&w, (uint16_t)mlen);
	if (mlen)
		dns_wr_bytes(&w, mac, mlen);
	dns_wr_u16(&w, orig_id);
	dns_wr_u16(&w, error);
	dns_wr_u16(&w, olen);
	if (olen)
		dns_wr_bytes(&w, other, olen);
	if (w.err)
		return ERR_TOOBIG;
	unsigned ar = (unsigned)(msg[10] << 8 | msg[11]) + 1;
	msg[10] = (uint8_t)(ar >> 8);
	msg[11] = (uint8_t)ar;
	*len = w.len;
	return 0;
}

int
dns_tsig_sign(struct dns_tsig_ctx *c, uint8_t *msg, size_t *len, size_t max,
	      uint64_t now, uint16_t error, int timers_only)
{
	uint8_t vars[2 * (DNS_NAME_MAX + 1) + 32 + 6];
	uint8_t other[6], mac[DNS_TSIG_MAC_MAX];
	size_t mlen = 0;
	uint16_t olen = 0;
	uint16_t id = (uint16_t)(msg[0] << 8 | msg[1]);

	if (error == DNS_TSIG_BADTIME) {
		put48(other, now);
		olen = 6;
	}
	size_t vlen = variables(c->key, now, DNS_TSIG_FUDGE, error, other,
				olen, timers_only, vars);
	int rc = mac_message(c, msg, *len, id, 0, vars, vlen, mac, &mlen);
	if (rc == 0)
		rc = put_record(msg, len, max, c->key->name,
				dns_tsig_alg_wire(c->key->alg), now,
				DNS_TSIG_FUDGE, mac, mlen, id, error, other,
				olen);
	if (rc == 0)
		rc = chain(c, mac, mlen);
	return rc;
}

int
dns_tsig_unsigned(uint8_t *msg, size_t *len, size_t max,
		  const struct dns_tsig_rr *t, uint16_t error)
{
	return put_record(msg, len, max, t->key, t->alg, t->time, t->fudge,
			  NULL, 0, t->orig_id, error, NULL, 0);
}
