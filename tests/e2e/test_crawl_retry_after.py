"""The crawler respects 429 and 503 with Retry-After: the page is fetched
again after the delay (up to 60 s, 3 times) instead of counting it broken
at once; without Retry-After, with a delay over the cap, or when it keeps
answering so, the page is broken. Against a Python server and against
inetkit's own --rate limit."""
import os
import time

from crawlutil import PyServer, broken, crawl, html, pages, serve_http


def test_crawl_waits_for_retry_after():
    seen = {}

    def handler(path):
        seen[path] = seen.get(path, []) + [time.monotonic()]
        n = len(seen[path])
        if path == "/":
            return (200, "text/html", html("/busy", "/down", "/always",
                                           "/bare", "/tomorrow", "/dated"),
                    {})
        if path == "/busy" and n == 1:
            return (429, "text/plain", b"slow down", {"Retry-After": "1"})
        if path == "/down" and n <= 2:
            return (503, "text/plain", b"later", {"Retry-After": "0"})
        if path == "/always":
            return (429, "text/plain", b"never", {"Retry-After": "0"})
        if path == "/bare":
            return (429, "text/plain", b"no header", {})
        if path == "/tomorrow":
            return (503, "text/plain", b"", {"Retry-After": "86400"})
        if path == "/dated" and n == 1:
            return (503, "text/plain", b"", {
                "Retry-After": "Sun, 06 Nov 1994 08:49:37 GMT"})
        return (200, "text/html", html(), {})

    srv = PyServer(handler)
    try:
        base = "http://127.0.0.1:%d" % srv.port
        r = crawl(base + "/", timeout=60)
        found, bad = pages(r.out), broken(r.out)
        assert found[base + "/busy"] == 200
        b = seen["/busy"]
        assert len(b) == 2 and b[1] - b[0] >= 0.9  # waited the second
        assert found[base + "/down"] == 200 and len(seen["/down"]) == 3
        assert found[base + "/dated"] == 200  # a date in the past: now
        assert bad[base + "/always"][0] == 429
        assert len(seen["/always"]) == 4  # the first and 3 retries
        assert bad[base + "/bare"][0] == 429 and len(seen["/bare"]) == 1
        assert bad[base + "/tomorrow"][0] == 503
        assert len(seen["/tomorrow"]) == 1
        assert set(bad) == {base + p for p in ("/always", "/bare",
                                               "/tomorrow")}
    finally:
        srv.close()


def test_crawl_within_inetkit_rate_limit(start_server, tmp_path):
    """Twelve pages behind `--rate /=4/s:4`: the crawler is told 429 with
    Retry-After and gets every page, none broken."""
    for i in range(12):
        (tmp_path / ("p%d.html" % i)).write_text("<p>page %d</p>" % i)
    (tmp_path / "index.html").write_text("".join(
        '<a href="p%d.html">%d</a>' % (i, i) for i in range(12)))
    port = serve_http(start_server, tmp_path, "--rate", "/=4/s:4")
    r = crawl("http://127.0.0.1:%d/" % port, timeout=60)
    assert r.returncode == 0, r.out
    found = pages(r.out)
    assert len(found) == 13 and set(found.values()) == {200}
