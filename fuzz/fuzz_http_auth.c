/* Fuzz target for src/http/http_auth.c: the Authorization field (user and
 * password inside the buffer, NUL-ended, no control characters) and the
 * users file (every user found again by name, hashes of the accepted
 * kinds only). */
#include <stdlib.h>
#include <string.h>

#include "http/http_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_basic(const char *p, size_t n)
{
	char out[HTTP_AUTH_CRED_MAX], esc[64];
	struct http_slice v = { p, n }, u, pw;

	if (http_auth_parse_basic(v, out, &u, &pw) < 0)
		return;
	if (u.n == 0 || u.n > HTTP_AUTH_MAX_USER || pw.n > HTTP_AUTH_MAX_PASS)
		abort();
	if (strlen(u.p) != u.n || strlen(pw.p) != pw.n)
		abort();
	if (u.p < out || pw.p + pw.n >= out + sizeof out)
		abort();
	size_t k = http_auth_escape(u.p, u.n, esc, sizeof esc);
	if (k >= sizeof esc || strlen(esc) != k)
		abort();
}

static void
check_users(const char *p, size_t n)
{
	struct http_auth_users u;
	size_t line;
	const char *msg;

	if (http_auth_users_parse(p, n, &u, &line, &msg) < 0)
		return;
	for (size_t i = 0; i < u.n; i++) {
		const char *h = u.v[i].hash;
		if (http_auth_users_find(&u, u.v[i].name,
					 strlen(u.v[i].name)) != h)
			abort();
		if (strncmp(h, "$2y$", 4) && strncmp(h, "$2b$", 4) &&
		    strncmp(h, "$6$", 3) && strncmp(h, "$y$", 3))
			abort();
	}
	http_auth_users_fini(&u);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	char realm[HTTP_AUTH_MAX_REALM + 1], out[HTTP_AUTH_CHALLENGE_MAX];
	size_t rn = size < HTTP_AUTH_MAX_REALM ? size : HTTP_AUTH_MAX_REALM;

	check_basic(p, size);
	check_users(p, size);
	memcpy(realm, p, rn);
	realm[rn] = '\0';
	ssize_t cl = http_auth_challenge(realm, out, sizeof out);
	if (cl >= 0 && strlen(out) != (size_t)cl)
		abort();
	return 0;
}
