"""The server caches open files and small bodies per worker, yet a file
changed, replaced, deleted or created on disk before a request is sent is
what that request gets: on new connections and on one kept alive."""
import os

from httputil import serve, get, connect, parse_one


def keepalive_get(c, path):
    c.sendall(("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % path).encode())
    data = b""
    while True:
        r, rest = parse_one(data)
        if r is not None:
            assert rest == b""
            return r
        chunk = c.recv(65536)
        assert chunk, "connection closed"
        data += chunk


def test_modified_file_served_fresh(start_server, tmp_path):
    (tmp_path / "page.html").write_text("first version\n")
    _, port = serve(start_server, str(tmp_path))
    for _ in range(3):
        assert get(port, "/page.html").body == b"first version\n"
    (tmp_path / "page.html").write_text("second, longer version\n")
    r = get(port, "/page.html")
    assert r.status == 200 and r.body == b"second, longer version\n"
    assert r.header("content-length") == "23"


def test_fresh_on_a_kept_alive_connection(start_server, tmp_path):
    (tmp_path / "a.txt").write_text("one")
    _, port = serve(start_server, str(tmp_path))
    c = connect(port)
    try:
        assert keepalive_get(c, "/a.txt").body == b"one"
        etag = keepalive_get(c, "/a.txt").header("etag")
        # replaced the way editors and deploy tools do: write, rename
        (tmp_path / "a.tmp").write_text("three")
        os.rename(tmp_path / "a.tmp", tmp_path / "a.txt")
        r = keepalive_get(c, "/a.txt")
        assert r.body == b"three" and r.header("etag") != etag
        (tmp_path / "a.txt").unlink()
        assert keepalive_get(c, "/a.txt").status == 404
        (tmp_path / "a.txt").write_text("four!")
        assert keepalive_get(c, "/a.txt").body == b"four!"
    finally:
        c.close()


def test_large_file_replaced(start_server, tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(b"a" * 100000)
    _, port = serve(start_server, str(tmp_path))
    assert get(port, "/big.bin").body == b"a" * 100000
    big.write_bytes(b"b" * 50000)
    r = get(port, "/big.bin")
    assert r.status == 200 and r.body == b"b" * 50000
