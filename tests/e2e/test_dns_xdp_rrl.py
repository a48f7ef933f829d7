"""Response rate limiting of the answers sent through `serve dns --xdp`:
the flood of test_dns_rrl.py (one question for one second from one
source), sent from the client namespace of test_dns_xdp.py's veth pair to
the port answered over AF_XDP, must be limited as the socket path limits
it (the same counts of answered, truncated and dropped replies, within
the same tolerance), while the kernel's UDP counters show that the
socket path took no part; an exempt source is not limited, TCP never."""
import dns.flags
import dns.message
import dns.query
import pytest

from test_dns_rrl import NAME, assert_unlimited, flood
from test_dns_xdp import V4C, V4S, V6C, V6S, XDP_PORT, XdpServer, net  # noqa: F401


@pytest.fixture
def xdp_rrl(net):  # noqa: F811
    """Starts a server with the given extra arguments; stops it after the
    test and checks that it ended cleanly."""
    started = []

    def start(*extra):
        s = XdpServer(net, extra=extra)
        started.append(s)
        return s

    yield start
    for s in started:
        rc = s.stop()
        err = s.stderr()
        assert "Sanitizer" not in err and "runtime error" not in err, err
        assert rc == 0, err


def xdp_flood(net, addr, src, seconds=1.0):  # noqa: F811
    """test_dns_rrl's flood from the client namespace to the XDP port;
    asserts that the kernel's UDP layer on the server's side saw none of
    it (the replies came from the XDP worker)."""
    before = net.udp_counters()
    with net.inside():
        counts = flood(addr, XDP_PORT, seconds=seconds, src=src)
    after = net.udp_counters()
    assert after[0] - before[0] < 10, (before, after)
    assert counts[0] > 100
    return counts


def test_xdp_rrl_off_answers_everything(net, xdp_rrl):  # noqa: F811
    xdp_rrl()
    assert_unlimited(*xdp_flood(net, V4S, V4C))


def test_xdp_rrl_slip_1_truncates_every_limited_reply(net, xdp_rrl):  # noqa: F811
    xdp_rrl("--rrl", "5", "--rrl-slip", "1")
    sent, answered, truncated, dropped = xdp_flood(net, V4S, V4C)
    assert answered == 5
    assert truncated >= sent - 5 - sent // 10


def test_xdp_rrl_slip_0_drops_every_limited_reply(net, xdp_rrl):  # noqa: F811
    xdp_rrl("--rrl", "5", "--rrl-slip", "0")
    sent, answered, truncated, dropped = xdp_flood(net, V4S, V4C)
    assert (answered, truncated, dropped) == (5, 0, sent - 5)


def test_xdp_rrl_slip_2_truncates_every_other_and_says_so_once(
        net, xdp_rrl):  # noqa: F811
    srv = xdp_rrl("--rrl", "5")
    sent, answered, truncated, dropped = xdp_flood(net, V4S, V4C)
    assert answered == 5
    assert truncated + dropped == sent - 5
    assert abs(truncated - (sent - 5) / 2) <= 1 + sent // 10
    srv.stop()
    assert srv.stderr().count("rate limiting UDP responses") == 1


def test_xdp_rrl_ipv6(net, xdp_rrl):  # noqa: F811
    xdp_rrl("--rrl", "5", "--rrl-slip", "0")
    sent, answered, truncated, dropped = xdp_flood(net, V6S, V6C)
    assert (answered, truncated) == (5, 0)


def test_xdp_rrl_exempt_source_is_not_limited(net, xdp_rrl):  # noqa: F811
    xdp_rrl("--rrl", "5", "--rrl-slip", "0",
            "--rrl-exempt", "198.18.0.0/24")
    assert_unlimited(*xdp_flood(net, V4S, V4C))
    # The IPv6 address of the same client is outside the exempt prefix.
    _, answered, _, _ = xdp_flood(net, V6S, V6C)
    assert answered == 5


def test_xdp_rrl_shares_the_table_and_spares_tcp(net, xdp_rrl):  # noqa: F811
    """One table for both paths: a source limited through XDP is limited
    on the socket port too (same client network, same question); TCP
    still answers it."""
    xdp_rrl("--rrl", "5", "--rrl-slip", "0")
    xdp_flood(net, V4S, V4C, seconds=0.5)
    with net.inside():
        _, answered, _, _ = flood(V4S, 5300, seconds=0.1, src=V4C)
        assert answered == 0
        q = dns.message.make_query(NAME, "A")
        for _ in range(5):
            r = dns.query.tcp(q, V4S, port=XDP_PORT, timeout=5)
            assert r.answer and not r.flags & dns.flags.TC
