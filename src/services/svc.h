/* svc: the classic socket services, echo (RFC 862), daytime (RFC 867) and
 * time (RFC 868), over TCP and UDP, and their clients. */
#ifndef INETKIT_SVC_H
#define INETKIT_SVC_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/buf.h"
#include "net/net_addr.h"

struct loop;

enum svc_kind { SVC_ECHO, SVC_DAYTIME, SVC_TIME };

/* Seconds between 1900-01-01 and 1970-01-01 (RFC 868). */
#define SVC_TIME_EPOCH_OFFSET 2208988800u
/* The daytime text is ctime's 24 characters plus CR LF. */
#define SVC_DAYTIME_LEN 26

struct svc_config {
	enum svc_kind kind;
	int idle_timeout_ms;	/* a TCP connection silent this long closes */
	int max_conns;		/* TCP connections per worker */
	size_t echo_pending_max; /* bytes an echo connection may hold */
};

/* The name a service goes by in `listening` lines and on the command
 * line ("echo", "daytime", "time"). */
const char *svc_kind_name(enum svc_kind kind);
/* Looks a name up. Returns 0 or ERR_NOTFOUND. */
int svc_kind_parse(const char *name, enum svc_kind *out);

/* "Sat Nov 21 10:37:41 2026\r\n" in local time, the format of inetd's
 * daytime. out holds at least SVC_DAYTIME_LEN + 1 bytes. */
void svc_daytime_format(time_t t, char *out);
/* t as 32 big-endian bits of seconds since 1900 (wrapping in 2036). */
void svc_time_format(time_t t, uint8_t out[4]);
/* The inverse: a Unix time from the 4 bytes, for a client read near now
 * (it picks the 136-year era closest to now). */
time_t svc_time_parse(const uint8_t in[4], time_t now);

/* Per-worker server state: the worker's TCP listeners and UDP sockets
 * (descriptors are taken over and closed at the end). Returns NULL on
 * failure (no memory, or the loop refused a descriptor). */
struct svc_worker;
struct svc_worker *svc_worker_start(struct loop *l, const struct svc_config *c,
				    const int *tcp_fds, int ntcp,
				    const int *udp_fds, int nudp);
/* Closes every socket and frees the state, after the loop ended. */
void svc_worker_free(struct svc_worker *w);

/* Clients: blocking, with a timeout per wait and, over UDP, retries. */
struct svc_client {
	int udp;		/* datagrams instead of a stream */
	int timeout_ms;		/* each wait for the peer */
	int retries;		/* UDP: extra sends when no reply comes */
};

/* Connects to the first address of addrs that answers. Returns the
 * descriptor or a negative code (the last failure). */
int svc_client_connect(const struct svc_client *c, const struct net_addr *addrs,
		       int naddrs);
/* One request datagram (req, reqlen) and its reply into out. Returns the
 * reply's length or ERR_TIMEOUT after the retries. */
ssize_t svc_client_udp_ask(const struct svc_client *c, int fd, const void *req,
			   size_t reqlen, void *out, size_t size);
/* Streams in_fd to the TCP peer and the peer's bytes to out_fd at the same
 * time, half-closing after in_fd's end, until the peer closes (in_fd -1:
 * nothing to send). Returns the
 * number of bytes received or a negative code. */
ssize_t svc_client_stream(const struct svc_client *c, int fd, int in_fd,
			  int out_fd);
/* Reads until the peer closes (at most size bytes). Returns the count. */
ssize_t svc_client_read_all(const struct svc_client *c, int fd, void *out,
			    size_t size);

#endif
