/* http_gw_config: the routes of programs behind the server (--cgi,
 * --fastcgi), checked once when the server starts. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "http_gw.h"

void
http_gw_config_init(struct http_gw_config *c)
{
	memset(c, 0, sizeof *c);
	c->timeout_ms = HTTP_GW_DEFAULT_TIMEOUT_MS;
	c->max_cgi = HTTP_GW_DEFAULT_MAX;
	atomic_init(&c->running, 0);
	c->tmpdir = "/tmp";
	for (int i = 0; i < HTTP_GW_MAX_ROUTES; i++)
		c->routes[i].dir_fd = -1;
}

/* A new route for prefix ("/cgi-bin" and "/cgi-bin/" alike). */
static struct http_gw_route *
route_add(struct http_gw_config *c, const char *prefix, int *rc)
{
	size_t n = strlen(prefix);

	*rc = ERR_PARSE;
	if (n == 0 || prefix[0] != '/' || strstr(prefix, "/.") ||
	    strstr(prefix, "//"))
		return NULL;
	*rc = ERR_TOOBIG;
	if (n > HTTP_GW_MAX_PREFIX || c->nroutes == HTTP_GW_MAX_ROUTES)
		return NULL;
	struct http_gw_route *r = &c->routes[c->nroutes];
	memcpy(r->prefix, prefix, n);
	if (prefix[n - 1] != '/')
		r->prefix[n++] = '/';
	r->prefix[n] = '\0';
	r->prefix_len = n;
	*rc = 0;
	return r;
}

int
http_gw_add_cgi(struct http_gw_config *c, const char *prefix,
		const char *dir)
{
	int rc;
	struct http_gw_route *r = route_add(c, prefix, &rc);
	char abs[PATH_MAX];

	if (r == NULL)
		return rc;
	if (realpath(dir, abs) == NULL)
		return -errno;
	r->dir_fd = open(abs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->dir_fd < 0)
		return -errno;
	r->dir = strdup(abs);
	if (r->dir == NULL) {
		close(r->dir_fd);
		r->dir_fd = -1;
		return -ENOMEM;
	}
	r->kind = HTTP_GW_CGI;
	c->nroutes++;
	return 0;
}

int
http_gw_add_fcgi(struct http_gw_config *c, const char *prefix,
		 const char *backend)
{
	int rc;
	struct http_gw_route *r = route_add(c, prefix, &rc);

	if (r == NULL)
		return rc;
	if (strncmp(backend, "unix:", 5) == 0) {
		const char *path = backend + 5;
		if (path[0] == '\0' || strlen(path) >= sizeof r->sun.sun_path)
			return ERR_PARSE;
		r->unix_sock = 1;
		r->sun.sun_family = AF_UNIX;
		strcpy(r->sun.sun_path, path);
	} else if (net_addr_parse(backend, &r->addr) < 0) {
		return ERR_PARSE;
	}
	r->kind = HTTP_GW_FCGI;
	r->dir_fd = -1;
	c->nroutes++;
	return 0;
}

void
http_gw_config_fini(struct http_gw_config *c)
{
	for (int i = 0; i < c->nroutes; i++) {
		if (c->routes[i].dir_fd >= 0)
			close(c->routes[i].dir_fd);
		free(c->routes[i].dir);
		c->routes[i].dir = NULL;
		c->routes[i].dir_fd = -1;
	}
	c->nroutes = 0;
}
