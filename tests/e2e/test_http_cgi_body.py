"""Request bodies to CGI scripts and their output back: Content-Length
and chunked uploads from 0 bytes to 100 MiB (streamed, never held whole),
a script that never reads its input, a large output, and back-pressure
from a client that stops reading."""
import hashlib
import http.client
import os
import socket
import subprocess
import time

from cgiutil import cgi_server
from httputil import connect

SUM = """#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
echo "length=${CONTENT_LENGTH-none}"
echo "sum=$(sha256sum | cut -d' ' -f1)"
"""
DEAF = """#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\nnot listening\\n'
"""
BIG = """#!/bin/sh
printf 'Content-Type: application/octet-stream\\r\\n\\r\\n'
dd if=/dev/zero bs=65536 count=${QUERY_STRING} 2>/dev/null
echo done > "${PWD}/../big.done"
"""


def post(port, path, body, headers=None, chunk=1 << 20):
    """POSTs body (bytes or (size, byte) for a generated one) with
    http.client; returns (status, text)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    h = dict(headers or {})
    if isinstance(body, tuple):
        size, byte = body
        h["Content-Length"] = str(size)

        def gen():
            left = size
            block = byte * chunk
            while left:
                n = min(left, chunk)
                yield block[:n]
                left -= n
        c.request("POST", path, gen(), h)
    else:
        c.request("POST", path, body, h)
    r = c.getresponse()
    data = r.read().decode()
    c.close()
    return r.status, data


def test_empty_and_small_bodies(start_server, tmp_path):
    _, port = cgi_server(start_server, tmp_path, {"sum": SUM})
    for body in (b"", b"x", b"hello world\n" * 1000):
        status, text = post(port, "/cgi-bin/sum", body)
        assert status == 200
        assert "length=%d" % len(body) in text
        assert "sum=" + hashlib.sha256(body).hexdigest() in text


def test_hundred_mib_streamed(start_server, tmp_path):
    size = 100 << 20
    _, port = cgi_server(start_server, tmp_path, {"sum": SUM},
                         "--max-body", str(200 << 20))
    status, text = post(port, "/cgi-bin/sum", (size, b"z"))
    assert status == 200
    assert "length=%d" % size in text
    assert "sum=" + hashlib.sha256(b"z" * size).hexdigest() in text


def test_chunked_upload_gets_content_length(start_server, tmp_path):
    _, port = cgi_server(start_server, tmp_path, {"sum": SUM},
                         "--max-body", str(16 << 20))
    data = os.urandom(3 << 20)
    f = tmp_path / "up.bin"
    f.write_bytes(data)
    out = subprocess.run(
        ["curl", "-s", "-H", "Transfer-Encoding: chunked",
         "--data-binary", "@%s" % f,
         "http://127.0.0.1:%d/cgi-bin/sum" % port],
        capture_output=True, timeout=60).stdout.decode()
    assert "length=%d" % len(data) in out
    assert "sum=" + hashlib.sha256(data).hexdigest() in out


def test_chunked_upload_too_large(start_server, tmp_path):
    _, port = cgi_server(start_server, tmp_path, {"sum": SUM},
                         "--max-body", "1000")
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    c.request("POST", "/cgi-bin/sum", iter([b"a" * 600, b"b" * 600]))
    assert c.getresponse().status == 413
    status, _ = post(port, "/cgi-bin/sum", b"c" * 1001)
    assert status == 413


def test_script_that_never_reads(start_server, tmp_path):
    _, port = cgi_server(start_server, tmp_path, {"deaf": DEAF},
                         "--max-body", str(16 << 20))
    status, text = post(port, "/cgi-bin/deaf", (4 << 20, b"q"))
    assert status == 200 and text == "not listening\n"
    # and the server goes on serving
    status, text = post(port, "/cgi-bin/deaf", b"")
    assert status == 200


def test_large_output(start_server, tmp_path):
    _, port = cgi_server(start_server, tmp_path, {"big": BIG})
    n = 16384     # blocks of 64 KiB: 1 GiB
    out = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
         "http://127.0.0.1:%d/cgi-bin/big?%d" % (port, n)],
        capture_output=True, timeout=300).stdout.decode()
    assert out == "200 %d" % (n * 65536)


def test_output_waits_for_a_slow_client(start_server, tmp_path):
    """The script blocks while the client does not read: its output is not
    piled up in the server."""
    _, port = cgi_server(start_server, tmp_path, {"big": BIG})
    done = tmp_path / "big.done"
    c = connect(port, timeout=60)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    c.sendall(b"GET /cgi-bin/big?3200 HTTP/1.1\r\nHost: x\r\n\r\n")
    c.recv(65536)
    time.sleep(1.5)
    # 200 MiB cannot fit in socket buffers and one 64 KiB round
    assert not done.exists()
    total = 0
    while True:
        b = c.recv(1 << 20)
        total += len(b)
        if not b or b.endswith(b"0\r\n\r\n"):
            break
    c.close()
    assert total > 3200 * 65536 - (1 << 20)
    deadline = time.time() + 10
    while not done.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert done.exists()


def test_keep_alive_across_scripts(start_server, tmp_path):
    _, port = cgi_server(start_server, tmp_path, {"sum": SUM})
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    for i in range(5):
        c.request("POST", "/cgi-bin/sum", b"x" * i)
        r = c.getresponse()
        assert r.status == 200
        assert r.getheader("Transfer-Encoding") == "chunked"
        assert "length=%d" % i in r.read().decode()
    c.close()


def test_pipelined_after_scripts(start_server, tmp_path):
    """Requests sent behind a script's request (with and without a body)
    are answered in order once its reply is out."""
    _, port = cgi_server(start_server, tmp_path, {"sum": SUM})
    (tmp_path / "www" / "f.txt").write_text("file\n")
    c = connect(port)
    c.sendall(b"POST /cgi-bin/sum HTTP/1.1\r\nHost: x\r\n"
              b"Content-Length: 5\r\n\r\nhello"
              b"GET /cgi-bin/sum HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /f.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        b = c.recv(65536)
        if not b:
            break
        data += b
    c.close()
    assert data.count(b"HTTP/1.1 200 OK") == 3
    first = data.index(b"length=5")
    second = data.index(b"length=none")
    assert first < second < data.index(b"file\n")
    assert ("sum=" + hashlib.sha256(b"hello").hexdigest()).encode() in data
