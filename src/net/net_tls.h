/* net_tls: TLS under a stream connection, with OpenSSL 3.0 (RFC 8446, RFC
 * 5246); no TLS code of our own. Two parts:
 *
 *   contexts    what every connection of a side shares. The server's
 *               (net_tls_server_*) holds the certificates (a default and
 *               one per SNI name, RSA and ECDSA side by side), the
 *               protocol settings, ALPN, and the session-ticket keys that
 *               all worker threads share; SIGHUP swaps the certificates.
 *               The client's (net_tls_client_*) holds the trust anchors
 *               (the system store, --cacert) and ALPN; each connection
 *               adds SNI and the name its certificate must carry.
 *   connections net_tls_* on one non-blocking socket (or, for tests and
 *               the fuzzer, a BIO): handshake, read, write, sendfile and
 *               shutdown, each returning -EAGAIN when the socket must be
 *               waited on, net_tls_wants() telling which way.
 *
 * Thread safety: a context is shared by every worker; a connection belongs
 * to the thread that runs it. */
#ifndef INETKIT_NET_TLS_H
#define INETKIT_NET_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bio_st;			/* OpenSSL's BIO */

#define NET_TLS_MAX_CERTS 32	/* certificate/key pairs of a server */
#define NET_TLS_ERR_MAX 512	/* room for a "file: message" error */
#define NET_TLS_TICKET_ROTATE_S 3600

/* One certificate chain and key (PEM files). name NULL: the default; else
 * the SNI name it serves, exact ("www.example.test") or one wildcard label
 * ("*.example.test"). A name may come twice, once with an RSA key and
 * once with an ECDSA key: the client's signature algorithms pick. */
struct net_tls_cert {
	const char *name;
	const char *cert;
	const char *key;
};

struct net_tls_server_config {
	struct net_tls_cert certs[NET_TLS_MAX_CERTS];
	int ncerts;
	int min_version;	/* 12 (default, TLS 1.2) or 13 */
	/* ALPN protocols offered, in order of preference, in wire format
	 * (length-prefixed); NULL: "http/1.1" */
	const unsigned char *alpn;
	size_t alpn_len;
	int ticket_rotate_s;	/* 0: NET_TLS_TICKET_ROTATE_S */
};

struct net_tls_server;

/* Loads every certificate and key and builds the contexts. On failure
 * returns a negative code and writes "file: message" into err. */
int net_tls_server_new(const struct net_tls_server_config *c,
		       struct net_tls_server **out, char *err, size_t errlen);
/* Reads the files again (SIGHUP): new handshakes use the new pairs, those
 * in progress and established keep theirs. On failure the old pairs stay
 * and err says why; returns 0 or a negative code. Any thread. */
int net_tls_server_reload(struct net_tls_server *s, char *err, size_t errlen);
/* The same with other pairs: c's certs and min_version (the rest of c is
 * ignored; the strings are copied), for a reload that names new files.
 * On failure nothing changes. Call from one thread (the one reloading). */
int net_tls_server_reconfigure(struct net_tls_server *s,
			       const struct net_tls_server_config *c,
			       char *err, size_t errlen);
/* After every connection is freed. */
void net_tls_server_free(struct net_tls_server *s);

/* Replaces the session-ticket key now, as the period does (the previous
 * key still decrypts until the next rotation). */
void net_tls_server_rotate_keys(struct net_tls_server *s);

/* True when an SNI name matches a pattern of --sni: the same name (case
 * aside), or "*.domain" for one label more than domain (RFC 6125 6.4.3). */
int net_tls_name_matches(const char *pattern, const char *name);

/* "once per source per second": true when a failure from this source
 * (an address as text) may be logged now. Shared by all threads. */
int net_tls_server_may_log(struct net_tls_server *s, const char *source);

/* One line on what the server does, for --tls-info: OpenSSL version,
 * protocols, ALPN, tickets and whether kernel TLS can carry files. */
void net_tls_server_describe(const struct net_tls_server *s, char *out,
			     size_t n);
/* True when the kernel offers kernel TLS (the "tls" upper layer): only
 * then can SSL_sendfile send a file without copying it. */
int net_tls_kernel_has_ktls(void);

/* The client's context: what every https connection of a fetch engine
 * shares. */
struct net_tls_client_config {
	/* more trust anchors (PEM), beside the system store: OpenSSL's
	 * default paths, which SSL_CERT_FILE and SSL_CERT_DIR replace as for
	 * curl and openssl; NULL: none */
	const char *cafile;
	int insecure;		/* no verification at all (-k) */
	/* ALPN protocols offered, wire format; NULL: "http/1.1" */
	const unsigned char *alpn;
	size_t alpn_len;
};

struct net_tls_client;

/* Builds the client context (reading cafile and the store's file). On
 * failure returns a negative code and writes "file: message" into err. */
