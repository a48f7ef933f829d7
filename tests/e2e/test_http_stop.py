"""Graceful stop: on SIGTERM the server stops accepting, closes idle
connections, finishes the responses in flight, and exits 0."""
import signal
import socket

from httputil import serve, connect
from conftest import assert_clean_exit


def test_sigterm_finishes_response_in_flight(start_server, tmp_path):
    size = 64 * 1024 * 1024
    with open(tmp_path / "big.bin", "wb") as f:
        f.truncate(size)
    (tmp_path / "small.txt").write_bytes(b"hello")
    server, port = serve(start_server, str(tmp_path))
    # idle: between requests (a connection that never spoke is not handed
    # over by the kernel yet: the listener defers accepting it)
    idle = connect(port)
    idle.sendall(b"GET /small.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
    reply = b""
    while not reply.endswith(b"hello"):
        reply += idle.recv(4096)
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    c.connect(("127.0.0.1", port))
    c.sendall(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
    data = c.recv(65536)
    assert data.startswith(b"HTTP/1.1 200 OK")
    server.proc.send_signal(signal.SIGTERM)
    # the idle connection is closed at once
    idle.settimeout(10)
    assert idle.recv(10) == b""
    # the reply in flight completes
    c.settimeout(10)
    head, _, body = data.partition(b"\r\n\r\n")
    got = len(body)
    while True:
        chunk = c.recv(1 << 20)
        if not chunk:
            break
        got += len(chunk)
    assert (head + b"\r\n").find(b"Content-Length: %d\r\n" % size) > 0
    assert got == size
    assert_clean_exit(server, server.proc.wait(20))
    # nothing listens any more
    try:
        connect(port, timeout=2).close()
        refused = False
    except ConnectionRefusedError:
        refused = True
    assert refused
