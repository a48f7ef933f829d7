"""`inetkit crawl` of the bundled site, its name resolved by inetkit's own
name server through --dns: every page is found, the deliberately broken
link is reported with the page that links to it, and the exit status is 1
(0 once the site has no broken link)."""
import os
import shutil
import subprocess

from conftest import INETKIT

from crawlutil import SITE, broken, crawl, pages, serve_http, serve_zone


def expected_urls(base):
    """Every file of the bundled site as a URL (directories by their
    index; the top index.html is linked by name too), plus news.html, the
    one link that points nowhere."""
    urls = {base + "/", base + "/news.html"}
    for d, dirs, files in os.walk(SITE):
        # cgi-bin holds programs (run under --cgi), not pages: no link
        # leads there
        dirs[:] = [x for x in dirs if x != "cgi-bin"]
        rel = os.path.relpath(d, SITE)
        for f in files:
            if f == "robots.txt":
                continue
            path = f if rel == "." else rel + "/" + f
            if f == "index.html" and rel != ".":
                path = rel + "/"
            urls.add(base + "/" + path)
    return urls


def test_bundled_site_through_our_dns(start_server, tmp_path):
    dns = serve_zone(start_server, tmp_path)
    port = serve_http(start_server, SITE, "--vhost",
                      "www.example.test=%s" % SITE)
    base = "http://www.example.test:%d" % port
    r = crawl(base + "/", "--dns", dns)
    assert r.returncode == 1, r.err
    found = pages(r.out)
    want = expected_urls(base)
    assert set(found) == want, r.out
    assert found[base + "/news.html"] == 404
    assert all(s == 200 for u, s in found.items() if not u.endswith("news.html"))
    bad = broken(r.out)
    assert list(bad) == [base + "/news.html"]
    status, referrers = bad[base + "/news.html"]
    assert status == 404
    assert base + "/" in referrers
    assert "1 broken" in r.out.splitlines()[-1]


def test_fixed_site_exits_0(start_server, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    (site / "news.html").write_text("<p>news</p>\n")
    dns = serve_zone(start_server, tmp_path)
    port = serve_http(start_server, site, "--vhost",
                      "www.example.test=%s" % site)
    r = crawl("http://www.example.test:%d/" % port, "--dns", dns, "-q")
    assert r.returncode == 0, r.out
    assert broken(r.out) == {}
    assert pages(r.out) == {}  # -q lists only broken links


def test_unknown_name_is_broken(start_server, tmp_path):
    dns = serve_zone(start_server, tmp_path)
    r = crawl("http://nosuch.example.test:1/", "--dns", dns)
    assert r.returncode == 1
    assert broken(r.out) == {"http://nosuch.example.test:1/": ("dns", [])}


def test_one_cpu_parses_in_the_loop(start_server, tmp_path):
    # with one CPU there are no parser threads: the same pages are found
    dns = serve_zone(start_server, tmp_path)
    port = serve_http(start_server, SITE, "--vhost",
                      "www.example.test=%s" % SITE)
    base = "http://www.example.test:%d" % port
    r = subprocess.run(["taskset", "-c", "0", INETKIT, "crawl", base + "/",
                        "--dns", dns], capture_output=True, timeout=60)
    assert r.returncode == 1, r.stderr
    assert b"Sanitizer" not in r.stderr
    out = r.stdout.decode()
    assert set(pages(out)) == expected_urls(base)
    assert list(broken(out)) == [base + "/news.html"]


def test_bundled_zone_as_up_serves_it(start_server):
    # `inetkit up` serves examples/zones (www has AAAA ::1 and A 127.0.0.1)
    # and the site on 127.0.0.1 only: the crawl falls back to IPv4
    zone = os.path.join(os.path.dirname(SITE), "zones", "example.test.zone")
    srv = start_server(["serve", "dns", "--zone", zone, "--listen",
                        "127.0.0.1:0", "--workers", "1"], expect=2)
    dns = "127.0.0.1:%d" % srv.port("udp")
    port = serve_http(start_server, SITE, "--vhost",
                      "www.example.test=%s" % SITE)
    base = "http://www.example.test:%d" % port
    r = crawl(base + "/", "--dns", dns)
    assert r.returncode == 1
    assert set(pages(r.out)) == expected_urls(base)
    assert list(broken(r.out)) == [base + "/news.html"]
