"""--report writes one JSON object per URL (JSON Lines) that agrees with
the summary; --graph writes a Graphviz DOT digraph whose edges are the
links of the pages, checked against the links Python's own HTML parser
finds in the bundled site."""
import json
import os
import re
from html.parser import HTMLParser
from urllib.parse import urljoin

from crawlutil import SITE, crawl, pages, serve_http

EDGE_RE = re.compile(r'^\t"(.+)" -> "(.+)";$')


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("href", "src"):
            if name in a and tag in ("a", "link", "img", "script", "iframe"):
                self.links.append(a[name])


def site_links(base):
    """{page url: set of link urls} for every HTML file of the site."""
    result = {}
    for d, _, files in os.walk(SITE):
        for f in files:
            if not f.endswith(".html"):
                continue
            rel = os.path.relpath(os.path.join(d, f), SITE)
            url = base + rel
            p = Links()
            with open(os.path.join(d, f)) as fh:
                p.feed(fh.read())
            targets = {urljoin(url, l) for l in p.links}
            result[url] = targets
            if rel.endswith("index.html"):
                result[url[:-len("index.html")]] = {
                    urljoin(url[:-len("index.html")], l) for l in p.links}
    return result


def test_report_and_graph(start_server, tmp_path):
    port = serve_http(start_server, SITE)
    base = "http://127.0.0.1:%d/" % port
    report, graph = tmp_path / "r.jsonl", tmp_path / "g.dot"
    r = crawl(base, "--report", report, "--graph", graph)
    assert r.returncode == 1

    recs = [json.loads(l) for l in report.read_text().splitlines()]
    by_url = {x["url"]: x for x in recs}
    assert len(by_url) == len(recs)
    fetched = {u: x["status"] for u, x in by_url.items()
               if x["status"] is not None}
    assert fetched == pages(r.out)
    news = by_url[base + "news.html"]
    assert news["status"] == 404 and news["broken"] is True
    assert news["linked_from"] == [base, base + "index.html"]
    assert [x["url"] for x in recs if x["broken"]] == [base + "news.html"]
    top = by_url[base]
    assert top["depth"] == 0 and top["parent"] is None
    assert top["type"] == "text/html"
    assert top["size"] == os.path.getsize(os.path.join(SITE, "index.html"))
    assert by_url[base + "about.html"]["parent"] == base
    assert by_url[base + "about.html"]["depth"] == 1

    text = graph.read_text()
    assert text.startswith("digraph crawl {\n") and text.endswith("}\n")
    edges = {m.groups() for m in map(EDGE_RE.match, text.splitlines()) if m}
    expect = {(page, t) for page, ts in site_links(base).items()
              if page in fetched for t in ts}
    assert edges == expect
    assert len(edges) == sum(x["links"] for x in recs)
    assert '\t"%snews.html" [color=red' % base in text
