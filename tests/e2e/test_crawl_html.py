"""crawl --html FILE writes the link-check report as one self-contained
HTML page. Read back with Python's html.parser (and checked well-formed
by a tag stack): the broken links come first, each with the pages that
link to it as the JSON Lines report says; the tree of pages holds every
fetched page, each under the folders of its path; the link graph is an
inline SVG drawn by Graphviz's dot, or a note when dot is not on PATH.
A hostile site (URLs and a Content-Type holding markup, quotes and &)
cannot put markup into the page. Headless Chromium renders it."""
import json
import os
import re
import shutil
import stat
import subprocess
import threading
from html.parser import HTMLParser

import pytest

from conftest import ROOT
from crawlutil import SITE, PyServer, crawl, html, serve_http
from gensite import generate

DOT = shutil.which("dot")
CHROMIUM = shutil.which("chromium")
VOID = {"meta", "link", "br", "img", "hr", "input", "source", "wbr"}


class Report(HTMLParser):
    """The page's structure: errors in nesting, the order of sections,
    links per section with their text, the folders around each page of
    the tree, and the text of the graph's SVG."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.sections = [], [], []
        self.links = {}          # section id -> [(class, href, text)]
        self.folders = []        # summaries of the open <details>
        self.pages = []          # (href, leaf text, [folders])
        self.svg_text, self.note, self.tags = [], None, []
        self.attrs = set()       # every attribute name used
        self._a = None
        self._in = None          # "summary", "svgtext", "note"

    def section(self):
        return self.sections[-1] if self.sections else None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self.attrs.update(a)
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "section":
            self.sections.append(a.get("id"))
        elif tag == "a":
            self._a = [a.get("class"), a.get("href"), ""]
        elif tag == "details":
            self.folders.append("")
        elif tag == "summary":
            self._in = "summary"
        elif tag == "text" and "svg" in self.stack:
            self._in = "svgtext"
            self.svg_text.append("")
        elif tag == "p" and a.get("id") == "graph-note":
            self._in = "note"
            self.note = ""

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.update(dict(attrs))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes %s" % (tag, self.stack[-1:]))
            return
        self.stack.pop()
        if tag == "a" and self._a:
            cls, href, text = self._a
            self.links.setdefault(self.section(), []).append(
                (cls, href, text))
            if cls == "page":
                self.pages.append((href, text, list(self.folders)))
            self._a = None
        elif tag == "details":
            self.folders.pop()
        elif tag in ("summary", "text", "p"):
            self._in = None

    def handle_data(self, data):
        if self._a is not None:
            self._a[2] += data
        if self._in == "summary":
            self.folders[-1] += data
        elif self._in == "svgtext":
            self.svg_text[-1] += data
        elif self._in == "note":
            self.note += data


def parse(path):
    text = path.read_text(encoding="utf-8")
    p = Report()
    p.feed(text)
    p.close()
    assert not p.errors, p.errors[:5]
    assert p.stack == [], p.stack
    assert text.startswith("<!DOCTYPE html>")
    # self-contained: nothing is loaded from anywhere, nothing runs
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", text,
                         re.I)
    assert not re.search(r"\b(src|xlink:href)=", text)
    return text, p


def report_of(path):
    return {r["url"]: r for r in map(json.loads,
                                     path.read_text().splitlines())}


def add_links(path, *hrefs):
    """Adds links to hrefs at the end of the generated page's list."""
    with open(path) as f:
        text = f.read()
    items = "".join('<li><a href="%s">more</a></li>\n' % h for h in hrefs)
    with open(path, "w") as f:
        f.write(text.replace("</ul>", items + "</ul>"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A generated site of 60 pages with three known broken links."""
    root = tmp_path_factory.mktemp("site")
    generate(str(root), 60)
    add_links(root / "index.html", "gone.html")
    add_links(root / "p/0/5.html", "/gone.html", "../../missing/a.html")
    add_links(root / "p/0/42.html", "no-such.html")
    return root


BROKEN = {"gone.html": ["", "p/0/5.html"],
          "missing/a.html": ["p/0/5.html"],
          "p/0/no-such.html": ["p/0/42.html"]}


def check_page(base, out, rep, env=None):
    text, p = parse(out)
    assert p.sections == ["summary", "broken", "pages", "graph"]
    # broken links first, each with its status and every referrer
    got, cur = {}, None
    for cls, href, txt in p.links["broken"]:
        assert txt == href
        if cls == "url":
            cur = href
            got[cur] = []
        else:
            assert cls == "ref"
            got[cur].append(href)
    want = {base + u: [base + r for r in refs] for u, refs in BROKEN.items()}
    assert got == want
    for u in want:
        assert rep[u]["broken"] and rep[u]["status"] == 404
        assert sorted(rep[u]["linked_from"]) == sorted(want[u])
    assert re.search(r'id="n-broken"[^>]*>3<', text)
    fetched = {u for u, r in rep.items() if r["status"] is not None}
    assert re.search(r'id="n-pages"[^>]*>%d<' % len(fetched), text)
    # the tree: every fetched page once, under the folders of its path
    assert sorted(h for h, _, _ in p.pages) == sorted(fetched)
    for href, leaf, folders in p.pages:
        origin, rest = folders[0], "".join(folders[1:])
        assert href == (origin + "/" if leaf == "/" else
                        origin + "/" + rest + leaf), (href, leaf, folders)
    assert base + "p/0/42.html" in fetched and len(fetched) == 60 + 3
    return text, p


def test_generated_site_with_dot(start_server, site, tmp_path):
    if not DOT:
        pytest.skip("Graphviz dot not installed")
    port = serve_http(start_server, site)
    base = "http://127.0.0.1:%d/" % port
    out, jl = tmp_path / "crawl.html", tmp_path / "crawl.jsonl"
    r = crawl(base, "--html", out, "--report", jl, "-q")
    assert r.returncode == 1, r.err
    text, p = check_page(base, out, report_of(jl))
    assert p.note is None and "svg" in p.tags
    # the graph labels nodes by path: the start, pages, the broken ones
    labels = set(p.svg_text)
    assert {"/", "/p/0/5.html", "/gone.html", "/missing/a.html"} <= labels
    assert "dot" not in r.err
    # written whole, then renamed: no temporary file is left behind
    assert sorted(os.listdir(tmp_path)) == ["crawl.html", "crawl.jsonl"]


def test_generated_site_without_dot(start_server, site, tmp_path):
    port = serve_http(start_server, site)
    base = "http://127.0.0.1:%d/" % port
    out, jl = tmp_path / "crawl.html", tmp_path / "crawl.jsonl"
    empty = tmp_path / "bin"
    empty.mkdir()
    env = dict(os.environ, PATH=str(empty))
    r = crawl(base, "--html", out, "--report", jl, "-q", env=env)
    assert r.returncode == 1, r.err
    text, p = check_page(base, out, report_of(jl))
    assert "svg" not in p.tags
    assert "dot was not found" in p.note, p.note
    assert "dot was not found" in r.err


FAKE_DOTS = {
    # SVG with a script in it is not inlined
    "script": "printf '<svg><script>alert(1)</script></svg>'",
    # a dot that fails
    "fails": "exit 3",
    # one that closes its input and prints nothing
    "silent": "exec 0<&-",
}


@pytest.mark.parametrize("kind", sorted(FAKE_DOTS))
def test_bad_dot_is_left_out(start_server, tmp_path, kind):
    port = serve_http(start_server, SITE)
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "dot").write_text("#!/bin/sh\nwhile read -r l; do :; done\n%s\n"
                              % FAKE_DOTS[kind])
    (fake / "dot").chmod(0o755)
    out = tmp_path / "r.html"
    r = crawl("http://127.0.0.1:%d/" % port, "--html", out, "-q",
              env=dict(os.environ, PATH=str(fake)))
    assert r.returncode == 1, r.err
    text, p = parse(out)
    assert "svg" not in p.tags and "alert" not in text
    assert "dot failed" in p.note, p.note


HOSTILE = (b"<!DOCTYPE html><html><body>"
           b"<a href='/q?x=\"y\"&amp;z=<b>&amp;w=1'>1</a>"
           b"<a href=\"/it's&amp;more.html\">2</a>"
           b"<a href=\"/a<script>alert(1)</script>.html\">3</a>"
           b"<a href='/b\"onmouseover=\"alert(4)'>4</a>"
           b"<a href=\"javascript:alert(3)\">5</a>"
           b"<a href=\"/ok.html\">6</a></body></html>")


def hostile(path):
    if path == "/":
        return 200, "text/html", HOSTILE, {}
    if path == "/ok.html":
        return 200, "<script>alert(2)</script>", b"fine", {}
    return 404, "text/html", b"gone", {}


def test_hostile_site_is_escaped(tmp_path):
    srv = PyServer(hostile)
    try:
        base = "http://127.0.0.1:%d/" % srv.port
        out, jl = tmp_path / "h.html", tmp_path / "h.jsonl"
        r = crawl(base, "--html", out, "--report", jl, "-q")
    finally:
        srv.close()
    assert r.returncode == 1, r.err
    text, p = parse(out)
    rep = report_of(jl)
    # the page holds no markup from the site: each URL reads back as the
    # crawler recorded it, as text and as href
    broken = {u for u, x in rep.items() if x["broken"]}
    assert len(broken) == 4, rep.keys()
    assert any("&" in u and "'" in u for u in broken), broken
    assert any("&" in u and "?" in u for u in broken), broken
    assert {h for c, h, _ in p.links["broken"] if c == "url"} == broken
    pages = {h: t for h, t, _ in p.pages}
    assert set(pages) == {u for u, x in rep.items() if x["status"]}
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in text
    assert not [a for a in p.attrs if a.startswith("on")], p.attrs
    assert not any(h and h.startswith("javascript:")
                   for ls in p.links.values() for _, h, _ in ls)
    for u in broken:
        assert u.startswith(base), u


def chromium(tmp_path, *args):
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--user-data-dir=%s" % (tmp_path / "prof"),
             "--enable-logging=stderr", "--v=0"]
    return subprocess.run([CHROMIUM] + flags + list(args),
                          capture_output=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed")
def test_chromium_renders_the_report(start_server, tmp_path):
    port = serve_http(start_server, SITE)
    out = tmp_path / "report.html"
    r = crawl("http://127.0.0.1:%d/" % port, "--html", out, "-q")
    assert r.returncode == 1, r.err
    url = "file://%s" % out
    d = chromium(tmp_path, "--dump-dom", url)
    dom = d.stdout.decode()
    assert d.returncode == 0 and "Broken links: 1" in dom, d.stderr[-2000:]
    assert "news.html" in dom
    err = d.stderr.decode()
    assert "Uncaught" not in err and "Failed to load" not in err, err
    shot = tmp_path / "report.png"
    s = chromium(tmp_path, "--screenshot=%s" % shot, "--window-size=900,1400",
                 "--hide-scrollbars", url)
    assert s.returncode == 0, s.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", s.stderr[-2000:]
    keep = os.path.join(ROOT, "build", "e2e")
    os.makedirs(keep, exist_ok=True)
    shutil.copy(shot, os.path.join(keep, "crawl-report.png"))


def test_unwritable_html_path(start_server, tmp_path):
    port = serve_http(start_server, SITE)
    r = crawl("http://127.0.0.1:%d/" % port, "--html",
              tmp_path / "no/such/dir/r.html", "-q")
    assert r.returncode == 1
    assert "cannot write" in r.err
    assert os.listdir(tmp_path) == []


def test_special_files_are_written_in_place(start_server, tmp_path):
    """The temporary file and rename are for regular files: a FIFO (as
    /dev/null, a device) is written in place, never replaced by a file;
    a symbolic link stays a link to the report it names."""
    port = serve_http(start_server, SITE)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got = []

    def drain():
        with open(fifo, "rb") as f:
            got.append(f.read())
    t = threading.Thread(target=drain, daemon=True)
    t.start()
    (tmp_path / "real").mkdir()
    link = tmp_path / "link.html"
    os.symlink(tmp_path / "real" / "r.html", link)
    r = crawl("http://127.0.0.1:%d/" % port, "--report", fifo,
              "--html", link, "-q")
    t.join(30)
    assert r.returncode == 1 and "cannot write" not in r.err, r.err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert b'"url":"http://127.0.0.1:%d/news.html"' % port in got[0]
    assert os.path.islink(link)
    assert "news.html" in (tmp_path / "real" / "r.html").read_text()
    assert sorted(os.listdir(tmp_path)) == ["fifo", "link.html", "real"]
    assert os.listdir(tmp_path / "real") == ["r.html"]
