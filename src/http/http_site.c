/* http_site: virtual hosts (RFC 9110 section 7.2): the Host of a request,
 * without its port, picks a document root; any other host gets the
 * default root. Roots are held open (O_PATH), so that files are opened
 * beneath them and a renamed path cannot redirect us. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/err.h"
#include "http_site.h"

void
http_site_init(struct http_site *s)
{
	memset(s, 0, sizeof *s);
	s->def.root_fd = -1;
}

static int
vhost_open(struct http_vhost *v, const char *name, const char *dir)
{
	size_t n = name ? strlen(name) : 0;

	if (n > HTTP_MAX_HOSTNAME)
		return ERR_TOOBIG;
	for (size_t i = 0; i < n; i++)
		v->name[i] = (char)tolower((unsigned char)name[i]);
	v->name[n] = '\0';
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	v->root = strdup(dir);
	if (v->root == NULL) {
		close(fd);
		return -ENOMEM;
	}
	v->root_fd = fd;
	return 0;
}

int
http_site_add(struct http_site *s, const char *name, const char *dir)
{
	if (name == NULL) {
		if (s->def.root_fd >= 0)
			return ERR_PARSE;
		return vhost_open(&s->def, NULL, dir);
	}
	if (name[0] == '\0' || strchr(name, '/') || strchr(name, ':'))
		return ERR_PARSE;
	if (s->nvhosts == HTTP_MAX_VHOSTS)
		return ERR_TOOBIG;
	int rc = vhost_open(&s->vhosts[s->nvhosts], name, dir);
	if (rc == 0)
		s->nvhosts++;
	return rc;
}

void
http_site_fini(struct http_site *s)
{
	for (int i = 0; i < s->nvhosts; i++) {
		close(s->vhosts[i].root_fd);
		free(s->vhosts[i].root);
	}
	if (s->def.root_fd >= 0)
		close(s->def.root_fd);
	free(s->def.root);
	http_site_init(s);
}

const struct http_vhost *
http_site_find(const struct http_site *s, struct http_slice host)
{
	size_t n = host.n;

	/* "[v6]:port", "name:port", "name." */
	if (n && host.p[0] == '[') {
		const char *e = memchr(host.p, ']', n);
		n = e ? (size_t)(e - host.p) + 1 : n;
	} else {
		const char *c = memchr(host.p, ':', n);
		n = c ? (size_t)(c - host.p) : n;
	}
	if (n && host.p[n - 1] == '.')
		n--;
	for (int i = 0; i < s->nvhosts; i++)
		if (strlen(s->vhosts[i].name) == n &&
		    strncasecmp(s->vhosts[i].name, host.p, n) == 0)
			return &s->vhosts[i];
	return s->def.root_fd >= 0 ? &s->def : NULL;
}
