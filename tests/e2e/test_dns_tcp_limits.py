"""TCP limits of the name server: a cap on connections and an idle
timeout; neither stops the server from answering afterwards."""
import socket
import time

from dnsutil import query, serve_dns


def test_dns_connection_cap(start_server):
    _, host, port = serve_dns(start_server, extra=["--max-conns", "2"])
    held = [socket.create_connection((host, port), timeout=5) for _ in range(2)]
    try:
        # Both held connections are accepted before the next one comes.
        for s in held:
            s.sendall(b"\x00")
        query(host, port, "www.example.test", "A")  # UDP still answers
        extra = socket.create_connection((host, port), timeout=10)
        assert extra.recv(10) == b""  # over the cap: closed at once
        extra.close()
    finally:
        for s in held:
            s.close()
    # The server notices the two closes on its own time: until then a new
    # connection may still be over the cap, so ask until one gets in.
    for _ in range(100):
        try:
            r = query(host, port, "www.example.test", "A", tcp=True)
            break
        except (ConnectionResetError, EOFError):
            time.sleep(0.05)
    assert r.answer


def test_dns_idle_connection_is_closed(start_server):
    _, host, port = serve_dns(start_server, extra=["--idle-timeout", "1"])
    with socket.create_connection((host, port), timeout=15) as s:
        assert s.recv(10) == b""
    assert query(host, port, "www.example.test", "A", tcp=True).answer
