"""Strict framing and the protocol's error answers: each bad request gets
its status (and, for framing errors, a closed connection, so nothing can be
smuggled behind it), and after each the server still answers a good
request."""
import pytest

from httputil import SITE, serve, raw, parse_all, assert_alive

H = "Host: localhost\r\n"
BAD = {
    # RFC 9112 section 6.3: both framings, or doubtful lengths
    "cl_and_te": ("POST / HTTP/1.1\r\n" + H + "Content-Length: 5\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    "duplicate_cl": ("POST / HTTP/1.1\r\n" + H + "Content-Length: 1\r\n"
                     "Content-Length: 1\r\n\r\nx", 400),
    "non_numeric_cl": ("POST / HTTP/1.1\r\n" + H +
                       "Content-Length: 1x\r\n\r\nx", 400),
    "negative_cl": ("POST / HTTP/1.1\r\n" + H +
                    "Content-Length: -1\r\n\r\n", 400),
    "cl_list": ("POST / HTTP/1.1\r\n" + H + "Content-Length: 1,1\r\n\r\nx",
                400),
    "te_gzip": ("POST / HTTP/1.1\r\n" + H +
                "Transfer-Encoding: gzip\r\n\r\n", 400),
    "te_gzip_chunked": ("POST / HTTP/1.1\r\n" + H +
                        "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                        400),
    "te_on_http10": ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "0\r\n\r\n", 400),
    "bad_chunk_size": ("POST / HTTP/1.1\r\n" + H +
                       "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n"
                       "0\r\n\r\n", 400),
    "chunk_size_overflow": ("POST / HTTP/1.1\r\n" + H +
                            "Transfer-Encoding: chunked\r\n\r\n"
                            "1ffffffffffffffff\r\nx\r\n0\r\n\r\n", 400),
    "chunk_missing_crlf": ("POST / HTTP/1.1\r\n" + H +
                           "Transfer-Encoding: chunked\r\n\r\n"
                           "5\r\nhelloXX0\r\n\r\n", 400),
    # RFC 9112 sections 2.2, 5.1, 5.2
    "obs_fold": ("GET / HTTP/1.1\r\n" + H + "X-A: a\r\n  folded\r\n\r\n", 400),
    "bare_cr": ("GET / HTTP/1.1\r\n" + H + "X-A: a\rb\r\n\r\n", 400),
    "bare_lf": ("GET / HTTP/1.1\n" + H + "\r\n", 400),
    "bare_lf_in_fields": ("GET / HTTP/1.1\r\n" + H + "X-A: a\n\r\n", 400),
    "space_before_colon": ("GET / HTTP/1.1\r\nHost : localhost\r\n\r\n", 400),
    "tab_before_colon": ("GET / HTTP/1.1\r\n" + H + "X-A\t: a\r\n\r\n", 400),
    # RFC 9112 section 3.2
    "no_host_http11": ("GET / HTTP/1.1\r\n\r\n", 400),
    "two_hosts": ("GET / HTTP/1.1\r\n" + H + "Host: other\r\n\r\n", 400),
    "bad_host": ("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
    "bad_request_line": ("GET  / HTTP/1.1\r\n" + H + "\r\n", 400),
    "garbage": ("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400),
    "control_in_field": ("GET / HTTP/1.1\r\n" + H + "X-A: a\x01b\r\n\r\n",
                         400),
    "encoded_nul": ("GET /index.html%00.txt HTTP/1.1\r\n" + H + "\r\n", 400),
    "encoded_slash": ("GET /docs%2fguide.html HTTP/1.1\r\n" + H + "\r\n",
                      400),
    "bad_escape": ("GET /%zz HTTP/1.1\r\n" + H + "\r\n", 400),
    "dot_dot_above_root": ("GET /../../etc/passwd HTTP/1.1\r\n" + H + "\r\n",
                           400),
    # versions and methods
    "http2_version": ("GET / HTTP/2.0\r\n" + H + "\r\n", 505),
    "http09_version": ("GET / HTTP/0.9\r\n" + H + "\r\n", 505),
}

# A bad path is a well-framed request: the connection goes on. Every
# other case ends the connection, so what follows is never read as a
# request.
KEEPS = {"encoded_nul", "encoded_slash", "bad_escape", "dot_dot_above_root"}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_request(start_server, case):
    server, port = serve(start_server, SITE)
    req, status = BAD[case]
    smuggled = "GET /about.html HTTP/1.1\r\n" + H + "\r\n"
    data = raw(port, (req + smuggled).encode("latin-1"))
    resps = parse_all(data)
    assert resps, data
    assert resps[0].status == status, (case, resps[0], data[:300])
    assert resps[0].header("date") and resps[0].header("server") == "inetkit"
    if case in KEEPS:
        assert [r.status for r in resps] == [status, 200]
    else:
        # the connection closed after the error: nothing smuggled through
        assert len(resps) == 1, resps
        assert resps[0].header("connection") == "close"
    assert_alive(port)
    assert server.alive()


def test_body_on_get_is_discarded(start_server):
    _, port = serve(start_server, SITE)
    body = "GET /x HTTP/1.1\r\nHost: a\r\n"
    req = ("GET /about.html HTTP/1.1\r\n" + H +
           "Content-Length: %d\r\n\r\n" % len(body) + body +
           "GET /style.css HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n")
    resps = parse_all(raw(port, req.encode()))
    assert [r.status for r in resps] == [200, 200]
    assert b"<h1>About</h1>" in resps[0].body
    assert resps[1].header("content-type").startswith("text/css")


def test_chunked_body_on_get_is_discarded(start_server):
    _, port = serve(start_server, SITE)
    req = ("GET /about.html HTTP/1.1\r\n" + H +
           "Transfer-Encoding: chunked\r\n\r\n"
           "5;ext=1\r\nhello\r\n3\r\nabc\r\n0\r\nTrailer: x\r\n\r\n"
           "GET /style.css HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n")
    resps = parse_all(raw(port, req.encode()))
    assert [r.status for r in resps] == [200, 200]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "TRACE"])
def test_known_method_not_allowed(start_server, method):
    _, port = serve(start_server, SITE)
    req = ("%s /about.html HTTP/1.1\r\n" % method + H +
           "Content-Length: 3\r\n\r\nabc"
           "GET / HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n")
    resps = parse_all(raw(port, req.encode()))
    assert resps[0].status == 405
    assert resps[0].header("allow") == "GET, HEAD, OPTIONS"
    # the body was read and the connection stayed in step
    assert len(resps) == 2 and resps[1].status == 200
    assert_alive(port)


def test_unknown_method_not_implemented(start_server):
    _, port = serve(start_server, SITE)
    req = ("BREW /pot HTTP/1.1\r\n" + H + "\r\n"
           "GET / HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n")
    resps = parse_all(raw(port, req.encode()))
    assert [r.status for r in resps] == [501, 200]


def test_options(start_server):
    _, port = serve(start_server, SITE)
    for target in ("*", "/"):
        req = "OPTIONS %s HTTP/1.1\r\n" % target + H + "Connection: close\r\n\r\n"
        r = parse_all(raw(port, req.encode()))[0]
        assert r.status == 200
        assert r.header("allow") == "GET, HEAD, OPTIONS"
        assert r.header("content-length") == "0"
