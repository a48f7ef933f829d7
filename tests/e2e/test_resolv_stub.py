"""The stub resolver, through the commands that use it (`inetkit echo NAME`
and `inetkit get`): against `inetkit serve dns` with a zone written here,
and against a misbehaving name server written with dnspython (silence,
truncation, SERVFAIL, wrong IDs, wrong questions, replies from another
address). No test asks the system's name servers: every run names its
servers with --dns or points INETKIT_RESOLV_CONF at a file of its own."""
import os

import pytest

from conftest import run
from clientutil import FakeDNS

ZONE = """$ORIGIN site.test.
$TTL 300
@       IN SOA ns admin 1 3600 600 86400 60
@       IN NS ns
ns      IN A 127.0.0.1
www     IN A 127.0.0.1
alias   IN CNAME www
alias2  IN CNAME alias
away    IN CNAME www.other.test.
v6      IN AAAA ::1
two     IN A 127.0.0.2
two     IN A 127.0.0.1
mailonly IN MX 10 www
"""
OTHER = """$ORIGIN other.test.
$TTL 300
@       IN SOA ns admin 1 3600 600 86400 60
@       IN NS ns
www     IN A 127.0.0.1
"""


@pytest.fixture
def echo(start_server):
    srv = start_server(["serve", "echo", "--listen", "127.0.0.1:0", "--tcp"])
    return srv.port("tcp")


@pytest.fixture
def zone_dns(start_server, tmp_path):
    z1 = tmp_path / "site.test.zone"
    z1.write_text(ZONE)
    z2 = tmp_path / "other.test.zone"
    z2.write_text(OTHER)
    srv = start_server(["serve", "dns", "--listen", "127.0.0.1:0",
                        "--workers", "1", "--zone", str(z1), "--zone",
                        str(z2)], expect=2)
    return "127.0.0.1:%d" % srv.port("udp")


@pytest.fixture
def fake():
    servers = []

    def make(records=None, mode=None):
        f = FakeDNS(records, mode)
        servers.append(f)
        return f
    yield make
    for f in servers:
        f.stop()


@pytest.fixture
def no_system_dns(tmp_path, monkeypatch):
    """A resolv.conf naming a loopback port where nobody listens, and an
    empty hosts file, for runs that give no --dns."""
    rc = tmp_path / "resolv.conf"
    rc.write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    hosts = tmp_path / "hosts"
    hosts.write_text("")
    monkeypatch.setenv("INETKIT_RESOLV_CONF", str(rc))
    monkeypatch.setenv("INETKIT_HOSTS", str(hosts))
    return hosts


def echo_via(name, port, *dns_args, env=None):
    return run(["echo", "%s:%d" % (name, port), "hello"] + list(dns_args),
               env=env)


def assert_echoed(r):
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"hello\n"
    assert b"Sanitizer" not in r.stderr


def assert_failed(r, words):
    assert r.returncode == 1, r
    assert words.encode() in r.stderr, r.stderr
    assert b"Sanitizer" not in r.stderr


# Against inetkit's own name server.

@pytest.mark.parametrize("name", ["www.site.test", "WWW.Site.Test.",
                                  "alias.site.test", "alias2.site.test",
                                  "away.site.test", "two.site.test"])
def test_names_from_inetkit_dns(zone_dns, echo, no_system_dns, name):
    assert_echoed(echo_via(name, echo, "--dns", zone_dns))


@pytest.mark.parametrize("name,why", [
    ("nosuch.site.test", "no such host"),
    ("mailonly.site.test", "no such host"),
    ("v6.site.test", "refused"),
])
def test_failures_from_inetkit_dns(zone_dns, echo, no_system_dns, name, why):
    r = echo_via(name, echo, "--dns", zone_dns)
    assert_failed(r, why if why != "refused" else "onnection refused")


def test_get_through_inetkit_dns(zone_dns, start_server, no_system_dns):
    site = start_server(["serve", "http", "--root",
                         os.path.join(os.path.dirname(__file__), "zones"),
                         "--listen", "127.0.0.1:0", "--workers", "1"])
    r = run(["get", "http://alias2.site.test:%d/other.test.zone"
             % site.port(), "--dns", zone_dns])
    assert r.returncode == 0, r.stderr
    assert b"$ORIGIN other.test." in r.stdout


