/* net_tls_cert: the local certificate authority of `inetkit up` (see the
 * header), by OpenSSL's X509 and EVP_PKEY API. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/net_tls_cert.h"

struct tls_pair {
	EVP_PKEY *key;
	X509 *cert;
};

static int
cert_fail(char *err, size_t n, const char *file, const char *what)
{
	unsigned long e = ERR_peek_last_error();

	if (what == NULL)
		what = e ? ERR_reason_error_string(e) : strerror(errno);
	snprintf(err, n, "%s: %s", file, what ? what : "failed");
	ERR_clear_error();
	return -EINVAL;
}

static int
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return 0;
	int ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/* A certificate for key with CN cn, signed by ca (NULL: self-signed). */
static X509 *
cert_make(EVP_PKEY *key, const char *cn, const struct tls_pair *ca,
	  int days, const char *san)
{
	X509 *x = X509_new();
	BIGNUM *serial = BN_new();
	int ok = x && serial && X509_set_version(x, 2) &&
		BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
		BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) &&
		X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
		X509_gmtime_adj(X509_getm_notAfter(x), (long)days * 86400) &&
		X509_set_pubkey(x, key);
	X509_NAME *name = X509_get_subject_name(x);
	ok = ok && X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
			(const unsigned char *)"inetkit local", -1, -1, 0) &&
		X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
			(const unsigned char *)cn, -1, -1, 0);
	X509 *issuer = ca ? ca->cert : x;
	ok = ok && X509_set_issuer_name(x, X509_get_subject_name(issuer)) &&
		add_ext(x, issuer, NID_subject_key_identifier, "hash");
	if (ca == NULL)
		ok = ok && add_ext(x, x, NID_basic_constraints,
				   "critical,CA:TRUE,pathlen:0") &&
			add_ext(x, x, NID_key_usage,
				"critical,keyCertSign,cRLSign");
	else
		ok = ok && add_ext(x, issuer, NID_basic_constraints,
				   "critical,CA:FALSE") &&
			add_ext(x, issuer, NID_key_usage,
				"critical,digitalSignature") &&
			add_ext(x, issuer, NID_ext_key_usage, "serverAuth") &&
			add_ext(x, issuer, NID_authority_key_identifier,
				"keyid:always") &&
			add_ext(x, issuer, NID_subject_alt_name, san);
	ok = ok && X509_sign(x, ca ? ca->key : key, EVP_sha256()) > 0;
	BN_free(serial);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Writes a PEM file readable by its owner only (a key) or by all. */
static int
pem_write(const char *path, EVP_PKEY *key, X509 *cert)
{
	char tmp[4200];
	int fd, ok;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		  key ? 0600 : 0644);
	if (fd < 0)
		return 0;
	FILE *f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return 0;
	}
	ok = key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) :
		PEM_write_X509(f, cert);
	ok = fclose(f) == 0 && ok;
	/* a whole file or none: a crash leaves no half key behind */
	return ok && rename(tmp, path) == 0;
}

static int
pair_read(const char *cert, const char *key, struct tls_pair *p)
{
	FILE *f = fopen(cert, "re");

	p->cert = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	f = fopen(key, "re");
	p->key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	ERR_clear_error();
	return p->cert && p->key;
}

static void
pair_free(struct tls_pair *p)
{
	X509_free(p->cert);
	EVP_PKEY_free(p->key);
	p->cert = NULL;
	p->key = NULL;
}

/* Makes a pair and writes it (cert then key paths). */
static int
pair_make(struct tls_pair *p, const char *cn, const struct tls_pair *ca,
	  int days, const char *san, const char *cert, const char *key,
	  char *err, size_t n)
{
	p->key = EVP_EC_gen("P-256");
	p->cert = p->key ? cert_make(p->key, cn, ca, days, san) : NULL;
	if (p->cert == NULL)
		return cert_fail(err, n, cert, NULL);
	if (!pem_write(key, p->key, NULL))
		return cert_fail(err, n, key, strerror(errno));
	if (!pem_write(cert, NULL, p->cert))
		return cert_fail(err, n, cert, strerror(errno));
	return 0;
}

/* The leaf is current: it exists, matches, and lasts one more day. */
static int
leaf_is_fresh(const struct tls_pair *leaf, const struct tls_pair *ca)
{
	time_t soon = time(NULL) + 86400;
	EVP_PKEY *ca_pub = X509_get0_pubkey(ca->cert);

	return X509_cmp_time(X509_get0_notAfter(leaf->cert), &soon) > 0 &&
		X509_check_private_key(leaf->cert, leaf->key) == 1 &&
		ca_pub && X509_verify(leaf->cert, ca_pub) == 1;
}

int
net_tls_local_ca(const char *dir, const char *name, int *made, char *err,
		 size_t errlen)
{
	char ca_pem[4096], ca_key[4096], pem[4096], key[4096], san[600];
	struct tls_pair ca = { 0 }, leaf = { 0 };
	int rc = 0;

	*made = 0;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return cert_fail(err, errlen, dir, strerror(errno));
	snprintf(ca_pem, sizeof ca_pem, "%s/ca.pem", dir);
	snprintf(ca_key, sizeof ca_key, "%s/ca.key", dir);
	snprintf(pem, sizeof pem, "%s/%s.pem", dir, name);
	snprintf(key, sizeof key, "%s/%s.key", dir, name);
	snprintf(san, sizeof san, "DNS:%s,DNS:localhost,IP:127.0.0.1,IP:::1",
		 name);
	if (!pair_read(ca_pem, ca_key, &ca)) {
		pair_free(&ca);
		rc = pair_make(&ca, "inetkit local CA", NULL, NET_TLS_CA_DAYS,
			       NULL, ca_pem, ca_key, err, errlen);
		*made = rc == 0;
	}
	if (rc == 0 && (!pair_read(pem, key, &leaf) ||
			!leaf_is_fresh(&leaf, &ca))) {
		pair_free(&leaf);
		rc = pair_make(&leaf, name, &ca, NET_TLS_LEAF_DAYS, san, pem,
			       key, err, errlen);
	}
	ERR_clear_error();
	pair_free(&ca);
	pair_free(&leaf);
	return rc;
}
