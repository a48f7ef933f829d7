/* dns_zone: zone-file parser (RFC 1035 section 5.1: entries, $ORIGIN,
 * $INCLUDE, parentheses, comments, quoting; RFC 2308 section 4: $TTL;
 * RFC 3597 section 5: \# rdata). Records go to a callback. A file comes
 * in pieces: an entry cut by the end of a piece is scanned again, whole,
 * once the next piece is in. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "dns_rr.h"
#include "dns_wire.h"
#include "dns_zone.h"

/* The first read of a file, and the largest buffer: enough for the
 * longest entry and its last line, so that every limit is reported
 * exactly as when the text is whole in memory. */
#define ZP_BUF_MIN (256 * 1024)
#define ZP_BUF_MAX (2 * DNS_ZONE_MAX_ENTRY)

/* One file's parse; an $INCLUDE runs a child that shares the token and
 * rdata buffers and has its own text buffer. Text in memory is one piece,
 * already at its end (eof). */
struct zp {
	const struct dns_zone_opts *o;
	const char *file;
	const char *p, *end, *line_start;
	const char *mark;	/* where the entry being read began its line */
	unsigned line, entry_line;
	char *buf;		/* a file's pieces (NULL: text in memory) */
	size_t cap;
	void *src;
	int eof;
	int depth;
	uint8_t origin[DNS_NAME_MAX + 1];
	uint8_t owner[DNS_NAME_MAX + 1];
	int has_origin, has_owner;
	uint32_t dollar_ttl, last_ttl;
	int has_dollar_ttl, has_last_ttl;
	struct dns_tok *toks;
	int ntok, blank_start;
	uint8_t *rdata;
	char *err;
	size_t errsz;
};

static int zp_run(struct zp *z);

__attribute__((format(printf, 3, 4))) static int
zp_error(struct zp *z, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(z->err, z->errsz, "%s:%u: ", z->file, line);

	if (n < 0 || (size_t)n >= z->errsz)
		return ERR_PARSE;
	va_start(ap, fmt);
	vsnprintf(z->err + n, z->errsz - (size_t)n, fmt, ap);
	va_end(ap);
	return ERR_PARSE;
}

static int
is_delim(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' ||
	       c == '(' || c == ')' || c == '"';
}

static int
zp_push(struct zp *z, const char *p, size_t n, int quoted)
{
	if (z->p - z->line_start > DNS_ZONE_MAX_LINE)
		return zp_error(z, z->line, "line too long");
	if (z->ntok >= DNS_ZONE_MAX_TOKENS)
		return zp_error(z, z->line, "too many fields");
	z->toks[z->ntok++] = (struct dns_tok){ p, n, quoted };
	return 0;
}

/* Where a token's scan stops: the end of the text, or just past the
 * line's limit, so that a piece never needs more than one long line. */
static const char *
zp_scan_end(const struct zp *z)
{
	if ((size_t)(z->end - z->line_start) > DNS_ZONE_MAX_LINE + 1)
		return z->line_start + DNS_ZONE_MAX_LINE + 1;
	return z->end;
}

static int
zp_quoted(struct zp *z)
{
	const char *s = ++z->p, *lim = zp_scan_end(z);

	while (z->p < lim && *z->p != '"') {
		if (*z->p == '\n')
			break;
		z->p += *z->p == '\\' && z->p + 1 < z->end &&
			z->p[1] != '\n' ? 2 : 1;
	}
	if (z->p >= z->end && !z->eof)
		return ERR_AGAIN;
	if (z->p - z->line_start > DNS_ZONE_MAX_LINE)
		return zp_error(z, z->line, "line too long");
	if (z->p >= z->end || *z->p != '"')
		return zp_error(z, z->line, "unterminated quoted string");
	size_t n = (size_t)(z->p - s);
	z->p++;
	return zp_push(z, s, n, 1);
}

static int
zp_plain(struct zp *z)
{
	const char *s = z->p, *lim = zp_scan_end(z);

	while (z->p < lim && !is_delim(*z->p))
		z->p += *z->p == '\\' && z->p + 1 < z->end &&
			z->p[1] != '\n' ? 2 : 1;
	if (z->p >= z->end && !z->eof)
		return ERR_AGAIN;
	return zp_push(z, s, (size_t)(z->p - s), 0);
}

/* Scans the next entry's tokens (a line, or several inside parentheses)
 * from z->p, a line's start. Returns 1 with tokens, 0 at the end of the
 * text, ERR_AGAIN when the piece ends first, or an error. */
