/* http_file: the static-file responder (RFC 9110): methods, mapping Host
 * and path to a file beneath the vhost's root (through the cache, or
 * http_open, so no symlink or ".." leads out), conditional requests
 * (section 13), ranges (section 14), content codings (section 8.4:
 * precompressed siblings, or compressed on the fly by http_encode) and
 * directories. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "http_autoindex.h"
#include "http_cache.h"
#include "http_date.h"
#include "http_encode.h"
#include "http_file.h"
#include "http_mime.h"
#include "http_open.h"
#include "http_path.h"
#include "http_range.h"

#define HTTP_ALLOW "GET, HEAD, OPTIONS"
#define HTTP_BOUNDARY "inetkit-7e3a9c1f5b2d4a60"

/* The request fields the responder reads, found in one pass. */
enum {
	HF_IF_MATCH, HF_IF_NONE_MATCH, HF_IF_MODIFIED_SINCE,
	HF_IF_UNMODIFIED_SINCE, HF_RANGE, HF_IF_RANGE, HF_ACCEPT_ENCODING,
	HF_COUNT,
};

static const char *const http_file_fields[HF_COUNT] = {
	"if-match", "if-none-match", "if-modified-since",
	"if-unmodified-since", "range", "if-range", "accept-encoding",
};

/* What the responder knows about the representation it serves. */
struct http_file {
	const struct http_slice *h[HF_COUNT];	/* NULL when absent */
	int fd;			/* owned, or -1 */
	int cache_fd;		/* the cache's descriptor (borrowed), or -1 */
	const char *body;	/* the cache's copy of a small file, or NULL */
	const char *head;	/* the cache's fields of a plain 200, or NULL */
	size_t head_len;
	int validated;		/* etag and modified are filled in */
	struct stat st;
	const char *type;	/* Content-Type */
	const char *encoding;	/* Content-Encoding, or NULL */
	int type_ok;		/* the type compresses (http_encode_type_ok) */
	int vary;		/* the reply varies with Accept-Encoding */
	struct http_blob *coded;	/* compressed on the fly, or NULL */
	char etag[HTTP_ETAG_MAX];
	size_t etag_len;
	char modified[32];	/* Last-Modified */
};

static int
errno_status(int rc)
{
	switch (rc) {
	case -EACCES:
	case -EPERM:
		return 403;
	case -EMFILE:
	case -ENFILE:
		return 503;
	case -ENOENT:
	case -ENOTDIR:
	case -ELOOP:
	case -EXDEV:
	case -ENAMETOOLONG:
		return 404;
	}
	return 500;
}

static void
file_validators(struct http_file *f)
{
	if (f->validated)
		return;
	f->etag_len = http_open_etag(&f->st, f->etag);
	clock_format_http_date(f->st.st_mtim.tv_sec, f->modified);
	f->validated = 1;
}

/* Makes f the cached file e (no descriptor of its own yet). */
static void
file_from_cache(struct http_file *f, const struct http_cache_entry *e)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	f->cache_fd = e->fd;
	f->body = e->body;
	f->st = e->st;
	memcpy(f->etag, e->etag, e->etag_len);
	f->etag_len = e->etag_len;
	memcpy(f->modified, e->modified, 30);
	f->validated = 1;
}

/* A descriptor of f for the reply to own: its own, or a duplicate of the
 * cache's (which the cache may close at any time). -1 on failure. */
static int
file_take_fd(struct http_file *f)
{
	int fd = f->fd;

	f->fd = -1;
	if (fd < 0 && f->cache_fd >= 0)
		fd = fcntl(f->cache_fd, F_DUPFD_CLOEXEC, 0);
	return fd;
}

/* True when the entity-tag list v holds tag (or is "*"); strong refuses
 * weak tags (RFC 9110 section 8.8.3.2). */
