/* cmd_get: `inetkit get URL`, an HTTP/1.1 client in the spirit of curl and
 * wget: the URL parsed and normalised (RFC 3986), the host resolved by the
 * stub resolver, each address tried in turn, redirects followed with -L
 * (RFC 9110 section 15.4), the body written to stdout or to a file that
 * appears only when complete. The engine is src/fetch. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_get.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/loop.h"
#include "url/url.h"

static const char get_usage[] =
	"usage: inetkit get URL [-o FILE] [-I] [-L] [-H 'Name: value']...\n"
	"                   [--dns ADDR:PORT]... [--resolve NAME:ADDR]...\n"
	"                   [--max-redirs N] [--max-size BYTES]\n"
	"                   [--connect-timeout S] [--timeout S] [--max-time S]\n"
	"                   [--dns-timeout S] [--cacert FILE] [-k]\n"
	"  Fetches URL (http or https) and writes the body to standard output,\n"
	"  or with -o to FILE (written to a temporary file beside it and\n"
	"  renamed when complete).\n"
	"  -I                the response head only (a HEAD request)\n"
	"  -L                follow redirects (at most --max-redirs, default 10)\n"
	"  -H 'Name: value'  add a request header field (repeatable)\n"
	"  --dns ADDR:PORT   name server to ask (repeatable; default: those of\n"
	"                    /etc/resolv.conf, after /etc/hosts)\n"
	"  --resolve NAME:ADDR  use ADDR for NAME (repeatable: tried in order)\n"
	"  A request that fails before any byte of its answer (refused, reset,\n"
	"  closed, silent past --timeout) is sent again to the next address.\n"
	"  --max-size BYTES  fail when the body grows past BYTES\n"
	"  --cacert FILE     trust the CA certificates of FILE (PEM) too,\n"
	"                    beside the system's (SSL_CERT_FILE, SSL_CERT_DIR)\n"
	"  -k, --insecure    do not verify the server's certificate (warns)\n"
	"  --connect-timeout S  the whole connect, TLS handshake included\n"
	"                    (default 10): Happy Eyeballs over the addresses,\n"
	"                    a new one every 250 ms; --timeout S: longest\n"
	"                    silence and the whole head (default 30);\n"
	"                    --max-time S: the whole transfer (default none)\n"
	"  A 429 or 503 with Retry-After up to 60 s is fetched again after\n"
	"  it (3 times at most), saying so on standard error.\n"
	"  A progress bar is drawn on standard error when it is a terminal\n"
	"  (and the body does not go to that terminal).\n"
	"  Exit status: 0 success, 1 failure (network, HTTP status >= 400),\n"
	"  2 usage.\n";

/* -H 'Name: value': a token, a colon, a value without CR, LF or NUL. */
static int
header_add(struct get_opts *o, const char *h)
{
	const char *colon = strchr(h, ':');
	size_t len = strlen(h), used = strlen(o->headers);

	if (colon == NULL || colon == h || strpbrk(h, "\r\n") != NULL)
		return -1;
	for (const char *p = h; p < colon; p++)
		if (*p <= ' ' || *p >= 127 || strchr("\"(),/;<=>?@[\\]{}", *p))
			return -1;
	if (used + len + 3 > sizeof o->headers)
		return -1;
	memcpy(o->headers + used, h, len);
	memcpy(o->headers + used + len, "\r\n", 3);
	return 0;
}

static int
get_parse_ms(const char *opt, const char *val, int *ms)
{
	if (val == NULL || cli_parse_seconds(val, ms) < 0)
		return cli_usage_error(get_usage, "get: bad %s '%s'", opt,
				       val ? val : "");
	return 0;
}

/* Options that take a value. Returns 1 when taken, 0 when not one of
 * them, or the usage status. */
