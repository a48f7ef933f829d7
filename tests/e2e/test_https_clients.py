"""Real clients over HTTPS (curl, wget, Python's ssl and http.client) and
the rest of the server behaving as over plain HTTP: keep-alive,
pipelining, ranges, conditionals, vhosts, large files, the access log;
--hsts and --redirect-https."""
import hashlib
import http.client
import os
import subprocess

from httputil import SITE, get, parse_all
from tlsutil import context, https_get, make_ca, make_leaf, serve_tls, tls_connect

import pytest


@pytest.fixture
def pki(tmp_path):
    ca = make_ca(tmp_path)
    return ca, make_leaf(tmp_path, ca, "leaf", names=("localhost", "www.example.test"))


def curl(port, path, ca, *extra):
    return subprocess.run(["curl", "-sS", "--cacert", ca.cert_path,
                           "https://localhost:%d%s" % (port, path)] + list(extra),
                          capture_output=True, timeout=60)


def test_curl_verifies_and_fetches(start_server, pki, tmp_path):
    ca, leaf = pki
    log = tmp_path / "access.log"
    srv, port = serve_tls(start_server, leaf, "--access-log", str(log))
    r = curl(port, "/", ca, "-w", "%{http_code} %{http_version} %{ssl_verify_result}")
    with open(os.path.join(SITE, "index.html"), "rb") as f:
        assert r.stdout == f.read() + b"200 1.1 0", r.stderr
    # several requests on one connection (keep-alive)
    r = curl(port, "/", ca, "-o", "/dev/null", "-w", "%{num_connects}\n",
             "-o", "/dev/null", "https://localhost:%d/about.html" % port)
    assert r.stdout.split() == [b"1", b"0"], r.stderr
    srv.stop()
    lines = log.read_text().splitlines()
    assert len(lines) == 3
    for l in lines:
        assert l.endswith(" TLSv1.3 TLS_AES_128_GCM_SHA256"), l


