/* dns_xdp: the AF_XDP engine of the name server. Per receive queue: one
 * UMEM of XDP_FRAMES frames and one socket. A frame travels: free stack
 * -> fill ring -> (kernel) -> rx ring -> the worker, which answers the
 * query in the same frame -> tx ring -> (kernel) -> completion ring ->
 * free stack. A frame that is not answered goes straight back to the
 * free stack. The kernel-side program redirects only what looks like a
 * datagram to the port; net_frame checks every frame again. With --rrl,
 * replies are rate limited as on the socket path, in the same table. */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/loop.h"
#include "dns_answer.h"
#include "dns_rrl.h"
#include "dns_xdp.h"
#include "net/net_frame.h"

#define XDP_FRAMES 4096
#define XDP_FRAME_SIZE 4096	/* a power of two: aligned chunks */
#define XDP_RING 2048		/* each of the four rings */
#define XDP_BATCH DNS_ANSWER_BATCH
#define XDP_MAX_QUEUES 256	/* the XSK map's size */
/* What a frame holds after the kernel's headroom: queries are shorter. */
#define XDP_QUERY_MAX (XDP_FRAME_SIZE - XDP_PACKET_HEADROOM)

/* The object file of bpf/dns_xdp.bpf.c (build/gen/dns_xdp_prog.c). */
extern const unsigned char dns_xdp_prog[];
extern const unsigned long dns_xdp_prog_len;

struct xdp_queue {
	struct dns_xdp *x;
	struct dns_xdp_worker *w;
	size_t outsz;		/* the worker's UDP maximum, within a frame */
	int id;
	int fd;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fill, tx;
	struct xsk_ring_cons comp, rx;
	uint8_t *area;
	int nfree;
	uint64_t free[XDP_FRAMES];
};

struct dns_xdp {
	char ifname[IF_NAMESIZE];
	unsigned ifindex;
	unsigned mtu;
	size_t payload_max;	/* the largest reply payload in any frame */
	uint16_t port;
	int native;
	struct bpf_object *obj;
	int link;
	int nqueues;
	struct xdp_queue **q;
};

/* What a batch read from the rx ring keeps of each frame. */
struct xdp_slot {
	uint64_t addr;
	struct net_frame fr;
};

struct dns_xdp_worker {
	struct loop *loop;
	struct dns_served *served;
	int index;
	struct dns_server_config cfg;
	struct xdp_queue **q;
	int nq;
	struct xdp_slot slot[XDP_BATCH];
	struct dns_msg m[XDP_BATCH];
	/* Each reply is written where its query is: the queries are
	 * answered from copies. */
	uint8_t query[XDP_BATCH][XDP_QUERY_MAX];
};

static int
silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/* Receive queues: ETHTOOL_GCHANNELS (rx-only plus combined channels),
 * 1 when the driver does not say. */
static int
count_queues(int sock, const char *ifname)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	ifr.ifr_data = (void *)&ch;
	if (ioctl(sock, SIOCETHTOOL, &ifr) < 0)
		return 1;
	long n = (long)ch.rx_count + (long)ch.combined_count;
	if (n < 1)
		return 1;
	return n > XDP_MAX_QUEUES ? XDP_MAX_QUEUES : (int)n;
}

static int
read_link(struct dns_xdp *x, char *err, size_t errsz)
{
	struct ifreq ifr = { 0 };
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (sock < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", x->ifname);
	int rc = ioctl(sock, SIOCGIFMTU, &ifr) < 0 ? -errno : 0;
	if (rc == 0) {
		x->mtu = (unsigned)ifr.ifr_mtu;
		x->nqueues = count_queues(sock, x->ifname);
		/* IPv6 (40) and UDP (8) in the MTU, two VLAN tags at most
		 * before them in the frame: a reply never fragments. */
		size_t by_mtu = x->mtu > 48 ? x->mtu - 48 : 0;
		x->payload_max = XDP_QUERY_MAX - NET_FRAME_HDR_MAX;
		if (by_mtu < x->payload_max)
			x->payload_max = by_mtu;
	}
	close(sock);
	if (rc < 0)
		snprintf(err, errsz, "--xdp %s: %s", x->ifname, strerror(-rc));
	else if (x->payload_max < 512) {
		snprintf(err, errsz, "--xdp %s: an MTU of %u leaves no room "
			 "for a 512-byte reply", x->ifname, x->mtu);
		rc = -EMSGSIZE;
	}
	return rc;
}

/* Loads the program, sets its port, and attaches it by a BPF link:
 * native mode first, generic when the driver has no XDP of its own. */
static int
attach(struct dns_xdp *x, char *err, size_t errsz)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "inetkit_dns");
	uint32_t zero = 0, port = x->port;
	int rc;

	x->obj = bpf_object__open_mem(dns_xdp_prog, dns_xdp_prog_len, &oo);
	if (x->obj == NULL)
		return -errno;
	if ((rc = bpf_object__load(x->obj)) < 0)
		return rc;
	int prog = bpf_program__fd(bpf_object__find_program_by_name(
					   x->obj, "inetkit_dns"));
	int ports = bpf_object__find_map_fd_by_name(x->obj, "dns_port");
	if (prog < 0 || ports < 0)
		return -ENOENT;
	if (bpf_map_update_elem(ports, &zero, &port, 0) < 0)
		return -errno;
	/* INETKIT_XDP_GENERIC=1 skips native mode: the tests run the generic
	 * path on a veth, whose driver has both. */
	const char *generic = getenv("INETKIT_XDP_GENERIC");
	x->native = generic && strcmp(generic, "1") == 0 ? 0 : 1;
	for (; x->native >= 0; x->native--) {
		LIBBPF_OPTS(bpf_link_create_opts, lo,
			    .flags = x->native ? XDP_FLAGS_DRV_MODE
					       : XDP_FLAGS_SKB_MODE);
		x->link = bpf_link_create(prog, (int)x->ifindex, BPF_XDP, &lo);
		if (x->link >= 0)
			return 0;
		rc = -errno;
		if (rc == -EBUSY || rc == -EEXIST) {
			snprintf(err, errsz, "--xdp %s: the interface already "
				 "has an XDP program (`ip link show dev %s`)",
				 x->ifname, x->ifname);
			return rc;
		}
	}
	return rc;
}

