"""`inetkit lookup` asks one server and prints the reply like dig; it
retries over TCP when truncated and fails with one line and exit 1 when
no answer comes."""
import socket

from conftest import run
from dnsutil import serve_dns


def test_lookup_prints_like_dig(start_server):
    _, host, port = serve_dns(start_server)
    r = run(["lookup", "alias.example.test", "@%s:%d" % (host, port)])
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: " in out
    assert ";; flags: qr aa rd; QUERY: 1, ANSWER: 3, AUTHORITY: 2" in out
    assert ";; QUESTION SECTION:\n;alias.example.test.\t\tIN\tA\n" in out
    assert "alias.example.test.\t\t3600\tIN\tCNAME\tweb.example.test.\n" in out
    assert "www.example.test.\t\t3600\tIN\tA\t127.0.0.1\n" in out
    assert ";; AUTHORITY SECTION:" in out and ";; ADDITIONAL SECTION:" in out
    assert "; EDNS: version: 0, flags:; udp: 1232" in out
    assert ";; SERVER: %s#%d(UDP)" % (host, port) in out


def test_lookup_types_and_statuses(start_server):
    _, host, port = serve_dns(start_server)
    srv = "@%s:%d" % (host, port)
    out = run(["lookup", "example.test", "MX", srv]).stdout.decode()
    assert "example.test.\t\t3600\tIN\tMX\t10 mail.example.test." in out
    out = run(["lookup", "txt.example.test", "TXT", srv, "--tcp"]).stdout.decode()
    assert '"several" "strings" "in one record"' in out
    assert "(TCP)" in out
    out = run(["lookup", "private.example.test", "TYPE65534", srv]).stdout.decode()
    assert "TYPE65534\t\\# 3 abcdef" in out
    r = run(["lookup", "nope.example.test", srv])
    assert r.returncode == 0
    assert "status: NXDOMAIN" in r.stdout.decode()
    out = run(["lookup", "www.example.com", srv]).stdout.decode()
    assert "status: REFUSED" in out


def test_lookup_retries_truncated_reply_over_tcp(start_server):
    _, host, port = serve_dns(start_server)
    r = run(["lookup", "big.example.test", "TXT", "@%s:%d" % (host, port), "--noedns"])
    out = r.stdout.decode()
    assert r.returncode == 0
    assert "ANSWER: 4" in out and "(TCP)" in out
    assert "flags: qr aa rd;" in out


def test_lookup_no_answer_is_one_line_and_exit_1():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        port = silent.getsockname()[1]
        r = run(["lookup", "www.example.test", "@127.0.0.1:%d" % port,
                 "--timeout", "1"])
    assert r.returncode == 1
    assert r.stdout == b""
    assert r.stderr.decode() == "inetkit lookup: no answer from 127.0.0.1:%d: timed out\n" % port
