"""Range requests (RFC 9110 section 14): one range, suffix and open ranges,
multipart/byteranges, If-Range, 416 with `bytes */len`, and many or
overlapping ranges merged or refused (Apache CVE-2011-3192)."""
import subprocess

from httputil import serve, get

DATA = bytes(range(256)) * 40  # 10240 bytes


def site(tmp_path):
    (tmp_path / "data.bin").write_bytes(DATA)
    return str(tmp_path)


def curl_r(port, rng, *extra):
    return subprocess.run(["curl", "-s", "-r", rng] + list(extra) +
                          ["http://127.0.0.1:%d/data.bin" % port],
                          capture_output=True, timeout=20).stdout


def test_curl_single_suffix_open(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    assert curl_r(port, "0-99") == DATA[:100]
    assert curl_r(port, "-100") == DATA[-100:]
    assert curl_r(port, "10000-") == DATA[10000:]
    assert curl_r(port, "10000-99999") == DATA[10000:]
    r = get(port, "/data.bin", {"Range": "bytes=100-199"})
    assert r.status == 206
    assert r.header("content-range") == "bytes 100-199/10240"
    assert r.header("content-length") == "100" and r.body == DATA[100:200]


def test_multipart_byteranges(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    r = get(port, "/data.bin", {"Range": "bytes=0-9, 5000-5009, -5"})
    assert r.status == 206
    ctype = r.header("content-type")
    assert ctype.startswith("multipart/byteranges; boundary=")
    boundary = ctype.split("boundary=")[1].encode()
    assert int(r.header("content-length")) == len(r.body)
    parts = r.body.split(b"--" + boundary)
    assert parts[-1] == b"--\r\n"
    got = []
    for p in parts[1:-1]:
        head, _, body = p.partition(b"\r\n\r\n")
        assert b"Content-Type: application/octet-stream" in head
        got.append((head.split(b"Content-Range: ")[1].decode(), body[:-2]))
    assert got == [("bytes 0-9/10240", DATA[0:10]),
                   ("bytes 5000-5009/10240", DATA[5000:5010]),
                   ("bytes 10235-10239/10240", DATA[10235:])]


def test_overlapping_ranges_merged(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    r = get(port, "/data.bin", {"Range": "bytes=0-99,50-149,150-199"})
    assert r.status == 206
    assert r.header("content-range") == "bytes 0-199/10240"
    assert r.body == DATA[:200]
    # the CVE-2011-3192 request: hundreds of overlapping ranges
    many = "bytes=0-," + ",".join("5-%d" % i for i in range(90))
    r = get(port, "/data.bin", {"Range": many})
    assert r.status == 200 and r.body == DATA


def test_too_many_ranges_served_whole(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    spread = "bytes=" + ",".join("%d-%d" % (i * 100, i * 100) for i in range(50))
    r = get(port, "/data.bin", {"Range": spread})
    assert r.status == 200 and r.body == DATA


def test_unsatisfiable_416(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    for rng in ("bytes=10240-", "bytes=20000-30000", "bytes=-0"):
        r = get(port, "/data.bin", {"Range": rng})
        assert r.status == 416, rng
        assert r.header("content-range") == "bytes */10240"
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                        "-r", "99999-", "http://127.0.0.1:%d/data.bin" % port],
                       capture_output=True)
    assert r.stdout == b"416"


def test_bad_range_syntax_ignored(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    for rng in ("bytes=9-1", "items=0-1", "bytes=abc"):
        r = get(port, "/data.bin", {"Range": rng})
        assert r.status == 200 and r.body == DATA, rng


def test_if_range(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    full = get(port, "/data.bin")
    etag, lm = full.header("etag"), full.header("last-modified")
    r = get(port, "/data.bin", {"Range": "bytes=0-9", "If-Range": etag})
    assert r.status == 206 and r.body == DATA[:10]
    r = get(port, "/data.bin", {"Range": "bytes=0-9", "If-Range": lm})
    assert r.status == 206
    r = get(port, "/data.bin", {"Range": "bytes=0-9", "If-Range": '"stale"'})
    assert r.status == 200 and r.body == DATA
    r = get(port, "/data.bin", {"Range": "bytes=0-9",
                                 "If-Range": "Thu, 01 Jan 1970 00:00:00 GMT"})
    assert r.status == 200


def test_range_ignored_for_head(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    r = get(port, "/data.bin", {"Range": "bytes=0-9"}, method="HEAD")
    assert r.status == 200 and r.header("content-length") == "10240"
    assert r.header("accept-ranges") == "bytes"
