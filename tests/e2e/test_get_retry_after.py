"""`get` respects 429 and 503 with Retry-After: it says so, waits and
fetches again (up to 60 s, 3 times); without Retry-After, or when the
server keeps answering so, it fails with the status. Against a Python
server and behind inetkit's own --rate limit."""
import time

from conftest import run
from crawlutil import PyServer, serve_http


def test_get_waits_for_retry_after():
    seen = {}

    def handler(path):
        seen[path] = seen.get(path, []) + [time.monotonic()]
        n = len(seen[path])
        if path == "/busy" and n == 1:
            return (429, "text/plain", b"slow down", {"Retry-After": "1"})
        if path == "/always":
            return (503, "text/plain", b"down", {"Retry-After": "0"})
        if path == "/bare":
            return (429, "text/plain", b"no header", {})
        return (200, "text/plain", b"the page\n", {})

    srv = PyServer(handler)
    try:
        base = "http://127.0.0.1:%d" % srv.port
        r = run(["get", base + "/busy"], timeout=30)
        assert r.returncode == 0, r.stderr
        assert r.stdout == b"the page\n"
        assert b"HTTP 429 Too Many Requests, trying again in 1 s" in r.stderr
        b = seen["/busy"]
        assert len(b) == 2 and b[1] - b[0] >= 0.9
        r = run(["get", base + "/always"], timeout=30)
        assert r.returncode == 1 and len(seen["/always"]) == 4
        assert r.stderr.count(b"trying again") == 3
        assert b"HTTP 503" in r.stderr.splitlines()[-1]
        r = run(["get", base + "/bare"], timeout=30)
        assert r.returncode == 1 and len(seen["/bare"]) == 1
        assert b"HTTP 429" in r.stderr
    finally:
        srv.close()


def test_get_behind_inetkit_rate_limit(start_server, tmp_path):
    """Gets in quick succession behind `--rate /=1/s:1`: each one told 429
    waits its Retry-After and gets the page."""
    (tmp_path / "index.html").write_text("hello\n")
    port = serve_http(start_server, tmp_path, "--rate", "/=1/s:1")
    url = "http://127.0.0.1:%d/" % port
    told = 0
    for _ in range(3):
        r = run(["get", url], timeout=30)
        assert r.returncode == 0 and r.stdout == b"hello\n", r.stderr
        told += b"HTTP 429 Too Many Requests, trying again" in r.stderr
    assert told >= 1
