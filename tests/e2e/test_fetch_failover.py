"""Clients that fail over (issue 13 part 3): `get` and `crawl` connect by
Happy Eyeballs (RFC 8305: a new attempt every 250 ms, the first to connect
wins, --connect-timeout bounds the whole), send an idempotent request that
failed before any byte of its response once more to the next address, and
the crawler spreads its connections over a name's addresses and tries an
address that failed last for a while.

Every host here is a loopback address of its own (127.77.0.2, .3, ...) on
one port, named by --resolve (several pins of one name are its addresses,
in order). A host that died is simulated three ways: nothing listening
(refused), a listener that never accepts with a full backlog (silent: the
SYN is dropped, connect hangs), and a process that accepts and then
closes, resets, or says nothing."""
import errno
import os
import socket
import struct
import threading

import pytest

from conftest import Server, assert_clean_exit, run
from crawlutil import crawl
from gensite import generate

NAME = "www.failover.test"


def http_args(root, host, port=0, log=None):
    args = ["serve", "http", "--root", str(root), "--listen",
            "%s:%d" % (host, port), "--workers", "1"]
    return args + (["--access-log", str(log)] if log else [])


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


def close(x):
    if isinstance(x, Server):
        x.kill()
    else:
        x.close()


@pytest.fixture
def hosts(start_server):
    """hosts(root, live, dead=(), logs=None) -> (port, servers, deads):
    inetkit servers of root on the addresses live, and the dead hosts made
    by the functions dead (of the port), all on one port. A port taken on
    one of the addresses (another test on the machine) means another try
    on a new one. Servers are stopped at the end and must exit cleanly;
    dead hosts are closed."""
    made = []

    def make(root, live, dead=(), logs=None):
        logs = logs or [None] * len(live)
        for _ in range(20):
            first = start_server(http_args(root, live[0], 0, logs[0]))
            port, servers, deads = first.port(), [first], []
            try:
                for addr, log in zip(live[1:], logs[1:]):
                    servers.append(Server(http_args(root, addr, port, log)))
                for d in dead:
                    deads.append(d(port))
            except (OSError, RuntimeError) as e:
                if isinstance(e, OSError) and e.errno != errno.EADDRINUSE:
                    raise
                for x in servers[1:] + deads:
                    close(x)
                continue
            made.extend(servers[1:] + deads)
            return port, servers, deads
        pytest.fail("no port free on all of %s" % (live,))

    yield make
    for x in made:
        if isinstance(x, Server):
            assert_clean_exit(x, x.stop())
        else:
            x.close()


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


A2, A3, A4 = "127.77.0.2", "127.77.0.3", "127.77.0.4"


def silent(addr):
    return lambda port: Silent(addr, port)


def bad(addr, mode):
    return lambda port: Bad(addr, port, mode)


def test_get_passes_a_silent_address_by_happy_eyeballs(hosts, site):
    port, _, _ = hosts(site, [A3], [silent(A2)])
    # One address at a time would wait the whole 60 s connect timeout on
    # the first; the 10 s --max-time would stop it.
    r = get(port, A2, A3, "--connect-timeout", "60", "--max-time", "10")
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"the good host\n"


def test_connect_timeout_bounds_every_attempt_together(hosts, site):
    dead = ["127.77.0.%d" % i for i in range(4, 12)]
    port, _, _ = hosts(site, [A3], [silent(a) for a in dead])
    # Eight silent addresses: 1 s each in turn would be 8 s, past the
    # --max-time; one bound for all of them ends in the connect timeout's
    # own message.
    r = get(port, *dead, "--connect-timeout", "1", "--max-time", "6")
    err = r.stderr.decode()
    assert r.returncode == 1
    assert "Sanitizer" not in err
    assert "max-time" not in err and "timed out" in err, err


def test_get_refused_address_is_passed(hosts, site):
    port, _, _ = hosts(site, [A3])
    r = get(port, A2, A3)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"the good host\n"


@pytest.mark.parametrize("mode", ["eof", "reset", "mute"])
def test_get_is_sent_again_to_the_next_address(hosts, site, mode):
    port, _, (b,) = hosts(site, [A3], [bad(A2, mode)])
    r = get(port, A2, A3, "--timeout", "1", "--max-time", "15")
    assert b.accepted == 1  # the request went there first
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"the good host\n"


def test_head_is_sent_again_too(hosts, site):
    port, _, (b,) = hosts(site, [A3], [bad(A2, "eof")])
    r = get(port, A2, A3, "-I")
    assert b.accepted == 1
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(b"HTTP/1.1 200")


def test_a_response_begun_is_not_sent_again(hosts, site):
    port, _, (b,) = hosts(site, [A3], [bad(A2, "partial")])
    r = get(port, A2, A3)
    assert b.accepted == 1
    assert r.returncode == 1
    assert r.stdout == b""


def test_every_address_failing_is_a_failure(hosts, site):
    port, _, bads = hosts(site, [A3], [bad(A4, "eof"),
                                       bad("127.77.0.5", "eof")])
    r = get(port, A4, "127.77.0.5")
    assert [b.accepted for b in bads] == [1, 1]  # each once, no loop
    assert r.returncode == 1


def requests_in(log):
    return sum(1 for _ in open(log)) if os.path.exists(log) else 0


@pytest.mark.parametrize("dead", ["refused", "silent", "mute"])
def test_crawl_spreads_and_passes_a_dead_host(hosts, tmp_path, dead):
    root = tmp_path / "gen"
    generate(str(root), 300)
    make = {"refused": [], "silent": [silent(A2)],
            "mute": [bad(A2, "mute")]}[dead]
    port, _, deads = hosts(root, [A3, A4], make)
    r = crawl("http://%s:%d/" % (NAME, port), *pins(A2, A3, A4),
              "--concurrency", "6", "--timeout", "2", "--delay", "0", "-q",
              timeout=120)
    assert r.returncode == 0, r.out[-2000:]
    assert "broken links: 0" in r.out
    assert "crawled 300 URLs" in r.out, r.out[-500:]
    assert "\nslowest: " in r.out
    if dead == "mute":
        # The dead host was given a connection or two of the six, then
        # passed over: not one per request nor per connection.
        assert 1 <= deads[0].accepted <= 6, deads[0].accepted


def test_crawl_uses_every_address(hosts, tmp_path):
    root = tmp_path / "gen"
    generate(str(root), 200)
    logs = [tmp_path / "a.log", tmp_path / "b.log", tmp_path / "c.log"]
    port, servers, _ = hosts(root, [A2, A3, A4], logs=logs)
    r = crawl("http://%s:%d/" % (NAME, port), *pins(A2, A3, A4),
              "--concurrency", "6", "--delay", "0", "-q")
    assert r.returncode == 0, r.out[-2000:]
    for s in servers:  # their logs are written whole at the stop
        assert s.stop() == 0
    counts = [requests_in(str(log)) for log in logs]
    assert sum(counts) >= 200, counts
    assert all(c > 0 for c in counts), counts
