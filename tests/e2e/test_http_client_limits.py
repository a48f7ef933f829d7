"""Limits per client of the web server: --rate PATH=N/s answers requests
over the rate with 429 and Retry-After (curl and Python's http.client
see it; other paths and other clients are unaffected; a keep-alive
connection survives it), and --max-conns-per-ip closes a client's
connections beyond N at once, over several workers, while another
client is served."""
import http.client
import socket
import subprocess
import time

import pytest

from conftest import assert_usage_error
from httputil import SITE, serve


def curl(port, path):
    """(status, Retry-After or '') of one GET with curl."""
    out = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w",
         "%{http_code} %header{retry-after}",
         "http://127.0.0.1:%d%s" % (port, path)],
        capture_output=True, text=True, timeout=30).stdout.split()
    return int(out[0]), out[1] if len(out) > 1 else ""


def test_rate_429_with_retry_after(start_server):
    srv, port = serve(start_server, SITE, "--rate", "/docs=2/s:2")
    got = [curl(port, "/docs/") for _ in range(6)]
    assert [s for s, _ in got[:2]] == [200, 200]
    assert (429, "1") in got[2:]
    # Other paths are not limited.
    assert all(curl(port, "/")[0] == 200 for _ in range(6))
    # "/docs" is one segment: "/docsx" is another path (404, not 429).
    assert curl(port, "/docsx")[0] == 404
    # After Retry-After, served again.
    time.sleep(1.1)
    assert curl(port, "/docs/")[0] == 200
    srv.stop()
    assert srv.stderr().count("limiting clients") == 1


def test_rate_keeps_the_connection_and_counts_per_client(start_server):
    _, port = serve(start_server, SITE, "--rate", "/=3/m:3",
                    "--workers", "2")
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    statuses = []
    for _ in range(5):
        c.request("GET", "/about.html")
        r = c.getresponse()
        r.read()
        statuses.append(r.status)
        if r.status == 429:
            assert 1 <= int(r.getheader("Retry-After")) <= 20
            assert r.getheader("Connection") != "close"
    assert statuses == [200, 200, 200, 429, 429]
    c.close()
    # A new connection (perhaps on the other worker) shares the bucket.
    assert curl(port, "/")[0] == 429
    # Another client address has its own.
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                   source_address=("127.0.0.2", 0))
    c.request("GET", "/")
    assert c.getresponse().status == 200
    c.close()


def held_connection(port, src="127.0.0.1"):
    """A connection that got a response (so the server has counted it)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10,
                                 source_address=(src, 0))
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert s.recv(12) == b"HTTP/1.1 200"
    return s


def refused(port, src="127.0.0.1"):
    with socket.create_connection(("127.0.0.1", port), timeout=10,
                                  source_address=(src, 0)) as s:
        try:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            return s.recv(100) == b""
        except ConnectionResetError:
            return True


def test_max_conns_per_ip(start_server):
    srv, port = serve(start_server, SITE, "--max-conns-per-ip", "3",
                      "--workers", "2")
    held = [held_connection(port) for _ in range(3)]
    try:
        # The fourth, on whichever worker, is closed at once...
        assert refused(port)
        assert refused(port)
        # ...while another client is served.
        other = held_connection(port, src="127.0.0.2")
        other.close()
    finally:
        for s in held[1:]:
            s.close()
    # Once the server has seen the closes, the client may connect again.
    for _ in range(100):
        if not refused(port):
            break
        time.sleep(0.05)
    else:
        pytest.fail("never let in again")
    held[0].close()
    srv.stop()
    assert "connections refused" in srv.stderr()


@pytest.mark.parametrize("args", [
    ["--max-conns-per-ip", "0"], ["--max-conns-per-ip", "x"],
    ["--rate", "api=1/s"], ["--rate", "/api=1/h"], ["--rate", "/api=0/s"],
    ["--rate", "/api=1/s:0"],
])
def test_limit_bad_arguments(args):
    assert_usage_error(["serve", "http", "--root", SITE,
                        "--listen", "127.0.0.1:0"] + args)


def test_rate_limits_programs_too(start_server, tmp_path):
    """A --rate rule covers CGI scripts as it covers files, and a request
    with a body over the rate gets its 429 and the connection closes
    (its body is not read)."""
    from cgiutil import cgi_server
    script = "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nran\\n'\n"
    _, port = cgi_server(start_server, tmp_path, {"hello": script},
                         "--rate", "/cgi-bin=2/m:2")
    statuses = [curl(port, "/cgi-bin/hello")[0] for _ in range(3)]
    assert statuses == [200, 200, 429]
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("POST", "/cgi-bin/hello", body=b"x" * 100000)
    r = c.getresponse()
    assert r.status == 429 and r.getheader("Connection") == "close"
    r.read()
    c.close()


def proxied_connection(port, client):
    """A connection from the balancer (127.0.0.1) relaying client by a
    PROXY v1 header, with one request answered (so it is counted)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"PROXY TCP4 %s 127.0.0.1 40000 80\r\n" % client.encode() +
              b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    return s


def test_max_conns_per_ip_behind_a_balancer(start_server):
    """With --proxy-protocol the limit counts the clients the balancer
    relays, not the balancer, whose own connections are many."""
    srv, port = serve(start_server, SITE, "--proxy-protocol",
                      "--proxy-from", "127.0.0.0/8",
                      "--max-conns-per-ip", "2")
    held = []
    try:
        for client in ("192.0.2.1", "192.0.2.1", "192.0.2.2", "192.0.2.3"):
            s = proxied_connection(port, client)
            assert s.recv(12) == b"HTTP/1.1 200"
            held.append(s)
        # a third connection of 192.0.2.1 is closed at once
        s = proxied_connection(port, "192.0.2.1")
        try:
            assert s.recv(100) == b""
        except ConnectionResetError:
            pass
        s.close()
        # closing one of its two lets it in again
        held[0].close()
        for _ in range(100):
            s = proxied_connection(port, "192.0.2.1")
            try:
                if s.recv(12) == b"HTTP/1.1 200":
                    break
            except ConnectionResetError:
                pass
            finally:
                s.close()
            time.sleep(0.05)
        else:
            pytest.fail("192.0.2.1 never let in again")
    finally:
        for s in held:
            s.close()
