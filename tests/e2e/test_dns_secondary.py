"""`serve dns --secondary`: inetkit as a secondary of inetkit (NOTIFY,
IXFR, AXFR, TSIG, --zone-dir, expire), and of a primary that sends bad
transfers, which must change nothing."""
import os
import socket
import struct
import threading
import time

import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rrset
import pytest

from xfrutil import (KEY, KEY_NAME, KEYRING, ORIGIN, ask, axfr, answer_text,
                     same_answers, serial_of, wait_for, write_zone,
                     zone_records)


def start_primary(start_server, path, serial, extra_args=(), **kw):
    write_zone(path, serial, **kw)
    return start_server(["serve", "dns", "--listen", "127.0.0.1:0",
                         "--workers", "2", "--zone", path] + list(extra_args),
                        expect=2)


def start_secondary(start_server, zdir, primary_port, key=True, extra=()):
    spec = "%s@127.0.0.1:%d" % (ORIGIN, primary_port)
    args = ["serve", "dns", "--listen", "127.0.0.1:0", "--workers", "2",
            "--zone-dir", zdir, "--allow-transfer", "127.0.0.1"]
    if key:
        args += ["--tsig-key", KEY]
        spec += "/" + KEY_NAME
    return start_server(args + ["--secondary", spec] + list(extra), expect=2)


def hup(srv, path, serial, **kw):
    write_zone(path, serial, **kw)
    before = srv.stderr().count("reloaded")
    srv.proc.send_signal(1)
    wait_for(lambda: srv.stderr().count("reloaded") > before, 10, 0.05,
             "the reload")


NAMES = [ORIGIN, "ns1." + ORIGIN, "mail." + ORIGIN, "txt." + ORIGIN,
         "alias." + ORIGIN, "h1." + ORIGIN, "h7." + ORIGIN,
         "new." + ORIGIN, "nothere." + ORIGIN]


def test_secondary_follows_its_primary_by_notify(start_server, tmp_path):
    zdir = str(tmp_path / "zones")
    os.mkdir(zdir)
    path = str(tmp_path / "primary.zone")
    # The secondary starts first: nothing to serve yet (SERVFAIL).
    write_zone(path, 1)
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    pport = probe.getsockname()[1]
    probe.close()
    sec = start_secondary(start_server, zdir, pport)
    sport = sec.port("udp")
    assert ask(sport, "h1." + ORIGIN).rcode() == dns.rcode.SERVFAIL
    prim = start_server(["serve", "dns", "--listen", "127.0.0.1:%d" % pport,
                         "--workers", "2", "--zone", path, "--tsig-key", KEY,
                         "--allow-transfer", "key:" + KEY_NAME, "--notify",
                         "127.0.0.1:%d/%s" % (sport, KEY_NAME)], expect=2)
    # NOTIFY at the primary's start brings the zone over.
    wait_for(lambda: serial_of(sport) == 1, 20, what="the first transfer")
    assert same_answers(pport, sport, NAMES) == []
    # A change reaches the secondary by NOTIFY and IXFR.
    hup(prim, path, 2, extra=["new A 192.0.2.7"], n=19)
    wait_for(lambda: serial_of(sport) == 2, 20, what="serial 2")
    assert answer_text(ask(sport, "new." + ORIGIN)) == ["192.0.2.7"]
    assert same_answers(pport, sport, NAMES) == []
    # The secondary's copy is the primary's zone, record for record, and
    # it can feed a third server (--allow-transfer on a secondary).
    assert zone_records(axfr(sport)) == zone_records(
        axfr(pport, KEYRING, KEY_NAME))
    # The saved copy is a zone file inetkit (and a person) can read.
    saved = os.path.join(zdir, ORIGIN + "zone")
    text = open(saved).read()
    assert "new.xfr.test. 300 IN A 192.0.2.7" in text
    third = start_server(["serve", "dns", "--listen", "127.0.0.1:0",
                          "--zone", saved], expect=2)
    assert same_answers(pport, third.port("udp"), NAMES) == []
    # Restarted without its primary, the secondary serves the saved copy.
    prim.stop()
    sec.stop()
    sec2 = start_secondary(start_server, zdir, pport)
    assert serial_of(sec2.port("udp")) == 2
    assert answer_text(ask(sec2.port("udp"), "new." + ORIGIN)) == \
        ["192.0.2.7"]


def test_expired_secondary_answers_servfail(start_server, tmp_path):
    zdir = str(tmp_path)
    path = str(tmp_path / "p.zone")
    prim = start_primary(start_server, path, 5,
                         ["--allow-transfer", "127.0.0.1"],
                         refresh=1, retry=1, expire=3)
    sec = start_secondary(start_server, zdir, prim.port(), key=False)
    sport = sec.port("udp")
    wait_for(lambda: serial_of(sport) == 5, 20, what="the transfer")
    prim.stop()
    wait_for(lambda: ask(sport, "h1." + ORIGIN).rcode() ==
             dns.rcode.SERVFAIL, 20, what="SERVFAIL after expire")


