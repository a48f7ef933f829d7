/* http_cgi: the pure halves of programs behind the server (RFC 3875),
 * shared by CGI and FastCGI: bytes or a request in, slices or strings out;
 * no I/O.
 *
 *   http_cgi_parse_head   a script's response head (section 6)
 *   http_cgi_env_build    the meta-variables of a request (section 4.1)
 *   http_cgi_is_hop       fields a script may not pass through */
#ifndef INETKIT_HTTP_CGI_H
#define INETKIT_HTTP_CGI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "http_parse.h"

/* A script's head is held to the limits of a request's header section. */
#define HTTP_CGI_MAX_HEAD HTTP_MAX_FIELDS
#define HTTP_CGI_MAX_FIELDS HTTP_MAX_HEADERS

struct http_cgi_head {
	size_t scan;		/* bytes of whole lines already parsed */
	size_t seen;		/* bytes known to hold no LF past scan */
	int status;		/* Status: code, 0 when absent */
	struct http_slice reason;	/* after the code, may be empty */
	struct http_slice location, content_type;	/* p NULL: absent */
	int has_length;		/* a valid Content-Length was given */
	uint64_t length;
	/* all the other fields */
	struct http_header fields[HTTP_CGI_MAX_FIELDS];
	size_t nfields;
};

/* Prepares h for a new head (scan 0). */
void http_cgi_head_init(struct http_cgi_head *h);

/* Parses the head at p[0..n) (RFC 3875 section 6.2): field lines ended by
 * LF or CRLF, then an empty line. Call again with the same h and a longer
 * n while it returns ERR_AGAIN. Returns the head's length with its empty
 * line (> 0); ERR_AGAIN; ERR_TOOBIG past HTTP_CGI_MAX_HEAD bytes or
 * HTTP_CGI_MAX_FIELDS fields; ERR_PARSE for a line that is not a field, a
 * bad Status or Content-Length, a repeated CGI field, or a head without
 * any of Content-Type, Location and Status. Slices point into p. */
ssize_t http_cgi_parse_head(struct http_cgi_head *h, const char *p, size_t n);

/* True for fields the server sets itself or that only one hop may use
 * (Connection, Transfer-Encoding, Date, Server, ...): never passed on. */
int http_cgi_is_hop(struct http_slice name);

/* What the server knows about a request beyond its head. Slices with p
 * NULL are left out of the environment. */
struct http_cgi_meta {
	const struct http_request *req;
	struct http_slice script_name, path_info, path_translated;
	struct http_slice script_filename, document_root, request_uri;
	struct http_slice server_name, server_port, server_addr;
	struct http_slice remote_addr, remote_port;
	struct http_slice path, lang;	/* the server's own, or NULL */
	int has_body;
	uint64_t content_length;
	unsigned https : 1;		/* the request came over TLS */
	struct http_slice remote_user;	/* Basic auth's user, or NULL */
};

#define HTTP_CGI_ENV_SIZE (HTTP_MAX_HEAD + 16 * 1024)
#define HTTP_CGI_ENV_VARS (HTTP_MAX_HEADERS + 32)

/* An environment: "NAME=value" strings in buf, vars NULL-terminated. */
struct http_cgi_env {
	size_t len;
	int n;
	int overflow;
	char *vars[HTTP_CGI_ENV_VARS + 1];
	char buf[HTTP_CGI_ENV_SIZE];
};

/* Fills e with the meta-variables of RFC 3875 section 4.1 for m, and each
 * request field as HTTP_NAME (section 4.1.18; repeated fields joined with
 * ", "). Left out: Content-Type and Content-Length (they have their own),
 * Authorization and Proxy-Authorization (section 4.1.18: not for
 * scripts), Proxy (httpoxy: HTTP_PROXY would be taken for the proxy of
 * the script's own requests) and any name with '_' (it would pass for
 * '-' once converted). Returns 0 or ERR_TOOBIG. */
int http_cgi_env_build(struct http_cgi_env *e, const struct http_cgi_meta *m);
/* Appends "name=value" (value p[0..n)). Sets e->overflow when full. */
void http_cgi_env_add(struct http_cgi_env *e, const char *name,
		      const char *p, size_t n);
/* The value of name in e, or NULL. */
const char *http_cgi_env_get(const struct http_cgi_env *e, const char *name);

#endif