def test_hosts_file_before_dns(echo, no_system_dns):
    no_system_dns.write_text("# test hosts\n127.0.0.1 myhost.test myhost\n")
    assert_echoed(echo_via("myhost.test", echo))
    assert_echoed(echo_via("MYHOST", echo))
    # Not in the hosts file, and the resolv.conf server is not there.
    r = echo_via("other.test", echo)
    assert_failed(r, "cannot resolve 'other.test'")


def test_resolve_pin_beats_dns(echo, fake):
    f = fake({"pinned.test.": [("A", 300, "127.0.0.9")]})
    assert_echoed(echo_via("pinned.test", echo, "--dns", f.addr,
                           "--resolve", "pinned.test:127.0.0.1"))
    assert f.asked == []


def test_numeric_address_asks_nobody(echo, fake):
    f = fake()
    assert_echoed(echo_via("127.0.0.1", echo, "--dns", f.addr))
    assert f.asked == []


# Against a name server that misbehaves.

GOOD = {"www.fake.test.": [("A", 300, "127.0.0.1")]}


def test_asks_a_and_aaaa_over_udp(echo, fake):
    f = fake(GOOD)
    assert_echoed(echo_via("www.fake.test", echo, "--dns", f.addr))
    assert f.count("udp", "A") == 1 and f.count("udp", "AAAA") == 1
    assert f.count("tcp") == 0


def test_silent_server_then_next(echo, fake):
    silent = fake(GOOD, lambda proto, q: "drop")
    good = fake(GOOD)
    r = echo_via("www.fake.test", echo, "--dns", silent.addr, "--dns",
                 good.addr, "--dns-timeout", "0.3")
    assert_echoed(r)
    assert silent.count("udp", "A") >= 1 and good.count("udp", "A") == 1


def test_silent_servers_retry_then_fail(echo, fake):
    silent = fake(GOOD, lambda proto, q: "drop")
    r = echo_via("www.fake.test", echo, "--dns", silent.addr,
                 "--dns-timeout", "0.2")
    assert_failed(r, "no answer from the name servers")
    # Two attempts (the default), each with a fresh query.
    assert silent.count("udp", "A") == 2


def test_truncated_reply_goes_tcp(echo, fake):
    def mode(proto, q):
        if proto == "udp":
            r = dns.message.make_response(q)
            r.flags |= dns.flags.TC
            r.answer.append(dns.rrset.from_text(
                q.question[0].name, 300, "IN", "A", "127.0.0.9"))
            return r
        return None
    import dns.flags
    import dns.message
    import dns.rrset
    f = fake(GOOD, mode)
    assert_echoed(echo_via("www.fake.test", echo, "--dns", f.addr))
    assert f.count("tcp", "A") == 1 and f.count("udp", "A") == 1


def test_servfail_then_next_server(echo, fake):
    import dns.message
    import dns.rcode

    def servfail(proto, q):
        r = dns.message.make_response(q)
        r.set_rcode(dns.rcode.SERVFAIL)
        return r
    bad = fake(GOOD, servfail)
    good = fake(GOOD)
    assert_echoed(echo_via("www.fake.test", echo, "--dns", bad.addr,
                           "--dns", good.addr))
    assert bad.count("udp", "A") == 1 and good.count("udp", "A") == 1


def test_servfail_everywhere_fails(echo, fake):
    import dns.message
    import dns.rcode

    def refused(proto, q):
        r = dns.message.make_response(q)
        r.set_rcode(dns.rcode.REFUSED)
        return r
    bad = fake(GOOD, refused)
    r = echo_via("www.fake.test", echo, "--dns", bad.addr)
    assert_failed(r, "the name servers failed")


def wrong_first(tamper, other_socket=False):
    """A reply spoiled by tamper (to a dead address) first, then the good
    one: the resolver must skip the first."""
    import dns.message
    import dns.rrset

    def mode(proto, q):
        bad = dns.message.make_response(q)
        bad.answer.append(dns.rrset.from_text(
            q.question[0].name, 300, "IN", "A", "127.0.0.9"))
        return [(tamper(bad), other_socket), (None, False)]
    return mode


