"""The name server's answers, case by case, asked with dnspython, dig and
kdig over UDP and TCP: authority, negative answers with the SOA (RFC
2308), CNAME chains, wildcards (RFC 4592), empty non-terminals,
referrals, additional data, case, REFUSED, FORMERR, NOTIMP, minimal ANY
(RFC 8482), EDNS0 (RFC 6891) and truncation."""
import shutil
import subprocess

import dns.edns
import dns.flags
import dns.message
import dns.opcode
import dns.query
import dns.rcode
import pytest

from dnsutil import (has_flag, query, raw_udp, rcode_name, section_text,
                     serve_dns)


@pytest.fixture
def ns(start_server):
    _, host, port = serve_dns(start_server)
    return host, port


@pytest.mark.parametrize("tcp", [False, True])
def test_dns_positive_answer_is_authoritative(ns, tcp):
    r = query(*ns, "www.example.test", "A", tcp=tcp)
    assert rcode_name(r) == "NOERROR"
    assert has_flag(r, "AA") and not has_flag(r, "RA")
    assert section_text(r.answer) == ["www.example.test. 3600 in a 127.0.0.1"]
    assert "example.test. 3600 in ns ns1.example.test." in section_text(r.authority)


@pytest.mark.parametrize("tcp", [False, True])
def test_dns_nxdomain_has_soa_with_negative_ttl(ns, tcp):
    r = query(*ns, "nonexistent.example.test", "A", tcp=tcp)
    assert rcode_name(r) == "NXDOMAIN" and has_flag(r, "AA")
    assert r.answer == []
    # RFC 2308 section 3: min(SOA TTL 3600, MINIMUM 300).
    assert section_text(r.authority) == [
        "example.test. 300 in soa ns1.example.test. hostmaster.example.test. "
        "2026112101 7200 3600 1209600 300"]


def test_dns_nodata_has_soa(ns):
    r = query(*ns, "www.example.test", "MX")
    assert rcode_name(r) == "NOERROR" and has_flag(r, "AA")
    assert r.answer == []
    assert [rr.split()[3] for rr in section_text(r.authority)] == ["soa"]


def test_dns_cname_chain_is_followed(ns):
    r = query(*ns, "alias.example.test", "A")
    assert section_text(r.answer) == [
        "alias.example.test. 3600 in cname web.example.test.",
        "web.example.test. 3600 in cname www.example.test.",
        "www.example.test. 3600 in a 127.0.0.1"]


def test_dns_cname_leaving_our_zones_stops(ns):
    r = query(*ns, "elsewhere.example.test", "A")
    assert rcode_name(r) == "NOERROR"
    assert section_text(r.answer) == [
        "elsewhere.example.test. 3600 in cname www.example.net."]


def test_dns_dangling_cname_is_nxdomain_rfc6604(ns):
    r = query(*ns, "dangling.example.test", "A")
    assert rcode_name(r) == "NXDOMAIN" and has_flag(r, "AA")
    assert section_text(r.answer) == [
        "dangling.example.test. 3600 in cname nothere.example.test."]
    assert [rr.split()[3] for rr in section_text(r.authority)] == ["soa"]


def test_dns_cname_loop_ends(ns):
    r = query(*ns, "loop1.example.test", "A")
    assert rcode_name(r) == "NOERROR"
    assert len(r.answer) == 2


def test_dns_cname_across_our_zones(ns):
    r = query(*ns, "into.other.test", "A")
    assert section_text(r.answer) == [
        "into.other.test. 600 in cname www.example.test.",
        "www.example.test. 3600 in a 127.0.0.1"]


def test_dns_wildcard_synthesises_the_asked_name(ns):
    r = query(*ns, "anything.wild.example.test", "TXT")
    assert section_text(r.answer) == [
        'anything.wild.example.test. 3600 in txt "synthesised from a wildcard"']
    r = query(*ns, "deep.er.wild.example.test", "A")
    assert section_text(r.answer) == ["deep.er.wild.example.test. 3600 in a 127.0.0.3"]
    r = query(*ns, "x.wild.example.test", "MX")
    assert rcode_name(r) == "NOERROR" and r.answer == []


