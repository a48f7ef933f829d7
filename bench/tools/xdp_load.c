/* xdp_load: a DNS load generator over AF_XDP, for bench/dns_xdp.sh, where
 * kxdpgun cannot run (Knot 3.2's XDP program fails the verifier of this
 * kernel). It sends UDP queries from SRC to DST (IPv4) as fast as the
 * server answers, with at most WINDOW unanswered, and counts the replies,
 * which inetkit's own XDP program (linked from libinetkit.a, set to the
 * generator's source port) redirects to its socket. The program is on a
 * BPF link: gone when the generator exits.
 *   xdp_load IFACE SRC_IP DST_IP DST_MAC QUERYFILE SECONDS [WINDOW]
 * QUERYFILE: dnsperf's "NAME TYPE" lines. Prints "sent N answered M". */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>

extern const unsigned char dns_xdp_prog[];
extern const unsigned long dns_xdp_prog_len;

#define FRAMES 8192
#define FSIZE 2048
#define RING 2048
#define TXF 4096		/* frames 0..TXF-1 hold queries */
#define SPORT 20053
#define BATCH 64

static void
die(const char *what, int err)
{
	fprintf(stderr, "xdp_load: %s: %s\n", what, strerror(err));
	exit(1);
}

static uint16_t
csum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static int
qtype(const char *t)
{
	static const struct { const char *n; int v; } k[] = {
		{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 },
		{ "PTR", 12 }, { "MX", 15 }, { "TXT", 16 }, { "AAAA", 28 },
		{ "SRV", 33 }, { "ANY", 255 },
	};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
		if (strcasecmp(t, k[i].n) == 0)
			return k[i].v;
	return 1;
}

/* The DNS query for "NAME TYPE" into q; returns its length or 0. */
static size_t
dns_query(uint8_t *q, const char *name, const char *type, uint16_t id)
{
	size_t n = 12;
	const char *p = name;

	memset(q, 0, 12);
	q[0] = (uint8_t)(id >> 8);
	q[1] = (uint8_t)id;
	q[5] = 1;
	while (*p && *p != '.') {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		if (len > 63 || n + len + 6 > 300)
			return 0;
		q[n++] = (uint8_t)len;
		memcpy(q + n, p, len);
		n += len;
		p += len + (dot != NULL);
	}
	q[n++] = 0;
	int t = qtype(type);
	q[n++] = (uint8_t)(t >> 8);
	q[n++] = (uint8_t)t;
	q[n++] = 0;
	q[n++] = 1;
	return n;
}

/* Ethernet + IPv4 + UDP around query q; returns the frame's length. */
static size_t
frame(uint8_t *f, const uint8_t *smac, const uint8_t *dmac, uint32_t src,
      uint32_t dst, const uint8_t *q, size_t qlen)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	size_t ulen = 8 + qlen;

	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x08;
	f[13] = 0;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + ulen) >> 8);
	ip[3] = (uint8_t)(20 + ulen);
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	uint16_t c = csum(ip, 20, 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	udp[0] = SPORT >> 8;
	udp[1] = SPORT & 0xff;
	udp[2] = 0;
	udp[3] = 53;
	udp[4] = (uint8_t)(ulen >> 8);
	udp[5] = (uint8_t)ulen;
	udp[6] = udp[7] = 0;
	memcpy(udp + 8, q, qlen);
	uint32_t ps = 0;
	for (int i = 12; i < 20; i += 2)
		ps += (uint32_t)ip[i] << 8 | ip[i + 1];
	ps += 17 + (uint32_t)ulen;
	c = csum(udp, ulen, ps);
	if (c == 0)
		c = 0xffff;
	udp[6] = (uint8_t)(c >> 8);
	udp[7] = (uint8_t)c;
	return 14 + 20 + ulen;
}

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
attach(const char *ifname, unsigned ifindex, struct xsk_socket *xsk)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "xdp_load");
	struct bpf_object *obj = bpf_object__open_mem(dns_xdp_prog,
						      dns_xdp_prog_len, &oo);
	uint32_t zero = 0, port = SPORT;

	if (obj == NULL || bpf_object__load(obj) < 0)
		die("load the XDP program", errno);
	int prog = bpf_program__fd(bpf_object__find_program_by_name(
					   obj, "inetkit_dns"));
	bpf_map_update_elem(bpf_object__find_map_fd_by_name(obj, "dns_port"),
			    &zero, &port, 0);
	if (xsk_socket__update_xskmap(xsk, bpf_object__find_map_fd_by_name(
					       obj, "xsks")) < 0)
		die("xskmap", errno);
	LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = XDP_FLAGS_DRV_MODE);
	if (bpf_link_create(prog, (int)ifindex, BPF_XDP, &lo) < 0)
		die(ifname, errno);
}

