/* Fuzz target: the zone-file parser (tokens, directives, every rdata
 * type), and the presentation formatter on every record it yields. The
 * text is parsed twice, whole and as a file read in small pieces: the
 * records and the message must be the same (abort otherwise). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "dns/dns_rr.h"
#include "dns/dns_zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every record formatted, one after the other. */
static struct buf text;

static int
format_rr(void *arg, const struct dns_zone_rr *rr, const char **why)
{
	char name[DNS_NAME_TEXT_MAX];
	int n = dns_name_format(rr->owner, name, sizeof name);

	(void)arg;
	(void)why;
	if (n > 0 && buf_append(&text, name, (size_t)n) < 0)
		buf_reset(&text);
	if (dns_rdata_format(rr->type, rr->rdata, rr->rdlen, &text) < 0)
		buf_reset(&text);
	return 0;
}

/* The input as a file: pieces of `piece` bytes. */
static const uint8_t *in;
static size_t in_len, in_off, piece;

static int
no_file(const char *path, void **src)
{
	(void)path;
	(void)src;
	return -ENOENT;
}

static ssize_t
read_piece(void *src, char *buf, size_t n)
{
	(void)src;
	n = n < piece ? n : piece;
	n = n < in_len - in_off ? n : in_len - in_off;
	memcpy(buf, in + in_off, n);
	in_off += n;
	return (ssize_t)n;
}

static void
no_close(void *src)
{
	(void)src;
}

static const struct dns_zone_io io = { no_file, read_piece, no_close };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_zone_opts o = { (const uint8_t *)"\7example\4test",
				   format_rr, NULL, &io };
	char err[512], err2[512];
	int rc, rc2;
	size_t len;
	uint8_t *whole;

	buf_init(&text, 1 << 22);
	err[0] = err2[0] = 0;
	rc = dns_zone_parse("fuzz", (const char *)data, size, &o, err,
			    sizeof err);
	len = text.len;
	whole = malloc(len + 1);
	if (len)
		memcpy(whole, buf_data(&text), len);
	buf_reset(&text);
	in = data;
	in_len = size;
	in_off = 0;
	piece = size % 61 + 1;
	rc2 = dns_zone_parse_src("fuzz", NULL, &o, err2, sizeof err2);
	if (rc != rc2 || strcmp(err, err2) != 0 || len != text.len ||
	    (len && memcmp(whole, buf_data(&text), len) != 0))
		abort();
	free(whole);
	buf_fini(&text);
	return 0;
}
