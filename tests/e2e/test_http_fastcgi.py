"""FastCGI behind the web server: Debian's php-fpm started by the test
(a phpinfo-like page, a POST form, a PHP redirect, a 1 MiB upload), the
same pages through nginx and the same php-fpm pool, and a backend that
dies (502) or stays silent (504), written here in Python."""
import hashlib
import http.client
import json
import os
import socket
import subprocess
import threading

import pytest

from cgiutil import PHP_FPM, start_php_fpm, stop
from clientutil import NGINX, start_nginx, stop_nginx
from httputil import serve

pytestmark = pytest.mark.skipif(PHP_FPM is None, reason="php-fpm missing")

INFO = r"""<?php
$keys = ["GATEWAY_INTERFACE", "SERVER_PROTOCOL", "REQUEST_METHOD",
  "QUERY_STRING", "SCRIPT_NAME", "SCRIPT_FILENAME", "PATH_INFO",
  "DOCUMENT_ROOT", "REQUEST_URI", "CONTENT_LENGTH", "CONTENT_TYPE",
  "REMOTE_ADDR", "SERVER_NAME", "SERVER_ADDR", "HTTP_X_TEST",
  "HTTP_PROXY", "HTTPS"];
$out = [];
foreach ($keys as $k) $out[$k] = $_SERVER[$k] ?? null;
header("Content-Type: application/json");
echo json_encode($out);
"""
FORM = r"""<?php
header("Content-Type: text/plain");
echo "hello ", $_POST["name"] ?? "-", " (", $_SERVER["REQUEST_METHOD"], ")\n";
"""
REDIRECT = r"""<?php
header("Location: /form.php?from=redirect");
"""
UPLOAD = r"""<?php
header("Content-Type: text/plain");
$f = $_FILES["file"] ?? null;
if ($f === null || $f["error"] !== 0) { http_response_code(400); exit; }
echo $f["size"], " ", md5_file($f["tmp_name"]), "\n";
"""
INDEX = r"""<?php echo "index of ", $_SERVER["SCRIPT_NAME"], "\n";"""


def site(tmp_path):
    www = tmp_path / "www"
    www.mkdir()
    for name, text in (("info.php", INFO), ("form.php", FORM),
                       ("redirect.php", REDIRECT), ("upload.php", UPLOAD),
                       ("index.php", INDEX)):
        (www / name).write_text(text)
    (www / "plain.txt").write_text("just a file\n")
    return os.path.realpath(str(www))


@pytest.fixture
def fpm(tmp_path):
    proc, sock = start_php_fpm(tmp_path)
    yield proc, sock
    stop(proc)


def ours(start_server, www, sock, *extra):
    return serve(start_server, www, "--fastcgi", "/=unix:%s" % sock,
                 "--fastcgi-ext", ".php", "--fastcgi-index", "index.php",
                 *extra)


