/* cli_http_reload: what a reload of `serve --config` changes in a running
 * web server. The block read again is parsed into a fresh adapter (its
 * roots opened, its limits checked); its live settings become a new
 * generation (http/http_gen.h), built aside and published to the workers
 * in one step; what cannot apply (a root the sandbox does not let us
 * read, certificates that do not load) keeps its old value and is said.
 * The listeners, the user, the gateways, --auth's prefixes and the status
 * page stay as they were started (cli_config.c names them). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "http/http_gen.h"

int
cli_http_reload_setup(struct cli_http *e)
{
	e->gens = http_gens_new(&e->cfg, &e->limits);
	if (e->gens == NULL)
		return -ENOMEM;
	e->cfg.gens = e->gens;
	return 0;
}

void
cli_http_reload_fini(struct cli_http *e)
{
	http_gens_free(e->gens);
	e->gens = NULL;
	e->cfg.gens = NULL;
}

static void
kept_add(char *kept, size_t len, const char *key)
{
	size_t n = strlen(kept);

	if (!cli_word_in(kept, key))
		snprintf(kept + n, len - n, "%s%s", n ? " " : "", key);
}

/* Whether the server may still read beneath dir. Roots are held as O_PATH
 * descriptors, which open anywhere, while Landlock fixed at start-up the
 * folders whose files may be read: try what serving needs, a listing. */
