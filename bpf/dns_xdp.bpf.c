/* dns_xdp.bpf.c: the kernel half of `serve dns --xdp`. Each frame that
 * is a UDP datagram to the served port (Ethernet, at most two VLAN tags,
 * IPv4 without options or fragments, or IPv6 with UDP as the first next
 * header), between unicast addresses that are not loopback, goes to the
 * AF_XDP socket of its receive queue; everything else, and any queue
 * without a socket, goes on to the kernel (XDP_PASS).
 * Built with clang -target bpf (Makefile), embedded in the binary and
 * loaded by src/dns/dns_xdp.c, which checks every frame again. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

/* Entry 0: the served UDP port. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} dns_port SEC(".maps");

/* Addresses the worker does not answer from or to (net_frame.c): such
 * a datagram is the kernel's business (loopback ones, on lo). */
static __always_inline int
v4_unicast(const unsigned char *a)
{
	return a[0] != 0 && a[0] != 127 && a[0] < 224;
}

static __always_inline int
v6_unicast(const unsigned char *a)
{
	__u64 hi, lo;

	__builtin_memcpy(&hi, a, 8);
	__builtin_memcpy(&lo, a + 8, 8);
	/* not multicast, not :: nor ::1 */
	return a[0] != 0xff &&
	       !(hi == 0 && (lo == 0 || lo == bpf_cpu_to_be64(1)));
}

#define VLAN_8021Q 0x8100
#define VLAN_8021AD 0x88a8

SEC("xdp")
int
inetkit_dns(struct xdp_md *ctx)
{
	unsigned char *p = (unsigned char *)(long)ctx->data;
	unsigned char *end = (unsigned char *)(long)ctx->data_end;
	__u32 zero = 0, *port = bpf_map_lookup_elem(&dns_port, &zero);
	__u16 type;
	unsigned char *udp;

	if (port == 0 || p + 14 > end || (p[0] & 1))	/* group address */
		return XDP_PASS;
	type = (__u16)(p[12] << 8 | p[13]);
	p += 14;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (type != VLAN_8021Q && type != VLAN_8021AD)
			break;
		if (p + 4 > end)
			return XDP_PASS;
		type = (__u16)(p[2] << 8 | p[3]);
		p += 4;
	}
	if (type == ETH_P_IP) {
		/* a 20-byte header, UDP, neither MF nor an offset */
		if (p + 20 > end || p[0] != 0x45 || p[9] != IPPROTO_UDP ||
		    (p[6] & 0x3f) != 0 || p[7] != 0)
			return XDP_PASS;
		if (!v4_unicast(p + 12) || !v4_unicast(p + 16))
			return XDP_PASS;
		udp = p + 20;
	} else if (type == ETH_P_IPV6) {
		if (p + 40 > end || (p[0] >> 4) != 6 || p[6] != IPPROTO_UDP)
			return XDP_PASS;
		if (!v6_unicast(p + 8) || !v6_unicast(p + 24))
			return XDP_PASS;
		udp = p + 40;
	} else {
		return XDP_PASS;
	}
	if (udp + 8 > end || (__u32)(udp[2] << 8 | udp[3]) != *port)
		return XDP_PASS;
	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
