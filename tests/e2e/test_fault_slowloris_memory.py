"""A slowloris (thousands of connections each holding a request head in
progress) takes memory while it lasts; once the connections are gone the
web server gives it back to the system (malloc_trim when most of a crowd
of connections has closed: glibc alone kept the freed request contexts).
The release build: ASan's allocator keeps freed memory in quarantine."""
import re
import resource
import socket
import time

from conftest import need_release
from httputil import SITE, get

CONNS = 3000


def pss_kib(pid):
    with open("/proc/%d/smaps_rollup" % pid) as f:
        return int(re.search(r"^Pss:\s+(\d+)", f.read(), re.M).group(1))


def test_slowloris_memory_returns(start_server):
    binary = need_release()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < CONNS + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    srv = start_server(["serve", "http", "--root", SITE, "--listen",
                        "127.0.0.1:0", "--workers", "2",
                        "--header-timeout", "120"], binary=binary)
    port = srv.port()
    pid = srv.proc.pid
    assert get(port, "/").status == 200
    before = pss_kib(pid)
    socks = []
    try:
        for i in range(CONNS):
            s = socket.socket()
            s.bind(("127.0.0.%d" % (2 + i % 8), 0))
            s.settimeout(10)
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n")
            socks.append(s)
        # every head has reached the server (the last one is read last)
        deadline = time.time() + 30
        while pss_kib(pid) - before < CONNS * 4 and time.time() < deadline:
            time.sleep(0.1)
        during = pss_kib(pid)
        # others are still served
        assert get(port, "/").status == 200
    finally:
        for s in socks:
            s.close()
    # The server sees the closes on its own time; memory comes back to
    # within a small part of what the flood took.
    grown = during - before
    assert grown > CONNS * 4, (before, during)
    deadline = time.time() + 20
    while pss_kib(pid) - before > grown // 5 and time.time() < deadline:
        time.sleep(0.2)
    after = pss_kib(pid)
    assert after - before <= grown // 5, (before, during, after)
    assert get(port, "/").status == 200