static int
zp_scan(struct zp *z)
{
	int paren = 0, rc = 0;
	unsigned paren_line = 0;

	z->ntok = 0;
	z->blank_start = 0;
	z->entry_line = z->line;
	z->mark = z->p;
	while (z->p < z->end && rc == 0) {
		char c = *z->p;
		if (z->p - z->line_start > DNS_ZONE_MAX_LINE)
			return zp_error(z, z->line, "line too long");
		if (c == '\n') {
			z->p++;
			z->line++;
			z->line_start = z->p;
			if (paren == 0 && z->ntok > 0)
				return 1;
			if (paren == 0) {
				z->blank_start = 0;
				z->entry_line = z->line;
				z->mark = z->p;
			} else if (z->p - z->mark > DNS_ZONE_MAX_ENTRY)
				return zp_error(z, z->entry_line,
						"entry too long");
		} else if (c == ' ' || c == '\t' || c == '\r') {
			if (z->p == z->line_start && paren == 0 && z->ntok == 0)
				z->blank_start = 1;
			z->p++;
		} else if (c == ';') {
			const char *lim = zp_scan_end(z);
			while (z->p < lim && *z->p != '\n')
				z->p++;
		} else if (c == '(') {
			if (paren)
				return zp_error(z, z->line,
						"nested parenthesis");
			paren = 1;
			paren_line = z->line;
			z->p++;
		} else if (c == ')') {
			if (!paren)
				return zp_error(z, z->line,
						"unbalanced parenthesis ')'");
			paren = 0;
			z->p++;
		} else if (c == '"')
			rc = zp_quoted(z);
		else
			rc = zp_plain(z);
	}
	if (rc < 0)
		return rc;
	if (!z->eof)
		return ERR_AGAIN;
	if (paren)
		return zp_error(z, paren_line, "unclosed parenthesis");
	return z->ntok > 0;
}

/* Keeps the text from z->mark on (the entry being read) at the start of
 * the buffer and reads the next piece after it. */
static int
zp_fill(struct zp *z)
{
	size_t keep = (size_t)(z->end - z->mark);

	if (z->mark > z->buf)
		memmove(z->buf, z->mark, keep);
	else if (keep == z->cap) {
		/* Cannot happen: the limits stop an entry before. */
		if (z->cap >= ZP_BUF_MAX)
			return zp_error(z, z->entry_line, "entry too long");
		char *b = realloc(z->buf, z->cap * 2);
		if (b == NULL)
			return zp_error(z, z->line, "out of memory");
		z->buf = b;
		z->cap *= 2;
	}
	z->p = z->line_start = z->mark = z->buf;
	z->end = z->buf + keep;
	ssize_t n = z->o->io->read(z->src, z->buf + keep, z->cap - keep);
	if (n < 0)
		return zp_error(z, z->line, "%s", err_str((int)n));
	z->eof = n == 0;
	z->end += n;
	return 0;
}

/* The next entry, reading pieces as needed: an entry cut by the end of
 * a piece is scanned again from its first line. */
static int
zp_entry(struct zp *z)
{
	int rc;

	while ((rc = zp_scan(z)) == ERR_AGAIN) {
		z->p = z->line_start = z->mark;
		z->line = z->entry_line;
		rc = zp_fill(z);
		if (rc < 0)
			return rc;
	}
	return rc;
}

static int
tok_is(const struct dns_tok *t, const char *s)
{
	return !t->quoted && t->n == strlen(s) && memcmp(t->p, s, t->n) == 0;
}

static int
zp_origin(struct zp *z)
{
	const char *why;
	uint8_t name[DNS_NAME_MAX + 1];

	if (z->ntok != 2)
		return zp_error(z, z->entry_line, "$ORIGIN needs one name");
	int n = dns_name_parse(z->toks[1].p, z->toks[1].n,
			       z->has_origin ? z->origin : NULL, name, &why);
	if (n < 0)
		return zp_error(z, z->entry_line, "bad $ORIGIN: %s", why);
	memcpy(z->origin, name, (size_t)n);
	z->has_origin = 1;
	return 0;
}

static int
zp_dollar_ttl(struct zp *z)
{
	if (z->ntok != 2)
		return zp_error(z, z->entry_line, "$TTL needs one value");
	int rc = dns_ttl_parse(z->toks[1].p, z->toks[1].n, &z->dollar_ttl);
	if (rc < 0)
		return zp_error(z, z->entry_line, rc == ERR_RANGE ?
				"TTL out of range" : "bad $TTL");
	z->has_dollar_ttl = 1;
	return 0;
}

