/* http_autoindex: an HTML listing of a directory, sorted by name, with
 * every name HTML-escaped in text and percent-encoded in links, so that a
 * file called "<script>" stays a name. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "http_autoindex.h"

#define HTTP_AUTOINDEX_MAX_NAMES 10000

static void
html_escape(struct buf *b, const char *s, int *err)
{
	for (; *s && !*err; s++) {
		const char *e = NULL;
		switch (*s) {
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '&': e = "&amp;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		}
		int rc = e ? buf_append(b, e, strlen(e)) : buf_append(b, s, 1);
		if (rc < 0)
			*err = rc;
	}
}

/* Percent-encodes everything but unreserved characters (RFC 3986). */
static void
url_escape(struct buf *b, const char *s, int *err)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s && !*err; s++) {
		unsigned char c = (unsigned char)*s;
		char e[3] = { '%', hex[c >> 4], hex[c & 15] };
		int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || strchr("-._~", c);
		int rc = buf_append(b, plain ? (const char *)s : e,
				    plain ? 1 : 3);
		if (rc < 0)
			*err = rc;
	}
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends name (with '/' when dir) to the vector. Returns 0 or an error. */
static int
name_push(char ***v, size_t *n, size_t *cap, const char *name, int dir)
{
	if (*n == HTTP_AUTOINDEX_MAX_NAMES)
		return ERR_TOOBIG;
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		char **nv = realloc(*v, c * sizeof *nv);
		if (nv == NULL)
			return -ENOMEM;
		*v = nv;
		*cap = c;
	}
	size_t len = strlen(name);
	char *s = malloc(len + 2);
	if (s == NULL)
		return -ENOMEM;
	memcpy(s, name, len);
	s[len] = '/';
	s[len + dir] = '\0';
	(*v)[(*n)++] = s;
	return 0;
}

/* A directory, not following symlinks: a link that leads out of the
 * root tells nothing about what it points to. */
static int
entry_is_dir(int dirfd, const struct dirent *e)
{
	struct stat st;

	if (e->d_type != DT_UNKNOWN)
		return e->d_type == DT_DIR;
	return fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		S_ISDIR(st.st_mode);
}

/* The names of the directory (directories with a trailing '/'); the
 * caller frees each and the vector. */
static int
names_read(int dirfd, int dotfiles, char ***out, size_t *count)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	size_t cap = 0;
	int rc = 0;

	*out = NULL;
	*count = 0;
	if (d == NULL) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		return rc;
	}
	struct dirent *e;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		const char *nm = e->d_name;
		if (nm[0] == '.' && (!dotfiles || !strcmp(nm, ".") ||
				     !strcmp(nm, "..")))
			continue;
		rc = name_push(out, count, &cap, nm, entry_is_dir(dirfd, e));
	}
	closedir(d);
	return rc;
}

static void
append(struct buf *b, const char *s, int *err)
{
	if (*err == 0 && buf_append(b, s, strlen(s)) < 0)
		*err = ERR_TOOBIG;
}

/* One "<li><a href="ENC">ESC</a></li>"; a directory's trailing '/' stays
 * a plain '/' in the link. */
static void
entry_write(struct buf *b, char *name, int *err)
{
	size_t n = strlen(name);
	int dir = name[n - 1] == '/';

	append(b, "<li><a href=\"", err);
	name[n - dir] = '\0';
	url_escape(b, name, err);
	name[n - dir] = dir ? '/' : '\0';
	append(b, dir ? "/\">" : "\">", err);
	html_escape(b, name, err);
	append(b, "</a></li>\n", err);
}

int
http_autoindex(int dirfd, const char *path, int dotfiles, struct buf *page)
{
	static const char head[] = "<!DOCTYPE html>\n<html><head>"
		"<meta charset=\"utf-8\"><title>Index of ";
	static const char body[] = "</title></head>\n<body><h1>Index of ";
	static const char list[] = "</h1>\n<ul>\n"
		"<li><a href=\"../\">../</a></li>\n";
	char **names;
	size_t n;
	int err = names_read(dirfd, dotfiles, &names, &n);

	buf_reset(page);
	if (err == 0) {
		qsort(names, n, sizeof *names, name_cmp);
		append(page, head, &err);
		html_escape(page, path, &err);
		append(page, body, &err);
		html_escape(page, path, &err);
		append(page, list, &err);
		for (size_t i = 0; i < n; i++)
			entry_write(page, names[i], &err);
		append(page, "</ul>\n</body></html>\n", &err);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}
