/* net_tls_cert: a local certificate authority and a server certificate it
 * signs, made with OpenSSL's API (no external tool), for `inetkit up`
 * and for tests: ECDSA P-256 keys, X.509 v3 (RFC 5280) with the
 * extensions browsers check (SAN, key usage, serverAuth). */
#ifndef INETKIT_NET_TLS_CERT_H
#define INETKIT_NET_TLS_CERT_H

#include <stddef.h>

#define NET_TLS_CA_DAYS 3650
#define NET_TLS_LEAF_DAYS 397	/* what browsers accept for a leaf */

/* In dir (created, mode 0700, when missing): ca.pem and ca.key, made once;
 * NAME.pem and NAME.key for the server name, signed by that CA, with the
 * SANs name, localhost, 127.0.0.1 and ::1; made when missing or within a
 * day of expiring. *made is set to 1 when the CA was made now. Returns 0,
 * or a negative code with "file: message" in err. */
int net_tls_local_ca(const char *dir, const char *name, int *made, char *err,
		     size_t errlen);

#endif
