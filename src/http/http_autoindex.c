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
#include "http_file.h"

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

/* The names of the directory (directories with a trailing '/'), in one
 * allocation the caller frees. */
static int
names_read(int dirfd, int dotfiles, char ***out, size_t *count)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	char **v = NULL;
	size_t n = 0, cap = 0;
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
	while ((e = readdir(d)) != NULL && rc == 0) {
		if (e->d_name[0] == '.' && (!dotfiles || !strcmp(e->d_name, ".") ||
					    !strcmp(e->d_name, "..")))
			continue;
		struct stat st;
		int dir = fstatat(dirfd, e->d_name, &st, 0) == 0 &&
			S_ISDIR(st.st_mode);
		if (n == HTTP_AUTOINDEX_MAX_NAMES) {
			rc = ERR_TOOBIG;
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nv = realloc(v, cap * sizeof *v);
			if (nv == NULL) {
				rc = -ENOMEM;
				break;
			}
			v = nv;
		}
		size_t len = strlen(e->d_name);
		v[n] = malloc(len + 2);
		if (v[n] == NULL) {
			rc = -ENOMEM;
			break;
		}
		memcpy(v[n], e->d_name, len);
		v[n][len] = '/';
		v[n][len + dir] = '\0';
		n++;
	}
	closedir(d);
	*out = v;
	*count = n;
	return rc;
}

int
http_autoindex(int dirfd, const char *path, int dotfiles, struct buf *page)
{
	char **names;
	size_t n;
	int err = names_read(dirfd, dotfiles, &names, &n);

	buf_reset(page);
	if (err == 0) {
		qsort(names, n, sizeof *names, name_cmp);
		static const char *const head[] = {
			"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
			"<title>Index of ", "</title></head>\n<body><h1>Index of ",
			"</h1>\n<ul>\n<li><a href=\"../\">../</a></li>\n" };
		for (int k = 0; k < 3 && !err; k++) {
			if (buf_append(page, head[k], strlen(head[k])) < 0)
				err = ERR_TOOBIG;
			if (k < 2)
				html_escape(page, path, &err);
		}
		for (size_t i = 0; i < n && !err; i++) {
			err = buf_append(page, "<li><a href=\"", 13);
			url_escape(page, names[i], &err);
			if (!err && names[i][strlen(names[i]) - 1] == '/')
				page->len -= 3;	/* the '/' stays a '/' */
			if (!err && names[i][strlen(names[i]) - 1] == '/')
				err = buf_append(page, "/", 1);
			if (!err)
				err = buf_append(page, "\">", 2);
			html_escape(page, names[i], &err);
			if (!err)
				err = buf_append(page, "</a></li>\n", 10);
		}
		if (!err)
			err = buf_append(page, "</ul>\n</body></html>\n", 21);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}
