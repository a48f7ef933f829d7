"""`serve dns --xdp IFACE`: two network namespaces joined by a veth pair
made here (name prefix ikx, addresses of the benchmark range 198.18.0.0/15
and the ULA fd00:18::/64, inside the namespaces only; removed even on
failure). The server listens with sockets on ADDR:53 and ADDR:5300 and
answers port 53 over AF_XDP: every answer must be byte for byte the one
the socket path gives on 5300, for dig, kdig and dnspython, over IPv4 and
IPv6, and the kernel's UDP counters must not move while it answers.
Everything else (port 5300, TCP, ping, ARP/ND) still reaches the kernel;
malformed frames sent raw from the client namespace do not stop it; on
SIGTERM or SIGKILL no XDP program is left on the interface."""
import contextlib
import ctypes
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

import dns.flags
import dns.message
import dns.query
import pytest

from conftest import INETKIT
from dnsutil import ALL_ZONES
from test_dns_nsd_differential import NAMES, SYNTAX_NAMES, TYPES

V4S, V4C = "198.18.0.1", "198.18.0.2"
V6S, V6C = "fd00:18::1", "fd00:18::2"
XDP_PORT, SOCK_PORT = 53, 5300
CLONE_NEWNET = 0x40000000


def sh(*args, check=True, timeout=20):
    return subprocess.run(list(args), capture_output=True, text=True,
                          check=check, timeout=timeout)


