#!/usr/bin/python3
"""The soak test (make soak SOAK_MINUTES=60): every server of `inetkit up`
under mixed load and reloads, every response checked; pass means the
resident memory flat after warm-up (under 1 MiB of growth per hour, and
under 1 MiB for a shorter run), no descriptor growth, no unexpected line
on stderr and no wrong or missing answer. Run by scripts/soak.sh inside a
network namespace of its own (`inetkit up` listens on fixed ports).
Prints a Markdown report; exit 0 on pass, 1 on failure."""
import http.client
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

import dns.message
import dns.query
import dns.rcode

INETKIT = os.environ.get("INETKIT", "build/inetkit")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SECONDS = float(os.environ.get("SOAK_SECONDS", "60"))
SAMPLE_S = min(10.0, max(1.0, SECONDS / 30))
HUP_S = min(10.0, max(1.0, SECONDS / 20))
# Lines the server may write: the reloads and reopens the soak asks for.
EXPECTED = re.compile(r"reloaded \d+ zone|^listening |^\s*$|^  inetkit |"
                      r"^Try|^  curl |^  dig |reopened|certificates reloaded|"
                      r"^inetkit: sandbox: |^inetkit: running as root")


def status(pid):
    """(VmRSS KiB, open descriptors) of pid."""
    rss = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return rss, len(os.listdir("/proc/%d/fd" % pid))


class Load:
    """One round of every kind of request, each answer checked."""

    def __init__(self, site):
        self.files = {}
        for name in ("index.html", "about.html", "style.css"):
            with open(os.path.join(site, name), "rb") as f:
                self.files["/" + name] = f.read()
        self.counts = {}
        self.errors = []
        self.keep = None

    def check(self, kind, ok, what=""):
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if not ok:
            self.errors.append("%s: %s" % (kind, what))

    def http(self):
        path = random.choice(list(self.files))
        if self.keep is None or random.random() < 0.1:
            if self.keep:
                self.keep.close()
            self.keep = http.client.HTTPConnection("127.0.0.1", 8080,
                                                   timeout=10)
        self.keep.request("GET", path, headers={"Host": "www.example.test"})
        r = self.keep.getresponse()
        body = r.read()
        self.check("http", r.status == 200 and body == self.files[path],
                   "%s %s" % (path, r.status))
        c = http.client.HTTPConnection("127.0.0.1", 8080, timeout=10)
        c.request("GET", "/missing-%d" % random.randrange(1000))
        r = c.getresponse()
        r.read()
        c.close()
        self.check("http 404", r.status == 404, str(r.status))

    def dns(self):
        q = dns.message.make_query("www.example.test", "A")
        for ask in (dns.query.udp, dns.query.tcp):
            r = ask(q, "127.0.0.1", port=5300, timeout=5)
            self.check("dns", r.answer and r.answer[0][0].address ==
                       "127.0.0.1", r.to_text())
        q = dns.message.make_query("nx%d.example.test" %
                                   random.randrange(1 << 30), "A")
        r = dns.query.udp(q, "127.0.0.1", port=5300, timeout=5)
        self.check("dns nxdomain", r.rcode() == dns.rcode.NXDOMAIN,
                   r.to_text())

    def services(self):
        data = os.urandom(64)
        with socket.create_connection(("127.0.0.1", 7007), timeout=5) as s:
            s.sendall(data)
            got = b""
            while len(got) < len(data):
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
        self.check("echo", got == data)
        with socket.create_connection(("127.0.0.1", 1313), timeout=5) as s:
            line = s.recv(256)
        self.check("daytime", line.endswith(b"\r\n") and len(line) > 10,
                   repr(line))
        with socket.create_connection(("127.0.0.1", 3737), timeout=5) as s:
            t = struct.unpack("!I", s.recv(4, socket.MSG_WAITALL))[0]
        self.check("time", abs(t - 2208988800 - time.time()) < 5, str(t))

    def round(self):
        for step in (self.http, self.dns, self.services):
            try:
                step()
            except (OSError, dns.exception.DNSException,
                    http.client.HTTPException) as e:
                self.errors.append("%s: %r" % (step.__name__, e))
                self.keep = None


