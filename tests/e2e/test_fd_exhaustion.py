"""Descriptors run out (RLIMIT_NOFILE lowered under the running server):
the connections already open keep being served, new clients wait in the
listen queue instead of being dropped, the server says so once (not once
per retry), and once descriptors are freed the waiting clients are
served. For the web server and the name server's TCP side."""
import os
import resource
import socket
import struct
import time

import dns.message

from dnsutil import serve_dns
from httputil import SITE, serve

REQUEST = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def http_response(s):
    """Reads one response to GET / (the site's index) whole."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        assert chunk, data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int([l for l in head.split(b"\r\n")
                  if l.lower().startswith(b"content-length:")][0]
                 .split(b":")[1])
    while len(body) < length:
        body += s.recv(65536)
    return head.split(b"\r\n")[0]


def test_http_out_of_descriptors(start_server):
    srv, port = serve(start_server, SITE)
    pid = srv.proc.pid
    limit = open_fds(pid) + 8
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (limit, limit))
    conns = [socket.create_connection(("127.0.0.1", port), timeout=20)
             for _ in range(30)]
    try:
        for s in conns:
            s.sendall(REQUEST)
        # The first ones are served: their descriptors were free.
        first = conns[:4]
        for s in first:
            assert http_response(s) == b"HTTP/1.1 200 OK"
            s.sendall(REQUEST)  # and they stay served
            assert http_response(s) == b"HTTP/1.1 200 OK"
        for s in first:
            s.close()
        # Every other one is served in turn as descriptors free up:
        # none is dropped.
        for s in conns[4:]:
            assert http_response(s) == b"HTTP/1.1 200 OK"
            s.close()
    finally:
        for s in conns:
            s.close()
    # The server sees the last closes on its own time, then says once
    # that the shortage is over.
    deadline = time.time() + 10
    while "every waiting client accepted" not in srv.stderr():
        assert time.time() < deadline, srv.stderr()
        time.sleep(0.05)
    err = srv.stderr()
    assert err.count("new clients wait until descriptors are freed") == 1
    assert err.count("every waiting client accepted") == 1
    assert srv.alive()


def test_dns_tcp_out_of_descriptors(start_server):
    srv, host, port = serve_dns(start_server)
    pid = srv.proc.pid
    limit = open_fds(pid) + 4
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (limit, limit))
    q = dns.message.make_query("www.example.test", "A").to_wire()
    conns = [socket.create_connection((host, port), timeout=20)
             for _ in range(12)]
    try:
        for s in conns:
            s.sendall(struct.pack("!H", len(q)) + q)
        for s in conns:
            n = struct.unpack("!H", s.recv(2, socket.MSG_WAITALL))[0]
            r = dns.message.from_wire(s.recv(n, socket.MSG_WAITALL))
            assert r.answer
            s.close()  # frees the server's descriptor for the next
    finally:
        for s in conns:
            s.close()
    assert srv.stderr().count("new clients wait") == 1