static int
etag_list_match(struct http_slice v, const char *tag, size_t n, int strong)
{
	size_t i = 0;

	while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t'))
		i++;
	if (i < v.n && v.p[i] == '*')
		return 1;
	while (i < v.n) {
		while (i < v.n && (v.p[i] == ' ' || v.p[i] == ',' ||
				   v.p[i] == '\t'))
			i++;
		int weak = i + 1 < v.n && v.p[i] == 'W' && v.p[i + 1] == '/';
		if (weak)
			i += 2;
		if (i >= v.n || v.p[i] != '"')
			return 0;
		const char *q = memchr(v.p + i + 1, '"', v.n - i - 1);
		if (q == NULL)
			return 0;
		size_t len = (size_t)(q - (v.p + i)) + 1;
		if (len == n && memcmp(v.p + i, tag, n) == 0 &&
		    !(strong && weak))
			return 1;
		i += len;
	}
	return 0;
}

static void
fields_collect(const struct http_request *r, struct http_file *f)
{
	for (size_t i = 0; i < r->nheaders; i++) {
		const struct http_header *h = &r->headers[i];
		/* every name of interest starts with 'i', 'r' or 'a' */
		char c = (char)(h->name.p[0] | 0x20);
		if (c != 'i' && c != 'r' && c != 'a')
			continue;
		for (int k = 0; k < HF_COUNT; k++)
			if (f->h[k] == NULL &&
			    http_slice_eqi(h->name, http_file_fields[k]))
				f->h[k] = &h->value;
	}
}

/* RFC 9110 section 13.2.2, steps 1-4: 0 to go on, or 304 / 412. */
static int
preconditions(const struct http_request *r, const struct http_file *f)
{
	const struct http_slice *v;
	time_t t;

	v = f->h[HF_IF_MATCH];
	if (v && !etag_list_match(*v, f->etag, f->etag_len, 1))
		return 412;
	if (v == NULL) {
		v = f->h[HF_IF_UNMODIFIED_SINCE];
		if (v && http_date_parse(*v, &t) == 0 &&
		    f->st.st_mtim.tv_sec > t)
			return 412;
	}
	v = f->h[HF_IF_NONE_MATCH];
	if (v)
		return etag_list_match(*v, f->etag, f->etag_len, 0) ? 304 : 0;
	v = f->h[HF_IF_MODIFIED_SINCE];
	if (v && http_date_parse(*v, &t) == 0 && f->st.st_mtim.tv_sec <= t)
		return 304;
	return 0;
}

/* True when a sibling's mtime is older than the file's: it was made
 * from an earlier version and is not served. */
static int
sibling_stale(const struct stat *sib, const struct stat *st)
{
	return sib->st_mtim.tv_sec < st->st_mtim.tv_sec ||
		(sib->st_mtim.tv_sec == st->st_mtim.tv_sec &&
		 sib->st_mtim.tv_nsec < st->st_mtim.tv_nsec);
}

/* The sibling name.ext as f, from the cache when there is one. Returns 0,
 * or -1 when there is no such regular file or it is stale. */
static int
sibling_open(struct http_cache *cache, const struct http_vhost *v,
	     const char *path, size_t n, struct http_file *f)
{
	const struct http_cache_entry *e;
	struct stat st;
	int rc = cache ? http_cache_get(cache, v, path, n, &e) :
		HTTP_CACHE_UNCACHED;

	if (rc == 0 && sibling_stale(&e->st, &f->st))
		return -1;
	if (rc == 0)
		file_from_cache(f, e);
	if (rc != HTTP_CACHE_UNCACHED)
		return rc == 0 ? 0 : -1;
	int fd = http_open(v->root_fd, path + 1);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    sibling_stale(&st, &f->st)) {
		close(fd);
		return -1;
	}
	if (f->fd >= 0)
		close(f->fd);
	f->fd = fd;
	f->cache_fd = -1;
	f->body = NULL;
	f->validated = 0;
	f->st = st;
	return 0;
}

/* Swaps f to the precompressed sibling in coding c (name.br, .zst, .gz)
 * when there is a fresh one. */
