"""serve dns holds TCP and UDP on the same port: with port 0 it finds a
port free for both; with a given port whose UDP twin is taken it fails
before announcing anything."""
import os
import socket

from conftest import ROOT, run

ZONE = os.path.join(ROOT, "examples/zones/example.test.zone")


def test_port_zero_gives_one_port_for_both(start_server):
    for _ in range(3):
        srv = start_server(["serve", "dns", "--zone", ZONE, "--listen",
                            "127.0.0.1:0", "--workers", "1"], expect=2)
        assert srv.port("tcp") == srv.port("udp")


def test_taken_udp_port_fails_without_a_listening_line():
    held = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    held.bind(("127.0.0.1", 0))
    port = held.getsockname()[1]
    try:
        r = run(["serve", "dns", "--zone", ZONE, "--listen", "127.0.0.1:%d" % port])
    finally:
        held.close()
    assert r.returncode == 1
    assert b"cannot listen on 127.0.0.1:%d" % port in r.stderr
    assert b"listening" not in r.stdout
