/* http_guard: Basic authentication for the server engine (RFC 7617).
 * The parsing is http_auth.c's; here are the users tables and their
 * reload, the workers' caches of verified credentials, the helper thread
 * that runs crypt(3) off the loop, and the slowing of failures. */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "http_auth.h"
#include "http_guard.h"

#define GUARD_CACHE 64		/* verified credentials per worker */
#define GUARD_FAIL_SLOTS 256	/* client addresses with recent failures */
#define GUARD_KEY 32		/* SHA-256 */

struct http_guard_realm {
	char prefix[HTTP_AUTH_MAX_REALM + 1];
	size_t plen;
	char *file;
	char challenge[HTTP_AUTH_CHALLENGE_MAX];
	size_t clen;
	_Atomic(struct http_auth_users *) users;
};

struct fail_slot {
	unsigned char addr[16];
	int64_t start;		/* monotonic ms when the window began */
	int count;
};

struct http_guard {
	struct http_guard_realm realms[HTTP_GUARD_MAX_REALMS];
	int n;
	/* tables replaced by a reload: a worker may still be reading one,
	 * so they are freed with the guard */
	struct http_auth_users **retired;
	size_t nretired;
	unsigned char secret[16];	/* keys the cache's hashes */
	/* fetched once: a fetch per request cost as much as the hash */
	EVP_MD *sha256;
	pthread_mutex_t fail_mu;
	struct fail_slot fails[GUARD_FAIL_SLOTS];
};

struct http_guard_job {
	struct http_guard_job *next;
	void *owner;		/* NULL once cancelled (loop thread only) */
	int known;		/* the user exists (else a decoy hash) */
	int ok;			/* the helper's verdict */
	unsigned char key[GUARD_KEY];
	struct net_addr peer;
	char user[HTTP_AUTH_MAX_USER + 1];
	char pass[HTTP_AUTH_MAX_PASS + 1];
	char hash[HTTP_AUTH_MAX_HASH + 1];
};

struct http_guard_worker {
	struct http_guard *g;
	struct loop *loop;
	http_guard_done_fn done;
	EVP_MD_CTX *md;
	int efd;
	int registered;
	int pending;
	pthread_t thread;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int quit;
	struct http_guard_job *todo, **todo_tail, *finished;
	unsigned char cache[GUARD_CACHE][GUARD_KEY];
};

/* Reads a users file and parses it. */
static int
users_load(const char *file, struct http_auth_users **out, char *err,
	   size_t errlen)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *text = NULL;
	ssize_t got = 0;
	int rc = 0;

	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EISDIR;	/* or a device: not a file of users */
		goto out;
	}
	if (st.st_size > HTTP_AUTH_MAX_FILE) {
		rc = ERR_TOOBIG;
		goto out;
	}
	text = malloc((size_t)st.st_size + 1);
	if (text == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	while (got < st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)(st.st_size - got));
		if (n <= 0)
			break;
		got += n;
	}
	size_t line = 0;
	const char *msg = NULL;
	struct http_auth_users *u = calloc(1, sizeof *u);
	rc = u ? http_auth_users_parse(text, (size_t)got, u, &line, &msg) :
		-ENOMEM;
	if (rc == 0) {
		*out = u;
	} else {
		free(u);
		if (rc == ERR_PARSE)
			snprintf(err, errlen, "%s:%zu: %s", file, line, msg);
	}
out:
	if (rc < 0 && rc != ERR_PARSE)
		snprintf(err, errlen, "%s: %s", file, err_str(rc));
	free(text);
	if (fd >= 0)
		close(fd);
	return rc;
}

static void
users_free(struct http_auth_users *u)
{
	if (u) {
		http_auth_users_fini(u);
		free(u);
	}
}

struct http_guard *
http_guard_new(void)
{
	struct http_guard *g = calloc(1, sizeof *g);

	if (g == NULL)
		return NULL;
	if (getrandom(g->secret, sizeof g->secret, 0) != sizeof g->secret) {
		free(g);
		return NULL;
	}
	g->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (g->sha256 == NULL) {
		free(g);
		return NULL;
	}
	pthread_mutex_init(&g->fail_mu, NULL);
	return g;
}