static int
sibling_try(struct http_cache *cache, const struct http_vhost *v, char *path,
	    size_t n, enum http_coding c, struct http_file *f)
{
	static const char *const ext[HTTP_CODINGS] = {
		NULL, ".gz", ".br", ".zst",
	};
	size_t en = strlen(ext[c]);

	memcpy(path + n, ext[c], en + 1);
	int rc = sibling_open(cache, v, path, n + en, f);
	path[n] = '\0';
	if (rc < 0)
		return 0;
	f->head = NULL;
	f->encoding = http_coding_name(c);
	f->vary = 1;
	return 1;
}

/* f compressed in coding c, from the worker's variants; its ETag is
 * the file's with the coding inside the quotes ("...-gzip"), a strong
 * tag of its own (RFC 9110 section 8.8.3.3). */
static int
encode_try(struct http_encode *enc, enum http_coding c, struct http_file *f)
{
	const char *name = http_coding_name(c);
	size_t nn = strlen(name);
	struct http_blob *b = http_encode_get(enc, &f->st, f->fd >= 0 ?
					      f->fd : f->cache_fd, f->body, c);

	if (b == NULL)
		return 0;
	f->coded = b;
	f->encoding = name;
	f->head = NULL;
	f->etag[f->etag_len - 1] = '-';
	memcpy(f->etag + f->etag_len, name, nn);
	f->etag_len += nn;
	f->etag[f->etag_len++] = '"';
	return 1;
}

static int range_applies(const struct http_request *r,
			 const struct http_file *f);

/* The coding for a client that sent Accept-Encoding ae (RFC 9110
 * section 12.5.3): a fresh precompressed sibling in any coding it takes,
 * else one made on the fly (fly: compression takes this file), else the
 * file as it is. A Range that applies is answered from the file itself,
 * never from coded bytes. Out of line, so that a request without
 * Accept-Encoding pays nothing for it (bench/callgrind.sh). */
static __attribute__((noinline)) void
pick_coding(const struct http_request *r, struct http_file_scratch *sc,
	    const struct http_vhost *v, char *path, size_t n,
	    struct http_file *f, int fly)
{
	enum http_coding order[HTTP_CODINGS];
	struct http_accept acc;

	file_validators(f);
	if (f->h[HF_RANGE] && range_applies(r, f))
		return;
	http_accept_parse(*f->h[HF_ACCEPT_ENCODING], &acc);
	int k = http_accept_rank(&acc, HTTP_CODING_ALL, order);
	for (int i = 0; i < k; i++)
		if (sibling_try(sc->cache, v, path, n, order[i], f))
			return;
	unsigned mask = fly ? sc->enc_cfg->codings : 0;
	for (int i = 0; i < k; i++)
		if ((mask & HTTP_CODING_BIT(order[i])) &&
		    encode_try(sc->enc, order[i], f))
			return;
}

/* Whether f's reply varies with Accept-Encoding (compression on the fly
 * takes it: Vary, coded or not), and its coding when the client sent
 * Accept-Encoding. */
static void
negotiate(const struct http_request *r, struct http_file_scratch *sc,
	  const struct http_vhost *v, char *path, size_t n,
	  struct http_file *f)
{
	const struct http_encode_config *c = sc->enc_cfg;
	uint64_t size = (uint64_t)f->st.st_size;

	f->vary = c && f->type_ok && size >= c->min && size <= c->max;
	if (f->h[HF_ACCEPT_ENCODING])
		pick_coding(r, sc, v, path, n, f, f->vary);
}

/* What f holds besides its descriptor. */
static void
file_done(struct http_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	http_blob_put(f->coded);
	f->coded = NULL;
}

