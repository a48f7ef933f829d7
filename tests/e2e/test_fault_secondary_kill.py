"""SIGKILL of a secondary name server while it writes its copy of a zone
to --zone-dir: killed at 50 random points of its start, transfer and
write (the primary's serial bumped between runs, a zone big enough for
the write to take a while), the directory holds only complete zone files
(each loads with `inetkit check --zone` and carries a serial the primary
served) and at most the one temporary copy of the write that was cut,
which the next start removes, saying so."""
import os
import random
import re
import signal
import subprocess
import time

from conftest import INETKIT, Server
from xfrutil import ORIGIN, serial_of, wait_for, write_zone

HOSTS = 30000          # records: the write takes tens of milliseconds
KILLS = 50
ZONE = ORIGIN + "zone"  # DIR/xfr.test.zone, as the secondary names it


def saved_serial(path):
    """The serial of a saved copy, after `inetkit check --zone` found the
    file whole."""
    r = subprocess.run([INETKIT, "check", "--zone", path],
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    with open(path) as f:
        for line in f:
            if " SOA " in line:
                return int(line.split()[6])
    raise AssertionError("no SOA in " + path)


def start_secondary(zdir, pport):
    return Server(["serve", "dns", "--listen", "127.0.0.1:0", "--workers",
                   "1", "--zone-dir", zdir, "--secondary",
                   "%s@127.0.0.1:%d" % (ORIGIN, pport)], expect=2, timeout=60)


def bump(prim, path, serial):
    write_zone(path, serial, n=HOSTS)
    before = prim.stderr().count("reloaded")
    prim.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: prim.stderr().count("reloaded") > before, 30, 0.05,
             "the primary's reload")


def test_secondary_killed_while_saving(start_server, tmp_path):
    zdir = str(tmp_path / "zones")
    os.mkdir(zdir)
    path = str(tmp_path / "primary.zone")
    write_zone(path, 1, n=HOSTS)
    prim = start_server(["serve", "dns", "--listen", "127.0.0.1:0",
                         "--workers", "1", "--zone", path,
                         "--allow-transfer", "127.0.0.1"], expect=2)
    pport = prim.port("tcp")
    served = {1}
    saved = os.path.join(zdir, ZONE)
    tmp = saved + ".tmp"

    # A first run, to the end: how long a start, a transfer and a write
    # take here, and the write alone (from the temporary file's creation
    # to its rename).
    t0 = time.monotonic()
    sec = start_secondary(zdir, pport)
    wait_for(lambda: os.path.exists(tmp) or os.path.exists(saved), 60,
             0.001, "the first write")
    t1 = time.monotonic()
    wait_for(lambda: os.path.exists(saved), 60, 0.001, "the first copy")
    span, write = time.monotonic() - t0, time.monotonic() - t1
    sec.kill()

    rng = random.Random(17)
    serial, cut = 1, 0
    for i in range(KILLS):
        serial += 1
        bump(prim, path, serial)
        served.add(serial)
        stale = os.path.exists(tmp)
        p = subprocess.Popen([INETKIT, "serve", "dns", "--listen",
                              "127.0.0.1:0", "--workers", "1", "--zone-dir",
                              zdir, "--secondary",
                              "%s@127.0.0.1:%d" % (ORIGIN, pport)],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)
        if i % 2:
            # anywhere in the start, the transfer or the write
            time.sleep(rng.uniform(0, span * 1.2))
        else:
            # within the write: once the temporary file is there (after
            # the start removed the one a kill left, if it does)
            deadline = time.monotonic() + span * 3
            while (stale and os.path.exists(tmp) and
                   time.monotonic() < deadline):
                time.sleep(0.0005)
            deadline = time.monotonic() + 60
            while not os.path.exists(tmp) and time.monotonic() < deadline:
                time.sleep(0.0005)
            time.sleep(rng.uniform(0, write))
        p.kill()
        p.communicate(timeout=30)
        names = set(os.listdir(zdir))
        assert names <= {ZONE, ZONE + ".tmp"}, names
        if ZONE + ".tmp" in names:
            cut += 1
        # Whatever the kill cut, the copy is a whole zone the primary
        # served.
        assert saved_serial(saved) in served
    # Some kills fell within a write.
    assert cut > 0

    # A last run to the end: the newest serial, no temporary file left
    # (one left by the last kill is removed at the start, said once).
    left = os.path.exists(tmp)
    sec = start_secondary(zdir, pport)
    wait_for(lambda: serial_of(sec.port("udp")) == serial, 60,
             what="serial %d" % serial)
    wait_for(lambda: saved_serial(saved) == serial, 30, 0.1, "the copy")
    sec.stop()
    assert os.listdir(zdir) == [ZONE]
    assert sec.stderr().count("left by a run stopped") == (1 if left else 0)
    assert "Sanitizer" not in sec.stderr()
