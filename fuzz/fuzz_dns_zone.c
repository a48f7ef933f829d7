/* Fuzz target: the zone-file parser (tokens, directives, every rdata
 * type), and the presentation formatter on every record it yields. */
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "dns/dns_rr.h"
#include "dns/dns_zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct buf text;

static int
format_rr(void *arg, const struct dns_zone_rr *rr, const char **why)
{
	char name[DNS_NAME_TEXT_MAX];

	(void)arg;
	(void)why;
	dns_name_format(rr->owner, name, sizeof name);
	buf_reset(&text);
	return dns_rdata_format(rr->type, rr->rdata, rr->rdlen, &text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_zone_opts o = { (const uint8_t *)"\7example\4test",
				   format_rr, NULL, NULL };
	char err[512];

	buf_init(&text, 1 << 20);
	dns_zone_parse("fuzz", (const char *)data, size, &o, err, sizeof err);
	buf_fini(&text);
	return 0;
}