int net_tls_client_new(const struct net_tls_client_config *c,
		       struct net_tls_client **out, char *err, size_t errlen);
/* After every connection is freed. */
void net_tls_client_free(struct net_tls_client *c);
/* Reads a --cacert file as net_tls_client_new will: 0, or a negative
 * code with "file: message" in err (no such file, no certificate). */
int net_tls_cafile_check(const char *file, char *err, size_t errlen);

enum {
	NET_TLS_WANT_READ = 1,
	NET_TLS_WANT_WRITE = 2,
};

struct net_tls;

/* A server connection on the connected, non-blocking socket fd (which
 * stays the caller's to close). The handshake runs inside the first reads
 * (or net_tls_handshake). NULL when out of memory. */
struct net_tls *net_tls_accept(struct net_tls_server *s, int fd);
/* The same over a BIO (taken over: freed with the connection). */
struct net_tls *net_tls_accept_bio(struct net_tls_server *s,
				   struct bio_st *bio);
/* A client connection on the connected, non-blocking socket fd (which
 * stays the caller's to close) to the server called host: a DNS name,
 * sent as SNI and checked against the certificate's DNS names (RFC 6125),
 * or an IP address literal (no brackets), checked against its IP
 * addresses. The handshake runs inside net_tls_handshake (or the first
 * read or write). NULL when out of memory. */
struct net_tls *net_tls_connect(struct net_tls_client *c, int fd,
				const char *host);
/* The same over a BIO (taken over: freed with the connection). */
struct net_tls *net_tls_connect_bio(struct net_tls_client *c,
				    struct bio_st *bio, const char *host);
/* Frees the connection without sending anything (net_tls_shutdown first
 * for a clean close). */
void net_tls_free(struct net_tls *t);

/* Drives the handshake. Returns 0 when done, -EAGAIN (see wants), or
 * -EPROTO / -errno when it failed. */
int net_tls_handshake(struct net_tls *t);
/* Decrypted bytes into p (finishing the handshake first). Returns the
 * count, 0 at the peer's close_notify, -EAGAIN (see wants), ERR_CLOSED
 * when the connection ended without close_notify (a truncation for a
 * body framed by the close), -EPROTO on a TLS failure or -errno. */
ssize_t net_tls_read(struct net_tls *t, void *p, size_t n);
/* Encrypts and sends up to n bytes. Returns the count taken (maybe less
 * than n), -EAGAIN (see wants) or a negative code. After -EAGAIN, call it
 * again with the same bytes (at least as many): a record may be waiting
 * half sent. */
ssize_t net_tls_write(struct net_tls *t, const void *p, size_t n);
/* n bytes of file fd from off, by SSL_sendfile: only when
 * net_tls_is_ktls_send(t). Returns as net_tls_write. */
ssize_t net_tls_sendfile(struct net_tls *t, int fd, off_t off, size_t n);
/* The direction the last -EAGAIN waits for: NET_TLS_WANT_READ/WRITE. */
int net_tls_wants(const struct net_tls *t);
/* Sends close_notify once (RFC 8446 section 6.1), without waiting for
 * the peer's. Returns 0, or -EAGAIN when the socket is full (the caller
 * may close anyway). Does nothing before the handshake ends or after a
 * failure. */
int net_tls_shutdown(struct net_tls *t);

/* After a read: the socket read last came back short (it is empty) and
 * OpenSSL holds no byte of it, so more data will come with a new edge of
 * an edge-triggered loop (net_tls_accept's connections only). */
int net_tls_is_drained(const struct net_tls *t);
/* The handshake is done. */
int net_tls_is_established(const struct net_tls *t);
/* The handshake failed because the peer spoke plain HTTP (nginx answers
 * this with a 400 in clear text). */
int net_tls_is_plain_http(const struct net_tls *t);
/* Kernel TLS carries the sending side: net_tls_sendfile works. */
int net_tls_is_ktls_send(const struct net_tls *t);
/* The session was resumed (a ticket). */
int net_tls_is_resumed(const struct net_tls *t);
/* "TLSv1.3", "TLS_AES_128_GCM_SHA256": static strings, "-" before the
 * handshake. */
const char *net_tls_version(const struct net_tls *t);
const char *net_tls_cipher(const struct net_tls *t);
/* The negotiated ALPN protocol into out (NUL-terminated, "" if none). */
void net_tls_alpn(const struct net_tls *t, char *out, size_t n);
/* After a failed handshake: the peer's certificate was refused;
 * net_tls_error says why ("certificate has expired"). */
int net_tls_is_verify_failed(const struct net_tls *t);
/* ... because it is not for the name (or address) asked. */
int net_tls_is_name_mismatch(const struct net_tls *t);
/* Why the last call failed, from OpenSSL's error queue ("wrong version
 * number"); the queue is emptied. Never NULL. */
const char *net_tls_error(struct net_tls *t);

#endif
