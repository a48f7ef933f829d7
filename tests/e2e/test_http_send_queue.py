"""A reply waits in the server until the client can take it, rather than
filling the kernel's send buffer ahead of it: a client that stops reading a
large file pins a few tens of KiB of the server's socket memory, not the
megabytes the send buffer grows to (TCP_NOTSENT_LOWAT). The queue is read
from /proc/net/tcp (tx_queue: bytes written and not yet acknowledged)."""
import socket
import time

from httputil import serve

SIZE = 10 * 1024 * 1024


def send_queue(server_port, client_port):
    """tx_queue of the server's side of the connection, or None."""
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            local, remote = fields[1], fields[2]
            if (int(local.split(":")[1], 16) == server_port and
                    int(remote.split(":")[1], 16) == client_port):
                return int(fields[4].split(":")[0], 16)
    return None


def test_stalled_reader_pins_little(start_server, tmp_path):
    data = bytes(range(256)) * (SIZE // 256)
    (tmp_path / "big.bin").write_bytes(data)
    _, port = serve(start_server, str(tmp_path))
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    c.settimeout(10)
    c.connect(("127.0.0.1", port))
    c.sendall(b"GET /big.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
              b"\r\n")
    me = c.getsockname()[1]
    peak = 0
    for _ in range(10):	# the client reads nothing for a second
        time.sleep(0.1)
        q = send_queue(port, me)
        assert q is not None
        peak = max(peak, q)
    assert peak < 256 * 1024, peak
    got = bytearray()
    while True:
        chunk = c.recv(1 << 20)
        if not chunk:
            break
        got += chunk
    c.close()
    head, _, body = bytes(got).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and body == data
