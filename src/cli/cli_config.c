/* cli_config: `--config FILE` of serve, up and check. The file's blocks
 * (conf.h) become the arguments of each service, parsed by the adapter's
 * own parse function: every flag of `inetkit serve NAME --help` is a key,
 * with no table to keep, and flags given beside --config replace the
 * file's values for the same key. SIGHUP reads the file again. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_config.h"
#include "conf/conf.h"
#include "core/err.h"
#include "core/workers.h"
#include "dns/dns_load.h"

static const char *const services[] = { "http", "dns", "echo", "daytime",
					"time" };
static const char *const settings[] = { "workers", "user", "no-sandbox" };
#define NSETTINGS (sizeof settings / sizeof settings[0])
#define NSERVICES (sizeof services / sizeof services[0])

/* One key of a service: a flag of its usage text, and whether it takes a
 * value ("--root DIR", "--sendfile on|off") or stands alone. */
struct ukey {
	char name[CONF_MAX_KEY];
	int value;
};
#define MAX_UKEYS 128

struct cfg_server {
	const struct conf_block *block;
	struct cli_server *srv;
	char **argv;
	int argc;
	struct cli_listen listen;	/* as parsed, before binding */
	long workers;			/* 0: not in the block */
	char *log_path;			/* http: the access log a reload set */
};

struct cfg_run {
	const char *path;
	const char *only;		/* the service named, or NULL: all */
	int oargc;			/* flags given beside --config */
	char **oargv;
	struct conf conf;
	struct cfg_server servers[CONF_MAX_BLOCKS];
	int n;
	long workers;			/* 0: not set */
	const struct cfg_server *cur;	/* whose arguments are parsed */
	struct cfg_run *older;		/* generations before a reload */
	int reloading;			/* SIGHUP: user and sandbox stay */
};

static struct cli_server *
server_new(const char *name)
{
	enum svc_kind kind;

	if (strcmp(name, "http") == 0) {
		struct cli_http *e = malloc(sizeof *e);
		if (e)
			cli_http_defaults(e);
		return e ? &e->srv : NULL;
	}
	if (strcmp(name, "dns") == 0) {
		struct cli_dns *e = malloc(sizeof *e);
		if (e)
			cli_dns_defaults(e);
		return e ? &e->srv : NULL;
	}
	struct cli_svc *e = NULL;
	if (svc_kind_parse(name, &kind) == 0 && (e = malloc(sizeof *e)))
		cli_svc_defaults(e, kind);
	return e ? &e->srv : NULL;
}

/* Every "--name" of the usage text; a name takes a value when, anywhere,
 * a word follows it that is upper case (DIR), a number (1.2|1.3) or a
 * choice (on|off). */
static int
usage_keys(const char *usage, struct ukey *k, int max)
{
	int n = 0;

	for (const char *p = strstr(usage, "--"); p; p = strstr(p, "--")) {
		size_t len = 0;
		p += 2;
		while (len < CONF_MAX_KEY - 1 && (islower((unsigned char)p[len]) ||
		       isdigit((unsigned char)p[len]) || p[len] == '-'))
			len++;
		if (len == 0 || strncmp(p, "help", len) == 0)
			continue;
		const char *v = p + len;
		int value = (*v == ' ' || *v == '=') && (isupper((unsigned char)v[1]) ||
			    isdigit((unsigned char)v[1]) ||
			    (islower((unsigned char)v[1]) &&
			     strcspn(v + 1, "| \n") < strcspn(v + 1, " \n")));
		int i = 0;
		while (i < n && (strlen(k[i].name) != len ||
				 strncmp(k[i].name, p, len) != 0))
			i++;
		if (i == n && n < max) {
			memcpy(k[n].name, p, len);
			k[n].name[len] = '\0';
			k[n++].value = 0;
		}
		if (i < n)
			k[i].value |= value;
		p += len;
	}
	return n;
}

static void
print_at(const struct cfg_run *r, struct conf_pos pos, const char *key,
	 const char *msg)
{
	fprintf(stderr, "%s:%d:%d: %s%s%s\n", r->path, pos.line, pos.col,
		key && *key ? key : "", key && *key ? ": " : "", msg);
}

