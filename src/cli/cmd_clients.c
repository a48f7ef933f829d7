/* cmd_clients: `inetkit echo|daytime|time ADDR:PORT`, the clients of the
 * classic services, over TCP or (--udp) UDP. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/err.h"
#include "services/svc.h"

#define CLIENT_MAX_ADDRS 8
#define CLIENT_MAX_MESSAGE 65507	/* the largest UDP payload over IPv4 */

static const char echo_usage[] =
	"usage: inetkit echo HOST:PORT [MESSAGE...] [--udp] [--timeout SECONDS]\n"
	"                    [--retries N] [--dns ADDR:PORT] [--resolve NAME:ADDR]\n"
	"  Sends MESSAGE (its words joined by spaces, plus a newline), or\n"
	"  standard input when no message is given, and prints what comes back.\n"
	"  Over UDP each input line is one datagram.\n";
static const char daytime_usage[] =
	"usage: inetkit daytime HOST:PORT [--udp] [--timeout SECONDS] [--retries N]\n"
	"                       [--dns ADDR:PORT] [--resolve NAME:ADDR]\n"
	"  Prints the server's daytime text (RFC 867).\n";
static const char time_usage[] =
	"usage: inetkit time HOST:PORT [--udp] [--timeout SECONDS] [--retries N]\n"
	"                    [--dns ADDR:PORT] [--resolve NAME:ADDR]\n"
	"  Prints the server's time (RFC 868) in ISO 8601 UTC and its offset\n"
	"  from the local clock.\n";

struct client_args {
	struct svc_client c;
	struct resolv_config dns;
	const char *target;
	char *words[64];
	int nwords;
};

/* Options anywhere; the first positional is the target, the rest words. */
static int
client_parse(int argc, char **argv, const char *usage, int allow_words,
	     struct client_args *a)
{
	long v;

	*a = (struct client_args){ .c = { .timeout_ms = 5000, .retries = 2 } };
	cli_resolver_init(&a->dns);
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		int took = cli_resolver_option(&a->dns, s, next, usage, argv[0]);
		if (took == 1) {
			i++;
		} else if (took != 0) {
			return took;
		} else if (strcmp(s, "--udp") == 0) {
			a->c.udp = 1;
		} else if (strcmp(s, "--timeout") == 0 && next) {
			if (cli_parse_int(next, 1, 3600, &v) < 0)
				return cli_usage_error(usage, "bad --timeout '%s'", next);
			a->c.timeout_ms = (int)v * 1000;
			i++;
		} else if (strcmp(s, "--retries") == 0 && next) {
			if (cli_parse_int(next, 0, 100, &v) < 0)
				return cli_usage_error(usage, "bad --retries '%s'", next);
			a->c.retries = (int)v;
			i++;
		} else if (s[0] == '-' && s[1] == '-') {
			return cli_usage_error(usage, "%s: unknown option '%s'",
					       argv[0], s);
		} else if (a->target == NULL) {
			a->target = s;
		} else if (allow_words && a->nwords < 64) {
			a->words[a->nwords++] = argv[i];
		} else {
			return cli_usage_error(usage, "%s: unexpected '%s'",
					       argv[0], s);
		}
	}
	if (a->target == NULL)
		return cli_usage_error(usage, "%s: which HOST:PORT?", argv[0]);
	return 0;
}

/* Resolves and connects. Returns the descriptor, or prints and returns -1
 * (status 2 for a malformed target, else 1, in *status). */
static int
client_open(const struct client_args *a, const char *cmd, const char *usage,
	    int *status)
{
	struct net_addr addrs[CLIENT_MAX_ADDRS];
	struct resolv_config dns = a->dns;
	char host[256];
	uint16_t port;
	int n = net_hostport_split(a->target, host, sizeof host, &port);

	if (n < 0) {
		*status = cli_usage_error(usage, "%s: bad HOST:PORT '%s'", cmd,
					  a->target);
		return -1;
	}
	n = cli_resolver_finish(&dns);
	if (n == 0)
		n = resolv_lookup_blocking(&dns, host, addrs, CLIENT_MAX_ADDRS);
	if (n < 0) {
		fprintf(stderr, "inetkit %s: cannot resolve '%s': %s\n", cmd,
			host, resolv_strerror(n));
		*status = EXIT_FAIL;
		return -1;
	}
	for (int i = 0; i < n; i++)
		net_addr_set_port(&addrs[i], port);
	int fd = svc_client_connect(&a->c, addrs, n);
	if (fd < 0) {
		fprintf(stderr, "inetkit %s: %s: %s\n", cmd, a->target, err_str(fd));
		*status = EXIT_FAIL;
		return -1;
	}
	return fd;
}

static int
client_fail(const char *cmd, const char *target, int rc)
{
	fprintf(stderr, "inetkit %s: %s: %s\n", cmd, target, err_str(rc));
	return EXIT_FAIL;
}

