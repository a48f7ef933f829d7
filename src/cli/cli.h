/* cli: the command layer. Each subcommand lives in its own file and turns
 * argv into a config struct for an engine. Only this layer prints to the
 * user and chooses exit codes: 0 success, 1 operation failed, 2 usage. */
#ifndef INETKIT_CLI_H
#define INETKIT_CLI_H

#include <stdio.h>

#include "net/net_addr.h"

struct loop;

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Subcommands: argv[0] is the subcommand's own name. */
int cmd_serve(int argc, char **argv);
int cmd_up(int argc, char **argv);
int cmd_ipcalc(int argc, char **argv);
int cmd_echo(int argc, char **argv);
int cmd_daytime(int argc, char **argv);
int cmd_time(int argc, char **argv);

int cmd_lookup(int argc, char **argv);
int cmd_crawl(int argc, char **argv);
int cmd_get(int argc, char **argv);

/* `inetkit serve SERVICE`: argv[0] is the service name. */
int cmd_serve_svc(int argc, char **argv);
int cmd_serve_dns(int argc, char **argv);

/* Prints "inetkit: MSG" and the usage text to stderr; returns 2. MSG
 * starts with the subcommand ("ipcalc: bad address"). */
int cli_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* True when argv holds -h or --help; prints usage to stdout then. */
int cli_wants_help(int argc, char **argv, const char *usage);
/* Parses a decimal integer in [min, max]. Returns 0 or -1. */
int cli_parse_int(const char *s, long min, long max, long *out);

/* Seconds with an optional fraction ("2", "0.5") into milliseconds in
 * [1, 3600000]. Returns 0 or -1. */
int cli_parse_seconds(const char *s, int *ms);

/* The resolver options of the client commands (cli_resolve.c). init sets
 * the defaults; option handles --dns ADDR:PORT (repeatable), --resolve
 * NAME:ADDR (repeatable) and --dns-timeout SECONDS: it returns 1 when it
 * took opt and val, 0 when opt is not one of them, or the usage status
 * (2) after printing the error. finish fills what was not given from
 * resolv.conf and sets the hosts file ($INETKIT_RESOLV_CONF and
 * $INETKIT_HOSTS override /etc/resolv.conf and /etc/hosts); returns 0 or
 * -errno. */
#include "dns/dns_resolve.h"
void cli_resolver_init(struct dns_resolver_config *c);
int cli_resolver_option(struct dns_resolver_config *c, const char *opt,
			const char *val, const char *usage, const char *cmd);
int cli_resolver_finish(struct dns_resolver_config *c);

/* Listeners of one service, bound once per worker with SO_REUSEPORT. */
#define CLI_MAX_LISTEN 16
struct cli_listen {
	struct net_addr addrs[CLI_MAX_LISTEN];
	int n;
};
/* Adds "ADDR:PORT" from --listen. Returns 0 or -1 (bad address, too many). */
int cli_listen_add(struct cli_listen *ls, const char *spec);
/* Binds every address of ls for every worker: fds[w * ls->n + i] is
 * worker w's socket for address i, of the given type (SOCK_STREAM or
 * SOCK_DGRAM). Port 0 is resolved once, then reused by all workers, and
 * ls->addrs is updated with the bound port. prepare (may be NULL) sets an
 * engine's options on each socket. Then prints one "listening SERVICE
 * PROTO ADDR:PORT" line per address, flushed. Returns 0, or -errno after
 * closing what it opened (the message is printed). */
int cli_listen_bind(struct cli_listen *ls, const char *service, int type,
		    int nworkers, int *fds, void (*prepare)(int fd));
/* Binds TCP and UDP sockets on the same ports (DNS: a client that retries
 * over TCP must find the same server). Where port 0 was asked, a port free
 * for both is found, trying again when the UDP twin of the kernel's TCP
 * choice is taken. Prints the `listening` lines only when both are bound.
 * Returns 0 or -errno (printed). */
#define CLI_PAIR_ATTEMPTS 16
int cli_listen_bind_pair(struct cli_listen *ls, const char *service,
			 int nworkers, int *tcp_fds, int *udp_fds);

/* An engine to run on every worker: start(loop, index, arg) sets up that
 * worker's part, end(loop, index, arg) tears it down after the loop ends. */
struct cli_engine {
	int (*start)(struct loop *l, int index, void *arg);
	void (*end)(struct loop *l, int index, void *arg);
	void (*hup)(void *arg);	/* on SIGHUP, in the main thread; may be NULL */
	void *arg;
};
/* Runs the engines on nworkers threads until SIGTERM/SIGINT, after raising
 * the descriptor limit. Returns an exit status. */
int cli_run_engines(const struct cli_engine *engines, int n, int nworkers);


/* The classic services as an engine (cmd_svc.c): defaults, then set
 * listen/tcp/udp/cfg, then setup binds and fills an engine for
 * cli_run_engines. fini frees what setup allocated. */
#include "services/svc.h"
struct cli_svc {
	struct svc_config cfg;
	struct cli_listen listen;
	int tcp, udp;		/* which transports to serve */
	int nworkers;
	int *tcp_fds, *udp_fds;
	struct svc_worker **workers;
};
void cli_svc_defaults(struct cli_svc *e, enum svc_kind kind);
int cli_svc_setup(struct cli_svc *e, int nworkers, struct cli_engine *out);
void cli_svc_fini(struct cli_svc *e);

/* The name server as an engine (cmd_dns.c): defaults, then fill zones,
 * hosts, listen and cfg; setup loads the zones (printing file:line errors:
 * returns -2) and binds TCP and UDP on the same ports (-1 on failure). */
#include "dns/dns_rrl.h"
#include "dns/dns_server.h"
#define CLI_MAX_ZONES 64
struct cli_dns {
	const char *zones[CLI_MAX_ZONES];
	int nzones;
	const char *hosts;	/* an /etc/hosts file, or NULL */
	struct cli_listen listen;
	struct dns_server_config cfg;
	struct dns_served served;
	struct dns_rrl_config rrl_cfg;	/* rate 0: off */
	struct dns_rrl rrl;
	int nworkers;
	int *tcp_fds, *udp_fds;
	struct dns_worker **workers;
};
void cli_dns_defaults(struct cli_dns *e);
int cli_dns_setup(struct cli_dns *e, int nworkers, struct cli_engine *out);
void cli_dns_fini(struct cli_dns *e);

/* The web server as an engine (cmd_http.c), the same way: defaults, then
 * add roots to site (http_site_add) and set listen/cfg/log_path, then
 * setup (opens the access log, binds, fills the engine), then fini. */
#include "http/http_limit.h"
#include "http/http_server.h"
struct cli_http {
	struct http_site site;
	struct http_server_config cfg;
	struct http_limits limits;	/* used when any is set */
	struct cli_listen listen;
	const char *log_path;	/* NULL: none; "-": stdout */
	int log_fd;
	int nworkers;
	int *fds;
	struct http_worker **workers;
};
void cli_http_defaults(struct cli_http *e);
int cli_http_setup(struct cli_http *e, int nworkers, struct cli_engine *out);
void cli_http_fini(struct cli_http *e);
/* `inetkit serve http`. */
int cmd_serve_http(int argc, char **argv);

#endif
