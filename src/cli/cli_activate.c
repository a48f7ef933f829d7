/* cli_activate: inherited sockets (socket activation) matched to the
 * listeners of the servers of this process.
 *
 * Why every worker shares one socket rather than binding SO_REUSEPORT
 * siblings of it: the manager may bind what we could not (a port below
 * 1024 without the capability, an address that is not up yet), it keeps
 * the socket's queue across our restarts (connections waiting there must
 * be answered by us, not by a sibling that did not exist when they
 * came), and sockets of its own would not be handed back on the next
 * start. A shared listener wakes every worker's loop on a connection;
 * one wins accept(), the others get EAGAIN. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli_activate.h"
#include "core/err.h"
#include "net/net_activate.h"

static struct {
	int loaded;
	int rc;		/* of the take: 0 or ERR_PARSE */
	int n;
	struct net_inherited in[NET_ACTIVATE_MAX];
	const char *service[NET_ACTIVATE_MAX];	/* named after; or NULL */
	int used[NET_ACTIVATE_MAX];
} act;

/* The names a socket unit's FileDescriptorName= may give, and the
 * service (as in the `listening` lines) each stands for. */
static const char *const names[][2] = {
	{ "http", "http" }, { "https", "https" }, { "tls", "https" },
	{ "dns", "dns" }, { "echo", "echo" }, { "daytime", "daytime" },
	{ "time", "time" },
};

static const char *
service_of(const char *name)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i][0]) == 0)
			return names[i][1];
	return NULL;
}

static int
load(void)
{
	char err[256];

	if (act.loaded)
		return act.rc;
	act.loaded = 1;
	int n = net_activate_take(act.in, NET_ACTIVATE_MAX, err, sizeof err);
	if (n < 0) {
		fprintf(stderr, "inetkit: socket activation: %s\n", err);
		act.rc = ERR_PARSE;
		return act.rc;
	}
	act.n = n;
	for (int i = 0; i < n; i++)
		act.service[i] = service_of(act.in[i].name);
	return 0;
}

