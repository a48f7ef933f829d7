"""`inetkit get` against a hostile server written here: endless or huge
heads, too many fields, lying lengths and chunk sizes, endless bodies
(with --max-size), endless redirects, endless interim responses, and
servers that trickle or stay silent (against --timeout). Each must end
with exit 1 and a one-line reason, never a hang, a crash or a partial -o
file. Every endless sender stops by itself after a bounded time."""
import os
import time

import pytest

from conftest import run
from clientutil import scripted

LIMIT_S = 15          # no sender runs longer than this


def endless(conn, first, piece, limit_s=LIMIT_S):
    """Sends first, then piece again and again until the client goes or
    the time is up."""
    conn.sendall(first)
    end = time.time() + limit_s
    while time.time() < end:
        conn.sendall(piece)


def trickle(conn, data, gap=0.05, limit_s=LIMIT_S):
    end = time.time() + limit_s
    for b in data:
        if time.time() > end:
            return
        conn.sendall(bytes([b]))
        time.sleep(gap)


def get(*args):
    return run(["get"] + [str(a) for a in args], timeout=30)


def failed(r, words):
    assert b"Sanitizer" not in r.stderr and b"runtime error" not in r.stderr
    assert r.returncode == 1, r
    lines = r.stderr.decode().strip().split("\n")
    assert len(lines) == 1, r.stderr
    assert words in lines[0], lines[0]


LIMIT = "over a limit"


# Heads.

def test_endless_header_fields(scripted):
    s = scripted(lambda c, r: endless(c, b"HTTP/1.1 200 OK\r\n",
                                     b"X-Filler: 0123456789abcdef\r\n"))
    failed(get(s.url()), LIMIT)


def test_huge_header_line(scripted):
    s = scripted(lambda c, r: endless(c, b"HTTP/1.1 200 OK\r\nX-Big: ",
                                     b"a" * 4096))
    failed(get(s.url()), LIMIT)


def test_huge_status_line(scripted):
    s = scripted(lambda c, r: endless(c, b"HTTP/1.1 200 ", b"O" * 4096))
    failed(get(s.url()), LIMIT)


def test_too_many_fields(scripted):
    fields = b"".join(b"X-%d: v\r\n" % i for i in range(150))
    s = scripted(lambda c, r: c.sendall(b"HTTP/1.1 200 OK\r\n" + fields +
                                       b"Content-Length: 2\r\n\r\nok"))
    failed(get(s.url()), LIMIT)


def test_endless_interim_responses(scripted):
    s = scripted(lambda c, r: endless(c, b"", b"HTTP/1.1 100 Continue\r\n\r\n"))
    failed(get(s.url()), LIMIT)


@pytest.mark.parametrize("head", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    b"HTTP/1.1 2x0 OK\r\n\r\n",
    b"SSH-2.0-OpenSSH_9.2\r\n",
    b"\x00\x01\x02garbage\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n Folded: yes\r\n\r\n",
])
def test_malformed_heads(scripted, head):
    s = scripted(lambda c, r: c.sendall(head))
    failed(get(s.url()), "malformed response")


