"""The cluster test (issue 13 part 4): hosts as network namespaces on one
bridge, a crawl of a site served by three web hosts while hosts die.

    ns1 198.18.0.2   primary name server of cluster.test (inetkit)
    ns2 198.18.0.3   secondary (inetkit; by zone transfer when this build
                     has --secondary, else from the same zone file)
    web1..3  198.18.0.11-13   `serve http` of one generated 10,000-page
                     site, the three A records of www.cluster.test
    client 198.18.0.100   `inetkit crawl http://www.cluster.test/` with
                     both name servers in its resolv.conf

During the crawl one web host dies, then the primary name server; "link"
takes their links down (silent: packets vanish), "kill" kills their
processes (refused). Pass: every page visited, no broken link, the
slowest request printed; while the primary is dead a fresh `inetkit get`
of www resolves through the secondary. The addresses (198.18.0.0/15,
RFC 2544's benchmarking range) exist only inside the namespaces; every
namespace and process is removed at the end, even on failure. Each run is
bounded (--max-time on the crawl, timeouts on every wait)."""
import os
import re
import signal
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests/e2e"))
from gensite import generate  # noqa: E402

INETKIT = os.environ.get("INETKIT", os.path.join(ROOT, "build/asan/inetkit"))
PREFIX = "ikc%dx" % os.getpid()   # unique to this run
NET = "198.18.0."
HOSTS = {"ns1": 2, "ns2": 3, "web1": 11, "web2": 12, "web3": 13,
         "client": 100}
PAGES = 10000
ZONE = """$ORIGIN cluster.test.
$TTL 60
@ IN SOA ns1 hostmaster 1 3600 600 86400 60
  NS ns1
  NS ns2
ns1 A 198.18.0.2
ns2 A 198.18.0.3
www A 198.18.0.11
www A 198.18.0.12
www A 198.18.0.13
"""


def sh(*args, check=True):
    return subprocess.run(list(args), capture_output=True, text=True,
                          timeout=20, check=check)


def netns_works():
    probe = PREFIX + "probe"
    try:
        r = sh("ip", "netns", "add", probe, check=False)
        if r.returncode != 0:
            return "ip netns add: " + (r.stderr.strip() or "refused")
        r = sh("ip", "-n", probe, "link", "add", "br0", "type", "bridge",
               check=False)
        if r.returncode != 0:
            return "no bridge in a namespace: " + r.stderr.strip()
        return None
    except (OSError, subprocess.SubprocessError) as e:
        return "ip: %s" % e
    finally:
        subprocess.run(["ip", "netns", "del", probe], capture_output=True)


def sweep_stale():
    """Namespaces of an earlier run of this test that was killed before
    its cleanup (its pid gone): their processes, then themselves."""
    out = subprocess.run(["ip", "netns", "list"], capture_output=True,
                         text=True, timeout=20).stdout
    for line in out.splitlines():
        m = re.match(r"^(ikc(\d+)x\S*)", line)
        if not m or os.path.exists("/proc/%s" % m[2]):
            continue
        pids = subprocess.run(["ip", "netns", "pids", m[1]],
                              capture_output=True, text=True,
                              timeout=20).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        subprocess.run(["ip", "netns", "del", m[1]], capture_output=True,
                       timeout=20)


WHY = netns_works()
if WHY is None:
    sweep_stale()
pytestmark = pytest.mark.skipif(WHY is not None, reason="cluster test "
                                "needs `ip netns` (root): %s" % WHY)


def has_secondary():
    r = subprocess.run([INETKIT, "serve", "dns", "--help"],
                       capture_output=True, text=True, timeout=10)
    return "--secondary" in r.stdout + r.stderr