def test_wget_verifies_and_fetches(start_server, pki, tmp_path):
    ca, leaf = pki
    _, port = serve_tls(start_server, leaf)
    out = tmp_path / "page.html"
    r = subprocess.run(["wget", "-q", "--ca-certificate", ca.cert_path, "-O", str(out),
                        "https://localhost:%d/about.html" % port],
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    with open(os.path.join(SITE, "about.html"), "rb") as f:
        assert out.read_bytes() == f.read()
    # a client that does not trust the CA refuses the server
    r = subprocess.run(["wget", "-q", "-O", "/dev/null", "https://localhost:%d/" % port],
                       capture_output=True, timeout=60)
    assert r.returncode == 5


def test_python_http_client_keep_alive_and_name_check(start_server, pki):
    ca, leaf = pki
    _, port = serve_tls(start_server, leaf)
    conn = http.client.HTTPSConnection("localhost", port, context=context(ca),
                                       timeout=10)
    for path in ("/", "/about.html", "/style.css", "/missing"):
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        assert r.status == (404 if path == "/missing" else 200)
        if r.status == 200:
            with open(os.path.join(SITE, path.strip("/") or "index.html"), "rb") as f:
                assert body == f.read()
    assert conn.sock.version() == "TLSv1.3"
    assert conn.sock.selected_alpn_protocol() is None
    conn.close()
    # the name is checked: the certificate is not for 127.0.0.2's name
    import ssl
    with pytest.raises(ssl.SSLCertVerificationError):
        tls_connect(port, context(ca), server_hostname="elsewhere.test")


def test_big_file_ranges_conditionals_pipelining(start_server, pki, tmp_path):
    ca, leaf = pki
    root = tmp_path / "root"
    root.mkdir()
    big = os.urandom(5 << 20) + b"end"
    (root / "big.bin").write_bytes(big)
    (root / "index.html").write_text("hello\n")
    _, port = serve_tls(start_server, leaf, root=str(root))
    r = curl(port, "/big.bin", ca)
    assert hashlib.sha256(r.stdout).digest() == hashlib.sha256(big).digest()
    r = curl(port, "/big.bin", ca, "-r", "1000-1999")
    assert r.stdout == big[1000:2000]
    r = curl(port, "/big.bin", ca, "-r", "-3")
    assert r.stdout == b"end"
    # multipart ranges and 416 as over plain HTTP
    r = curl(port, "/big.bin", ca, "-r", "0-1,10-11", "-i")
    assert b"206 Partial Content" in r.stdout and b"multipart/byteranges" in r.stdout
    r = curl(port, "/big.bin", ca, "-r", "%d-" % (len(big) + 5), "-o", "/dev/null",
             "-w", "%{http_code}")
    assert r.stdout == b"416"
    # conditionals: the ETag it gives back gets a 304
    head = curl(port, "/index.html", ca, "-I").stdout.decode()
    etag = [l.split(": ", 1)[1].strip() for l in head.splitlines()
            if l.lower().startswith("etag:")][0]
    r = curl(port, "/index.html", ca, "-H", "If-None-Match: " + etag, "-o",
             "/dev/null", "-w", "%{http_code}")
    assert r.stdout == b"304"
    # three pipelined requests in one TLS write, answered in order
    c = tls_connect(port, context(ca))
    req = b"".join(b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n" for _ in range(2))
    c.sendall(req + b"HEAD /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        chunk = c.recv(65536)
        if not chunk:
            break
        data += chunk
    resps = parse_all(data, heads=(2,))
    assert [r.status for r in resps] == [200, 200, 200]
    assert resps[0].body == b"hello\n"
    assert resps[2].header("content-length") == str(len(big))


def test_vhosts_over_tls(start_server, pki, tmp_path):
    ca, leaf = pki
    other = tmp_path / "other"
    other.mkdir()
    (other / "index.html").write_text("other site\n")
    _, port = serve_tls(start_server, leaf, "--vhost", "www.example.test=%s" % other)
    r = subprocess.run(["curl", "-sS", "--cacert", ca.cert_path, "--resolve",
                        "www.example.test:%d:127.0.0.1" % port,
                        "https://www.example.test:%d/" % port],
                       capture_output=True, timeout=30)
    assert r.stdout == b"other site\n", r.stderr
    with open(os.path.join(SITE, "index.html"), "rb") as f:
        assert curl(port, "/", ca).stdout == f.read()


def test_hsts_only_on_https(start_server, pki):
    ca, leaf = pki
    srv, port = serve_tls(start_server, leaf, "--hsts", "31536000", plain=True)
    head = curl(port, "/", ca, "-I").stdout.decode()
    assert "Strict-Transport-Security: max-age=31536000\r\n" in head
    # errors too, and not on the plain listener (RFC 6797 section 7.2)
    assert b"Strict-Transport-Security" in curl(port, "/missing", ca, "-i").stdout
    r = get(srv.port(service="http"), "/")
    assert r.status == 200 and r.header("strict-transport-security") is None


def test_redirect_https(start_server, pki):
    ca, leaf = pki
    srv, port = serve_tls(start_server, leaf, "--redirect-https", plain=True)
    plain = srv.port(service="http")
    r = get(plain, "/about.html?x=1", headers={"Host": "localhost:%d" % plain})
    assert r.status == 301
    assert r.header("location") == "https://localhost:%d/about.html?x=1" % port
    # curl follows it and verifies the server it lands on
    r = subprocess.run(["curl", "-sSL", "--cacert", ca.cert_path,
                        "http://localhost:%d/about.html" % plain],
                       capture_output=True, timeout=30)
    with open(os.path.join(SITE, "about.html"), "rb") as f:
        assert r.stdout == f.read(), r.stderr
    # the TLS listener itself serves, never redirects
    assert https_get(port, "/").startswith(b"HTTP/1.1 200 OK")
