"""--depth and --max-pages bound a crawl: pages deeper than the depth and
URLs beyond the page budget are listed as skipped, never fetched."""
from crawlutil import crawl, pages, serve_http
from gensite import generate


def chain_site(root, n):
    """Page i links to page i+1: depth i for page i."""
    root.mkdir()
    for i in range(n):
        (root / ("%d.html" % i)).write_text('<a href="%d.html">next</a>' % (i + 1))


def test_depth(start_server, tmp_path):
    chain_site(tmp_path / "s", 10)
    port = serve_http(start_server, tmp_path / "s")
    base = "http://127.0.0.1:%d/" % port
    r = crawl(base + "0.html", "--depth", "3")
    assert r.returncode == 0, r.out
    assert set(pages(r.out)) == {base + "%d.html" % i for i in range(4)}
    assert "skipped: 1 (depth 1)" in r.out


def test_depth_zero_fetches_only_the_start(start_server, tmp_path):
    chain_site(tmp_path / "s", 3)
    port = serve_http(start_server, tmp_path / "s")
    r = crawl("http://127.0.0.1:%d/0.html" % port, "--depth", "0")
    assert list(pages(r.out)) == ["http://127.0.0.1:%d/0.html" % port]


def test_max_pages(start_server, tmp_path):
    generate(str(tmp_path / "s"), 500)
    port = serve_http(start_server, tmp_path / "s")
    r = crawl("http://127.0.0.1:%d/" % port, "--max-pages", "37")
    assert r.returncode == 0, r.out
    assert len(pages(r.out)) == 37
    assert "max-pages" in r.out


def test_dead_end_depth_is_not_broken(start_server, tmp_path):
    # a depth-limited link to a missing page is not checked, so not broken
    root = tmp_path / "s"
    root.mkdir()
    (root / "index.html").write_text('<a href="a.html">a</a>')
    (root / "a.html").write_text('<a href="missing.html">m</a>')
    port = serve_http(start_server, root)
    r = crawl("http://127.0.0.1:%d/" % port, "--depth", "1")
    assert r.returncode == 0
    r = crawl("http://127.0.0.1:%d/" % port)
    assert r.returncode == 1


def test_delay_spaces_requests_but_finds_everything(start_server, tmp_path):
    # the politeness delay goes through the host's timer; nothing is lost
    root = tmp_path / "s"
    root.mkdir()
    (root / "index.html").write_text("".join(
        '<a href="%d.html">%d</a>' % (i, i) for i in range(6)))
    for i in range(6):
        (root / ("%d.html" % i)).write_text("page")
    (root / "robots.txt").write_text("User-agent: *\nCrawl-delay: 0.03\n")
    port = serve_http(start_server, root)
    base = "http://127.0.0.1:%d/" % port
    for extra in (["--delay", "40"], []):
        r = crawl(base, *extra)
        assert r.returncode == 0, r.out
        assert set(pages(r.out)) == {base} | {base + "%d.html" % i
                                              for i in range(6)}