static int
is_wildcard(const struct net_addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr ==
			htonl(INADDR_ANY);
	return a->ss.ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(
		&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
}

static int
same_place(const struct net_addr *a, const struct net_addr *b)
{
	if (net_addr_equal(a, b))
		return 1;
	return is_wildcard(a) && is_wildcard(b) &&
		net_addr_port(a) == net_addr_port(b);
}

/* Whether free socket i is the service's (see cli_activate.h). */
static int
is_for(int i, const char *service, int type, const struct cli_listen *ls)
{
	if (act.used[i] || act.in[i].type != type)
		return 0;
	if (act.service[i])
		return strcmp(act.service[i], service) == 0;
	for (int j = 0; j < ls->n; j++)
		if (same_place(&ls->addrs[j], &act.in[i].addr))
			return 1;
	return 0;
}

/* The service's free sockets of type into idx (at most CLI_MAX_LISTEN);
 * returns how many. */
static int
collect(const char *service, int type, const struct cli_listen *ls,
	int *idx)
{
	int k = 0;

	for (int i = 0; i < act.n && k < CLI_MAX_LISTEN; i++)
		if (is_for(i, service, type, ls))
			idx[k++] = i;
	return k;
}

/* Says which configured addresses the manager's sockets replace
 * without listening there: the operator may expect them. */
static void
note_unbound(const struct cli_listen *ls, const char *service,
	     const int *idx, int k)
{
	for (int j = 0; j < ls->n; j++) {
		int found = 0;
		for (int m = 0; m < k && !found; m++)
			found = same_place(&ls->addrs[j], &act.in[idx[m]].addr);
		char text[NET_ADDR_STRLEN];
		if (found || net_addr_format(&ls->addrs[j], 1, text,
					     sizeof text) < 0)
			continue;
		fprintf(stderr, "inetkit: %s: %s not bound: the sockets of "
			"the service manager (LISTEN_FDS) replace it\n",
			service, text);
	}
}

/* Worker w's descriptor of socket i: the socket itself for worker 0, a
 * duplicate (the same socket) for the others, so that each worker closes
 * its own at stop. */
static int
fd_for(int i, int w)
{
	if (w == 0)
		return act.in[i].fd;
	int fd = fcntl(act.in[i].fd, F_DUPFD_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

/* Fills ls with sockets idx[0..k) and fds for nworkers; marks them used. */
static int
give(struct cli_listen *ls, const int *idx, int k, int nworkers, int *fds,
     void (*prepare)(int fd))
{
	for (int m = 0; m < k; m++) {
		int i = idx[m];
		ls->addrs[m] = act.in[i].addr;
		if (prepare)
			prepare(act.in[i].fd);
		for (int w = 0; w < nworkers; w++) {
			int fd = fd_for(i, w);
			if (fd < 0)
				return fd;
			fds[w * k + m] = fd;
		}
		act.used[i] = 1;
	}
	ls->n = k;
	return 0;
}

int
cli_activate_bind(struct cli_listen *ls, const char *service, int type,
		  int nworkers, int *fds, void (*prepare)(int fd))
{
	int idx[CLI_MAX_LISTEN];
	int rc = load();

	if (rc < 0 || act.n == 0)
		return rc;
	int k = collect(service, type, ls, idx);
	if (k == 0)
		return 0;
	note_unbound(ls, service, idx, k);
	rc = give(ls, idx, k, nworkers, fds, prepare);
	if (rc < 0)
		return rc;
	cli_listen_print(ls, service, type);
	return 1;
}

static void
print_twinless(const char *service, int i)
{
	char text[NET_ADDR_STRLEN];

	if (net_addr_format(&act.in[i].addr, 1, text, sizeof text) < 0)
		strcpy(text, "?");
	fprintf(stderr, "inetkit: socket activation: %s: the %s socket %s "
		"has no %s twin on the same address (a name server answers "
		"on both, RFC 7766)\n", service,
		act.in[i].type == SOCK_STREAM ? "tcp" : "udp", text,
		act.in[i].type == SOCK_STREAM ? "udp" : "tcp");
}

/* Orders udp[] so that udp[m] has tcp[m]'s address. Returns 0, or
 * ERR_PARSE after naming a socket without its twin. */
static int
pair_up(const char *service, const int *tcp, int nt, int *udp, int nu)
{
	for (int m = 0; m < nt; m++) {
		int j = m;
		while (j < nu && !same_place(&act.in[tcp[m]].addr,
					     &act.in[udp[j]].addr))
			j++;
		if (j == nu) {
			print_twinless(service, tcp[m]);
			return ERR_PARSE;
		}
		int t = udp[m];
		udp[m] = udp[j];
		udp[j] = t;
	}
	if (nu > nt) {
		print_twinless(service, udp[nt]);
		return ERR_PARSE;
	}
	return 0;
}

int
cli_activate_bind_pair(struct cli_listen *ls, const char *service,
		       int nworkers, int *tcp_fds, int *udp_fds)
{
	int tcp[CLI_MAX_LISTEN], udp[CLI_MAX_LISTEN];
	int rc = load();

	if (rc < 0 || act.n == 0)
		return rc;
	int nt = collect(service, SOCK_STREAM, ls, tcp);
	int nu = collect(service, SOCK_DGRAM, ls, udp);
	if (nt == 0 && nu == 0)
		return 0;
	rc = pair_up(service, tcp, nt, udp, nu);
	if (rc < 0)
		return rc;
	note_unbound(ls, service, tcp, nt);
	struct cli_listen u = *ls;
	rc = give(ls, tcp, nt, nworkers, tcp_fds, NULL);
	if (rc == 0)
		rc = give(&u, udp, nu, nworkers, udp_fds, NULL);
	if (rc < 0)
		return rc;
	cli_listen_print(ls, service, SOCK_STREAM);
	cli_listen_print(&u, service, SOCK_DGRAM);
	return 1;
}

int
cli_activate_check(void)
{
	int rc = load() < 0 ? EXIT_USAGE : 0;

	for (int i = 0; i < act.n; i++) {
		char text[NET_ADDR_STRLEN];
		if (act.used[i])
			continue;
		if (net_addr_format(&act.in[i].addr, 1, text, sizeof text) < 0)
			strcpy(text, "?");
		fprintf(stderr, "inetkit: socket activation: descriptor %d "
			"(%s %s, name '%s') matches no listener here: name it "
			"after a service this process runs (http, https or "
			"tls, dns, echo, daytime, time) or listen on its "
			"address\n", act.in[i].fd,
			act.in[i].type == SOCK_STREAM ? "tcp" : "udp", text,
			act.in[i].name);
		rc = EXIT_USAGE;
	}
	return rc;
}
