"""Helpers for the DNS tests: the bundled zone, starting `inetkit serve
dns` on port 0, and asking it with dnspython."""
import os
import socket
import struct

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

from conftest import ROOT

EXAMPLE_ZONE = os.path.join(ROOT, "examples/zones/example.test.zone")
ZONES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "zones")
OTHER_ZONE = os.path.join(ZONES, "other.test.zone")
REVERSE_ZONE = os.path.join(ZONES, "0.0.127.in-addr.arpa.zone")
SYNTAX_ZONE = os.path.join(ZONES, "syntax.test.zone")
ALL_ZONES = [EXAMPLE_ZONE, OTHER_ZONE, REVERSE_ZONE, SYNTAX_ZONE]


def serve_dns(start_server, zones=None, extra=(), workers=1):
    """Starts the name server on 127.0.0.1:0; returns (server, host, port).
    TCP and UDP share the port."""
    args = ["serve", "dns", "--listen", "127.0.0.1:0", "--workers", str(workers)]
    for z in zones or ALL_ZONES:
        args += ["--zone", z]
    srv = start_server(args + list(extra), expect=2)
    host, port = srv.addr("udp")
    assert srv.addr("tcp") == (host, port)
    return srv, host, port


def query(host, port, name, rdtype="A", tcp=False, edns=0, payload=1232,
          timeout=5, flags=None):
    """One question; returns the dnspython reply message."""
    q = dns.message.make_query(name, rdtype, use_edns=edns, payload=payload)
    if flags is not None:
        q.flags = flags
    if tcp:
        return dns.query.tcp(q, host, port=port, timeout=timeout)
    return dns.query.udp(q, host, port=port, timeout=timeout,
                         ignore_trailing=True)


def raw_udp(host, port, data, timeout=2):
    """Sends raw bytes; returns the reply bytes or None on timeout."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(data, (host, port))
        try:
            return s.recv(65535)
        except socket.timeout:
            return None


def raw_tcp(host, port, payload, timeout=3, half_close=True):
    """Sends bytes on a new TCP connection (then half-closes it, unless
    told not to) and reads until the server closes or goes quiet; returns
    what came back."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(payload)
        if half_close:
            s.shutdown(socket.SHUT_WR)
        got = b""
        try:
            while True:
                chunk = s.recv(65535)
                if not chunk:
                    break
                got += chunk
        except socket.timeout:
            pass
        return got


def frame(msg):
    return struct.pack("!H", len(msg)) + msg


def rcode_name(msg):
    return dns.rcode.to_text(msg.rcode())


def section_text(section):
    """A section as sorted lower-case record lines (names compare without
    regard to case, RFC 4343)."""
    lines = []
    for rrset in section:
        for line in rrset.to_text().splitlines():
            lines.append(line.lower())
    return sorted(lines)


def has_flag(msg, name):
    return bool(msg.flags & dns.flags.from_text(name))
