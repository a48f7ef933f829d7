"""A generated site of 10,000 linked pages, served by `inetkit serve
http`, is crawled completely: every page exactly once, none broken, each
with the status and size the server gave."""
import json
import os

from crawlutil import crawl, pages, serve_http
from gensite import generate

N = 10000


def test_ten_thousand_pages(start_server, tmp_path):
    root = tmp_path / "site"
    files = generate(str(root), N)
    port = serve_http(start_server, root)
    base = "http://127.0.0.1:%d/" % port
    r = crawl(base, "--report", tmp_path / "r.jsonl", timeout=300)
    assert r.returncode == 0, r.err
    found = pages(r.out)
    want = {base + ("" if f == "index.html" else f) for f in files}
    assert len(found) == N
    assert set(found) == want
    assert set(found.values()) == {200}
    assert "crawled %d URLs" % N in r.out
    # sizes in the report match the files
    sizes = {}
    with open(tmp_path / "r.jsonl") as f:
        for line in f:
            rec = json.loads(line)
            sizes[rec["url"]] = rec["size"]
    for f in files[:50] + files[-50:]:
        url = base + ("" if f == "index.html" else f)
        assert sizes[url] == os.path.getsize(root / f)