static void
common_fields(struct http_reply *rep, const struct http_file *f)
{
	http_reply_header(rep, "Content-Type", f->type, strlen(f->type));
	http_reply_header(rep, "Last-Modified", f->modified, 29);
	http_reply_header(rep, "ETag", f->etag, f->etag_len);
	if (f->encoding)
		http_reply_header(rep, "Content-Encoding", f->encoding,
				  strlen(f->encoding));
	if (f->vary)
		http_reply_header(rep, "Vary", "Accept-Encoding", 15);
}

/* A part header of multipart/byteranges (RFC 9110 section 14.6). */
static size_t
part_head(char *out, size_t size, const char *type, const struct http_range *r,
	  uint64_t total)
{
	int n = snprintf(out, size, "\r\n--" HTTP_BOUNDARY "\r\n"
			 "Content-Type: %s\r\n"
			 "Content-Range: bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64
			 "\r\n\r\n", type, r->first, r->last, total);

	return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

static const char multipart_end[] = "\r\n--" HTTP_BOUNDARY "--\r\n";

/* 206 with one part or multipart/byteranges. */
static void
reply_ranges(struct http_reply *rep, const struct http_request *r,
	     struct http_file *f, const struct http_range *rg, int n)
{
	uint64_t size = (uint64_t)f->st.st_size;
	char buf[512];

	http_reply_begin(rep, 206);
	if (n == 1) {
		int k = snprintf(buf, sizeof buf, "bytes %" PRIu64 "-%" PRIu64
				 "/%" PRIu64, rg[0].first, rg[0].last, size);
		common_fields(rep, f);
		http_reply_header(rep, "Content-Range", buf, (size_t)k);
		rep->body_len = rg[0].last - rg[0].first + 1;
	} else {
		const char *t = "multipart/byteranges; boundary=" HTTP_BOUNDARY;
		struct http_file mf = *f;
		mf.type = t;
		common_fields(rep, &mf);
		for (int i = 0; i < n; i++)
			rep->body_len += part_head(buf, sizeof buf, f->type,
						   &rg[i], size) +
				rg[i].last - rg[i].first + 1;
		rep->body_len += sizeof multipart_end - 1;
	}
	http_reply_end(rep, r->version == 10 && r->keep_alive);
	for (int i = 0; i < n && n > 1; i++) {
		size_t at = rep->out_len;
		size_t k = part_head(buf, sizeof buf, f->type, &rg[i], size);
		http_reply_raw(rep, buf, k);
		http_reply_seg(rep, HTTP_SEG_OUT, at, k);
		http_reply_seg(rep, HTTP_SEG_FILE, rg[i].first,
			       rg[i].last - rg[i].first + 1);
	}
	if (n == 1) {
		http_reply_seg(rep, HTTP_SEG_FILE, rg[0].first, rep->body_len);
	} else {
		size_t at = rep->out_len;
		http_reply_raw(rep, multipart_end, sizeof multipart_end - 1);
		http_reply_seg(rep, HTTP_SEG_OUT, at, sizeof multipart_end - 1);
	}
}

/* 200 with the whole file: small bodies are read into the out buffer
 * behind the head so that both leave in one write. */
static void
reply_whole(struct http_reply *rep, const struct http_request *r,
	    struct http_file *f)
{
	uint64_t size = (uint64_t)f->st.st_size;

	http_reply_begin(rep, 200);
	rep->head_only = r->method == HTTP_M_HEAD;
	if (f->head) {
		/* the cache's Vary line follows its fields */
		http_reply_raw(rep, f->head, f->head_len + (f->vary ? 23 : 0));
	} else {
		common_fields(rep, f);
		http_reply_raw(rep, "Accept-Ranges: bytes\r\n", 22);
	}
	rep->body_len = size;
	http_reply_end(rep, r->version == 10 && r->keep_alive);
	if (rep->head_only || size == 0)
		return;
	size_t at = rep->out_len;
	if (size <= HTTP_SMALL_BODY && size <= HTTP_OUT_SIZE - at) {
		ssize_t got = (ssize_t)size;
		if (f->body)
			memcpy(rep->out + at, f->body, (size_t)size);
		else
			got = pread(f->fd >= 0 ? f->fd : f->cache_fd,
				    rep->out + at, (size_t)size, 0);
		if (got == (ssize_t)size) {
			rep->out_len += (size_t)size;
			http_reply_seg(rep, HTTP_SEG_OUT, at, size);
			return;
		}
	}
	http_reply_seg(rep, HTTP_SEG_FILE, 0, size);
}

/* 200 with the bytes compressed on the fly: small ones behind the head,
 * in one write; larger ones from the blob, which the reply holds. No
 * Accept-Ranges: ranges are of the file itself (as nginx's gzip filter,
 * which removes it). */
static void
reply_coded(struct http_reply *rep, const struct http_request *r,
	    struct http_file *f)
{
	struct http_blob *b = f->coded;

	http_reply_begin(rep, 200);
	rep->head_only = r->method == HTTP_M_HEAD;
	common_fields(rep, f);
	rep->body_len = b->len;
	http_reply_end(rep, r->version == 10 && r->keep_alive);
	if (rep->head_only)
		return;
	size_t at = rep->out_len;
	if (b->len <= HTTP_SMALL_BODY && b->len <= HTTP_OUT_SIZE - at) {
		memcpy(rep->out + at, b->data, b->len);
		rep->out_len += b->len;
		http_reply_seg(rep, HTTP_SEG_OUT, at, b->len);
		return;
	}
	rep->blob = b;
	f->coded = NULL;
	http_reply_seg(rep, HTTP_SEG_BLOB, 0, b->len);
}

static void
reply_416(struct http_reply *rep, const struct http_request *r,
	  const struct http_file *f)
{
	char buf[40];
	int k = snprintf(buf, sizeof buf, "bytes */%" PRIu64,
			 (uint64_t)f->st.st_size);

	http_reply_begin(rep, 416);
	http_reply_header(rep, "Content-Range", buf, (size_t)k);
	http_reply_error_finish(rep, r->version == 10 && r->keep_alive);
}

/* RFC 9110 section 14.2: Range only for GET, and If-Range must match
 * exactly (a strong tag, or the Last-Modified date itself). */
static int
range_applies(const struct http_request *r, const struct http_file *f)
{
	const struct http_slice *ir = f->h[HF_IF_RANGE];

	if (r->method != HTTP_M_GET || f->h[HF_RANGE] == NULL)
		return 0;
	if (ir == NULL)
		return 1;
	if (ir->n && ir->p[0] == '"')
		return ir->n == f->etag_len &&
			memcmp(ir->p, f->etag, f->etag_len) == 0;
	return ir->n == 29 && memcmp(ir->p, f->modified, 29) == 0;
}

/* Gives the reply a descriptor of its own when it sends bytes of the
 * file from the file. */
static void
reply_attach_fd(struct http_reply *rep, const struct http_request *r,
		struct http_file *f)
{
	for (int i = 1; i < rep->nsegs; i++) {
		if (rep->segs[i].kind != HTTP_SEG_FILE)
			continue;
		rep->fd = file_take_fd(f);
		if (rep->fd < 0)
			http_reply_error(rep, 503, 1, 0, NULL,
					 r->method == HTTP_M_HEAD);
		return;
	}
}

static void
serve_file(struct http_reply *rep, const struct http_request *r,
	   struct http_file *f)
{
	file_validators(f);
	int pre = preconditions(r, f);
	if (pre == 412) {
		http_reply_error(rep, 412, 0, r->version == 10 && r->keep_alive,
				 NULL, r->method == HTTP_M_HEAD);
		return;
	}
	if (pre == 304) {
		http_reply_begin(rep, 304);
		rep->head_only = 1;
		rep->body_len = f->coded ? f->coded->len :
			(uint64_t)f->st.st_size;
		http_reply_header(rep, "Last-Modified", f->modified, 29);
		http_reply_header(rep, "ETag", f->etag, f->etag_len);
		if (f->vary)
			http_reply_header(rep, "Vary", "Accept-Encoding", 15);
		http_reply_end(rep, r->version == 10 && r->keep_alive);
		return;
	}
	if (f->coded) {
		reply_coded(rep, r, f);
		return;
	}
	if (f->encoding == NULL && f->h[HF_RANGE] && range_applies(r, f)) {
		struct http_range rg[HTTP_MAX_RANGES];
		int n = http_range_parse(*f->h[HF_RANGE],
					 (uint64_t)f->st.st_size, rg);
		if (n == ERR_RANGE) {
			reply_416(rep, r, f);
			return;
		}
		if (n > 0) {
			reply_ranges(rep, r, f, rg, n);
			reply_attach_fd(rep, r, f);
			return;
		}
	}
	reply_whole(rep, r, f);
	reply_attach_fd(rep, r, f);
}

static void
reply_redirect(struct http_reply *rep, const struct http_request *r)
{
	/* the path as the client sent it, plus the slash (RFC 9110 section
	 * 10.2.2 allows a relative reference) */
	http_reply_begin(rep, 301);
	http_reply_raw(rep, "Location: ", 10);
	http_reply_raw(rep, r->path.p, r->path.n);
	http_reply_raw(rep, "/", 1);
	if (r->query.n) {
		http_reply_raw(rep, "?", 1);
		http_reply_raw(rep, r->query.p, r->query.n);
	}
	http_reply_raw(rep, "\r\n", 2);
	rep->head_only = r->method == HTTP_M_HEAD;
	http_reply_error_finish(rep, r->version == 10 && r->keep_alive);
}

static void
reply_autoindex(struct http_reply *rep, const struct http_request *r,
		const struct http_site *s, int dirfd, const char *path)
{
	int rc = http_autoindex(dirfd, path, s->dotfiles, rep->page);
	int ka10 = r->version == 10 && r->keep_alive;

	if (rc < 0) {
		http_reply_error(rep, rc == ERR_TOOBIG ? 500 : errno_status(rc),
				 0, ka10, NULL, r->method == HTTP_M_HEAD);
		return;
	}
	http_reply_begin(rep, 200);
	rep->head_only = r->method == HTTP_M_HEAD;
	http_reply_raw(rep, "Content-Type: text/html; charset=utf-8\r\n", 40);
	rep->body_len = buf_size(rep->page);
	http_reply_end(rep, ka10);
	http_reply_seg(rep, HTTP_SEG_PAGE, rep->page->off, rep->body_len);
}

/* A directory: redirect to add the slash, else its index.html, else a
 * listing or 403 (what nginx and Apache do). */
static void
serve_dir(struct http_reply *rep, const struct http_request *r,
	  const struct http_site *s, const struct http_vhost *v,
	  struct http_file *f, struct http_file_scratch *sc, size_t n)
{
	char *path = sc->path;
	static const char index[] = "index.html";

	if (path[n - 1] != '/') {
		reply_redirect(rep, r);
		return;
	}
	memcpy(path + n, index, sizeof index);
	int fd = http_open(v->root_fd, path + 1);
	path[n] = '\0';
	if (fd >= 0 && fstat(fd, &f->st) == 0 && S_ISREG(f->st.st_mode)) {
		memcpy(path + n, index, sizeof index);
		close(f->fd);
		f->fd = fd;
		f->type = http_mime_type(index, sizeof index - 1);
		f->type_ok = sc->enc_cfg && http_encode_type_ok(f->type);
		negotiate(r, sc, v, path, n + sizeof index - 1, f);
		serve_file(rep, r, f);
		return;
	}
	if (fd >= 0)
		close(fd);
	if (s->autoindex)
		reply_autoindex(rep, r, s, f->fd, path);
	else
		http_reply_error(rep, 403, 0, r->version == 10 && r->keep_alive,
				 NULL, r->method == HTTP_M_HEAD);
}

/* The request from the worker's cache: a file, or a directory's
 * index.html. Returns 0 when the uncached path must answer instead
 * (directories, a missing index, paths the cache does not take). */
static int
serve_cached(const struct http_request *r, struct http_file_scratch *sc,
	     const struct http_vhost *v, size_t n, struct http_reply *rep,
	     struct http_file *f)
{
	static const char index[] = "index.html";
	const struct http_cache_entry *e;
	size_t len = n;

	if (sc->path[n - 1] == '/') {
		memcpy(sc->path + n, index, sizeof index);
		len = n + sizeof index - 1;
	}
	int rc = http_cache_get(sc->cache, v, sc->path, len, &e);
	if (rc != 0) {
		sc->path[n] = '\0';
		if (rc == HTTP_CACHE_NOT_FILE || rc == HTTP_CACHE_UNCACHED ||
		    len != n)
			return 0;
		http_reply_error(rep, errno_status(rc), 0,
				 r->version == 10 && r->keep_alive, NULL,
				 r->method == HTTP_M_HEAD);
		return 1;
	}
	file_from_cache(f, e);
	f->type = e->type;
	f->type_ok = e->type_ok;
	if (e->head_len) {
		f->head = e->head;
		f->head_len = e->head_len;
	}
	negotiate(r, sc, v, sc->path, len, f);
	serve_file(rep, r, f);
	file_done(f);
	return 1;
}

static void
serve_path(const struct http_site *s, const struct http_request *r,
	   struct http_file_scratch *sc, struct http_reply *rep)
{
	int ka10 = r->version == 10 && r->keep_alive;
	int head = r->method == HTTP_M_HEAD;
	const struct http_vhost *v = http_site_find(s, r->host);
	/* room for "index.html" and ".zst" after the path */
	ssize_t n = http_path_clean(r->path.p, r->path.n, sc->path,
				    sizeof sc->path - 16);
	int status = v == NULL ? 404 : n < 0 ? 400 :
		!s->dotfiles && http_path_is_hidden(sc->path) ? 404 : 0;
	struct http_file f = { .fd = -1, .cache_fd = -1 };

	fields_collect(r, &f);
	if (status == 0 && sc->cache &&
	    serve_cached(r, sc, v, (size_t)n, rep, &f))
		return;
	if (status == 0) {
		f.fd = http_open(v->root_fd, sc->path + 1);
		if (f.fd < 0)
			status = errno_status(f.fd);
		else if (fstat(f.fd, &f.st) < 0)
			status = 500;
	}
	if (status) {
		http_reply_error(rep, status, 0, ka10, NULL, head);
	} else if (S_ISDIR(f.st.st_mode)) {
		serve_dir(rep, r, s, v, &f, sc, (size_t)n);
	} else if (!S_ISREG(f.st.st_mode)) {
		http_reply_error(rep, 404, 0, ka10, NULL, head);
	} else {
		f.type = http_mime_type(sc->path, (size_t)n);
		f.type_ok = sc->enc_cfg && http_encode_type_ok(f.type);
		negotiate(r, sc, v, sc->path, (size_t)n, &f);
		serve_file(rep, r, &f);
	}
	file_done(&f);
}

void
http_file_respond(const struct http_site *s, const struct http_request *r,
		  struct http_file_scratch *sc, struct http_reply *rep)
{
	int ka10 = r->version == 10 && r->keep_alive;

	switch (r->method) {
	case HTTP_M_GET:
	case HTTP_M_HEAD:
		serve_path(s, r, sc, rep);
		break;
	case HTTP_M_OPTIONS:
		http_reply_begin(rep, 200);
		http_reply_header(rep, "Allow", HTTP_ALLOW,
				  sizeof HTTP_ALLOW - 1);
		http_reply_end(rep, ka10);
		break;
	case HTTP_M_UNKNOWN:
		http_reply_error(rep, 501, 0, ka10, NULL, 0);
		break;
	default:
		http_reply_error(rep, 405, 0, ka10, HTTP_ALLOW, 0);
		break;
	}
}
