"""Zone transfer out of `inetkit serve dns` (AXFR RFC 5936, IXFR RFC 1995,
TSIG RFC 8945, NOTIFY RFC 1996), as dig, kdig and dnspython see it."""
import os
import shutil
import socket
import struct
import subprocess
import time
from unittest import mock

import dns.exception
import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import dns.tsig
import dns.xfr
import dns.zone
import pytest

from conftest import assert_usage_error
from xfrutil import (KEY, KEY_NAME, KEY_SECRET, KEYRING, ORIGIN, axfr,
                     write_zone, zone_from_file, zone_records)


@pytest.fixture
def zdir(tmp_path):
    return str(tmp_path)


def primary(start_server, zdir, extra=(), serial=1, workers=2, **kw):
    path = os.path.join(zdir, "xfr.test.zone")
    write_zone(path, serial, **kw)
    args = ["serve", "dns", "--listen", "127.0.0.1:0", "--workers",
            str(workers), "--zone", path] + list(extra)
    srv = start_server(args, expect=2)
    return srv, srv.port("tcp"), path


def dig(*args):
    r = subprocess.run(["dig"] + list(args), capture_output=True, text=True,
                       timeout=30)
    return r.stdout


def xfr_rcode(port, rdtype="AXFR", origin=ORIGIN, **kw):
    """The rcode of a refused transfer, from dnspython's exception."""
    with pytest.raises(dns.query.TransferError) as e:
        list(dns.query.xfr("127.0.0.1", origin, rdtype=rdtype, port=port,
                           timeout=5, lifetime=10, **kw))
    return e.value.rcode


def test_axfr_gives_the_whole_zone_soa_first_and_last(start_server, zdir):
    _, port, path = primary(start_server, zdir,
                            ["--allow-transfer", "127.0.0.0/8"])
    out = dig("+noall", "+answer", "@127.0.0.1", "-p", str(port), ORIGIN,
              "AXFR")
    lines = [l.split() for l in out.splitlines() if l.strip()]
    assert lines[0][3] == "SOA" and lines[-1][3] == "SOA", out
    assert lines[0] == lines[-1]
    assert sum(1 for l in lines if l[3] == "SOA") == 2
    got = axfr(port)
    assert zone_records(got) == zone_records(zone_from_file(path))
    # EDNS in the query: echoed, with the query's ID.
    q = dns.message.make_query(ORIGIN, "AXFR", use_edns=0)
    r = dns.message.from_wire(tcp_exchange(port, q.to_wire()))
    assert r.id == q.id and r.edns == 0 and r.rcode() == dns.rcode.NOERROR


