"""`serve http --proxy-protocol --proxy-from CIDR` (issue 13 part 5): a
connection from a trusted load balancer begins with a PROXY protocol
header (v1 text, v2 binary), and the access log shows the client it names;
a bad header closes the connection; others are served as they are. Then
HAProxy (Debian's) in front of two replicas with health checks and the
PROXY header, one replica killed in the middle of a run of requests."""
import os
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time
import http.client

import pytest

from conftest import Server, assert_usage_error
from httputil import SITE, read_until_close

V2SIG = b"\r\n\r\n\x00\r\nQUIT\n"
REQ = b"GET /about.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"


def serve(start_server, log, *extra, host="127.0.0.1", workers="1"):
    srv = start_server(["serve", "http", "--root", SITE, "--listen",
                        "%s:0" % host, "--workers", workers,
                        "--access-log", str(log)] + list(extra))
    return srv, srv.port()


def exchange(port, data, pieces=1, host="127.0.0.1"):
    """Sends data (in pieces writes), returns all the server said."""
    c = socket.create_connection((host, port), timeout=10)
    step = (len(data) + pieces - 1) // pieces
    for i in range(0, len(data), step):
        c.sendall(data[i:i + step])
        if pieces > 1:
            time.sleep(0.05)
    out = read_until_close(c)
    c.close()
    return out


def log_hosts(server, log, count):
    """The client column of the access log's lines, once count are in
    (the server flushes its log each second and at its stop)."""
    for _ in range(100):
        if log.exists() and log.read_text().count("\n") >= count:
            break
        time.sleep(0.05)
    return [l.split(" ", 1)[0] for l in log.read_text().splitlines()]


def v2(src, dst, sport, dport, cmd=0x21):
    fam = socket.AF_INET6 if ":" in src else socket.AF_INET
    addrs = socket.inet_pton(fam, src) + socket.inet_pton(fam, dst)
    body = addrs + struct.pack("!HH", sport, dport)
    famb = 0x21 if fam == socket.AF_INET6 else 0x11
    return V2SIG + bytes([cmd, famb]) + struct.pack("!H", len(body)) + body


PROXY = ["--proxy-protocol", "--proxy-from", "127.0.0.0/8"]


def test_v1_header_names_the_client(start_server, tmp_path):
    log = tmp_path / "a.log"
    srv, port = serve(start_server, log, *PROXY)
    out = exchange(port, b"PROXY TCP4 203.0.113.7 192.0.2.1 40000 80\r\n" +
                   REQ)
    assert out.startswith(b"HTTP/1.1 200 OK")
    out = exchange(port, b"PROXY TCP6 2001:db8::7 2001:db8::1 40000 80\r\n" +
                   REQ, pieces=3)
    assert out.startswith(b"HTTP/1.1 200 OK")
    assert log_hosts(srv, log, 2) == ["203.0.113.7", "2001:db8::7"]


def test_v2_header_names_the_client(start_server, tmp_path):
    log = tmp_path / "a.log"
    srv, port = serve(start_server, log, *PROXY)
    out = exchange(port, v2("198.51.100.9", "192.0.2.1", 1234, 80) + REQ)
    assert out.startswith(b"HTTP/1.1 200 OK")
    out = exchange(port, v2("2001:db8::9", "2001:db8::1", 1, 80) + REQ,
                   pieces=4)
    assert out.startswith(b"HTTP/1.1 200 OK")
    # LOCAL (a balancer's health check): the connection's own address.
    out = exchange(port, V2SIG + b"\x20\x00\x00\x00" + REQ)
    assert out.startswith(b"HTTP/1.1 200 OK")
    assert log_hosts(srv, log, 3) == ["198.51.100.9", "2001:db8::9",
                                      "127.0.0.1"]


