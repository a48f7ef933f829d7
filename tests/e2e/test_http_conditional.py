"""Conditional requests (RFC 9110 section 13): Last-Modified and a strong
ETag; If-None-Match and If-Modified-Since give 304, If-Match and
If-Unmodified-Since give 412."""
import os
import subprocess

from httputil import serve, get

OLD = "Thu, 01 Jan 1970 00:00:00 GMT"
FUTURE = "Fri, 01 Jan 2100 00:00:00 GMT"


def site(tmp_path):
    (tmp_path / "page.html").write_text("<p>page</p>\n")
    os.utime(tmp_path / "page.html", (1700000000, 1700000000))
    return str(tmp_path)


def test_validators(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    r = get(port, "/page.html")
    assert r.header("last-modified") == "Tue, 14 Nov 2023 22:13:20 GMT"
    etag = r.header("etag")
    assert etag.startswith('"') and etag.endswith('"')  # strong
    assert get(port, "/page.html").header("etag") == etag


def test_curl_z_if_modified_since(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    url = "http://127.0.0.1:%d/page.html" % port
    code = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}"]
    r = subprocess.run(code + ["-z", FUTURE, url], capture_output=True)
    assert r.stdout == b"304"
    r = subprocess.run(code + ["-z", OLD, url], capture_output=True)
    assert r.stdout == b"200"
    r = get(port, "/page.html", {"If-Modified-Since": "Tue, 14 Nov 2023 22:13:20 GMT"})
    assert r.status == 304 and r.body == b""
    assert r.header("etag") and r.header("date")
    # the length a 200 would have (RFC 9110 section 8.6), and no body
    assert r.header("content-length") == "12"


def test_if_none_match(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    etag = get(port, "/page.html").header("etag")
    url = "http://127.0.0.1:%d/page.html" % port
    r = subprocess.run(["curl", "-s", "-D", "-", "-H", "If-None-Match: %s" % etag, url],
                       capture_output=True)
    assert r.stdout.startswith(b"HTTP/1.1 304")
    assert get(port, "/page.html", {"If-None-Match": '"x", W/%s' % etag}).status == 304
    assert get(port, "/page.html", {"If-None-Match": "*"}).status == 304
    assert get(port, "/page.html", {"If-None-Match": '"other"'}).status == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 section 13.2.2)
    r = get(port, "/page.html", {"If-None-Match": '"other"',
                                  "If-Modified-Since": FUTURE})
    assert r.status == 200
    assert get(port, "/page.html", {"If-None-Match": etag}, method="HEAD").status == 304


def test_if_match_and_unmodified_since_412(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    etag = get(port, "/page.html").header("etag")
    assert get(port, "/page.html", {"If-Match": etag}).status == 200
    assert get(port, "/page.html", {"If-Match": "*"}).status == 200
    assert get(port, "/page.html", {"If-Match": '"nope"'}).status == 412
    # a weak tag never matches If-Match (strong comparison)
    assert get(port, "/page.html", {"If-Match": "W/" + etag}).status == 412
    assert get(port, "/page.html", {"If-Unmodified-Since": OLD}).status == 412
    assert get(port, "/page.html", {"If-Unmodified-Since": FUTURE}).status == 200


def test_etag_changes_with_content(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    etag = get(port, "/page.html").header("etag")
    (tmp_path / "page.html").write_text("<p>new page</p>\n")
    r = get(port, "/page.html", {"If-None-Match": etag})
    assert r.status == 200 and b"new page" in r.body


def test_304_keeps_the_connection_in_step(start_server, tmp_path):
    import http.client
    _, port = serve(start_server, site(tmp_path))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/page.html")
    resp = conn.getresponse()
    etag = resp.getheader("ETag")
    assert resp.read() == b"<p>page</p>\n"
    conn.request("GET", "/page.html", headers={"If-None-Match": etag})
    resp = conn.getresponse()
    assert resp.status == 304 and resp.read() == b""
    conn.request("GET", "/page.html")
    resp = conn.getresponse()
    assert resp.status == 200 and resp.read() == b"<p>page</p>\n"
    conn.close()
