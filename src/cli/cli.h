/* cli: the command layer. Each subcommand lives in its own file and turns
 * argv into a config struct for an engine. Only this layer prints to the
 * user and chooses exit codes: 0 success, 1 operation failed, 2 usage. */
#ifndef INETKIT_CLI_H
#define INETKIT_CLI_H

#include <stdio.h>

#include "net/net_addr.h"

struct loop;
struct sandbox;

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
int cmd_check(int argc, char **argv);
int cmd_version(int argc, char **argv);
#define INETKIT_VERSION "0.1.0"
/* What `inetkit up` prints to try once every service listens; the https
 * lines too when tls_state (the folder of the local CA) is not NULL. */
void cli_up_tips(const char *tls_state);

/* `inetkit serve SERVICE`: argv[0] is the service name. */
int cmd_serve_svc(int argc, char **argv);
int cmd_serve_dns(int argc, char **argv);

/* Prints "inetkit: MSG" and the usage text to stderr; returns 2. MSG
 * starts with the subcommand ("ipcalc: bad address"). */
int cli_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A bad value rather than wrong arguments: "inetkit: MSG" alone, one
 * line; returns 2. */
int cli_value_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* While fn is set (NULL: unset), the two errors above call fn(arg, MSG)
 * instead of printing, and return what it returns: the config file
 * names the line of the key MSG is about. */
void cli_set_error_hook(int (*fn)(void *arg, const char *msg), void *arg);
/* True when argv holds -h or --help; prints usage to stdout then. */
int cli_wants_help(int argc, char **argv, const char *usage);
/* Parses a decimal integer in [min, max]. Returns 0 or -1. */
int cli_parse_int(const char *s, long min, long max, long *out);

/* Seconds with an optional fraction ("2", "0.5") into milliseconds in
 * [1, 3600000]. Returns 0 or -1. */
int cli_parse_seconds(const char *s, int *ms);

/* Whether word stands in list, a string of space-separated words (the
 * keys a reload kept or applied). */
int cli_word_in(const char *list, const char *word);

/* The resolver options of the client commands (cli_resolve.c). init sets
 * the defaults; option handles --dns ADDR:PORT (repeatable), --resolve
 * NAME:ADDR (repeatable) and --dns-timeout SECONDS: it returns 1 when it
 * took opt and val, 0 when opt is not one of them, or the usage status
 * (2) after printing the error. finish fills what was not given from
 * resolv.conf and sets the hosts file ($INETKIT_RESOLV_CONF and
 * $INETKIT_HOSTS override /etc/resolv.conf and /etc/hosts); returns 0 or
 * -errno. */
#include "resolv/resolv.h"
void cli_resolver_init(struct resolv_config *c);
int cli_resolver_option(struct resolv_config *c, const char *opt,
			const char *val, const char *usage, const char *cmd);
int cli_resolver_finish(struct resolv_config *c);

/* The https options of the client commands (cli_tls_client.c): option
 * takes --cacert FILE (returns 1: opt and val taken) and -k/--insecure
 * (returns 2: opt alone), else 0. finish checks the --cacert file and
 * warns about --insecure; returns 0, or 2 after printing why. */
#include "net/net_tls.h"
int cli_tls_client_option(struct net_tls_client_config *c, const char *opt,
			  const char *val);
int cli_tls_client_finish(const struct net_tls_client_config *c,
			  const char *cmd);

/* Listeners of one service, bound once per worker with SO_REUSEPORT, or
 * taken from the service manager (cli_activate.h): the socket arrays of
 * a server hold nworkers * CLI_MAX_LISTEN descriptors. */
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
/* Prints one "listening SERVICE PROTO ADDR:PORT" line per address of ls
 * (PROTO by type), flushed. */
void cli_listen_print(const struct cli_listen *ls, const char *service,
		      int type);

/* An engine to run on every worker: start(loop, index, arg) sets up that
 * worker's part, end(loop, index, arg) tears it down after the loop ends. */
struct cli_engine {
	int (*start)(struct loop *l, int index, void *arg);
	void (*end)(struct loop *l, int index, void *arg);
	void (*hup)(void *arg);	/* on SIGHUP, in the main thread; may be NULL */
	void *arg;
	/* Adds what the engine needs after start-up (the files it reads on
	 * SIGHUP...) to the sandbox; returns 0 or < 0. May be NULL. */
	int (*sandbox)(void *arg, struct sandbox *sb);
};
/* Runs the engines on nworkers threads until SIGTERM/SIGINT, after raising
 * the descriptor limit and cli_lockdown. Returns an exit status. */
int cli_run_engines(const struct cli_engine *engines, int n, int nworkers);

/* --user NAME[:GROUP], --no-sandbox and --sandbox-info, which every
 * server takes (cli_lockdown.c): cli_lockdown_args takes them out of argv
 * and returns the new argc, or minus an exit status after a usage error.
 * cli_lockdown, after the engines' setup and before their threads: drops
 * privileges and applies the sandbox (the engines' sandbox hooks say what
 * they need). Returns 0, an exit status, or -1 when --sandbox-info
 * printed and nothing is to be served. */