static void
queue_free(struct xdp_queue *q)
{
	if (q == NULL)
		return;
	if (q->xsk)
		xsk_socket__delete(q->xsk);
	if (q->umem)
		xsk_umem__delete(q->umem);
	if (q->area)
		munmap(q->area, (size_t)XDP_FRAMES * XDP_FRAME_SIZE);
	free(q);
}

/* Hands the free frames to the kernel, as many as the fill ring takes. */
static void
queue_refill(struct xdp_queue *q)
{
	uint32_t idx, n = xsk_prod_nb_free(&q->fill, (uint32_t)q->nfree);

	if (n > (uint32_t)q->nfree)
		n = (uint32_t)q->nfree;
	if (n == 0 || xsk_ring_prod__reserve(&q->fill, n, &idx) != n)
		return;
	for (uint32_t i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&q->fill, idx + i) =
			q->free[--q->nfree];
	xsk_ring_prod__submit(&q->fill, n);
}

static int
queue_open(struct dns_xdp *x, int id, struct xdp_queue **out)
{
	struct xdp_queue *q = calloc(1, sizeof *q);
	const struct xsk_umem_config uc = {
		.fill_size = XDP_RING, .comp_size = XDP_RING,
		.frame_size = XDP_FRAME_SIZE,
	};
	struct xsk_socket_config sc = {
		.rx_size = XDP_RING, .tx_size = XDP_RING,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_USE_NEED_WAKEUP |
			      (x->native ? 0 : XDP_COPY),
	};
	size_t size = (size_t)XDP_FRAMES * XDP_FRAME_SIZE;
	int rc;

	if (q == NULL)
		return -ENOMEM;
	*out = q;
	q->x = x;
	q->id = id;
	q->area = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q->area == MAP_FAILED) {
		q->area = NULL;
		return -errno;
	}
	rc = xsk_umem__create(&q->umem, q->area, size, &q->fill, &q->comp,
			      &uc);
	if (rc == 0)
		rc = xsk_socket__create(&q->xsk, x->ifname, (uint32_t)id,
					q->umem, &q->rx, &q->tx, &sc);
	if (rc == 0)
		rc = xsk_socket__update_xskmap(q->xsk,
			bpf_object__find_map_fd_by_name(x->obj, "xsks"));
	if (rc < 0)
		return rc;
	q->fd = xsk_socket__fd(q->xsk);
	for (int i = XDP_FRAMES - 1; i >= 0; i--)
		q->free[q->nfree++] = (uint64_t)i * XDP_FRAME_SIZE;
	queue_refill(q);
	return 0;
}