def resolved_good(f, q):
    return f.answer(q)


def fake_with(fake, mode):
    f = fake(GOOD)

    def wrapped(proto, q):
        out = mode(proto, q)
        if isinstance(out, list):
            return [(m if m is not None else f.answer(q), o) for m, o in out]
        return out
    f.mode = wrapped
    return f


def test_wrong_id_is_ignored(echo, fake):
    def tamper(m):
        m.id ^= 0x5a5a
        return m
    f = fake_with(fake, wrong_first(tamper))
    assert_echoed(echo_via("www.fake.test", echo, "--dns", f.addr))


def test_wrong_question_is_ignored(echo, fake):
    import dns.message
    import dns.name
    import dns.rrset

    def tamper(m):
        w = dns.message.make_query("evil.test", "A")
        w.id = m.id
        r = dns.message.make_response(w)
        r.answer.append(dns.rrset.from_text("evil.test.", 300, "IN", "A",
                                            "127.0.0.9"))
        return r
    f = fake_with(fake, wrong_first(tamper))
    assert_echoed(echo_via("www.fake.test", echo, "--dns", f.addr))


def test_not_a_reply_is_ignored(echo, fake):
    def tamper(m):
        w = m.to_wire()
        return w[:2] + bytes([w[2] & 0x7f]) + w[3:]   # QR cleared
    f = fake_with(fake, wrong_first(tamper))
    assert_echoed(echo_via("www.fake.test", echo, "--dns", f.addr))


def test_garbage_is_ignored(echo, fake):
    f = fake_with(fake, wrong_first(lambda m: m.to_wire()[:7]))
    assert_echoed(echo_via("www.fake.test", echo, "--dns", f.addr))


def test_reply_from_another_address_is_ignored(echo, fake):
    f = fake_with(fake, wrong_first(lambda m: m, other_socket=True))
    assert_echoed(echo_via("www.fake.test", echo, "--dns", f.addr))


def test_cname_chain_across_servers_replies(echo, fake):
    f = fake({"www.fake.test.": [("CNAME", 300, "b.fake.test.")],
              "b.fake.test.": [("CNAME", 300, "c.fake.test.")],
              "c.fake.test.": [("A", 300, "127.0.0.1")]},
             mode=None)
    # This server does not chase: each reply holds one link only.
    import dns.message
    import dns.rrset

    def one_link(proto, q):
        name = q.question[0].name.to_text().lower()
        recs = f.records.get(name, [])
        r = dns.message.make_response(q)
        for t, ttl, text in recs:
            if t == "CNAME" or t == dns.rdatatype.to_text(q.question[0].rdtype):
                r.answer.append(dns.rrset.from_text(name, ttl, "IN", t, text))
        return r
    import dns.rdatatype
    f.mode = one_link
    assert_echoed(echo_via("www.fake.test", echo, "--dns", f.addr))
    names = {n for p, n, t in f.asked if t == "A"}
    assert names == {"www.fake.test.", "b.fake.test.", "c.fake.test."}


def test_cname_loop_fails(echo, fake):
    f = fake({"www.fake.test.": [("CNAME", 300, "b.fake.test.")],
              "b.fake.test.": [("CNAME", 300, "www.fake.test.")]})
    r = echo_via("www.fake.test", echo, "--dns", f.addr)
    assert r.returncode == 1


def test_nxdomain_is_final(echo, fake):
    f1 = fake({})
    f2 = fake(GOOD)
    r = echo_via("www.fake.test", echo, "--dns", f1.addr, "--dns", f2.addr)
    assert_failed(r, "no such host")
    assert f2.asked == []


# The cache, seen through a redirect that names the same host again.

def redirect_site(start_server, tmp_path):
    root = tmp_path / "site"
    (root / "dir").mkdir(parents=True)
    (root / "dir" / "index.html").write_text("in the dir\n")
    srv = start_server(["serve", "http", "--root", str(root), "--listen",
                        "127.0.0.1:0", "--workers", "1"])
    return srv.port()