extern const char cli_lockdown_usage[];
int cli_lockdown_args(int argc, char **argv, const char *usage);
int cli_lockdown(const struct cli_engine *engines, int n);
/* For a sandbox hook: read access to the folder of file, and to the
 * folder of what it points to when it is a symlink (a certificate
 * renewed by swapping links, a zone with $INCLUDEs beside it). Returns
 * 0, -errno or ERR_TOOBIG. */
int cli_sandbox_allow_dir(struct sandbox *sb, const char *file);

/* A server adapter (cmd_dns.c, cmd_http.c, cmd_svc.c): what `inetkit serve
 * NAME` and `inetkit up` do with each, done here once. The adapter's
 * struct starts with a struct cli_server whose ops its defaults function
 * fills; then arguments or settings; then cli_server_setup; then the
 * engine runs; then cli_server_fini. */
struct cli_server;
struct cli_server_ops {
	const char *usage;		/* of `inetkit serve NAME` */
	/* The arguments after NAME: returns 0 or an exit status. */
	int (*parse)(struct cli_server *s, int argc, char **argv,
		     long *workers);
	/* Loads and binds for nworkers workers: fills s->tcp_fds and
	 * s->udp_fds (allocated) and sets s->ntcp and s->nudp. Returns 0,
	 * ERR_PARSE for a bad configuration (printed; exit 2) or -errno. */
	int (*setup)(struct cli_server *s, int nworkers);
	/* Frees what defaults, parse and setup took; harmless after any. */
	void (*fini)(struct cli_server *s);
	/* Starts worker index on loop l with its sockets; NULL on failure. */
	void *(*start)(struct cli_server *s, struct loop *l, int index,
		       const int *tcp, int ntcp, const int *udp, int nudp);
	void (*free)(void *worker);	/* after its loop ended */
	void (*hup)(struct cli_server *s);	/* SIGHUP; may be NULL */
	/* What it needs under the sandbox (see cli_engine); may be NULL */
	int (*sandbox)(struct cli_server *s, struct sandbox *sb);
};
struct cli_server {
	const struct cli_server_ops *ops;
	struct cli_listen *listen;	/* the adapter's */
	const char *listen_default;	/* when no --listen is given; NULL:
					 * none (https only) */
	int nworkers;
	int ntcp, nudp;			/* sockets per worker */
	int *tcp_fds, *udp_fds;		/* worker w's from w * ntcp, w * nudp */
	void **workers;
};
/* Empties s, for an adapter with ops listening on *listen (its own). */
void cli_server_init(struct cli_server *s, const struct cli_server_ops *ops,
		     struct cli_listen *listen, const char *listen_default);
/* Sets up s for nworkers workers (ops->setup) and fills an engine for
 * cli_run_engines. Returns 0, ERR_PARSE or -errno, as ops->setup. */
int cli_server_setup(struct cli_server *s, int nworkers,
		     struct cli_engine *out);
/* The exit status for what cli_server_setup returned. */
int cli_server_status(int rc);
void cli_server_fini(struct cli_server *s);
/* A connection cap for the whole process as each worker's share. */
int cli_server_share(int total, int nworkers);
/* `inetkit serve NAME ARGS` for a server adapter already at its
 * defaults: --help, the arguments, the default listener, setup, the
 * workers until SIGTERM or SIGINT, fini. Returns the exit status. */
int cli_serve(struct cli_server *s, int argc, char **argv);


/* The classic services as a server adapter (cmd_svc.c): defaults, then
 * set listen/tcp/udp/cfg, then cli_server_setup(&e->srv, ...). */
#include "services/svc.h"
struct cli_svc {
	struct cli_server srv;	/* first */
	struct svc_config cfg;
	struct cli_listen listen;
	int tcp, udp;		/* which transports to serve */
};
void cli_svc_defaults(struct cli_svc *e, enum svc_kind kind);

/* The name server as a server adapter (cmd_dns.c): defaults, then fill
 * zones, hosts, listen and cfg; setup loads the zones (printing file:line
 * errors: ERR_PARSE) and binds TCP and UDP on the same ports. */
#include "dns/dns_rrl.h"
#include "dns/dns_server.h"
#include "dns/dns_xfrd.h"
#define CLI_MAX_ZONES 64
#define CLI_MAX_XDP 16
struct dns_xdp;
struct cli_dns {
	struct cli_server srv;	/* first */
	const char *zones[CLI_MAX_ZONES];
	int nzones;
	const char *hosts;	/* an /etc/hosts file, or NULL */
	struct cli_listen listen;
	struct dns_server_config cfg;
	struct dns_served served;
	struct dns_rrl_config rrl_cfg;	/* rate 0: off */
	struct dns_rrl rrl;
	struct dns_xfrd xfrd;	/* used when xfrd_on */
	int xfrd_on;
	const char *xdp[CLI_MAX_XDP];	/* --xdp IFACE[@PORT] */
	int nxdp;
	struct dns_xdp **xdps;	/* opened by setup */
};
void cli_dns_defaults(struct cli_dns *e);

