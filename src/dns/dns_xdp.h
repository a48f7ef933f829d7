/* dns_xdp: `serve dns --xdp IFACE[@PORT]`: UDP queries to PORT on IFACE
 * read and answered as Ethernet frames through AF_XDP sockets, one per
 * receive queue, past the kernel's UDP and socket layers; every other
 * frame goes on to the kernel. The XDP program (bpf/dns_xdp.bpf.c) is
 * attached through a BPF link, so the kernel detaches it when the process
 * ends, however it ends. The answers come from dns_answer, as on the
 * socket path (dns_server.c). */
#ifndef INETKIT_DNS_XDP_H
#define INETKIT_DNS_XDP_H

#include <stddef.h>
#include <stdint.h>

#include "dns_server.h"

struct loop;
struct dns_xdp;
struct dns_xdp_worker;

/* Attaches the program to ifname (native mode where the driver has it,
 * else generic) and opens an AF_XDP socket on each receive queue. In the
 * main thread, before the workers start. Returns 0, or -errno with a
 * one-line message in err (EPERM: the privileges are missing). */
int dns_xdp_open(struct dns_xdp **out, const char *ifname, uint16_t port,
		 char *err, size_t errsz);
/* "native" or "generic", and the number of queues (sockets). */
const char *dns_xdp_mode(const struct dns_xdp *x);
int dns_xdp_nqueues(const struct dns_xdp *x);
/* Closes the sockets and detaches the program, after the workers ended. */
void dns_xdp_close(struct dns_xdp *x);

/* Worker index (of nworkers) drives the queues q of every interface in
 * xs[0..n) with q % nworkers == index, on its loop, until the loop stops.
 * Returns NULL on failure. */
struct dns_xdp_worker *dns_xdp_worker_start(struct loop *l,
					    struct dns_served *s, int index,
					    int nworkers,
					    const struct dns_server_config *c,
					    struct dns_xdp *const *xs, int n);
/* Frees the worker's part, after its loop ended. */
void dns_xdp_worker_free(struct dns_xdp_worker *w);

#endif
