/* svc_limit: token buckets per source address, in a direct-mapped table
 * (see svc_limit.h). */
#include <netinet/in.h>
#include <string.h>

#include "svc_limit.h"

static int
source_key(const struct sockaddr *sa, uint8_t key[16])
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		memset(key, 0, 10);
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &in->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(key, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return 0;
	}
	return -1;
}

/* FNV-1a over the address: the table's index. */
static uint32_t
slot_of(const uint8_t key[16])
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;
	return h % SVC_LIMIT_SLOTS;
}

int
svc_limit_allow(struct svc_limit *t, const struct sockaddr *from,
		int64_t now_ms)
{
	uint8_t key[16];

	if (source_key(from, key) < 0)
		return 1;
	struct svc_limit_slot *s = &t->slots[slot_of(key)];
	if (!s->used || memcmp(s->addr, key, 16) != 0) {
		memcpy(s->addr, key, 16);
		s->used = 1;
		s->last_ms = now_ms;
		s->tokens = SVC_LIMIT_BURST * 1000;
	}
	int64_t dt = now_ms - s->last_ms;
	if (dt > 0) {
		/* SVC_LIMIT_RATE replies a second: RATE thousandths a ms */
		int64_t tokens = s->tokens + dt * SVC_LIMIT_RATE;
		s->tokens = tokens > SVC_LIMIT_BURST * 1000 ?
			SVC_LIMIT_BURST * 1000 : (int32_t)tokens;
		s->last_ms = now_ms;
	}
	if (s->tokens < 1000)
		return 0;
	s->tokens -= 1000;
	return 1;
}
