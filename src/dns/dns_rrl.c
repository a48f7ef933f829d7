/* dns_rrl: response rate limiting; the model is in dns_rrl.h. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "core/log.h"
#include "dns_rrl.h"
#include "dns_wire.h"

void
dns_rrl_config_defaults(struct dns_rrl_config *c)
{
	memset(c, 0, sizeof *c);
	c->slip = 2;
	c->window = 15;
	c->v4_prefix = 24;
	c->v6_prefix = 56;
}

/* The masks of the client networks, as bytes in address order. */
static void
prefix_masks(struct dns_rrl *r)
{
	uint8_t m[16];

	for (int i = 0; i < 16; i++) {
		int bits = r->cfg.v6_prefix - 8 * i;
		m[i] = bits >= 8 ? 0xff : bits <= 0 ? 0 :
			(uint8_t)(0xff << (8 - bits));
	}
	memcpy(r->v6_mask, m, 16);
	for (int i = 0; i < 4; i++) {
		int bits = r->cfg.v4_prefix - 8 * i;
		m[i] = bits >= 8 ? 0xff : bits <= 0 ? 0 :
			(uint8_t)(0xff << (8 - bits));
	}
	memcpy(&r->v4_mask, m, 4);
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
	ratelimit_rule_init(&r->rule, c->rate, 1, c->rate, c->window);
	prefix_masks(r);
	return 0;
}

void
dns_rrl_fini(struct dns_rrl *r)
{
	ratelimit_fini(&r->buckets);
}

size_t
dns_rrl_name_len(const uint8_t *p, const uint8_t *end)
{
	size_t n = 0;

	while (p + n < end && p[n] != 0) {
		if (p[n] > DNS_LABEL_MAX)
			return 0;
		n += 1 + (size_t)p[n];
	}
	if (p + n >= end || n >= DNS_NAME_MAX)
		return 0;
	return n + 1;
}

/* Our own replies write the zone as a pointer into the question, which
 * is read in place; else the records are read. */
int
dns_rrl_zone_hash(const uint8_t *reply, size_t len, size_t off, size_t qlen,
		  unsigned ancount, uint64_t *h)
{
	struct dns_cur c;
	struct dns_rr rr;

	if (ancount == 0 && off + 2 <= len && reply[off] >= 0xc0) {
		size_t at = (size_t)(reply[off] & 0x3f) << 8 | reply[off + 1];
		if (at >= DNS_HDR_SIZE && at < DNS_HDR_SIZE + qlen) {
			*h = dns_rrl_name_hash(*h, reply + at, DNS_HDR_SIZE + qlen - at,
				       reply + len);
			return 0;
		}
	}
	dns_cur_init(&c, reply, len);
	c.pos = off;
	for (unsigned i = 0; i <= ancount; i++)
		if (dns_rr_read(&c, &rr) < 0)
			return -1;
	if (rr.type != DNS_T_SOA)
		return -1;
	*h = dns_rrl_name_hash(*h, rr.name, rr.nlen, rr.name + rr.nlen);
	return 0;
}

/* One more in a counter that only this worker writes and others read. */
static void
bump(uint64_t *c)
{
	__atomic_store_n(c, *c + 1, __ATOMIC_RELAXED);
}

enum dns_rrl_verdict
dns_rrl_limited(struct dns_rrl *r, struct dns_rrl_stats *st)
{
	bump(&st->limited);
	if (r->cfg.slip && ++st->slip_count >= r->cfg.slip) {
		st->slip_count = 0;
		bump(&st->slipped);
		return DNS_RRL_SLIP;
	}
	bump(&st->dropped);
	return DNS_RRL_DROP;
}

size_t
dns_rrl_act(struct dns_rrl_stats *st, enum dns_rrl_verdict v,
	    uint8_t *reply, size_t len, int index, int64_t now_ms)
{
	if (st->logged_ms == 0 || now_ms - st->logged_ms >= 60000) {
		st->logged_ms = now_ms;
		log_warn("dns: rate limiting UDP responses: %llu limited "
			 "(%llu truncated, %llu dropped) by worker %d so far",
			 (unsigned long long)st->limited,
			 (unsigned long long)st->slipped,
			 (unsigned long long)st->dropped, index);
	}
	return v == DNS_RRL_SLIP ? dns_rrl_truncate(reply, len) : 0;
}

int
dns_rrl_exempt(const struct dns_rrl *r, const struct sockaddr *from)
{
	return net_prefix_any(r->cfg.exempt, r->cfg.nexempt, from);
}

size_t
dns_rrl_truncate(uint8_t *reply, size_t len)
{
	size_t end = DNS_HDR_SIZE;

	if (len < DNS_HDR_SIZE)
		return len;
	if (reply[4] == 0 && reply[5] == 1) {
		size_t n = dns_rrl_name_len(reply + DNS_HDR_SIZE, reply + len);
		if (n && DNS_HDR_SIZE + n + 4 <= len)
			end = DNS_HDR_SIZE + n + 4;
	}
	if (end == DNS_HDR_SIZE)
		reply[4] = reply[5] = 0;
	reply[2] |= DNS_F_TC >> 8;
	memset(reply + 6, 0, 6);
	return end;
}