def test_keep_alive_after_the_header(start_server, tmp_path):
    log = tmp_path / "a.log"
    srv, port = serve(start_server, log, *PROXY)
    keep = REQ.replace(b"Connection: close\r\n", b"")
    out = exchange(port, b"PROXY TCP4 203.0.113.8 192.0.2.1 1 80\r\n" +
                   keep + keep + REQ)
    assert out.count(b"HTTP/1.1 200 OK") == 3
    assert log_hosts(srv, log, 3) == ["203.0.113.8"] * 3


@pytest.mark.parametrize("bad", [
    REQ,                                              # no header at all
    b"PROXY TCP4 203.0.113.7 192.0.2.1 40000\r\n" + REQ,  # a field short
    b"PROXY TCP4 ::1 ::1 1 2\r\n" + REQ,              # family mismatch
    b"PROXY " + b"x" * 200 + b"\r\n" + REQ,           # over 107 bytes
    V2SIG + b"\x21\x11\x00\x04" + b"\0" * 4 + REQ,     # addresses short
    V2SIG + b"\x21\x11\xff\xff" + REQ,                 # over the limit
])
def test_bad_header_closes_without_answer(start_server, tmp_path, bad):
    log = tmp_path / "a.log"
    srv, port = serve(start_server, log, *PROXY)
    assert exchange(port, bad) == b""
    assert exchange(port, b"PROXY UNKNOWN\r\n" + REQ).startswith(
        b"HTTP/1.1 200")


def test_header_only_believed_from_the_ranges(start_server, tmp_path):
    log = tmp_path / "a.log"
    srv, port = serve(start_server, log, "--proxy-protocol",
                      "--proxy-from", "10.0.0.0/8", "--proxy-from",
                      "2001:db8::/32")
    # From 127.0.0.1, not a balancer: a PROXY line is no HTTP request.
    out = exchange(port, b"PROXY TCP4 203.0.113.7 192.0.2.1 1 80\r\n" + REQ)
    assert out.startswith(b"HTTP/1.1 400")
    assert exchange(port, REQ).startswith(b"HTTP/1.1 200")
    assert "203.0.113.7" not in log_hosts(srv, log, 2)


def test_without_the_flag_no_header_is_read(start_server, tmp_path):
    log = tmp_path / "a.log"
    srv, port = serve(start_server, log)
    out = exchange(port, b"PROXY TCP4 203.0.113.7 192.0.2.1 1 80\r\n" + REQ)
    assert out.startswith(b"HTTP/1.1 400")


def test_dual_stack_listener_matches_mapped_clients(start_server, tmp_path):
    log = tmp_path / "a.log"
    srv, port = serve(start_server, log, *PROXY, host="[::]")
    out = exchange(port, b"PROXY TCP4 203.0.113.5 192.0.2.1 1 80\r\n" + REQ)
    assert out.startswith(b"HTTP/1.1 200")
    assert log_hosts(srv, log, 1) == ["203.0.113.5"]


@pytest.mark.parametrize("args", [
    ["--proxy-protocol"],
    ["--proxy-from", "127.0.0.0/8"],
    ["--proxy-protocol", "--proxy-from", "127.0.0.0/33"],
    ["--proxy-protocol", "--proxy-from", "localhost"],
    ["--proxy-protocol"] + ["--proxy-from", "10.0.0.0/8"] * 17,
])
def test_usage_errors(args):
    assert_usage_error(["serve", "http", "--root", SITE, "--listen",
                        "127.0.0.1:0"] + args)


# HAProxy in front of two replicas.

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


HAPROXY_CFG = """
global
    maxconn 512
defaults
    mode http
    timeout connect 1s
    timeout client 10s
    timeout server 5s
    retries 3
    option redispatch 1
    retry-on all-retryable-errors
frontend fe
    bind 127.0.0.1:{fe}
    default_backend be
backend be
    balance roundrobin
    option httpchk GET /about.html
    default-server inter 200ms fall 1 rise 2 {send} check-send-proxy
    server a 127.0.0.1:{a} check
    server b 127.0.0.1:{b} check
"""


