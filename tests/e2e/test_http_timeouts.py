"""Slow clients are dropped while everyone else keeps being served: a head
must arrive within --header-timeout (slowloris), a reply must progress
within --send-timeout (slow readers), an idle keep-alive connection lasts
--idle-timeout; --max-conns caps connections."""
import socket
import subprocess
import time

from httputil import SITE, serve, connect, assert_alive, get, parse_one, wait_closed


def server_side_open(port):
    """Established connections whose local port is the server's."""
    out = subprocess.run(["ss", "-Htn", "state", "established",
                          "( sport = :%d )" % port], capture_output=True,
                         text=True).stdout
    return len([l for l in out.splitlines() if l.strip()])


def test_slowloris_dropped(start_server):
    _, port = serve(start_server, SITE, "--header-timeout", "500ms")
    c = connect(port)
    c.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
    closed = False
    for i in range(100):  # a byte every 0.1 s: never a whole head
        if i == 2:
            assert_alive(port)
        try:
            c.sendall(b"X")
            c.settimeout(0.1)
            if c.recv(1) == b"":
                closed = True
                break
        except socket.timeout:
            continue
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
    assert closed, "slowloris connection was kept"
    assert_alive(port)


def test_silent_connection_dropped(start_server):
    _, port = serve(start_server, SITE, "--header-timeout", "300ms")
    c = connect(port)
    assert wait_closed(c) == b""
    assert_alive(port)


def test_idle_keep_alive_dropped(start_server):
    _, port = serve(start_server, SITE, "--idle-timeout", "300ms")
    c = connect(port)
    c.sendall(b"GET /about.html HTTP/1.1\r\nHost: localhost\r\n\r\n")
    data = wait_closed(c)
    r, rest = parse_one(data)
    assert r.status == 200 and rest == b""


def test_slow_reader_dropped(start_server, tmp_path):
    size = 200 * 1024 * 1024
    with open(tmp_path / "big.bin", "wb") as f:
        f.truncate(size)  # sparse: no disk used
    _, port = serve(start_server, str(tmp_path), "--send-timeout", "500ms")
    (tmp_path / "index.html").write_text("ok\n")
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.connect(("127.0.0.1", port))
    c.sendall(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
    c.recv(100)  # the reply started
    for _ in range(100):  # never read: the server must give up
        if server_side_open(port) == 0:
            break
        assert get(port, "/index.html").status == 200
        time.sleep(0.1)
    assert server_side_open(port) == 0, "slow reader was kept"
    c.settimeout(10)
    got = 0
    try:
        while True:
            chunk = c.recv(1 << 20)
            if not chunk:
                break
            got += len(chunk)
    except (ConnectionResetError, socket.timeout):
        pass
    assert got < size
    assert get(port, "/index.html").status == 200


def test_max_conns(start_server):
    _, port = serve(start_server, SITE, "--max-conns", "2")
    a, b = connect(port), connect(port)
    # both held once a request was answered on each: with TCP_DEFER_ACCEPT
    # the kernel hands a connection over when its first bytes arrive (or
    # about a second later), so a silent one may be accepted after the
    # third and take its place
    for c in (a, b):
        c.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        r = None
        data = b""
        while r is None:
            data += c.recv(65536)
            r, _ = parse_one(data)
    third = connect(port)
    third.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert wait_closed(third) == b""
    b.close()
    for _ in range(100):  # the server notices b's close, then has room
        c = connect(port)
        c.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        data = wait_closed(c)
        if data:
            assert data.startswith(b"HTTP/1.1 200 OK")
            break
        time.sleep(0.05)
    else:
        raise AssertionError("no room after a connection closed")