int
http_guard_add(struct http_guard *g, const char *prefix, const char *file,
	       char *err, size_t errlen)
{
	size_t n = strlen(prefix);

	snprintf(err, errlen, "bad prefix '%s'", prefix);
	while (n > 1 && prefix[n - 1] == '/')
		n--;
	if (n == 0 || prefix[0] != '/' || n > HTTP_AUTH_MAX_REALM)
		return ERR_PARSE;
	if (g->n == HTTP_GUARD_MAX_REALMS)
		return ERR_TOOBIG;
	struct http_guard_realm *r = &g->realms[g->n];
	memcpy(r->prefix, prefix, n);
	r->prefix[n] = '\0';
	r->plen = n;
	ssize_t cl = http_auth_challenge(r->prefix, r->challenge,
					 sizeof r->challenge);
	if (cl < 0)
		return ERR_PARSE;
	r->clen = (size_t)cl;
	struct http_auth_users *u = NULL;
	int rc = users_load(file, &u, err, errlen);
	if (rc < 0)
		return rc;
	r->file = strdup(file);
	if (r->file == NULL) {
		users_free(u);
		return -ENOMEM;
	}
	atomic_store(&r->users, u);
	g->n++;
	return 0;
}

int
http_guard_reload(struct http_guard *g, char *err, size_t errlen)
{
	struct http_auth_users *fresh[HTTP_GUARD_MAX_REALMS] = { 0 };
	int rc = 0;

	for (int i = 0; i < g->n && rc == 0; i++)
		rc = users_load(g->realms[i].file, &fresh[i], err, errlen);
	struct http_auth_users **r = realloc(g->retired, (g->nretired +
		(size_t)g->n) * sizeof *r);
	if (rc == 0 && r == NULL)
		rc = -ENOMEM;
	if (r)
		g->retired = r;
	if (rc < 0) {
		for (int i = 0; i < g->n; i++)
			users_free(fresh[i]);
		return rc;
	}
	for (int i = 0; i < g->n; i++)
		g->retired[g->nretired++] =
			atomic_exchange(&g->realms[i].users, fresh[i]);
	return 0;
}

void
http_guard_free(struct http_guard *g)
{
	if (g == NULL)
		return;
	for (int i = 0; i < g->n; i++) {
		users_free(atomic_load(&g->realms[i].users));
		free(g->realms[i].file);
	}
	for (size_t i = 0; i < g->nretired; i++)
		users_free(g->retired[i]);
	free(g->retired);
	EVP_MD_free(g->sha256);
	pthread_mutex_destroy(&g->fail_mu);
	free(g);
}

int
http_guard_files(const struct http_guard *g, const char **files, int max)
{
	int n = 0;

	for (int i = 0; g && i < g->n && n < max; i++)
		files[n++] = g->realms[i].file;
	return n;
}

const struct http_guard_realm *
http_guard_match(const struct http_guard *g, const char *path, size_t n)
{
	const struct http_guard_realm *best = NULL;

	for (int i = 0; i < g->n; i++) {
		const struct http_guard_realm *r = &g->realms[i];
		int covers = r->plen == 1 || (n >= r->plen &&
			memcmp(path, r->prefix, r->plen) == 0 &&
			(n == r->plen || path[r->plen] == '/'));
		if (covers && (best == NULL || r->plen > best->plen))
			best = r;
	}
	return best;
}