static int
root_readable(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* d (its name kept) becomes a copy of s: same folder, own descriptor.
 * Returns 0 or -1 (d then has no root). */
static int
vhost_copy(struct http_vhost *d, const struct http_vhost *s)
{
	if (d->root_fd >= 0)
		close(d->root_fd);
	free(d->root);
	d->root = strdup(s->root);
	d->root_fd = fcntl(s->root_fd, F_DUPFD_CLOEXEC, 0);
	if (d->root && d->root_fd >= 0)
		return 0;
	free(d->root);
	if (d->root_fd >= 0)
		close(d->root_fd);
	d->root = NULL;
	d->root_fd = -1;
	return -1;
}

static const struct http_vhost *
vhost_named(const struct http_site *s, const char *name)
{
	if (name[0] == '\0')
		return s->def.root_fd >= 0 ? &s->def : NULL;
	for (int i = 0; i < s->nvhosts; i++)
		if (strcmp(s->vhosts[i].name, name) == 0)
			return &s->vhosts[i];
	return NULL;
}

/* One root of the new site that the server cannot read: the old root of
 * that name stays, or the name goes. Returns 1 when v is to be dropped. */
static int
root_refused(const char *where, struct http_vhost *v,
	     const struct http_site *old, int err)
{
	const struct http_vhost *o = vhost_named(old, v->name);

	fprintf(stderr, "inetkit: %s: http: %s%s: %s: %s: the sandbox lets "
		"the server read only the folders allowed at start: only a "
		"restart applies it; %s\n", where, v->name[0] ? "vhost " :
		"root", v->name, v->root, strerror(-err),
		o ? "kept as it was" : "not served");
	return o == NULL || vhost_copy(v, o) < 0;
}

static void
vhost_drop(struct http_site *s, int i)
{
	close(s->vhosts[i].root_fd);
	free(s->vhosts[i].root);
	memmove(&s->vhosts[i], &s->vhosts[i + 1],
		(size_t)(s->nvhosts - i - 1) * sizeof s->vhosts[0]);
	s->nvhosts--;
}

/* The new site's roots that cannot be read give way to the old ones. The
 * root is then kept (one value); the other vhosts still apply. */
static void
site_check(const char *where, struct http_site *n, const struct http_site *old,
	   char *kept, size_t len)
{
	int rc;

	if (n->def.root_fd >= 0 && (rc = root_readable(n->def.root)) < 0) {
		kept_add(kept, len, "root");
		if (root_refused(where, &n->def, old, rc)) {
			close(n->def.root_fd);
			free(n->def.root);
			n->def.root = NULL;
			n->def.root_fd = -1;
		}
	}
	for (int i = 0; i < n->nvhosts; i++) {
		if ((rc = root_readable(n->vhosts[i].root)) == 0)
			continue;
		if (root_refused(where, &n->vhosts[i], old, rc))
			vhost_drop(n, i--);
	}
}

/* The pairs in the order cli_http_tls_load gives them: the default
 * first, then those of --sni. */
static void
tls_pairs(const struct cli_http *e, struct net_tls_server_config *c)
{
	*c = e->tls;
	memmove(&c->certs[1], &c->certs[0], (size_t)c->ncerts *
		sizeof c->certs[0]);
	c->certs[0] = (struct net_tls_cert){ NULL, e->cert, e->key };
	c->ncerts++;
}

/* The certificates of n, loaded for the next handshakes (the files are
 * read again even when the paths are the same, as on any SIGHUP). */
static void
tls_reload(struct cli_http *e, const struct cli_http *n, const char *where,
	   char *kept, size_t len)
{
	static const char *const keys[] = { "cert", "key", "sni", "tls-min" };
	struct net_tls_server_config c;
	char err[NET_TLS_ERR_MAX];

	if (e->tls_srv == NULL)
		return;
	/* without a pair (TLS taken out of the file): the pairs stay, as
	 * the listeners do, whose change is reported */
	int rc = n->cert && n->key ? 0 : -1;
	if (rc == 0) {
		tls_pairs(n, &c);
		rc = net_tls_server_reconfigure(e->tls_srv, &c, err,
						sizeof err);
	}
	if (rc == 0)
		return;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		kept_add(kept, len, keys[i]);
	if (n->cert && n->key)
		fprintf(stderr, "inetkit: %s: http: certificates: %s (a file "
			"outside the folders allowed at start needs a "
			"restart); the old ones kept\n", where, err);
}

/* The plain values of n's config that apply from the next request. */
static void
plain_values(struct http_server_config *g, const struct cli_http *e,
	     const struct cli_http *n)
{
	const struct http_server_config *c = &n->cfg;

	g->header_timeout_ms = c->header_timeout_ms;
	g->idle_timeout_ms = c->idle_timeout_ms;
	g->send_timeout_ms = c->send_timeout_ms;
	g->max_body = c->max_body;
	g->sendfile = c->sendfile;
	g->max_conns = cli_server_share(c->max_conns, e->srv.nworkers);
	if (e->tls_srv) {
		g->hsts_s = c->hsts_s;
		g->redirect_https = c->redirect_https;
	}
}

void
cli_http_reload(struct cli_http *e, struct cli_http *n, const char *where,
		char *kept, size_t kept_len)
{
	if (e->gens == NULL)
		return;
	const struct http_gen *cur = atomic_load(&e->gens->cur);
	struct http_gen *g = http_gen_new(e->gens);
	if (g == NULL || http_gen_set_limits(e->gens, g, &n->limits) < 0) {
		http_gen_discard(g);
		fprintf(stderr, "inetkit: %s: http: out of memory: nothing "
			"changed\n", where);
		kept_add(kept, kept_len, "*");
		return;
	}
	site_check(where, &n->site, cur->cfg.site, kept, kept_len);
	/* nothing left to serve: keep the old site whole */
	if (n->site.def.root_fd < 0 && n->site.nvhosts == 0) {
		const struct http_site *o = cur->cfg.site;
		n->site.autoindex = o->autoindex;
		n->site.dotfiles = o->dotfiles;
		if (o->def.root_fd >= 0)
			vhost_copy(&n->site.def, &o->def);
		for (int i = 0; i < o->nvhosts; i++) {
			struct http_vhost *v = &n->site.vhosts[n->site.nvhosts];
			memcpy(v->name, o->vhosts[i].name, sizeof v->name);
			v->root_fd = -1;
			v->root = NULL;
			if (vhost_copy(v, &o->vhosts[i]) == 0)
				n->site.nvhosts++;
		}
	}
	http_gen_set_site(g, &n->site);
	plain_values(&g->cfg, e, n);
	http_gens_publish(e->gens, g);
	tls_reload(e, n, where, kept, kept_len);
}
