/* net_sock: small socket verbs. Every descriptor is non-blocking and
 * close-on-exec. */
#ifndef INETKIT_SOCK_H
#define INETKIT_SOCK_H

#include <stddef.h>

#include "net/net_addr.h"

/* A bound socket of type SOCK_STREAM (listening) or SOCK_DGRAM, with
 * SO_REUSEADDR and, when reuseport, SO_REUSEPORT so that each worker can
 * hold its own socket on the same port. An IPv6 wildcard also takes IPv4.
 * Returns the descriptor or -errno. */
int net_listen(const struct net_addr *a, int type, int reuseport);
/* The local address a socket is bound to. Returns 0 or -errno. */
int net_local_addr(int fd, struct net_addr *out);
/* Starts a non-blocking connect. Returns the descriptor (the connection
 * may still be in progress: wait for writability, then net_connect_result)
 * or -errno. */
int net_connect_start(const struct net_addr *a, int type);
/* After writability: 0 when connected, else -errno (SO_ERROR). */
int net_connect_result(int fd);
/* Blocking connect with a timeout in ms, for simple clients. The returned
 * descriptor is blocking. Returns the descriptor, -errno or ERR_TIMEOUT. */
int net_connect_timeout(const struct net_addr *a, int type, int timeout_ms);
/* Sends b's bytes on a non-blocking stream, consuming what went. Returns
 * 1 when b is empty, 0 when the socket is full (wait for writability), or
 * -errno. */
struct buf;
int net_send_buf(int fd, struct buf *b);
/* Writes all of p[0..n) to a blocking descriptor (a file, a pipe,
 * standard output, a blocking socket), again after EINTR and short
 * writes. Returns 0 or -errno. */
int net_write_all(int fd, const void *p, size_t n);
/* Sets TCP_NODELAY. Returns 0 or -errno. */
int net_set_nodelay(int fd, int on);
/* Asks for a receive (SO_RCVBUF) or send (SO_SNDBUF) buffer of bytes
 * (which the kernel doubles for its bookkeeping): past net.core.rmem_max
 * or wmem_max when the process may (SO_RCVBUFFORCE, CAP_NET_ADMIN), as
 * NSD does, else up to that maximum. 0 leaves the kernel's default.
 * Returns 0 or -errno. */
int net_set_buffer(int fd, int send, int bytes);

#endif
