/* http_open: a file opened beneath its document root with openat2
 * RESOLVE_BENEATH, so that no symlink or ".." leads out, and its strong
 * ETag (RFC 9110 section 8.8.3). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "http_open.h"

/* Without openat2 (kernels before 5.6, valgrind): walks rel one
 * component at a time with O_NOFOLLOW, so no symlink is followed at all
 * (stricter than RESOLVE_BENEATH, which follows those that stay beneath).
 * The path is clean: no "." or ".." segments, no repeated slashes. */
static int
open_walk(int root_fd, const char *rel)
{
	char part[256];
	int dir = root_fd;

	for (;;) {
		const char *slash = strchr(rel, '/');
		size_t n = slash ? (size_t)(slash - rel) : strlen(rel);
		if (n >= sizeof part) {
			if (dir != root_fd)
				close(dir);
			return -ENAMETOOLONG;
		}
		memcpy(part, rel, n);
		part[n] = '\0';
		int fd = openat(dir, n ? part : ".", O_RDONLY | O_CLOEXEC |
				O_NONBLOCK | O_NOCTTY | O_NOFOLLOW |
				(slash && slash[1] ? O_DIRECTORY : 0));
		int err = errno;
		if (dir != root_fd)
			close(dir);
		if (fd < 0)
			return -err;
		if (slash == NULL || slash[1] == '\0')
			return fd;
		dir = fd;
		rel = slash + 1;
	}
}

int
http_open(int root_fd, const char *rel)
{
	static int no_openat2;
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};

	if (!no_openat2) {
		long fd = syscall(SYS_openat2, root_fd, rel[0] ? rel : ".",
				  &how, sizeof how);
		if (fd >= 0)
			return (int)fd;
		if (errno != ENOSYS)
			return -errno;
		no_openat2 = 1;
	}
	return open_walk(root_fd, rel);
}

static size_t
hex_format(char *out, uint64_t v)
{
	char d[16];
	size_t n = 0;

	do {
		d[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = d[n - 1 - i];
	return n;
}

/* A strong validator: mtime to the nanosecond and size (RFC 9110 section
 * 8.8.3). A compressed sibling has its own stat, hence its own tag. */
size_t
http_open_etag(const struct stat *st, char *out)
{
	char *e = out;

	*e++ = '"';
	e += hex_format(e, (uint64_t)st->st_mtim.tv_sec);
	*e++ = '-';
	e += hex_format(e, (uint64_t)st->st_mtim.tv_nsec);
	*e++ = '-';
	e += hex_format(e, (uint64_t)st->st_size);
	*e++ = '"';
	return (size_t)(e - out);
}