def test_protocol_switch_refused(scripted):
    s = scripted(lambda c, r: c.sendall(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"))
    failed(get(s.url()), "protocol switch")


def test_closed_without_answer(scripted):
    s = scripted(lambda c, r: None)
    failed(get(s.url()), "connection closed before the end")


# Bodies.

def test_content_length_larger_than_body(scripted, tmp_path):
    out = tmp_path / "f"
    s = scripted(lambda c, r: c.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this"))
    failed(get(s.url(), "-o", out), "connection closed before the end")
    assert os.listdir(tmp_path) == []


def test_content_length_smaller_than_body(scripted):
    s = scripted(lambda c, r: c.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nokayEXTRA BYTES"))
    r = get(s.url())
    assert r.returncode == 0 and r.stdout == b"okay"


def test_chunk_size_that_lies(scripted, tmp_path):
    out = tmp_path / "f"
    s = scripted(lambda c, r: c.sendall(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"ffffffffffffffff\r\nnot that much"))
    failed(get(s.url(), "-o", out), "connection closed before the end")
    assert os.listdir(tmp_path) == []


def test_chunk_size_that_lies_with_max_size(scripted):
    s = scripted(lambda c, r: endless(
        c, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"7fffffffffffffff\r\n", b"z" * 65536))
    failed(get(s.url(), "--max-size", 1000000), LIMIT)


@pytest.mark.parametrize("body", [
    b"5\r\nhelloEXTRA\r\n0\r\n\r\n",           # data longer than its size
    b"10000000000000000\r\n",                  # 17 hex digits
    b"zz\r\nhello\r\n",                        # not hex
    b"5\r\nhello\r\n0\r\nTrailer\x01: x\r\n\r\n",  # control byte in a trailer
])
def test_bad_chunked(scripted, body):
    s = scripted(lambda c, r: c.sendall(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body))
    failed(get(s.url()), "malformed response")


def test_endless_chunk_extension(scripted):
    s = scripted(lambda c, r: endless(
        c, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;",
        b"e" * 4096))
    failed(get(s.url()), LIMIT)


def test_endless_body_with_max_size(scripted, tmp_path):
    out = tmp_path / "f"
    s = scripted(lambda c, r: endless(c, b"HTTP/1.0 200 OK\r\n\r\n",
                                     b"x" * 65536))
    failed(get(s.url(), "--max-size", 5000000, "-o", out), LIMIT)
    assert os.listdir(tmp_path) == []


def test_huge_declared_length_with_max_size(scripted):
    s = scripted(lambda c, r: endless(
        c, b"HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n",
        b"y" * 65536))
    failed(get(s.url(), "--max-size", 1000), LIMIT)


# Redirects.

def test_endless_redirects(scripted):
    def handler(conn, req):
        n = int(req.split(b" ")[1].strip(b"/") or b"0")
        conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: /%d\r\n"
                     b"Content-Length: 0\r\nConnection: close\r\n\r\n"
                     % (n + 1))
    s = scripted(handler)
    failed(get("-L", s.url("/0")), "too many redirects")
    assert len(s.requests) == 11


def test_redirect_with_endless_body(scripted):
    def handler(conn, req):
        if req.startswith(b"GET /end "):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone")
            return
        endless(conn, b"HTTP/1.1 302 Found\r\nLocation: /end\r\n\r\n",
                b"r" * 65536)
    s = scripted(handler)
    r = get("-L", s.url("/start"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"done"


# Time.

def test_trickled_head_hits_timeout(scripted):
    head = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"s" * 1000 + b"\r\n\r\n"
    s = scripted(lambda c, r: trickle(c, head))
    failed(get(s.url(), "--timeout", "1"), "timed out")


def test_silent_server_hits_timeout(scripted):
    s = scripted(lambda c, r: time.sleep(5))
    failed(get(s.url(), "--timeout", "0.5"), "timed out")


def test_stalled_body_hits_timeout(scripted):
    def handler(conn, req):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
        time.sleep(5)
    s = scripted(handler)
    failed(get(s.url(), "--timeout", "0.5"), "timed out")


def test_trickled_body_hits_max_time(scripted):
    s = scripted(lambda c, r: trickle(
        c, b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"t" * 1000))
    failed(get(s.url(), "--max-time", "1"), "timed out")


@pytest.mark.parametrize("location", [b"http://[bad/", b"ht tp://x/",
                                      b"http://x:99999/"])
def test_unusable_location(scripted, location):
    s = scripted(lambda c, r: c.sendall(
        b"HTTP/1.1 302 Found\r\nLocation: " + location +
        b"\r\nContent-Length: 0\r\n\r\n"))
    failed(get("-L", s.url()), "unusable Location")
