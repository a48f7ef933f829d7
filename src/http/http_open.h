/* http_open: opening a file beneath a document root, and its ETag: what
 * the responder (http_file) and the cache of open files (http_cache)
 * both do to a file, below both. */
#ifndef INETKIT_HTTP_OPEN_H
#define INETKIT_HTTP_OPEN_H

#include <stddef.h>
#include <sys/stat.h>

#define HTTP_ETAG_MAX 64	/* bytes of an ETag from http_open_etag */

/* Opens rel (a clean path without its leading '/') beneath the root
 * directory root_fd, following no symlink out of it. Returns the
 * descriptor (O_RDONLY, O_CLOEXEC, O_NONBLOCK) or -errno. */
int http_open(int root_fd, const char *rel);
/* A strong ETag from mtime and size into out (HTTP_ETAG_MAX bytes).
 * Returns its length. */
size_t http_open_etag(const struct stat *st, char *out);

#endif
