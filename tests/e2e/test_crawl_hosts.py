"""Which hosts a crawl follows: the start URL's; also the host the start
URL redirects to (http://example.test/ moving to www.example.test); every
host with --all-hosts. Links elsewhere are listed as skipped."""
from crawlutil import PyServer, crawl, html, pages


def pages_server(links_by_path):
    def handler(path):
        if path in links_by_path:
            return (200, "text/html", html(*links_by_path[path]), {})
        return (404, "text/plain", b"", {})
    return PyServer(handler)


def test_start_redirect_to_another_host_is_followed():
    b = pages_server({"/": ["/b1"], "/b1": ["/b2"], "/b2": []})
    target = "http://127.0.0.1:%d/" % b.port
    a = PyServer(lambda path: (301, "text/plain", b"",
                               {"Location": target}) if path == "/" else
                 (200, "text/html", html(target + "b2"), {}))
    try:
        start = "http://127.0.0.1:%d/" % a.port
        r = crawl(start)
        assert r.returncode == 0, r.out
        assert pages(r.out) == {start: 301, target: 200, target + "b1": 200,
                                target + "b2": 200}
    finally:
        a.close()
        b.close()


def test_other_hosts_only_with_all_hosts():
    b = pages_server({"/": ["/b1"], "/b1": []})
    other = "http://127.0.0.1:%d/" % b.port
    a = pages_server({"/": ["/a1", other]})
    try:
        start = "http://127.0.0.1:%d/" % a.port
        r = crawl(start)
        assert r.returncode == 1  # /a1 is missing
        assert other not in pages(r.out)
        assert "other-host 1" in r.out
        assert b.requests == []
        r = crawl(start, "--all-hosts")
        assert set(pages(r.out)) == {start, start + "a1", other, other + "b1"}
        assert b.requests[0] == "/robots.txt"
    finally:
        a.close()
        b.close()
