/* http_auth: Basic credentials (RFC 7617) and the users file, pure. The
 * users file is what Apache's htpasswd writes, restricted to the hashes
 * that resist guessing today: bcrypt, SHA-512 crypt and yescrypt. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http_auth.h"

/* The value of a base64 digit (RFC 4648 section 4), or -1. */
static int
b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decodes base64 p[0..n) into out (cap bytes). Padding is optional but,
 * when present, must complete the last group and end the input. Returns
 * the decoded length, ERR_PARSE or ERR_TOOBIG. */
static ssize_t
b64_decode(const char *p, size_t n, char *out, size_t cap)
{
	size_t len = 0, pad = 0;
	unsigned acc = 0, bits = 0;

	while (pad < 2 && n > 0 && p[n - 1] == '=') {
		n--;
		pad++;
	}
	if (pad && (n + pad) % 4 != 0)
		return ERR_PARSE;
	if (n % 4 == 1)
		return ERR_PARSE;
	for (size_t i = 0; i < n; i++) {
		int v = b64_value((unsigned char)p[i]);
		if (v < 0)
			return ERR_PARSE;
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (len == cap)
				return ERR_TOOBIG;
			out[len++] = (char)(acc >> bits & 0xff);
		}
	}
	/* the bits left over must be zero (a canonical encoding) */
	if (acc & ((1u << bits) - 1))
		return ERR_PARSE;
	return (ssize_t)len;
}

static int
has_ctl(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return 1;
	return 0;
}

int
http_auth_parse_basic(struct http_slice v, char *out,
		      struct http_slice *user, struct http_slice *pass)
{
	size_t i = 6;

	if (v.n < 7 || strncasecmp(v.p, "basic ", 6) != 0)
		return ERR_PARSE;
	while (i < v.n && v.p[i] == ' ')
		i++;
	size_t end = v.n;
	while (end > i && (v.p[end - 1] == ' ' || v.p[end - 1] == '\t'))
		end--;
	if (end == i)
		return ERR_PARSE;
	/* room for the two NULs: one replaces the ':' */
	ssize_t n = b64_decode(v.p + i, end - i, out, HTTP_AUTH_CRED_MAX - 1);
	if (n < 0)
		return (int)n;
	const char *colon = memchr(out, ':', (size_t)n);
	if (colon == NULL || colon == out)
		return ERR_PARSE;
	size_t un = (size_t)(colon - out), pn = (size_t)n - un - 1;
	if (un > HTTP_AUTH_MAX_USER || pn > HTTP_AUTH_MAX_PASS)
		return ERR_TOOBIG;
	/* RFC 7617 section 2: neither part may hold a control character */
	if (has_ctl(out, (size_t)n))
		return ERR_PARSE;
	out[un] = '\0';
	out[n] = '\0';
	*user = (struct http_slice){ out, un };
	*pass = (struct http_slice){ out + un + 1, pn };
	return 0;
}

/* What is wrong with a stored hash, or NULL when it is one we accept. */
static const char *
hash_refusal(const char *h)
{
	static const char *const ok[] = { "$2y$", "$2b$", "$6$", "$y$" };

	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		if (strncmp(h, ok[i], strlen(ok[i])) == 0)
			return strlen(h) > strlen(ok[i]) + 8 ? NULL :
				"hash too short";
	if (strncmp(h, "$apr1$", 6) == 0 || strncmp(h, "$1$", 3) == 0)
		return "MD5 hashes are refused: use bcrypt (htpasswd -B), "
			"SHA-512 ($6$) or yescrypt ($y$)";
	if (h[0] != '$')
		return "plain-text or DES passwords are refused: use bcrypt "
			"(htpasswd -B), SHA-512 ($6$) or yescrypt ($y$)";
	return "unsupported hash: use bcrypt ($2y$), SHA-512 ($6$) or "
		"yescrypt ($y$)";
}

static int
user_cmp(const void *a, const void *b)
{
	return strcmp(((const struct http_auth_user *)a)->name,
		      ((const struct http_auth_user *)b)->name);
}

/* One line of the file, NUL-ended in place; adds its user to u. Returns 0
 * or ERR_PARSE with *msg. */
