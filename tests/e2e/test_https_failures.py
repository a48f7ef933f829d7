"""What goes wrong on a TLS port: plain HTTP gets a 400 in clear text,
garbage a close, a stalled handshake the header timeout, and failed
handshakes are logged at most once per source per second. Bad pairs at
start are one line and exit 2."""
import socket
import time

import pytest

from conftest import run
from httputil import SITE, read_until_close
from tlsutil import make_ca, make_leaf, serve_tls


@pytest.fixture
def pki(tmp_path):
    ca = make_ca(tmp_path)
    return ca, make_leaf(tmp_path, ca, "leaf"), tmp_path


def raw(port, data, timeout=10):
    c = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    c.sendall(data)
    out = read_until_close(c)
    c.close()
    return out


def test_plain_http_to_the_tls_port_gets_400_in_clear(start_server, pki):
    _, leaf, _ = pki
    srv, port = serve_tls(start_server, leaf)
    for method in (b"GET", b"HEAD", b"POST", b"PUT"):
        out = raw(port, method + b" / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert out.startswith(b"HTTP/1.1 400 Bad Request\r\n"), out
        assert b"Connection: close" in out
        assert out.endswith(b"The plain HTTP request was sent to HTTPS port.\r\n")
    assert "handshake failed: http request" in srv.stderr()


def test_garbage_gets_a_close_never_a_hang(start_server, pki):
    _, leaf, _ = pki
    _, port = serve_tls(start_server, leaf, "--header-timeout", "30")
    for junk in (b"\x00" * 64, b"OPTIONS * HTTP/1.1\r\n\r\n", b"\x16\x03\x01\xff\xff" + b"A" * 600,
                 b"\x16\x03\x01\x00\x05hello"):
        # the server closes at once (an alert at most): no timeout involved
        out = raw(port, junk, timeout=20)
        assert len(out) < 64 and not out.startswith(b"HTTP"), (junk, out)


def test_stalled_handshake_is_dropped_at_the_header_timeout(start_server, pki):
    _, leaf, _ = pki
    _, port = serve_tls(start_server, leaf, "--header-timeout", "1")
    idle = socket.create_connection(("127.0.0.1", port), timeout=30)
    half = socket.create_connection(("127.0.0.1", port), timeout=30)
    # the start of a ClientHello, then nothing
    half.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
    for c in (idle, half):
        assert read_until_close(c) == b""
        c.close()


def test_failed_handshakes_are_logged_once_per_source_per_second(start_server, pki):
    _, leaf, _ = pki
    srv, port = serve_tls(start_server, leaf)
    start = time.monotonic()
    for _ in range(30):
        raw(port, b"\x16\x03\x01\x00\x05hello")
    seconds = time.monotonic() - start
    time.sleep(0.2)
    lines = [l for l in srv.stderr().splitlines() if "handshake failed" in l]
    assert 1 <= len(lines) <= int(seconds) + 2, (seconds, lines)
    assert "127.0.0.1" in lines[0]


def test_bad_pairs_at_start_exit_2_with_one_line(pki):
    ca, leaf, tmp = pki
    other = make_leaf(tmp, ca, "other")
    (tmp / "junk.pem").write_text("not a certificate\n")
    base = ["serve", "http", "--root", SITE, "--tls-listen", "127.0.0.1:0"]
    cases = [
        (leaf.cert_path, str(tmp / "missing.key"), "missing.key: No such file"),
        (str(tmp / "junk.pem"), leaf.key_path, "junk.pem: "),
        (leaf.cert_path, other.key_path, "other.key: "),
        (leaf.cert_path, str(tmp / "junk.pem"), "junk.pem: "),
    ]
    for cert, key, want in cases:
        r = run(base + ["--cert", cert, "--key", key])
        err = r.stderr.decode()
        assert r.returncode == 2, (cert, key, err)
        assert len(err.splitlines()) == 1 and want in err, err
        assert b"listening" not in r.stdout
    r = run(base + ["--cert", leaf.cert_path, "--key", leaf.key_path, "--sni",
                    "www.example.test=%s:%s" % (leaf.cert_path, other.key_path)])
    assert r.returncode == 2 and "other.key: " in r.stderr.decode()


def test_tls_usage_errors():
    from conftest import assert_usage_error
    base = ["serve", "http", "--root", SITE]
    assert_usage_error(base + ["--tls-listen", "127.0.0.1:0"])
    assert_usage_error(base + ["--cert", "a.pem", "--key", "a.key"])
    assert_usage_error(base + ["--redirect-https"])
    assert_usage_error(base + ["--tls-listen", "nowhere"])
    assert_usage_error(base + ["--tls-listen", "127.0.0.1:0", "--cert", "a", "--key",
                               "b", "--tls-min", "1.1"])
    assert_usage_error(base + ["--tls-listen", "127.0.0.1:0", "--cert", "a", "--key",
                               "b", "--sni", "nameonly"])
    assert_usage_error(base + ["--tls-listen", "127.0.0.1:0", "--cert", "a", "--key",
                               "b", "--hsts", "-1"])