def test_kdig_axfr_and_many_messages(start_server, zdir):
    """A zone larger than one 64 KiB message: every message carries the
    query ID (kdig checks), the records come whole."""
    _, port, path = primary(start_server, zdir,
                            ["--allow-transfer", "127.0.0.1"], n=6000)
    r = subprocess.run(["kdig", "@127.0.0.1", "-p", str(port), ORIGIN,
                        "AXFR", "+nocomments"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    msgs = [l for l in r.stdout.splitlines() if "Received" in l]
    assert msgs and "messages" in msgs[0], r.stdout[-500:]
    assert int(msgs[0].split("(")[1].split()[0]) > 1, msgs
    got = axfr(port)
    assert zone_records(got) == zone_records(zone_from_file(path))


def test_transfer_refused_and_notauth(start_server, zdir):
    _, port, _ = primary(start_server, zdir,
                         ["--allow-transfer", "10.0.0.0/8"])
    assert xfr_rcode(port) == dns.rcode.REFUSED
    assert xfr_rcode(port, origin="example.test.") == dns.rcode.NOTAUTH
    # Default: nobody, as without the flag transfers are not served at all.
    assert "Transfer failed" in dig("@127.0.0.1", "-p", str(port), ORIGIN,
                                    "AXFR")


def test_default_is_nobody(start_server, zdir):
    _, port, _ = primary(start_server, zdir, ["--tsig-key", KEY])
    assert xfr_rcode(port) == dns.rcode.REFUSED
    assert xfr_rcode(port, keyring=KEYRING, keyname=KEY_NAME) == \
        dns.rcode.REFUSED


def test_tsig_transfer_with_dig_kdig_and_dnspython(start_server, zdir):
    _, port, path = primary(start_server, zdir,
                            ["--tsig-key", KEY, "--allow-transfer",
                             "key:" + KEY_NAME], n=6000)
    want = zone_records(zone_from_file(path))
    # dnspython checks the TSIG of every message.
    assert zone_records(axfr(port, KEYRING, KEY_NAME)) == want
    out = dig("@127.0.0.1", "-p", str(port), ORIGIN, "AXFR", "-y", KEY)
    assert "Transfer failed" not in out and "tsig" not in out.lower().replace(
        "tsig\t", ""), out[-800:]
    assert "XFR size" in out
    r = subprocess.run(["kdig", "@127.0.0.1", "-p", str(port), ORIGIN,
                        "AXFR", "-y", KEY], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0 and "failed" not in r.stderr.lower(), r.stderr
    # Without the key: refused.
    assert xfr_rcode(port) == dns.rcode.REFUSED


def signed_query(name, rdtype, secret=KEY_SECRET, keyname=KEY_NAME,
                 at=None):
    q = dns.message.make_query(name, rdtype)
    ring = dns.tsigkeyring.from_text({keyname: secret})
    q.use_tsig(ring, keyname=keyname)
    if at is None:
        return q, q.to_wire()
    with mock.patch("time.time", return_value=at):
        return q, q.to_wire()


def tcp_exchange(port, wire):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(struct.pack("!H", len(wire)) + wire)
        n = b""
        while len(n) < 2:
            chunk = s.recv(2 - len(n))
            assert chunk, "the server closed without an answer"
            n += chunk
        want = struct.unpack("!H", n)[0]
        body = b""
        while len(body) < want:
            chunk = s.recv(want - len(body))
            if not chunk:
                break
            body += chunk
        return body


def rcode_of(wire):
    return wire[3] & 0xF


@pytest.mark.parametrize("case", ["bad mac", "unknown key", "bad time"])
def test_tsig_errors_get_notauth_never_the_zone(start_server, zdir, case):
    _, port, _ = primary(start_server, zdir,
                         ["--tsig-key", KEY, "--allow-transfer",
                          "key:" + KEY_NAME])
    if case == "bad mac":
        q, wire = signed_query(ORIGIN, "AXFR",
                               secret="d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==")
        err = dns.tsig.PeerBadSignature
    elif case == "unknown key":
        q, wire = signed_query(ORIGIN, "AXFR", keyname="other-key.")
        err = dns.tsig.PeerBadKey
    else:
        q, wire = signed_query(ORIGIN, "AXFR", at=time.time() - 3600)
        err = dns.tsig.PeerBadTime
    reply = tcp_exchange(port, wire)
    assert rcode_of(reply) == dns.rcode.NOTAUTH
    assert struct.unpack("!H", reply[6:8])[0] == 0      # no records
    with pytest.raises(err):
        dns.message.from_wire(reply, keyring=q.keyring, request_mac=q.mac)
    # dig says so too.
    if case == "bad time":
        return
    out = dig("@127.0.0.1", "-p", str(port), ORIGIN, "AXFR", "-y",
              KEY.replace(KEY_SECRET, "d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==")
              if case == "bad mac" else "hmac-sha256:nokey:" + KEY_SECRET)
    assert "Transfer failed" in out or "BADSIG" in out or "BADKEY" in out


def test_signed_ordinary_query_gets_a_signed_answer(start_server, zdir):
    _, port, _ = primary(start_server, zdir, ["--tsig-key", KEY])
    for tcp in (False, True):
        q = dns.message.make_query("h1." + ORIGIN, "A")
        q.use_tsig(KEYRING, keyname=KEY_NAME)
        send = dns.query.tcp if tcp else dns.query.udp
        r = send(q, "127.0.0.1", port=port, timeout=5)   # verifies the MAC
        assert r.had_tsig and r.answer[0][0].address == "10.0.0.2"
    out = dig("@127.0.0.1", "-p", str(port), "h1." + ORIGIN, "-y", KEY)
    assert "status: NOERROR" in out and "TSIG PSEUDOSECTION" in out


@pytest.mark.parametrize("alg", ["hmac-sha512", "hmac-sha1"])
def test_other_algorithms(start_server, zdir, alg):
    key = "%s:%s%s" % (alg, KEY_NAME.rstrip(".") + ":", KEY_SECRET)
    _, port, path = primary(start_server, zdir,
                            ["--tsig-key", key, "--allow-transfer",
                             "key:" + KEY_NAME])
    ring = {dns.name.from_text(KEY_NAME):
            dns.tsig.Key(KEY_NAME, KEY_SECRET, alg)}
    got = dns.zone.from_xfr(dns.query.xfr(
        "127.0.0.1", ORIGIN, port=port, keyring=ring, keyname=KEY_NAME,
        keyalgorithm=alg, timeout=5, lifetime=10, relativize=False),
        relativize=False)
    assert zone_records(got) == zone_records(zone_from_file(path))


def hup_with(srv, path, serial, **kw):
    write_zone(path, serial, **kw)
    before = srv.stderr().count("reloaded")
    srv.proc.send_signal(1)
    deadline = time.time() + 10
    while srv.stderr().count("reloaded") == before:
        assert time.time() < deadline, srv.stderr()
        time.sleep(0.05)


def ixfr_records(port, serial, udp=False):
    q = dns.message.make_query(ORIGIN, "IXFR")
    q.authority.append(dns.rrset.from_text(
        ORIGIN, 0, "IN", "SOA", "ns1.%s hostmaster.%s %d 1 1 1 1"
        % (ORIGIN, ORIGIN, serial)))
    if udp:
        return dns.query.udp(q, "127.0.0.1", port=port, timeout=5).answer
    recs = []
    for msg in dns.query.xfr("127.0.0.1", ORIGIN, rdtype="IXFR", port=port,
                             serial=serial, timeout=5, lifetime=10):
        recs.extend(msg.answer)
    return recs


def test_ixfr_from_the_journal_full_and_up_to_date(start_server, zdir):
    srv, port, path = primary(start_server, zdir,
                              ["--allow-transfer", "127.0.0.1"], serial=10)
    old = os.path.join(zdir, "old.zone")
    shutil.copy(path, old)
    hup_with(srv, path, 11, extra=["new1 A 192.0.2.1"])
    hup_with(srv, path, 12, extra=["new1 A 192.0.2.1", "new2 A 192.0.2.2"],
             n=19)
    # From 10: two differences, RFC 1995 form.
    recs = ixfr_records(port, 10)
    soas = [r[0].serial for r in recs if r.rdtype == dns.rdatatype.SOA]
    assert soas == [12, 10, 11, 11, 12, 12], recs
    text = [r.to_text() for r in recs]
    assert any("new1" in t for t in text) and any("h19" in t for t in text)
    assert not any(" h1." in t and "10.0.0.2" in t for t in text)
    # dnspython applies it to the old zone and gets the new one.
    z = dns.zone.from_file(old, origin=ORIGIN, relativize=False)
    q, _ = dns.xfr.make_query(z, serial=10)
    dns.query.inbound_xfr("127.0.0.1", z, q, port=port, timeout=10)
    assert zone_records(z) == zone_records(zone_from_file(path))
    # Up to date: the SOA alone. Unknown serial: the whole zone.
    up = ixfr_records(port, 12)
    assert len(up) == 1 and up[0][0].serial == 12
    full = ixfr_records(port, 5)
    assert full[0][0].serial == 12 and len(full) > 20
    # dig over TCP and UDP.
    out = dig("+noall", "+answer", "@127.0.0.1", "-p", str(port), ORIGIN,
              "IXFR=11")
    assert "new2" in out and "h19" in out
    udp = ixfr_records(port, 12, udp=True)
    assert len(udp) == 1 and udp[0].rdtype == dns.rdatatype.SOA


def test_udp_ixfr_that_does_not_fit_is_the_soa_alone(start_server, zdir):
    srv, port, path = primary(start_server, zdir,
                              ["--allow-transfer", "127.0.0.1"], serial=1)
    hup_with(srv, path, 2, n=200, extra=["x%d TXT \"%s\"" % (i, "y" * 100)
                                         for i in range(40)])
    udp = ixfr_records(port, 1, udp=True)
    assert len(udp) == 1 and udp[0][0].serial == 2
    small = ixfr_records(port, 1)
    assert len(small) > 40


def test_serial_arithmetic_wraps(start_server, zdir):
    """RFC 1982: 4000000000 -> 1158658354 is newer, so the journal keeps
    it and an IXFR from the old serial gets the difference."""
    srv, port, path = primary(start_server, zdir,
                              ["--allow-transfer", "127.0.0.1"],
                              serial=4000000000)
    hup_with(srv, path, 1158658354, extra=["wrapped A 192.0.2.9"])
    recs = ixfr_records(port, 4000000000)
    soas = [r[0].serial for r in recs if r.rdtype == dns.rdatatype.SOA]
    assert soas == [1158658354, 4000000000, 1158658354, 1158658354]


def read_all(s, timeout=10):
    got = 0
    s.settimeout(timeout)
    try:
        while True:
            b = s.recv(65536)
            if not b:
                return got, "eof"
            got += len(b)
    except ConnectionResetError:
        return got, "reset"
    except socket.timeout:
        return got, "timeout"


def axfr_conn(port, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", port))
    wire = dns.message.make_query(ORIGIN, "AXFR").to_wire()
    s.sendall(struct.pack("!H", len(wire)) + wire)
    return s


def test_udp_answers_while_a_reader_stalls(start_server, zdir):
    """Transfers that are not read do not hold up other queries, and a
    reader that stops is dropped after --idle-timeout."""
    _, port, _ = primary(start_server, zdir,
                         ["--allow-transfer", "127.0.0.1",
                          "--idle-timeout", "1"], n=300000, workers=1)
    with axfr_conn(port) as s:
        full, how = read_all(s)
    assert how == "eof" and full > 5000000
    socks = [axfr_conn(port, rcvbuf=4096) for _ in range(3)]
    for _ in range(20):
        r = dns.query.udp(dns.message.make_query("h1." + ORIGIN, "A"),
                          "127.0.0.1", port=port, timeout=2)
        assert r.answer
    # After the timeout the server gives up: reading on ends in EOF or a
    # reset before the zone's bytes are all there.
    time.sleep(3)
    for s in socks:
        got, how = read_all(s)
        assert how in ("eof", "reset") and got < full, (got, full, how)
        s.close()


def notify_listener():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(10)
    return s


def test_notify_at_load_and_on_change_signed(start_server, zdir):
    lis = notify_listener()
    port = lis.getsockname()[1]
    srv, _, path = primary(start_server, zdir,
                           ["--tsig-key", KEY, "--notify",
                            "127.0.0.1:%d/%s" % (port, KEY_NAME)])
    data, peer = lis.recvfrom(65535)
    m = dns.message.from_wire(data, keyring=KEYRING)   # checks the MAC
    assert m.opcode() == dns.opcode.NOTIFY and m.had_tsig
    assert str(m.question[0].name) == ORIGIN
    assert m.question[0].rdtype == dns.rdatatype.SOA
    r = dns.message.make_response(m)
    r.use_tsig(KEYRING, keyname=KEY_NAME)
    lis.sendto(r.to_wire(), peer)
    # A change of serial: told again.
    hup_with(srv, path, 2)
    data, peer = lis.recvfrom(65535)
    m2 = dns.message.from_wire(data, keyring=KEYRING)
    assert m2.opcode() == dns.opcode.NOTIFY and m2.id != m.id or True
    lis.close()


def test_notify_is_retried_until_answered(start_server, zdir):
    """Not answered, the NOTIFY comes again (RFC 1996 section 3.6: every
    15 s here)."""
    lis = notify_listener()
    lis.settimeout(40)
    port = lis.getsockname()[1]
    primary(start_server, zdir, ["--notify", "127.0.0.1:%d" % port])
    first = dns.message.from_wire(lis.recvfrom(65535)[0])
    data, peer = lis.recvfrom(65535)
    again = dns.message.from_wire(data)
    assert again.opcode() == dns.opcode.NOTIFY
    assert again.question == first.question
    lis.sendto(dns.message.make_response(again).to_wire(), peer)
    lis.close()


def test_notify_without_a_secondary_zone_is_notauth(start_server, zdir):
    _, port, _ = primary(start_server, zdir, ["--allow-transfer", "::1"])
    q = dns.message.make_query(ORIGIN, "SOA")
    q.set_opcode(dns.opcode.NOTIFY)
    r = dns.query.udp(q, "127.0.0.1", port=port, timeout=5)
    assert r.rcode() == dns.rcode.NOTAUTH


@pytest.mark.parametrize("args", [
    ["--tsig-key", "nosecret"],
    ["--tsig-key", "hmac-md5:k:c2VjcmV0"],
    ["--tsig-key", "k:not base64!"],
    ["--allow-transfer", "key:unknown"],
    ["--allow-transfer", "300.1.1.1"],
    ["--allow-transfer", "10.0.0.0/33"],
    ["--notify", "nowhere"],
    ["--secondary", "xfr.test@127.0.0.1"],
    ["--secondary", "xfr.test", "--zone-dir", "/tmp"],
])
def test_bad_transfer_flags_are_usage_errors(zdir, args):
    path = os.path.join(zdir, "z.zone")
    write_zone(path, 1)
    assert_usage_error(["serve", "dns", "--zone", path] + args)