def test_dns_wildcard_cname(ns):
    r = query(*ns, "y.cwild.example.test", "A")
    assert section_text(r.answer) == [
        "www.example.test. 3600 in a 127.0.0.1",
        "y.cwild.example.test. 3600 in cname www.example.test."]


def test_dns_empty_non_terminal_is_nodata_not_nxdomain(ns):
    for name in ("ent.example.test", "b.ent.example.test", "wild.example.test"):
        r = query(*ns, name, "A")
        assert rcode_name(r) == "NOERROR", name
        assert r.answer == []
    assert rcode_name(query(*ns, "c.b.ent.example.test", "A")) == "NXDOMAIN"


def test_dns_delegation_is_a_referral_with_glue(ns):
    r = query(*ns, "host.deep.sub.example.test", "A")
    assert rcode_name(r) == "NOERROR"
    assert not has_flag(r, "AA")
    assert r.answer == []
    assert section_text(r.authority) == [
        "sub.example.test. 3600 in ns ns.elsewhere.example.net.",
        "sub.example.test. 3600 in ns ns.sub.example.test."]
    assert section_text(r.additional) == ["ns.sub.example.test. 3600 in a 127.0.0.5"]


def test_dns_additional_for_mx_srv_ns(ns):
    r = query(*ns, "example.test", "MX")
    assert "mail.example.test. 3600 in a 127.0.0.1" in section_text(r.additional)
    r = query(*ns, "_http._tcp.example.test", "SRV")
    extra = section_text(r.additional)
    assert "www.example.test. 3600 in a 127.0.0.1" in extra
    assert "www.example.test. 3600 in aaaa ::1" in extra
    r = query(*ns, "example.test", "NS")
    assert "ns2.example.test. 3600 in aaaa ::1" in section_text(r.additional)


def test_dns_case_insensitive_and_question_echoed_as_asked(ns):
    r = query(*ns, "WwW.ExAmPlE.TeSt", "A")
    assert r.question[0].name.to_text() == "WwW.ExAmPlE.TeSt."
    assert section_text(r.answer) == ["www.example.test. 3600 in a 127.0.0.1"]


def test_dns_types_and_unknown_type(ns):
    r = query(*ns, "txt.example.test", "TXT")
    assert len(r.answer[0]) == 2
    r = query(*ns, "example.test", "CAA")
    assert section_text(r.answer) == ['example.test. 3600 in caa 0 issue "ca.example.net"']
    r = query(*ns, "private.example.test", "TYPE65534")
    assert section_text(r.answer) == ["private.example.test. 3600 in type65534 \\# 3 abcdef"]


def test_dns_outside_our_zones_is_refused(ns):
    r = query(*ns, "www.example.com", "A")
    assert rcode_name(r) == "REFUSED"
    assert not has_flag(r, "AA")


def test_dns_recursion_is_never_offered(ns):
    r = query(*ns, "www.example.test", "A", flags=dns.flags.RD)
    assert has_flag(r, "RD") and not has_flag(r, "RA")


def test_dns_qdcount_two_is_formerr(ns):
    q = dns.message.make_query("www.example.test", "A", use_edns=False).to_wire()
    question = q[12:]
    wire = q[:4] + b"\x00\x02" + q[6:] + question
    r = dns.message.from_wire(raw_udp(*ns, wire))
    assert rcode_name(r) == "FORMERR"
    wire = q[:4] + b"\x00\x00" + q[6:12]
    r = dns.message.from_wire(raw_udp(*ns, wire))
    assert rcode_name(r) == "FORMERR"


def test_dns_unknown_opcode_is_notimp(ns):
    q = dns.message.make_query("www.example.test", "A", use_edns=False)
    for opcode in (dns.opcode.UPDATE, dns.opcode.NOTIFY, 3, 15):
        q.set_opcode(opcode)
        wire = q.to_wire()
        r = raw_udp(*ns, wire)
        # Read the header by hand: dnspython insists on UPDATE's shape.
        assert r[:2] == wire[:2]
        assert r[2] & 0x80 and (r[2] >> 3) & 15 == opcode
        assert r[3] & 15 == dns.rcode.NOTIMP


def test_dns_any_is_minimal(ns):
    r = query(*ns, "example.test", "ANY")
    assert rcode_name(r) == "NOERROR" and has_flag(r, "AA")
    assert len(r.answer) == 1   # one RRset of the nine held there


