/* Fuzz target for src/net/net_tls.c, the TLS glue: what OpenSSL's record
 * layer hands it at arbitrary boundaries. A server connection
 * (net_tls_accept_bio) and an OpenSSL client talk through two memory BIO
 * pairs; the input chooses how many bytes cross at a time, how large the
 * server's reads and writes are, the payload, and whether one byte on the
 * wire is flipped. Without a flip every byte must arrive, both ways, and
 * close_notify must end the stream; with one (or in raw mode, where the
 * input is fed to the server as is) the glue must only fail cleanly. */
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "net/net_tls.h"
#include "net/net_tls_cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEEDS 16
#define MAX_STEPS 20000

static struct net_tls_server *server;
static SSL_CTX *client_ctx;

static void
setup(void)
{
	char dir[] = "/tmp/fuzz_tls.XXXXXX", err[512], cert[64], key[64];
	struct net_tls_server_config c = { .ncerts = 1 };
	int made;

	if (mkdtemp(dir) == NULL ||
	    net_tls_local_ca(dir, "fuzz.test", &made, err, sizeof err) < 0)
		abort();
	snprintf(cert, sizeof cert, "%s/fuzz.test.pem", dir);
	snprintf(key, sizeof key, "%s/fuzz.test.key", dir);
	c.certs[0] = (struct net_tls_cert){ NULL, cert, key };
	if (net_tls_server_new(&c, &server, err, sizeof err) < 0)
		abort();
	client_ctx = SSL_CTX_new(TLS_client_method());
	if (client_ctx == NULL)
		abort();
	SSL_CTX_set_verify(client_ctx, SSL_VERIFY_NONE, NULL);
}

static void
check_rc(ssize_t rc)
{
	/* the glue returns only what its header promises */
	if (rc < 0 && rc != -EAGAIN && rc != -EPROTO && rc != ERR_CLOSED &&
	    rc != -ECONNRESET && rc <= -ERR_BASE)
		abort();
}

struct run {
	const uint8_t *seed;
	size_t step;
	long flip;		/* wire byte to flip, or -1 */
	long wire;		/* wire bytes moved so far, client to server */
	BIO *srv_net, *cli_net;
};

static size_t
next_size(struct run *r, size_t max)
{
	size_t n = 1 + (size_t)r->seed[r->step++ % SEEDS] * 9;

	return n < max ? n : max;
}

/* Moves up to a chosen number of bytes from one network end to the
 * other; flips the chosen byte on the way to the server. */
static void
shuttle(struct run *r, BIO *from, BIO *to, int to_server)
{
	uint8_t buf[4096];
	size_t room = BIO_ctrl_get_write_guarantee(to);
	size_t max = room < sizeof buf ? room : sizeof buf;
	/* a seed of 0 moves all it can: tiny records cross in bulk too */
	size_t k = r->seed[r->step % SEEDS] ? next_size(r, max) : max;
	if (r->seed[r->step % SEEDS] == 0)
		r->step++;
	int n = k ? BIO_read(from, buf, (int)k) : 0;

	if (n <= 0)
		return;
	if (to_server && r->flip >= r->wire && r->flip < r->wire + n)
		buf[r->flip - r->wire] ^= 0x5a;
	if (to_server)
		r->wire += n;
	if (BIO_write(to, buf, n) != n)
		abort();
}

/* Server reads until -EAGAIN into chosen sizes; appends to got. */
static ssize_t
server_read(struct run *r, struct net_tls *t, uint8_t *got, size_t *ngot,
	    size_t cap)
{
	ssize_t rc;

	do {
		size_t want = next_size(r, cap - *ngot ? cap - *ngot : 1);
		uint8_t sink[1];
		rc = net_tls_read(t, cap - *ngot ? got + *ngot : sink, want);
		check_rc(rc);
		if (rc > 0)
			*ngot += (size_t)rc;
		if (rc == -EAGAIN && net_tls_wants(t) != NET_TLS_WANT_READ &&
		    net_tls_wants(t) != NET_TLS_WANT_WRITE)
			abort();
	} while (rc > 0 && *ngot < cap);
	return rc;
}

