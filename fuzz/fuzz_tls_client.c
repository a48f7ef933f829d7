/* Fuzz target for src/net/net_tls_client.c and the glue of net_tls.c on
 * the client side: what `get` and `crawl` see from an https server. A
 * verifying client connection (net_tls_connect_bio, trusting a local CA,
 * checking the name fuzz.test) and an OpenSSL server talk through two
 * memory BIO pairs; the input chooses how many bytes cross at a time, the
 * client's read and write sizes, the payload, and whether one byte on the
 * way to the client is flipped. Without a flip the chain and the name
 * must verify, every byte must come back and close_notify must end the
 * stream; with one (or in raw mode, where the input is fed to the client
 * as the server's bytes) the glue must only fail cleanly. */
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "net/net_tls.h"
#include "net/net_tls_cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEEDS 16
#define MAX_STEPS 20000

static struct net_tls_client *client;
static SSL_CTX *server_ctx;

static void
setup(void)
{
	char dir[] = "/tmp/fuzz_tls_client.XXXXXX", err[512], path[3][64];
	struct net_tls_client_config c = { 0 };
	int made;

	if (mkdtemp(dir) == NULL ||
	    net_tls_local_ca(dir, "fuzz.test", &made, err, sizeof err) < 0)
		abort();
	snprintf(path[0], sizeof path[0], "%s/ca.pem", dir);
	snprintf(path[1], sizeof path[1], "%s/fuzz.test.pem", dir);
	snprintf(path[2], sizeof path[2], "%s/fuzz.test.key", dir);
	c.cafile = path[0];
	if (net_tls_client_new(&c, &client, err, sizeof err) < 0)
		abort();
	server_ctx = SSL_CTX_new(TLS_server_method());
	if (server_ctx == NULL ||
	    SSL_CTX_use_certificate_chain_file(server_ctx, path[1]) != 1 ||
	    SSL_CTX_use_PrivateKey_file(server_ctx, path[2],
					SSL_FILETYPE_PEM) != 1)
		abort();
}

static void
check_rc(const struct net_tls *t, ssize_t rc)
{
	/* the glue returns only what its header promises */
	if (rc < 0 && rc != -EAGAIN && rc != -EPROTO && rc != ERR_CLOSED &&
	    rc != -ECONNRESET && rc <= -ERR_BASE)
		abort();
	if (rc == -EAGAIN && net_tls_wants(t) != NET_TLS_WANT_READ &&
	    net_tls_wants(t) != NET_TLS_WANT_WRITE)
		abort();
}

struct run {
	const uint8_t *seed;
	size_t step;
	long flip;		/* wire byte to flip, or -1 */
	long wire;		/* wire bytes moved so far, server to client */
	BIO *cli_net, *srv_net;
};

static size_t
next_size(struct run *r, size_t max)
{
	size_t n = 1 + (size_t)r->seed[r->step++ % SEEDS] * 9;

	return n < max ? n : max;
}

/* Moves a chosen number of bytes from one network end to the other;
 * flips the chosen byte on the way to the client. */
static void
shuttle(struct run *r, BIO *from, BIO *to, int to_client)
{
	uint8_t buf[4096];
	size_t room = BIO_ctrl_get_write_guarantee(to);
	size_t max = room < sizeof buf ? room : sizeof buf;
	size_t k = r->seed[r->step % SEEDS] ? next_size(r, max) : max;
	int n;

	if (r->seed[r->step % SEEDS] == 0)
		r->step++;
	n = k ? BIO_read(from, buf, (int)k) : 0;
	if (n <= 0)
		return;
	if (to_client && r->flip >= r->wire && r->flip < r->wire + n)
		buf[r->flip - r->wire] ^= 0x5a;
	if (to_client)
		r->wire += n;
	if (BIO_write(to, buf, n) != n)
		abort();
}

/* The client reads until -EAGAIN, in chosen sizes, appending to got. */
static ssize_t
client_read(struct run *r, struct net_tls *t, uint8_t *got, size_t *ngot,
	    size_t cap)
{
	uint8_t sink[1];
	ssize_t rc;

	do {
		size_t want = next_size(r, cap - *ngot ? cap - *ngot : 1);
		rc = net_tls_read(t, cap - *ngot ? got + *ngot : sink, want);
		check_rc(t, rc);
		if (rc > 0)
			*ngot += (size_t)rc;
	} while (rc > 0 && *ngot < cap);
	return rc;
}

/* The server (plain OpenSSL) echoes what it reads, then closes with
 * close_notify once n bytes went back. */
