"""Memory runs out (RLIMIT_AS lowered under the running server, as
`ulimit -v` does; the release build, since ASan's shadow maps terabytes
of address space): the web server refuses new requests with 503 from
static bytes while a flood of big request heads holds the memory, a
download already under way and a keep-alive client already connected
finish, the shortage and its end are said once each; the name server
keeps its zones when a reload needs more memory than it may have. The
cgroup v1 memory controller here would OOM-kill rather than fail malloc,
and cgroup v2 has no memory controller in this container."""
import os
import re
import resource
import signal
import socket
import time

from conftest import need_release
from httputil import get
from xfrutil import serial_of, wait_for, write_zone

FLOOD = 3000


def vm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmSize:\s+(\d+)", f.read()).group(1))


def settled(pid):
    """Waits until the server has started (its worker threads are
    created after the listening lines): its thread count and mappings
    unchanged for half a second."""
    def state():
        with open("/proc/%d/status" % pid) as f:
            t = f.read()
        return (re.search(r"Threads:\s+(\d+)", t)[1],
                re.search(r"VmSize:\s+(\d+)", t)[1])
    last, since = state(), time.time()
    deadline = time.time() + 30
    while time.time() - since < 0.5 and time.time() < deadline:
        time.sleep(0.05)
        now = state()
        if now != last:
            last, since = now, time.time()


def limit_memory(pid, spare_mib):
    """Lets the process map spare_mib more than it has mapped now."""
    settled(pid)
    lim = (vm_kib(pid) + spare_mib * 1024) * 1024
    resource.prlimit(pid, resource.RLIMIT_AS, (lim, lim))


def response(s):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        assert chunk, data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    n = int(re.search(rb"(?i)content-length: *(\d+)", head)[1])
    while len(body) < n:
        chunk = s.recv(65536)
        assert chunk
        body += chunk
    return head.split(b"\r\n")[0], body


def test_http_out_of_memory(start_server, tmp_path):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < FLOOD + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("<p>hello</p>\n")
    big = os.urandom(8 << 20)
    (root / "big.bin").write_bytes(big)
    srv = start_server(["serve", "http", "--root", str(root), "--listen",
                        "127.0.0.1:0", "--workers", "2",
                        "--header-timeout", "120", "--idle-timeout", "120"],
                       binary=need_release())
    port = srv.port()
    assert get(port, "/").status == 200
    # Under way before the shortage: a download read slowly, and a
    # keep-alive client between two requests.
    dl = socket.create_connection(("127.0.0.1", port), timeout=30)
    dl.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    dl.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    got = dl.recv(65536)
    assert got.startswith(b"HTTP/1.1 200")
    ka = socket.create_connection(("127.0.0.1", port), timeout=30)
    ka.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert response(ka)[0] == b"HTTP/1.1 200 OK"

    limit_memory(srv.proc.pid, 4)
    flood, refused = [], 0
    try:
        for i in range(FLOOD):
            s = socket.socket()
            s.bind(("127.0.0.%d" % (2 + i % 8), 0))
            s.settimeout(10)
            s.connect(("127.0.0.1", port))
            # a big head in progress: a request context each
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " +
                      b"a" * 7000 + b"\r\n")
            flood.append(s)
        wait_for(lambda: "out of memory" in srv.stderr(), 30, 0.1,
                 "the shortage")
        # The refused see a 503 (those the server could not even accept
        # a connection for, a close).
        for s in flood:
            s.setblocking(False)
            try:
                data = s.recv(4096)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                data = b""
            assert data == b"" or data.startswith(
                b"HTTP/1.1 503 Service Unavailable\r\n"), data
            refused += 1
        assert refused > 0
        # The download goes on to its last byte.
        dl.settimeout(30)
        while True:
            chunk = dl.recv(1 << 20)
            if not chunk:
                break
            got += chunk
            if len(got) >= len(big) + 100 and big[-64:] in got[-200:]:
                break
        assert got.endswith(big)
    finally:
        for s in flood:
            s.close()
        dl.close()
    assert srv.alive()
    # Once the flood has gone, service resumes, for the keep-alive client
    # too, and the end of the shortage is said.
    time.sleep(1.2)  # the calm the server waits for before saying so
    wait_for(lambda: get(port, "/").status == 200, 30, 0.2, "service")
    ka.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert response(ka)[0] == b"HTTP/1.1 200 OK"
    ka.close()
    wait_for(lambda: "memory available again" in srv.stderr(), 10, 0.1,
             "the end of the shortage")
    err = srv.stderr()
    assert err.count("out of memory") == 1, err
    assert err.count("memory available again") == 1, err


def test_dns_reload_beyond_memory(start_server, tmp_path):
    path = str(tmp_path / "big.zone")
    write_zone(path, 1)
    srv = start_server(["serve", "dns", "--listen", "127.0.0.1:0",
                        "--workers", "2", "--zone", path], expect=2,
                       binary=need_release())
    port = srv.port("udp")
    assert serial_of(port) == 1
    limit_memory(srv.proc.pid, 8)
    write_zone(path, 2, n=300000)
    srv.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "reload failed" in srv.stderr(), 60, 0.1, "the reload")
    assert "Cannot allocate memory" in srv.stderr()
    # The old zone is still served, and a reload that fits works.
    assert serial_of(port) == 1
    write_zone(path, 3)
    srv.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: serial_of(port) == 3, 30, 0.1, "the small reload")
    assert srv.stderr().count("reload failed") == 1
