/* http_auth: the pure parts of HTTP Basic authentication (RFC 7617):
 * bytes in, results out, no I/O.
 *
 *   http_auth_parse_basic  an Authorization field value to user and password
 *   http_auth_users_parse  an htpasswd-style file ("user:hash" lines) to a
 *                          sorted table; weak hashes refused with the line
 *   http_auth_users_find   the stored hash of a user
 *   http_auth_challenge    the WWW-Authenticate value for a realm
 *   http_auth_escape       a user name made safe for a log line */
#ifndef INETKIT_HTTP_AUTH_H
#define INETKIT_HTTP_AUTH_H

#include <stddef.h>
#include <sys/types.h>

#include "http_parse.h"

#define HTTP_AUTH_MAX_USER 255		/* bytes of a user name */
#define HTTP_AUTH_MAX_PASS 255		/* bytes of a password */
#define HTTP_AUTH_MAX_HASH 255		/* bytes of a stored hash */
#define HTTP_AUTH_MAX_LINE 1024		/* a line of the users file */
#define HTTP_AUTH_MAX_USERS 100000	/* lines with a user */
#define HTTP_AUTH_MAX_FILE (16 * 1024 * 1024)
/* "user:password" decoded, with its NUL */
#define HTTP_AUTH_CRED_MAX (HTTP_AUTH_MAX_USER + 1 + HTTP_AUTH_MAX_PASS + 1)
/* the longest challenge: a realm of HTTP_AUTH_MAX_REALM bytes, escaped */
#define HTTP_AUTH_MAX_REALM 255
#define HTTP_AUTH_CHALLENGE_MAX (2 * HTTP_AUTH_MAX_REALM + 48)

/* Parses "Basic TOKEN68" (the scheme in any case, RFC 9110 section 11.4)
 * where TOKEN68 is the base64 (RFC 4648 section 4; padding optional) of
 * "user:password". The decoded bytes go to out (HTTP_AUTH_CRED_MAX bytes)
 * and user and pass point into it, each followed by a NUL. Returns 0,
 * ERR_PARSE (another scheme, bad base64, no ':', a control character or
 * a NUL in either part, an empty user) or ERR_TOOBIG. */
int http_auth_parse_basic(struct http_slice v, char *out,
			  struct http_slice *user, struct http_slice *pass);

struct http_auth_user {
	const char *name;
	const char *hash;
};

/* The users of one file, sorted by name; names and hashes point into
 * text (a copy the table owns). */
struct http_auth_users {
	struct http_auth_user *v;
	size_t n;
	char *text;
};

/* Parses an htpasswd-style file: lines "user:hash", blank lines and lines
 * starting with '#' ignored. A hash must be bcrypt ($2y$, $2b$), SHA-512
 * crypt ($6$) or yescrypt ($y$); plain text and MD5 ($apr1$, $1$) are
 * refused. Returns 0, -ENOMEM, or ERR_PARSE with *line (1-based) and
 * *msg saying what is wrong. */
int http_auth_users_parse(const char *text, size_t len,
			  struct http_auth_users *out, size_t *line,
			  const char **msg);
void http_auth_users_fini(struct http_auth_users *u);
/* The stored hash of user (n bytes), or NULL. */
const char *http_auth_users_find(const struct http_auth_users *u,
				 const char *user, size_t n);

/* Writes `Basic realm="REALM", charset="UTF-8"` (RFC 7617 section 2.1;
 * '"' and '\' escaped as in a quoted-string) into out (cap bytes, NUL
 * ended). Returns its length, ERR_PARSE when the realm holds a control
 * character, or ERR_TOOBIG. */
ssize_t http_auth_challenge(const char *realm, char *out, size_t cap);

/* Copies s (n bytes) into out (cap >= 5 bytes, NUL-ended) with every byte
 * outside printable ASCII, and '"' and '\', written as \xHH; cut short
 * when out is full. Returns the length written. */
size_t http_auth_escape(const char *s, size_t n, char *out, size_t cap);

#endif