static int
users_line(char *s, struct http_auth_users *u, size_t cap, const char **msg)
{
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] == '\r')
		s[--n] = '\0';
	if (n == 0 || s[0] == '#')
		return 0;
	if (n > HTTP_AUTH_MAX_LINE)
		return *msg = "line too long", ERR_PARSE;
	char *colon = strchr(s, ':');
	if (colon == NULL)
		return *msg = "expected user:hash", ERR_PARSE;
	if (colon == s || (size_t)(colon - s) > HTTP_AUTH_MAX_USER)
		return *msg = "bad user name length", ERR_PARSE;
	*colon = '\0';
	char *hash = colon + 1;
	if (has_ctl(s, strlen(s)) || has_ctl(hash, strlen(hash)))
		return *msg = "control character", ERR_PARSE;
	if (strlen(hash) > HTTP_AUTH_MAX_HASH)
		return *msg = "hash too long", ERR_PARSE;
	/* htpasswd may append fields after the hash (":comment") */
	char *more = strchr(hash, ':');
	if (more)
		*more = '\0';
	if ((*msg = hash_refusal(hash)) != NULL)
		return ERR_PARSE;
	if (u->n == cap)
		return *msg = "too many users", ERR_PARSE;
	u->v[u->n++] = (struct http_auth_user){ s, hash };
	return 0;
}

/* After sorting: the line of the first duplicate name, or 0. */
static int
users_dup(const struct http_auth_users *u)
{
	for (size_t i = 1; i < u->n; i++)
		if (strcmp(u->v[i - 1].name, u->v[i].name) == 0)
			return 1;
	return 0;
}

int
http_auth_users_parse(const char *text, size_t len,
		      struct http_auth_users *out, size_t *line,
		      const char **msg)
{
	struct http_auth_users u = { 0 };
	size_t cap = 1, rc = 0;

	*line = 0;
	for (size_t i = 0; i < len; i++)
		cap += text[i] == '\n';
	if (cap > HTTP_AUTH_MAX_USERS)
		cap = HTTP_AUTH_MAX_USERS;
	u.text = malloc(len + 1);
	u.v = calloc(cap, sizeof *u.v);
	if (u.text == NULL || u.v == NULL) {
		http_auth_users_fini(&u);
		return -ENOMEM;
	}
	memcpy(u.text, text, len);
	u.text[len] = '\0';
	char *s = u.text;
	for (size_t ln = 1; s != NULL && rc == 0; ln++) {
		char *nl = memchr(s, '\n', (size_t)(u.text + len - s));
		if (nl)
			*nl = '\0';
		*line = ln;
		if (s + strlen(s) != (nl ? nl : u.text + len)) {
			/* a NUL ends this line early */
			*msg = "NUL byte in file";
			rc = 1;
		} else if (users_line(s, &u, cap, msg) < 0) {
			rc = 1;
		}
		s = nl ? nl + 1 : NULL;
	}
	qsort(u.v, u.n, sizeof *u.v, user_cmp);
	if (rc == 0 && users_dup(&u)) {
		*msg = "a user is listed twice";
		*line = 0;
		rc = 1;
	}
	if (rc) {
		http_auth_users_fini(&u);
		return ERR_PARSE;
	}
	*out = u;
	return 0;
}

void
http_auth_users_fini(struct http_auth_users *u)
{
	free(u->v);
	free(u->text);
	memset(u, 0, sizeof *u);
}

const char *
http_auth_users_find(const struct http_auth_users *u, const char *user,
		     size_t n)
{
	size_t lo = 0, hi = u->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *name = u->v[mid].name;
		int c = strncmp(name, user, n);
		if (c == 0 && name[n] != '\0')
			c = 1;
		if (c == 0)
			return u->v[mid].hash;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

ssize_t
http_auth_challenge(const char *realm, char *out, size_t cap)
{
	static const char head[] = "Basic realm=\"";
	static const char tail[] = "\", charset=\"UTF-8\"";
	size_t n = sizeof head - 1, rn = strlen(realm);

	if (has_ctl(realm, rn))
		return ERR_PARSE;
	if (rn > HTTP_AUTH_MAX_REALM || cap < HTTP_AUTH_CHALLENGE_MAX)
		return ERR_TOOBIG;
	memcpy(out, head, n);
	for (size_t i = 0; i < rn; i++) {
		/* RFC 9110 section 5.6.4: quoted-pair */
		if (realm[i] == '"' || realm[i] == '\\')
			out[n++] = '\\';
		out[n++] = realm[i];
	}
	memcpy(out + n, tail, sizeof tail);
	return (ssize_t)(n + sizeof tail - 1);
}

size_t
http_auth_escape(const char *s, size_t n, char *out, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
		if (len + (plain ? 1 : 4) >= cap)
			break;
		if (plain) {
			out[len++] = (char)c;
			continue;
		}
		out[len++] = '\\';
		out[len++] = 'x';
		out[len++] = digits[c >> 4];
		out[len++] = digits[c & 15];
	}
	out[len] = '\0';
	return len;
}
