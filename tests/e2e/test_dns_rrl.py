"""Response rate limiting of the name server, tested as Knot tests its
own: for one second a flood of the same question from one source, and
the replies counted as answered, truncated (TC=1) and dropped, for RRL
off, limit 5 with slip 1, 0 and 2, and an exempt source; meanwhile a
source in another /24 is answered in full, TCP is never limited, and
dig, told TC=1, retries over TCP and gets its answer."""
import socket
import threading
import subprocess
import time

import dns.flags
import dns.message
import dns.query
import pytest

from conftest import assert_usage_error
from dnsutil import EXAMPLE_ZONE, query, serve_dns

NAME = "www.example.test"


def flood(host, port, seconds=1.0, src="127.0.0.1", name=NAME):
    """Sends the same question from one socket for `seconds`, in bursts
    of 10 every 5 ms (2,000 a second, which the loopback and a server
    under ASan carry without loss), then waits for stragglers. Returns
    (sent, answered, truncated, dropped)."""
    q = dns.message.make_query(name, "A").to_wire()
    sent = answered = truncated = 0
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.bind((src, 0))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.setblocking(False)

        def drain():
            nonlocal answered, truncated
            while True:
                try:
                    r = s.recv(4096)
                except BlockingIOError:
                    return
                if r[2] & 0x02:
                    truncated += 1
                else:
                    answered += 1

        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for _ in range(10):
                s.sendto(q, (host, port))
            sent += 10
            time.sleep(0.005)
            drain()
        quiet = time.monotonic() + 2
        while time.monotonic() < quiet and answered + truncated < sent:
            time.sleep(0.05)
            drain()
    return sent, answered, truncated, sent - answered - truncated


def assert_unlimited(sent, answered, truncated, dropped):
    """Nothing truncated and (but for what a loaded machine may lose on
    the loopback) everything answered: a limit of 5 would answer 5."""
    assert truncated == 0
    assert answered >= sent - sent // 10, (sent, answered, dropped)


def serve(start_server, *extra):
    return serve_dns(start_server, extra=list(extra))


def test_rrl_off_answers_everything(start_server):
    _, host, port = serve(start_server)
    assert_unlimited(*flood(host, port))


def test_rrl_slip_1_truncates_every_limited_reply(start_server):
    _, host, port = serve(start_server, "--rrl", "5", "--rrl-slip", "1")
    sent, answered, truncated, dropped = flood(host, port)
    assert sent > 100
    assert answered == 5
    assert truncated >= sent - 5 - sent // 10  # the rest: loopback loss


def test_rrl_slip_0_drops_every_limited_reply(start_server):
    _, host, port = serve(start_server, "--rrl", "5", "--rrl-slip", "0")
    sent, answered, truncated, dropped = flood(host, port)
    assert (answered, truncated, dropped) == (5, 0, sent - 5)


def test_rrl_slip_2_truncates_every_other(start_server):
    srv, host, port = serve(start_server, "--rrl", "5")  # slip 2: default
    sent, answered, truncated, dropped = flood(host, port)
    assert answered == 5
    assert truncated + dropped == sent - 5
    assert abs(truncated - (sent - 5) / 2) <= 1 + sent // 10
    # Said once (not once per reply) on stderr.
    srv.stop()
    assert srv.stderr().count("rate limiting UDP responses") == 1


def test_rrl_exempt_source_is_never_limited(start_server):
    _, host, port = serve(start_server, "--rrl", "5",
                          "--rrl-exempt", "10.0.0.0/8",
                          "--rrl-exempt", "127.0.0.0/30")
    assert_unlimited(*flood(host, port))
    # 127.0.0.9 is outside the exempt /30: limited.
    sent, answered, truncated, dropped = flood(host, port, src="127.0.0.9")
    assert answered == 5


def test_rrl_other_network_and_tcp_unaffected(start_server):
    _, host, port = serve(start_server, "--rrl", "5", "--rrl-slip", "0")
    result = []
    flooder = threading.Thread(target=lambda: result.append(
        flood(host, port, seconds=1.5)))
    flooder.start()
    try:
        # While one /24 floods, a well-behaved source in another /24 (at
        # its rate) and TCP from the flooding source are answered in full.
        time.sleep(0.3)
        q = dns.message.make_query(NAME, "A")
        for _ in range(5):
            r = dns.query.udp(q, host, port=port, timeout=5,
                              source="127.0.1.1")
            assert r.answer and not r.flags & dns.flags.TC
            r = query(host, port, NAME, "A", tcp=True)
            assert r.answer and not r.flags & dns.flags.TC
            time.sleep(0.1)
    finally:
        flooder.join()
    assert result[0][1] == 5
    # The flooding /24 is still limited afterwards (within the window).
    _, answered, _, _ = flood(host, port, seconds=0.05, src="127.0.0.200")
    assert answered == 0
    for _ in range(30):
        assert query(host, port, NAME, "A", tcp=True).answer


def test_rrl_limited_client_retries_over_tcp(start_server):
    """A real resolver's view: a truncated reply sends dig to TCP, where
    it is answered."""
    _, host, port = serve(start_server, "--rrl", "5", "--rrl-slip", "1")
    flood(host, port, seconds=0.2)
    out = subprocess.run(["dig", "-p", str(port), "@" + host, NAME, "A",
                          "+tries=1", "+time=5"],
                         capture_output=True, text=True, timeout=30).stdout
    assert "Truncated, retrying in TCP mode" in out
    assert "status: NOERROR" in out
    assert "127.0.0.1" in out.split("ANSWER SECTION")[1]


@pytest.mark.parametrize("args", [
    ["--rrl", "-1"], ["--rrl", "1000001"], ["--rrl-slip", "101"],
    ["--rrl-window", "0"], ["--rrl-exempt", "10.0.0.0/33"],
    ["--rrl-exempt", "example.test"],
])
def test_rrl_bad_arguments(args):
    assert_usage_error(["serve", "dns", "--zone", EXAMPLE_ZONE,
                        "--listen", "127.0.0.1:0"] + args)
