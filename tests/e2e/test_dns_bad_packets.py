"""Hostile and broken messages: compression loops, forward and
out-of-range pointers, labels over 63 bytes, names over 255, truncated
headers, random bytes, a TCP length prefix that lies. The server answers
FORMERR or drops the message, and the next good query is answered."""
import random
import socket
import struct

import dns.message
import dns.rcode

from dnsutil import frame, query, raw_tcp, raw_udp, serve_dns

HDR = struct.pack("!HHHHHH", 0x4242, 0, 1, 0, 0, 0)


def question(name_bytes):
    return HDR + name_bytes + b"\x00\x01\x00\x01"


BAD_QUESTIONS = {
    "pointer to itself": b"\xc0\x0c",
    "compression loop through a label": b"\x01a\xc0\x0c",
    "pointer forward": b"\xc0\x0e\x00",
    "pointer out of range": b"\xc0\xff",
    "pointer into the header": b"\xc0\x02",
    "label over 63 bytes": b"\x40" + b"x" * 64 + b"\x00",
    "extended label type": b"\x81a\x00",
    "name over 255 bytes": (b"\x3f" + b"y" * 63) * 4 + b"\x00",
    "name cut short": b"\x05ab",
}


def assert_formerr(reply, what):
    assert reply is not None, what + ": no reply"
    assert reply[:2] == b"\x42\x42", what
    assert reply[2] & 0x80, what                      # QR
    assert reply[3] & 15 == dns.rcode.FORMERR, what


def assert_still_serving(host, port):
    r = query(host, port, "www.example.test", "A")
    assert r.rcode() == 0 and r.answer


def test_dns_malformed_names_get_formerr_over_udp(start_server):
    _, host, port = serve_dns(start_server)
    for what, name in BAD_QUESTIONS.items():
        assert_formerr(raw_udp(host, port, question(name)), what)
        assert_still_serving(host, port)


def test_dns_malformed_names_get_formerr_over_tcp(start_server):
    _, host, port = serve_dns(start_server)
    for what, name in BAD_QUESTIONS.items():
        got = raw_tcp(host, port, frame(question(name)), timeout=2)
        assert len(got) >= 14, what
        assert struct.unpack("!H", got[:2])[0] == len(got) - 2
        assert_formerr(got[2:], what)
    assert_still_serving(host, port)


def test_dns_truncated_and_trailing_messages(start_server):
    _, host, port = serve_dns(start_server)
    good = dns.message.make_query("www.example.test", "A", use_edns=False)
    good.id = 0x4242
    wire = good.to_wire()
    for cut in (1, 5, 11):          # not even a header: dropped
        assert raw_udp(host, port, wire[:cut], timeout=0.5) is None
        assert_still_serving(host, port)
    for cut in range(12, len(wire)):  # a header, a broken question
        assert_formerr(raw_udp(host, port, wire[:cut]), "cut at %d" % cut)
    assert_formerr(raw_udp(host, port, wire + b"junk"), "trailing bytes")
    bad_opt = wire[:11] + b"\x01" + wire[12:] + b"\x01a\x00\x00\x29\x04\xd0" + b"\x00" * 6
    assert_formerr(raw_udp(host, port, bad_opt), "OPT not owned by the root")
    two_opts = wire[:11] + b"\x02" + wire[12:] + (b"\x00\x00\x29\x04\xd0" + b"\x00" * 6) * 2
    assert_formerr(raw_udp(host, port, two_opts), "two OPT records")
    assert_still_serving(host, port)


def test_dns_responses_are_not_answered(start_server):
    _, host, port = serve_dns(start_server)
    wire = bytearray(question(b"\x03www\x07example\x04test\x00"))
    wire[2] |= 0x80
    assert raw_udp(host, port, bytes(wire), timeout=0.5) is None
    assert_still_serving(host, port)


def test_dns_random_bytes(start_server):
    _, host, port = serve_dns(start_server)
    rnd = random.Random(1035)
    asked = set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for i in range(300):
            size = rnd.choice([0, 3, 12, 13, 30, 100, 512, 1500])
            data = bytes(rnd.getrandbits(8) for _ in range(size))
            if i % 2 and size >= 12:
                data = data[:4] + b"\x00\x01" + data[6:]  # look like a query
            if size >= 12 and not data[2] & 0x80:
                asked.add(data[:2])
            s.sendto(data, (host, port))
        s.settimeout(1)
        try:
            while True:
                reply = s.recv(65535)
                # Only messages with a header and not themselves replies
                # are answered, and every answer is a reply to one of them.
                assert len(reply) >= 12 and reply[2] & 0x80
                assert reply[:2] in asked
        except socket.timeout:
            pass
    assert_still_serving(host, port)


def test_dns_tcp_length_prefix_that_lies(start_server):
    _, host, port = serve_dns(start_server, extra=["--idle-timeout", "1"])
    wire = question(b"\x03www\x07example\x04test\x00")
    # Longer than what follows, then silence: the idle timeout closes it.
    assert raw_tcp(host, port, struct.pack("!H", 200) + wire, timeout=15,
                   half_close=False) == b""
    # Longer than what follows, then the client closes: nothing to answer.
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(struct.pack("!H", 500) + wire)
        s.shutdown(socket.SHUT_WR)
        assert s.recv(100) == b""
    # Zero, or shorter than a header: the connection is closed.
    assert raw_tcp(host, port, b"\x00\x00" + frame(wire), timeout=5,
                   half_close=False) == b""
    assert raw_tcp(host, port, b"\x00\x03abc" + frame(wire), timeout=5,
                   half_close=False) == b""
    # Shorter than the message: the rest is read as the next length.
    got = raw_tcp(host, port, struct.pack("!H", 20) + wire, timeout=3)
    assert_formerr(got[2:], "cut by the prefix")
    assert_still_serving(host, port)
    r = query(host, port, "www.example.test", "A", tcp=True)
    assert r.answer
