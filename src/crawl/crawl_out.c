/* crawl_out: the crawl's outputs as bytes: summary lines, JSON Lines
 * records (RFC 8259), Graphviz DOT statements, and mirror file names that
 * stay inside the mirror directory whatever the URL holds. */
#include <inttypes.h>
#include <string.h>

#include "core/err.h"
#include "crawl/crawl_out.h"
#include "url/url.h"

static const char hexdig[] = "0123456789ABCDEF";

size_t
crawl_out_utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

int
crawl_out_json_string(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	int rc = buf_append(b, "\"", 1);

	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t ul = u[i] >= 0x80 ?
			    crawl_out_utf8_len(u + i, n - i) : 0;

		if (ul > 0) {
			rc = buf_append(b, s + i, ul);
			i += ul - 1;
		} else if (u[i] == '"' || u[i] == '\\') {
			char esc[2] = { '\\', (char)u[i] };

			rc = buf_append(b, esc, 2);
		} else if (u[i] < 0x20 || u[i] >= 0x7f) {
			rc = buf_printf(b, "\\u%04x", u[i]);
		} else {
			rc = buf_append(b, s + i, 1);
		}
	}
	return rc ? rc : buf_append(b, "\"", 1);
}

static int
json_str_or_null(struct buf *b, const char *key, const char *s)
{
	int rc = buf_printf(b, ",\"%s\":", key);

	if (rc == 0 && s && *s)
		return crawl_out_json_string(b, s, strlen(s));
	return rc ? rc : buf_append(b, "null", 4);
}

/* ,"linked_from":[...] with every page linking to id. */
static int
json_referrers(struct buf *b, const struct crawl_frontier *f, uint32_t id)
{
	size_t e = crawl_frontier_first_edge_to(f, id);
	int rc = buf_printf(b, ",\"linked_from\":[");

	for (size_t k = e; rc == 0 && k < f->nedges && f->edges[k].to == id;
	     k++) {
		const struct crawl_node *from = &f->nodes[f->edges[k].from];

		if (k > e)
			rc = buf_append(b, ",", 1);
		if (rc == 0)
			rc = crawl_out_json_string(b, from->url, from->len);
	}
	return rc ? rc : buf_append(b, "]", 1);
}

int
crawl_out_json_node(struct buf *b, const struct crawl_frontier *f,
		    uint32_t id)
{
	const struct crawl_node *nd = &f->nodes[id];
	int done = nd->state == CRAWL_DONE;
	int rc = buf_printf(b, "{\"url\":");

	rc = rc ? rc : crawl_out_json_string(b, nd->url, nd->len);
	rc = rc ? rc : buf_printf(b, ",\"depth\":%d", (int)nd->depth);
	rc = rc ? rc : json_str_or_null(b, "parent", nd->parent == CRAWL_NONE ?
					NULL : f->nodes[nd->parent].url);
	if (rc == 0 && done && nd->status > 0)
		rc = buf_printf(b, ",\"status\":%d", nd->status);
	else if (rc == 0)
		rc = buf_printf(b, ",\"status\":null");
	rc = rc ? rc : json_str_or_null(b, "error", done && nd->status < 0 ?
					crawl_fail_str(nd->status) : NULL);
	rc = rc ? rc : json_str_or_null(b, "skipped",
					crawl_skip_str(nd->skip));
	rc = rc ? rc : buf_printf(b, ",\"size\":%" PRIu64 ",\"ms\":%.3f",
				  nd->size, nd->us / 1000.0);
	rc = rc ? rc : json_str_or_null(b, "type", nd->ctype);
	rc = rc ? rc : buf_printf(b, ",\"links\":%" PRIu32 ",\"broken\":%s",
				  nd->nlinks, crawl_node_is_broken(nd) ?
				  "true" : "false");
	rc = rc ? rc : json_referrers(b, f, id);
	return rc ? rc : buf_append(b, "}\n", 2);
}

int
crawl_out_page_line(struct buf *b, const struct crawl_node *nd)
{
	if (nd->status > 0)
		return buf_printf(b, "%3d %10" PRIu64 " %8.1f ms  %s\n",
				  nd->status, nd->size, nd->us / 1000.0,
				  nd->url);
	return buf_printf(b, "%-14s %8.1f ms  %s\n",
			  crawl_fail_str(nd->status), nd->us / 1000.0, nd->url);
}

int
crawl_out_broken(struct buf *b, const struct crawl_frontier *f, uint32_t id)
{
	size_t e = crawl_frontier_first_edge_to(f, id), k;
	int rc = crawl_out_page_line(b, &f->nodes[id]);
	unsigned shown = 0;

	for (k = e; rc == 0 && k < f->nedges && f->edges[k].to == id; k++)
		if (shown++ < CRAWL_OUT_REFERRERS)
			rc = buf_printf(b, "    <- %s\n",
					f->nodes[f->edges[k].from].url);
	if (rc == 0 && shown > CRAWL_OUT_REFERRERS)
		rc = buf_printf(b, "    <- (and %u more)\n",
				shown - CRAWL_OUT_REFERRERS);
	if (rc == 0 && shown == 0)
		rc = buf_printf(b, "    <- (the start URL)\n");
	return rc;
}

/* Only '"' needs a backslash (normalised URLs have neither '"' nor '\\',
 * but a label must never end the string early). */
int
crawl_out_dot_string(struct buf *b, const char *s, size_t n)
{
	int rc = buf_append(b, "\"", 1);

	for (size_t i = 0; i < n && rc == 0; i++) {
		if (s[i] == '"' || s[i] == '\\')
			rc = buf_append(b, "\\", 1);
		if (rc == 0)
			rc = buf_append(b, s + i, 1);
	}
	return rc ? rc : buf_append(b, "\"", 1);
}

