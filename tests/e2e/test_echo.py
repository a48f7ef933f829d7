"""echo (RFC 862) over TCP and UDP, driven by nc, socat, Python sockets and
inetkit's own client, and compared with openbsd-inetd's built-in echo."""
import hashlib
import os
import socket
import subprocess
import threading

from conftest import run
from inetdutil import inetd  # noqa: F401 (fixture)


def echo_tcp(port, data, host="127.0.0.1"):
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk


def test_echo_tcp_with_nc(start_server):
    srv = start_server(["serve", "echo", "--listen", "127.0.0.1:0", "--tcp"])
    r = subprocess.run(["nc", "-N", "127.0.0.1", str(srv.port())],
                       input=b"hello, world\n", capture_output=True, timeout=10)
    assert r.stdout == b"hello, world\n"


def test_echo_udp_with_socat(start_server):
    srv = start_server(["serve", "echo", "--listen", "127.0.0.1:0", "--udp"])
    r = subprocess.run(["socat", "-t2", "-", "UDP:127.0.0.1:%d" % srv.port("udp")],
                       input=b"datagram one", capture_output=True, timeout=10)
    assert r.stdout == b"datagram one"


def test_echo_same_bytes_as_inetd(start_server, inetd):  # noqa: F811
    srv = start_server(["serve", "echo", "--listen", "127.0.0.1:0",
                        "--listen", "[::1]:0"], expect=4)
    data = bytes(range(256)) * 100 + b"\r\n\x00end"
    assert echo_tcp(srv.port(), data) == echo_tcp(7, data) == data
    ours = [l for l in srv.listeners if l[1] == "udp" and l[2] == "::1"][0][3]
    for port in (ours, 7):
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.settimeout(5)
        s.sendto(b"udp payload \x00\xff", ("::1", port))
        assert s.recvfrom(2048)[0] == b"udp payload \x00\xff"
        s.close()


def test_echo_client_message_and_stdin(start_server):
    srv = start_server(["serve", "echo", "--listen", "127.0.0.1:0"], expect=2)
    target = "127.0.0.1:%d" % srv.port()
    r = run(["echo", target, "hello", "there"])
    assert r.returncode == 0 and r.stdout == b"hello there\n"
    r = run(["echo", target], input=b"from stdin\nline two\n")
    assert r.returncode == 0 and r.stdout == b"from stdin\nline two\n"
    udp = "127.0.0.1:%d" % srv.port("udp")
    r = run(["echo", udp, "--udp"], input=b"one\ntwo\n")
    assert r.returncode == 0 and r.stdout == b"one\ntwo\n"
    r = run(["echo", "localhost:%d" % srv.port(), "by", "name"])
    assert r.stdout == b"by name\n"


def test_echo_streams_large_transfer_with_bounded_memory(start_server):
    """64 MiB through one connection: all of it comes back, in order, while
    the client reads slowly at first (the server must apply back-pressure
    rather than buffer without bound)."""
    srv = start_server(["serve", "echo", "--listen", "127.0.0.1:0", "--tcp",
                        "--workers", "1"])
    size = 64 << 20
    block = os.urandom(1 << 20)
    want = hashlib.sha256(block * 64).hexdigest()
    s = socket.create_connection(("127.0.0.1", srv.port()), timeout=30)

    def send():
        for _ in range(size // len(block)):
            s.sendall(block)
        s.shutdown(socket.SHUT_WR)

    t = threading.Thread(target=send)
    t.start()
    import time
    time.sleep(0.5)  # the client is not reading: the server must wait
    rss_kib = int([l for l in open("/proc/%d/status" % srv.proc.pid)
                   if l.startswith("VmRSS")][0].split()[1])
    h = hashlib.sha256()
    got = 0
    while True:
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        h.update(chunk)
        got += len(chunk)
    t.join()
    s.close()
    assert got == size
    assert h.hexdigest() == want
    # ASan's own overhead is tens of MiB; 64 MiB held would show above it.
    assert rss_kib < 60 * 1024, rss_kib


def test_echo_client_streams_through_inetkit_client(start_server, tmp_path):
    srv = start_server(["serve", "echo", "--listen", "127.0.0.1:0", "--tcp"])
    src = tmp_path / "in.bin"
    src.write_bytes(os.urandom(8 << 20))
    with open(src, "rb") as f:
        r = subprocess.run([os.environ.get("INETKIT", "inetkit"), "echo",
                            "127.0.0.1:%d" % srv.port()], stdin=f,
                           capture_output=True, timeout=60)
    assert r.returncode == 0
    assert r.stdout == src.read_bytes()