static int
unknown_key(const struct cfg_run *r, const char *key, struct conf_pos pos,
	    const char *where, const char *const *cands, size_t n)
{
	const char *near = conf_suggest(key, cands, n);
	char msg[256];

	snprintf(msg, sizeof msg, "unknown key%s%s%s%s%s", where ? " of " : "",
		 where ? where : "", near ? " (did you mean '" : "",
		 near ? near : "", near ? "'?)" : "");
	print_at(r, pos, key, msg);
	return EXIT_USAGE;
}

static int
given_beside(const struct cfg_run *r, const char *key)
{
	for (int i = 0; i < r->oargc; i++)
		if (strncmp(r->oargv[i], "--", 2) == 0 &&
		    strcmp(r->oargv[i] + 2, key) == 0)
			return 1;
	return 0;
}

static int
push(struct cfg_server *cs, const char *a, const char *b)
{
	char *s = malloc(strlen(a) + strlen(b) + 1);

	if (s == NULL)
		return -1;
	strcpy(s, a);
	strcat(s, b);
	cs->argv[cs->argc++] = s;
	return 0;
}

/* One key of the block as its flag: "--key value", "--key" for true, or
 * nothing for false. Returns 0, -1 (memory) or the usage status. */
static int
push_arg(const struct cfg_run *r, struct cfg_server *cs,
	 const struct conf_arg *a, const struct ukey *k, int nk)
{
	const char *names[MAX_UKEYS];
	int i;

	for (i = 0; i < nk && strcmp(k[i].name, a->key) != 0; i++)
		names[i] = k[i].name;
	if (i == nk || strcmp(a->key, "config") == 0) {
		for (int j = i; j < nk; j++)
			names[j] = k[j].name;
		return unknown_key(r, a->key, a->kpos, cs->block->name, names,
				   (size_t)nk);
	}
	if (given_beside(r, a->key))
		return 0;
	if (!k[i].value && !a->is_bool) {
		print_at(r, a->vpos, a->key, "takes no value: write true or "
			 "false");
		return EXIT_USAGE;
	}
	if (!k[i].value && !a->truth)
		return 0;
	if (push(cs, "--", a->key) < 0)
		return -1;
	return k[i].value ? push(cs, "", a->value) : 0;
}

/* cs->argv: the service's name, the block's flags, the flags beside. */
static int
build_argv(const struct cfg_run *r, struct cfg_server *cs)
{
	struct ukey k[MAX_UKEYS];
	int nk = usage_keys(cs->srv->ops->usage, k, MAX_UKEYS), rc = 0;

	cs->argv = calloc((size_t)(2 + 2 * cs->block->nargs + r->oargc),
			  sizeof *cs->argv);
	if (cs->argv == NULL || push(cs, "", cs->block->name) < 0)
		return -1;
	for (int i = 0; rc == 0 && i < cs->block->nargs; i++)
		rc = push_arg(r, cs, &cs->block->args[i], k, nk);
	for (int i = 0; rc == 0 && i < r->oargc; i++)
		rc = push(cs, "", r->oargv[i]);
	return rc;
}

/* The error hook while a block's arguments are parsed: the message names
 * a flag ("bad --listen 'x'"); point at that key's value in the file. */
static int
on_error(void *arg, const char *msg)
{
	const struct cfg_run *r = arg;
	const struct conf_block *b = r->cur->block;
	const struct conf_arg *best = NULL;

	for (const char *p = strstr(msg, "--"); p && !best;
	     p = strstr(p + 2, "--")) {
		size_t n = strspn(p + 2, "abcdefghijklmnopqrstuvwxyz0123456789-");
		for (int i = 0; i < b->nargs; i++) {
			const struct conf_arg *a = &b->args[i];
			if (strlen(a->key) != n || strncmp(a->key, p + 2, n) != 0 ||
			    given_beside(r, a->key))
				continue;
			if (best == NULL)
				best = a;
			if (strstr(msg, a->value)) {
				best = a;
				break;
			}
		}
		if (best == NULL && n > 0 && r->oargc > 0) {
			fprintf(stderr, "inetkit: %s\n", msg);
			return EXIT_USAGE;
		}
	}
	if (best)
		print_at(r, best->vpos, best->key, msg);
	else
		print_at(r, b->pos, b->name, msg);
	return EXIT_USAGE;
}

