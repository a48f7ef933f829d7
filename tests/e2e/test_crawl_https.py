"""`inetkit crawl` over https: the bundled site crawled on inetkit's TLS
listener with the CA trusted (--cacert) and refused without it; https
links of the same host (any port) followed from an http start and back,
each origin's robots.txt fetched, https links to other hosts skipped
unless --all-hosts; a bad certificate is a broken link; -k."""
import pytest

from conftest import ROOT
from crawlutil import SITE, broken, crawl, pages
from tlsutil import make_ca, make_leaf, serve_tls

BUNDLED = ["/", "/style.css", "/img/logo.png", "/about.html", "/docs/",
           "/docs/guide.html", "/news.html", "/index.html"]


@pytest.fixture
def pki(tmp_path):
    ca = make_ca(tmp_path)
    return ca, make_leaf(tmp_path, ca, "leaf", names=("localhost",),
                         ips=("127.0.0.1",))


def test_bundled_site_over_https(start_server, pki):
    ca, leaf = pki
    _, port = serve_tls(start_server, leaf, root=SITE)
    base = "https://localhost:%d" % port
    r = crawl(base + "/", "--cacert", ca.cert_path)
    assert r.returncode == 1, r.err      # news.html, on purpose
    found = pages(r.out)
    assert set(found) == {base + p for p in BUNDLED}, r.out
    assert broken(r.out) == {base + "/news.html": (404, [base + "/",
                                                         base + "/index.html"])}
    assert r.err == ""
    # without the CA the start page is a broken link, named for why
    r = crawl(base + "/")
    assert r.returncode == 1
    assert broken(r.out) == {base + "/": ("certificate", [])}
    # -k: crawled, with a warning
    r = crawl(base + "/", "-k")
    assert set(pages(r.out)) == {base + p for p in BUNDLED}
    assert r.err.startswith("inetkit crawl: warning: --insecure")


def two_sided_site(start_server, tmp_path, leaf):
    """inetkit serving one folder on a plain and a TLS listener, its pages
    linking across (written once the ports are known). Returns (plain
    port, tls port, access log path)."""
    root = tmp_path / "root"
    root.mkdir()
    log = tmp_path / "access.log"
    srv = start_server(["serve", "http", "--root", str(root), "--listen",
                        "127.0.0.1:0", "--tls-listen", "127.0.0.1:0",
                        "--cert", leaf.cert_path, "--key", leaf.key_path,
                        "--access-log", str(log), "--workers", "1"], expect=2)
    plain, tls = srv.port(service="http"), srv.port(service="https")

    def page(name, *links):
        (root / name).write_text("<html><body>%s</body></html>\n" % "".join(
            '<a href="%s">x</a>' % l for l in links))

    page("index.html", "/plain.html",
         "https://127.0.0.1:%d/secure.html" % tls,
         "https://127.0.0.1:%d/missing.html" % tls,
         "https://localhost:%d/elsewhere.html" % tls)
    page("plain.html")
    page("secure.html", "http://127.0.0.1:%d/back.html" % plain)
    page("back.html")
    page("elsewhere.html")
    return plain, tls, log, srv


def test_https_links_of_the_same_host_are_followed(start_server, pki, tmp_path):
    ca, leaf = pki
    plain, tls, log, srv = two_sided_site(start_server, tmp_path, leaf)
    http_base = "http://127.0.0.1:%d" % plain
    tls_base = "https://127.0.0.1:%d" % tls
    r = crawl(http_base + "/", "--cacert", ca.cert_path)
    assert r.returncode == 1, r.err
    assert pages(r.out) == {
        http_base + "/": 200, http_base + "/plain.html": 200,
        tls_base + "/secure.html": 200, tls_base + "/missing.html": 404,
        http_base + "/back.html": 200}
    assert broken(r.out) == {tls_base + "/missing.html": (404, [http_base + "/"])}
    skipped = r.out.split("\nskipped:")[1].splitlines()[0]
    assert "other-host 1" in skipped       # https://localhost:TLS/...
    srv.stop()
    lines = log.read_text().splitlines()
    # robots.txt on each origin; the https requests carry TLS fields
    robots = [l for l in lines if "GET /robots.txt " in l]
    assert len(robots) == 2
    assert sum(l.endswith("TLS_AES_128_GCM_SHA256") for l in robots) == 1
    secure = [l for l in lines if "GET /secure.html " in l]
    assert len(secure) == 1 and " TLSv1.3 " in secure[0]


def test_other_hosts_over_https_with_all_hosts(start_server, pki, tmp_path):
    ca, leaf = pki
    plain, tls, _, _ = two_sided_site(start_server, tmp_path, leaf)
    r = crawl("http://127.0.0.1:%d/" % plain, "--cacert", ca.cert_path,
              "--all-hosts")
    assert pages(r.out)["https://localhost:%d/elsewhere.html" % tls] == 200


def test_bad_certificate_is_a_broken_link(start_server, tmp_path):
    ca = make_ca(tmp_path)
    expired = make_leaf(tmp_path, ca, "old", valid=(-30, -1))
    plain, tls, _, _ = two_sided_site(start_server, tmp_path, expired)
    http_base = "http://127.0.0.1:%d" % plain
    r = crawl(http_base + "/", "--cacert", ca.cert_path, "--report",
              tmp_path / "r.jsonl")
    assert r.returncode == 1
    bad = broken(r.out)
    secure = "https://127.0.0.1:%d/secure.html" % tls
    assert bad[secure] == ("certificate", [http_base + "/"])
    report = (tmp_path / "r.jsonl").read_text()
    assert '"error":"certificate"' in report
