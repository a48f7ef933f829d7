"""Compression on the fly (--compress, default gzip,br,zstd): real clients
(curl --compressed, Python http.client with the gzip, brotli and
zstandard decoders) get the file back; the coding follows Accept-Encoding
q-values; images, small files and --compress off stay identity; a strong
ETag per coding that If-None-Match matches; Vary on every compressible
reply; HEAD like GET; a Range is served from the file itself; each
variant is compressed once (the status page's counters) and again when
the file changes; HTTPS too."""
import gzip
import http.client
import json
import os
import random
import subprocess

import brotli
import pytest
import zstandard

from httputil import get, serve
from tlsutil import make_ca, make_leaf, serve_tls

PAGE = b"".join(b"<p>line %d: the quick brown fox jumps over the lazy dog</p>\n"
                % i for i in range(2000))     # about 120 KB, compresses well
SMALL = b"<p>tiny</p>\n"                     # below --compress-min (256)
# pseudo-random words: its variants are larger than the 16 KiB that go
# out with the head, so they leave from the cache's memory
_rng = random.Random(7)
WORDS = " ".join("".join(_rng.choice("abcdefghijklmnopqrstuvwxyz")
                         for _ in range(_rng.randint(2, 9)))
                 for _ in range(40000)).encode()

DECODE = {
    "gzip": gzip.decompress,
    "br": brotli.decompress,
    "zstd": lambda b: zstandard.ZstdDecompressor().decompressobj().decompress(b),
}


def site(tmp_path):
    (tmp_path / "page.html").write_bytes(PAGE)
    (tmp_path / "small.html").write_bytes(SMALL)
    (tmp_path / "app.js").write_bytes(PAGE)
    (tmp_path / "data.json").write_bytes(b'{"a": [' + b"1, " * 3000 + b"1]}")
    (tmp_path / "pic.png").write_bytes(b"\x89PNG" + PAGE)
    (tmp_path / "big.txt").write_bytes(PAGE * 10)    # beyond the 1 MiB cap
    (tmp_path / "words.txt").write_bytes(WORDS)
    return str(tmp_path)


def start(start_server, tmp_path, *extra):
    return serve(start_server, site(tmp_path), "--status", "/.status", *extra)


