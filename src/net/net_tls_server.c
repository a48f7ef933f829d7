/* net_tls_server: the server's TLS contexts. Settings of Mozilla's
 * "intermediate" profile (TLS 1.2 and 1.3, ECDHE with AEAD ciphers only,
 * no compression, no renegotiation, the server's cipher order for 1.2),
 * certificates by SNI name (RFC 6066 section 3), ALPN (RFC 7301), and
 * session tickets (RFC 5077, RFC 8446 section 4.6.1) under keys that
 * rotate and that every worker thread shares. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "net_tls_int.h"

/* TLS 1.2: forward secrecy (ECDHE) and AEAD only, ECDSA first (cheaper
 * handshakes); TLS 1.3's three suites are all AEAD and forward-secret. */
#define TLS12_CIPHERS "ECDHE-ECDSA-AES128-GCM-SHA256:" \
	"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" \
	"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:" \
	"ECDHE-RSA-CHACHA20-POLY1305"
#define TLS13_SUITES "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:" \
	"TLS_CHACHA20_POLY1305_SHA256"
#define TLS_GROUPS "X25519:P-256:P-384"
#define TLS_SID_CTX "inetkit"

static const unsigned char tls_default_alpn[] = "\x08http/1.1";

static int tls_ex_index = -1;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
/* The tickets' cipher, fetched once: OpenSSL 3 fetches the provider's
 * implementation again on every init given EVP_aes_256_cbc() */
static EVP_CIPHER *tls_ticket_cipher;

static void
tls_init_once(void)
{
	tls_ex_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	tls_ticket_cipher = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
}

static int64_t
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec + 1;	/* never 0: 0 means no key */
}

int
tls_fail(char *err, size_t n, const char *file, const char *what)
{
	unsigned long e = ERR_peek_error();
	const char *reason = what ? what : ERR_reason_error_string(e);

	snprintf(err, n, "%s: %s", file, reason ? reason : "TLS error");
	ERR_clear_error();
	return -EINVAL;
}

int
tls_readable(const char *file, char *err, size_t n)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, n, "%s: %s", file, strerror(errno));
		return -errno;
	}
	close(fd);
	return 0;
}

static void
keys_new(struct tls_ticket_key *k, int64_t now)
{
	if (RAND_bytes(k->name, sizeof k->name) != 1 ||
	    RAND_bytes(k->aes, sizeof k->aes) != 1 ||
	    RAND_bytes(k->hmac, sizeof k->hmac) != 1)
		abort();	/* no randomness: nothing safe to do */
	k->born = now;
}

/* Under the lock: the current key is replaced once it is older than the
 * period, and kept as the previous one, which still decrypts. */
static void
keys_rotate(struct net_tls_server *s, int64_t now)
{
	if (now - s->keys[0].born < s->cfg.ticket_rotate_s)
		return;
	s->keys[1] = s->keys[0];
	keys_new(&s->keys[0], now);
}

/* OpenSSL's ticket callback (SSL_CTX_set_tlsext_ticket_key_evp_cb): enc
 * picks the current key; a decryption finds the key by name, and one
 * under the previous key asks for a new ticket (returns 2). */
static int
tls_ticket_cb(SSL *ssl, unsigned char name[16], unsigned char *iv,
	      EVP_CIPHER_CTX *ectx, EVP_MAC_CTX *hctx, int enc)
{
	struct net_tls_server *s = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl),
						       tls_ex_index);
	struct tls_ticket_key k;
	int found = 0;

	pthread_mutex_lock(&s->lock);
	keys_rotate(s, mono_s());
	for (int i = 0; i < 2 && !enc; i++)
		if (s->keys[i].born &&
		    memcmp(s->keys[i].name, name, 16) == 0) {
			k = s->keys[i];
			found = i + 1;
		}
	if (enc)
		k = s->keys[0];
	pthread_mutex_unlock(&s->lock);
	if (!enc && !found)
		return 0;	/* unknown key: a full handshake */
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, k.hmac,
						  sizeof k.hmac),
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	const EVP_CIPHER *aes = tls_ticket_cipher ? tls_ticket_cipher :
				EVP_aes_256_cbc();
	if (enc) {
		memcpy(name, k.name, 16);
		if (RAND_bytes(iv, 16) != 1 ||
		    EVP_EncryptInit_ex(ectx, aes, NULL, k.aes, iv) != 1)
			return -1;
	} else if (EVP_DecryptInit_ex(ectx, aes, NULL, k.aes, iv) != 1) {
		return -1;
	}
	if (EVP_MAC_CTX_set_params(hctx, p) != 1)
		return -1;
	return found == 2 ? 2 : 1;
}

