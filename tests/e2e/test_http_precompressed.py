"""A precompressed sibling (page.html.br, page.html.gz) is served when
Accept-Encoding allows it, with Content-Encoding and Vary."""
import gzip
import subprocess

from httputil import serve, get

TEXT = b"<p>" + b"hello compressed world " * 200 + b"</p>\n"


def site(tmp_path, br=True):
    (tmp_path / "page.html").write_bytes(TEXT)
    (tmp_path / "page.html.gz").write_bytes(gzip.compress(TEXT))
    if br:
        (tmp_path / "page.html.br").write_bytes(b"BROTLI-BYTES")
    return str(tmp_path)


def test_gzip_sibling(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path, br=False))
    r = get(port, "/page.html", {"Accept-Encoding": "gzip, deflate"})
    assert r.header("content-encoding") == "gzip"
    assert r.header("vary") == "Accept-Encoding"
    assert r.header("content-type") == "text/html; charset=utf-8"
    assert gzip.decompress(r.body) == TEXT
    out = subprocess.run(["curl", "-s", "--compressed",
                          "http://127.0.0.1:%d/page.html" % port],
                         capture_output=True).stdout
    assert out == TEXT


def test_br_preferred(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    r = get(port, "/page.html", {"Accept-Encoding": "gzip, br"})
    assert r.header("content-encoding") == "br" and r.body == b"BROTLI-BYTES"
    r = get(port, "/page.html", {"Accept-Encoding": "gzip, br;q=0"})
    assert r.header("content-encoding") == "gzip"


def test_identity_without_accept_encoding(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    r = get(port, "/page.html")
    assert r.header("content-encoding") is None and r.body == TEXT
    r = get(port, "/page.html", {"Accept-Encoding": "identity"})
    assert r.body == TEXT
    r = get(port, "/page.html", {"Accept-Encoding": "gzip;q=0, br;q=0.0"})
    assert r.body == TEXT
