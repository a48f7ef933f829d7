"""serve http --status PATH also serves PATH/metrics in the Prometheus
text format (checked by Debian's promtool, parsed here): counters move by
exactly the load sent (37 requests of a known size), the latency
histogram counts them, per-vhost counters split them by Host, the limits
(--max-conns-per-ip, --rate, a log that cannot be written) are counted,
and the name server's counters (queries, rcodes, RRL, transfers) are
there when it runs in the same process. Same access rule as the page."""
import json
import os
import re
import shutil
import socket
import subprocess

import pytest

from conftest import ROOT
from httputil import SITE, curl_code_size, outside_address, serve

PROMTOOL = shutil.which("promtool")
SAMPLE = re.compile(r'^([a-z_:][a-z0-9_:]*)(\{[^}]*\})? (\S+)$')


def get(url, *extra):
    r = subprocess.run(["curl", "-s", "--max-time", "10", "-w",
                        "\n%{http_code} %{content_type}", *extra, url],
                       capture_output=True, text=True, timeout=20)
    body, _, tail = r.stdout.rpartition("\n")
    code, _, ctype = tail.partition(" ")
    return int(code), ctype, body


def metrics(port, path="/.status", size=False):
    """{(name, labels): value} of PATH/metrics, after promtool's check
    (and the body's length when size)."""
    code, ctype, text = get("http://127.0.0.1:%d%s/metrics" % (port, path))
    assert code == 200
    assert ctype == "text/plain; version=0.0.4; charset=utf-8"
    if PROMTOOL:
        r = subprocess.run([PROMTOOL, "check", "metrics"], input=text,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
    out, typed = {}, set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
            continue
        if line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, line
        base = re.sub(r"_(bucket|sum|count)$", "", m[1])
        assert m[1] in typed or base in typed, line
        out[(m[1], m[2] or "")] = float(m[3])
    return (out, len(text.encode())) if size else out


@pytest.mark.skipif(PROMTOOL is None, reason="Debian prometheus missing")
def test_promtool_is_there():
    """make test installs it (scripts/deps.sh): the checks below run."""


def test_counters_move_by_the_load(start_server):
    server, port = serve(start_server, SITE, "--status", "/.status",
                         "--workers", "2")
    base = "http://127.0.0.1:%d" % port
    size = os.path.getsize(os.path.join(SITE, "about.html"))
    before, scrape = metrics(port, size=True)
    for _ in range(37):
        assert curl_code_size(base + "/about.html") == (200, size)
    after = metrics(port)

    def moved(name, labels=""):
        return after[(name, labels)] - before[(name, labels)]

    # a scrape is counted once answered: between the two lie the 37 and
    # the first scrape (its connection was counted before it answered)
    assert moved("inetkit_http_requests_total", '{code="2xx"}') == 38
    assert moved("inetkit_http_requests_total", '{code="4xx"}') == 0
    assert moved("inetkit_http_response_bytes_total") == 37 * size + scrape
    assert moved("inetkit_http_request_duration_seconds_count") == 38
    assert moved("inetkit_http_connections_accepted_total") == 38
    assert after[("inetkit_http_connections_open", "")] == 1
    assert after[("inetkit_http_workers", "")] == 2
    # the histogram is cumulative and ends with +Inf == _count
    buckets = sorted((float(re.search(r'le="([^"]+)"', k[1])[1]), v)
                     for k, v in after.items()
                     if k[0] == "inetkit_http_request_duration_seconds_bucket")
    assert [v for _, v in buckets] == sorted(v for _, v in buckets)
    assert buckets[-1] == (float("inf"), after[
        ("inetkit_http_request_duration_seconds_count", "")])
    assert after[("inetkit_http_request_duration_seconds_sum", "")] > 0
    # the JSON says the same, with percentiles
    code, _, text = get(base + "/.status.json")
    s = json.loads(text)
    assert s["latency"]["count"] == 39      # with the second scrape
    assert 0 < s["latency"]["p50_us"] <= s["latency"]["p99_us"]
    assert sum(s["latency"]["buckets"]) == 39
    assert s["vhosts"] == [{"name": "default", "requests": 39,
                            "bytes": s["bytes"]}]


def test_metrics_for_allowed_clients_only(start_server):
    server, port = serve(start_server, SITE, "--status", "/.status")
    code, _, _ = get("http://127.0.0.1:%d/.status/metrics" % port, "-I")
    assert code == 200
    assert get("http://127.0.0.1:%d/.status/metricsx" % port)[0] == 404
    assert get("http://127.0.0.1:%d/.status/metrics" % port,
               "-X", "POST")[0] == 405
    addr = outside_address()
    if addr is None:
        return
    server, port = serve(start_server, SITE, "--status", "/.status",
                         host=addr)
    assert get("http://%s:%d/.status/metrics" % (addr, port))[0] == 403




def test_per_vhost(start_server, tmp_path):
    other = tmp_path / "b"
    other.mkdir()
    (other / "index.html").write_text("b" * 1000)
    server, port = serve(start_server, SITE, "--status", "/.status",
                         "--vhost", "a.test=%s" % SITE,
                         "--vhost", "b.test=%s" % other)
    base = "http://127.0.0.1:%d/" % port
    for _ in range(4):
        assert curl_code_size(base, "-H", "Host: b.test") == (200, 1000)
    for _ in range(3):
        assert curl_code_size(base, "-H", "Host: a.test")[0] == 200
    assert curl_code_size(base, "-H", "Host: c.test")[0] == 200   # --root
    m = metrics(port)
    assert m[("inetkit_http_vhost_requests_total", '{vhost="b.test"}')] == 4
    assert m[("inetkit_http_vhost_response_bytes_total",
              '{vhost="b.test"}')] == 4000
    assert m[("inetkit_http_vhost_requests_total", '{vhost="a.test"}')] == 3
    # c.test went to the --root (the scrape is counted once answered)
    assert m[("inetkit_http_vhost_requests_total", '{vhost="default"}')] == 1
    assert m[("inetkit_http_vhost_requests_total", '{vhost="other"}')] == 0


def held_connection(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert s.recv(12) == b"HTTP/1.1 200"
    return s


def test_limits_are_counted(start_server):
    server, port = serve(start_server, SITE, "--status", "/.status",
                         "--max-conns-per-ip", "2", "--rate", "/docs=2/s:2",
                         "--access-log", "/dev/full")
    held = [held_connection(port) for _ in range(2)]
    try:
        for _ in range(3):   # closed at once
            with socket.create_connection(("127.0.0.1", port),
                                          timeout=10) as s:
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                try:
                    assert s.recv(100) == b""
                except ConnectionResetError:
                    pass
    finally:
        for s in held:
            s.close()
    codes = [curl_code_size("http://127.0.0.1:%d/docs/" % port,
                      "--interface", "127.0.0.2")[0] for _ in range(6)]
    assert codes.count(429) >= 3
    # the access log's lines are dropped on its flush, once a second
    for _ in range(50):
        m = metrics(port)
        if m[("inetkit_http_log_lines_dropped_total", "")] > 0:
            break
        subprocess.run(["sleep", "0.1"], timeout=5)
    refused = ("inetkit_http_connections_refused_total",
               '{reason="max_conns_per_ip"}')
    assert m[refused] >= 3
    assert m[("inetkit_http_rate_limited_total", "")] == codes.count(429)
    assert m[("inetkit_http_log_lines_dropped_total", "")] > 0


def test_dns_counters(start_server, tmp_path):
    conf = tmp_path / "inetkit.conf"
    conf.write_text("""
dns:
  listen: 127.0.0.1:0
  zone: %s/examples/zones/example.test.zone
  allow-transfer: 127.0.0.1/32
  rrl: 1
  rrl-slip: 2
  rrl-window: 60
http:
  listen: 127.0.0.1:0
  root: %s
  status: /.status
""" % (ROOT, SITE))
    srv = start_server(["serve", "--config", str(conf)], expect=3)
    dport, hport = srv.port("udp", "dns"), srv.port("tcp", "http")

    def dig(*args):
        return subprocess.run(["dig", "+time=1", "+tries=1", "-p",
                               str(dport), "@127.0.0.1", *args],
                              capture_output=True, text=True, timeout=20)
    dig("+tcp", "example.test", "AXFR")
    dig("+tcp", "nope.example.test")
    for _ in range(12):   # over the rate: some slipped, some dropped
        dig("+ignore", "www.example.test")
    m = metrics(hport)
    assert m[("inetkit_dns_xfr_events_total", '{event="axfr_out"}')] == 1
    assert m[("inetkit_dns_responses_total", '{rcode="NXDOMAIN"}')] == 1
    limited = m[("inetkit_dns_rrl_responses_total", '{action="limited"}')]
    slipped = m[("inetkit_dns_rrl_responses_total", '{action="slipped"}')]
    dropped = m[("inetkit_dns_rrl_responses_total", '{action="dropped"}')]
    assert limited >= 6 and slipped + dropped == limited
    assert slipped >= 1 and dropped >= 1
    code, _, text = get("http://127.0.0.1:%d/.status.json" % hport)
    d = json.loads(text)["dns"]
    assert d["xfr"]["axfr_out"] == 1
    assert d["rrl"]["limited"] == limited
