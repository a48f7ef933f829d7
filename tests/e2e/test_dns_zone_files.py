"""Zone files as NSD and BIND read them, served: $INCLUDE relative to the
including file with its own origin, $TTL and carried-over TTLs,
parentheses, escapes, RFC 3597 rdata."""
from dnsutil import query, section_text, serve_dns


def test_dns_serves_included_files_and_syntax(start_server, tmp_path):
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "hosts.inc").write_text(
        "; included with origin hosts.zf.test.\n"
        "a A 192.0.2.1\n"
        "b 120 A 192.0.2.2\n"
        "$INCLUDE more.inc\n")
    (tmp_path / "parts" / "more.inc").write_text("c AAAA 2001:db8::c\n")
    zone = tmp_path / "zf.zone"
    zone.write_text(
        "$ORIGIN zf.test.\n"
        "@ 300 IN SOA ns1 admin ( 1 ; serial\n"
        "   2h 1h 2w 5m )\n"
        "  IN NS ns1\n"
        "ns1 A 192.0.2.53\n"
        "$INCLUDE parts/hosts.inc hosts.zf.test.\n"
        "after MX 10 a.hosts\n"
        "$TTL 1d\n"
        "esc\\.dot TXT \"tab\\009and \\\"quote\\\"\" second\n"
        "generic TYPE65000 \\# 4 0a0b0c0d\n"
        "generic2 A \\# 4 c0000207\n")
    _, host, port = serve_dns(start_server, zones=[str(zone)])
    r = query(host, port, "a.hosts.zf.test", "A")
    assert section_text(r.answer) == ["a.hosts.zf.test. 300 in a 192.0.2.1"]
    r = query(host, port, "b.hosts.zf.test", "A")
    assert section_text(r.answer) == ["b.hosts.zf.test. 120 in a 192.0.2.2"]
    r = query(host, port, "c.hosts.zf.test", "AAAA")
    assert section_text(r.answer) == ["c.hosts.zf.test. 120 in aaaa 2001:db8::c"]
    # After the $INCLUDE, the including file's origin and last TTL resume.
    r = query(host, port, "after.zf.test", "MX")
    assert section_text(r.answer) == ["after.zf.test. 300 in mx 10 a.hosts.zf.test."]
    assert "a.hosts.zf.test. 300 in a 192.0.2.1" in section_text(r.additional)
    r = query(host, port, "esc\\.dot.zf.test", "TXT")
    assert section_text(r.answer) == [
        'esc\\.dot.zf.test. 86400 in txt "tab\\009and \\"quote\\"" "second"']
    r = query(host, port, "generic.zf.test", "TYPE65000")
    assert section_text(r.answer) == ["generic.zf.test. 86400 in type65000 \\# 4 0a0b0c0d"]
    r = query(host, port, "generic2.zf.test", "A")
    assert section_text(r.answer) == ["generic2.zf.test. 86400 in a 192.0.2.7"]
    r = query(host, port, "zf.test", "SOA")
    assert section_text(r.answer) == [
        "zf.test. 300 in soa ns1.zf.test. admin.zf.test. 1 7200 3600 1209600 300"]


def test_dns_rrset_ttls_are_the_lowest(start_server, tmp_path):
    import dns.message
    import dns.query
    zone = tmp_path / "t.zone"
    zone.write_text("$ORIGIN t.test.\n@ 60 SOA ns admin 1 2 3 4 5\n"
                    "x 100 A 192.0.2.1\nx 50 A 192.0.2.2\nx 200 A 192.0.2.3\n")
    _, host, port = serve_dns(start_server, zones=[str(zone)])
    q = dns.message.make_query("x.t.test", "A")
    wire = dns.query.udp(q, host, port=port, timeout=5).to_wire()
    r = dns.message.from_wire(wire, one_rr_per_rrset=True)
    assert sorted(rrset.ttl for rrset in r.answer) == [50, 50, 50]
