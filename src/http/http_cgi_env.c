/* http_cgi_env: the meta-variables a script sees (RFC 3875 section 4.1),
 * built into one bounded buffer; CGI passes them as the environment,
 * FastCGI as FCGI_PARAMS. Nothing of the server's own environment gets in
 * but what the caller hands over (PATH, LANG). */
#include <string.h>

#include "core/dec.h"
#include "core/err.h"
#include "http_cgi.h"

void
http_cgi_env_add(struct http_cgi_env *e, const char *name, const char *p,
		 size_t n)
{
	size_t nl = strlen(name);

	if (e->overflow || e->n == HTTP_CGI_ENV_VARS ||
	    nl + n + 2 > HTTP_CGI_ENV_SIZE - e->len) {
		e->overflow = 1;
		return;
	}
	char *s = e->buf + e->len;
	memcpy(s, name, nl);
	s[nl] = '=';
	memcpy(s + nl + 1, p, n);
	s[nl + 1 + n] = '\0';
	e->vars[e->n++] = s;
	e->vars[e->n] = NULL;
	e->len += nl + n + 2;
}

static void
add_slice(struct http_cgi_env *e, const char *name, struct http_slice v)
{
	if (v.p)
		http_cgi_env_add(e, name, v.p, v.n);
}

static void
add_str(struct http_cgi_env *e, const char *name, const char *v)
{
	http_cgi_env_add(e, name, v, strlen(v));
}

const char *
http_cgi_env_get(const struct http_cgi_env *e, const char *name)
{
	size_t nl = strlen(name);

	for (int i = 0; i < e->n; i++)
		if (strncmp(e->vars[i], name, nl) == 0 && e->vars[i][nl] == '=')
			return e->vars[i] + nl + 1;
	return NULL;
}

/* Section 4.1.18: fields that never become HTTP_ variables. */
static int
header_skipped(struct http_slice name)
{
	static const char *const skip[] = {
		"content-type", "content-length", "authorization",
		"proxy-authorization", "proxy",
	};

	if (memchr(name.p, '_', name.n))
		return 1;
	for (size_t i = 0; i < sizeof skip / sizeof *skip; i++)
		if (http_slice_eqi(name, skip[i]))
			return 1;
	return 0;
}

static int
same_name(struct http_slice a, struct http_slice b)
{
	if (a.n != b.n)
		return 0;
	for (size_t i = 0; i < a.n; i++) {
		char x = a.p[i], y = b.p[i];
		if (x >= 'A' && x <= 'Z')
			x = (char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (char)(y + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

/* HTTP_NAME=v1, v2 for the field at index i and those after it with the
 * same name (an earlier one with the name has done it already). */
static void
add_header(struct http_cgi_env *e, const struct http_request *r, size_t i)
{
	const struct http_header *h = r->headers;
	char name[5 + 128];

	for (size_t j = 0; j < i; j++)
		if (same_name(h[j].name, h[i].name))
			return;
	if (h[i].name.n > 128) {
		e->overflow = 1;
		return;
	}
	memcpy(name, "HTTP_", 5);
	for (size_t k = 0; k < h[i].name.n; k++) {
		char ch = h[i].name.p[k];
		name[5 + k] = ch == '-' ? '_' : (ch >= 'a' && ch <= 'z') ?
			(char)(ch - 32) : ch;
	}
	name[5 + h[i].name.n] = '\0';
	http_cgi_env_add(e, name, h[i].value.p, h[i].value.n);
	for (size_t j = i + 1; j < r->nheaders && !e->overflow; j++) {
		if (!same_name(h[j].name, h[i].name))
			continue;
		/* extend the variable just added, which is last in buf */
		size_t add = 2 + h[j].value.n;
		if (add > HTTP_CGI_ENV_SIZE - e->len) {
			e->overflow = 1;
			return;
		}
		char *end = e->buf + e->len - 1;
		memcpy(end, ", ", 2);
		memcpy(end + 2, h[j].value.p, h[j].value.n);
		end[add] = '\0';
		e->len += add;
	}
}

static void
add_length(struct http_cgi_env *e, uint64_t v)
{
	char d[DEC_U64_MAX];
	size_t n = dec_u64(d + sizeof d, v);

	http_cgi_env_add(e, "CONTENT_LENGTH", d + sizeof d - n, n);
}

int
http_cgi_env_build(struct http_cgi_env *e, const struct http_cgi_meta *m)
{
	const struct http_request *r = m->req;
	const char *method = http_method_str(r->method);

	e->len = 0;
	e->n = 0;
	e->overflow = 0;
	e->vars[0] = NULL;
	add_slice(e, "PATH", m->path);
	add_slice(e, "LANG", m->lang);
	add_str(e, "GATEWAY_INTERFACE", "CGI/1.1");
	add_str(e, "SERVER_SOFTWARE", "inetkit");
	add_str(e, "SERVER_PROTOCOL", r->version == 10 ? "HTTP/1.0" :
		"HTTP/1.1");
	if (method)
		add_str(e, "REQUEST_METHOD", method);
	else
		add_slice(e, "REQUEST_METHOD", r->method_name);
	add_slice(e, "REQUEST_URI", m->request_uri);
	add_slice(e, "SCRIPT_NAME", m->script_name);
	add_slice(e, "SCRIPT_FILENAME", m->script_filename);
	add_slice(e, "DOCUMENT_ROOT", m->document_root);
	add_slice(e, "PATH_INFO", m->path_info);
	add_slice(e, "PATH_TRANSLATED", m->path_translated);
	/* section 4.1.7: the query as sent, still encoded, "" when none */
	http_cgi_env_add(e, "QUERY_STRING", r->query.p ? r->query.p : "",
			 r->query.p ? r->query.n : 0);
	add_slice(e, "SERVER_NAME", m->server_name);
	add_slice(e, "SERVER_PORT", m->server_port);
	add_slice(e, "SERVER_ADDR", m->server_addr);
	add_slice(e, "REMOTE_ADDR", m->remote_addr);
	/* section 4.1.9: without a DNS lookup, the address */
	add_slice(e, "REMOTE_HOST", m->remote_addr);
	add_slice(e, "REMOTE_PORT", m->remote_port);
	if (m->https)
		add_str(e, "HTTPS", "on");
	if (m->remote_user.p) {
		add_str(e, "AUTH_TYPE", "Basic");
		add_slice(e, "REMOTE_USER", m->remote_user);
	}
	if (m->has_body)
		add_length(e, m->content_length);
	const struct http_header *ct = http_header_find(r->headers,
							 r->nheaders,
							 "content-type");
	if (ct)
		add_slice(e, "CONTENT_TYPE", ct->value);
	for (size_t i = 0; i < r->nheaders; i++)
		if (!header_skipped(r->headers[i].name))
			add_header(e, r, i);
	return e->overflow ? ERR_TOOBIG : 0;
}
