/* cli_http_encode: --compress, --compress-level, --compress-min and
 * --compress-cache of `serve http`: compression on the fly
 * (http/http_encode.h), handed to every worker through the server's
 * config. */
#include <string.h>

#include "cli.h"
#include "core/err.h"

/* "16M", "512k", "4096": bytes (binary multiples), up to 1 GiB. */
static int
parse_size(const char *s, long *out)
{
	char num[24];
	size_t n = strlen(s);
	long scale = 1;

	if (n && strchr("kKmMgG", s[n - 1])) {
		char u = (char)(s[n - 1] | 0x20);
		scale = u == 'k' ? 1L << 10 : u == 'm' ? 1L << 20 : 1L << 30;
		n--;
	}
	if (n == 0 || n >= sizeof num)
		return ERR_PARSE;
	memcpy(num, s, n);
	num[n] = '\0';
	if (cli_parse_int(num, 0, (1L << 30) / scale, out) < 0)
		return ERR_PARSE;
	*out *= scale;
	return 0;
}

int
cli_http_encode_option(struct cli_http *e, const char *a, const char *v,
		       const char *usage)
{
	long n;

	if (strcmp(a, "--compress") == 0) {
		if (http_encode_codings_parse(v, &e->enc.codings) < 0)
			return cli_usage_error(usage, "bad --compress '%s' "
					       "(gzip,br,zstd or off)", v);
		return 1;
	}
	if (strcmp(a, "--compress-level") == 0) {
		if (cli_parse_int(v, 1, 9, &n) < 0)
			return cli_usage_error(usage, "bad --compress-level '%s' "
					       "(1 to 9)", v);
		e->enc.level = (int)n;
		return 1;
	}
	uint64_t *dst = strcmp(a, "--compress-min") == 0 ? &e->enc.min :
		strcmp(a, "--compress-cache") == 0 ? &e->enc.cache : NULL;
	if (dst == NULL)
		return 0;
	if (parse_size(v, &n) < 0)
		return cli_usage_error(usage, "bad %s '%s'", a, v);
	*dst = (uint64_t)n;
	return 1;
}

void
cli_http_encode_setup(struct cli_http *e, int nworkers)
{
	/* the cache's size is per process; each worker holds its share */
	e->enc.cache = (e->enc.cache + (uint64_t)nworkers - 1) /
		(uint64_t)nworkers;
	e->cfg.encode = e->enc.codings ? &e->enc : NULL;
}