static int
read_file(const char *path, char **text, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = CONF_MAX_BYTES + 1, n = 0;
	ssize_t got = 1;

	if (fd < 0)
		return -errno;
	*text = malloc(cap);
	while (*text && n < cap && (got = read(fd, *text + n, cap - n)) > 0)
		n += (size_t)got;
	int err = got < 0 ? -errno : *text ? 0 : -ENOMEM;
	close(fd);
	*len = n;
	return err;
}

static int
load(struct cfg_run *r)
{
	struct conf_error err;
	char *text = NULL;
	size_t len = 0;
	int rc = read_file(r->path, &text, &len);

	if (rc < 0) {
		free(text);
		fprintf(stderr, "inetkit: %s: %s\n", r->path, err_str(rc));
		return EXIT_USAGE;
	}
	rc = conf_parse(text, len, &r->conf, &err);
	free(text);
	if (rc < 0) {
		print_at(r, err.pos, err.key, err.msg);
		return EXIT_USAGE;
	}
	return 0;
}

static int
setting(struct cfg_run *r, const struct conf_block *b)
{
	const struct conf_arg *a = &b->args[0];
	const char *all[NSERVICES + NSETTINGS];

	if (strcmp(b->name, "workers") == 0) {
		if (r->workers == 0 && cli_parse_int(a->value, 1, 256,
						     &r->workers) < 0) {
			print_at(r, a->vpos, a->key, "expected 1 to 256");
			return EXIT_USAGE;
		}
		return 0;
	}
	/* what every server takes beside its own options (cli_lockdown) */
	if (strcmp(b->name, "user") == 0 || (strcmp(b->name, "no-sandbox") == 0
					     && a->is_bool)) {
		if (r->reloading)
			return 0;	/* applied once, at start */
		char *args[] = { (char *)"config", NULL, a->value, NULL };
		int n = b->name[0] == 'u' ? 3 : a->truth ? 2 : 1;
		args[1] = b->name[0] == 'u' ? (char *)"--user" :
			(char *)"--no-sandbox";
		if (cli_lockdown_args(n, args, "") >= 0)
			return 0;
		print_at(r, a->vpos, a->key, "no such user or group");
		return EXIT_USAGE;
	}
	memcpy(all, services, sizeof services);
	memcpy(all + NSERVICES, settings, sizeof settings);
	return unknown_key(r, b->name, b->pos, NULL, all, NSERVICES + NSETTINGS);
}

/* Every block of the file (of r->only's service alone when set) into a
 * parsed server adapter. Returns 0 or an exit status (printed). */
static int
prepare(struct cfg_run *r)
{
	for (int i = 0; i < r->conf.nblocks; i++) {
		const struct conf_block *b = &r->conf.blocks[i];
		if (b->is_setting) {
			int rc = setting(r, b);
			if (rc != 0)
				return rc;
			continue;
		}
		if (r->only && strcmp(b->name, r->only) != 0)
			continue;
		struct cfg_server *cs = &r->servers[r->n];
		cs->block = b;
		cs->srv = server_new(b->name);
		if (cs->srv == NULL)
			return unknown_key(r, b->name, b->pos, NULL, services,
					   NSERVICES);
		r->n++;
		int rc = build_argv(r, cs);
		if (rc < 0)
			fprintf(stderr, "inetkit: %s: out of memory\n", r->path);
		if (rc != 0)
			return rc < 0 ? EXIT_FAIL : rc;
		r->cur = cs;
		cli_set_error_hook(on_error, r);
		rc = cs->srv->ops->parse(cs->srv, cs->argc, cs->argv,
					 &cs->workers);
		cli_set_error_hook(NULL, NULL);
		if (rc != 0)
			return rc;
		cs->listen = *cs->srv->listen;
	}
	if (r->n > 0)
		return 0;
	fprintf(stderr, "inetkit: %s: no %s%sblock\n", r->path,
		r->only ? r->only : "service", r->only ? " " : " ");
	return EXIT_USAGE;
}

static void
run_free(struct cfg_run *r)
{
	while (r) {
		struct cfg_run *older = r->older;
		for (int i = 0; i < r->n; i++) {
			struct cfg_server *cs = &r->servers[i];
			if (cs->srv)
				cli_server_fini(cs->srv);
			free(cs->srv);
			for (int j = 0; j < cs->argc; j++)
				free(cs->argv[j]);
			free(cs->argv);
			free(cs->log_path);
		}
		conf_fini(&r->conf);
		free(r);
		r = older;
	}
}

