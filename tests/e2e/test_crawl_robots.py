"""robots.txt (RFC 9309) is fetched before any page of a host and
honoured: the group naming "inetkit" wins over "*", the longest rule
wins; a disallowed URL is never requested and is listed as skipped, not
broken. A 4xx robots.txt allows everything, a 5xx forbids everything;
--ignore-robots fetches regardless."""
from crawlutil import PyServer, crawl, html, pages

ROBOTS = b"""User-agent: *
Disallow: /

User-agent: inetkit
Disallow: /secret
Allow: /secret/ok
"""


def site(robots_status, robots=ROBOTS):
    def handler(path):
        if path == "/robots.txt":
            return (robots_status, "text/plain", robots, {})
        if path == "/":
            return (200, "text/html", html("/public", "/secret/a",
                                           "/secret/ok", "/secretive"), {})
        return (200, "text/html", html(), {})
    return PyServer(handler)


def test_robots_group_and_longest_match():
    srv = site(200)
    try:
        base = "http://127.0.0.1:%d" % srv.port
        r = crawl(base + "/", "--report", "/dev/null")
        assert r.returncode == 0, r.out
        assert set(pages(r.out)) == {base + "/", base + "/public",
                                     base + "/secret/ok"}
        assert srv.requests[0] == "/robots.txt"
        assert srv.requests.count("/robots.txt") == 1
        assert "/secret/a" not in srv.requests
        assert "/secretive" not in srv.requests
        assert "skipped: 2 (robots 2)" in r.out
    finally:
        srv.close()


def test_ignore_robots():
    srv = site(200)
    try:
        base = "http://127.0.0.1:%d" % srv.port
        r = crawl(base + "/", "--ignore-robots")
        assert r.returncode == 0
        assert len(pages(r.out)) == 5
        assert "/robots.txt" not in srv.requests
    finally:
        srv.close()


def test_robots_404_allows_all():
    srv = site(404, b"no")
    try:
        r = crawl("http://127.0.0.1:%d/" % srv.port)
        assert r.returncode == 0
        assert len(pages(r.out)) == 5
    finally:
        srv.close()


def test_robots_503_forbids_all():
    srv = site(503, b"busy")
    try:
        r = crawl("http://127.0.0.1:%d/" % srv.port)
        assert r.returncode == 0
        assert pages(r.out) == {}
        assert srv.requests == ["/robots.txt"]
        assert "skipped: 1 (robots 1)" in r.out
    finally:
        srv.close()


def test_robots_redirect_followed():
    def handler(path):
        if path == "/robots.txt":
            return (301, "text/plain", b"", {"Location": "/moved/robots"})
        if path == "/moved/robots":
            return (302, "text/plain", b"", {"Location": "/real-robots.txt"})
        if path == "/real-robots.txt":
            return (200, "text/plain", ROBOTS, {})
        if path == "/":
            return (200, "text/html", html("/public", "/secret/a"), {})
        return (200, "text/html", html(), {})

    srv = PyServer(handler)
    try:
        r = crawl("http://127.0.0.1:%d/" % srv.port)
        assert r.returncode == 0
        assert srv.requests[:3] == ["/robots.txt", "/moved/robots",
                                    "/real-robots.txt"]
        assert "/secret/a" not in srv.requests
        assert "/public" in srv.requests
    finally:
        srv.close()


def test_robots_redirect_loop_allows_all():
    def handler(path):
        if path in ("/robots.txt", "/r2"):
            other = "/r2" if path == "/robots.txt" else "/robots.txt"
            return (301, "text/plain", b"", {"Location": other})
        return (200, "text/html", html("/x") if path == "/" else html(), {})

    srv = PyServer(handler)
    try:
        r = crawl("http://127.0.0.1:%d/" % srv.port)
        assert r.returncode == 0
        robots = [p for p in srv.requests if p in ("/robots.txt", "/r2")]
        assert len(robots) == 6  # the first fetch and five redirects
        assert "/x" in srv.requests
    finally:
        srv.close()
