/* http_site: virtual hosts and their document roots (RFC 9110 section
 * 7.2), held open so that files are opened beneath them. */
#ifndef INETKIT_HTTP_SITE_H
#define INETKIT_HTTP_SITE_H

#include "http_parse.h"

#define HTTP_MAX_VHOSTS 64
#define HTTP_MAX_HOSTNAME 255

struct http_vhost {
	char name[HTTP_MAX_HOSTNAME + 1];	/* lowercase, no port */
	char *root;				/* path, for messages */
	int root_fd;				/* O_PATH directory */
};

struct http_site {
	struct http_vhost vhosts[HTTP_MAX_VHOSTS];
	int nvhosts;
	struct http_vhost def;		/* --root: any other host */
	unsigned autoindex : 1;		/* list directories without index */
	unsigned dotfiles : 1;		/* serve names starting with '.' */
};

/* Empties s. */
void http_site_init(struct http_site *s);
/* Opens dir as the default root (name NULL) or as the root of host name.
 * Returns 0, -errno (no such directory), ERR_TOOBIG or ERR_PARSE. */
int http_site_add(struct http_site *s, const char *name, const char *dir);
/* Closes the roots. */
void http_site_fini(struct http_site *s);
/* The vhost a Host value picks (case-insensitive, port and trailing dot
 * ignored), or the default. NULL when there is no default root. */
const struct http_vhost *http_site_find(const struct http_site *s,
					struct http_slice host);

#endif