int
main(int argc, char **argv)
{
	if (argc < 7) {
		fprintf(stderr, "usage: xdp_load IFACE SRC_IP DST_IP DST_MAC "
			"QUERYFILE SECONDS [WINDOW]\n");
		return 2;
	}
	const char *ifname = argv[1];
	unsigned ifindex = if_nametoindex(ifname);
	uint32_t src, dst;
	uint8_t smac[6], dmac[6];
	double secs = atof(argv[6]);
	long window = argc > 7 ? atol(argv[7]) : 512;

	if (ifindex == 0 || inet_pton(AF_INET, argv[2], &src) != 1 ||
	    inet_pton(AF_INET, argv[3], &dst) != 1 ||
	    sscanf(argv[4], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dmac[0],
		   &dmac[1], &dmac[2], &dmac[3], &dmac[4], &dmac[5]) != 6)
		die("arguments", EINVAL);
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
		die("SIOCGIFHWADDR", errno);
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	close(s);

	size_t size = (size_t)FRAMES * FSIZE;
	uint8_t *area = mmap(NULL, size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (area == MAP_FAILED)
		die("mmap", errno);
	/* The queries, one per tx frame, cycling through the file. */
	FILE *qf = fopen(argv[5], "r");
	if (qf == NULL)
		die(argv[5], errno);
	static uint32_t flen[TXF];
	char line[512], name[300], type[32];
	int nq = 0;
	while (nq < TXF) {
		if (fgets(line, sizeof line, qf) == NULL) {
			if (nq == 0)
				die("no queries", EINVAL);
			rewind(qf);
			continue;
		}
		uint8_t q[320];
		size_t qlen;
		if (sscanf(line, "%299s %31s", name, type) != 2 ||
		    (qlen = dns_query(q, name, type, (uint16_t)nq)) == 0)
			continue;
		flen[nq] = (uint32_t)frame(area + (size_t)nq * FSIZE, smac,
					   dmac, src, dst, q, qlen);
		nq++;
	}
	fclose(qf);

	/* libxdp leaves the cached indexes of some rings as it finds them. */
	struct xsk_ring_prod fill = { 0 }, tx = { 0 };
	struct xsk_ring_cons comp = { 0 }, rx = { 0 };
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	const struct xsk_umem_config uc = { RING * 2, RING * 2, FSIZE, 0, 0 };
	const struct xsk_socket_config sc = {
		.rx_size = RING, .tx_size = RING,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_USE_NEED_WAKEUP,
	};
	int rc = xsk_umem__create(&umem, area, size, &fill, &comp, &uc);
	if (rc == 0)
		rc = xsk_socket__create(&xsk, ifname, 0, umem, &rx, &tx, &sc);
	if (rc < 0)
		die("AF_XDP socket", -rc);
	attach(ifname, ifindex, xsk);
	uint32_t idx = 0;
	int nfill = FRAMES - TXF < RING * 2 ? FRAMES - TXF : RING * 2;
	xsk_ring_prod__reserve(&fill, (uint32_t)nfill, &idx);
	for (int i = 0; i < nfill; i++)
		*xsk_ring_prod__fill_addr(&fill, idx + (uint32_t)i) =
			(uint64_t)(TXF + i) * FSIZE;
	xsk_ring_prod__submit(&fill, (uint32_t)nfill);

	/* Free tx frames: a stack. */
	static uint32_t freetx[TXF];
	int nfree = 0;
	for (int i = TXF - 1; i >= 0; i--)
		freetx[nfree++] = (uint32_t)i;
	int fd = xsk_socket__fd(xsk);
	long sent = 0, answered = 0, outstanding = 0;
	double start = now(), end = start + secs, last_reply = start;
	for (;;) {
		double t = now();
		if (t >= end)
			break;
		/* Replies lost (a full ring somewhere) free their place
		 * after 10 ms of silence. */
		if (t - last_reply > 0.01) {
			outstanding = 0;
			last_reply = t;
		}
		uint32_t n = xsk_ring_cons__peek(&comp, RING, &idx);
		for (uint32_t i = 0; i < n; i++) {
			uint64_t a = *xsk_ring_cons__comp_addr(&comp, idx + i);
			freetx[nfree++] = (uint32_t)(a / FSIZE);
		}
		xsk_ring_cons__release(&comp, n);
		long room = window - outstanding;
		if (room > BATCH)
			room = BATCH;
		if (room > nfree)
			room = nfree;
		if (room > 0 && xsk_ring_prod__reserve(&tx, (uint32_t)room,
						       &idx) == room) {
			for (long i = 0; i < room; i++) {
				uint32_t f = freetx[--nfree];
				struct xdp_desc *d = xsk_ring_prod__tx_desc(
					&tx, idx + (uint32_t)i);
				d->addr = (uint64_t)f * FSIZE;
				d->len = flen[f];
			}
			xsk_ring_prod__submit(&tx, (uint32_t)room);
			sent += room;
			outstanding += room;
			sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
		}
		n = xsk_ring_cons__peek(&rx, RING, &idx);
		if (n) {
			uint32_t fidx = 0;
			for (uint32_t i = 0; i < n; i++) {
				const struct xdp_desc *d =
					xsk_ring_cons__rx_desc(&rx, idx + i);
				const uint8_t *f = xsk_umem__get_data(area,
								      d->addr);
				/* a reply: QR set */
				if (d->len > 14 + 20 + 8 + 12 &&
				    (f[14 + 20 + 8 + 2] & 0x80))
					answered++;
			}
			xsk_ring_prod__reserve(&fill, n, &fidx);
			for (uint32_t i = 0; i < n; i++)
				*xsk_ring_prod__fill_addr(&fill, fidx + i) =
					xsk_ring_cons__rx_desc(&rx, idx + i)
						->addr & ~(uint64_t)(FSIZE - 1);
			xsk_ring_prod__submit(&fill, n);
			xsk_ring_cons__release(&rx, n);
			outstanding -= n;
			if (outstanding < 0)
				outstanding = 0;
			last_reply = t;
		} else if (outstanding >= window || nfree == 0) {
			struct pollfd p = { fd, POLLIN, 0 };
			poll(&p, 1, 1);
		}
	}
	printf("sent %ld answered %ld seconds %.3f\n", sent, answered,
	       now() - start);
	return 0;
}
