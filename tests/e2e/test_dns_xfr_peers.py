"""Zone transfer between inetkit and the name servers an operator already
runs (Debian's NSD 4.6, Knot 3.2 and BIND 9.18), both ways, with TSIG: NSD and Knot
as secondaries of inetkit, inetkit as a secondary of NSD and of Knot. A
change on the primary must reach the secondary by NOTIFY; the answers of
both are then compared name by name. Everything on 127.0.0.1."""
import os
import shutil
import signal
import subprocess
import tempfile
import time

import dns.rcode
import pytest

from test_dns_nsd_differential import free_port
from xfrutil import (KEY, KEY_NAME, KEY_SECRET, ORIGIN, ask, answer_text,
                     same_answers, serial_of, wait_for, write_zone)

NAMES = [ORIGIN, "ns1." + ORIGIN, "mail." + ORIGIN, "txt." + ORIGIN,
         "alias." + ORIGIN, "h1." + ORIGIN, "h7." + ORIGIN, "h19." + ORIGIN,
         "new." + ORIGIN, "nothere." + ORIGIN]
KEYID = KEY_NAME.rstrip(".")


class Peer:
    """NSD or Knot in the foreground with a config in its own directory."""

    def __init__(self, kind, tmp, conf_text, port):
        self.kind, self.tmp, self.port = kind, tmp, port
        self.conf = os.path.join(tmp, kind + ".conf")
        with open(self.conf, "w") as f:
            f.write(conf_text)
        cmd = {"nsd": ["nsd", "-d", "-c", self.conf],
               "knot": ["knotd", "-c", self.conf],
               "bind": ["named", "-g", "-c", self.conf, "-n", "1"]}[kind]
        self.log = open(os.path.join(tmp, kind + ".log"), "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)

    def up(self):
        def answers():
            assert self.proc.poll() is None, self.logtext()
            ask(self.port, "nothere.invalid.")
            return True
        wait_for(answers, 20, what="%s to start" % self.kind)

    def logtext(self):
        self.log.flush()
        return open(os.path.join(self.tmp, self.kind + ".log")).read()

    def reload(self, zfile):
        # NSD and BIND reload a file whose time changed, to the second:
        # one rewritten within the second of the load must look newer.
        later = time.time() + 5
        os.utime(zfile, (later, later))
        if self.kind in ("nsd", "bind"):
            self.proc.send_signal(signal.SIGHUP)
        else:
            subprocess.run(["knotc", "-c", self.conf, "zone-reload",
                            ORIGIN], check=True, capture_output=True,
                           timeout=20)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def peers():
    started = []
    tmp = tempfile.mkdtemp(prefix="inetkit-xfr-peer-")

    def start(kind, conf, port):
        prog = {"nsd": "nsd", "knot": "knotd", "bind": "named"}[kind]
        if shutil.which(prog) is None:
            pytest.skip(kind + " is not installed")
        p = Peer(kind, tmp, conf, port)
        started.append(p)
        return p

    start.tmp = tmp
    yield start
    for p in started:
        p.stop()
    if not os.environ.get("XFR_KEEP"):
        shutil.rmtree(tmp, ignore_errors=True)


def nsd_conf(tmp, port, zone_lines):
    out = ["server:", "  ip-address: 127.0.0.1", "  port: %d" % port,
           '  username: ""', '  zonesdir: "%s"' % tmp, '  database: ""',
           "  rrl-ratelimit: 0", "  server-count: 1",
           "  minimal-responses: no", "  refuse-any: no"]
    for key in ("pidfile", "xfrdfile", "zonelistfile"):
        out.append('  %s: "%s/nsd-%s"' % (key, tmp, key))
    out += ["remote-control:", "  control-enable: no",
            "key:", "  name: %s" % KEYID, "  algorithm: hmac-sha256",
            '  secret: "%s"' % KEY_SECRET, "zone:", "  name: %s" % ORIGIN]
    out += ["  " + l for l in zone_lines]
    return "\n".join(out) + "\n"


def knot_conf(tmp, port, zone_lines, remotes):
    out = ["server:", "  listen: 127.0.0.1@%d" % port,
           '  rundir: "%s"' % tmp, "control:",
           '  listen: "%s/knot.sock"' % tmp, "database:",
           '  storage: "%s/knotdb"' % tmp, "log:", "  - target: stdout",
           "    any: info", "key:", "  - id: %s" % KEYID,
           "    algorithm: hmac-sha256", "    secret: %s" % KEY_SECRET]
    out += remotes
    out += ["template:", "  - id: default", '    storage: "%s"' % tmp,
            "zone:", "  - domain: %s" % ORIGIN]
    out += ["    " + l for l in zone_lines]
    return "\n".join(out) + "\n"


def inetkit_primary(start_server, tmp, notify_port):
    path = os.path.join(tmp, "inetkit-primary.zone")
    write_zone(path, 1)
    srv = start_server(["serve", "dns", "--listen", "127.0.0.1:0",
                        "--workers", "2", "--zone", path, "--tsig-key", KEY,
                        "--allow-transfer", "key:" + KEY_NAME, "--notify",
                        "127.0.0.1:%d/%s" % (notify_port, KEY_NAME)],
                       expect=2)
    return srv, path


def change_inetkit(srv, path):
    write_zone(path, 2, extra=["new A 192.0.2.7"], n=19)
    before = srv.stderr().count("reloaded")
    srv.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: srv.stderr().count("reloaded") > before, 10, 0.05,
             "the reload")


