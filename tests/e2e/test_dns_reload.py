"""SIGHUP reloads the zones while queries keep being answered; a bad file
keeps the old data and says why on stderr."""
import os
import signal
import threading
import time

import dns.exception
import pytest

from dnsutil import query, serve_dns

ZONE = """$ORIGIN example.test.
$TTL 60
@ SOA ns1 admin %d 2 3 4 5
  NS ns1
ns1 A 127.0.0.1
www A %s
"""


def server_stderr(srv):
    """What the server wrote to stderr so far. pread leaves alone the file
    offset that the server shares with the test (seeking it, as
    Server.stderr() does, could make a concurrent write land mid-file)."""
    fd = srv.errfile.fileno()
    return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")


def www(host, port):
    return query(host, port, "www.example.test", "A").answer[0][0].address


def wait_for(pred, what, timeout=20, srv=None):
    deadline = time.time() + timeout
    while not pred():
        if time.time() > deadline:
            pytest.fail("timed out waiting for %s: %s"
                        % (what, server_stderr(srv) if srv else ""))
        time.sleep(0.05)


def test_dns_sighup_reloads_and_bad_file_keeps_old_data(start_server, tmp_path):
    zone = tmp_path / "example.test.zone"
    zone.write_text(ZONE % (1, "127.0.0.1"))
    srv, host, port = serve_dns(start_server, zones=[str(zone)], workers=2)
    assert www(host, port) == "127.0.0.1"

    zone.write_text(ZONE % (2, "127.0.0.9"))
    srv.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: www(host, port) == "127.0.0.9", "the new zone")
    wait_for(lambda: "reloaded 1 zone" in server_stderr(srv), "the reload message")

    zone.write_text(ZONE % (3, "127.0.0.10") + "bad A 1.2.3\n")
    srv.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "reload failed" in server_stderr(srv), "the failure message")
    assert "%s:7: A rdata: bad IPv4 address" % zone in server_stderr(srv)
    assert www(host, port) == "127.0.0.9"


def test_dns_reload_drops_no_query(start_server, tmp_path):
    zone = tmp_path / "example.test.zone"
    zone.write_text(ZONE % (1, "127.0.0.1"))
    srv, host, port = serve_dns(start_server, zones=[str(zone)], workers=2)
    failures, answers = [], []
    stop = threading.Event()

    def ask():
        while not stop.is_set() and len(answers) < 5000:
            try:
                answers.append(www(host, port))
            except dns.exception.Timeout as e:
                failures.append(e)

    t = threading.Thread(target=ask)
    t.start()
    for i in range(10):
        zone.write_text(ZONE % (i + 2, "127.0.0.%d" % (i + 2)))
        srv.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: server_stderr(srv).count("reloaded") == i + 1,
                 "reload %d" % i, srv=srv)
    stop.set()
    t.join(30)
    assert not failures
    assert answers and answers[-1] in {"127.0.0.%d" % n for n in range(2, 12)}
