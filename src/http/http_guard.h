/* http_guard: who may see what (RFC 7617 Basic authentication) for the
 * server engine. One guard per server holds the protected prefixes, each
 * with its users file (reloaded on SIGHUP, swapped in atomically) and the
 * count of recent failures per client address; each worker has a guard
 * worker that verifies passwords off its loop.
 *
 * Checking a bcrypt or yescrypt hash costs milliseconds of CPU on
 * purpose, far too long for a worker's loop (measured here with
 * libxcrypt: bcrypt cost 10 140 ms, cost 5 3 ms; yescrypt's default
 * 74 ms; SHA-512 crypt's 5,000 rounds 3.8 ms; a request is ~1 us). So a worker remembers the
 * credentials it has verified (a keyed SHA-256 of user, password and
 * stored hash, in a small table: a hit costs about a microsecond), and
 * sends the others to its helper thread (crypt_rn of libxcrypt), whose
 * verdict comes back through an eventfd on the loop.
 *
 *   http_guard_new/_add/_free   prefixes and users files (main thread)
 *   http_guard_reload           SIGHUP: every file again, all or nothing
 *   http_guard_match            the realm protecting a clean path
 *   http_guard_worker_new/_free a worker's cache and helper thread
 *   http_guard_check            a request's credentials: yes, no or later
 *   http_guard_cancel           a connection that waited went away
 *   http_guard_deny             the 401 reply */
#ifndef INETKIT_HTTP_GUARD_H
#define INETKIT_HTTP_GUARD_H

#include <stddef.h>

#include "http_parse.h"
#include "http_reply.h"
#include "net/net_addr.h"

#define HTTP_GUARD_MAX_REALMS 32
#define HTTP_GUARD_FAIL_MAX 5		/* failures in a window, then... */
#define HTTP_GUARD_FAIL_WINDOW_MS 60000
#define HTTP_GUARD_DELAY_MS 1000	/* ...each further one waits this */
#define HTTP_GUARD_MAX_PENDING 256	/* verifications queued per worker */

struct loop;
struct http_guard;
struct http_guard_realm;
struct http_guard_worker;
struct http_guard_job;

struct http_guard *http_guard_new(void);
/* Protects paths under prefix (an absolute path; "/private" covers
 * "/private" and "/private/..." but not "/privateer") with the users of
 * file. Returns 0, -errno (the file cannot be read), ERR_PARSE (err says
 * "file:line: message") or ERR_TOOBIG (too many prefixes). */
int http_guard_add(struct http_guard *g, const char *prefix,
		   const char *file, char *err, size_t errlen);
/* Reads every users file again; installs the new tables only when all
 * load (else err says why and the old ones stay). Main thread. */
int http_guard_reload(struct http_guard *g, char *err, size_t errlen);
void http_guard_free(struct http_guard *g);
/* The users files, for the sandbox's list of readable paths. */
int http_guard_files(const struct http_guard *g, const char **files,
		     int max);

/* The realm whose prefix covers path (clean, as http_path_clean makes
 * it), the longest one, or NULL. */
const struct http_guard_realm *http_guard_match(const struct http_guard *g,
						const char *path, size_t n);

/* A worker's verdicts reach it through done(owner, ok, delay_ms) on its
 * loop: ok 1 when the password is right; a refusal waits delay_ms
 * before the 401 goes out. */
typedef void (*http_guard_done_fn)(void *owner, int ok, int delay_ms);
struct http_guard_worker *http_guard_worker_new(struct http_guard *g,
						struct loop *l,
						http_guard_done_fn done);
void http_guard_worker_free(struct http_guard_worker *gw);

enum http_guard_verdict {
	HTTP_GUARD_ALLOW,	/* not protected, or known good credentials */
	HTTP_GUARD_DENY,	/* no or malformed credentials: 401 now */
	HTTP_GUARD_PENDING,	/* being verified: done() will tell owner */
	HTTP_GUARD_BUSY,	/* too many verifications queued: 503 */
};

/* Decides about request r for path (clean) under realm. PENDING sets
 * *job, which the owner must cancel if it goes away before done(). */
enum http_guard_verdict http_guard_check(struct http_guard_worker *gw,
					 const struct http_guard_realm *realm,
					 const struct http_request *r,
					 const struct net_addr *peer,
					 void *owner,
					 struct http_guard_job **job);
void http_guard_cancel(struct http_guard_job *job);

/* Fills rep with 401 and the realm's challenge (RFC 7617 section 2). */
void http_guard_deny(const struct http_guard_realm *realm,
		     const struct http_request *r, struct http_reply *rep);

#endif