class Net:
    """The two namespaces: srv (the server's) and cli, joined by the veth
    pair sdev - cdev."""

    def __init__(self):
        p = "ikx%s" % secrets.token_hex(3)
        self.srv, self.cli = p + "s", p + "c"
        self.sdev, self.cdev = p + "a", p + "b"
        try:
            self.make()
        except BaseException:
            self.remove()
            raise

    def make(self):
        sh("ip", "netns", "add", self.srv)
        sh("ip", "netns", "add", self.cli)
        sh("ip", "link", "add", self.sdev, "netns", self.srv, "type", "veth",
           "peer", "name", self.cdev, "netns", self.cli)
        for ns, dev, v4, v6 in ((self.srv, self.sdev, V4S, V6S),
                                (self.cli, self.cdev, V4C, V6C)):
            sh("ip", "-n", ns, "addr", "add", v4 + "/24", "dev", dev)
            sh("ip", "-n", ns, "addr", "add", v6 + "/64", "dev", dev, "nodad")
            sh("ip", "-n", ns, "link", "set", dev, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        self.smac = self.mac(self.srv, self.sdev)
        self.cmac = self.mac(self.cli, self.cdev)

    def mac(self, ns, dev):
        out = sh("ip", "-n", ns, "-o", "link", "show", dev).stdout
        return out.split("link/ether ")[1].split()[0]

    def remove(self):
        for ns in (self.srv, self.cli):
            sh("ip", "netns", "del", ns, check=False)

    def xdp_attached(self):
        return "xdp" in sh("ip", "-n", self.srv, "link", "show",
                           self.sdev).stdout

    def udp_counters(self):
        """The server namespace's kernel UDP counters (InDatagrams,
        OutDatagrams), for IPv4 and IPv6 together."""
        snmp = sh("ip", "netns", "exec", self.srv, "cat",
                  "/proc/net/snmp").stdout.splitlines()
        names, values = [l.split()[1:] for l in snmp if l.startswith("Udp:")]
        v4 = dict(zip(names, map(int, values)))
        v6 = {}
        for l in sh("ip", "netns", "exec", self.srv, "cat",
                    "/proc/net/snmp6").stdout.splitlines():
            k, v = l.split()
            v6[k] = int(v)
        return (v4["InDatagrams"] + v6["Udp6InDatagrams"],
                v4["OutDatagrams"] + v6["Udp6OutDatagrams"])

    @contextlib.contextmanager
    def inside(self):
        """Runs the block in the client namespace (sockets made there stay
        there)."""
        libc = ctypes.CDLL(None, use_errno=True)
        home = os.open("/proc/self/ns/net", os.O_RDONLY)
        there = os.open("/run/netns/" + self.cli, os.O_RDONLY)
        try:
            if libc.setns(there, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns")
            yield
        finally:
            libc.setns(home, CLONE_NEWNET)
            os.close(home)
            os.close(there)

    def socket(self, family, kind, proto=0):
        with self.inside():
            return socket.socket(family, kind, proto)


@pytest.fixture(scope="module")
def net():
    if os.geteuid() != 0:
        pytest.skip("needs root: network namespaces and XDP")
    try:
        n = Net()
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        pytest.skip("cannot make network namespaces here: %s" % e)
    try:
        yield n
    finally:
        n.remove()


class XdpServer:
    def __init__(self, net, extra=(), env=None):
        args = ["ip", "netns", "exec", net.srv, INETKIT, "serve", "dns",
                "--workers", "1", "--xdp", net.sdev]
        for a in (V4S, "[%s]" % V6S):
            for port in (XDP_PORT, SOCK_PORT):
                args += ["--listen", "%s:%d" % (a, port)]
        for z in ALL_ZONES:
            args += ["--zone", z]
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(args + list(extra),
                                     stdout=subprocess.PIPE, stderr=self.err,
                                     stdin=subprocess.DEVNULL,
                                     env=dict(os.environ, **(env or {})))
        self.lines = []
        while not any(" xdp " in l for l in self.lines):
            line = self.proc.stdout.readline().decode()
            if not line:
                self.proc.wait(10)
                err = self.stderr()
                if "Operation not permitted" in err or "not supported" in err:
                    pytest.skip("XDP not allowed here: " + err)
                raise RuntimeError("server did not start: " + err)
            self.lines.append(line.strip())

    def stderr(self):
        fd = self.err.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise


@pytest.fixture(scope="module")
def server(net):
    s = XdpServer(net)
    yield s
    rc = s.stop()
    err = s.stderr()
    assert "Sanitizer" not in err and "runtime error" not in err, err
    assert rc == 0, err
    assert not net.xdp_attached()


def ask_raw(net, wire, addr, port, tcp=False, timeout=3):
    """Sends the query bytes; returns the reply bytes or None."""
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    if tcp:
        with net.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect((addr, port))
            s.sendall(struct.pack("!H", len(wire)) + wire)
            buf = b""
            while len(buf) < 2 or len(buf) < 2 + struct.unpack("!H", buf[:2])[0]:
                chunk = s.recv(65535)
                if not chunk:
                    return None
                buf += chunk
            return buf[2:]
    with net.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(wire, (addr, port))
        try:
            return s.recv(65535)
        except socket.timeout:
            return None


def query_wire(name, rdtype, edns=0, payload=1232):
    q = dns.message.make_query(name, rdtype, use_edns=edns, payload=payload)
    q.flags = 0
    return q.to_wire()


def both(net, wire, addr):
    return (ask_raw(net, wire, addr, XDP_PORT),
            ask_raw(net, wire, addr, SOCK_PORT))


def test_start_line_says_the_mode(server, net):
    line = [l for l in server.lines if " xdp " in l][0]
    assert line == "listening dns xdp %s@53 (native mode, 1 queue)" % net.sdev
    assert net.xdp_attached()


def test_differential_set_same_bytes_as_the_socket_path_v4(server, net):
    """Every query of the NSD differential set, with EDNS and without,
    answered over XDP exactly as over the socket; the kernel's UDP
    counters do not move for the XDP ones."""
    cases = [(n, t) for n in NAMES for t in TYPES]
    cases += [(n, t) for n in SYNTAX_NAMES for t in ("A", "TXT", "MX", "SRV",
                                                      "CAA", "NS")]
    before = net.udp_counters()
    xdp, wires = {}, {}
    for edns in (0, -1):
        for name, t in cases:
            w = wires[name, t, edns] = query_wire(name, t, edns)
            xdp[name, t, edns] = ask_raw(net, w, V4S, XDP_PORT)
    assert net.udp_counters() == before
    diffs = []
    for (name, t, edns), got in xdp.items():
        want = ask_raw(net, wires[name, t, edns], V4S, SOCK_PORT)
        assert want is not None
        if got != want:
            diffs.append("%s %s edns=%d" % (name, t, edns))
    assert not diffs, diffs
    assert net.udp_counters() != before   # the socket path counts


def test_differential_subset_over_ipv6(server, net):
    before = net.udp_counters()
    cases = [(n, t) for n in NAMES for t in ("A", "AAAA", "MX", "TXT")]
    wires = {c: query_wire(*c) for c in cases}
    got = {c: ask_raw(net, wires[c], V6S, XDP_PORT) for c in cases}
    assert net.udp_counters() == before
    for c in cases:
        want = ask_raw(net, wires[c], V6S, SOCK_PORT)
        assert got[c] == want and want is not None, c


def test_edns_size_forces_tc(server, net):
    for size in (512, 600):
        x, s = both(net, query_wire("big.example.test", "TXT", 0, size), V4S)
        assert x == s
        m = dns.message.from_wire(x)
        assert m.flags & dns.flags.TC and not m.answer
    x, s = both(net, query_wire("big.example.test", "TXT", 0, 4096), V4S)
    assert x == s and not dns.message.from_wire(x).flags & dns.flags.TC


def test_dnspython_sees_the_same_answers(server, net):
    for addr in (V4S, V6S):
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        for name, t in (("www.example.test", "A"), ("alias.example.test", "A"),
                        ("nonexistent.example.test", "MX"),
                        ("x.wild.example.test", "TXT")):
            q = dns.message.make_query(name, t)
            with net.socket(fam, socket.SOCK_DGRAM) as s:
                a = dns.query.udp(q, addr, port=XDP_PORT, sock=s, timeout=3)
            with net.socket(fam, socket.SOCK_DGRAM) as s:
                b = dns.query.udp(q, addr, port=SOCK_PORT, sock=s, timeout=3)
            assert a == b      # dnspython compares RRsets as sets
            assert a.flags & dns.flags.AA


@pytest.mark.parametrize("tool", ["dig", "kdig"])
def test_dig_and_kdig(server, net, tool):
    for addr in (V4S, V6S):
        outs = []
        for port in (XDP_PORT, SOCK_PORT):
            r = sh("ip", "netns", "exec", net.cli, tool, "@" + addr,
                   "-p", str(port), "+norec", "+noall", "+answer",
                   "+authority", "+additional", "+time=3",
                   "+tries=1" if tool == "dig" else "+retry=0",
                   "www.example.test", "A")
            outs.append(r.stdout)
        assert outs[0] == outs[1] and "127.0.0.1" in outs[0], outs


def test_other_port_tcp_ping_still_reach_the_kernel(server, net):
    wire = query_wire("www.example.test", "A")
    before = net.udp_counters()
    assert ask_raw(net, wire, V4S, SOCK_PORT) is not None
    assert net.udp_counters()[0] == before[0] + 1
    for addr in (V4S, V6S):
        tcp = ask_raw(net, wire, addr, XDP_PORT, tcp=True)
        assert tcp == ask_raw(net, wire, addr, XDP_PORT)
    for addr in (V4S, V6S):
        sh("ip", "netns", "exec", net.cli, "ping", "-c", "1", "-W", "3", addr)


def eth_frame(net, payload, ethertype=0x0800):
    dst = bytes.fromhex(net.smac.replace(":", ""))
    src = bytes.fromhex(net.cmac.replace(":", ""))
    return dst + src + struct.pack("!H", ethertype) + payload


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4(udp, ihl=5, total=None, frag=0):
    opts = b"\1" * ((ihl - 5) * 4) if ihl > 5 else b""
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0,
                      total if total is not None else 20 + len(opts) + len(udp),
                      7, frag, 64, 17, 0, socket.inet_aton(V4C),
                      socket.inet_aton(V4S)) + opts
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + udp


def udp(payload, ulen=None, dport=XDP_PORT):
    return struct.pack("!HHHH", 40000, dport,
                       ulen if ulen is not None else 8 + len(payload), 0) + payload


SOL_PACKET, PACKET_AUXDATA, TP_STATUS_VLAN_VALID = 263, 8, 0x10


def test_vlan_tagged_query_is_answered_with_its_tag(server, net):
    """A query in an 802.1Q frame (VLAN 100, which the server's kernel does
    not have, so only the XDP path can answer), sent raw; the reply comes
    back in VLAN 100 too (read with the tag the receiving kernel moved
    into the packet socket's auxiliary data)."""
    q = query_wire("www.example.test", "A")
    tagged = eth_frame(net, struct.pack("!HH", 100, 0x0800) + ipv4(udp(q)),
                       0x8100)
    with net.socket(socket.AF_PACKET, socket.SOCK_RAW,
                    socket.htons(0x0003)) as s:
        s.bind((net.cdev, 0x0003))
        s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
        s.settimeout(3)
        s.send(tagged)
        deadline = time.time() + 5
        while time.time() < deadline:
            data, anc, _, _ = s.recvmsg(4096, 256)
            if len(data) < 42 or data[12:14] != b"\x08\x00" or data[23] != 17:
                continue
            sport = struct.unpack("!H", data[34:36])[0]
            if sport != XDP_PORT or data[42:44] != q[:2]:
                continue
            status, _, _, _, _, tci = struct.unpack("=IIIHHH", anc[0][2][:18])
            assert status & TP_STATUS_VLAN_VALID and tci & 0xfff == 100
            assert data[:6] == bytes.fromhex(net.cmac.replace(":", ""))
            m = dns.message.from_wire(data[42:])
            assert m.answer and "127.0.0.1" in m.answer[0].to_text()
            return
    pytest.fail("no reply in VLAN 100")


def test_malformed_frames_do_not_stop_the_worker(server, net):
    q = query_wire("www.example.test", "A")
    frames = [
        eth_frame(net, b"")[:10],                      # short Ethernet
        eth_frame(net, b"")[:14],                      # nothing after it
        eth_frame(net, ipv4(udp(q))[:19]),             # cut IP header
        eth_frame(net, ipv4(udp(q), ihl=4)),           # IHL below 5
        eth_frame(net, ipv4(udp(q), ihl=15)[:40]),     # IHL past the packet
        eth_frame(net, ipv4(udp(q), ihl=6)),           # options: kernel
        eth_frame(net, ipv4(udp(q), total=2000)),      # total length lies
        eth_frame(net, ipv4(udp(q), total=10)),
        eth_frame(net, ipv4(udp(q, ulen=400))),        # UDP length lies
        eth_frame(net, ipv4(udp(q, ulen=3))),
        eth_frame(net, ipv4(udp(q, ulen=0))),
        eth_frame(net, ipv4(udp(q), frag=0x2000)),     # first fragment
        eth_frame(net, ipv4(udp(b""))),                # empty query
        eth_frame(net, ipv4(udp(q[:7]))),              # cut header
        eth_frame(net, ipv4(udp(b"\xff" * 1400))),     # garbage
        eth_frame(net, ipv4(udp(q))[:30], 0x86dd),     # IPv4 as IPv6
        eth_frame(net, b"\x60" + b"\0" * 5 + b"\x11" + b"\0" * 33, 0x86dd),
    ]
    with net.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
        s.bind((net.cdev, 0))
        for _ in range(3):
            for f in frames:
                try:
                    s.send(f)
                except OSError:   # the kernel refuses frames below 14 bytes
                    assert len(f) < 14
                    continue
    time.sleep(0.2)
    assert server.proc.poll() is None
    x, k = both(net, q, V4S)
    assert x is not None and x == k


def test_without_privileges_one_line_and_exit_2(net):
    """As nobody, with no capability: a one-line error, exit 2, and no
    silent fallback to sockets."""
    tmp = tempfile.mkdtemp(prefix="inetkit-xdp-")
    zone = os.path.join(tmp, "z.zone")
    with open(zone, "w") as f:
        f.write(open(ALL_ZONES[0]).read())
    os.chmod(tmp, 0o755)
    os.chmod(zone, 0o644)
    r = sh("ip", "netns", "exec", net.srv, "setpriv", "--reuid=nobody",
           "--regid=nogroup", "--clear-groups", "--inh-caps=-all",
           "--bounding-set=-all", INETKIT, "serve", "dns", "--zone",
           str(zone), "--listen", "127.0.0.1:0", "--xdp", net.sdev,
           check=False)
    shutil.rmtree(tmp)
    assert r.returncode == 2, r
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "CAP_NET_ADMIN" in lines[0], r.stderr
    assert "listening" not in r.stdout


def test_a_second_server_cannot_take_the_interface(net, server):
    """While one server holds the interface, another one (on another
    port) stops with exit 2 instead of replacing its program."""
    r = sh("ip", "netns", "exec", net.srv, INETKIT, "serve", "dns",
           "--zone", ALL_ZONES[0], "--listen", "127.0.0.1:0", "--xdp",
           net.sdev + "@5353", check=False)
    assert r.returncode == 2 and "already has an XDP program" in r.stderr, r


@pytest.fixture
def other_net():
    if os.geteuid() != 0:
        pytest.skip("needs root: network namespaces and XDP")
    try:
        n = Net()
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        pytest.skip("cannot make network namespaces here: %s" % e)
    try:
        yield n
    finally:
        n.remove()


def test_killed_server_leaves_no_xdp_program(other_net):
    """SIGKILL: the program hangs on a BPF link that the kernel drops with
    the process, so nothing is left, and the next start attaches."""
    s = XdpServer(other_net)
    assert other_net.xdp_attached()
    s.stop(signal.SIGKILL)
    deadline = time.time() + 10
    while other_net.xdp_attached() and time.time() < deadline:
        time.sleep(0.1)
    assert not other_net.xdp_attached()
    # and the next start attaches again
    s = XdpServer(other_net)
    x = ask_raw(other_net, query_wire("www.example.test", "A"), V4S, XDP_PORT)
    assert x is not None
    assert s.stop() == 0
    assert not other_net.xdp_attached()


def test_generic_mode_answers_the_same(other_net):
    """Generic mode (forced: the veth driver has native XDP too), where the
    program runs after the kernel built its packet buffer and the socket
    is bound in copy mode: the same answers, IPv4 and IPv6, and nothing
    left on the interface after SIGTERM."""
    s = XdpServer(other_net, env={"INETKIT_XDP_GENERIC": "1"})
    try:
        assert any("(generic mode, 1 queue)" in l for l in s.lines), s.lines
        assert "xdpgeneric" in sh("ip", "-n", other_net.srv, "link", "show",
                                  other_net.sdev).stdout
        before = other_net.udp_counters()
        cases = [(n, t) for n in NAMES[:20] for t in ("A", "MX", "TXT")]
        wires = {c: query_wire(*c) for c in cases}
        for addr in (V4S, V6S):
            got = {c: ask_raw(other_net, wires[c], addr, XDP_PORT)
                   for c in cases}
            assert other_net.udp_counters() == before
            for c in cases:
                want = ask_raw(other_net, wires[c], addr, SOCK_PORT)
                assert got[c] == want and want is not None, (addr, c)
            before = other_net.udp_counters()
    finally:
        rc = s.stop()
    assert rc == 0, s.stderr()
    assert not other_net.xdp_attached()


def test_sighup_reload_keeps_answering_over_xdp(server, net):
    """A reload swaps the database under the XDP worker as under the
    sockets (the same hazard slot): answers go on, the same."""
    wire = query_wire("www.example.test", "A")
    before = ask_raw(net, wire, V4S, XDP_PORT)
    server.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 10
    while "reloaded" not in server.stderr() and time.time() < deadline:
        assert ask_raw(net, wire, V4S, XDP_PORT) == before
    assert "reloaded" in server.stderr()
    assert ask_raw(net, wire, V4S, XDP_PORT) == before