/* The path of an $INCLUDE file: relative to the including file. */
static int
include_path(struct zp *z, const struct dns_tok *t, char *out, size_t size)
{
	const char *slash = strrchr(z->file, '/');
	int dirlen = slash && t->p[0] != '/' ? (int)(slash - z->file + 1) : 0;
	int n = snprintf(out, size, "%.*s%.*s", dirlen, z->file, (int)t->n,
			 t->p);

	return n < 0 || (size_t)n >= size ? ERR_TOOBIG : 0;
}

static int zp_stream(struct zp *z, void *src);

static int
zp_include(struct zp *z)
{
	char path[4096];
	void *src;
	struct zp child = *z;
	const char *why;

	if (z->ntok < 2 || z->ntok > 3)
		return zp_error(z, z->entry_line, "$INCLUDE needs a file name");
	if (z->o->io == NULL)
		return zp_error(z, z->entry_line, "$INCLUDE not allowed");
	if (z->depth >= DNS_ZONE_MAX_INCLUDE)
		return zp_error(z, z->entry_line, "$INCLUDE nested too deeply");
	if (include_path(z, &z->toks[1], path, sizeof path) < 0)
		return zp_error(z, z->entry_line, "$INCLUDE path too long");
	if (z->ntok == 3) {
		int n = dns_name_parse(z->toks[2].p, z->toks[2].n,
				       z->has_origin ? z->origin : NULL,
				       child.origin, &why);
		if (n < 0)
			return zp_error(z, z->entry_line, "bad $INCLUDE "
					"origin: %s", why);
		child.has_origin = 1;
	}
	int rc = z->o->io->open(path, &src);
	if (rc < 0)
		return zp_error(z, z->entry_line, "cannot read %s: %s", path,
				err_str(rc));
	child.file = path;
	child.depth = z->depth + 1;
	rc = zp_stream(&child, src);
	z->o->io->close(src);
	return rc;
}

static int
zp_directive(struct zp *z)
{
	const struct dns_tok *t = &z->toks[0];

	if (tok_is(t, "$ORIGIN"))
		return zp_origin(z);
	if (tok_is(t, "$TTL"))
		return zp_dollar_ttl(z);
	if (tok_is(t, "$INCLUDE"))
		return zp_include(z);
	return zp_error(z, z->entry_line, "unknown directive %.*s",
			(int)(t->n > 40 ? 40 : t->n), t->p);
}

static int
is_meta_type(int type)
{
	return type == DNS_T_OPT || (type >= 249 && type <= 255);
}

/* [TTL] [CLASS] in either order, then the type: sets *i past them. */
static int
zp_head(struct zp *z, int *i, uint32_t *ttl, int *has_ttl, int *type)
{
	int has_class = 0;

	for (int k = 0; k < 2 && *i < z->ntok; k++) {
		const struct dns_tok *t = &z->toks[*i];
		if (!*has_ttl && !t->quoted && t->n && t->p[0] >= '0' &&
		    t->p[0] <= '9') {
			int rc = dns_ttl_parse(t->p, t->n, ttl);
			if (rc < 0)
				return zp_error(z, z->entry_line, "%s",
						rc == ERR_RANGE ?
						"TTL out of range" : "bad TTL");
			*has_ttl = 1;
		} else if (!has_class && dns_class_parse(t->p, t->n) > 0) {
			if (dns_class_parse(t->p, t->n) != DNS_C_IN)
				return zp_error(z, z->entry_line,
						"only class IN is supported");
			has_class = 1;
		} else
			break;
		(*i)++;
	}
	if (*i >= z->ntok)
		return zp_error(z, z->entry_line, "missing type");
	const struct dns_tok *t = &z->toks[(*i)++];
	*type = t->quoted ? ERR_PARSE : dns_type_parse(t->p, t->n);
	if (*type < 0)
		return zp_error(z, z->entry_line, "unknown type %.*s",
				(int)(t->n > 40 ? 40 : t->n), t->p);
	if (is_meta_type(*type))
		return zp_error(z, z->entry_line, "type %.*s cannot appear "
				"in a zone file", (int)t->n, t->p);
	return 0;
}

static uint32_t
zp_default_ttl(struct zp *z, int type, const uint8_t *rd, int rdlen)
{
	if (z->has_dollar_ttl)
		return z->dollar_ttl;
	if (z->has_last_ttl)
		return z->last_ttl;
	if (type == DNS_T_SOA && rdlen >= 4)	/* RFC 1035: the minimum */
		return (uint32_t)rd[rdlen - 4] << 24 |
			(uint32_t)rd[rdlen - 3] << 16 |
			(uint32_t)rd[rdlen - 2] << 8 | rd[rdlen - 1];
	return DNS_ZONE_DEFAULT_TTL;
}

