/* cmd_http: `inetkit serve http`, the static web server, and the engine
 * adapter that `inetkit up` reuses (cli_http_*). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "core/err.h"
#include "core/sandbox.h"
#include "http/http_auth.h"
#include "http/http_guard.h"
#include "http/http_launch.h"

static const char http_usage[] =
	"usage: inetkit serve http --root DIR [--listen ADDR:PORT]...\n"
	"                          [--vhost NAME=DIR]... [--workers N]\n"
	"                          [--access-log FILE|-] [--autoindex]\n"
	"                          [--dotfiles] [--max-conns N]\n"
	"                          [--max-body BYTES] [--header-timeout T]\n"
	"                          [--idle-timeout T] [--send-timeout T]\n"
	"                          [--sendfile on|off] [--max-conns-per-ip N]\n"
	"                          [--rate PATH=N/s[:BURST]]...\n"
	"                          [--auth PREFIX=FILE]...\n"
	"                          [--cgi PREFIX=DIR]... [--cgi-timeout T]\n"
	"                          [--cgi-max N] [--fastcgi PREFIX=BACKEND]...\n"
	"                          [--fastcgi-index NAME] [--fastcgi-ext EXT]\n"
	"                          [--proxy-protocol --proxy-from CIDR...]\n"
	"                          [--tls-listen ADDR:PORT]... --cert FILE\n"
	"                          --key FILE [--sni NAME=CERT:KEY]...\n"
	"                          [--tls-min 1.2|1.3] [--hsts SECONDS]\n"
	"                          [--redirect-https] [--tls-info]\n"
	"                          [--status PATH] [--status-allow CIDR]...\n"
	"                          [--compress gzip,br,zstd|off]\n"
	"                          [--compress-level N] [--compress-min BYTES]\n"
	"                          [--compress-cache SIZE]\n"
	"  HTTP/1.1 static files (RFC 9110, RFC 9112). --root serves any\n"
	"  host; --vhost NAME=DIR serves Host NAME from DIR. Default listen:\n"
	"  :8080 (every address). Timeouts T are seconds, or milliseconds\n"
	"  with an 'ms' suffix (defaults: header 10, idle 15, send 30).\n"
	"  --autoindex lists directories without index.html; --dotfiles\n"
	"  serves names starting with '.'. The access log is in Combined\n"
	"  Log Format; SIGHUP or SIGUSR1 reopens it (after logrotate), and a\n"
	"  full disk drops its lines, counted, not the requests. File\n"
	"  bodies go out by sendfile (on, the default), or are copied\n"
	"  through a buffer (off: for file systems where sendfile\n"
	"  misbehaves; twice the CPU per byte).\n"
	"  Limits per client (an IPv4 address or an IPv6 /64), none by\n"
	"  default: --max-conns-per-ip closes a client's connections beyond\n"
	"  N at once; --rate PATH=N/s (or N/m) answers a client's requests\n"
	"  under PATH (whole segments, the longest rule wins) beyond N a\n"
	"  second with 429 and Retry-After, after a burst of BURST (one\n"
	"  second's worth); up to 16 rules.\n"
	"  --auth PREFIX=FILE: paths under PREFIX need HTTP Basic\n"
	"  credentials (RFC 7617) of a user of FILE, htpasswd-style\n"
	"  'user:hash' lines with bcrypt ($2y$, htpasswd -B), SHA-512 ($6$)\n"
	"  or yescrypt ($y$) hashes; reloaded on SIGHUP. Over plain HTTP\n"
	"  passwords travel in clear: a warning at start unless every plain\n"
	"  listener is loopback.\n"
	"  HTTPS: --tls-listen serves TLS 1.2 and 1.3 (--tls-min 1.3: 1.3\n"
	"  only) with the PEM chain --cert and key --key, or those of --sni\n"
	"  for that server name (exact or *.domain; a name may have an RSA\n"
	"  and an ECDSA pair). SIGHUP reloads them. --hsts adds\n"
	"  Strict-Transport-Security; --redirect-https answers 301 to https\n"
	"  on the plain listeners; --tls-info prints the TLS setup.\n"
	"  --cgi PREFIX=DIR runs the executable files of DIR for URLs under\n"
	"  PREFIX as CGI/1.1 scripts (RFC 3875); at most --cgi-max at once\n"
	"  (default 64; 503 beyond), each killed when silent for\n"
	"  --cgi-timeout (default 30; 504). --fastcgi PREFIX=BACKEND sends\n"
	"  URLs under PREFIX to a FastCGI application (php-fpm) at\n"
	"  unix:PATH or HOST:PORT, SCRIPT_FILENAME under the root;\n"
	"  --fastcgi-ext .php sends only scripts with that extension,\n"
	"  --fastcgi-index index.php names the script of a directory.\n"
	"  --proxy-protocol: behind a load balancer (HAProxy send-proxy or\n"
	"  send-proxy-v2, nginx proxy_protocol), a connection from a\n"
	"  --proxy-from CIDR range (repeatable, required) must begin with a\n"
	"  PROXY v1 or v2 header (before the TLS handshake on --tls-listen),\n"
	"  and the access log shows the client it names; other clients are\n"
	"  served as they are.\n"
	"  --status PATH serves a live status page at PATH (HTML charts),\n"
	"  PATH.json (counters summed over the workers) and PATH/metrics\n"
	"  (Prometheus) to loopback clients and those of --status-allow\n"
	"  CIDR (repeatable); others get 403.\n"
	"  Compression on the fly (--compress, default gzip,br,zstd; off:\n"
	"  none): files of text types (HTML, CSS, JavaScript, JSON, XML,\n"
	"  SVG, WebAssembly...) of --compress-min (default 256) bytes to\n"
	"  1 MiB go out in the coding Accept-Encoding prefers (br, zstd,\n"
	"  gzip on a tie) at --compress-level (1-9, default 6), compressed\n"
	"  once per worker and kept in --compress-cache bytes (default 16M,\n"
	"  shared out among the workers; 0: compress every time). A fresh\n"
	"  page.html.br, .zst or .gz beside the file wins; a Range request\n"
	"  gets bytes of the file itself.\n";

static void *
http_start(struct cli_server *s, struct loop *l, int index, const int *tcp,
	   int ntcp, const int *udp, int nudp)
{
	struct cli_http *e = (struct cli_http *)s;
	int nplain = e->listen.n;

	/* the plain listeners first, then the TLS ones (http_setup) */
	return http_worker_start(l, &e->cfg, tcp, nplain, tcp + nplain,
				 ntcp - nplain);
}