static void
session(const uint8_t *seed, long flip, const uint8_t *payload, size_t n)
{
	struct run r = { .seed = seed, .flip = flip };
	BIO *srv_bio, *cli_bio;
	uint8_t *got = malloc(n + 1), *back = malloc(n + 1);
	size_t ngot = 0, nback = 0, sent = 0, echoed = 0;
	int closed = 0, failed = 0, pending = 0;
	size_t pending_len = 0;

	BIO_new_bio_pair(&srv_bio, 0, &r.srv_net, 0);
	BIO_new_bio_pair(&cli_bio, 0, &r.cli_net, 0);
	struct net_tls *t = net_tls_accept_bio(server, srv_bio);
	SSL *c = SSL_new(client_ctx);
	if (t == NULL || c == NULL || got == NULL || back == NULL)
		abort();
	SSL_set_bio(c, cli_bio, cli_bio);
	SSL_set_connect_state(c);
	for (int i = 0; i < MAX_STEPS && !closed && !failed; i++) {
		size_t put;
		if (sent < n && SSL_write_ex(c, payload + sent, n - sent, &put))
			sent += put;
		else
			(void)SSL_do_handshake(c);
		ERR_clear_error();
		shuttle(&r, r.cli_net, r.srv_net, 1);
		/* half duplex, as the HTTP server drives it: a write that
		 * waits is retried (same bytes) before the next read */
		ssize_t rc = -EAGAIN;
		if (!pending)
			rc = server_read(&r, t, got, &ngot, n);
		failed = rc != -EAGAIN && rc < 0;
		/* the server echoes what it got, in chosen pieces */
		pending = 0;
		while (!failed && echoed < ngot) {
			size_t len = pending_len ? pending_len :
				next_size(&r, ngot - echoed);
			rc = net_tls_write(t, got + echoed, len);
			check_rc(rc);
			pending = rc == -EAGAIN;
			pending_len = pending ? len : 0;
			failed = rc < 0 && rc != -EAGAIN;
			if (rc <= 0)
				break;
			echoed += (size_t)rc;
		}
		if (!failed && ngot == n && echoed == n)
			(void)net_tls_shutdown(t);
		shuttle(&r, r.srv_net, r.cli_net, 0);
		size_t k;
		while (SSL_read_ex(c, back + nback, n + 1 - nback, &k))
			nback += k;
		closed = SSL_get_error(c, 0) == SSL_ERROR_ZERO_RETURN;
		ERR_clear_error();
	}
	if (flip < 0 && (!closed || nback != n || memcmp(back, payload, n)))
		abort();	/* a clean wire loses nothing */
	net_tls_free(t);
	SSL_free(c);
	BIO_free(r.srv_net);
	BIO_free(r.cli_net);
	free(got);
	free(back);
}

/* The input straight into the server, as a client's bytes. */
static void
raw(const uint8_t *seed, const uint8_t *p, size_t n)
{
	struct run r = { .seed = seed, .flip = -1 };
	BIO *srv_bio;
	uint8_t buf[512];
	size_t off = 0, ngot = 0;

	BIO_new_bio_pair(&srv_bio, 0, &r.srv_net, 0);
	struct net_tls *t = net_tls_accept_bio(server, srv_bio);
	if (t == NULL)
		abort();
	for (int i = 0; i < MAX_STEPS; i++) {
		size_t room = BIO_ctrl_get_write_guarantee(r.srv_net);
		size_t k = next_size(&r, n - off < room ? n - off : room);
		if (off < n && BIO_write(r.srv_net, p + off, (int)k) > 0)
			off += k;
		ssize_t rc = server_read(&r, t, buf, &ngot, sizeof buf);
		char sink[4096];
		while (BIO_read(r.srv_net, sink, sizeof sink) > 0)
			;	/* whatever the server answers */
		if ((rc != -EAGAIN || off == n) && rc <= 0)
			break;
		if (ngot == sizeof buf)
			ngot = 0;
	}
	(void)net_tls_error(t);
	net_tls_free(t);
	BIO_free(r.srv_net);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (server == NULL)
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
