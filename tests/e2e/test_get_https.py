"""`inetkit get https://...` against inetkit's TLS server, Debian's nginx
(ssl) and Python ssl servers, with certificates made here: a good chain
(small and large bodies, -I, -o), expired, not yet valid, wrong name,
self-signed, unknown CA, IP SANs, SNI (two names on one port); the trust
store from SSL_CERT_FILE / SSL_CERT_DIR with --cacert added; -k; a bad
--cacert; a server that stalls in the handshake; a body framed by the
close cut without close_notify; a plain HTTP server behind an https URL
(no fallback); redirects between http and https; ALPN; a kept connection
reused only for the same name."""
import hashlib
import os
import subprocess

import pytest

from clientutil import NGINX, clean, failed, ok, start_nginx, stop_nginx
from conftest import run
from crawlutil import PyServer
from tlsutil import PyTLSServer, make_ca, make_leaf, serve_tls

SMALL = b"<html><body>hello over TLS</body></html>\n"


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "index.html").write_bytes(SMALL)
    (root / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    (root / "final.txt").write_bytes(b"the end of the chain\n")
    return root


@pytest.fixture
def ca(tmp_path):
    return make_ca(tmp_path)


def get(*args, env=None, **kw):
    return run(["get"] + [str(a) for a in args], env=env, **kw)


def nginx_tls(tmp_path, root, pair, sni=(), extra=""):
    """nginx with pair as its certificate on an ssl listener, and one more
    server block on the same port per (name, pair) of sni."""
    more = "".join("""
    server {
        listen 127.0.0.1:{port} ssl;
        server_name %s;
        root %s;
        ssl_certificate %s;
        ssl_certificate_key %s;
    }""" % (name, root, p.cert_path, p.key_path) for name, p in sni)
    conf = "ssl_certificate %s;\nssl_certificate_key %s;\n%s" % (
        pair.cert_path, pair.key_path, extra)
    return start_nginx(tmp_path, root, conf, listen=" ssl", more=more)


@pytest.fixture(params=["inetkit", "nginx"])
def https(request, start_server, site, tmp_path):
    """https(pair, sni=()) starts the server of the parameter (inetkit or
    nginx) with pair as its default certificate and one per SNI name;
    returns its port."""
    procs = []

    def start(pair, sni=()):
        if request.param == "inetkit":
            extra = []
            for name, p in sni:
                extra += ["--sni", "%s=%s:%s" % (name, p.cert_path, p.key_path)]
            return serve_tls(start_server, pair, *extra, root=str(site))[1]
        if NGINX is None:
            pytest.skip("Debian nginx not installed")
        d = tmp_path / ("n%d" % len(procs))
        d.mkdir()
        proc, port = nginx_tls(d, site, pair, sni)
        procs.append(proc)
        return port

    yield start
    for p in procs:
        stop_nginx(p)


def url(port, path="/", host="localhost"):
    return "https://%s:%d%s" % (host, port, path)


# The chain and the name, against both servers.

def test_good_chain(https, ca, site, tmp_path):
    port = https(make_leaf(tmp_path, ca, "leaf"))
    assert ok(get(url(port), "--cacert", ca.cert_path)) == SMALL
    # a large body: many records, read ahead and across reads
    out = tmp_path / "big.bin"
    assert ok(get(url(port, "/big.bin"), "--cacert", ca.cert_path,
                  "-o", out)) == b""
    assert hashlib.sha256(out.read_bytes()).digest() == \
        hashlib.sha256((site / "big.bin").read_bytes()).digest()
    head = ok(get("-I", url(port), "--cacert", ca.cert_path))
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nContent-Length: %d\r\n" % len(SMALL) in head
    failed(get(url(port, "/nothing"), "--cacert", ca.cert_path),
           "HTTP 404 Not Found")


def test_expired(https, ca, tmp_path):
    port = https(make_leaf(tmp_path, ca, "leaf", valid=(-30, -1)))
    line = failed(get(url(port), "--cacert", ca.cert_path),
                  "certificate verification failed: certificate has expired")
    assert line.startswith("inetkit get: https://localhost:%d/: " % port)


def test_not_yet_valid(https, ca, tmp_path):
    port = https(make_leaf(tmp_path, ca, "leaf", valid=(2, 30)))
    failed(get(url(port), "--cacert", ca.cert_path),
           "certificate verification failed: certificate is not yet valid")


def test_wrong_name(https, ca, tmp_path):
    port = https(make_leaf(tmp_path, ca, "leaf", names=("other.test",), ips=()))
    failed(get(url(port), "--cacert", ca.cert_path),
           "certificate verification failed: hostname mismatch (the "
           "certificate is not for localhost)")
    # the name in the certificate, reached through --resolve, verifies
    assert ok(get(url(port, host="other.test"), "--cacert", ca.cert_path,
                  "--resolve", "other.test:127.0.0.1")) == SMALL


def test_self_signed(https, tmp_path):
    leaf = make_leaf(tmp_path, None, "self")
    port = https(leaf)
    failed(get(url(port)), "certificate verification failed: self-signed "
           "certificate")
    # trusted as an anchor of its own
    assert ok(get(url(port), "--cacert", leaf.cert_path)) == SMALL


def test_unknown_ca(https, ca, tmp_path):
    other = make_ca(tmp_path, "other")
    port = https(make_leaf(tmp_path, other, "leaf"))
    failed(get(url(port), "--cacert", ca.cert_path),
           "certificate verification failed: unable to get local issuer "
           "certificate")
    failed(get(url(port)), "unable to get local issuer certificate")


def test_ip_sans(https, ca, tmp_path):
    port = https(make_leaf(tmp_path, ca, "leaf", names=("localhost",),
                           ips=("127.0.0.1",)))
    assert ok(get(url(port, host="127.0.0.1"), "--cacert", ca.cert_path)) == SMALL


def test_ip_not_in_sans(https, ca, tmp_path):
    # a DNS name "127.0.0.1" is not an IP SAN: RFC 6125 compares addresses
    # with the iPAddress entries only
    port = https(make_leaf(tmp_path, ca, "leaf", names=("localhost", "127.0.0.1"),
                           ips=()))
    failed(get(url(port, host="127.0.0.1"), "--cacert", ca.cert_path),
           "certificate verification failed: IP address mismatch (the "
           "certificate is not for 127.0.0.1)")


def test_sni_two_names_on_one_port(https, ca, tmp_path):
    a = make_leaf(tmp_path, ca, "a", names=("a.test",), ips=())
    b = make_leaf(tmp_path, ca, "b", names=("b.test",), ips=())
    port = https(make_leaf(tmp_path, ca, "default"), sni=[("a.test", a),
                                                           ("b.test", b)])
    for name in ("a.test", "b.test"):
        # each name verifies only if the server picked its certificate
        # from our SNI
        assert ok(get(url(port, host=name), "--cacert", ca.cert_path,
                      "--resolve", name + ":127.0.0.1")) == SMALL
    failed(get(url(port, host="c.test"), "--cacert", ca.cert_path,
               "--resolve", "c.test:127.0.0.1"),
           "hostname mismatch (the certificate is not for c.test)")


# Trust anchors and -k.

def test_trust_store_from_the_environment(start_server, site, ca, tmp_path):
    other = make_ca(tmp_path, "other")
    _, p1 = serve_tls(start_server, make_leaf(tmp_path, ca, "l1"), root=str(site))
    _, p2 = serve_tls(start_server, make_leaf(tmp_path, other, "l2"), root=str(site))
    env = dict(os.environ, SSL_CERT_FILE=ca.cert_path)
    assert ok(get(url(p1), env=env)) == SMALL
    failed(get(url(p2), env=env), "unable to get local issuer certificate")
    # --cacert adds to the store, it does not replace it
    assert ok(get(url(p1), "--cacert", other.cert_path, env=env)) == SMALL
    assert ok(get(url(p2), "--cacert", other.cert_path, env=env)) == SMALL
    # a hashed directory (openssl rehash), as SSL_CERT_DIR names it
    d = tmp_path / "certs"
    d.mkdir()
    (d / "other.pem").write_bytes(open(other.cert_path, "rb").read())
    subprocess.run(["openssl", "rehash", str(d)], check=True, timeout=20)
    env = dict(os.environ, SSL_CERT_FILE="/nonexistent", SSL_CERT_DIR=str(d))
    assert ok(get(url(p2), env=env)) == SMALL
    failed(get(url(p1), env=env), "unable to get local issuer certificate")


def test_insecure_skips_verification_with_a_warning(start_server, site, ca,
                                                    tmp_path):
    _, port = serve_tls(start_server, make_leaf(tmp_path, ca, "leaf",
                                                valid=(-30, -1)), root=str(site))
    r = get("-k", url(port))
    clean(r)
    assert r.returncode == 0 and r.stdout == SMALL
    assert r.stderr.decode().startswith("inetkit get: warning: --insecure")
    r = get("--insecure", url(port, host="wrong.test"), "--resolve",
            "wrong.test:127.0.0.1")
    assert r.returncode == 0 and r.stdout == SMALL


def test_bad_cacert_is_a_usage_error(tmp_path):
    r = get(url(1), "--cacert", tmp_path / "missing.pem")
    assert r.returncode == 2
    assert r.stderr.decode().strip() == (
        "inetkit get: --cacert %s: No such file or directory"
        % (tmp_path / "missing.pem"))
    (tmp_path / "junk.pem").write_text("not a certificate\n")
    r = get(url(1), "--cacert", tmp_path / "junk.pem")
    assert r.returncode == 2
    assert b"junk.pem: no certificate in it" in r.stderr
    r = get(url(1), "--cacert")
    assert r.returncode == 2 and b"usage" in r.stderr


# Servers that misbehave.

def test_stalled_handshake_times_out(ca, tmp_path):
    srv = PyTLSServer(make_leaf(tmp_path, ca, "leaf"), stall=True)
    try:
        failed(get(url(srv.port), "--cacert", ca.cert_path,
                   "--connect-timeout", "1", timeout=30),
               "TLS handshake timed out")
    finally:
        srv.close()


def close_framed(body):
    return b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + body


def test_close_framed_body_without_close_notify_is_truncation(ca, tmp_path):
    body = b"x" * 100000
    leaf = make_leaf(tmp_path, ca, "leaf")
    out = tmp_path / "out.bin"
    cut = PyTLSServer(leaf, lambda p: (close_framed(body), True),
                      close_notify=False)
    try:
        r = get(url(cut.port), "--cacert", ca.cert_path, "-o", out)
        failed(r, "the server closed the connection without TLS "
               "close_notify: the body, framed by the close, may be truncated")
        assert not out.exists()     # never renamed into place
    finally:
        cut.close()
    # with close_notify the same body is complete
    clean_close = PyTLSServer(leaf, lambda p: (close_framed(body), True))
    try:
        assert ok(get(url(clean_close.port), "--cacert", ca.cert_path)) == body
    finally:
        clean_close.close()


def test_length_framed_body_needs_no_close_notify(ca, tmp_path):
    body = b"complete\n"
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close" \
        b"\r\n\r\n%s" % (len(body), body)
    srv = PyTLSServer(make_leaf(tmp_path, ca, "leaf"), lambda p: (reply, True),
                      close_notify=False)
    try:
        assert ok(get(url(srv.port), "--cacert", ca.cert_path)) == body
    finally:
        srv.close()


def test_plain_http_server_behind_an_https_url_never_falls_back():
    srv = PyServer(lambda path: (200, "text/plain", b"plain", {}))
    try:
        failed(get(url(srv.port, host="127.0.0.1")),
               "TLS handshake failed: ")
        assert srv.requests == []
    finally:
        srv.close()


def test_alpn_offers_http11(ca, tmp_path):
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    srv = PyTLSServer(make_leaf(tmp_path, ca, "leaf"), lambda p: (reply, False))
    try:
        assert ok(get(url(srv.port), "--cacert", ca.cert_path)) == b"ok"
        assert srv.alpns == ["http/1.1"] and srv.snis == ["localhost"]
    finally:
        srv.close()


# Redirects and connections.

def test_redirect_from_http_to_https(start_server, site, ca, tmp_path):
    leaf = make_leaf(tmp_path, ca, "leaf")
    srv = start_server(["serve", "http", "--root", str(site), "--listen",
                        "127.0.0.1:0", "--tls-listen", "127.0.0.1:0",
                        "--cert", leaf.cert_path, "--key", leaf.key_path,
                        "--redirect-https", "--workers", "1"], expect=2)
    plain = "http://localhost:%d/final.txt" % srv.port(service="http")
    assert ok(get("-L", plain, "--cacert", ca.cert_path)) == \
        b"the end of the chain\n"
    # and the https answer is verified like any other
    failed(get("-L", plain), "unable to get local issuer certificate")


def test_redirect_from_https_to_http(site, ca, tmp_path):
    if NGINX is None:
        pytest.skip("Debian nginx not installed")
    plain = PyServer(lambda path: (200, "text/plain", b"back on http\n", {}))
    proc, port = nginx_tls(tmp_path, site, make_leaf(tmp_path, ca, "leaf"),
                           extra="location = /down { return 302 "
                           "http://127.0.0.1:%d/x; }" % plain.port)
    try:
        assert ok(get("-L", url(port, "/down"), "--cacert", ca.cert_path)) \
            == b"back on http\n"
        assert plain.requests == ["/x"]
    finally:
        stop_nginx(proc)
        plain.close()


def test_kept_connection_reused_only_for_the_same_name(ca, tmp_path):
    leaf = make_leaf(tmp_path, ca, "leaf", names=("a.test", "b.test"), ips=())

    def respond(path):
        if path.startswith("/to-"):
            loc = "https://%s:%d/end" % (path[4:], srv.port)
            return (b"HTTP/1.1 302 Found\r\nLocation: %s\r\n"
                    b"Content-Length: 0\r\n\r\n" % loc.encode(), False)
        return (b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone", False)

    srv = PyTLSServer(leaf, respond)
    pins = ["--resolve", "a.test:127.0.0.1", "--resolve", "b.test:127.0.0.1"]
    try:
        # the same name: the redirect goes over the same connection
        assert ok(get("-L", url(srv.port, "/to-a.test", "a.test"), "--cacert",
                      ca.cert_path, *pins)) == b"done"
        assert srv.snis == ["a.test"]
        # another name on the same address: a new connection, its own SNI
        # and its own certificate check
        del srv.snis[:]
        assert ok(get("-L", url(srv.port, "/to-b.test", "a.test"), "--cacert",
                      ca.cert_path, *pins)) == b"done"
        assert srv.snis == ["a.test", "b.test"]
    finally:
        srv.close()
