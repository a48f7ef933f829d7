"""serve http --status PATH: a live status page (HTML that polls PATH.json)
whose numbers match the load a real client sent, for loopback clients
and --status-allow networks only; the name server's counters beside when
both run in one process; headless Chromium renders its charts, which move
while a load runs (two screenshots differ; the last is kept in
build/e2e/status-page.png)."""
import http.client
import json
import os
import re
import shutil
import subprocess
import threading
import time

import pytest

from conftest import ROOT, run
from httputil import SITE, curl_code_size, outside_address, serve

CHROMIUM = shutil.which("chromium")


def status(port, host="127.0.0.1", path="/.status"):
    r = subprocess.run(["curl", "-s", "--max-time", "10",
                        "http://%s:%d%s.json" % (host, port, path)],
                       capture_output=True, timeout=20)
    return json.loads(r.stdout)


def test_counters_match_the_load(start_server):
    server, port = serve(start_server, SITE, "--status", "/.status",
                         "--workers", "2")
    base = "http://127.0.0.1:%d" % port
    sent = 0
    for i in range(7):
        code, size = curl_code_size(base + "/")
        assert code == 200
        sent += size
    for i in range(3):
        code, size = curl_code_size(base + "/no-such-page")
        assert code == 404
        sent += size
    code, _ = curl_code_size(base + "/", "-I")
    assert code == 200
    s = status(port)
    assert s["requests"] == 11
    assert s["status"] == {"1xx": 0, "2xx": 8, "3xx": 0, "4xx": 3, "5xx": 0}
    assert s["bytes"] == sent
    assert s["workers"] == 2
    assert sum(w["requests"] for w in s["per_worker"]) == 11
    assert s["connections"]["total"] == 12   # this one included
    assert s["connections"]["open"] == 1
    assert s["uptime_ms"] >= 0
    assert "dns" not in s
    # the page counts itself once answered
    assert status(port)["requests"] == 12
    # the HTML view: no external assets, it polls PATH.json
    r = subprocess.run(["curl", "-s", "-i", base + "/.status"],
                       capture_output=True, text=True, timeout=20)
    assert "Content-Type: text/html" in r.stdout
    assert "Cache-Control: no-store" in r.stdout
    assert "location.pathname+'.json'" in r.stdout
    assert "http" not in r.stdout.split("\n\n", 1)[1]


@pytest.mark.skipif(outside_address() is None,
                    reason="no address other than loopback")
def test_only_loopback_and_allowed_clients(start_server):
    addr = outside_address()
    server, port = serve(start_server, SITE, "--status", "/.status",
                         host=addr)
    assert curl_code_size("http://%s:%d/.status" % (addr, port))[0] == 403
    assert curl_code_size("http://%s:%d/.status.json" % (addr, port))[0] == 403
    assert curl_code_size("http://%s:%d/" % (addr, port))[0] == 200
    server, port = serve(start_server, SITE, "--status", "/.status",
                         "--status-allow", addr + "/32", host=addr)
    assert curl_code_size("http://%s:%d/.status.json" % (addr, port))[0] == 200
    server, port = serve(start_server, SITE, "--status-allow",
                         "203.0.113.7/32", "--status", "/.status", host=addr)
    assert curl_code_size("http://%s:%d/.status.json" % (addr, port))[0] == 403


@pytest.mark.parametrize("args", [
    ["--status", "status"], ["--status", "/a b"],
    ["--status-allow", "127.0.0.1"], ["--status", "/s", "--status-allow",
                                      "10.0.0.0/33"],
    ["--status", "/s", "--status-allow", "nonsense"],
])
def test_bad_status_flags(args):
    r = run(["serve", "http", "--root", SITE, "--listen", "127.0.0.1:0"]
            + args)
    assert r.returncode == 2, r
    assert b"status" in r.stderr


def test_dns_counters_on_the_same_page(start_server, tmp_path):
    conf = tmp_path / "inetkit.conf"
    conf.write_text("""
dns:
  listen: 127.0.0.1:0
  zone: %s/examples/zones/example.test.zone
http:
  listen: 127.0.0.1:0
  root: %s
  status: /.status
""" % (ROOT, SITE))
    srv = start_server(["serve", "--config", str(conf)], expect=3)
    dport, hport = srv.port("udp", "dns"), srv.port("tcp", "http")
    for name in ("www.example.test", "www.example.test", "nope.example.test"):
        subprocess.run(["dig", "+short", "+time=5", "+tries=1", "-p",
                        str(dport), "@127.0.0.1", name], check=True,
                       capture_output=True, timeout=20)
    subprocess.run(["dig", "+tcp", "+short", "+time=5", "-p", str(dport),
                    "@127.0.0.1", "www.example.test"], check=True,
                   capture_output=True, timeout=20)
    d = status(hport)["dns"]
    assert d["queries"] == 4
    assert d["rcode"]["NOERROR"] == 3
    assert d["rcode"]["NXDOMAIN"] == 1


