/* cli_util: usage errors, --help, numbers, and the listeners every server
 * binds (one SO_REUSEPORT socket per worker and address). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "cli_activate.h"
#include "core/err.h"
#include "net/net_sock.h"

static int (*error_hook)(void *arg, const char *msg);
static void *error_hook_arg;

void
cli_set_error_hook(int (*fn)(void *arg, const char *msg), void *arg)
{
	error_hook = fn;
	error_hook_arg = arg;
}

/* The message, then usage (NULL: none), or the hook's report instead. */
static int
report(const char *usage, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (error_hook)
		return error_hook(error_hook_arg, msg);
	fprintf(stderr, "inetkit: %s\n", msg);
	if (usage)
		fputs(usage, stderr);
	return EXIT_USAGE;
}

int
cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int rc = report(usage, fmt, ap);
	va_end(ap);
	return rc;
}

int
cli_value_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int rc = report(NULL, fmt, ap);
	va_end(ap);
	return rc;
}

int
cli_wants_help(int argc, char **argv, const char *usage)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return 1;
		}
	}
	return 0;
}

int
cli_parse_int(const char *s, long min, long max, long *out)
{
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
cli_listen_add(struct cli_listen *ls, const char *spec)
{
	if (ls->n == CLI_MAX_LISTEN)
		return -1;
	if (net_addr_parse(spec, &ls->addrs[ls->n]) < 0)
		return -1;
	ls->n++;
	return 0;
}

static void
close_all(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Binds address i for every worker; the first socket fixes the port that
 * the others (and the listening line) use when port 0 was asked for. */
static int
bind_one(struct cli_listen *ls, int i, int type, int nworkers, int *fds,
	 void (*prepare)(int fd))
{
	struct net_addr *a = &ls->addrs[i];

	for (int w = 0; w < nworkers; w++) {
		int fd = net_listen(a, type, 1);
		if (fd < 0)
			return fd;
		fds[w * ls->n + i] = fd;
		if (prepare)
			prepare(fd);
		if (w == 0 && net_addr_port(a) == 0) {
			struct net_addr bound;
			int rc = net_local_addr(fd, &bound);
			if (rc < 0)
				return rc;
			net_addr_set_port(a, net_addr_port(&bound));
		}
	}
	return 0;
}

/* Binds every address of ls for every worker without a word; on failure
 * closes what it opened and names the address in *failed. */
static int
bind_all(struct cli_listen *ls, int type, int nworkers, int *fds,
	 void (*prepare)(int fd), int *failed)
{
	int total = ls->n * nworkers;

	for (int i = 0; i < total; i++)
		fds[i] = -1;
	for (int i = 0; i < ls->n; i++) {
		int rc = bind_one(ls, i, type, nworkers, fds, prepare);
		if (rc < 0) {
			close_all(fds, total);
			*failed = i;
			return rc;
		}
	}
	return 0;
}

static void
print_bind_error(const struct cli_listen *ls, int i, const char *service,
		 int rc)
{
	char text[NET_ADDR_STRLEN];

	net_addr_format(&ls->addrs[i], 1, text, sizeof text);
	fprintf(stderr, "inetkit: %s: cannot listen on %s: %s\n", service, text,
		err_str(rc));
}

void
cli_listen_print(const struct cli_listen *ls, const char *service, int type)
{
	for (int i = 0; i < ls->n; i++) {
		char text[NET_ADDR_STRLEN];
		net_addr_format(&ls->addrs[i], 1, text, sizeof text);
		printf("listening %s %s %s\n", service,
		       type == SOCK_DGRAM ? "udp" : "tcp", text);
	}
	fflush(stdout);
}

int
cli_listen_bind(struct cli_listen *ls, const char *service, int type,
		int nworkers, int *fds, void (*prepare)(int fd))
{
	int failed;
	int rc = cli_activate_bind(ls, service, type, nworkers, fds, prepare);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = bind_all(ls, type, nworkers, fds, prepare, &failed);

	if (rc < 0) {
		print_bind_error(ls, failed, service, rc);
		return rc;
	}
	cli_listen_print(ls, service, type);
	return 0;
}

static int
has_port_zero(const struct cli_listen *ls)
{
	for (int i = 0; i < ls->n; i++)
		if (net_addr_port(&ls->addrs[i]) == 0)
			return 1;
	return 0;
}

int
cli_listen_bind_pair(struct cli_listen *ls, const char *service,
		     int nworkers, int *tcp_fds, int *udp_fds)
{
	const struct cli_listen want = *ls;
	int failed, rc;

	rc = cli_activate_bind_pair(ls, service, nworkers, tcp_fds, udp_fds);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	for (int attempt = 0; attempt < CLI_PAIR_ATTEMPTS; attempt++) {
		*ls = want;
		rc = bind_all(ls, SOCK_STREAM, nworkers, tcp_fds, NULL, &failed);
		if (rc < 0)
			break;
		struct cli_listen udp = *ls;
		rc = bind_all(&udp, SOCK_DGRAM, nworkers, udp_fds, NULL, &failed);
		if (rc == 0) {
			cli_listen_print(ls, service, SOCK_STREAM);
			cli_listen_print(&udp, service, SOCK_DGRAM);
			return 0;
		}
		close_all(tcp_fds, ls->n * nworkers);
		/* The kernel picked a TCP port whose UDP twin another socket
		 * holds: ask for another one. A port given by the user is
		 * not ours to change. */
		if (rc != -EADDRINUSE || !has_port_zero(&want))
			break;
	}
	print_bind_error(ls, failed, service, rc);
	return rc;
}

int
cli_word_in(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strstr(list, word); p; p = strstr(p + 1, word))
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}
