"""daytime (RFC 867) and time (RFC 868) over TCP and UDP, with nc, rdate,
Python sockets and inetkit's clients, compared with openbsd-inetd."""
import re
import socket
import struct
import subprocess
import time

from conftest import run
from inetdutil import inetd  # noqa: F401 (fixture)

DAYTIME_RE = re.compile(rb"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}\r\n$")
EPOCH_1900 = 2208988800


def read_all(port, host="127.0.0.1"):
    with socket.create_connection((host, port), timeout=5) as s:
        out = b""
        while True:
            chunk = s.recv(1024)
            if not chunk:
                return out
            out += chunk


def udp_ask(port, payload, host="127.0.0.1", family=socket.AF_INET, timeout=2):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(payload, (host, port))
        return s.recvfrom(2048)[0]
    except socket.timeout:
        return None
    finally:
        s.close()


def test_daytime_same_format_as_inetd(start_server, inetd):  # noqa: F811
    srv = start_server(["serve", "daytime", "--listen", "127.0.0.1:0", "--tcp"])
    ours, theirs = read_all(srv.port()), read_all(13)
    assert DAYTIME_RE.match(ours), ours
    assert DAYTIME_RE.match(theirs), theirs
    assert len(ours) == len(theirs) == 26


def test_time_within_two_seconds_of_inetd(start_server, inetd):  # noqa: F811
    srv = start_server(["serve", "time", "--listen", "127.0.0.1:0",
                        "--listen", "[::1]:0"], expect=4)
    ours = struct.unpack("!I", read_all(srv.port()))[0]
    theirs = struct.unpack("!I", read_all(37))[0]
    assert abs(ours - theirs) <= 2
    assert abs(ours - EPOCH_1900 - time.time()) <= 2
    v6_udp = [l for l in srv.listeners if l[1] == "udp" and l[2] == "::1"][0][3]
    ours = udp_ask(v6_udp, b"\0" * 4, "::1", socket.AF_INET6)
    theirs = udp_ask(37, b"", "::1", socket.AF_INET6)
    assert abs(struct.unpack("!I", ours)[0] - struct.unpack("!I", theirs)[0]) <= 2


def test_rdate_reads_time_over_tcp(start_server):
    srv = start_server(["serve", "time", "--listen", "127.0.0.1:0", "--tcp"])
    r = subprocess.run(["rdate", "-p", "-o", str(srv.port()), "127.0.0.1"],
                       capture_output=True, timeout=10)
    assert r.returncode == 0, r.stderr
    # "rdate: [127.0.0.1]	Sat Nov 21 10:44:21 2026"
    assert str(time.gmtime().tm_year).encode() in r.stdout


def test_udp_reply_never_larger_than_request(start_server):
    """No amplification: a datagram shorter than the reply gets no reply;
    time's 4 bytes answer any datagram, the empty one of RFC 868 clients
    included (4 bytes for a 28-byte packet amplify nothing)."""
    day = start_server(["serve", "daytime", "--listen", "127.0.0.1:0", "--udp"])
    tim = start_server(["serve", "time", "--listen", "127.0.0.1:0", "--udp"])
    assert udp_ask(day.port("udp"), b"x" * 25, timeout=0.5) is None
    reply = udp_ask(day.port("udp"), b"x" * 26)
    assert DAYTIME_RE.match(reply)
    assert len(udp_ask(tim.port("udp"), b"")) == 4
    assert len(udp_ask(tim.port("udp"), b"abc")) == 4
    assert len(udp_ask(tim.port("udp"), b"1234")) == 4


def test_rdate_reads_time_over_udp(start_server):
    srv = start_server(["serve", "time", "--listen", "127.0.0.1:0", "--udp"])
    r = subprocess.run(["rdate", "-u", "-p", "-o", str(srv.port("udp")),
                        "127.0.0.1"], capture_output=True, timeout=20)
    assert r.returncode == 0, r.stderr
    assert str(time.gmtime().tm_year).encode() in r.stdout


def test_udp_replies_per_source_are_limited(start_server):
    """A burst of 200 datagrams from one source gets the burst allowance
    (40) and what refills at 20 a second, not 200 replies."""
    srv = start_server(["serve", "echo", "--listen", "127.0.0.1:0", "--udp",
                        "--workers", "1"])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    t0 = time.time()
    for i in range(200):
        s.sendto(b"x", ("127.0.0.1", srv.port("udp")))
    s.settimeout(1)
    got = 0
    try:
        while True:
            s.recv(16)
            got += 1
    except socket.timeout:
        pass
    elapsed = time.time() - t0
    s.close()
    assert got >= 40
    assert got <= 40 + 20 * elapsed + 1, (got, elapsed)
    assert got < 200


def test_clients_print_daytime_and_time(start_server):
    day = start_server(["serve", "daytime", "--listen", "127.0.0.1:0"], expect=2)
    tim = start_server(["serve", "time", "--listen", "127.0.0.1:0"], expect=2)
    for proto, extra in (("tcp", []), ("udp", ["--udp"])):
        r = run(["daytime", "127.0.0.1:%d" % day.port(proto)] + extra)
        assert r.returncode == 0
        assert DAYTIME_RE.match(r.stdout.replace(b"\n", b"\r\n")), r.stdout
        r = run(["time", "127.0.0.1:%d" % tim.port(proto)] + extra)
        assert r.returncode == 0
        lines = r.stdout.decode().splitlines()
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", lines[0])
        offset = int(re.match(r"^offset from the local clock: ([+-]\d+) s$",
                              lines[1])[1])
        assert abs(offset) <= 2


def test_client_timeout_and_refused(start_server):
    # A UDP port nobody answers on (inetkit time ignores short datagrams
    # is not needed: a bound, silent socket is enough).
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    port = silent.getsockname()[1]
    t0 = time.time()
    r = run(["time", "127.0.0.1:%d" % port, "--udp", "--timeout", "1",
             "--retries", "1"])
    assert r.returncode == 1 and b"timed out" in r.stderr
    assert time.time() - t0 < 15
    silent.close()
    r = run(["daytime", "127.0.0.1:%d" % port])
    assert r.returncode == 1 and b"refused" in r.stderr.lower()
    r = run(["echo", "no-such-host.invalid:7", "x"])
    assert r.returncode == 1 and b"resolve" in r.stderr
