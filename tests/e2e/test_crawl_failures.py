"""Every kind of broken link is reported with the pages that link to it:
4xx, 5xx, a refused connection, a timeout, a connection closed without an
answer, a redirect to a missing page, an https link of the same host
that nothing answers. Links to other hosts and other schemes are listed
as skipped, never as broken; a redirect's target is crawled as a link of
the redirecting page."""
import socket
import time

from crawlutil import PyServer, broken, crawl, html, pages


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_every_kind_of_broken_link():
    dead = free_port()
    dead_tls = free_port()

    def handler(path):
        if path == "/":
            return (200, "text/html", html(
                "/ok", "/missing", "/error", "/stall", "/hangup", "/moved",
                "/gone-moved", "http://127.0.0.1:%d/x" % dead,
                "https://127.0.0.1:%d/secure" % dead_tls,
                "mailto:someone@example.test"), {})
        if path == "/ok":
            return (200, "text/html", html("/missing"), {})
        if path == "/error":
            return (500, "text/plain", b"oops", {})
        if path == "/stall":
            time.sleep(3)
            return None
        if path == "/hangup":
            return None
        if path == "/moved":
            return (301, "text/plain", b"", {"Location": "/ok"})
        if path == "/gone-moved":
            return (302, "text/plain", b"", {"Location": "/nowhere"})
        return (404, "text/plain", b"not here", {})

    srv = PyServer(handler)
    try:
        base = "http://127.0.0.1:%d" % srv.port
        r = crawl(base + "/", "--timeout", "1", timeout=60)
        assert r.returncode == 1
        bad = broken(r.out)
        assert bad[base + "/missing"] == (404, [base + "/", base + "/ok"])
        assert bad[base + "/error"] == (500, [base + "/"])
        assert bad[base + "/stall"] == ("timeout", [base + "/"])
        assert bad[base + "/hangup"][0] in ("reset", "timeout")
        assert bad[base + "/nowhere"] == (404, [base + "/gone-moved"])
        # the same host over https (any port) is the same site: checked
        secure = "https://127.0.0.1:%d/secure" % dead_tls
        assert bad[secure] == ("refused", [base + "/"])
        assert set(bad) == {base + p for p in ("/missing", "/error", "/stall",
                                               "/hangup", "/nowhere")} | {secure}
        found = pages(r.out)
        assert found[base + "/moved"] == 301
        assert found[base + "/gone-moved"] == 302
        skipped = r.out.split("\nskipped:")[1].splitlines()[0]
        assert "scheme 1" in skipped and "other-host 1" in skipped
    finally:
        srv.close()


def test_refused_with_all_hosts():
    dead = free_port()
    target = "http://127.0.0.1:%d/x" % dead
    srv = PyServer(lambda path: (200, "text/html", html(target), {}))
    try:
        base = "http://127.0.0.1:%d/" % srv.port
        r = crawl(base, "--all-hosts")
        assert r.returncode == 1
        assert broken(r.out) == {target: ("refused", [base])}
        r = crawl(base)
        assert r.returncode == 0
        assert "other-host 1" in r.out
    finally:
        srv.close()


def test_refused_start():
    url = "http://127.0.0.1:%d/" % free_port()
    r = crawl(url)
    assert r.returncode == 1
    assert broken(r.out) == {url: ("refused", [])}