static long
run_workers(const struct cfg_run *r)
{
	long w = r->workers;

	for (int i = 0; w == 0 && i < r->n; i++)
		if (r->servers[i].workers > w)
			w = r->servers[i].workers;
	return w ? w : workers_default_count();
}

/* What setup would read, read and dropped: the zone files of each dns
 * block, the certificates of each http block. */
static int
check_files(const struct cfg_run *r)
{
	for (int i = 0; i < r->n; i++) {
		if (strcmp(r->servers[i].block->name, "http") == 0 &&
		    cli_http_tls_load((struct cli_http *)r->servers[i].srv) < 0)
			return EXIT_USAGE;
		if (strcmp(r->servers[i].block->name, "dns") != 0)
			continue;
		struct cli_dns *e = (struct cli_dns *)r->servers[i].srv;
		struct dns_db *db;
		char err[1024];
		if (dns_load(e->zones, e->nzones, e->hosts, &db, err,
			     sizeof err) < 0) {
			fprintf(stderr, "%s\n", err);
			return EXIT_USAGE;
		}
		dns_db_free(db);
	}
	return 0;
}

/* The values of key in a block, joined, to see whether a reload changed
 * them. */
static void
key_values(const struct conf_block *b, const char *key, char *out,
	   size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (int i = 0; i < b->nargs && n < size; i++)
		if (strcmp(b->args[i].key, key) == 0)
			n += (size_t)snprintf(out + n, size - n, "%s\n",
					      b->args[i].value);
}

/* What a reload can change while the workers run: the files read again
 * on SIGHUP (zones, hosts, the access log), and the web server's live
 * settings (cli_http_reload.c). */
static int
live_key(const char *service, const char *key)
{
	static const char *const live[][2] = {
		{ "dns", "zone" }, { "dns", "hosts" }, { "http", "access-log" },
		{ "http", "root" }, { "http", "vhost" }, { "http", "autoindex" },
		{ "http", "dotfiles" }, { "http", "rate" },
		{ "http", "max-conns-per-ip" }, { "http", "max-conns" },
		{ "http", "max-body" }, { "http", "header-timeout" },
		{ "http", "idle-timeout" }, { "http", "send-timeout" },
		{ "http", "sendfile" }, { "http", "hsts" },
		{ "http", "redirect-https" }, { "http", "cert" },
		{ "http", "key" }, { "http", "sni" }, { "http", "tls-min" },
	};

	for (size_t i = 0; i < sizeof live / sizeof live[0]; i++)
		if (strcmp(live[i][0], service) == 0 &&
		    strcmp(live[i][1], key) == 0)
			return 1;
	return 0;
}

static int
key_differs(const struct conf_block *a, const struct conf_block *b,
	    const char *key)
{
	char va[8192], vb[8192];

	key_values(a, key, va, sizeof va);
	key_values(b, key, vb, sizeof vb);
	return strcmp(va, vb) != 0;
}

static int
has_key(const struct conf_block *b, const char *key)
{
	for (int i = 0; i < b->nargs; i++)
		if (strcmp(b->args[i].key, key) == 0)
			return 1;
	return 0;
}

/* Whether key comes before index i of block s in the blocks before it or
 * in s itself: each key is reported once. */
static int
key_seen(const struct conf_block *const *blocks, int s, int i)
{
	const char *key = blocks[s]->args[i].key;

	for (int j = 0; j < i; j++)
		if (strcmp(blocks[s]->args[j].key, key) == 0)
			return 1;
	for (int t = 0; t < s; t++)
		if (has_key(blocks[t], key))
			return 1;
	return 0;
}

/* Reports each changed key once: one line for each that needs a restart
 * (changed since the start, a), then one line naming those applied
 * (changed since the last reload, p), but for those in kept, which the
 * service could not apply and said why. */
