"""Persistent connections and pipelining (RFC 9112 section 9.3): requests
sent back to back get their responses in order on one connection;
`Connection: close` ends it; `Expect: 100-continue` gets its interim
response."""
import socket

from httputil import SITE, serve, raw, parse_all, connect, parse_one

H = "Host: localhost\r\n"


def test_pipelined_responses_in_order(start_server):
    _, port = serve(start_server, SITE)
    paths = ["/", "/about.html", "/missing", "/style.css", "/docs/guide.html",
             "/img/logo.png", "/docs"] * 5
    req = "".join("GET %s HTTP/1.1\r\n%s\r\n" % (p, H) for p in paths)
    req += "HEAD /about.html HTTP/1.1\r\n" + H + "\r\n"
    req += "GET /robots.txt HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n"
    data = raw(port, req.encode())
    resps = parse_all(data, heads=(len(paths),))
    expect = {"/": 200, "/about.html": 200, "/missing": 404, "/style.css": 200,
              "/docs/guide.html": 200, "/img/logo.png": 200, "/docs": 301}
    assert [r.status for r in resps] == [expect[p] for p in paths] + [200, 200]
    assert b"<h1>About</h1>" in resps[1].body
    assert resps[-2].body == b"" and resps[-1].body.startswith(b"User-agent")
    assert resps[-1].header("connection") == "close"


def test_pipelined_in_small_pieces(start_server):
    _, port = serve(start_server, SITE)
    req = ("GET /about.html HTTP/1.1\r\n" + H + "\r\n") * 3
    c = connect(port)
    for i in range(0, len(req), 7):
        c.sendall(req[i:i + 7].encode())
    data = b""
    while len(parse_all(data)) < 3:
        data += c.recv(65536)
    c.close()
    assert [r.status for r in parse_all(data)] == [200, 200, 200]


def test_keep_alive_then_close(start_server):
    _, port = serve(start_server, SITE)
    c = connect(port)
    for _ in range(3):
        c.sendall(("GET / HTTP/1.1\r\n" + H + "\r\n").encode())
        data = b""
        r = None
        while r is None:
            data += c.recv(65536)
            r, _ = parse_one(data)
        assert r.status == 200 and r.header("connection") is None
    c.sendall(("GET / HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n").encode())
    data = b""
    while True:
        chunk = c.recv(65536)
        if not chunk:
            break
        data += chunk
    assert parse_all(data)[0].header("connection") == "close"


def test_http10_keep_alive(start_server):
    _, port = serve(start_server, SITE)
    req = ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
           "GET /about.html HTTP/1.0\r\n\r\n")
    resps = parse_all(raw(port, req.encode()))
    assert [r.status for r in resps] == [200, 200]
    assert resps[0].header("connection") == "keep-alive"
    assert resps[1].header("connection") == "close"


def test_expect_100_continue(start_server):
    _, port = serve(start_server, SITE)
    c = connect(port)
    c.sendall(("GET /about.html HTTP/1.1\r\n" + H + "Content-Length: 5\r\n"
               "Expect: 100-continue\r\n\r\n").encode())
    data = c.recv(4096)
    assert data.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
    c.sendall(b"hello")
    data = data[len(b"HTTP/1.1 100 Continue\r\n\r\n"):]
    r = None
    while r is None:
        r, _ = parse_one(data)
        if r is None:
            data += c.recv(65536)
    assert r.status == 200 and b"<h1>About</h1>" in r.body
    c.close()


def test_expect_100_continue_refused_without_reading(start_server):
    _, port = serve(start_server, SITE)
    c = connect(port)
    c.sendall(("POST /upload HTTP/1.1\r\n" + H + "Content-Length: 100000\r\n"
               "Expect: 100-continue\r\n\r\n").encode())
    data = b""
    while True:
        chunk = c.recv(4096)
        if not chunk:
            break
        data += chunk
    r = parse_all(data)[0]
    assert r.status == 405 and r.header("connection") == "close"


def test_curl_expect_100(start_server, tmp_path):
    import subprocess
    _, port = serve(start_server, SITE)
    body = tmp_path / "body"
    body.write_bytes(b"x" * 2000)
    r = subprocess.run(["curl", "-s", "-v", "-X", "GET", "-H",
                        "Expect: 100-continue", "--data-binary",
                        "@%s" % body, "http://127.0.0.1:%d/about.html" % port],
                       capture_output=True, timeout=20)
    assert b"HTTP/1.1 100 Continue" in r.stderr
    assert b"<h1>About</h1>" in r.stdout
