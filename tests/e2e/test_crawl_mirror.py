"""--mirror DIR saves every page and file the crawl fetched successfully
under DIR/HOST:PORT/PATH, like `wget -m`: the bundled site comes back
byte for byte; URLs that try to climb out of DIR stay inside it."""
import filecmp
import os

from crawlutil import SITE, PyServer, crawl, html, serve_http


def tree(root):
    out = set()
    for d, dirs, files in os.walk(root):
        # cgi-bin holds programs (run under --cgi), not pages: no link
        # leads there
        dirs[:] = [x for x in dirs if x != "cgi-bin"]
        for f in files:
            out.add(os.path.relpath(os.path.join(d, f), root))
    return out


def test_mirror_bundled_site(start_server, tmp_path):
    port = serve_http(start_server, SITE)
    mirror = tmp_path / "m"
    r = crawl("http://127.0.0.1:%d/" % port, "--mirror", mirror)
    assert r.returncode == 1  # news.html is broken, and not saved
    host = mirror / ("127.0.0.1:%d" % port)
    assert os.listdir(mirror) == [host.name]
    want = tree(SITE) - {"robots.txt"}
    assert tree(host) == want
    for f in want:
        assert filecmp.cmp(host / f, os.path.join(SITE, f), shallow=False), f


def test_mirror_stays_inside(tmp_path):
    evil = ["/%2E%2E/%2E%2E/escape1.html", "/a/..%2F..%2Fescape2.html",
            "/q?x=/../../escape3", "/%2e%2e%2fescape4", "/dir/", "/dir"]

    def handler(path):
        if path == "/":
            return (200, "text/html", html(*evil), {})
        return (200, "text/plain", b"content of " + path.encode(), {})

    srv = PyServer(handler)
    try:
        mirror = tmp_path / "inside" / "m"
        r = crawl("http://127.0.0.1:%d/" % srv.port, "--mirror", mirror)
        assert r.returncode == 0, r.out
        outside = tree(tmp_path) - {os.path.join("inside", "m", f)
                                    for f in tree(mirror)}
        assert outside == set()
        names = tree(mirror)
        assert all(".." not in f.split(os.sep) for f in names)
        host = "127.0.0.1:%d" % srv.port
        assert os.path.join(host, "index.html") in names
        assert os.path.join(host, "q?x=%2F..%2F..%2Fescape3") in names
        assert len(names) >= 5
    finally:
        srv.close()