def check_followed(primary_port, secondary_port, peer=None):
    wait_for(lambda: serial_of(secondary_port) == 1, 30,
             what="the first transfer")
    assert same_answers(primary_port, secondary_port, NAMES) == []


def check_change(primary_port, secondary_port):
    wait_for(lambda: serial_of(secondary_port) == 2, 30,
             what="the change by NOTIFY")
    assert answer_text(ask(secondary_port, "new." + ORIGIN)) == ["192.0.2.7"]
    assert ask(secondary_port, "h19." + ORIGIN).rcode() == \
        dns.rcode.NXDOMAIN
    assert same_answers(primary_port, secondary_port, NAMES) == []


def test_nsd_as_secondary_of_inetkit(start_server, peers):
    sport = free_port()
    srv, path = inetkit_primary(start_server, peers.tmp, sport)
    pport = srv.port("udp")
    nsd = peers("nsd", nsd_conf(peers.tmp, sport, [
        "zonefile: nsd-copy.zone",
        "request-xfr: 127.0.0.1@%d %s" % (pport, KEYID),
        "allow-notify: 127.0.0.1 %s" % KEYID]), sport)
    nsd.up()
    check_followed(pport, sport)
    change_inetkit(srv, path)
    check_change(pport, sport)


def test_knot_as_secondary_of_inetkit(start_server, peers):
    sport = free_port()
    srv, path = inetkit_primary(start_server, peers.tmp, sport)
    pport = srv.port("udp")
    knot = peers("knot", knot_conf(peers.tmp, sport, [
        "file: knot-copy.zone", "master: primary", "acl: from_primary"], [
        "remote:", "  - id: primary", "    address: 127.0.0.1@%d" % pport,
        "    key: %s" % KEYID, "acl:", "  - id: from_primary",
        "    address: 127.0.0.1", "    key: %s" % KEYID,
        "    action: notify"]), sport)
    knot.up()
    check_followed(pport, sport)
    change_inetkit(srv, path)
    check_change(pport, sport)


def inetkit_secondary(start_server, tmp, primary_port):
    zdir = os.path.join(tmp, "inetkit-zones")
    os.makedirs(zdir, exist_ok=True)
    sport = free_port()
    srv = start_server(["serve", "dns", "--listen", "127.0.0.1:%d" % sport,
                        "--workers", "2", "--zone-dir", zdir, "--tsig-key",
                        KEY, "--secondary", "%s@127.0.0.1:%d/%s"
                        % (ORIGIN, primary_port, KEY_NAME)], expect=2)
    return srv, sport


