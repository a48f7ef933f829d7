"""A bad zone file (or hosts file) stops `serve dns` before it listens:
`file:line: message` on stderr, exit 2, nothing served."""
import os

import pytest

from conftest import assert_usage_error, run

GOOD_HEAD = "$ORIGIN example.test.\n$TTL 60\n@ SOA ns1 admin 1 2 3 4 5\n"


@pytest.mark.parametrize("body,line,message", [
    ("www A 300.1.1.1\n", 4, "A rdata: bad IPv4 address"),
    ("www BOGUS x\n", 4, "unknown type BOGUS"),
    ("www CNAME a\nwww A 127.0.0.1\n", 5, "CNAME and other data at www.example.test."),
    ("www CNAME a\nwww CNAME b\n", 5, "more than one CNAME at www.example.test."),
    ("www.example.com. A 127.0.0.1\n", 4, "www.example.com. is out of zone example.test."),
    ("@ SOA ns1 admin 2 2 3 4 5\n", 4, "a second SOA record"),
    ("txt TXT \"open\n", 4, "unterminated quoted string"),
    ("a ( A\n 127.0.0.1\n", 4, "unclosed parenthesis"),
    ("$INCLUDE missing.inc\n", 4, "cannot read {dir}/missing.inc: No such file or directory"),
    ("www A \\# 3 0a0b0c\n", 4, "an A record needs 4 bytes of data"),
    ("www TYPE28 \\# 4 0a0b0c0d\n", 4, "an AAAA record needs 16 bytes of data"),
])
def test_dns_bad_zone_file_exits_2_with_file_and_line(tmp_path, body, line, message):
    zone = tmp_path / "bad.zone"
    zone.write_text(GOOD_HEAD + body)
    r = run(["serve", "dns", "--zone", str(zone), "--listen", "127.0.0.1:0"])
    assert r.returncode == 2, r
    assert r.stdout == b""   # no listening line: nothing served
    want = "%s:%d: %s" % (zone, line, message.format(dir=tmp_path))
    assert r.stderr.decode().strip() == want


def test_dns_zone_must_start_with_soa(tmp_path):
    zone = tmp_path / "nosoa.zone"
    zone.write_text("$ORIGIN example.test.\nwww A 127.0.0.1\n")
    r = run(["serve", "dns", "--zone", str(zone), "--listen", "127.0.0.1:0"])
    assert r.returncode == 2
    assert r.stderr.decode().strip() == "%s:2: the first record must be the zone's SOA" % zone


def test_dns_error_inside_an_included_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "part.inc").write_text("ok A 127.0.0.1\n\nbad MX x y\n")
    zone = tmp_path / "main.zone"
    zone.write_text(GOOD_HEAD + "$INCLUDE sub/part.inc\n")
    r = run(["serve", "dns", "--zone", str(zone), "--listen", "127.0.0.1:0"])
    assert r.returncode == 2
    assert r.stderr.decode().strip() == "%s:3: MX rdata: bad number" % (
        tmp_path / "sub" / "part.inc")


def test_dns_missing_zone_file(tmp_path):
    r = run(["serve", "dns", "--zone", str(tmp_path / "nope.zone"),
             "--listen", "127.0.0.1:0"])
    assert r.returncode == 2
    assert b"nope.zone: No such file or directory" in r.stderr


def test_dns_same_zone_twice(tmp_path):
    zone = tmp_path / "a.zone"
    zone.write_text(GOOD_HEAD)
    r = run(["serve", "dns", "--zone", str(zone), "--zone", str(zone),
             "--listen", "127.0.0.1:0"])
    assert r.returncode == 2
    assert r.stderr.decode().strip() == "%s:3: zone example.test. is loaded twice" % zone


def test_dns_bad_hosts_file(tmp_path):
    zone = tmp_path / "a.zone"
    zone.write_text(GOOD_HEAD)
    hosts = tmp_path / "hosts"
    hosts.write_text("# comment\n127.0.0.1 localhost\n300.0.0.1 www.example.test\n")
    r = run(["serve", "dns", "--zone", str(zone), "--hosts", str(hosts),
             "--listen", "127.0.0.1:0"])
    assert r.returncode == 2
    assert r.stderr.decode().strip() == "%s:3: bad address" % hosts


def test_dns_usage_errors():
    assert_usage_error(["serve", "dns"])
    assert_usage_error(["serve", "dns", "--zone"])
    assert_usage_error(["serve", "dns", "--zone", "x", "--workers", "0"])
    assert_usage_error(["serve", "dns", "--zone", "x", "--listen", "nope"])
    assert_usage_error(["serve", "dns", "--zone", "x", "--bogus"])
    assert_usage_error(["lookup"])
    assert_usage_error(["lookup", "a.test", "@not-an-address"])
    assert_usage_error(["lookup", "a.test", "A", "extra"])


def test_dns_rrset_too_large_to_send(tmp_path):
    zone = tmp_path / "huge.zone"
    with open(zone, "w") as f:
        f.write("$ORIGIN h.test.\n@ 60 SOA a b 1 2 3 4 5\n")
        for i in range(65536):
            f.write("x 60 A 10.%d.%d.%d\n" % (i >> 16, (i >> 8) & 255, i & 255))
    r = run(["serve", "dns", "--zone", str(zone), "--listen", "127.0.0.1:0"])
    assert r.returncode == 2 and r.stdout == b""
    assert r.stderr.decode().strip() == \
        "%s: zone h.test.: an RRset of more than 65535 records" % zone
