/* net_tls_client: the client's TLS context and connections (RFC 8446,
 * RFC 5246): the chain verified against the system store and --cacert,
 * the server's name checked by OpenSSL (RFC 6125 section 6: DNS names
 * against the DNS SANs, IP literals against the IP SANs of RFC 5280
 * section 4.2.1.6), SNI (RFC 6066 section 3) and ALPN (RFC 7301). */
#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "net_tls_int.h"

static const unsigned char tls_client_alpn[] = "\x08http/1.1";

struct net_tls_client {
	SSL_CTX *ctx;
};

/* cafile's certificates into store: 0, or -EINVAL with "file: message"
 * in err. */
static int
client_cafile(X509_STORE *store, const char *cafile, char *err, size_t n)
{
	int rc = tls_readable(cafile, err, n);

	if (rc < 0)
		return rc;
	ERR_clear_error();
	if (X509_STORE_load_file(store, cafile) != 1)
		return tls_fail(err, n, cafile, "no certificate in it");
	return 0;
}

int
net_tls_cafile_check(const char *file, char *err, size_t errlen)
{
	X509_STORE *store = X509_STORE_new();
	int rc = store ? client_cafile(store, file, err, errlen) : -ENOMEM;

	X509_STORE_free(store);
	return rc;
}

/* Trust: OpenSSL's default paths (the Debian store, /etc/ssl/certs, or
 * SSL_CERT_FILE and SSL_CERT_DIR when set), then cafile's anchors. */
static int
client_trust(SSL_CTX *ctx, const struct net_tls_client_config *c, char *err,
	     size_t n)
{
	int rc = 0;

	ERR_clear_error();
	if (SSL_CTX_set_default_verify_paths(ctx) != 1)
		return tls_fail(err, n, "the system's trust store", NULL);
	if (c->cafile)
		rc = client_cafile(SSL_CTX_get_cert_store(ctx), c->cafile,
				   err, n);
	if (rc < 0)
		return rc;
	SSL_CTX_set_verify(ctx, c->insecure ? SSL_VERIFY_NONE :
			   SSL_VERIFY_PEER, NULL);
	return 0;
}

int
net_tls_client_new(const struct net_tls_client_config *c,
		   struct net_tls_client **out, char *err, size_t errlen)
{
	struct net_tls_client *cl = calloc(1, sizeof *cl);
	const unsigned char *alpn = c->alpn ? c->alpn : tls_client_alpn;
	size_t alpn_len = c->alpn ? c->alpn_len : sizeof tls_client_alpn - 1;
	int rc = -ENOMEM;

	if (cl == NULL || (cl->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		snprintf(err, errlen, "tls: cannot make a TLS context");
		goto fail;
	}
	SSL_CTX_set_min_proto_version(cl->ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(cl->ctx, SSL_OP_NO_COMPRESSION |
			    SSL_OP_NO_RENEGOTIATION);
	/* as the server's: net_tls_write goes on after each record, and a
	 * retry may come from another copy of the same bytes */
	SSL_CTX_set_mode(cl->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* one read system call per burst of records; the fetch engine reads
	 * until -EAGAIN, so nothing stays buffered behind an edge */
	SSL_CTX_set_read_ahead(cl->ctx, 1);
	/* SSL_CTX_set_alpn_protos returns 0 on success */
	rc = SSL_CTX_set_alpn_protos(cl->ctx, alpn, (unsigned)alpn_len) ?
	     tls_fail(err, errlen, "tls", "bad ALPN list") :
	     client_trust(cl->ctx, c, err, errlen);
	if (rc == 0) {
		*out = cl;
		return 0;
	}
fail:
	net_tls_client_free(cl);
	return rc;
}

void
net_tls_client_free(struct net_tls_client *c)
{
	if (c == NULL)
		return;
	SSL_CTX_free(c->ctx);
	free(c);
}

/* The name to check: an address literal against the IP SANs (no SNI for
 * it, RFC 6066 section 3), else a DNS name, without a final dot, as SNI
 * and against the DNS SANs. Returns 1 when set. */
static int
client_name(SSL *ssl, const char *host)
{
	unsigned char a[16];
	char name[256];
	size_t n = strlen(host);

	if (inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1)
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
						     host) == 1;
	if (n > 0 && host[n - 1] == '.')
		n--;
	if (n == 0 || n >= sizeof name)
		return 0;
	memcpy(name, host, n);
	name[n] = '\0';
	/* "*.example.test" covers one label, never a part of one */
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	return SSL_set_tlsext_host_name(ssl, name) == 1 &&
	       SSL_set1_host(ssl, name) == 1;
}

static struct net_tls *
client_new(struct net_tls_client *c, const char *host)
{
	struct net_tls *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->ssl = SSL_new(c->ctx);
	if (t->ssl == NULL || !client_name(t->ssl, host)) {
		ERR_clear_error();
		net_tls_free(t);
		return NULL;
	}
	SSL_set_connect_state(t->ssl);
	return t;
}

struct net_tls *
net_tls_connect(struct net_tls_client *c, int fd, const char *host)
{
	struct net_tls *t = client_new(c, host);

	if (t && SSL_set_fd(t->ssl, fd) != 1) {
		ERR_clear_error();
		net_tls_free(t);
		return NULL;
	}
	return t;
}

struct net_tls *
net_tls_connect_bio(struct net_tls_client *c, struct bio_st *bio,
		    const char *host)
{
	struct net_tls *t = client_new(c, host);

	if (t == NULL) {
		BIO_free(bio);
		return NULL;
	}
	SSL_set_bio(t->ssl, bio, bio);
	return t;
}

int
net_tls_is_verify_failed(const struct net_tls *t)
{
	return t->verify_failed;
}

int
net_tls_is_name_mismatch(const struct net_tls *t)
{
	long v = SSL_get_verify_result(t->ssl);

	return t->verify_failed && (v == X509_V_ERR_HOSTNAME_MISMATCH ||
				    v == X509_V_ERR_IP_ADDRESS_MISMATCH);
}
