#!/usr/bin/python3
"""bench/http_flood.py PORT ATTACK COUNT SECONDS: one flood against the
web server on 127.0.0.1:PORT while a well-behaved client measures it.

ATTACK is idle (COUNT connections opened and left silent), slowloris
(COUNT connections sending a header line every 2 s, never ending the
head) or slowread (COUNT connections asking for /big.bin and never
reading). The attackers come from 127.0.0.2-127.0.0.9 (so that the
loopback's ephemeral ports suffice); the well-behaved client, from
127.0.0.1, opens a new connection for GET /small.html every 20 ms with a
2 s timeout: 5 s before the flood, SECONDS during it, 5 s after it
(attack sockets closed). Prints one line:
  p99_before_ms p99_during_ms p99_after_ms failed_during opened
where failed counts requests without a 200 within 2 s, and opened the
attack connections the server accepted (connect() succeeded)."""
import resource
import socket
import sys
import threading
import time

PORT, ATTACK, COUNT, SECONDS = (int(sys.argv[1]), sys.argv[2],
                                int(sys.argv[3]), float(sys.argv[4]))


def probe(seconds):
    """Latencies (ms) of good requests and the count that failed."""
    lat, failed = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.monotonic()
        try:
            with socket.create_connection(("127.0.0.1", PORT),
                                          timeout=2) as s:
                s.sendall(b"GET /small.html HTTP/1.1\r\nHost: x\r\n"
                          b"Connection: close\r\n\r\n")
                data = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            if data.startswith(b"HTTP/1.1 200"):
                lat.append((time.monotonic() - t0) * 1000)
            else:
                failed += 1
        except OSError:
            failed += 1
        time.sleep(max(0, 0.02 - (time.monotonic() - t0)))
    return lat, failed


def p99(lat):
    if not lat:
        return float("nan")
    lat = sorted(lat)
    return lat[min(len(lat) - 1, int(len(lat) * 0.99))]


def attack(socks, stop):
    """Opens COUNT attack connections into socks, then keeps them as the
    attack wants until stop is set."""
    for i in range(COUNT):
        if stop.is_set():
            return
        src = "127.0.0.%d" % (2 + i % 8)
        s = socket.socket()
        try:
            s.bind((src, 0))
            if ATTACK == "slowread":
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.settimeout(2)
            s.connect(("127.0.0.1", PORT))
            s.setblocking(False)
            if ATTACK == "slowloris":
                s.send(b"GET /small.html HTTP/1.1\r\nHost: x\r\n")
            elif ATTACK == "slowread":
                s.send(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            socks.append(s)
        except OSError:
            s.close()
    n = 0
    while not stop.wait(2):
        if ATTACK != "slowloris":
            continue
        n += 1
        for s in socks:
            try:
                s.send(b"X-Slow-%d: y\r\n" % n)
            except OSError:
                pass


def main():
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    before, _ = probe(5)
    socks, stop = [], threading.Event()
    t = threading.Thread(target=attack, args=(socks, stop))
    t.start()
    during, failed = probe(SECONDS)
    stop.set()
    t.join()
    opened = len(socks)
    for s in socks:
        s.close()
    time.sleep(1)
    after, _ = probe(5)
    print("%.1f %.1f %.1f %d %d" % (p99(before), p99(during), p99(after),
                                     failed, opened))


main()