static size_t
join_words(const struct client_args *a, char *out, size_t size)
{
	size_t n = 0;

	for (int i = 0; i < a->nwords; i++) {
		int w = snprintf(out + n, size - n, "%s%s", i ? " " : "",
				 a->words[i]);
		if (w < 0 || (size_t)w >= size - n)
			return size;
		n += (size_t)w;
	}
	if (n + 1 >= size)
		return size;
	out[n++] = '\n';
	return n;
}

/* Over UDP: every line of standard input is a datagram; print replies. */
static int
echo_udp_lines(const struct client_args *a, int fd, char *msg)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int status = EXIT_OK;

	while ((len = getline(&line, &cap, stdin)) > 0 && status == EXIT_OK) {
		if ((size_t)len > CLIENT_MAX_MESSAGE) {
			fprintf(stderr, "inetkit echo: line over %d bytes\n",
				CLIENT_MAX_MESSAGE);
			status = EXIT_FAIL;
			break;
		}
		ssize_t n = svc_client_udp_ask(&a->c, fd, line, (size_t)len,
					       msg, CLIENT_MAX_MESSAGE);
		if (n < 0)
			status = client_fail("echo", a->target, (int)n);
		else
			fwrite(msg, 1, (size_t)n, stdout);
	}
	free(line);
	return status;
}

int
cmd_echo(int argc, char **argv)
{
	struct client_args a;
	int status = EXIT_OK;
	static char msg[CLIENT_MAX_MESSAGE + 1];

	if (cli_wants_help(argc, argv, echo_usage))
		return EXIT_OK;
	int rc = client_parse(argc, argv, echo_usage, 1, &a);
	if (rc != 0)
		return rc;
	size_t len = a.nwords ? join_words(&a, msg, sizeof msg) : 0;
	if (len > CLIENT_MAX_MESSAGE)
		return cli_usage_error(echo_usage, "echo: message over %d bytes",
				       CLIENT_MAX_MESSAGE);
	int fd = client_open(&a, "echo", echo_usage, &status);
	if (fd < 0)
		return status;
	if (a.c.udp && a.nwords == 0) {
		status = echo_udp_lines(&a, fd, msg);
	} else if (a.c.udp) {
		ssize_t n = svc_client_udp_ask(&a.c, fd, msg, len, msg, sizeof msg);
		if (n < 0)
			status = client_fail("echo", a.target, (int)n);
		else
			fwrite(msg, 1, (size_t)n, stdout);
	} else {
		if (a.nwords && send(fd, msg, len, MSG_NOSIGNAL) < 0)
			status = client_fail("echo", a.target, -errno);
		if (a.nwords)
			shutdown(fd, SHUT_WR);
		ssize_t n = svc_client_stream(&a.c, fd, a.nwords ? -1 : 0, 1);
		if (status == EXIT_OK && n < 0)
			status = client_fail("echo", a.target, (int)n);
	}
	close(fd);
	fflush(stdout);
	return status;
}

/* One reply: over TCP all the server sends before it closes, over UDP the
 * answer to a request as large as the largest reply (servers that refuse
 * to amplify ignore smaller ones). */
static ssize_t
ask_once(const struct client_args *a, int fd, size_t reqlen, uint8_t *out,
	 size_t size)
{
	static const uint8_t zeros[64];

	if (a->c.udp)
		return svc_client_udp_ask(&a->c, fd, zeros, reqlen, out, size);
	return svc_client_read_all(&a->c, fd, out, size);
}

int
cmd_daytime(int argc, char **argv)
{
	struct client_args a;
	uint8_t text[1024];
	int status = EXIT_OK;

	if (cli_wants_help(argc, argv, daytime_usage))
		return EXIT_OK;
	int rc = client_parse(argc, argv, daytime_usage, 0, &a);
	if (rc != 0)
		return rc;
	int fd = client_open(&a, "daytime", daytime_usage, &status);
	if (fd < 0)
		return status;
	ssize_t n = ask_once(&a, fd, 64, text, sizeof text - 1);
	close(fd);
	if (n < 0)
		return client_fail("daytime", a.target, (int)n);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		n--;
	printf("%.*s\n", (int)n, (const char *)text);
	return EXIT_OK;
}

int
cmd_time(int argc, char **argv)
{
	struct client_args a;
	uint8_t bin[8];
	int status = EXIT_OK;

	if (cli_wants_help(argc, argv, time_usage))
		return EXIT_OK;
	int rc = client_parse(argc, argv, time_usage, 0, &a);
	if (rc != 0)
		return rc;
	int fd = client_open(&a, "time", time_usage, &status);
	if (fd < 0)
		return status;
	ssize_t n = ask_once(&a, fd, 4, bin, sizeof bin);
	close(fd);
	if (n < 0)
		return client_fail("time", a.target, (int)n);
	if (n != 4) {
		fprintf(stderr, "inetkit time: %s: reply of %zd bytes, not 4\n",
			a.target, n);
		return EXIT_FAIL;
	}
	time_t now = time(NULL), t = svc_time_parse(bin, now);
	struct tm tm;
	char iso[32];
	gmtime_r(&t, &tm);
	strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%s\noffset from the local clock: %+lld s\n", iso,
	       (long long)(t - now));
	return EXIT_OK;
}