static int
get_option_value(struct get_opts *o, const char *s, const char *next)
{
	long v;

	if (next == NULL)
		return 0;
	if (strcmp(s, "-o") == 0 || strcmp(s, "--output") == 0) {
		o->out = next;
	} else if (strcmp(s, "-H") == 0 || strcmp(s, "--header") == 0) {
		if (header_add(o, next) < 0)
			return cli_usage_error(get_usage, "get: bad header '%s'",
					       next);
	} else if (strcmp(s, "--max-redirs") == 0) {
		if (cli_parse_int(next, 0, 100, &v) < 0)
			return cli_usage_error(get_usage,
					       "get: bad --max-redirs '%s'", next);
		o->max_redirs = (int)v;
	} else if (strcmp(s, "--max-size") == 0) {
		if (cli_parse_int(next, 1, LONG_MAX, &v) < 0)
			return cli_usage_error(get_usage,
					       "get: bad --max-size '%s'", next);
		o->max_size = (uint64_t)v;
	} else if (strcmp(s, "--connect-timeout") == 0) {
		return get_parse_ms(s, next, &o->connect_ms) ? EXIT_USAGE : 1;
	} else if (strcmp(s, "--timeout") == 0) {
		return get_parse_ms(s, next, &o->read_ms) ? EXIT_USAGE : 1;
	} else if (strcmp(s, "--max-time") == 0) {
		return get_parse_ms(s, next, &o->max_ms) ? EXIT_USAGE : 1;
	} else {
		return 0;
	}
	return 1;
}

/* The URL must parse and be absolute, with a host; its scheme is checked
 * when it is fetched (neither http nor https fails there, with status
 * 1). */
static int
get_check_url(const char *s)
{
	char norm[URL_MAX_LEN + 1];
	struct url u;
	ssize_t n = url_normalize(s, strlen(s), norm, sizeof norm);

	if (n < 0 || url_parse(norm, (size_t)n, &u) < 0 ||
	    !(u.flags & URL_HAS_SCHEME) || !(u.flags & URL_HAS_AUTHORITY) ||
	    u.host.n == 0)
		return cli_usage_error(get_usage, "get: bad URL '%s' (want "
				       "http[s]://HOST[:PORT]/PATH)", s);
	return 0;
}

static int
get_parse(int argc, char **argv, struct get_opts *o)
{
	memset(o, 0, sizeof *o);
	o->max_redirs = GET_DEFAULT_REDIRS;
	cli_resolver_init(&o->dns);
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		int took = cli_resolver_option(&o->dns, s, next, get_usage, "get");
		if (took == 0)
			took = cli_tls_client_option(&o->tls, s, next);
		if (took == 2)
			continue;
		if (took == 0)
			took = get_option_value(o, s, next);
		if (took == 1) {
			i++;
			continue;
		}
		if (took != 0)
			return took;
		if (strcmp(s, "-I") == 0 || strcmp(s, "--head") == 0)
			o->head_only = 1;
		else if (strcmp(s, "-L") == 0 || strcmp(s, "--location") == 0)
			o->follow = 1;
		else if (s[0] == '-' && s[1] != '\0')
			return cli_usage_error(get_usage, "get: unknown option "
					       "'%s' (or a value is missing)", s);
		else if (o->url == NULL)
			o->url = s;
		else
			return cli_usage_error(get_usage, "get: unexpected '%s'",
					       s);
	}
	if (o->url == NULL)
		return cli_usage_error(get_usage, "get: which URL?");
	return get_check_url(o->url);
}

int
cmd_get(int argc, char **argv)
{
	struct get_opts o;

	if (cli_wants_help(argc, argv, get_usage))
		return EXIT_OK;
	int rc = get_parse(argc, argv, &o);
	if (rc != 0)
		return rc;
	rc = cli_tls_client_finish(&o.tls, "get");
	if (rc != 0)
		return rc;
	rc = cli_resolver_finish(&o.dns);
	if (rc < 0) {
		fprintf(stderr, "inetkit get: cannot read the resolver "
			"configuration: %s\n", err_str(rc));
		return EXIT_FAIL;
	}
	signal(SIGPIPE, SIG_IGN);
	return get_run(&o);
}
