"""Clients that fail over (issue 13 part 3): `get` and `crawl` connect by
Happy Eyeballs (RFC 8305: a new attempt every 250 ms, the first to connect
wins, --connect-timeout bounds the whole), send an idempotent request that
failed before any byte of its response once more to the next address, and
the crawler spreads its connections over a name's addresses and tries an
address that failed last for a while.

Every host here is a loopback address of its own (127.0.0.2, .3, ...) on
one port, named by --resolve (several pins of one name are its addresses,
in order). A host that died is simulated three ways: nothing listening
(refused), a listener that never accepts with a full backlog (silent: the
SYN is dropped, connect hangs), and a process that accepts and then
closes, resets, or says nothing."""
import os
import socket
import struct
import threading

import pytest

from conftest import run
from crawlutil import crawl, pages, broken
from gensite import generate

NAME = "www.failover.test"


def serve_on(start_server, root, host, port=0, log=None):
    args = ["serve", "http", "--root", str(root), "--listen",
            "%s:%d" % (host, port), "--workers", "1"]
    if log:
        args += ["--access-log", str(log)]
    return start_server(args).port()


class Silent:
    """A listener on host:port that never accepts, its backlog full: a
    connect to it gets no answer, as to a host whose link is down."""

    def __init__(self, host, port):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(0)
        self.fill = []
        for _ in range(4):
            c = socket.socket()
            c.setblocking(False)
            try:
                c.connect((host, port))
            except BlockingIOError:
                pass
            self.fill.append(c)

    def close(self):
        for c in self.fill:
            c.close()
        self.sock.close()


class Bad:
    """Accepts on host:port, reads a request head, then: "eof" closes,
    "reset" resets, "mute" holds the connection and says nothing,
    "partial" sends half a response head and closes. Counts the
    connections it accepted."""

    def __init__(self, host, port, mode):
        self.mode = mode
        self.accepted = 0
        self.held = []
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.accepted += 1
            conn.settimeout(5)
            try:
                conn.recv(65536)
            except OSError:
                pass
            if self.mode == "mute":
                self.held.append(conn)
                continue
            if self.mode == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack("ii", 1, 0))
            elif self.mode == "partial":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Le")
            conn.close()

    def close(self):
        self.stopping = True
        self.thread.join(5)
        self.sock.close()
        for c in self.held:
            c.close()


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("the good host\n")
    return root


def pins(*hosts):
    out = []
    for h in hosts:
        out += ["--resolve", "%s:%s" % (NAME, h)]
    return out


def get(port, *args, timeout=30):
    return run(["get", "http://%s:%d/index.html" % (NAME, port)] + pins(
        *[a for a in args if a.startswith("127.")]) +
        [a for a in args if not a.startswith("127.")], timeout=timeout)


def test_get_passes_a_silent_address_by_happy_eyeballs(start_server, site):
    port = serve_on(start_server, site, "127.0.0.3")
    dead = Silent("127.0.0.2", port)
    try:
        # One address at a time would wait the whole 60 s connect timeout
        # on the first; the 10 s --max-time would stop it.
        r = get(port, "127.0.0.2", "127.0.0.3", "--connect-timeout", "60",
                "--max-time", "10")
    finally:
        dead.close()
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"the good host\n"


def test_connect_timeout_bounds_every_attempt_together(start_server, site):
    port = serve_on(start_server, site, "127.0.0.3")
    dead = [Silent("127.0.0.%d" % i, port) for i in range(4, 12)]
    try:
        # Eight silent addresses: 1 s each in turn would be 8 s, past the
        # --max-time; one bound for all of them ends in the connect
        # timeout's own message.
        r = get(port, *["127.0.0.%d" % i for i in range(4, 12)],
                "--connect-timeout", "1", "--max-time", "6")
    finally:
        for d in dead:
            d.close()
    err = r.stderr.decode()
    assert r.returncode == 1
    assert "Sanitizer" not in err
    assert "max-time" not in err and "timed out" in err, err


def test_get_refused_address_is_passed(start_server, site):
    port = serve_on(start_server, site, "127.0.0.3")
    r = get(port, "127.0.0.2", "127.0.0.3")
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"the good host\n"