def start_haproxy(tmp_path, pa, pb, send):
    """HAProxy before the replicas on ports pa and pb; returns (process,
    its port). A port taken between its choice and HAProxy's bind means
    another try."""
    cfg = tmp_path / "haproxy.cfg"
    for _ in range(10):
        fe = free_port()
        cfg.write_text(HAPROXY_CFG.format(fe=fe, a=pa, b=pb, send=send))
        hap = subprocess.Popen(["haproxy", "-db", "-f", str(cfg)],
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        for _ in range(200):
            if hap.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", fe), 0.2).close()
                return hap, fe
            except OSError:
                time.sleep(0.05)
        hap.kill()
        hap.wait()
    pytest.fail("haproxy did not start")


@pytest.mark.skipif(shutil.which("haproxy") is None,
                    reason="haproxy not installed (scripts/deps.sh test)")
@pytest.mark.parametrize("send", ["send-proxy", "send-proxy-v2"])
def test_haproxy_two_replicas_one_killed(start_server, tmp_path, send):
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    # The replica to be killed is not the fixture's: it cannot exit 0.
    a, pa = serve(lambda args: Server(args), logs[0], *PROXY)
    b, pb = serve(start_server, logs[1], *PROXY)
    try:
        hap, fe = start_haproxy(tmp_path, pa, pb, send)
    except BaseException:
        a.kill()
        raise
    body = open(os.path.join(SITE, "about.html"), "rb").read()
    results, lock = [], threading.Lock()

    def client(n):
        for _ in range(n):
            try:
                # From 127.0.0.5: the address the replicas must log.
                c = http.client.HTTPConnection("127.0.0.1", fe, timeout=10,
                                               source_address=("127.0.0.5",
                                                               0))
                c.request("GET", "/about.html")
                r = c.getresponse()
                ok = r.status == 200 and r.read() == body
                c.close()
            except OSError:
                ok = False
            with lock:
                results.append(ok)

    try:
        time.sleep(0.6)  # both replicas up: rise 2 checks, 200 ms apart
        threads = [threading.Thread(target=client, args=(150,))
                   for _ in range(4)]
        for t in threads:
            t.start()
        while len(results) < 150 and any(t.is_alive() for t in threads):
            time.sleep(0.01)
        a.proc.send_signal(signal.SIGKILL)  # mid-run, no goodbye
        for t in threads:
            t.join(60)
    finally:
        a.kill()
        hap.terminate()
        try:
            hap.wait(10)
        except subprocess.TimeoutExpired:
            hap.kill()
            hap.wait()
    assert len(results) == 600
    assert results.count(False) == 0, "%d failed" % results.count(False)
    b.stop()
    hosts = log_hosts(b, logs[1], 1)
    # The survivor served the clients it got and logged their address,
    # not HAProxy's; the health checks it logged came as themselves.
    assert hosts.count("127.0.0.5") >= 300, hosts[:20]
    assert set(hosts) <= {"127.0.0.5", "127.0.0.1"}, set(hosts)


def test_header_before_a_tls_handshake(start_server, tmp_path):
    # HAProxy in TCP mode passes TLS through: the header comes first, the
    # handshake after it on the same connection.
    from tlsutil import context, make_ca, make_leaf, serve_tls
    ca = make_ca(tmp_path)
    pair = make_leaf(tmp_path, ca, "leaf")
    log = tmp_path / "a.log"
    srv, port = serve_tls(start_server, pair, "--access-log", str(log),
                          *PROXY)
    for header in (b"PROXY TCP4 203.0.113.44 192.0.2.1 5 443\r\n",
                   v2("2001:db8::44", "2001:db8::1", 5, 443)):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(header)
        c = context(ca).wrap_socket(s, server_hostname="localhost")
        c.sendall(REQ)
        out = read_until_close(c)
        c.close()
        assert out.startswith(b"HTTP/1.1 200 OK"), out[:200]
    assert log_hosts(srv, log, 2) == ["203.0.113.44", "2001:db8::44"]