def test_inetkit_as_secondary_of_nsd(start_server, peers):
    pport, sport = free_port(), free_port()
    zfile = os.path.join(peers.tmp, "nsd-primary.zone")
    write_zone(zfile, 1)
    nsd = peers("nsd", nsd_conf(peers.tmp, pport, [
        "zonefile: nsd-primary.zone",
        "provide-xfr: 127.0.0.1 %s" % KEYID,
        "notify: 127.0.0.1@%d %s" % (sport, KEYID)]), pport)
    nsd.up()
    srv = start_server(["serve", "dns", "--listen", "127.0.0.1:%d" % sport,
                        "--workers", "2", "--zone-dir", peers.tmp,
                        "--tsig-key", KEY, "--secondary",
                        "%s@127.0.0.1:%d/%s" % (ORIGIN, pport, KEY_NAME)],
                       expect=2)
    check_followed(pport, sport)
    write_zone(zfile, 2, extra=["new A 192.0.2.7"], n=19)
    nsd.reload(zfile)
    check_change(pport, sport)


def test_inetkit_as_secondary_of_knot(start_server, peers):
    pport, sport = free_port(), free_port()
    zfile = os.path.join(peers.tmp, "knot-primary.zone")
    write_zone(zfile, 1)
    knot = peers("knot", knot_conf(peers.tmp, pport, [
        "file: knot-primary.zone", "notify: secondary", "acl: to_secondary",
        "zonefile-sync: -1"], [
        "remote:", "  - id: secondary", "    address: 127.0.0.1@%d" % sport,
        "    key: %s" % KEYID, "acl:", "  - id: to_secondary",
        "    address: 127.0.0.1", "    key: %s" % KEYID,
        "    action: transfer"]), pport)
    knot.up()
    srv = start_server(["serve", "dns", "--listen", "127.0.0.1:%d" % sport,
                        "--workers", "2", "--zone-dir", peers.tmp,
                        "--tsig-key", KEY, "--secondary",
                        "%s@127.0.0.1:%d/%s" % (ORIGIN, pport, KEY_NAME)],
                       expect=2)
    check_followed(pport, sport)
    write_zone(zfile, 2, extra=["new A 192.0.2.7"], n=19)
    knot.reload(zfile)
    check_change(pport, sport)


def bind_conf(tmp, port, zone_lines):
    return """options {
  directory "%s";
  pid-file "%s/named.pid";
  listen-on port %d { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  notify-source 127.0.0.1;
  transfer-source 127.0.0.1;
};
key "%s" { algorithm hmac-sha256; secret "%s"; };
zone "%s" {
  %s
};
""" % (tmp, tmp, port, KEYID, KEY_SECRET, ORIGIN.rstrip("."),
       "\n  ".join(zone_lines))


def test_bind_as_secondary_of_inetkit(start_server, peers):
    sport = free_port()
    srv, path = inetkit_primary(start_server, peers.tmp, sport)
    pport = srv.port("udp")
    bind = peers("bind", bind_conf(peers.tmp, sport, [
        "type secondary;", 'file "bind-copy.zone";',
        "primaries { 127.0.0.1 port %d key %s; };" % (pport, KEYID),
        "allow-notify { key %s; };" % KEYID]), sport)
    bind.up()
    check_followed(pport, sport)
    change_inetkit(srv, path)
    check_change(pport, sport)


def test_inetkit_as_secondary_of_bind(start_server, peers):
    pport, sport = free_port(), free_port()
    zfile = os.path.join(peers.tmp, "bind-primary.zone")
    write_zone(zfile, 1)
    bind = peers("bind", bind_conf(peers.tmp, pport, [
        "type primary;", 'file "bind-primary.zone";',
        "allow-transfer { key %s; };" % KEYID, "notify explicit;",
        "also-notify { 127.0.0.1 port %d key %s; };" % (sport, KEYID)]),
        pport)
    bind.up()
    start_server(["serve", "dns", "--listen", "127.0.0.1:%d" % sport,
                  "--workers", "2", "--zone-dir", peers.tmp, "--tsig-key",
                  KEY, "--secondary", "%s@127.0.0.1:%d/%s"
                  % (ORIGIN, pport, KEY_NAME)], expect=2)
    check_followed(pport, sport)
    write_zone(zfile, 2, extra=["new A 192.0.2.7"], n=19)
    bind.reload(zfile)
    check_change(pport, sport)
