"""A crawler trap: a server that makes up links without end (a calendar
with a next day forever, a relative link that repeats its own directory,
paths that grow a new segment per page, queries that grow a parameter per
page, URLs that grow 300 bytes per page). The crawl
stays bounded, ends on its own, and says which guard stopped what."""
from urllib.parse import urlsplit

from crawlutil import PyServer, crawl, html


def trap(path):
    u = urlsplit(path)
    if path == "/robots.txt":
        return (404, "text/plain", b"", {})
    if path == "/":
        links = ["/cal?day=1", "/rep/", "/deep/", "/q?a0=1", "/long/x"]
    elif u.path == "/cal":
        day = int(u.query.split("=")[1])
        links = ["/cal?day=%d" % (day + k) for k in range(1, 6)]
    elif u.path.startswith("/rep/"):
        links = ["rep/"]
    elif u.path.startswith("/deep/"):
        links = ["d%d/" % u.path.count("/")]
    elif u.path == "/q":
        n = u.query.count("&") + 1
        links = ["/q?%s&a%d=1" % (u.query, n)]
    elif u.path.startswith("/long/"):
        links = [u.path + "y" * 300]
    else:
        return (404, "text/plain", b"", {})
    return (200, "text/html", html(*links), {})


def test_trap_site_stays_bounded(tmp_path):
    srv = PyServer(trap)
    try:
        report = tmp_path / "r.jsonl"
        r = crawl("http://127.0.0.1:%d/" % srv.port, "--report", report,
                  timeout=300)
        assert r.returncode == 0, r.out
        assert len(srv.requests) < 400
        skipped = r.out.split("\nskipped:")[1].splitlines()[0]
        for guard in ("trap-query-variants", "trap-path", "trap-query",
                      "trap-url-length"):
            assert guard in skipped, skipped
        calendar = [p for p in srv.requests if p.startswith("/cal")]
        assert len(calendar) <= 256
    finally:
        srv.close()


def test_depth_bounds_a_chain(tmp_path):
    srv = PyServer(trap)
    try:
        r = crawl("http://127.0.0.1:%d/" % srv.port, "--depth", "5")
        assert r.returncode == 0
        cal = [p for p in srv.requests if p.startswith("/cal")]
        # depth 1 is day=1; each level adds up to 5 days
        assert max(int(p.split("=")[1]) for p in cal) <= 1 + 4 * 5
    finally:
        srv.close()
