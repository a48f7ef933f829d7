/* http_path: from the path of a request target to a clean file path:
 * percent-decoding (RFC 3986 section 2.1) and dot-segment removal (section
 * 5.2.4). A path that would climb above the root is refused rather than
 * clamped, and so are encoded NUL and "/" bytes, which no file name holds
 * and which only serve to slip past checks. */
#include <string.h>

#include "core/err.h"
#include "http_path.h"
#include "url/url.h"

/* Removes ".", ".." and empty segments of the decoded path in place.
 * Keeps a trailing slash, which marks a directory. */
static ssize_t
dots_remove(char *s, size_t n)
{
	size_t w = 0, i = 0;
	int dir = 0;

	while (i < n) {
		while (i < n && s[i] == '/')
			i++;
		size_t b = i;
		while (i < n && s[i] != '/')
			i++;
		size_t len = i - b;
		dir = i < n || len == 0;
		if (len == 0 || (len == 1 && s[b] == '.')) {
			dir = 1;
			continue;
		}
		if (len == 2 && s[b] == '.' && s[b + 1] == '.') {
			if (w == 0)
				return ERR_PARSE;
			while (w > 0 && s[w - 1] != '/')
				w--;
			w--;
			dir = 1;
			continue;
		}
		s[w++] = '/';
		memmove(s + w, s + b, len);
		w += len;
	}
	if (w == 0 || dir)
		s[w++] = '/';
	return (ssize_t)w;
}

ssize_t
http_path_clean(const char *p, size_t n, char *out, size_t size)
{
	if (n == 0 || p[0] != '/')
		return ERR_PARSE;
	if (n + 2 > size)
		return ERR_TOOBIG;
	ssize_t len = url_pct_decode(p, n, out, size, URL_DEC_PATH);
	if (len < 0)
		return len;
	len = dots_remove(out, (size_t)len);
	if (len < 0)
		return len;
	out[len] = '\0';
	return len;
}

int
http_path_is_hidden(const char *path)
{
	for (const char *s = path; *s; s++)
		if (s[0] == '/' && s[1] == '.')
			return 1;
	return 0;
}
