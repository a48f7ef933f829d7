/* dns_rrl: response rate limiting; the model is in dns_rrl.h. */
#include <errno.h>
#include <string.h>

#include "dns_rrl.h"
#include "dns_wire.h"

enum rrl_kind { KIND_ANSWER = 1, KIND_NXDOMAIN, KIND_ERROR };

void
dns_rrl_config_defaults(struct dns_rrl_config *c)
{
	memset(c, 0, sizeof *c);
	c->slip = 2;
	c->window = 15;
	c->v4_prefix = 24;
	c->v6_prefix = 56;
}

int
dns_rrl_init(struct dns_rrl *r, const struct dns_rrl_config *c,
	     const uint64_t seed[2])
{
	memset(r, 0, sizeof *r);
	if (ratelimit_init(&r->buckets, DNS_RRL_BITS) < 0)
		return -ENOMEM;
	r->cfg = *c;
	r->seed[0] = seed[0];
	r->seed[1] = seed[1];
	ratelimit_rule_init(&r->rule, c->rate, c->rate, c->window);
	return 0;
}

void
dns_rrl_fini(struct dns_rrl *r)
{
	ratelimit_fini(&r->buckets);
}

/* Hashes the uncompressed name at p (at most end - p bytes) in lower
 * case, eight bytes at a time. Returns the name's length, 0 if it runs
 * past end or is not a plain name. */
static size_t
name_hash(const uint8_t *p, const uint8_t *end, uint64_t *h)
{
	size_t n = 0;

	while (p + n < end && p[n] != 0) {
		if (p[n] > DNS_LABEL_MAX)
			return 0;
		n += 1 + (size_t)p[n];
	}
	if (p + n >= end || n >= DNS_NAME_MAX)
		return 0;
	n++;
	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = 0;
		memcpy(&w, p + i, n - i < 8 ? n - i : 8);
		*h = ratelimit_mix(*h, dns_lc8(w));
	}
	return n;
}

/* For NXDOMAIN: hashes the zone, the owner of the SOA record in the
 * authority section (RFC 2308 section 3), past the question at off and
 * the answer records (a CNAME chain may lead to the missing name). */
static int
zone_hash(const uint8_t *reply, size_t len, size_t off, unsigned ancount,
	  uint64_t *h)
{
	struct dns_cur c;
	struct dns_rr rr;

	dns_cur_init(&c, reply, len);
	c.pos = off;
	for (unsigned i = 0; i <= ancount; i++)
		if (dns_rr_read(&c, &rr) < 0)
			return -1;
	if (rr.type != DNS_T_SOA)
		return -1;
	name_hash(rr.name, rr.name + rr.nlen, h);
	return 0;
}

/* The bucket's hash: the client's network and the kind of answer (the
 * question for a positive answer, the zone for NXDOMAIN, nothing more
 * for an error). Returns 0, or -1 for a reply too short to classify. */
static int
rrl_key(const struct dns_rrl *r, const struct net_prefix *net,
	const uint8_t *reply, size_t len, uint64_t *out)
{
	uint64_t h = r->seed[0], w[2];

	memcpy(w, net->bytes, sizeof w);
	h = ratelimit_mix(ratelimit_mix(h, w[0] ^ net->v6), w[1]);
	if (len < DNS_HDR_SIZE)
		return -1;
	unsigned rcode = reply[3] & 0xf;
	unsigned qd = (unsigned)reply[4] << 8 | reply[5];
	unsigned an = (unsigned)reply[6] << 8 | reply[7];
	if (rcode != DNS_RCODE_NOERROR && rcode != DNS_RCODE_NXDOMAIN) {
		*out = ratelimit_mix(h ^ r->seed[1], KIND_ERROR);
		return 0;
	}
	uint64_t q = h;
	size_t n = qd == 1 ? name_hash(reply + DNS_HDR_SIZE, reply + len, &q)
		: 0;
	if (n == 0 || DNS_HDR_SIZE + n + 4 > len) {
		*out = ratelimit_mix(h ^ r->seed[1], KIND_ERROR);
		return 0;
	}
	const uint8_t *t = reply + DNS_HDR_SIZE + n;
	if (rcode == DNS_RCODE_NXDOMAIN &&
	    zone_hash(reply, len, DNS_HDR_SIZE + n + 4, an, &h) == 0) {
		*out = ratelimit_mix(h ^ r->seed[1], KIND_NXDOMAIN);
		return 0;
	}
	*out = ratelimit_mix(q ^ r->seed[1], (uint64_t)KIND_ANSWER << 16 |
		   (uint64_t)t[0] << 8 | t[1]);
	return 0;
}

enum dns_rrl_verdict
dns_rrl_check(struct dns_rrl *r, struct dns_rrl_stats *st,
	      const struct sockaddr *from, const uint8_t *reply, size_t len,
	      int64_t now_ms)
{
	struct net_prefix net;
	uint64_t h;

	if (net_prefix_of(from, r->cfg.v4_prefix, r->cfg.v6_prefix, &net) < 0
	    || net_prefix_any(r->cfg.exempt, r->cfg.nexempt, from) ||
	    rrl_key(r, &net, reply, len, &h) < 0)
		return DNS_RRL_PASS;
	if (ratelimit_take(&r->buckets, h, &r->rule, now_ms) == 0)
		return DNS_RRL_PASS;
	st->limited++;
	if (r->cfg.slip && ++st->slip_count >= r->cfg.slip) {
		st->slip_count = 0;
		st->slipped++;
		return DNS_RRL_SLIP;
	}
	st->dropped++;
	return DNS_RRL_DROP;
}

size_t
dns_rrl_truncate(uint8_t *reply, size_t len)
{
	uint64_t unused = 0;
	size_t end = DNS_HDR_SIZE;

	if (len < DNS_HDR_SIZE)
		return len;
	if (reply[4] == 0 && reply[5] == 1) {
		size_t n = name_hash(reply + DNS_HDR_SIZE, reply + len,
				     &unused);
		if (n && DNS_HDR_SIZE + n + 4 <= len)
			end = DNS_HDR_SIZE + n + 4;
	}
	if (end == DNS_HDR_SIZE)
		reply[4] = reply[5] = 0;
	reply[2] |= DNS_F_TC >> 8;
	memset(reply + 6, 0, 6);
	return end;
}