static void
server_step(SSL *s, uint8_t *echo, size_t *nsrv, size_t *echoed, size_t n)
{
	size_t k;

	while (*nsrv < n && SSL_read_ex(s, echo + *nsrv, n - *nsrv, &k))
		*nsrv += k;
	while (*echoed < *nsrv &&
	       SSL_write_ex(s, echo + *echoed, *nsrv - *echoed, &k))
		*echoed += k;
	if (n && *echoed == n)
		(void)SSL_shutdown(s);
	if (n == 0)
		(void)SSL_do_handshake(s);
	ERR_clear_error();
}

static void
session(const uint8_t *seed, long flip, const uint8_t *payload, size_t n)
{
	struct run r = { .seed = seed, .flip = flip };
	BIO *cli_bio, *srv_bio;
	uint8_t *echo = malloc(n + 1), *back = malloc(n + 1);
	size_t nsrv = 0, echoed = 0, sent = 0, nback = 0, pending_len = 0;
	int closed = 0, failed = 0, shook = 0;

	BIO_new_bio_pair(&cli_bio, 0, &r.cli_net, 0);
	BIO_new_bio_pair(&srv_bio, 0, &r.srv_net, 0);
	struct net_tls *t = net_tls_connect_bio(client, cli_bio, "fuzz.test");
	SSL *s = SSL_new(server_ctx);
	if (t == NULL || s == NULL || echo == NULL || back == NULL)
		abort();
	SSL_set_bio(s, srv_bio, srv_bio);
	SSL_set_accept_state(s);
	for (int i = 0; i < MAX_STEPS && !closed && !failed; i++) {
		ssize_t rc = shook ? 0 : net_tls_handshake(t);
		check_rc(t, rc);
		shook = rc == 0;
		failed = rc < 0 && rc != -EAGAIN;
		/* a write that waits is retried with the same bytes */
		while (shook && !failed && sent < n) {
			size_t len = pending_len ? pending_len :
				next_size(&r, n - sent);
			rc = net_tls_write(t, payload + sent, len);
			check_rc(t, rc);
			pending_len = rc == -EAGAIN ? len : 0;
			failed = rc < 0 && rc != -EAGAIN;
			if (rc <= 0)
				break;
			sent += (size_t)rc;
		}
		shuttle(&r, r.cli_net, r.srv_net, 0);
		server_step(s, echo, &nsrv, &echoed, n);
		shuttle(&r, r.srv_net, r.cli_net, 1);
		if (shook && n == 0)
			break;		/* nothing to carry */
		if (shook && !failed) {
			rc = client_read(&r, t, back, &nback, n);
			closed = rc == 0;
			failed = rc < 0 && rc != -EAGAIN;
		}
	}
	/* a clean wire verifies and loses nothing */
	if (flip < 0 && (!shook || net_tls_is_verify_failed(t) ||
			 (n && (!closed || nback != n ||
				memcmp(back, payload, n)))))
		abort();
	(void)net_tls_error(t);
	(void)net_tls_shutdown(t);
	net_tls_free(t);
	SSL_free(s);
	BIO_free(r.cli_net);
	BIO_free(r.srv_net);
	free(echo);
	free(back);
}

/* The input straight into the client, as a server's bytes. */
static void
raw(const uint8_t *seed, const uint8_t *p, size_t n)
{
	struct run r = { .seed = seed, .flip = -1 };
	BIO *cli_bio;
	uint8_t buf[512], sink[4096];
	size_t off = 0, ngot = 0;

	BIO_new_bio_pair(&cli_bio, 0, &r.cli_net, 0);
	struct net_tls *t = net_tls_connect_bio(client, cli_bio, "fuzz.test");
	if (t == NULL)
		abort();
	for (int i = 0; i < MAX_STEPS; i++) {
		size_t room = BIO_ctrl_get_write_guarantee(r.cli_net);
		size_t k = next_size(&r, n - off < room ? n - off : room);
		if (off < n && BIO_write(r.cli_net, p + off, (int)k) > 0)
			off += k;
		ssize_t rc = client_read(&r, t, buf, &ngot, sizeof buf);
		while (BIO_read(r.cli_net, sink, sizeof sink) > 0)
			;	/* the ClientHello and whatever follows */
		if ((rc != -EAGAIN || off == n) && rc <= 0)
			break;
		if (ngot == sizeof buf)
			ngot = 0;
	}
	(void)net_tls_error(t);
	(void)net_tls_is_name_mismatch(t);
	net_tls_free(t);
	BIO_free(r.cli_net);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (client == NULL)
		setup();
	if (size < 3 + SEEDS)
		return 0;
	int mode = data[0] & 3;
	long flip = ((long)data[1] << 8 | data[2]) * 4;
	const uint8_t *seed = data + 3;
	const uint8_t *p = data + 3 + SEEDS;
	size_t n = size - 3 - SEEDS;

	if (mode == 0)
		raw(seed, p, n);
	else
		session(seed, mode == 1 ? flip : -1, p, n);
	return 0;
}