@pytest.mark.parametrize("mode", ["eof", "reset", "mute"])
def test_get_is_sent_again_to_the_next_address(start_server, site, mode):
    port = serve_on(start_server, site, "127.0.0.3")
    bad = Bad("127.0.0.2", port, mode)
    try:
        r = get(port, "127.0.0.2", "127.0.0.3", "--timeout", "1",
                "--max-time", "15")
    finally:
        bad.close()
    assert bad.accepted == 1  # the request went there first
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"the good host\n"


def test_head_is_sent_again_too(start_server, site):
    port = serve_on(start_server, site, "127.0.0.3")
    bad = Bad("127.0.0.2", port, "eof")
    try:
        r = get(port, "127.0.0.2", "127.0.0.3", "-I")
    finally:
        bad.close()
    assert bad.accepted == 1
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(b"HTTP/1.1 200")


def test_a_response_begun_is_not_sent_again(start_server, site):
    port = serve_on(start_server, site, "127.0.0.3")
    bad = Bad("127.0.0.2", port, "partial")
    try:
        r = get(port, "127.0.0.2", "127.0.0.3")
    finally:
        bad.close()
    assert bad.accepted == 1
    assert r.returncode == 1
    assert r.stdout == b""


def test_every_address_failing_is_a_failure(start_server, site):
    port = serve_on(start_server, site, "127.0.0.3")
    bads = [Bad("127.0.0.%d" % i, port, "eof") for i in (4, 5)]
    try:
        r = get(port, "127.0.0.4", "127.0.0.5")
    finally:
        for b in bads:
            b.close()
    assert [b.accepted for b in bads] == [1, 1]  # each once, no loop
    assert r.returncode == 1


def requests_in(log):
    return sum(1 for _ in open(log)) if os.path.exists(log) else 0


@pytest.mark.parametrize("dead", ["refused", "silent", "mute"])
def test_crawl_spreads_and_passes_a_dead_host(start_server, tmp_path, dead):
    root = tmp_path / "gen"
    generate(str(root), 300)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    port = serve_on(start_server, root, "127.0.0.3", log=logs[0])
    serve_on(start_server, root, "127.0.0.4", port, log=logs[1])
    bad = {"refused": lambda: None,
           "silent": lambda: Silent("127.0.0.2", port),
           "mute": lambda: Bad("127.0.0.2", port, "mute")}[dead]()
    try:
        r = crawl("http://%s:%d/" % (NAME, port), *pins(
            "127.0.0.2", "127.0.0.3", "127.0.0.4"), "--concurrency", "6",
            "--timeout", "2", "--delay", "0", "-q", timeout=120)
    finally:
        if bad:
            bad.close()
    assert r.returncode == 0, r.out[-2000:]
    assert "broken links: 0" in r.out
    assert "crawled 300 URLs" in r.out, r.out[-500:]
    assert "\nslowest: " in r.out
    # Both live hosts served from the start (their logs are buffered:
    # the servers' stop flushes them).
    if dead == "mute":
        # The dead host was given a connection or two of the six, then
        # passed over: not one per request nor per connection.
        assert 1 <= bad.accepted <= 6, bad.accepted


def test_crawl_uses_every_address(start_server, tmp_path):
    root = tmp_path / "gen"
    generate(str(root), 200)
    logs = [tmp_path / "a.log", tmp_path / "b.log", tmp_path / "c.log"]
    servers = []
    port = 0
    for i, log in enumerate(logs):
        srv = start_server(["serve", "http", "--root", str(root), "--listen",
                            "127.0.0.%d:%d" % (i + 2, port), "--workers",
                            "1", "--access-log", str(log)])
        port = srv.port()
        servers.append(srv)
    r = crawl("http://%s:%d/" % (NAME, port), *pins(
        "127.0.0.2", "127.0.0.3", "127.0.0.4"), "--concurrency", "6",
        "--delay", "0", "-q")
    assert r.returncode == 0, r.out[-2000:]
    for s in servers:
        assert s.stop() == 0
    counts = [requests_in(str(log)) for log in logs]
    assert sum(counts) >= 200, counts
    assert all(c > 0 for c in counts), counts