/* ALPN (RFC 7301 section 3.2): the first of our protocols the client
 * offers; none in common goes on without ALPN, as nginx does. */
static int
tls_alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
	    const unsigned char *in, unsigned int inlen, void *arg)
{
	struct net_tls_server *s = arg;
	unsigned char *sel;

	if (SSL_select_next_proto(&sel, outlen, s->cfg.alpn,
				  (unsigned)s->cfg.alpn_len, in, inlen) !=
	    OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

int
net_tls_name_matches(const char *pattern, const char *name)
{
	if (strcasecmp(pattern, name) == 0)
		return 1;
	if (pattern[0] != '*' || pattern[1] != '.')
		return 0;
	/* one label only: "*.example.test" is not "a.b.example.test" */
	const char *dot = strchr(name, '.');
	return dot && dot != name && strcasecmp(pattern + 1, dot) == 0;
}

static SSL_CTX *
set_find(const struct tls_set *set, const char *name)
{
	/* an exact name before any wildcard */
	for (int i = 0; i < set->nnames; i++)
		if (strcasecmp(set->names[i].name, name) == 0)
			return set->names[i].ctx;
	for (int i = 0; i < set->nnames; i++)
		if (net_tls_name_matches(set->names[i].name, name))
			return set->names[i].ctx;
	return NULL;
}

/* SNI (RFC 6066 section 3): the context of the name, before OpenSSL picks
 * a certificate; a name we do not know gets the default. */
static int
tls_sni_cb(SSL *ssl, int *alert, void *arg)
{
	struct tls_set *set = arg;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);

	if (name == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	SSL_CTX *ctx = set_find(set, name);
	if (ctx && ctx != SSL_get_SSL_CTX(ssl))
		SSL_set_SSL_CTX(ssl, ctx);
	return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *
ctx_new(struct net_tls_server *s)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL)
		return NULL;
	int ok = SSL_CTX_set_min_proto_version(ctx, s->cfg.min_version == 13 ?
					       TLS1_3_VERSION : TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION |
			    SSL_OP_NO_RENEGOTIATION |
			    SSL_OP_CIPHER_SERVER_PREFERENCE |
			    SSL_OP_ENABLE_KTLS);
	ok = ok && SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) &&
		SSL_CTX_set_ciphersuites(ctx, TLS13_SUITES) &&
		SSL_CTX_set1_groups_list(ctx, TLS_GROUPS);
	/* partial writes: a file goes out as the socket takes it; moving
	 * buffer: a retry may come from another copy of the same bytes;
	 * release: an idle keep-alive connection holds no record buffers */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
			 SSL_MODE_RELEASE_BUFFERS);
	/* one read system call per burst of records, not two per record */
	SSL_CTX_set_read_ahead(ctx, 1);
	/* resumption is by tickets alone: no session cache to lock or fill */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	ok = ok && SSL_CTX_set_session_id_context(ctx,
			(const unsigned char *)TLS_SID_CTX,
			sizeof TLS_SID_CTX - 1);
	/* a ticket decrypts for two periods at most (current, previous) */
	SSL_CTX_set_timeout(ctx, 2L * s->cfg.ticket_rotate_s);
	SSL_CTX_set_num_tickets(ctx, 1);
	SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, tls_ticket_cb);
	SSL_CTX_set_alpn_select_cb(ctx, tls_alpn_cb, s);
	ok = ok && SSL_CTX_set_ex_data(ctx, tls_ex_index, s);
	if (!ok) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int
ctx_load(SSL_CTX *ctx, const struct net_tls_cert *c, char *err, size_t n)
{
	int rc = tls_readable(c->cert, err, n);

	if (rc == 0)
		rc = tls_readable(c->key, err, n);
	if (rc < 0)
		return rc;
	ERR_clear_error();
	if (SSL_CTX_use_certificate_chain_file(ctx, c->cert) != 1)
		return tls_fail(err, n, c->cert, NULL);
	if (SSL_CTX_use_PrivateKey_file(ctx, c->key, SSL_FILETYPE_PEM) != 1)
		return tls_fail(err, n, c->key, NULL);
	/* a key of another type than the certificate lands in a slot of its
	 * own: this catches it */
	if (SSL_CTX_check_private_key(ctx) != 1)
		return tls_fail(err, n, c->key, "does not match the certificate");
	return 0;
}

