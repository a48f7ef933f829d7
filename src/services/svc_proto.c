/* svc_proto: the pure parts of daytime (RFC 867) and time (RFC 868). */
#include <string.h>

#include "core/err.h"
#include "svc.h"

static const char *const svc_names[] = {
	[SVC_ECHO] = "echo", [SVC_DAYTIME] = "daytime", [SVC_TIME] = "time",
};

const char *
svc_kind_name(enum svc_kind kind)
{
	return svc_names[kind];
}

int
svc_kind_parse(const char *name, enum svc_kind *out)
{
	for (size_t i = 0; i < sizeof svc_names / sizeof svc_names[0]; i++) {
		if (strcmp(name, svc_names[i]) == 0) {
			*out = (enum svc_kind)i;
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

void
svc_daytime_format(time_t t, char *out)
{
	char text[32];
	struct tm tm;

	/* RFC 867 leaves the format open; this is the one inetd and most
	 * daytime servers send, so clients that parse it keep working. */
	localtime_r(&t, &tm);
	strftime(text, sizeof text, "%a %b %e %H:%M:%S %Y", &tm);
	memcpy(out, text, 24);
	memcpy(out + 24, "\r\n", 3);
}

void
svc_time_format(time_t t, uint8_t out[4])
{
	uint32_t v = (uint32_t)((uint64_t)t + SVC_TIME_EPOCH_OFFSET);

	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

time_t
svc_time_parse(const uint8_t in[4], time_t now)
{
	uint32_t v = (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 |
		     (uint32_t)in[2] << 8 | in[3];
	/* The 32-bit count wraps every 2^32 s (in 2036 first): take the
	 * value of the era that lands closest to our own clock. */
	int64_t here = (int64_t)now + SVC_TIME_EPOCH_OFFSET;
	int64_t era = here - (int64_t)(uint32_t)here;
	int64_t t = era + v;
	if (t - here > 2147483647LL)
		t -= 4294967296LL;
	else if (here - t > 2147483647LL)
		t += 4294967296LL;
	return (time_t)(t - SVC_TIME_EPOCH_OFFSET);
}