def fetch(port, path, ae=None, method="GET", headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    h = dict(headers or {})
    if ae is not None:
        h["Accept-Encoding"] = ae
    c.request(method, path, headers=h)
    r = c.getresponse()
    body = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, hdrs, body


def counters(port):
    _, _, body = fetch(port, "/.status.json")
    return json.loads(body)["compress"]


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd"])
def test_python_decoders_get_the_file(start_server, tmp_path, coding):
    _, port = start(start_server, tmp_path)
    for path in ("/page.html", "/app.js", "/data.json", "/words.txt"):
        st, h, body = fetch(port, path, coding)
        assert st == 200 and h["content-encoding"] == coding, (path, h)
        assert h["vary"] == "Accept-Encoding"
        assert int(h["content-length"]) == len(body)
        if path == "/words.txt":
            assert 16384 < len(body) < len(WORDS) * 0.8
        else:
            assert len(body) < len(PAGE) // 5
        assert "accept-ranges" not in h
        with open(os.path.join(str(tmp_path), path[1:]), "rb") as f:
            assert DECODE[coding](body) == f.read()


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd"])
def test_curl_compressed(start_server, tmp_path, coding):
    _, port = start(start_server, tmp_path)
    url = "http://127.0.0.1:%d/page.html" % port
    out = subprocess.run(["curl", "-sS", "--compressed", "-H",
                          "Accept-Encoding: " + coding, "-D", "-", url],
                         capture_output=True, timeout=30)
    head, _, body = out.stdout.partition(b"\r\n\r\n")
    assert b"\r\nContent-Encoding: " + coding.encode() in head, head
    assert body == PAGE
    # curl's own Accept-Encoding (deflate, gzip, br, zstd): br wins
    out = subprocess.run(["curl", "-sS", "--compressed", "-D", "-", url],
                         capture_output=True, timeout=30)
    head, _, body = out.stdout.partition(b"\r\n\r\n")
    assert b"\r\nContent-Encoding: br" in head and body == PAGE


@pytest.mark.parametrize("ae,want", [
    ("gzip, deflate, br, zstd", "br"),
    ("gzip, deflate", "gzip"),
    ("gzip;q=0.5, zstd;q=0.8", "zstd"),
    ("gzip, zstd", "zstd"),
    ("br;q=0, *", "zstd"),
    ("x-gzip", "gzip"),
    ("*", "br"),
    ("gzip;q=0.5, identity", None),
    ("*;q=0", None),
    ("gzip;q=0, br;q=0.0, zstd;q=0", None),
    ("identity", None),
    ("", None),
    ("deflate", None),
    (None, None),
])
def test_q_values(start_server, tmp_path, ae, want):
    _, port = start(start_server, tmp_path)
    st, h, body = fetch(port, "/page.html", ae)
    assert st == 200
    assert h.get("content-encoding") == want, (ae, h)
    assert h["vary"] == "Accept-Encoding"
    assert (DECODE[want](body) if want else body) == PAGE


def test_not_compressed(start_server, tmp_path):
    _, port = start(start_server, tmp_path)
    # an image, a file below --compress-min, a file beyond 1 MiB
    for path, vary in (("/pic.png", False), ("/small.html", False),
                       ("/big.txt", False)):
        st, h, body = fetch(port, path, "gzip, br, zstd")
        assert st == 200 and "content-encoding" not in h, (path, h)
        assert ("vary" in h) == vary, (path, h)
        assert body == open(os.path.join(str(tmp_path), path[1:]), "rb").read()
    assert counters(port) == {"made": 0, "hits": 0}


def test_min_and_off(start_server, tmp_path):
    _, port = start(start_server, tmp_path, "--compress-min", "2k",
                    "--compress", "gzip")
    st, h, _ = fetch(port, "/page.html", "br, zstd")
    assert "content-encoding" not in h and h["vary"] == "Accept-Encoding"
    st, h, body = fetch(port, "/page.html", "br, gzip")
    assert h["content-encoding"] == "gzip" and gzip.decompress(body) == PAGE
    (tmp_path / "mid.html").write_bytes(PAGE[:1500])
    st, h, _ = fetch(port, "/mid.html", "gzip")
    assert "content-encoding" not in h and "vary" not in h
    (tmp_path / "off").mkdir()
    (tmp_path / "off" / "page.html").write_bytes(PAGE)
    _, port = serve(start_server, str(tmp_path / "off"), "--compress", "off")
    st, h, body = fetch(port, "/page.html", "gzip, br, zstd")
    assert "content-encoding" not in h and "vary" not in h and body == PAGE


def test_etag_per_coding_and_304(start_server, tmp_path):
    _, port = start(start_server, tmp_path)
    tags = {}
    for coding in ("identity", "gzip", "br", "zstd"):
        _, h, _ = fetch(port, "/page.html", coding)
        tags[coding] = h["etag"]
    assert len(set(tags.values())) == 4, tags
    for coding in ("gzip", "br", "zstd"):
        assert tags[coding] == tags["identity"][:-1] + "-" + coding + '"'
        st, h, body = fetch(port, "/page.html", coding,
                            headers={"If-None-Match": tags[coding]})
        assert st == 304 and body == b"", h
        assert h["etag"] == tags[coding] and h["vary"] == "Accept-Encoding"
        # the identity's tag does not match the coded reply
        st, h, _ = fetch(port, "/page.html", coding,
                         headers={"If-None-Match": tags["identity"]})
        assert st == 200 and h["content-encoding"] == coding
    st, _, _ = fetch(port, "/page.html", None,
                     headers={"If-None-Match": tags["gzip"]})
    assert st == 200


def test_head_like_get(start_server, tmp_path):
    _, port = start(start_server, tmp_path)
    for coding in ("gzip", "br", "zstd", "identity"):
        _, g, body = fetch(port, "/page.html", coding)
        _, h, hbody = fetch(port, "/page.html", coding, method="HEAD")
        assert hbody == b""
        for k in ("content-length", "content-encoding", "etag", "vary",
                  "content-type"):
            assert g.get(k) == h.get(k), (coding, k, g, h)
        assert int(h["content-length"]) == len(body)


def test_range_gets_identity(start_server, tmp_path):
    _, port = start(start_server, tmp_path)
    st, h, body = fetch(port, "/page.html", "gzip, br",
                        headers={"Range": "bytes=100-199"})
    assert st == 206 and "content-encoding" not in h, h
    assert body == PAGE[100:200] and h["vary"] == "Accept-Encoding"
    assert h["content-range"] == "bytes 100-199/%d" % len(PAGE)
    # If-Range with the coded tag: the range is of another representation,
    # the whole coded reply comes
    _, g, _ = fetch(port, "/page.html", "gzip")
    st, h, body = fetch(port, "/page.html", "gzip",
                        headers={"Range": "bytes=0-9", "If-Range": g["etag"]})
    assert st == 200 and h["content-encoding"] == "gzip"
    assert gzip.decompress(body) == PAGE
    # curl resuming a download: the bytes of the file
    out = subprocess.run(["curl", "-sS", "--compressed", "-r", "1000-",
                          "http://127.0.0.1:%d/page.html" % port],
                         capture_output=True, timeout=30)
    assert out.stdout == PAGE[1000:]


def test_compressed_once_then_again_on_change(start_server, tmp_path):
    _, port = start(start_server, tmp_path)
    for _ in range(5):
        fetch(port, "/page.html", "gzip")
    fetch(port, "/page.html", "br")
    fetch(port, "/page.html", "gzip", method="HEAD")
    assert counters(port) == {"made": 2, "hits": 5}
    new = PAGE.replace(b"lazy", b"busy")
    (tmp_path / "page.html").write_bytes(new)
    st, h, body = fetch(port, "/page.html", "gzip")
    assert gzip.decompress(body) == new
    assert counters(port) == {"made": 3, "hits": 5}


def test_precompressed_sibling_wins_when_fresh(start_server, tmp_path):
    root = site(tmp_path)
    (tmp_path / "page.html.gz").write_bytes(gzip.compress(PAGE, 9))
    _, port = serve(start_server, root, "--status", "/.status")
    st, h, body = fetch(port, "/page.html", "gzip")
    assert body == gzip.compress(PAGE, 9) and h["content-encoding"] == "gzip"
    # the client prefers br: still the sibling (no work on the fly)
    st, h, body = fetch(port, "/page.html", "br, gzip")
    assert h["content-encoding"] == "gzip"
    assert counters(port)["made"] == 0
    # the page changed after its sibling was made: the sibling is stale
    os.utime(tmp_path / "page.html.gz", (1000000, 1000000))
    st, h, body = fetch(port, "/page.html", "gzip")
    assert h["content-encoding"] == "gzip" and gzip.decompress(body) == PAGE
    assert body != gzip.compress(PAGE, 9)
    assert counters(port)["made"] == 1


def test_cache_zero_compresses_each_time(start_server, tmp_path):
    _, port = start(start_server, tmp_path, "--compress-cache", "0")
    for _ in range(3):
        _, _, body = fetch(port, "/page.html", "zstd")
        assert DECODE["zstd"](body) == PAGE
    assert counters(port) == {"made": 3, "hits": 0}


def test_https(start_server, tmp_path):
    (tmp_path / "site").mkdir()
    root = site(tmp_path / "site")
    ca = make_ca(tmp_path)
    leaf = make_leaf(tmp_path, ca, "leaf")
    _, port = serve_tls(start_server, leaf, root=root)
    for coding in ("gzip", "br", "zstd"):
        for path, want in (("/page.html", PAGE), ("/words.txt", WORDS)):
            out = subprocess.run(["curl", "-sS", "--compressed", "--cacert",
                                  ca.cert_path, "-H",
                                  "Accept-Encoding: " + coding, "-D", "-",
                                  "https://localhost:%d%s" % (port, path)],
                                 capture_output=True, timeout=30)
            head, _, body = out.stdout.partition(b"\r\n\r\n")
            assert b"Content-Encoding: " + coding.encode() in head, out.stderr
            assert body == want


def test_bad_flags():
    from conftest import assert_usage_error
    for args in (["--compress", "deflate"], ["--compress", "gzip,"],
                 ["--compress-level", "0"], ["--compress-level", "10"],
                 ["--compress-min", "-1"], ["--compress-cache", "lots"],
                 ["--compress-cache", "2G"]):
        assert_usage_error(["serve", "http", "--root", "/tmp"] + args)


def test_config_keys(start_server, tmp_path):
    root = site(tmp_path)
    conf = tmp_path / "inetkit.conf"
    conf.write_text("http:\n  root: %s\n  listen: 127.0.0.1:0\n"
                    "  compress: gzip\n  compress-level: 9\n"
                    "  compress-min: 1k\n  compress-cache: 1M\n" % root)
    s = start_server(["serve", "--config", str(conf)])
    st, h, body = fetch(s.port(), "/page.html", "br, gzip")
    assert h["content-encoding"] == "gzip" and gzip.decompress(body) == PAGE
    # zlib's level 9, as Python's gzip module makes it (same header size)
    assert len(body) == len(gzip.compress(PAGE, 9)) != len(gzip.compress(PAGE, 1))
    conf.write_text("http:\n  root: %s\n  compress: deflate\n" % root)
    from conftest import run
    r = run(["check", "--config", str(conf)])
    assert r.returncode == 2 and b"compress" in r.stderr