void
tls_set_release(struct tls_set *set)
{
	if (set == NULL || __atomic_sub_fetch(&set->refs, 1, __ATOMIC_ACQ_REL))
		return;
	SSL_CTX_free(set->def);
	for (int i = 0; i < set->nnames; i++)
		SSL_CTX_free(set->names[i].ctx);
	free(set);
}

struct tls_set *
tls_set_acquire(struct net_tls_server *s)
{
	pthread_mutex_lock(&s->lock);
	struct tls_set *set = s->cur;
	__atomic_add_fetch(&set->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&s->lock);
	return set;
}

/* The context for cert's name, made on first use. */
static SSL_CTX *
set_ctx_for(struct net_tls_server *s, struct tls_set *set, const char *name)
{
	if (name == NULL)
		return set->def ? set->def : (set->def = ctx_new(s));
	for (int i = 0; i < set->nnames; i++)
		if (strcasecmp(set->names[i].name, name) == 0)
			return set->names[i].ctx;
	struct tls_name *t = &set->names[set->nnames];
	snprintf(t->name, sizeof t->name, "%s", name);
	t->ctx = ctx_new(s);
	if (t->ctx)
		set->nnames++;
	return t->ctx;
}

/* Loads every pair into a new generation. */
static int
set_new(struct net_tls_server *s, struct tls_set **out, char *err, size_t n)
{
	struct tls_set *set = calloc(1, sizeof *set);
	int rc = 0;

	if (set == NULL)
		return -ENOMEM;
	set->refs = 1;
	for (int i = 0; i < s->cfg.ncerts && rc == 0; i++) {
		const struct net_tls_cert *c = &s->cfg.certs[i];
		SSL_CTX *ctx = set_ctx_for(s, set, c->name);
		rc = ctx ? ctx_load(ctx, c, err, n) :
			tls_fail(err, n, c->cert, "cannot make a TLS context");
	}
	if (rc == 0 && set->def == NULL)
		rc = tls_fail(err, n, "tls", "no default certificate");
	if (rc == 0) {
		SSL_CTX_set_tlsext_servername_callback(set->def, tls_sni_cb);
		SSL_CTX_set_tlsext_servername_arg(set->def, set);
		*out = set;
		return 0;
	}
	tls_set_release(set);
	return rc;
}

int
net_tls_server_new(const struct net_tls_server_config *c,
		   struct net_tls_server **out, char *err, size_t errlen)
{
	struct net_tls_server *s = calloc(1, sizeof *s);

