"""How many TCP segments a client receives for a small reply. A reply the
server closes after leaves in one segment with the FIN, and the request is
acknowledged by the reply itself rather than by a segment of its own: with
Connection: close the client gets the handshake's answer and one segment,
where it used to get four (SYN-ACK, ACK, reply, FIN). Counted by the
kernel on the client's socket (TCP_INFO's tcpi_segs_in)."""
import socket
import struct

from httputil import connect, read_until_close, serve

SEGS_IN = 140	# offset of tcpi_segs_in in struct tcp_info (Linux 4.2+)


def segments_in(sock):
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 192)
    return struct.unpack_from("I", info, SEGS_IN)[0]


def test_close_reply_leaves_with_fin(start_server, tmp_path):
    (tmp_path / "1k.html").write_bytes(b"x" * 1024)
    _, port = serve(start_server, str(tmp_path))
    c = connect(port)
    c.sendall(b"GET /1k.html HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
              b"\r\n")
    raw = read_until_close(c)
    assert raw.startswith(b"HTTP/1.1 200") and raw.endswith(b"x" * 1024)
    assert segments_in(c) == 2	# SYN-ACK, then reply and FIN together
    c.close()


def test_first_request_acked_by_reply(start_server, tmp_path):
    (tmp_path / "1k.html").write_bytes(b"x" * 1024)
    _, port = serve(start_server, str(tmp_path))
    c = connect(port)
    for _ in range(2):
        before = segments_in(c)
        c.sendall(b"GET /1k.html HTTP/1.1\r\nHost: t\r\n\r\n")
        got = b""
        while not got.endswith(b"x" * 1024):
            chunk = c.recv(4096)
            assert chunk
            got += chunk
        assert got.startswith(b"HTTP/1.1 200")
        assert segments_in(c) - before == 1	# the reply, no bare ACK
    c.close()