int
dns_xdp_open(struct dns_xdp **out, const char *ifname, uint16_t port,
	     char *err, size_t errsz)
{
	struct dns_xdp *x = calloc(1, sizeof *x);
	int rc;

	*out = x;
	err[0] = '\0';
	if (x == NULL)
		return -ENOMEM;
	x->link = -1;
	x->port = port;
	snprintf(x->ifname, sizeof x->ifname, "%s", ifname);
	x->ifindex = if_nametoindex(ifname);
	if (strlen(ifname) >= IF_NAMESIZE || x->ifindex == 0) {
		snprintf(err, errsz, "--xdp %s: no such interface", ifname);
		return -ENODEV;
	}
	libbpf_set_print(silent);
	if ((rc = read_link(x, err, errsz)) < 0)
		return rc;
	x->q = calloc((size_t)x->nqueues, sizeof *x->q);
	if (x->q == NULL)
		return -ENOMEM;
	rc = attach(x, err, errsz);
	for (int i = 0; i < x->nqueues && rc == 0; i++)
		rc = queue_open(x, i, &x->q[i]);
	if (rc < 0 && err[0] == '\0')
		snprintf(err, errsz, "--xdp %s: %s%s", ifname, strerror(-rc),
			 rc == -EPERM ? " (needs CAP_NET_ADMIN and CAP_BPF, "
			 "or root)" : "");
	return rc;
}

const char *
dns_xdp_mode(const struct dns_xdp *x)
{
	return x->native ? "native" : "generic";
}

int
dns_xdp_nqueues(const struct dns_xdp *x)
{
	return x->nqueues;
}

void
dns_xdp_close(struct dns_xdp *x)
{
	if (x == NULL)
		return;
	for (int i = 0; x->q && i < x->nqueues; i++)
		queue_free(x->q[i]);
	free(x->q);
	if (x->link >= 0)
		close(x->link);		/* detaches the program */
	bpf_object__close(x->obj);
	free(x);
}

/* Frames the kernel has sent go back to the free stack. */
static void
queue_reap(struct xdp_queue *q)
{
	uint32_t idx, n = xsk_ring_cons__peek(&q->comp, XDP_RING, &idx);

	for (uint32_t i = 0; i < n; i++)
		q->free[q->nfree++] = *xsk_ring_cons__comp_addr(&q->comp,
							       idx + i) &
				      ~(uint64_t)(XDP_FRAME_SIZE - 1);
	xsk_ring_cons__release(&q->comp, n);
}

static void
frame_drop(struct xdp_queue *q, uint64_t addr)
{
	q->free[q->nfree++] = addr & ~(uint64_t)(XDP_FRAME_SIZE - 1);
}

/* Takes up to XDP_BATCH frames from the rx ring into w->slot, and the
 * queries of those that are datagrams to the port into w->m (a copy
 * each; the reply goes into the frame). Returns how many frames. */
static uint32_t
batch_read(struct dns_xdp_worker *w, struct xdp_queue *q)
{
	uint32_t idx, n = xsk_ring_cons__peek(&q->rx, XDP_BATCH, &idx);

	for (uint32_t i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&q->rx,
								  idx + i);
		struct xdp_slot *s = &w->slot[i];
		uint8_t *f = xsk_umem__get_data(q->area, d->addr);
		s->addr = d->addr;
		w->m[i].qlen = 0;
		size_t room = XDP_FRAME_SIZE - (d->addr & (XDP_FRAME_SIZE - 1));
		if (net_frame_udp_parse(f, d->len, q->x->port, &s->fr) < 0 ||
		    s->fr.len > XDP_QUERY_MAX ||
		    net_frame_udp_room(&s->fr, room, q->x->mtu) < q->outsz)
			continue;
		memcpy(w->query[i], f + s->fr.payload, s->fr.len);
		w->m[i] = (struct dns_msg){ w->query[i], s->fr.len,
					    f + s->fr.payload, 0, 0 };
	}
	xsk_ring_cons__release(&q->rx, n);
	return n;
}

/* The source address of the datagram parsed into fr, as a socket's
 * recvmsg would give it, for dns_rrl. */
static void
frame_source(const uint8_t *f, const struct net_frame *fr,
	     struct sockaddr_storage *ss)
{
	if (fr->v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, f + fr->l3 + 8, 16);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, f + fr->l3 + 12, 4);
	}
}

/* Response rate limiting of a batch of n answered slots, with the
 * socket path's table and the worker's counters (dns_rrl.h): a reply
 * over the rate is truncated in its frame, or not sent. */
static void
batch_rrl(struct dns_xdp_worker *w, struct xdp_queue *q, uint32_t n)
{
	struct dns_rrl_stats *st = &w->served->slots[w->index].rrl;
	struct sockaddr_storage from;
	int64_t now = clock_mono_ms();

	for (uint32_t i = 0; i < n; i++) {
		struct xdp_slot *s = &w->slot[i];
		uint8_t *f = xsk_umem__get_data(q->area, s->addr);
		if (w->m[i].rlen == 0)
			continue;
		frame_source(f, &s->fr, &from);
		w->m[i].rlen = dns_rrl_reply(w->cfg.rrl, st,
					     (struct sockaddr *)&from,
					     f + s->fr.payload, w->m[i].rlen,
					     w->m[i].qname, w->index, now);
	}
}

/* Puts the replies of a batch of n answered slots on the tx ring; the
 * frames of the others, and of those a full ring leaves out (as a busy
 * network would), go back to the free stack. Returns how many went. */