	pthread_once(&tls_once, tls_init_once);
	if (s == NULL)
		return -ENOMEM;
	s->cfg = *c;
	if (s->cfg.alpn == NULL) {
		s->cfg.alpn = tls_default_alpn;
		s->cfg.alpn_len = sizeof tls_default_alpn - 1;
	}
	if (s->cfg.ticket_rotate_s <= 0)
		s->cfg.ticket_rotate_s = NET_TLS_TICKET_ROTATE_S;
	pthread_mutex_init(&s->lock, NULL);
	/* kernel TLS needs OpenSSL's socket BIO for its writes; without it
	 * records are gathered and sent four at a time */
	s->buffered = !net_tls_kernel_has_ktls();
	keys_new(&s->keys[0], mono_s());
	int rc = set_new(s, &s->cur, err, errlen);
	if (rc < 0) {
		pthread_mutex_destroy(&s->lock);
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int
net_tls_server_reload(struct net_tls_server *s, char *err, size_t errlen)
{
	struct tls_set *set, *old;
	int rc = set_new(s, &set, err, errlen);

	if (rc < 0)
		return rc;
	pthread_mutex_lock(&s->lock);
	old = s->cur;
	s->cur = set;
	pthread_mutex_unlock(&s->lock);
	tls_set_release(old);
	return 0;
}

/* c's strings in one block, cfg's certs pointing into it. NULL when out
 * of memory. */
static char *
paths_copy(const struct net_tls_server_config *c, struct net_tls_cert *out)
{
	size_t len = 1;

	for (int i = 0; i < c->ncerts; i++)
		len += (c->certs[i].name ? strlen(c->certs[i].name) + 1 : 0) +
			strlen(c->certs[i].cert) + strlen(c->certs[i].key) + 2;
	char *blob = malloc(len), *p = blob;
	for (int i = 0; blob && i < c->ncerts; i++) {
		const char *src[3] = { c->certs[i].name, c->certs[i].cert,
				       c->certs[i].key };
		const char **dst[3] = { &out[i].name, &out[i].cert,
					&out[i].key };
		for (int k = 0; k < 3; k++) {
			*dst[k] = src[k] ? p : NULL;
			if (src[k])
				p = stpcpy(p, src[k]) + 1;
		}
	}
	return blob;
}

int
net_tls_server_reconfigure(struct net_tls_server *s,
			   const struct net_tls_server_config *c,
			   char *err, size_t errlen)
{
	struct net_tls_server_config old = s->cfg;
	struct tls_set *set;
	char *blob = paths_copy(c, s->cfg.certs);

	if (blob == NULL)
		return -ENOMEM;
	/* set_new and ctx_new read these; the workers do not */
	s->cfg.ncerts = c->ncerts;
	s->cfg.min_version = c->min_version;
	int rc = set_new(s, &set, err, errlen);
	if (rc < 0) {
		s->cfg = old;
		free(blob);
		return rc;
	}
	pthread_mutex_lock(&s->lock);
	struct tls_set *prev = s->cur;
	s->cur = set;
	pthread_mutex_unlock(&s->lock);
	tls_set_release(prev);
	free(s->paths);
	s->paths = blob;
	return 0;
}

void
net_tls_server_free(struct net_tls_server *s)
{
	if (s == NULL)
		return;
	tls_set_release(s->cur);
	free(s->paths);
	pthread_mutex_destroy(&s->lock);
	OPENSSL_cleanse(s->keys, sizeof s->keys);
	free(s);
}

void
net_tls_server_rotate_keys(struct net_tls_server *s)
{
	pthread_mutex_lock(&s->lock);
	s->keys[1] = s->keys[0];
	keys_new(&s->keys[0], mono_s());
	pthread_mutex_unlock(&s->lock);
}

int
net_tls_server_may_log(struct net_tls_server *s, const char *source)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	int64_t now = mono_s();
	int ok;

	for (const char *p = source; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	pthread_mutex_lock(&s->lock);
	struct tls_seen *e = &s->seen[h % TLS_SEEN_SLOTS];
	ok = e->sec != now || strcmp(e->src, source) != 0;
	if (ok) {
		e->sec = now;
		snprintf(e->src, sizeof e->src, "%s", source);
	}
	pthread_mutex_unlock(&s->lock);
	return ok;
}

int
net_tls_kernel_has_ktls(void)
{
	char ulp[256] = "";
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_available_ulp", "re");

	if (f == NULL)
		return 0;
	if (fgets(ulp, sizeof ulp, f) == NULL)
		ulp[0] = '\0';
	fclose(f);
	for (char *t = strtok(ulp, " \n"); t; t = strtok(NULL, " \n"))
		if (strcmp(t, "tls") == 0)
			return 1;
	return 0;
}

void
net_tls_server_describe(const struct net_tls_server *s, char *out, size_t n)
{
	char alpn[128];
	size_t w = 0;

	for (size_t i = 0; i < s->cfg.alpn_len && w + 1 < sizeof alpn;) {
		size_t len = s->cfg.alpn[i++];
		for (size_t j = 0; j < len && i < s->cfg.alpn_len &&
		     w + 2 < sizeof alpn; j++)
			alpn[w++] = (char)s->cfg.alpn[i++];
		alpn[w++] = ' ';
	}
	alpn[w ? w - 1 : 0] = '\0';
	int ktls = net_tls_kernel_has_ktls();
	snprintf(out, n, "tls: %s; %s; ALPN %s; session tickets, keys "
		 "rotated every %d s; kernel TLS %s: file bodies %s",
		 OpenSSL_version(OPENSSL_VERSION),
		 s->cfg.min_version == 13 ? "TLSv1.3" : "TLSv1.2 TLSv1.3",
		 alpn, s->cfg.ticket_rotate_s,
		 ktls ? "available" : "unavailable",
		 ktls ? "by SSL_sendfile where the cipher allows" :
		 "read into a buffer and sent by SSL_write");
}
