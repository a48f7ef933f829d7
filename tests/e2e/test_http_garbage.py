"""Random and mutated requests, pipelined and cut anywhere: the server
answers each connection with well-formed responses or closes it, never
crashes (the sanitizers watch), and still serves a good request after."""
import random

from httputil import SITE, serve, raw, parse_all, assert_alive

GOOD = (b"GET /about.html HTTP/1.1\r\nHost: localhost\r\nRange: bytes=0-9\r\n"
        b"If-None-Match: \"x\"\r\nAccept-Encoding: gzip\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
ALPHABET = b"GET /%.:\r\n\t 0123456789abcdefHTTP/1.1Host-Length;=,\"*\x00\xff"


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(4)
        i = rng.randrange(len(data) + 1)
        if op == 0 and data:
            del data[min(i, len(data) - 1)]
        elif op == 1:
            data[i:i] = bytes([rng.choice(ALPHABET)])
        elif op == 2 and data:
            data[min(i, len(data) - 1)] = rng.randrange(256)
        else:
            j = rng.randrange(len(data) + 1)
            data[i:i] = data[j:j + rng.randint(1, 40)]
    return bytes(data)


def test_mutated_requests(start_server):
    server, port = serve(start_server, SITE, "--header-timeout", "2")
    rng = random.Random(9112)
    for n in range(300):
        data = b"".join(mutate(rng, GOOD) for _ in range(rng.randint(1, 3)))
        out = raw(port, data)
        for r in parse_all(out):
            assert r.version == "HTTP/1.1" and r.header("server") == "inetkit"
            assert 200 <= r.status < 600
        if n % 50 == 0:
            assert_alive(port)
    assert server.alive()
    assert_alive(port)


def test_random_bytes(start_server):
    server, port = serve(start_server, SITE, "--header-timeout", "2")
    rng = random.Random(9110)
    for _ in range(100):
        blob = bytes(rng.randrange(256) for _ in range(rng.randint(1, 3000)))
        out = raw(port, blob)
        assert out == b"" or out.startswith(b"HTTP/1.1 ")
    assert server.alive()
    assert_alive(port)