static void
http_free(void *worker)
{
	http_worker_free(worker);
}

/* The per-client limits, shared by the workers, keyed at random (keyed
 * even when none is set: a reload may set one). */
static int
http_limits_setup(struct cli_http *e)
{
	uint64_t seed[2];

	if (getrandom(seed, sizeof seed, 0) != sizeof seed)
		return -errno;
	if (http_limits_init(&e->limits, seed) < 0)
		return -ENOMEM;
	if (e->limits.max_conns_per_ip || e->limits.nrules)
		e->cfg.limits = &e->limits;
	return 0;
}

static int
is_loopback(const struct net_addr *a)
{
	const struct sockaddr_storage *ss = &a->ss;

	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr)
			>> 24) == 127;
	return ss->ss_family == AF_INET6 &&
		IN6_IS_ADDR_LOOPBACK(
			&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

/* Basic credentials are only base64 (RFC 7617 section 4): say so once
 * when they can come from another machine without TLS. */
static void
warn_clear_passwords(const struct cli_listen *ls)
{
	char a[NET_ADDR_STRLEN];

	for (int i = 0; i < ls->n; i++) {
		if (is_loopback(&ls->addrs[i]))
			continue;
		if (net_addr_format(&ls->addrs[i], 1, a, sizeof a) < 0)
			strcpy(a, "?");
		fprintf(stderr, "inetkit: http: warning: --auth over plain "
			"HTTP on %s: passwords cross the network readable\n",
			a);
		return;
	}
}

static int
http_setup(struct cli_server *s, int nworkers)
{
	struct cli_http *e = (struct cli_http *)s;

	if (e->log_path && strcmp(e->log_path, "-") == 0) {
		e->cfg.access_log_fd = 1;
	} else if (e->log_path) {
		e->log_fd = open(e->log_path, O_WRONLY | O_CREAT | O_APPEND |
				 O_CLOEXEC, 0644);
		if (e->log_fd < 0) {
			int err = errno;
			fprintf(stderr, "inetkit: http: %s: %s\n", e->log_path,
				strerror(err));
			return -err;
		}
		e->cfg.access_log_fd = e->log_fd;
	}
	int rc = http_limits_setup(e);
	if (rc < 0)
		return rc;
	if (cli_http_tls_load(e) < 0)
		return ERR_PARSE;
	/* even with no plain listener: a socket named http makes one */
	rc = cli_listen_bind(&e->listen, "http", SOCK_STREAM, nworkers,
			     s->tcp_fds, http_listener_prepare);
	if (rc < 0)
		return rc;
	if (e->guard)
		warn_clear_passwords(&e->listen);
	e->cfg.guard = e->guard;
	s->ntcp = e->listen.n;
	rc = cli_http_tls_bind(e, nworkers);
	if (rc < 0)
		return rc;
	e->cfg.site = &e->site;
	e->cfg.gw = e->gw.nroutes ? &e->gw : NULL;
	/* the cap is per process; each worker holds its share */
	e->cfg.max_conns = cli_server_share(e->cfg.max_conns, nworkers);
	cli_http_encode_setup(e, nworkers);
	return cli_http_reload_setup(e);
}

static void
http_fini(struct cli_server *s)
{
	struct cli_http *e = (struct cli_http *)s;

	cli_http_reload_fini(e);
	http_site_fini(&e->site);
	http_limits_fini(&e->limits);
	e->cfg.limits = NULL;
	http_guard_free(e->guard);
	e->guard = NULL;
	http_gw_config_fini(&e->gw);
	cli_http_tls_fini(e);
	cli_http_status_fini(e);
	if (e->log_fd >= 0)
		close(e->log_fd);
	e->log_fd = -1;
}

/* SIGHUP or SIGUSR1: reload the TLS pairs and the users of --auth, and
 * reopen the access log, which logrotate has moved away. dup3 makes the
 * workers' descriptor refer to the new file in one step: no worker ever
 * writes to a closed descriptor, and lines still buffered go to the new
 * file. A file that cannot be opened keeps the old one. */
static void
http_hup(struct cli_server *s)
{
	struct cli_http *e = (struct cli_http *)s;
	char err[512];

	cli_http_tls_hup(e);
	if (e->guard && http_guard_reload(e->guard, err, sizeof err) < 0)
		fprintf(stderr, "inetkit: http: reload: %s (the users of "
			"before stay)\n", err);
	if (e->log_fd < 0)
		return;
	int fd = open(e->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		      0644);
	if (fd < 0 || dup3(fd, e->log_fd, O_CLOEXEC) < 0) {
		fprintf(stderr, "inetkit: http: cannot reopen %s (%s), "
			"keeping the old file\n", e->log_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	fprintf(stderr, "inetkit: http: reopened %s\n", e->log_path);
}

/* "10" seconds or "250ms". Returns 0 or ERR_PARSE. */
static int
parse_timeout(const char *s, int *ms)
{
	char num[16];
	size_t n = strlen(s);
	long v, scale = 1000;

	if (n > 2 && strcmp(s + n - 2, "ms") == 0) {
		n -= 2;
		scale = 1;
	}
	if (n == 0 || n >= sizeof num)
		return ERR_PARSE;
	memcpy(num, s, n);
	num[n] = '\0';
	if (cli_parse_int(num, 1, 86400L * 1000 / scale, &v) < 0)
		return ERR_PARSE;
	*ms = (int)(v * scale);
	return 0;
}

static int
add_root(struct cli_http *e, const char *name, const char *dir)
{
	int rc = http_site_add(&e->site, name, dir);

	if (rc == 0)
		return 0;
	if (rc == ERR_PARSE && name == NULL)
		return cli_usage_error(http_usage, "--root given twice");
	if (rc == ERR_PARSE || rc == ERR_TOOBIG)
		return cli_usage_error(http_usage, "bad --vhost name '%s'",
				       name);
	return cli_value_error("serve http: %s '%s': %s", name ? "--vhost" :
			       "--root", dir, err_str(rc));
}

/* --auth PREFIX=FILE: the users file is read now, so that a bad one
 * stops the start with file:line. */
static int
add_auth(struct cli_http *e, const char *v)
{
	char prefix[HTTP_AUTH_MAX_REALM + 1], err[512];
	const char *eq = strchr(v, '=');

	if (eq == NULL || eq == v || (size_t)(eq - v) >= sizeof prefix ||
	    eq[1] == '\0')
		return cli_usage_error(http_usage, "bad --auth '%s'", v);
	memcpy(prefix, v, (size_t)(eq - v));
	prefix[eq - v] = '\0';
	if (e->guard == NULL && (e->guard = http_guard_new()) == NULL)
		return EXIT_FAIL;
	int rc = http_guard_add(e->guard, prefix, eq + 1, err, sizeof err);
	if (rc == ERR_TOOBIG)
		return cli_usage_error(http_usage, "too many --auth");
	if (rc < 0 && strncmp(err, "bad prefix", 10) == 0)
		return cli_usage_error(http_usage, "--auth: %s", err);
	if (rc < 0) {
		fprintf(stderr, "inetkit: serve http: %s\n", err);
		return EXIT_USAGE;
	}
	return 0;
}

/* --cgi PREFIX=DIR and --fastcgi PREFIX=BACKEND. */
static int
gw_option(struct cli_http *e, const char *a, const char *v)
{
	char prefix[HTTP_GW_MAX_PREFIX + 1];
	const char *eq = strchr(v, '=');
	int rc;

	if (eq == NULL || eq == v || (size_t)(eq - v) > HTTP_GW_MAX_PREFIX)
		return cli_usage_error(http_usage, "bad %s '%s'", a, v);
	memcpy(prefix, v, (size_t)(eq - v));
	prefix[eq - v] = '\0';
	rc = a[2] == 'c' ? http_gw_add_cgi(&e->gw, prefix, eq + 1) :
		http_gw_add_fcgi(&e->gw, prefix, eq + 1);
	if (rc == ERR_PARSE || rc == ERR_TOOBIG)
		return cli_usage_error(http_usage, "bad %s '%s'", a, v);
	if (rc < 0) {
		fprintf(stderr, "inetkit: serve http: %s: %s\n", eq + 1,
			err_str(rc));
		return EXIT_USAGE;
	}
	return 0;
}

static int
gw_launch(void *arg)
{
	return http_launch_start(arg);
}

/* The gateways under the sandbox: FastCGI connects to its backends
 * (UNIX sockets, TCP ports) and spools chunked bodies in tmpdir; CGI
 * scripts are started by a launcher forked before it (http_launch.h). */
static int
gw_sandbox(struct http_gw_config *gw, struct sandbox *sb)
{
	int rc = 0, launcher = 0;

	for (int i = 0; rc == 0 && i < gw->nroutes; i++) {
		const struct http_gw_route *r = &gw->routes[i];
		if (r->kind == HTTP_GW_CGI && !launcher++)
			rc = sandbox_add_helper(sb, gw_launch, gw,
				"cgi launcher: a process forked before the "
				"sandbox starts the scripts of --cgi with the "
				"rights of --user");
		else if (r->kind == HTTP_GW_CGI)
			continue;
		else if (r->unix_sock)
			sb->unix_sockets = 1;
		else
			rc = sandbox_allow_connect(sb, net_addr_port(&r->addr));
	}
	if (rc == 0 && gw->nroutes)
		rc = sandbox_allow(sb, gw->tmpdir, SANDBOX_WRITE);
	return rc;
}

/* Under the sandbox: the roots, read-only (files are opened as requests
 * come), the users files, and the folders of the certificates and keys
 * (all read again on SIGHUP; certificates are often renewed by putting
 * new files beside the old ones); the access log's folder, writable. */
static int
http_sandbox(struct cli_server *s, struct sandbox *sb)
{
	struct cli_http *e = (struct cli_http *)s;
	const char *files[HTTP_GUARD_MAX_REALMS];
	int rc = 0;

	if (e->site.def.root_fd >= 0)
		rc = sandbox_allow(sb, e->site.def.root, SANDBOX_READ);
	for (int i = 0; rc == 0 && i < e->site.nvhosts; i++)
		rc = sandbox_allow(sb, e->site.vhosts[i].root, SANDBOX_READ);
	int n = http_guard_files(e->guard, files, HTTP_GUARD_MAX_REALMS);
	for (int i = 0; rc == 0 && i < n; i++)
		rc = sandbox_allow(sb, files[i], SANDBOX_READ);
	const char *pem[2 + 2 * NET_TLS_MAX_CERTS] = { e->cert, e->key };
	for (int i = 0; i < e->tls.ncerts; i++) {
		pem[2 + 2 * i] = e->tls.certs[i].cert;
		pem[3 + 2 * i] = e->tls.certs[i].key;
	}
	for (size_t i = 0; rc == 0 && i < sizeof pem / sizeof *pem; i++)
		if (pem[i])
			rc = cli_sandbox_allow_dir(sb, pem[i]);
	/* the access log's folder: SIGHUP creates the file again there
	 * once logrotate has moved it away */
	if (rc == 0 && e->log_path && strcmp(e->log_path, "-") != 0) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%s", e->log_path);
		rc = sandbox_allow(sb, dirname(dir), SANDBOX_WRITE);
	}
	return rc == 0 ? gw_sandbox(&e->gw, sb) : rc;
}

/* The other gateway options. Returns 0, an exit status, or -1 when a is
 * not one of them. */
static int
gw_setting(struct cli_http *e, const char *a, const char *v)
{
	long n;

	if (strcmp(a, "--cgi") == 0 || strcmp(a, "--fastcgi") == 0)
		return gw_option(e, a, v);
	if (strcmp(a, "--cgi-timeout") == 0)
		return parse_timeout(v, &e->gw.timeout_ms) < 0 ?
			cli_usage_error(http_usage, "bad %s '%s'", a, v) : 0;
	if (strcmp(a, "--cgi-max") == 0) {
		if (cli_parse_int(v, 1, 100000, &n) < 0)
			return cli_usage_error(http_usage, "bad %s '%s'", a, v);
		e->gw.max_cgi = (int)n;
		return 0;
	}
	char *dst = strcmp(a, "--fastcgi-index") == 0 ? e->gw.fcgi_index :
		strcmp(a, "--fastcgi-ext") == 0 ? e->gw.fcgi_ext : NULL;
	size_t max = dst == e->gw.fcgi_index ? sizeof e->gw.fcgi_index :
		sizeof e->gw.fcgi_ext;
	if (dst == NULL)
		return -1;
	if (strlen(v) >= max || strchr(v, '/') || v[0] == '\0' ||
	    (dst == e->gw.fcgi_ext && v[0] != '.'))
		return cli_usage_error(http_usage, "bad %s '%s'", a, v);
	strcpy(dst, v);
	return 0;
}

/* One option with a value. Returns 0, or an exit status. */
static int
http_option(struct cli_http *e, const char *a, const char *v, long *workers)
{
	long n;
	int rc = cli_http_tls_option(e, a, v, http_usage);

	if (rc == 0)
		rc = cli_http_status_option(e, a, v, http_usage);
	if (rc == 0)
		rc = cli_http_encode_option(e, a, v, http_usage);
	if (rc != 0)
		return rc == 1 ? 0 : rc;
	if (strcmp(a, "--root") == 0)
		return add_root(e, NULL, v);
	if (strcmp(a, "--vhost") == 0) {
		char name[HTTP_MAX_HOSTNAME + 2];
		const char *eq = strchr(v, '=');
		if (eq == NULL || eq == v || (size_t)(eq - v) > HTTP_MAX_HOSTNAME)
			return cli_usage_error(http_usage, "bad --vhost '%s'", v);
		memcpy(name, v, (size_t)(eq - v));
		name[eq - v] = '\0';
		return add_root(e, name, eq + 1);
	}
	if (strcmp(a, "--listen") == 0)
		return cli_listen_add(&e->listen, v) < 0 ?
			cli_usage_error(http_usage, "bad --listen '%s'", v) : 0;
	if (strcmp(a, "--workers") == 0) {
		if (cli_parse_int(v, 1, 256, workers) < 0)
			return cli_usage_error(http_usage, "bad --workers '%s'", v);
		return 0;
	}
	if (strcmp(a, "--max-conns") == 0 || strcmp(a, "--max-body") == 0) {
		if (cli_parse_int(v, a[6] == 'c' ? 1 : 0, 1L << 40, &n) < 0)
			return cli_usage_error(http_usage, "bad %s '%s'", a, v);
		if (a[6] == 'c')
			e->cfg.max_conns = n > 1000000 ? 1000000 : (int)n;
		else
			e->cfg.max_body = (uint64_t)n;
		return 0;
	}
	if (strcmp(a, "--max-conns-per-ip") == 0) {
		if (cli_parse_int(v, 1, 1000000, &n) < 0)
			return cli_usage_error(http_usage, "bad %s '%s'", a, v);
		e->limits.max_conns_per_ip = (uint32_t)n;
		return 0;
	}
	if (strcmp(a, "--rate") == 0) {
		struct http_limits *l = &e->limits;
		if (l->nrules >= HTTP_LIMIT_RULES ||
		    http_limit_rule_parse(v, &l->rules[l->nrules]) < 0)
			return cli_usage_error(http_usage, "bad or too many "
					       "--rate '%s'", v);
		l->nrules++;
		return 0;
	}
	if (strcmp(a, "--auth") == 0)
		return add_auth(e, v);
	rc = gw_setting(e, a, v);
	if (rc >= 0)
		return rc;
	if (strcmp(a, "--proxy-from") == 0) {
		if (e->cfg.nproxy_from == CLI_MAX_PROXY_FROM ||
		    net_cidr_parse(v, &e->proxy_from[e->cfg.nproxy_from]) < 0)
			return cli_usage_error(http_usage, "bad --proxy-from "
					       "'%s'", v);
		e->cfg.nproxy_from++;
		return 0;
	}
	if (strcmp(a, "--access-log") == 0) {
		e->log_path = v;
		return 0;
	}
	if (strcmp(a, "--sendfile") == 0) {
		static const char *const modes[] = { "on", "off" };
		for (int m = 0; m < 2; m++)
			if (strcmp(v, modes[m]) == 0) {
				e->cfg.sendfile = (enum http_sendfile)m;
				return 0;
			}
		return cli_usage_error(http_usage, "bad --sendfile '%s'", v);
	}
	int *t = strcmp(a, "--header-timeout") == 0 ? &e->cfg.header_timeout_ms :
		strcmp(a, "--idle-timeout") == 0 ? &e->cfg.idle_timeout_ms :
		strcmp(a, "--send-timeout") == 0 ? &e->cfg.send_timeout_ms :
		NULL;
	if (t == NULL)
		return cli_usage_error(http_usage, "serve http: unexpected '%s'",
				       a);
	if (parse_timeout(v, t) < 0)
		return cli_usage_error(http_usage, "bad %s '%s'", a, v);
	return 0;
}

static int
http_parse_args(struct cli_server *s, int argc, char **argv, long *workers)
{
	struct cli_http *e = (struct cli_http *)s;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--autoindex") == 0) {
			e->site.autoindex = 1;
			continue;
		}
		if (strcmp(a, "--dotfiles") == 0) {
			e->site.dotfiles = 1;
			continue;
		}
		if (strcmp(a, "--proxy-protocol") == 0) {
			e->proxy_protocol = 1;
			continue;
		}
		if (cli_http_tls_flag(e, a))
			continue;
		if (i + 1 >= argc || strncmp(a, "--", 2) != 0)
			return cli_usage_error(http_usage,
					       "serve http: unexpected '%s'", a);
		int rc = http_option(e, a, argv[++i], workers);
		if (rc != 0)
			return rc;
	}
	/* A header believed from anyone would let any client name any
	 * address: the ranges are required, and useless without the flag. */
	if (e->proxy_protocol != (e->cfg.nproxy_from > 0))
		return cli_usage_error(http_usage, "serve http: "
				       "--proxy-protocol and --proxy-from CIDR "
				       "go together");
	e->cfg.proxy_from = e->proxy_from;
	if (e->site.def.root_fd < 0 && e->site.nvhosts == 0)
		return cli_usage_error(http_usage, "serve http: --root DIR is "
				       "required");
	/* with only --tls-listen, no plain listener by default */
	if (e->tls_listen.n)
		e->srv.listen_default = NULL;
	if (cli_http_status_check(e, http_usage) != 0)
		return EXIT_USAGE;
	return cli_http_tls_check(e, http_usage);
}

static const struct cli_server_ops http_ops = {
	http_usage, http_parse_args, http_setup, http_fini, http_start,
	http_free, http_hup, http_sandbox,
};

void
cli_http_defaults(struct cli_http *e)
{
	memset(e, 0, sizeof *e);
	cli_server_init(&e->srv, &http_ops, &e->listen, ":8080");
	http_site_init(&e->site);
	http_server_config_init(&e->cfg);
	http_gw_config_init(&e->gw);
	http_encode_config_init(&e->enc);
	e->log_fd = -1;
}

int
cmd_serve_http(int argc, char **argv)
{
	struct cli_http e;

	cli_http_defaults(&e);
	return cli_serve(&e.srv, argc, argv);
}
