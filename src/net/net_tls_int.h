/* net_tls_int: what net_tls.c (connections) and net_tls_server.c (the
 * server's contexts) share. Private to src/net. */
#ifndef INETKIT_NET_TLS_INT_H
#define INETKIT_NET_TLS_INT_H

#include <openssl/ssl.h>
#include <pthread.h>

#include "net/net_tls.h"

/* One generation of certificates: the default context and one per SNI
 * name. A connection holds a reference, so a reload frees a generation
 * only after its last handshake. */
struct tls_name {
	char name[256];		/* lower case; "*.example.test" */
	SSL_CTX *ctx;
};

struct tls_set {
	int refs;		/* atomic */
	SSL_CTX *def;
	struct tls_name names[NET_TLS_MAX_CERTS];
	int nnames;
};

struct tls_ticket_key {
	unsigned char name[16];
	unsigned char aes[32];
	unsigned char hmac[32];
	int64_t born;		/* monotonic seconds; 0: no key */
};

#define TLS_SEEN_SLOTS 256

struct net_tls_server {
	struct net_tls_server_config cfg;
	pthread_mutex_t lock;	/* cur, keys, seen */
	struct tls_set *cur;
	struct tls_ticket_key keys[2];	/* the current, the previous */
	struct tls_seen {
		char src[48];
		int64_t sec;
	} seen[TLS_SEEN_SLOTS];
	int buffered;		/* no kernel TLS: writes go through tls_out */
	char *paths;		/* cfg.certs' strings since a reconfigure */
};

/* The records a connection has encrypted and not yet sent: they gather
 * here, four full records at most, and leave in one send(2). */
#define TLS_OUT_MAX (4 * (16384 + 512))

struct tls_out {
	size_t off, len;
	unsigned char p[TLS_OUT_MAX];
};

struct net_tls {
	SSL *ssl;
	struct tls_set *set;
	int wants;
	unsigned established : 1;
	unsigned failed : 1;
	unsigned plain_http : 1;
	unsigned closed : 1;	/* close_notify sent */
	unsigned short_read : 1; /* the last socket read found it empty */
	unsigned verify_failed : 1; /* the peer's certificate was refused */
	const char *why;	/* the last failure, OpenSSL's static text */
	int sys;		/* or its errno */
	/* Buffered writes (net_tls_server's buffered): the socket, the
	 * records waiting (allocated while some wait), and the bytes a
	 * net_tls_write took but could not send yet, which the retry with
	 * the same bytes reports once they are out. */
	int fd;
	int direct;		/* this write is one record: no copy */
	struct tls_out *out;
	size_t taken;
};

/* "file: message" from OpenSSL's error queue (or what, when not NULL),
 * which is emptied: the first error is the cause ("no start line"), the
 * later ones its consequences ("PEM lib"). Returns -EINVAL. */
int tls_fail(char *err, size_t n, const char *file, const char *what);
/* A file we cannot open says so in errno's words, not OpenSSL's: 0 or
 * -errno with "file: message" in err. */
int tls_readable(const char *file, char *err, size_t n);

/* The current generation, with a reference taken. */
struct tls_set *tls_set_acquire(struct net_tls_server *s);
/* Drops a reference; frees the generation with the last. */
void tls_set_release(struct tls_set *set);

#endif
