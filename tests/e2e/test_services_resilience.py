"""The services keep serving everyone else through abuse: clients that
vanish mid-stream, a UDP flood, 10,000 idle connections, the connection
cap, idle timeouts; and they stop gracefully on SIGTERM."""
import os
import resource
import signal
import socket
import time

from test_echo import echo_tcp


def udp_echo(port, payload=b"ping"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    for _ in range(5):
        s.sendto(payload, ("127.0.0.1", port))
        try:
            return s.recvfrom(2048)[0]
        except socket.timeout:
            continue
    return None


def test_client_vanishing_mid_stream(start_server):
    srv = start_server(["serve", "echo", "--listen", "127.0.0.1:0", "--tcp",
                        "--workers", "1"])
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", srv.port()))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
        try:
            s.sendall(os.urandom(1 << 20))
        except OSError:
            pass
        s.close()  # with linger 0: a reset while the server is writing
    assert echo_tcp(srv.port(), b"still here") == b"still here"
    assert srv.alive()


def test_udp_flood_does_not_stop_service(start_server):
    srv = start_server(["serve", "echo", "--listen", "127.0.0.1:0",
                        "--workers", "2"], expect=2)
    port = srv.port("udp")
    flood = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payload = os.urandom(1200)
    deadline = time.time() + 3
    sent = 0
    while sent < 100000 and time.time() < deadline:
        flood.sendto(payload, ("127.0.0.1", port))
        sent += 1
    flood.close()
    assert udp_echo(port) == b"ping"
    assert echo_tcp(srv.port(), b"tcp too") == b"tcp too"


def test_ten_thousand_idle_connections(start_server):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    srv = start_server(["serve", "echo", "--listen", "127.0.0.1:0", "--tcp",
                        "--workers", "2"])
    conns = []
    try:
        for _ in range(10000):
            conns.append(socket.create_connection(("127.0.0.1", srv.port()),
                                                  timeout=10))
        # Every one of them is live: a sample still echoes.
        for s in conns[::2500]:
            s.sendall(b"x")
            assert s.recv(1) == b"x"
        assert echo_tcp(srv.port(), b"newcomer") == b"newcomer"
    finally:
        for s in conns:
            s.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_connection_cap(start_server):
    srv = start_server(["serve", "echo", "--listen", "127.0.0.1:0", "--tcp",
                        "--workers", "1", "--max-conns", "3"])
    held = [socket.create_connection(("127.0.0.1", srv.port()), timeout=5)
            for _ in range(3)]
    for s in held:
        s.sendall(b"a")
        assert s.recv(1) == b"a"
    extra = socket.create_connection(("127.0.0.1", srv.port()), timeout=5)
    assert extra.recv(1) == b""  # closed at once: over the cap
    extra.close()
    held.pop().close()
    time.sleep(0.2)
    assert echo_tcp(srv.port(), b"room again") == b"room again"
    for s in held:
        s.close()


def test_idle_connection_is_closed(start_server):
    srv = start_server(["serve", "echo", "--listen", "127.0.0.1:0", "--tcp",
                        "--idle-timeout", "1"])
    s = socket.create_connection(("127.0.0.1", srv.port()), timeout=10)
    s.sendall(b"hi")
    assert s.recv(2) == b"hi"
    assert s.recv(1) == b""  # the server hung up after a second of silence
    s.close()


def test_sigterm_stops_promptly_with_clients_connected(start_server):
    srv = start_server(["serve", "echo", "--listen", "127.0.0.1:0",
                        "--workers", "2"], expect=2)
    idle = [socket.create_connection(("127.0.0.1", srv.port())) for _ in range(5)]
    srv.proc.send_signal(signal.SIGTERM)
    assert srv.proc.wait(10) == 0
    for s in idle:
        assert s.recv(1) == b""
        s.close()