/* Counts a failure from a; returns how long its 401 should wait. */
static int
fail_note(struct http_guard *g, const struct net_addr *a)
{
	unsigned char key[16] = { 0 };
	const struct sockaddr_storage *ss = &a->ss;
	int64_t now = clock_mono_ms();

	if (ss->ss_family == AF_INET)
		memcpy(key, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	else if (ss->ss_family == AF_INET6)
		memcpy(key, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	unsigned h = 2166136261u;
	for (int i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;
	pthread_mutex_lock(&g->fail_mu);
	struct fail_slot *s = &g->fails[h % GUARD_FAIL_SLOTS];
	if (memcmp(s->addr, key, 16) != 0 ||
	    now - s->start > HTTP_GUARD_FAIL_WINDOW_MS) {
		memcpy(s->addr, key, 16);
		s->start = now;
		s->count = 0;
	}
	int count = ++s->count;
	pthread_mutex_unlock(&g->fail_mu);
	return count > HTTP_GUARD_FAIL_MAX ? HTTP_GUARD_DELAY_MS : 0;
}

static void
log_failure(const struct http_guard_job *job)
{
	char host[NET_ADDR_STRLEN], user[4 * 64 + 1];

	if (net_addr_format(&job->peer, 0, host, sizeof host) < 0)
		strcpy(host, "-");
	http_auth_escape(job->user, strlen(job->user), user, sizeof user);
	log_warn("http: auth: %s: %s for user \"%s\"", host,
		 job->known ? "wrong password" : "unknown user", user);
}

/* The helper thread: runs crypt(3) on queued jobs, one at a time. */
static void *
guard_thread(void *arg)
{
	struct http_guard_worker *gw = arg;
	struct crypt_data *cd = calloc(1, sizeof *cd);

	pthread_mutex_lock(&gw->mu);
	while (!gw->quit) {
		struct http_guard_job *job = gw->todo;
		if (job == NULL) {
			pthread_cond_wait(&gw->cv, &gw->mu);
			continue;
		}
		gw->todo = job->next;
		if (gw->todo == NULL)
			gw->todo_tail = &gw->todo;
		pthread_mutex_unlock(&gw->mu);
		const char *h = cd ? crypt_rn(job->pass, job->hash, cd,
					      sizeof *cd) : NULL;
		size_t hn = strlen(job->hash);
		/* the comparison takes the same time wherever they differ */
		job->ok = job->known && h && strlen(h) == hn &&
			CRYPTO_memcmp(h, job->hash, hn) == 0;
		explicit_bzero(job->pass, sizeof job->pass);
		pthread_mutex_lock(&gw->mu);
		job->next = gw->finished;
		gw->finished = job;
		uint64_t one = 1;
		(void)!write(gw->efd, &one, sizeof one);
	}
	pthread_mutex_unlock(&gw->mu);
	if (cd)
		explicit_bzero(cd, sizeof *cd);
	free(cd);
	return NULL;
}

static void
cache_put(struct http_guard_worker *gw, const unsigned char *key)
{
	memcpy(gw->cache[key[0] % GUARD_CACHE], key, GUARD_KEY);
}

static int
cache_has(const struct http_guard_worker *gw, const unsigned char *key)
{
	return CRYPTO_memcmp(gw->cache[key[0] % GUARD_CACHE], key,
			     GUARD_KEY) == 0;
}

/* Verdicts from the helper thread, on the loop. */
static void
guard_on_event(struct loop *l, int fd, int events, void *arg)
{
	struct http_guard_worker *gw = arg;
	uint64_t v;

	(void)!read(fd, &v, sizeof v);
	pthread_mutex_lock(&gw->mu);
	struct http_guard_job *job = gw->finished;
	gw->finished = NULL;
	pthread_mutex_unlock(&gw->mu);
	while (job) {
		struct http_guard_job *next = job->next;
		int delay = 0;
		gw->pending--;
		if (job->ok) {
			cache_put(gw, job->key);
		} else {
			log_failure(job);
			delay = fail_note(gw->g, &job->peer);
		}
		if (job->owner)
			gw->done(job->owner, job->ok, delay);
		free(job);
		job = next;
	}
	if (gw->pending == 0 && gw->registered && loop_is_stopping(l)) {
		loop_del_fd(l, gw->efd);
		gw->registered = 0;
	}
}

/* Stop: the eventfd must not keep the loop alive once nothing waits. */
static void
guard_on_stop(struct loop *l, void *arg)
{
	struct http_guard_worker *gw = arg;

	if (gw->pending == 0 && gw->registered) {
		loop_del_fd(l, gw->efd);
		gw->registered = 0;
	}
}

struct http_guard_worker *
http_guard_worker_new(struct http_guard *g, struct loop *l,
		      http_guard_done_fn done)
{
	struct http_guard_worker *gw = calloc(1, sizeof *gw);

	if (gw == NULL)
		return NULL;
	gw->g = g;
	gw->loop = l;
	gw->done = done;
	gw->todo_tail = &gw->todo;
	/* no entry of the cache matches a real key by chance: keys are
	 * SHA-256 over a secret, and an all-zero one is not reachable */
	pthread_mutex_init(&gw->mu, NULL);
	pthread_cond_init(&gw->cv, NULL);
	gw->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	gw->md = EVP_MD_CTX_new();
	if (gw->efd < 0 || gw->md == NULL ||
	    loop_add_fd_read(l, gw->efd, guard_on_event, gw) < 0 ||
	    loop_on_stop(l, guard_on_stop, gw) < 0) {
		http_guard_worker_free(gw);
		return NULL;
	}
	gw->registered = 1;
	if (pthread_create(&gw->thread, NULL, guard_thread, gw) != 0) {
		http_guard_worker_free(gw);
		return NULL;
	}
	gw->started = 1;
	return gw;
}

void
http_guard_worker_free(struct http_guard_worker *gw)
{
	if (gw == NULL)
		return;
	if (gw->started) {
		pthread_mutex_lock(&gw->mu);
		gw->quit = 1;
		pthread_cond_signal(&gw->cv);
		pthread_mutex_unlock(&gw->mu);
		pthread_join(gw->thread, NULL);
	}
	struct http_guard_job *lists[2] = { gw->todo, gw->finished };
	for (int i = 0; i < 2; i++)
		while (lists[i]) {
			struct http_guard_job *next = lists[i]->next;
			free(lists[i]);
			lists[i] = next;
		}
	if (gw->registered)
		loop_del_fd(gw->loop, gw->efd);
	if (gw->efd >= 0)
		close(gw->efd);
	pthread_mutex_destroy(&gw->mu);
	pthread_cond_destroy(&gw->cv);
	explicit_bzero(gw->cache, sizeof gw->cache);
	EVP_MD_CTX_free(gw->md);
	free(gw);
}

/* The cache key of user, password and stored hash: SHA-256 under the
 * process's secret, so that the cache holds no password, and a changed
 * hash (a reload) misses. */
static void
cred_key(struct http_guard_worker *gw, struct http_slice user,
	 struct http_slice pass, const char *hash, unsigned char *key)
{
	EVP_MD_CTX *md = gw->md;

	EVP_DigestInit_ex(md, gw->g->sha256, NULL);
	EVP_DigestUpdate(md, gw->g->secret, sizeof gw->g->secret);
	EVP_DigestUpdate(md, user.p, user.n + 1);	/* with its NUL */
	EVP_DigestUpdate(md, pass.p, pass.n + 1);
	EVP_DigestUpdate(md, hash, strlen(hash));
	EVP_DigestFinal_ex(md, key, NULL);
}

static struct http_guard_job *
job_new(struct http_slice user, struct http_slice pass, const char *hash,
	int known, const struct net_addr *peer, void *owner)
{
	struct http_guard_job *job = malloc(sizeof *job);

	if (job == NULL)
		return NULL;
	job->next = NULL;
	job->owner = owner;
	job->known = known;
	job->ok = 0;
	job->peer = *peer;
	memcpy(job->user, user.p, user.n + 1);
	memcpy(job->pass, pass.p, pass.n + 1);
	snprintf(job->hash, sizeof job->hash, "%s", hash);
	return job;
}

enum http_guard_verdict
http_guard_check(struct http_guard_worker *gw,
		 const struct http_guard_realm *realm,
		 const struct http_request *r, const struct net_addr *peer,
		 void *owner, struct http_guard_job **jobp)
{
	const struct http_header *h = http_header_find(r->headers, r->nheaders,
						       "authorization");
	char cred[HTTP_AUTH_CRED_MAX];
	struct http_slice user, pass;
	unsigned char key[GUARD_KEY];

	if (h == NULL || http_auth_parse_basic(h->value, cred, &user,
					       &pass) < 0)
		return HTTP_GUARD_DENY;
	const struct http_auth_users *u = atomic_load(&realm->users);
	const char *hash = http_auth_users_find(u, user.p, user.n);
	int known = hash != NULL;
	/* an unknown user costs the same as a wrong password: the first
	 * user's hash as a decoy */
	if (!known)
		hash = u->n ? u->v[0].hash : "$6$decoy";
	cred_key(gw, user, pass, hash, key);
	enum http_guard_verdict v = HTTP_GUARD_BUSY;
	if (known && cache_has(gw, key)) {
		v = HTTP_GUARD_ALLOW;
	} else if (gw->pending < HTTP_GUARD_MAX_PENDING) {
		struct http_guard_job *job = job_new(user, pass, hash, known,
						     peer, owner);
		if (job) {
			memcpy(job->key, key, GUARD_KEY);
			gw->pending++;
			pthread_mutex_lock(&gw->mu);
			*gw->todo_tail = job;
			gw->todo_tail = &job->next;
			pthread_cond_signal(&gw->cv);
			pthread_mutex_unlock(&gw->mu);
			*jobp = job;
			v = HTTP_GUARD_PENDING;
		}
	}
	explicit_bzero(cred, sizeof cred);
	return v;
}

void
http_guard_cancel(struct http_guard_job *job)
{
	job->owner = NULL;
}

void
http_guard_deny(const struct http_guard_realm *realm,
		const struct http_request *r, struct http_reply *rep)
{
	http_reply_begin(rep, 401);
	rep->head_only = r->method == HTTP_M_HEAD;
	http_reply_header(rep, "WWW-Authenticate", realm->challenge,
			  realm->clen);
	http_reply_error_finish(rep, r->version == 10 && r->keep_alive);
}
