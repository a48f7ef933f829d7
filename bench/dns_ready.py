#!/usr/bin/python3
"""bench/dns_ready.py: waits until a name server answers for a zone.

    bench/dns_ready.py PORT ZONE TIMEOUT

Prints "armed" first (so that the caller starts the server after the
probe is running, and Python's start-up is not counted), then asks
127.0.0.1:PORT for ZONE's SOA over UDP every 2 ms until a reply
comes that is authoritative, NOERROR, with an answer (a server that is
still loading answers SERVFAIL or REFUSED, or not at all). Prints the
wall-clock time of that reply (seconds since the epoch) and exits 0; exits
1 after TIMEOUT seconds without one. bench/dns.sh subtracts the time it
started the server: the zone load time, as time to first answer.
"""
import select
import socket
import struct
import sys
import time


def query(zone, qid):
    name = b"".join(bytes([len(label)]) + label.encode()
                    for label in zone.strip(".").split(".")) + b"\0"
    return struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + name + \
        struct.pack(">HH", 6, 1)


def good(reply):
    """Any of our queries answered (a late reply to an earlier one
    counts: only this socket asks)."""
    if len(reply) < 12:
        return False
    _, flags, _, ancount = struct.unpack(">HHHH", reply[:8])
    return flags & 0x8000 and flags & 0x0400 and flags & 0xF == 0 and \
        ancount > 0


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: bench/dns_ready.py PORT ZONE TIMEOUT\n")
        return 2
    port, zone, limit = int(argv[1]), argv[2], float(argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    end = time.monotonic() + limit
    qid = 1
    print("armed", flush=True)
    while time.monotonic() < end:
        qid = qid % 65535 + 1
        try:
            s.sendto(query(zone, qid), ("127.0.0.1", port))
        except OSError:
            pass
        deadline = time.monotonic() + 0.002
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([s], [], [], left)[0]:
                break
            try:
                reply = s.recv(4096)
            except OSError:
                break
            if good(reply):
                print(f"{time.time():.6f}")
                return 0
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