CHARTS = ["c-req", "c-bytes", "c-open", "c-status", "c-lat", "c-vhost",
          "c-limits"]


def chromium(tmp_path, url, *args):
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--user-data-dir=%s" % (tmp_path / "p"),
             "--virtual-time-budget=5000"]
    return subprocess.run([CHROMIUM] + flags + list(args) + [url],
                          capture_output=True, timeout=120)


def charts(dom):
    """{canvas id: (points, last values)} of the page's charts."""
    out = {}
    for tag in re.findall(r"<canvas[^>]*>", dom):
        i = re.search(r'id="([^"]+)"', tag)
        n = re.search(r'data-points="(\d+)"', tag)
        last = re.search(r'data-last="([^"]*)"', tag)
        if i and n and last:
            out[i[1]] = (int(n[1]), json.loads(last[1].replace("&quot;",
                                                               '"')))
    return out


class Load(threading.Thread):
    """GETs of one file on keep-alive connections until stopped."""

    def __init__(self, port, path="/about.html"):
        super().__init__(daemon=True)
        self.port, self.path, self.sent = port, path, 0
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            c = http.client.HTTPConnection("127.0.0.1", self.port,
                                           timeout=10)
            for _ in range(20):
                c.request("GET", self.path)
                c.getresponse().read()
                self.sent += 1
            c.close()
            time.sleep(0.002)

    def stop(self):
        self.halt.set()
        self.join(30)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed")
def test_chromium_renders_the_charts_and_they_move(start_server, tmp_path):
    server, port = serve(start_server, SITE, "--status", "/.status",
                         "--workers", "2")
    size = os.path.getsize(os.path.join(SITE, "about.html"))
    for i in range(25):
        assert curl_code_size("http://127.0.0.1:%d/about.html" % port) == (200, size)
    s = status(port)    # the numbers match the load sent
    assert s["requests"] == 25 and s["bytes"] == 25 * size
    assert s["status"]["2xx"] == 25 and s["latency"]["count"] == 25
    url = "http://127.0.0.1:%d/.status" % port
    load = Load(port)
    load.start()
    try:
        r = chromium(tmp_path, url, "--dump-dom")
        dom = r.stdout.decode()
        shots = []
        for k in range(2):
            shot = tmp_path / ("status%d.png" % k)
            r2 = chromium(tmp_path, url, "--screenshot=%s" % shot,
                          "--window-size=960,1120", "--hide-scrollbars")
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", \
                r2.stderr[-2000:]
            shots.append(shot.read_bytes())
    finally:
        load.stop()
    assert load.sent > 0
    # every chart was drawn, from several polls, and the load shows
    got = charts(dom)
    assert set(CHARTS) <= set(got), (dom[-2000:], r.stderr[-2000:])
    for c in CHARTS:
        assert got[c][0] >= 2, (c, got[c])
    assert max(got["c-req"][1]) > 0, got["c-req"]
    assert max(got["c-bytes"][1]) > 0, got["c-bytes"]
    assert got["c-lat"][1][0] is not None and got["c-lat"][1][0] > 0
    assert got["c-vhost"][1][0] > 0      # "default", the --root
    # the table counts the 25 and what the load and the polls added
    m = re.search(r"<th>requests</th><td>(\d+)</td>", dom)
    assert m and int(m[1]) >= 25, dom[-1500:]
    m = re.search(r"<th>bytes sent</th><td>(\d+)</td>", dom)
    assert m and int(m[1]) >= 25 * size
    assert re.search(r"<td>0</td><td>\d+</td><td>\d+</td></tr>", dom)
    # two screenshots while the load runs: the charts moved
    assert shots[0] != shots[1]
    keep = os.path.join(ROOT, "build", "e2e")
    os.makedirs(keep, exist_ok=True)
    (tmp_path / "status1.png").replace(os.path.join(keep,
                                                    "status-page.png"))
