/* http_autoindex: an HTML listing of a directory. */
#ifndef INETKIT_HTTP_AUTOINDEX_H
#define INETKIT_HTTP_AUTOINDEX_H

#include "core/buf.h"

#define HTTP_AUTOINDEX_MAX (1024 * 1024)	/* bytes of a listing page */

/* Writes an HTML listing of the open directory dirfd (not consumed) into
 * page, with names escaped for HTML and links percent-encoded. path is the
 * decoded request path (the title). Returns 0, -errno or ERR_TOOBIG. */
int http_autoindex(int dirfd, const char *path, int dotfiles, struct buf *page);

#endif