def main():
    tmp = tempfile.mkdtemp(prefix="inetkit-soak-")
    shutil.copytree(os.path.join(ROOT, "examples"), os.path.join(tmp, "ex"))
    err = open(os.path.join(tmp, "stderr"), "w+")
    srv = subprocess.Popen([INETKIT, "up", "--dir", os.path.join(tmp, "ex"),
                            "--workers", "2"], stdout=subprocess.PIPE,
                           stderr=err, stdin=subprocess.DEVNULL)
    for _ in range(10):
        srv.stdout.readline()
    load = Load(os.path.join(tmp, "ex", "site"))
    samples, start = [], time.monotonic()
    next_sample = next_hup = start
    hups = 0
    try:
        while time.monotonic() - start < SECONDS:
            load.round()
            now = time.monotonic()
            if now >= next_hup:
                srv.send_signal(signal.SIGHUP)
                hups += 1
                next_hup += HUP_S
            if now >= next_sample:
                samples.append((now - start,) + status(srv.pid))
                next_sample += SAMPLE_S
        # The last sample once the load has stopped and the server has
        # seen its clients go: a connection in flight is no growth.
        if load.keep:
            load.keep.close()
        time.sleep(1)
        samples.append((time.monotonic() - start,) + status(srv.pid))
    finally:
        srv.send_signal(signal.SIGTERM)
        rc = srv.wait(30)
        err.seek(0)
        stderr = err.read()
        shutil.rmtree(tmp)
    return report(load, samples, hups, rc, stderr)


def report(load, samples, hups, rc, stderr):
    # Warm-up: the first 20 % of the run, at least 45 s (the allocator's
    # pools fill for some 30 s here); a run too short to have a minute
    # after it reports its RSS without judging it.
    warm = [s for s in samples if s[0] >= max(SECONDS * 0.2, 45)] or \
        samples[-1:]
    t0, rss0, _ = warm[0]
    fd0 = min(s[2] for s in warm)
    t1, rss1, fd1 = samples[-1]
    hours = max((t1 - t0) / 3600, 1e-9)
    growth = rss1 - rss0
    allowed = max(1024, 1024 * hours)
    unexpected = [l for l in stderr.splitlines() if not EXPECTED.search(l)]
    judged = t1 - t0 >= 60
    checks = [
        ("every response right", not load.errors,
         "%d wrong or missing" % len(load.errors)),
        ("RSS flat after warm-up", growth <= allowed or not judged,
         "%+d KiB from %d KiB (%.0f KiB/h)" % (growth, rss0,
                                               growth / hours)
         if judged else "run too short to judge: %d KiB at the end" % rss1),
        ("no descriptor growth", fd1 <= fd0, "%d -> %d" % (fd0, fd1)),
        ("nothing unexpected on stderr", not unexpected,
         "%d lines" % len(unexpected)),
        ("clean exit", rc == 0, "exit %d" % rc),
    ]
    print("## Soak: %s, %.0f s" % (time.strftime("%Y-%m-%d %H:%M UTC",
                                                 time.gmtime()), SECONDS))
    print()
    print("`inetkit up --workers 2`, SIGHUP every %.0f s (%d), samples "
          "every %.0f s; warm-up: the first 20 %% (at least 45 s)."
          % (HUP_S, hups, SAMPLE_S))
    print()
    print("| requests | count |\n|---|---:|")
    for k in sorted(load.counts):
        print("| %s | %d |" % (k, load.counts[k]))
    print()
    print("| check | result | figure |\n|---|---|---|")
    for name, ok, fig in checks:
        print("| %s | %s | %s |" % (name, "pass" if ok else "FAIL", fig))
    print()
    print("RSS (KiB) and descriptors over time: " + ", ".join(
        "%.0fs %d/%d" % s for s in samples[:: max(1, len(samples) // 12)]))
    for e in (load.errors + unexpected)[:20]:
        print("    " + e)
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
