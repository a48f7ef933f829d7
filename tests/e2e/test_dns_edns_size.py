"""The UDP reply size (RFC 6891 section 6.2.5): the client's EDNS size is
honoured up to 1232 bytes by default (--edns-size raises it), 512 bytes
without EDNS; an answer that does not fit sets TC and comes whole over
TCP."""
import pytest

from dnsutil import has_flag, query, serve_dns


@pytest.fixture
def bigzone(tmp_path):
    zone = tmp_path / "big.test.zone"
    lines = ["$ORIGIN big.test.", "$TTL 60", "@ SOA ns admin 1 2 3 4 5", "@ NS ns",
             "ns A 192.0.2.1"]
    # 12 records of about 200 bytes: about 2.5 KB in all.
    lines += ['many TXT "%02d %s"' % (i, "x" * 195) for i in range(12)]
    zone.write_text("\n".join(lines) + "\n")
    return str(zone)


def test_dns_default_caps_udp_at_1232(start_server, bigzone):
    _, host, port = serve_dns(start_server, zones=[bigzone])
    r = query(host, port, "many.big.test", "TXT", edns=0, payload=4096)
    assert has_flag(r, "TC") and r.answer == []
    assert r.payload == 1232
    r = query(host, port, "many.big.test", "TXT", tcp=True)
    assert not has_flag(r, "TC") and len(r.answer[0]) == 12


def test_dns_edns_size_option_raises_the_cap(start_server, bigzone):
    _, host, port = serve_dns(start_server, zones=[bigzone],
                              extra=["--edns-size", "4096"])
    r = query(host, port, "many.big.test", "TXT", edns=0, payload=4096)
    assert not has_flag(r, "TC") and len(r.answer[0]) == 12
    assert r.payload == 4096
    # The client's smaller size still rules.
    r = query(host, port, "many.big.test", "TXT", edns=0, payload=1400)
    assert has_flag(r, "TC")
    r = query(host, port, "many.big.test", "TXT", edns=-1)
    assert has_flag(r, "TC")