@pytest.mark.parametrize("ttl,lookups", [(300, 1), (0, 2)])
def test_cache_honours_ttl(start_server, tmp_path, fake, ttl, lookups):
    port = redirect_site(start_server, tmp_path)
    f = fake({"www.fake.test.": [("A", ttl, "127.0.0.1")]})
    # /dir answers 301 to /dir/ on the same host: a second lookup.
    r = run(["get", "-L", "http://www.fake.test:%d/dir" % port, "--dns",
             f.addr])
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"in the dir\n"
    assert f.count("udp", "A") == lookups


def test_negative_answer_cached(start_server, tmp_path, fake):
    import dns.message
    import dns.rrset
    port = redirect_site(start_server, tmp_path)
    f = fake({"www.fake.test.": [("A", 300, "127.0.0.1")]})

    def with_soa(proto, q):
        r = f.answer(q)
        if not r.answer:
            r.authority.append(dns.rrset.from_text(
                "fake.test.", 60, "IN", "SOA",
                "ns.fake.test. admin.fake.test. 1 2 3 4 60"))
        return r
    f.mode = with_soa
    r = run(["get", "-L", "http://www.fake.test:%d/dir" % port, "--dns",
             f.addr])
    assert r.returncode == 0, r.stderr
    assert f.count("udp", "AAAA") == 1    # NODATA, cached for 60 s


def test_name_server_over_ipv6(start_server, tmp_path, echo, no_system_dns):
    z = tmp_path / "site.test.zone"
    z.write_text(ZONE)
    srv = start_server(["serve", "dns", "--listen", "[::1]:0", "--workers",
                        "1", "--zone", str(z)], expect=2)
    assert_echoed(echo_via("alias.site.test", echo, "--dns",
                           "[::1]:%d" % srv.port("udp")))


def test_both_families_fall_over_to_ipv4(start_server, tmp_path,
                                        no_system_dns):
    """A name with an AAAA and an A record, a web server on IPv4 only: the
    IPv6 address (tried first) is refused, the IPv4 one answers."""
    z = tmp_path / "site.test.zone"
    z.write_text(ZONE + "both IN AAAA ::1\nboth IN A 127.0.0.1\n")
    dns = start_server(["serve", "dns", "--listen", "127.0.0.1:0",
                        "--workers", "1", "--zone", str(z)], expect=2)
    root = tmp_path / "root"
    root.mkdir()
    (root / "index.html").write_text("v4 only\n")
    web = start_server(["serve", "http", "--root", str(root), "--listen",
                        "127.0.0.1:0", "--workers", "1"])
    r = run(["get", "http://both.site.test:%d/" % web.port(), "--dns",
             "127.0.0.1:%d" % dns.port("udp")])
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"v4 only\n"


def test_server_deaf_to_aaaa(echo, fake):
    """A server that never answers AAAA: once the A answer is in, the
    lookup does not wait for the AAAA timeouts and retries (with a 30 s
    timeout, waiting would outlast the run's own limit)."""
    f = fake(GOOD, lambda proto, q: "drop" if q.question[0].rdtype == 28
             else None)
    assert_echoed(echo_via("www.fake.test", echo, "--dns", f.addr,
                           "--dns-timeout", "30"))
    assert f.count("udp", "AAAA") == 1


def test_formerr_to_edns_asks_again_without(echo, fake):
    import dns.message
    import dns.rcode

    def no_edns(proto, q):
        if q.edns >= 0:
            r = dns.message.make_response(q)
            r.use_edns(False)
            r.set_rcode(dns.rcode.FORMERR)
            return r
        return None
    f = fake(GOOD, no_edns)
    assert_echoed(echo_via("www.fake.test", echo, "--dns", f.addr))
    assert f.count("udp", "A") == 2


def test_truncated_and_tcp_broken_then_next_server(echo, fake):
    import dns.flags
    import dns.message

    def tc_only(proto, q):
        if proto == "tcp":
            return "drop"
        r = dns.message.make_response(q)
        r.flags |= dns.flags.TC
        return r
    bad = fake(GOOD, tc_only)
    good = fake(GOOD)
    assert_echoed(echo_via("www.fake.test", echo, "--dns", bad.addr,
                           "--dns", good.addr))
    assert bad.count("tcp", "A") == 1 and good.count("udp", "A") == 1
