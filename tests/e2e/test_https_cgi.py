"""CGI and FastCGI behind the HTTPS listener: HTTPS=on for the script
(RFC 3875 leaves it to the server; Apache, nginx and lighttpd set it),
request bodies read through TLS and replies sent back through it."""
import hashlib
import http.client
import json
import os

import pytest

from cgiutil import PHP_FPM, start_php_fpm, stop, write_script
from tlsutil import context, make_ca, make_leaf, serve_tls

SCRIPT = """#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
echo "https=${HTTPS-unset} port=$SERVER_PORT length=$CONTENT_LENGTH"
echo "sum=$(sha256sum | cut -d' ' -f1)"
"""


def post(port, path, body, ca):
    c = http.client.HTTPSConnection("127.0.0.1", port, timeout=60,
                                    context=context(ca))
    c.request("POST", path, body, {"Host": "localhost"})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r, data


def test_cgi_over_tls(start_server, tmp_path):
    ca = make_ca(tmp_path)
    pair = make_leaf(tmp_path, ca, "leaf")
    cgi = tmp_path / "cgi-bin"
    cgi.mkdir()
    write_script(cgi, "s", SCRIPT)
    _, port = serve_tls(start_server, pair, "--cgi", "/cgi-bin/=%s" % cgi,
                        "--max-body", str(8 << 20), root=str(tmp_path))
    body = os.urandom(3 << 20)
    r, data = post(port, "/cgi-bin/s", body, ca)
    assert r.status == 200
    assert ("https=on port=%d length=%d" % (port, len(body))).encode() in data
    assert ("sum=" + hashlib.sha256(body).hexdigest()).encode() in data


@pytest.mark.skipif(PHP_FPM is None, reason="php-fpm missing")
def test_fastcgi_over_tls(start_server, tmp_path):
    ca = make_ca(tmp_path)
    pair = make_leaf(tmp_path, ca, "leaf")
    www = tmp_path / "www"
    www.mkdir()
    (www / "t.php").write_text(
        '<?php echo json_encode([$_SERVER["HTTPS"] ?? null, '
        'strlen(file_get_contents("php://input"))]);')
    proc, sock = start_php_fpm(tmp_path)
    try:
        _, port = serve_tls(start_server, pair, "--fastcgi",
                            "/=unix:%s" % sock, "--fastcgi-ext", ".php",
                            "--max-body", str(4 << 20), root=str(www))
        r, data = post(port, "/t.php", b"x" * (1 << 20), ca)
        assert r.status == 200 and json.loads(data) == ["on", 1 << 20]
    finally:
        stop(proc)
