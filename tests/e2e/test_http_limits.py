"""Every input has a limit, and a limit reached gets the protocol's answer:
414 for a request line over 8 KiB, 431 for a header section over 16 KiB or
over 100 fields, 413 for a body over --max-body. After each the server
still answers."""
import socket

from httputil import SITE, serve, raw, parse_all, assert_alive, connect

H = "Host: localhost\r\n"


def test_request_line_too_long_414(start_server):
    _, port = serve(start_server, SITE)
    req = "GET /" + "a" * 9000 + " HTTP/1.1\r\n" + H + "\r\n"
    r = parse_all(raw(port, req.encode()))[0]
    assert r.status == 414
    assert_alive(port)


def test_request_line_without_end_414(start_server):
    # the limit holds before the line ends: no buffering without bound
    _, port = serve(start_server, SITE)
    c = connect(port)
    c.sendall(b"GET /" + b"a" * 20000)
    data = b""
    while True:
        try:
            chunk = c.recv(4096)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    c.close()
    assert parse_all(data)[0].status == 414
    assert_alive(port)


def test_request_line_just_under_limit(start_server):
    _, port = serve(start_server, SITE)
    req = "GET /" + "a" * 8000 + " HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n"
    assert parse_all(raw(port, req.encode()))[0].status == 404


def test_header_section_too_large_431(start_server):
    _, port = serve(start_server, SITE)
    fields = "".join("X-F%d: %s\r\n" % (i, "v" * 1000) for i in range(17))
    req = "GET / HTTP/1.1\r\n" + H + fields + "\r\n"
    assert parse_all(raw(port, req.encode()))[0].status == 431
    assert_alive(port)


def test_too_many_fields_431(start_server):
    _, port = serve(start_server, SITE)
    fields = "".join("X-F%d: v\r\n" % i for i in range(100))
    req = "GET / HTTP/1.1\r\n" + H + fields + "\r\n"
    assert parse_all(raw(port, req.encode()))[0].status == 431
    fields = "".join("X-F%d: v\r\n" % i for i in range(98))
    req = "GET / HTTP/1.1\r\n" + H + fields + "Connection: close\r\n\r\n"
    assert parse_all(raw(port, req.encode()))[0].status == 200
    assert_alive(port)


def test_body_too_large_413(start_server):
    _, port = serve(start_server, SITE, "--max-body", "1000")
    req = "POST / HTTP/1.1\r\n" + H + "Content-Length: 1001\r\n\r\n" + "x" * 1001
    r = parse_all(raw(port, req.encode()))[0]
    assert r.status == 413 and r.header("connection") == "close"
    req = "POST / HTTP/1.1\r\n" + H + "Content-Length: 1000\r\n\r\n" + "x" * 1000
    assert parse_all(raw(port, req.encode()))[0].status == 405
    assert_alive(port)


def test_chunked_body_too_large_413(start_server):
    _, port = serve(start_server, SITE, "--max-body", "1000")
    chunk = "%x\r\n%s\r\n" % (600, "y" * 600)
    req = ("POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n" +
           chunk * 2 + "0\r\n\r\n")
    assert parse_all(raw(port, req.encode()))[0].status == 413
    assert_alive(port)