static void
report_keys(const struct cfg_run *r, const struct conf_block *a,
	    const struct conf_block *p, const struct conf_block *b,
	    const char *kept)
{
	const struct conf_block *blocks[3] = { a, p, b };
	char applied[1024] = "";
	size_t len = 0;

	for (int s = 0; s < 3; s++)
		for (int i = 0; i < blocks[s]->nargs; i++) {
			const char *key = blocks[s]->args[i].key;
			if (key_seen(blocks, s, i) || cli_word_in(kept, key) ||
			    cli_word_in(kept, "*"))
				continue;
			if (!live_key(a->name, key)) {
				if (key_differs(a, b, key))
					fprintf(stderr, "inetkit: %s: %s: %s: "
						"changed, but only a restart "
						"applies it; kept as it was\n",
						r->path, a->name, key);
				continue;
			}
			if (!key_differs(p, b, key))
				continue;
			len += (size_t)snprintf(applied + len, sizeof applied -
						len, " %s", key);
			len = len < sizeof applied ? len : sizeof applied - 1;
		}
	if (len)
		fprintf(stderr, "inetkit: %s: %s: applied:%s\n", r->path,
			a->name, applied);
}

static int
strdup_to(char **dst, const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		return -1;
	free(*dst);
	*dst = d;
	return 0;
}

/* The access log opened again on the same descriptor (log rotation), so
 * the workers go on writing to the new file without being told. */
static void
http_reopen_log(const struct cfg_run *r, struct cfg_server *cs,
		const struct cli_http *now)
{
	struct cli_http *old = (struct cli_http *)cs->srv;

	if (old->log_fd < 0 || now->log_path == NULL ||
	    strcmp(now->log_path, "-") == 0)
		return;
	int fd = open(now->log_path, O_WRONLY | O_CREAT | O_APPEND |
		      O_CLOEXEC, 0644);
	if (fd < 0 || dup3(fd, old->log_fd, O_CLOEXEC) < 0)
		fprintf(stderr, "inetkit: %s: http: %s: %s\n", r->path,
			now->log_path, strerror(errno));
	else if (strdup_to(&cs->log_path, now->log_path) == 0)
		old->log_path = cs->log_path;	/* what its SIGHUP reopens */
	if (fd >= 0)
		close(fd);
}

static void
reload_server(const struct cfg_run *r, struct cfg_server *old,
	      const struct cfg_server *prev, const struct cfg_server *now)
{
	char kept[256] = "";

	if (strcmp(old->block->name, "dns") == 0) {
		struct cli_dns *o = (struct cli_dns *)old->srv;
		const struct cli_dns *n = (const struct cli_dns *)now->srv;
		memcpy(o->zones, n->zones, sizeof o->zones);
		o->nzones = n->nzones;
		o->hosts = n->hosts;
	} else if (strcmp(old->block->name, "http") == 0) {
		http_reopen_log(r, old, (const struct cli_http *)now->srv);
		cli_http_reload((struct cli_http *)old->srv,
				(struct cli_http *)now->srv, r->path, kept,
				sizeof kept);
	}
	report_keys(r, old->block, prev->block, now->block, kept);
	/* the server's own reload: zones, certificates (same paths) */
	if (old->srv->ops->hup)
		old->srv->ops->hup(old->srv);
}

/* SIGHUP: the file is read and checked again. What can change live is
 * applied; what cannot is named and kept. A bad file keeps everything.
 * The new generation's strings are kept until the next reload, since the
 * servers now point into them (zone paths). */
static void
config_hup(void *arg)
{
	struct cfg_run *r = arg, *n = calloc(1, sizeof *n);

	if (n == NULL)
		return;
	*n = (struct cfg_run){ .path = r->path, .only = r->only,
			       .oargc = r->oargc, .oargv = r->oargv,
			       .reloading = 1 };
	if (load(n) != 0 || prepare(n) != 0) {
		fprintf(stderr, "inetkit: %s: reload failed, nothing changed\n",
			r->path);
		run_free(n);
		return;
	}
	int same = n->n == r->n;
	for (int i = 0; same && i < r->n; i++)
		same = strcmp(n->servers[i].block->name,
			      r->servers[i].block->name) == 0;
	if (!same)
		fprintf(stderr, "inetkit: %s: services added or removed: only "
			"a restart applies it\n", r->path);
	if (run_workers(n) != run_workers(r))
		fprintf(stderr, "inetkit: %s: workers: changed, but only a "
			"restart applies it; kept as it was\n", r->path);
	/* the last reload's blocks, if it had the same services */
	const struct cfg_run *prev = r->older ? r->older : r;
	for (int i = 0; prev != r && i < r->n; i++)
		if (prev->n != r->n || strcmp(prev->servers[i].block->name,
					      r->servers[i].block->name) != 0)
			prev = r;
	for (int i = 0; same && i < r->n; i++)
		reload_server(r, &r->servers[i], &prev->servers[i],
			      &n->servers[i]);
	/* Keep the new generation's strings, which the servers now use;
	 * its own adapters (open roots) go now. */
	for (int i = 0; i < n->n; i++) {
		cli_server_fini(n->servers[i].srv);
		free(n->servers[i].srv);
		n->servers[i].srv = NULL;
	}
	/* once every server took n's values, the older reloads' strings
	 * are used no more: a reload storm does not grow the process */
	if (same) {
		run_free(r->older);
		r->older = NULL;
	}
	n->older = r->older;
	r->older = n;
	fprintf(stderr, "inetkit: %s: reloaded\n", r->path);
}