def request(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request(method, path, body, headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r, data


def test_php_pages(start_server, tmp_path, fpm):
    www = site(tmp_path)
    _, port = ours(start_server, www, fpm[1])
    r, data = request(port, "GET", "/info.php/extra?x=1",
                      headers={"X-Test": "yes", "Proxy": "http://evil/"})
    assert r.status == 200
    env = json.loads(data)
    assert env["GATEWAY_INTERFACE"] == "CGI/1.1"
    assert env["SCRIPT_NAME"] == "/info.php"
    assert env["SCRIPT_FILENAME"] == www + "/info.php"
    assert env["PATH_INFO"] == "/extra"
    assert env["QUERY_STRING"] == "x=1"
    assert env["DOCUMENT_ROOT"] == www
    assert env["REQUEST_URI"] == "/info.php/extra?x=1"
    assert env["HTTP_X_TEST"] == "yes"
    assert env["HTTP_PROXY"] is None and env["HTTPS"] is None
    r, data = request(port, "POST", "/form.php", "name=world",
                      {"Content-Type": "application/x-www-form-urlencoded"})
    assert (r.status, data) == (200, b"hello world (POST)\n")
    r, _ = request(port, "GET", "/redirect.php")
    assert r.status == 302
    assert r.getheader("Location") == "/form.php?from=redirect"
    r, data = request(port, "GET", "/")
    assert (r.status, data) == (200, b"index of /index.php\n")
    # not .php: the file itself
    r, data = request(port, "GET", "/plain.txt")
    assert (r.status, data) == (200, b"just a file\n")
    r, data = request(port, "GET", "/missing.php")
    assert r.status == 404


def test_over_tcp(start_server, tmp_path):
    proc, addr = start_php_fpm(tmp_path, tcp=True)
    try:
        www = site(tmp_path)
        _, port = serve(start_server, www, "--fastcgi", "/=%s" % addr,
                        "--fastcgi-ext", ".php")
        r, data = request(port, "POST", "/form.php", "name=tcp",
                          {"Content-Type":
                           "application/x-www-form-urlencoded"})
        assert (r.status, data) == (200, b"hello tcp (POST)\n")
    finally:
        stop(proc)


def test_one_mib_upload(start_server, tmp_path, fpm):
    www = site(tmp_path)
    _, port = ours(start_server, www, fpm[1], "--max-body", str(4 << 20))
    f = tmp_path / "up.bin"
    data = os.urandom(1 << 20)
    f.write_bytes(data)
    for chunked in ([], ["-H", "Transfer-Encoding: chunked"]):
        out = subprocess.run(["curl", "-s", *chunked, "-F", "file=@%s" % f,
                              "http://127.0.0.1:%d/upload.php" % port],
                             capture_output=True, timeout=60).stdout
        assert out == b"%d %s\n" % (len(data),
                                    hashlib.md5(data).hexdigest().encode())


def test_many_at_once_over_the_pool(start_server, tmp_path, fpm):
    www = site(tmp_path)
    _, port = ours(start_server, www, fpm[1])
    results = []

    def hit(i):
        r, data = request(port, "POST", "/form.php", "name=%d" % i,
                          {"Content-Type":
                           "application/x-www-form-urlencoded"})
        results.append((r.status, data))

    threads = [threading.Thread(target=hit, args=(i,)) for i in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == sorted(
        (200, b"hello %d (POST)\n" % i) for i in range(60))


@pytest.mark.skipif(NGINX is None, reason="nginx missing")
def test_same_as_nginx(start_server, tmp_path, fpm):
    www = site(tmp_path)
    _, port = ours(start_server, www, fpm[1])
    ng, nport = start_nginx(tmp_path, www, """
        index index.php;
        location ~ \\.php(/|$) {
            fastcgi_split_path_info ^(.+?\\.php)(/.*)$;
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
            fastcgi_param PATH_INFO $fastcgi_path_info;
            fastcgi_param SERVER_NAME 127.0.0.1;
            fastcgi_pass unix:%s;
        }""" % fpm[1])
    try:
        for method, path, body in (
                ("GET", "/info.php/a/b?q=1&r", None),
                ("POST", "/info.php", "k=v"),
                ("GET", "/redirect.php", None),
                ("POST", "/form.php", "name=both"),
                ("GET", "/missing.php", None)):
            h = {"X-Test": "t", "Content-Type":
                 "application/x-www-form-urlencoded"}
            a, adata = request(port, method, path, body, h)
            b, bdata = request(nport, method, path, body, h)
            assert a.status == b.status, (path, a.status, b.status)
            assert a.getheader("Location") == b.getheader("Location")
            if path.startswith("/info.php"):
                # nginx passes an empty CONTENT_LENGTH when there is no
                # body and an empty PATH_INFO when there is none (its
                # fastcgi_params); inetkit leaves them out (RFC 3875
                # sections 4.1.2, 4.1.5)
                adata, bdata = json.loads(adata), json.loads(bdata)
                for k in ("CONTENT_LENGTH", "PATH_INFO"):
                    bdata[k] = bdata[k] or None
            assert adata == bdata, (path, adata, bdata)
    finally:
        stop_nginx(ng)


class Silent(threading.Thread):
    """A FastCGI 'application' that reads requests and never answers, or
    closes at once (dead)."""

    def __init__(self, path, dead):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(path)
        self.sock.listen(16)
        self.dead = dead
        self.conns = []

    def run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            if self.dead:
                c.close()
            else:
                self.conns.append(c)

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()


@pytest.mark.parametrize("dead,status", [(True, 502), (False, 504)])
def test_backend_dead_or_silent(start_server, tmp_path, dead, status):
    www = site(tmp_path)
    path = str(tmp_path / "app.sock")
    app = Silent(path, dead)
    app.start()
    try:
        _, port = ours(start_server, www, path, "--cgi-timeout", "1")
        r, _ = request(port, "GET", "/info.php")
        assert r.status == status
        # the worker is not blocked: files still come
        r, data = request(port, "GET", "/plain.txt")
        assert (r.status, data) == (200, b"just a file\n")
    finally:
        app.close()


def test_backend_not_there(start_server, tmp_path):
    www = site(tmp_path)
    _, port = ours(start_server, www, str(tmp_path / "nobody.sock"))
    r, _ = request(port, "GET", "/info.php")
    assert r.status == 502