int
crawl_out_dot_begin(struct buf *b)
{
	return buf_printf(b, "digraph crawl {\n\trankdir=LR;\n"
			  "\tnode [shape=box, fontsize=10];\n");
}

int
crawl_out_dot_node(struct buf *b, const struct crawl_node *nd)
{
	int rc = buf_append(b, "\t", 1);

	rc = rc ? rc : crawl_out_dot_string(b, nd->url, nd->len);
	if (rc == 0 && crawl_node_is_broken(nd))
		rc = buf_printf(b, " [color=red, fontcolor=red]");
	else if (rc == 0 && nd->skip != CRAWL_SKIP_NONE)
		rc = buf_printf(b, " [style=dashed, color=grey]");
	return rc ? rc : buf_append(b, ";\n", 2);
}

int
crawl_out_dot_edge(struct buf *b, const struct crawl_frontier *f,
		   const struct crawl_edge *e)
{
	const struct crawl_node *from = &f->nodes[e->from];
	const struct crawl_node *to = &f->nodes[e->to];
	int rc = buf_append(b, "\t", 1);

	rc = rc ? rc : crawl_out_dot_string(b, from->url, from->len);
	rc = rc ? rc : buf_append(b, " -> ", 4);
	rc = rc ? rc : crawl_out_dot_string(b, to->url, to->len);
	return rc ? rc : buf_append(b, ";\n", 2);
}

int
crawl_out_dot_end(struct buf *b)
{
	return buf_append(b, "}\n", 2);
}

/* A bounded writer for the mirror path. */
struct path_out {
	char *p;
	size_t size, len;
	size_t comp;		/* where the current component starts */
	int err;
};

static void
put(struct path_out *o, const char *s, size_t n)
{
	if (o->err == 0 && o->len + n >= o->size)
		o->err = ERR_TOOBIG;
	if (o->err)
		return;
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void
put_byte(struct path_out *o, unsigned char c)
{
	if (c == '/' || c == '%' || c < 0x20 || c == 0x7f) {
		char esc[3] = { '%', hexdig[c >> 4], hexdig[c & 15] };

		put(o, esc, 3);
	} else {
		put(o, (const char *)&c, 1);
	}
}

/* Appends s[0..n) with escapes decoded, then made safe (put_byte). */
static void
put_decoded(struct path_out *o, const char *s, size_t n)
{
	char dec[URL_MAX_LEN + 1];
	ssize_t len = url_pct_decode(s, n, dec, sizeof dec, URL_DEC_KEEP_BAD);

	if (len < 0) {
		o->err = (int)len;
		return;
	}
	for (ssize_t i = 0; i < len; i++)
		put_byte(o, (unsigned char)dec[i]);
}

/* Starts a component (after a "/" unless it is the first). */
static void
comp_begin(struct path_out *o)
{
	if (o->len > 0)
		put(o, "/", 1);
	o->comp = o->len;
}

/* Ends a component: "." and ".." are escaped, an over-long one refused. */
static void
comp_end(struct path_out *o)
{
	size_t n = o->len - o->comp;

	if (o->err)
		return;
	if ((n == 1 || n == 2) && memcmp(o->p + o->comp, "..", n) == 0) {
		o->len = o->comp;
		put(o, "%2E%2E", 3 * n);
	}
	if (o->len - o->comp > CRAWL_OUT_NAME_MAX)
		o->err = ERR_TOOBIG;
}

static void
put_query(struct path_out *o, struct url_slice q)
{
	put(o, "?", 1);
	for (size_t i = 0; i < q.n; i++) {
		if (q.p[i] == '%')
			put(o, "%", 1);	/* an escape kept as it came */
		else
			put_byte(o, (unsigned char)q.p[i]);
	}
}

ssize_t
crawl_out_mirror_path(const char *url, size_t n, char *out, size_t size)
{
	struct path_out o = { .p = out, .size = size };
	struct url u;
	size_t i = 0;

	if (url_parse(url, n, &u) < 0 ||
	    !(url_scheme_is(&u, "http") || url_scheme_is(&u, "https")) ||
	    !(u.flags & URL_HAS_AUTHORITY) || u.host.n == 0)
		return ERR_PARSE;
	comp_begin(&o);
	put_decoded(&o, u.host.p, u.host.n);
	if (u.host_type == URL_HOST_IPV6 || u.host_type == URL_HOST_IPVFUTURE) {
		o.len = o.comp;
		put(&o, "[", 1);
		put_decoded(&o, u.host.p, u.host.n);
		put(&o, "]", 1);
	}
	if (u.port.n > 0) {
		put(&o, ":", 1);
		put(&o, u.port.p, u.port.n);
	}
	comp_end(&o);
	while (i < u.path.n) {
		size_t start = u.path.p[i] == '/' ? ++i : i;

		while (i < u.path.n && u.path.p[i] != '/')
			i++;
		if (i == start && i < u.path.n)
			continue;	/* "a//b": no empty directory name */
		comp_begin(&o);
		if (i == start)
			put(&o, "index.html", 10);
		put_decoded(&o, u.path.p + start, i - start);
		if (i == u.path.n && (u.flags & URL_HAS_QUERY))
			put_query(&o, u.query);
		comp_end(&o);
	}
	if (u.path.n == 0) {
		comp_begin(&o);
		put(&o, "index.html", 10);
		if (u.flags & URL_HAS_QUERY)
			put_query(&o, u.query);
		comp_end(&o);
	}
	if (o.err)
		return o.err;
	out[o.len] = '\0';
	return (ssize_t)o.len;
}