/* Each http status page shows the first name server's counters too. */
static void
link_status(struct cfg_run *r)
{
	struct cli_dns *dns = NULL;

	for (int i = 0; i < r->n && !dns; i++)
		if (strcmp(r->servers[i].block->name, "dns") == 0)
			dns = (struct cli_dns *)r->servers[i].srv;
	for (int i = 0; dns && i < r->n; i++)
		if (strcmp(r->servers[i].block->name, "http") == 0)
			cli_http_status_link_dns((struct cli_http *)
						 r->servers[i].srv, dns);
}

/* The sandbox lets SIGHUP read the file again. */
static int
config_sandbox(void *arg, struct sandbox *sb)
{
	const struct cfg_run *r = arg;

	return cli_sandbox_allow_dir(sb, r->path);
}

static int
noop_start(struct loop *l, int index, void *arg)
{
	return 0;
}

/* Loads (dns first, so that a bad zone stops everything before a
 * listener is bound), binds, and runs every server until SIGTERM. */
static int
run_servers(struct cfg_run *r, int tips)
{
	struct cli_engine engines[CONF_MAX_BLOCKS + 1];
	int workers = (int)run_workers(r), n = 0;

	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < r->n; i++) {
			struct cfg_server *cs = &r->servers[i];
			if ((strcmp(cs->block->name, "dns") == 0) != (pass == 0))
				continue;
			/* as cli_serve: none with only TLS listeners */
			if (cs->srv->listen->n == 0 && cs->srv->listen_default)
				cli_listen_add(cs->srv->listen,
					       cs->srv->listen_default);
			int rc = cli_server_setup(cs->srv, workers, &engines[n]);
			if (rc < 0)
				return cli_server_status(rc);
			engines[n++].hup = NULL;
		}
	link_status(r);
	/* One reload for the whole file, in the main thread. */
	engines[n++] = (struct cli_engine){ noop_start, NULL, config_hup, r,
					    config_sandbox };
	if (tips)
		cli_up_tips(NULL);
	return cli_run_engines(engines, n, workers);
}

int
cli_config_run(const char *path, const char *only, int argc, char **argv,
	       enum cli_config_mode mode)
{
	struct cfg_run *r = calloc(1, sizeof *r);
	int rc;

	if (r == NULL)
		return EXIT_FAIL;
	*r = (struct cfg_run){ .path = path, .only = only, .oargc = argc,
			       .oargv = argv };
	for (int i = 0; only == NULL && i < argc; i += 2) {
		if (strcmp(argv[i], "--workers") != 0 || i + 1 >= argc ||
		    cli_parse_int(argv[i + 1], 1, 256, &r->workers) < 0) {
			run_free(r);
			return cli_usage_error(CLI_CONFIG_USAGE, "serve --config: "
					       "unexpected '%s'", argv[i]);
		}
	}
	if (only == NULL)
		r->oargc = 0;
	rc = load(r);
	if (rc == 0)
		rc = prepare(r);
	if (rc == 0 && mode == CLI_CONFIG_CHECK)
		rc = check_files(r);
	if (rc == 0 && mode == CLI_CONFIG_CHECK)
		printf("%s: ok\n", path);
	else if (rc == 0)
		rc = run_servers(r, mode == CLI_CONFIG_UP);
	run_free(r);
	return rc;
}