def notify(port, key=False):
    q = dns.message.make_query(ORIGIN, "SOA")
    q.set_opcode(dns.opcode.NOTIFY)
    q.flags |= dns.flags.AA
    if key:
        q.use_tsig(KEYRING, keyname=KEY_NAME)
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=5)


def test_notify_only_from_the_primary_and_its_key(start_server, tmp_path):
    # A primary at 127.0.0.2: a NOTIFY from 127.0.0.1 is refused.
    sec = start_server(["serve", "dns", "--listen", "127.0.0.1:0",
                        "--zone-dir", str(tmp_path), "--tsig-key", KEY,
                        "--secondary", "%s@127.0.0.2:9/%s" % (ORIGIN,
                                                              KEY_NAME)],
                       expect=2)
    r = notify(sec.port("udp"), key=True)
    assert r.rcode() == dns.rcode.REFUSED and r.had_tsig
    sec2 = start_server(["serve", "dns", "--listen", "127.0.0.1:0",
                         "--zone-dir", str(tmp_path), "--tsig-key", KEY,
                         "--secondary", "%s@127.0.0.1:9/%s" % (ORIGIN,
                                                               KEY_NAME)],
                        expect=2)
    # Right address, no key: refused; with the key: accepted, signed.
    assert notify(sec2.port("udp")).rcode() == dns.rcode.REFUSED
    r = notify(sec2.port("udp"), key=True)
    assert r.rcode() == dns.rcode.NOERROR and r.had_tsig
    assert r.opcode() == dns.opcode.NOTIFY
    # Over TCP too (Knot sends NOTIFY over TCP).
    q = dns.message.make_query(ORIGIN, "SOA")
    q.set_opcode(dns.opcode.NOTIFY)
    q.use_tsig(KEYRING, keyname=KEY_NAME)
    r = dns.query.tcp(q, "127.0.0.1", port=sec2.port("tcp"), timeout=5)
    assert r.rcode() == dns.rcode.NOERROR
    # A zone it is not a secondary for.
    q = dns.message.make_query("other.test.", "SOA")
    q.set_opcode(dns.opcode.NOTIFY)
    r = dns.query.udp(q, "127.0.0.1", port=sec2.port("udp"), timeout=5)
    assert r.rcode() == dns.rcode.NOTAUTH


class FakePrimary:
    """A primary that answers each transfer request as told: 'good'
    (serial 1), or a bad transfer of serial 2."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.mode = "good"
        self.served = []
        self.stop_flag = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def close(self):
        self.stop_flag = True
        self.thread.join(5)
        self.sock.close()

    def run(self):
        while not self.stop_flag:
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            with c:
                c.settimeout(5)
                try:
                    self.answer(c)
                except OSError:
                    pass

    def answer(self, c):
        n = struct.unpack("!H", c.recv(2))[0]
        q = dns.message.from_wire(c.recv(n))
        serial = 1 if self.mode == "good" else 2
        soa = dns.rrset.from_text(ORIGIN, 300, "IN", "SOA",
                                  "ns1.%s h.%s %d 1 1 600 60"
                                  % (ORIGIN, ORIGIN, serial))
        recs = [soa, dns.rrset.from_text("h1." + ORIGIN, 300, "IN", "A",
                                         "10.0.0.%d" % serial)]
        last = soa
        if self.mode == "outside":
            recs.append(dns.rrset.from_text("evil.example.", 300, "IN", "A",
                                            "6.6.6.6"))
        if self.mode == "last soa":
            last = dns.rrset.from_text(ORIGIN, 300, "IN", "SOA",
                                       "ns1.%s h.%s 3 1 1 600 60"
                                       % (ORIGIN, ORIGIN))
        r = dns.message.make_response(q)
        r.flags |= dns.flags.AA
        r.answer = recs + ([] if self.mode == "drop" else [last])
        wire = r.to_wire()
        self.served.append(self.mode)
        c.sendall(struct.pack("!H", len(wire)) + wire)
        if self.mode == "drop":
            time.sleep(0.2)     # then the connection closes half-way


@pytest.mark.parametrize("mode", ["outside", "last soa", "drop"])
def test_bad_transfer_keeps_the_old_copy(start_server, tmp_path, mode):
    fake = FakePrimary()
    try:
        sec = start_server(["serve", "dns", "--listen", "127.0.0.1:0",
                            "--zone-dir", str(tmp_path), "--secondary",
                            "%s@127.0.0.1:%d" % (ORIGIN, fake.port)],
                           expect=2)
        sport = sec.port("udp")
        wait_for(lambda: serial_of(sport) == 1, 20, what="the transfer")
        fake.mode = mode
        assert notify(sport).rcode() == dns.rcode.NOERROR
        wait_for(lambda: mode in fake.served and
                 "failed" in sec.stderr(), 20, what="the bad transfer")
        assert serial_of(sport) == 1
        assert answer_text(ask(sport, "h1." + ORIGIN)) == ["10.0.0.1"]
        assert ask(sport, "evil.example.").rcode() == dns.rcode.REFUSED
    finally:
        fake.close()