static uint32_t
batch_send(struct dns_xdp_worker *w, struct xdp_queue *q, uint32_t n)
{
	uint32_t idx = 0, k = 0, room = xsk_prod_nb_free(&q->tx, n);

	if (room > n)
		room = n;
	if (room)
		xsk_ring_prod__reserve(&q->tx, room, &idx);
	for (uint32_t i = 0; i < n; i++) {
		struct xdp_slot *s = &w->slot[i];
		if (w->m[i].rlen == 0 || k == room) {
			frame_drop(q, s->addr);
			continue;
		}
		uint8_t *f = xsk_umem__get_data(q->area, s->addr);
		struct xdp_desc *d = xsk_ring_prod__tx_desc(&q->tx, idx + k++);
		d->addr = s->addr;
		d->len = (uint32_t)net_frame_udp_reply(f, &s->fr,
						       w->m[i].rlen);
	}
	/* The slots reserved for queries left unanswered are at the end:
	 * give them back before publishing. */
	q->tx.cached_prod -= room - k;
	xsk_ring_prod__submit(&q->tx, k);
	return k;
}

/* In copy mode the kernel sends the tx ring during sendto, a few dozen
 * frames a call at most, and may answer EAGAIN when the device is busy:
 * kick until the ring is empty, a few times at most (what is left goes
 * with the next batch). */
static void
queue_kick(struct xdp_queue *q)
{
	for (int i = 0; i < 8; i++) {
		if (!xsk_ring_prod__needs_wakeup(&q->tx) ||
		    __atomic_load_n(q->tx.consumer, __ATOMIC_ACQUIRE) ==
		    q->tx.cached_prod)
			return;
		if (sendto(q->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
		    errno != EAGAIN && errno != EBUSY && errno != ENOBUFS)
			return;
	}
}

static void
on_xsk(struct loop *l, int fd, int events, void *arg)
{
	struct xdp_queue *q = arg;
	struct dns_xdp_worker *w = q->w;

	for (;;) {
		queue_reap(q);
		uint32_t n = batch_read(w, q), k = 0;
		if (n) {
			struct dns_db *db = dns_served_enter(w->served,
							     w->index);
			dns_answer(db, w->m, (int)n, q->outsz, 0);
			dns_served_leave(w->served, w->index);
			if (w->cfg.rrl)
				batch_rrl(w, q, n);
			k = batch_send(w, q, n);
		}
		if (k)
			queue_kick(q);
		queue_reap(q);
		queue_refill(q);
		if (xsk_ring_prod__needs_wakeup(&q->fill))
			recvfrom(fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		/* A short batch emptied the ring; a frame that arrives
		 * after it raises a new event (edge-triggered). */
		if (n < XDP_BATCH)
			return;
	}
}

static void
xdp_on_stop(struct loop *l, void *arg)
{
	struct dns_xdp_worker *w = arg;

	for (int i = 0; i < w->nq; i++)
		loop_del_fd(l, w->q[i]->fd);
	w->nq = 0;
}

struct dns_xdp_worker *
dns_xdp_worker_start(struct loop *l, struct dns_served *s, int index,
		     int nworkers, const struct dns_server_config *c,
		     struct dns_xdp *const *xs, int n)
{
	struct dns_xdp_worker *w = calloc(1, sizeof *w);
	int total = 0, rc = 0;

	for (int i = 0; i < n; i++)
		total += xs[i]->nqueues;
	if (w == NULL || (w->q = calloc((size_t)total + 1,
					sizeof *w->q)) == NULL) {
		free(w);
		return NULL;
	}
	w->loop = l;
	w->served = s;
	w->index = index;
	w->cfg = *c;
	for (int i = 0; i < n; i++)
		for (int k = index; k < xs[i]->nqueues; k += nworkers) {
			struct xdp_queue *q = xs[i]->q[k];
			q->w = w;
			q->outsz = (size_t)c->udp_max;
			if (q->outsz > xs[i]->payload_max)
				q->outsz = xs[i]->payload_max;
			w->q[w->nq++] = q;
		}
	for (int i = 0; i < w->nq && rc == 0; i++)
		rc = loop_add_fd_read(l, w->q[i]->fd, on_xsk, w->q[i]);
	if (rc == 0)
		rc = loop_on_stop(l, xdp_on_stop, w);
	if (rc < 0) {
		log_error("dns: xdp: %s", strerror(-rc));
		dns_xdp_worker_free(w);
		return NULL;
	}
	return w;
}

void
dns_xdp_worker_free(struct dns_xdp_worker *w)
{
	if (w == NULL)
		return;
	for (int i = 0; i < w->nq; i++)
		loop_del_fd(w->loop, w->q[i]->fd);
	free(w->q);
	free(w);
}
