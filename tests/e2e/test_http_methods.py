"""GET and HEAD with real clients (curl, Python http.client): status,
body, and the fields every response carries."""
import http.client
import os
import subprocess

from httputil import SITE, serve, get


def curl(*args):
    return subprocess.run(["curl", "-s", "--max-time", "10"] + list(args),
                          capture_output=True, timeout=20)


def test_curl_get_serves_the_file(start_server):
    _, port = serve(start_server, SITE)
    r = curl("-D", "-", "http://127.0.0.1:%d/about.html" % port)
    head, _, body = r.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert body == open(os.path.join(SITE, "about.html"), "rb").read()
    h = head.decode().lower()
    assert "content-type: text/html; charset=utf-8" in h
    assert "date: " in h and "server: inetkit" in h
    assert "content-length: %d" % len(body) in h
    assert "etag: \"" in h and "last-modified: " in h


def test_curl_head_has_same_headers_and_no_body(start_server):
    _, port = serve(start_server, SITE)
    url = "http://127.0.0.1:%d/style.css" % port
    g = get(port, "/style.css")
    h = get(port, "/style.css", method="HEAD")
    assert h.status == 200 and h.body == b""
    for name in ("content-type", "content-length", "etag", "last-modified"):
        assert h.header(name) == g.header(name), name
    r = curl("-I", url)
    assert r.stdout.startswith(b"HTTP/1.1 200 OK")
    assert b"text/css; charset=utf-8" in r.stdout


def test_curl_http10(start_server):
    _, port = serve(start_server, SITE)
    r = curl("--http1.0", "-D", "-", "http://127.0.0.1:%d/" % port)
    assert r.stdout.startswith(b"HTTP/1.1 200 OK")
    assert b"Welcome to www.example.test" in r.stdout
    # HTTP/1.0 without keep-alive: the server closes after the reply
    assert b"Connection: close" in r.stdout


def test_curl_image_and_directory_index(start_server):
    _, port = serve(start_server, SITE)
    r = curl("-D", "-", "http://127.0.0.1:%d/img/logo.png" % port)
    assert b"Content-Type: image/png" in r.stdout
    assert r.stdout.endswith(open(os.path.join(SITE, "img/logo.png"), "rb").read())
    r = curl("http://127.0.0.1:%d/docs/" % port)
    assert b"<h1>Documentation</h1>" in r.stdout


def test_missing_trailing_slash_redirects(start_server):
    _, port = serve(start_server, SITE)
    r = get(port, "/docs?x=1")
    assert r.status == 301
    assert r.header("location") == "/docs/?x=1"
    r = curl("-L", "http://127.0.0.1:%d/docs" % port)
    assert b"<h1>Documentation</h1>" in r.stdout


def test_not_found(start_server):
    _, port = serve(start_server, SITE)
    r = curl("-w", "%{http_code}", "-o", "/dev/null",
             "http://127.0.0.1:%d/news.html" % port)
    assert r.stdout == b"404"


def test_python_http_client_keep_alive(start_server):
    _, port = serve(start_server, SITE)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for path in ("/", "/about.html", "/docs/guide.html", "/style.css"):
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        assert resp.status == 200
        assert len(body) == int(resp.getheader("Content-Length"))
    conn.request("HEAD", "/")
    resp = conn.getresponse()
    assert resp.status == 200 and resp.read() == b""
    conn.close()


def test_large_file_by_sendfile(start_server, tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 17)
    (tmp_path / "big.bin").write_bytes(data)
    _, port = serve(start_server, str(tmp_path))
    r = curl("http://127.0.0.1:%d/big.bin" % port)
    assert r.stdout == data


def test_ipv6(start_server):
    _, port = serve(start_server, SITE, host="::1")
    r = curl("-g", "http://[::1]:%d/about.html" % port)
    assert b"<h1>About</h1>" in r.stdout
