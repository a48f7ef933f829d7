"""--hosts turns /etc/hosts lines into A/AAAA records for names inside the
served zones, and PTR records where the reverse zone is served."""
from dnsutil import EXAMPLE_ZONE, REVERSE_ZONE, query, section_text, serve_dns


def test_dns_hosts_file_adds_address_and_ptr_records(start_server, tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text(
        "# a hosts file\n"
        "127.0.0.7\th7.example.test h7alias.example.test  # two names\n"
        "::7 v6.example.test\n"
        "10.9.9.9 outside.example.com\n"
        "\n"
        "127.0.0.1 localhost\n")
    _, host, port = serve_dns(start_server, zones=[EXAMPLE_ZONE, REVERSE_ZONE],
                              extra=["--hosts", str(hosts)])
    r = query(host, port, "h7.example.test", "A")
    assert section_text(r.answer) == ["h7.example.test. 3600 in a 127.0.0.7"]
    r = query(host, port, "h7alias.example.test", "A")
    assert section_text(r.answer) == ["h7alias.example.test. 3600 in a 127.0.0.7"]
    r = query(host, port, "v6.example.test", "AAAA")
    assert section_text(r.answer) == ["v6.example.test. 3600 in aaaa ::7"]
    r = query(host, port, "7.0.0.127.in-addr.arpa", "PTR")
    assert section_text(r.answer) == ["7.0.0.127.in-addr.arpa. 300 in ptr h7.example.test."]
    # The zone's own PTR and the hosts one for 127.0.0.1 make one RRset.
    r = query(host, port, "1.0.0.127.in-addr.arpa", "PTR")
    assert section_text(r.answer) == ["1.0.0.127.in-addr.arpa. 300 in ptr localhost."]
    # Names outside every zone are not ours to serve.
    assert query(host, port, "outside.example.com", "A").rcode() == 5