/* The web server as a server adapter (cmd_http.c), the same way:
 * defaults, then add roots to site (http_site_add) and set
 * listen/cfg/log_path (and the TLS fields), then setup (opens the access
 * log, loads the TLS pairs: ERR_PARSE after printing "file: message",
 * binds the plain listeners, then the TLS ones behind them). */
#include "http/http_encode.h"
#include "http/http_gw.h"
#include "http/http_limit.h"
#include "http/http_server.h"
#define CLI_MAX_PROXY_FROM 16
#include "http/http_stats.h"
#include "net/net_tls.h"
#define CLI_HTTP_TLS_OWNED NET_TLS_MAX_CERTS
struct cli_http {
	struct cli_server srv;	/* first */
	struct http_site site;
	struct http_gw_config gw;	/* --cgi, --fastcgi */
	struct http_server_config cfg;
	struct http_limits limits;	/* used when any is set */
	struct cli_listen listen;
	const char *log_path;	/* NULL: none; "-": stdout */
	int log_fd;
	struct http_guard *guard;	/* --auth, or NULL */
	int proxy_protocol;	/* --proxy-protocol */
	struct net_cidr proxy_from[CLI_MAX_PROXY_FROM];	/* --proxy-from */
	/* TLS (cli_http_tls.c): --tls-listen, the default pair, --sni
	 * pairs and settings, the loaded contexts, --tls-info */
	struct cli_listen tls_listen;
	const char *cert, *key;
	struct net_tls_server_config tls;
	struct net_tls_server *tls_srv;
	int tls_info;
	char *owned[CLI_HTTP_TLS_OWNED];
	int nowned;
	/* --status-allow values until --status makes the page (cfg.status) */
	const char *status_allow[HTTP_STATS_MAX_ALLOW];
	int nstatus_allow;
	struct http_gens *gens;	/* the live settings (cli_http_reload.c) */
	struct http_encode_config enc;	/* --compress and its companions */
};
void cli_http_defaults(struct cli_http *e);

/* Reloads (cli_http_reload.c). setup, at the end of the server's setup:
 * makes the generation the workers start with (0 or -ENOMEM); fini frees
 * it after them. reload: the live settings of n (the block parsed again,
 * not set up) become e's, published to the workers: roots, vhosts,
 * autoindex, dotfiles, limits, timeouts, body size, sendfile, connection
 * cap, HSTS, redirect-https, certificates. Prints on stderr, after
 * "inetkit: WHERE: http: ", what it could not apply and kept, and puts
 * those keys in kept (space-separated). */
int cli_http_reload_setup(struct cli_http *e);
void cli_http_reload_fini(struct cli_http *e);
void cli_http_reload(struct cli_http *e, struct cli_http *n,
		     const char *where, char *kept, size_t kept_len);

/* The TLS options (cli_http_tls.c). option takes --tls-listen, --cert,
 * --key, --sni, --tls-min and --hsts: returns 1 when it took a, 0 when a
 * is not one of them, or 2 after a usage error. flag takes
 * --redirect-https and --tls-info (1 or 0). check: after the arguments,
 * 0 or 2. load: builds the contexts before anything listens (-1 after
 * printing "file: message"). bind: the TLS listeners, after the plain
 * ones, appended to each worker's TCP sockets (0 or -errno). hup:
 * reloads on SIGHUP. fini: frees it all. */
int cli_http_tls_option(struct cli_http *e, const char *a, const char *v,
			const char *usage);
int cli_http_tls_flag(struct cli_http *e, const char *a);
int cli_http_tls_check(const struct cli_http *e, const char *usage);
int cli_http_tls_load(struct cli_http *e);
int cli_http_tls_bind(struct cli_http *e, int nworkers);
void cli_http_tls_hup(struct cli_http *e);
void cli_http_tls_fini(struct cli_http *e);
/* --status PATH and --status-allow CIDR (cli_http_status.c): option
 * returns 1 when it took a, 0 when a is not one of them, or 2 after a
 * usage error; check after the arguments (0 or 2); fini frees the page. */
int cli_http_status_option(struct cli_http *e, const char *a, const char *v,
			   const char *usage);
int cli_http_status_check(const struct cli_http *e, const char *usage);
void cli_http_status_fini(struct cli_http *e);
/* --compress, --compress-level, --compress-min, --compress-cache
 * (cli_http_encode.c): option returns 1 when it took a, 0 when a is not
 * one of them, or 2 after a usage error; setup, once the workers are
 * known, shares the cache among them and sets cfg.encode. */
int cli_http_encode_option(struct cli_http *e, const char *a, const char *v,
			   const char *usage);
void cli_http_encode_setup(struct cli_http *e, int nworkers);
/* The page of e shows the counters of the name server d too (same
 * process: `up`, `serve --config`). */
struct cli_dns;
void cli_http_status_link_dns(struct cli_http *e, struct cli_dns *d);
/* `inetkit serve http`. */
int cmd_serve_http(int argc, char **argv);

#endif
