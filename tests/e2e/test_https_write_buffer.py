"""The server's TLS write buffer (net_tls's tls_out: records gathered four
to a send, a write reported only once its records are on the socket):
a slow reader with a small receive buffer gets every byte of a large file
in order, and the next request on the same connection is answered (no
byte lost or sent twice across the waits for a full socket)."""
import hashlib
import os
import socket
import time

from tlsutil import context, make_ca, make_leaf, serve_tls


def read_exact(c, n):
    out = bytearray()
    while len(out) < n:
        chunk = c.recv(min(65536, n - len(out)))
        assert chunk, "closed after %d of %d bytes" % (len(out), n)
        out += chunk
    return bytes(out)


def read_head(c):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = c.recv(1)
        assert chunk
        data += chunk
    return data


def test_slow_reader_gets_every_byte_then_the_next_answer(start_server, tmp_path):
    ca = make_ca(tmp_path)
    leaf = make_leaf(tmp_path, ca, "leaf")
    root = tmp_path / "root"
    root.mkdir()
    big = os.urandom(4 << 20) + b"end"
    (root / "big.bin").write_bytes(big)
    (root / "small.txt").write_bytes(b"small\n")
    _, port = serve_tls(start_server, leaf, root=str(root))
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    raw.settimeout(30)
    raw.connect(("127.0.0.1", port))
    c = context(ca).wrap_socket(raw, server_hostname="localhost")
    c.sendall(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
    head = read_head(c)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nContent-Length: %d\r\n" % len(big) in head
    got = bytearray()
    while len(got) < len(big):
        if len(got) < (1 << 20):
            time.sleep(0.002)   # the server's socket fills meanwhile
        got += read_exact(c, min(16384, len(big) - len(got)))
    assert hashlib.sha256(got).digest() == hashlib.sha256(big).digest()
    c.sendall(b"GET /small.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
    head = read_head(c)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n"), head
    assert read_exact(c, 6) == b"small\n"
    c.close()