static int
zp_owner(struct zp *z, int *i)
{
	const char *why;

	if (z->blank_start) {
		if (!z->has_owner)
			return zp_error(z, z->entry_line, "no owner name");
		return 0;
	}
	const struct dns_tok *t = &z->toks[(*i)++];
	int n = dns_name_parse(t->p, t->n, z->has_origin ? z->origin : NULL,
			       z->owner, &why);
	if (n < 0)
		return zp_error(z, z->entry_line, "bad owner name: %s", why);
	z->has_owner = 1;
	return 0;
}

static int
zp_record(struct zp *z)
{
	int i = 0, has_ttl = 0, type = 0, rc;
	uint32_t ttl = 0;
	const char *why = NULL;
	char tbuf[16];

	rc = zp_owner(z, &i);
	if (rc == 0)
		rc = zp_head(z, &i, &ttl, &has_ttl, &type);
	if (rc < 0)
		return rc;
	int n = dns_rdata_parse((uint16_t)type, z->toks + i, z->ntok - i,
				z->has_origin ? z->origin : NULL, z->rdata,
				DNS_MAX_MSG, &why);
	if (n < 0)
		return zp_error(z, z->entry_line, "%s rdata: %s",
				dns_type_name((uint16_t)type, tbuf), why);
	if (has_ttl) {
		z->last_ttl = ttl;
		z->has_last_ttl = 1;
	} else
		ttl = zp_default_ttl(z, type, z->rdata, n);
	struct dns_zone_rr rr = { z->owner, (uint16_t)type, DNS_C_IN, ttl,
				  z->rdata, (uint16_t)n };
	rc = z->o->rr(z->o->arg, &rr, &why);
	if (rc < 0)
		return zp_error(z, z->entry_line, "%s",
				why ? why : err_str(rc));
	return 0;
}

static int
zp_run(struct zp *z)
{
	int rc;

	while ((rc = zp_entry(z)) > 0) {
		const struct dns_tok *t = &z->toks[0];
		if (!z->blank_start && !t->quoted && t->n && t->p[0] == '$')
			rc = zp_directive(z);
		else
			rc = zp_record(z);
		if (rc < 0)
			return rc;
	}
	return rc;
}

/* Runs z over the file src from its first line, in a buffer of its own.
 * Read, not mapped: a file truncated while mapped kills the process with
 * SIGBUS (an editor saving in place during a reload), and the pages of a
 * mapping stay in the process's memory until dropped, while a buffer of
 * a fixed size bounds it. */
static int
zp_stream(struct zp *z, void *src)
{
	int rc;

	z->cap = ZP_BUF_MIN;
	z->buf = malloc(z->cap);
	if (z->buf == NULL)
		return zp_error(z, z->line, "out of memory");
	z->src = src;
	z->eof = 0;
	z->p = z->line_start = z->mark = z->end = z->buf;
	z->line = 1;
	rc = zp_run(z);
	free(z->buf);
	return rc;
}

/* The state of a parse at the first line of file `name`, with the
 * shared buffers; text in memory is one piece, at its end. */
static int
zp_init(struct zp *z, const char *name, const char *text, size_t len,
	const struct dns_zone_opts *o, char *err, size_t errsz)
{
	memset(z, 0, sizeof *z);
	z->o = o;
	z->file = name;
	z->p = z->line_start = z->mark = text;
	z->end = text + len;
	z->eof = 1;
	z->line = 1;
	z->err = err;
	z->errsz = errsz;
	if (o->origin) {
		memcpy(z->origin, o->origin, dns_name_len(o->origin));
		z->has_origin = 1;
	}
	z->toks = malloc(sizeof *z->toks * DNS_ZONE_MAX_TOKENS);
	z->rdata = malloc(DNS_MAX_MSG);
	if (z->toks == NULL || z->rdata == NULL)
		return zp_error(z, 0, "out of memory");
	return 0;
}

int
dns_zone_parse(const char *name, const char *text, size_t len,
	       const struct dns_zone_opts *o, char *err, size_t errsz)
{
	struct zp z;
	int rc = zp_init(&z, name, text, len, o, err, errsz);

	if (rc == 0)
		rc = zp_run(&z);
	free(z.toks);
	free(z.rdata);
	return rc;
}

int
dns_zone_parse_src(const char *name, void *src, const struct dns_zone_opts *o,
		   char *err, size_t errsz)
{
	struct zp z;
	int rc = zp_init(&z, name, "", 0, o, err, errsz);

	if (rc == 0)
		rc = zp_stream(&z, src);
	free(z.toks);
	free(z.rdata);
	return rc;
}