def test_dns_edns_opt_in_reply_and_badvers(ns):
    r = query(*ns, "www.example.test", "A", edns=0, payload=4096)
    assert r.edns == 0 and r.payload == 1232
    wire = bytearray(dns.message.make_query("www.example.test", "A",
                                            use_edns=0).to_wire())
    assert wire[-11:-8] == b"\x00\x00\x29"  # the OPT record ends the query
    wire[-5] = 1                            # EDNS version 1
    r = dns.message.from_wire(raw_udp(*ns, bytes(wire)))
    assert r.rcode() == dns.rcode.BADVERS
    assert r.edns == 0 and r.answer == []


def test_dns_without_edns_512_and_truncation_then_tcp(ns):
    r = query(*ns, "big.example.test", "TXT", edns=-1)
    assert has_flag(r, "TC") and r.answer == []
    assert r.edns == -1
    r = query(*ns, "big.example.test", "TXT", edns=0, payload=1232)
    assert not has_flag(r, "TC") and len(r.answer[0]) == 4
    r = query(*ns, "big.example.test", "TXT", edns=-1, tcp=True)
    assert not has_flag(r, "TC") and len(r.answer[0]) == 4


def test_dns_edns_small_payload_is_raised_to_512(ns):
    r = query(*ns, "example.test", "MX", edns=0, payload=100)
    assert not has_flag(r, "TC") and len(r.answer[0]) == 2


def test_dns_several_queries_on_one_tcp_connection(ns):
    import socket
    import struct
    with socket.create_connection(ns, timeout=5) as s:
        names = ["www.example.test", "mail.example.test", "ns1.example.test"]
        wire = b""
        for i, n in enumerate(names):
            q = dns.message.make_query(n, "A")
            q.id = 100 + i
            m = q.to_wire()
            wire += struct.pack("!H", len(m)) + m
        s.sendall(wire)   # pipelined: three queries in one write
        got = []
        for _ in names:
            ln = struct.unpack("!H", recv_exact(s, 2))[0]
            got.append(dns.message.from_wire(recv_exact(s, ln)))
    assert [m.id for m in got] == [100, 101, 102]
    assert all(rcode_name(m) == "NOERROR" and m.answer for m in got)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        assert chunk, "connection closed"
        buf += chunk
    return buf


@pytest.mark.skipif(shutil.which("dig") is None, reason="dig missing")
@pytest.mark.parametrize("tcp", [False, True])
def test_dns_dig_sees_the_answer(ns, tcp):
    host, port = ns
    args = ["dig", "+norec", "@" + host, "-p", str(port), "alias.example.test", "A"]
    if tcp:
        args.insert(1, "+tcp")
    out = subprocess.run(args, capture_output=True, text=True, timeout=20).stdout
    assert "status: NOERROR" in out and "flags: qr aa;" in out
    assert "www.example.test.\t3600\tIN\tA\t127.0.0.1" in out


@pytest.mark.skipif(shutil.which("dig") is None, reason="dig missing")
def test_dns_dig_retries_truncated_over_tcp(ns):
    host, port = ns
    out = subprocess.run(["dig", "+norec", "+noedns", "@" + host, "-p", str(port),
                          "big.example.test", "TXT"],
                         capture_output=True, text=True, timeout=20).stdout
    assert "Truncated, retrying in TCP mode" in out
    assert "ANSWER: 4" in out


@pytest.mark.skipif(shutil.which("kdig") is None, reason="kdig missing")
@pytest.mark.parametrize("tcp", [False, True])
def test_dns_kdig_sees_nxdomain_and_referral(ns, tcp):
    host, port = ns
    base = ["kdig", "+norec", "@" + host, "-p", str(port)] + (["+tcp"] if tcp else [])
    out = subprocess.run(base + ["nope.example.test", "A"], capture_output=True,
                         text=True, timeout=20).stdout
    assert "status: NXDOMAIN" in out
    out = subprocess.run(base + ["x.sub.example.test", "A"], capture_output=True,
                         text=True, timeout=20).stdout
    assert "status: NOERROR" in out and "ns.sub.example.test." in out
    assert "Flags: qr;" in out   # a referral is not authoritative