class Cluster:
    """The namespaces, their links, and the processes started in them."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.names = []
        self.procs = []
        self.sw = PREFIX + "sw"

    def ns(self, host):
        return PREFIX + host

    def build(self):
        self._add(self.sw)
        sh("ip", "-n", self.sw, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.sw, "link", "set", "br0", "up")
        for host, n in HOSTS.items():
            ns = self.ns(host)
            self._add(ns)
            sh("ip", "-n", self.sw, "link", "add", "p" + host, "type",
               "veth", "peer", "name", "eth0", "netns", ns)
            sh("ip", "-n", self.sw, "link", "set", "p" + host, "master",
               "br0", "up")
            sh("ip", "-n", ns, "addr", "add", NET + "%d/24" % n, "dev",
               "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")

    def _add(self, ns):
        sh("ip", "netns", "add", ns)
        self.names.append(ns)

    def start(self, host, args, ready=None):
        """Starts inetkit ARGS in host's namespace; waits for its
        `listening` line when ready is given (that many lines)."""
        log = open(os.path.join(self.tmp, host + ".err"), "ab")
        p = subprocess.Popen(["ip", "netns", "exec", self.ns(host), INETKIT]
                             + args, stdout=subprocess.PIPE, stderr=log,
                             stdin=subprocess.DEVNULL)
        self.procs.append(p)
        for _ in range(ready or 0):
            line = p.stdout.readline().decode()
            assert line.startswith("listening"), (host, line)
        return p

    def run(self, host, args, timeout, env=None):
        return subprocess.run(["ip", "netns", "exec", self.ns(host),
                               INETKIT] + args, capture_output=True,
                              text=True, timeout=timeout, env=env)

    def link_down(self, host):
        """The host vanishes: its side of the bridge goes down, so packets
        to it are dropped without an answer."""
        sh("ip", "-n", self.sw, "link", "set", "p" + host, "down")

    def kill(self, p):
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            p.wait(10)

    def teardown(self):
        for p in self.procs:
            try:
                self.kill(p)
            except (OSError, subprocess.SubprocessError):
                pass
        for ns in reversed(self.names):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True,
                           timeout=20)
        left = sh("ip", "netns", "list").stdout
        assert PREFIX not in left, left


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    generate(str(root), PAGES)
    return root


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(str(tmp_path))
    try:
        c.build()
        yield c
    finally:
        c.teardown()


def start_services(c, tmp, site):
    zone = os.path.join(tmp, "cluster.test.zone")
    with open(zone, "w") as f:
        f.write(ZONE)
    xfr = has_secondary()
    primary = ["serve", "dns", "--zone", zone, "--listen", NET + "2:53",
               "--workers", "1"]
    if xfr:
        primary += ["--allow-transfer", "198.18.0.0/15", "--notify",
                    NET + "3:53"]
        zdir = os.path.join(tmp, "zones")
        os.mkdir(zdir)
        secondary = ["serve", "dns", "--secondary",
                     "cluster.test@" + NET + "2:53", "--zone-dir", zdir,
                     "--listen", NET + "3:53", "--workers", "1"]
    else:
        # Zone transfer is not in this build yet: both servers read the
        # same file, as an operator would copy it.
        secondary = ["serve", "dns", "--zone", zone, "--listen",
                     NET + "3:53", "--workers", "1"]
    procs = {"ns1": c.start("ns1", primary, ready=2)}
    procs["ns2"] = c.start("ns2", secondary, ready=2)
    for i in (1, 2, 3):
        procs["web%d" % i] = c.start("web%d" % i, [
            "serve", "http", "--root", str(site), "--listen",
            NET + "%d:80" % (10 + i), "--workers", "1"], ready=1)
    # The secondary answers www (at once from the file; by transfer
    # within a few seconds).
    for _ in range(50):
        r = c.run("client", ["lookup", "www.cluster.test", "A",
                             "@" + NET + "3", "--timeout", "1"], 5)
        if r.stdout.count("198.18.0.1") >= 3:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the secondary never served www: %s" % r.stdout)
    return procs, xfr


@pytest.mark.parametrize("death", ["link", "kill"])
def test_crawl_survives_dying_hosts(cluster, tmp_path, site, death):
    c = cluster
    procs, xfr = start_services(c, str(tmp_path), site)
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver %s2\nnameserver %s3\n"
                      "options timeout:1 attempts:2\n" % (NET, NET))
    env = dict(os.environ, INETKIT_RESOLV_CONF=str(resolv),
               INETKIT_HOSTS="/dev/null")
    out = open(tmp_path / "crawl.out", "w+")
    # --delay 1 holds the crawl to at most 1,000 pages a second, so that
    # the deaths below fall inside it; --timeout 2 is the price of a
    # silent host.
    crawl = subprocess.Popen(
        ["ip", "netns", "exec", c.ns("client"), INETKIT, "crawl",
         "http://www.cluster.test/", "--delay", "1", "--concurrency", "8",
         "--timeout", "2", "-q"], stdout=out, stderr=subprocess.STDOUT,
        env=env)
    c.procs.append(crawl)
    time.sleep(1.5)
    assert crawl.poll() is None, "the crawl ended before any host died"
    if death == "link":
        c.link_down("web1")
    else:
        c.kill(procs["web1"])
    time.sleep(1.0)
    if death == "link":
        c.link_down("ns1")
    else:
        c.kill(procs["ns1"])
    # A fresh client resolves through the secondary now.
    r = c.run("client", ["get", "http://www.cluster.test/index.html",
                         "--timeout", "5", "--max-time", "20"], 30, env=env)
    assert r.returncode == 0, r.stderr
    assert "<title>page 0</title>" in r.stdout
    try:
        rc = crawl.wait(120)
    except subprocess.TimeoutExpired:
        pytest.fail("the crawl did not end within 120 s")
    out.seek(0)
    text = out.read()
    tail = text[-1500:]
    assert "crawled %d URLs" % PAGES in text, tail
    assert "broken links: 0" in text, tail
    assert rc == 0, tail
    slow = [l for l in text.splitlines() if l.startswith("slowest: ")]
    assert slow, tail
    print("\n%s death (%s): %s" % (death, "zone transfer" if xfr else
                                   "one zone file", slow[0]))
    print([l for l in text.splitlines() if l.startswith("crawled")][0])
    for p in procs.values():
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            assert p.wait(20) == 0
    for host in HOSTS:
        err = tmp_path / (host + ".err")
        if err.exists():
            assert "Sanitizer" not in err.read_text(), host
