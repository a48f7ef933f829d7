"""CGI meta-variables (RFC 3875 section 4.1) as a script sees them, asked
with Python's http.client and curl, and compared with lighttpd's mod_cgi
running the same script."""
import http.client
import os
import subprocess

import pytest

from cgiutil import LIGHTTPD, cgi_server, start_lighttpd, stop

ENV = """#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
env
"""


def get_env(port, path, method="GET", headers=(), body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    c.putrequest(method, path, skip_accept_encoding=True)
    for k, v in headers:
        c.putheader(k, v)
    if body is not None:
        c.putheader("Content-Length", str(len(body)))
    c.endheaders(body)
    r = c.getresponse()
    data = r.read()
    c.close()
    assert r.status == 200, (r.status, data)
    env = {}
    for line in data.decode().splitlines():
        k, _, v = line.partition("=")
        env[k] = v
    return env


def test_every_meta_variable(start_server, tmp_path):
    _, port = cgi_server(start_server, tmp_path, {"env": ENV})
    env = get_env(port, "/cgi-bin/env/some/where?a=1&b=%20x", "POST",
                  [("Content-Type", "text/plain"), ("X-Custom", "yes")],
                  b"hello")
    www = os.path.realpath(str(tmp_path / "www"))
    cgi = os.path.realpath(str(tmp_path / "cgi-bin"))
    assert env["GATEWAY_INTERFACE"] == "CGI/1.1"
    assert env["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert env["SERVER_SOFTWARE"] == "inetkit"
    assert env["REQUEST_METHOD"] == "POST"
    assert env["SCRIPT_NAME"] == "/cgi-bin/env"
    assert env["PATH_INFO"] == "/some/where"
    assert env["PATH_TRANSLATED"] == www + "/some/where"
    assert env["QUERY_STRING"] == "a=1&b=%20x"
    assert env["REQUEST_URI"] == "/cgi-bin/env/some/where?a=1&b=%20x"
    assert env["CONTENT_LENGTH"] == "5"
    assert env["CONTENT_TYPE"] == "text/plain"
    assert env["REMOTE_ADDR"] == "127.0.0.1"
    assert env["REMOTE_HOST"] == "127.0.0.1"
    assert int(env["REMOTE_PORT"]) > 0
    assert env["SERVER_NAME"] == "127.0.0.1"
    assert env["SERVER_PORT"] == str(port)
    assert env["SERVER_ADDR"] == "127.0.0.1"
    assert env["DOCUMENT_ROOT"] == www
    assert env["SCRIPT_FILENAME"] == cgi + "/env"
    assert env["HTTP_X_CUSTOM"] == "yes"
    assert env["HTTP_HOST"] == "127.0.0.1:%d" % port
    assert env["PWD"] == cgi            # run in the script's directory
    assert "HTTPS" not in env           # not over TLS
    # the body's own variables are not repeated as HTTP_
    assert "HTTP_CONTENT_TYPE" not in env
    assert "HTTP_CONTENT_LENGTH" not in env


def test_no_server_environment(start_server, tmp_path):
    os.environ["INETKIT_SECRET_TEST"] = "leak"
    try:
        _, port = cgi_server(start_server, tmp_path, {"env": ENV})
    finally:
        del os.environ["INETKIT_SECRET_TEST"]
    env = get_env(port, "/cgi-bin/env")
    assert "INETKIT_SECRET_TEST" not in env
    allowed = {"PATH", "LANG", "PWD", "SHLVL", "_"}   # sh adds the last 3
    extra = {k for k in env if k not in allowed and not k.startswith("HTTP_")
             and k.upper() == k and k}
    assert extra <= {
        "GATEWAY_INTERFACE", "SERVER_PROTOCOL", "SERVER_SOFTWARE",
        "REQUEST_METHOD", "SCRIPT_NAME", "QUERY_STRING", "REQUEST_URI",
        "REMOTE_ADDR", "REMOTE_HOST", "REMOTE_PORT", "SERVER_NAME",
        "SERVER_PORT", "SERVER_ADDR", "DOCUMENT_ROOT", "SCRIPT_FILENAME"}, extra
    assert "QUERY_STRING" in env and env["QUERY_STRING"] == ""
    assert "PATH_INFO" not in env and "CONTENT_LENGTH" not in env


def test_httpoxy_and_smuggled_names(start_server, tmp_path):
    """A Proxy: header must not become HTTP_PROXY (CVE-2016-5385 and
    kin); X_Forwarded_For must not pass for X-Forwarded-For; no
    Authorization for scripts (section 4.1.18)."""
    _, port = cgi_server(start_server, tmp_path, {"env": ENV})
    env = get_env(port, "/cgi-bin/env", headers=[
        ("Proxy", "http://evil.example:1/"),
        ("X_Forwarded_For", "6.6.6.6"),
        ("Authorization", "Basic dXNlcjpwYXNz"),
        ("X-Dup", "a"), ("X-Dup", "b")])
    assert "HTTP_PROXY" not in env
    assert "HTTP_X_FORWARDED_FOR" not in env
    assert "HTTP_AUTHORIZATION" not in env
    assert env["HTTP_X_DUP"] == "a, b"


def test_http10_head_and_curl(start_server, tmp_path):
    _, port = cgi_server(start_server, tmp_path, {"env": ENV})
    out = subprocess.run(["curl", "-s", "-0", "-i",
                          "http://127.0.0.1:%d/cgi-bin/env?x" % port],
                         capture_output=True, timeout=20).stdout.decode()
    head, _, body = out.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 200")
    # HTTP/1.0 has no chunked coding: the body ends with the connection
    assert "transfer-encoding" not in head.lower()
    assert "SERVER_PROTOCOL=HTTP/1.0" in body
    out = subprocess.run(["curl", "-s", "-I",
                          "http://127.0.0.1:%d/cgi-bin/env" % port],
                         capture_output=True, timeout=20).stdout.decode()
    assert out.startswith("HTTP/1.1 200") and "text/plain" in out


@pytest.mark.skipif(LIGHTTPD is None, reason="lighttpd not installed")
def test_same_as_lighttpd(start_server, tmp_path):
    _, port = cgi_server(start_server, tmp_path, {"env": ENV})
    www = str(tmp_path / "www")
    proc, lport = start_lighttpd(tmp_path, www, str(tmp_path / "cgi-bin"))
    try:
        args = ("/cgi-bin/env/x/y?q=1&r", "POST",
                [("Content-Type", "application/x-www-form-urlencoded"),
                 ("X-Thing", "1"), ("Proxy", "http://evil/")], b"a=b&c=d")
        ours = get_env(port, *args)
        theirs = get_env(lport, *args)
    finally:
        stop(proc)
    same = ["GATEWAY_INTERFACE", "SERVER_PROTOCOL", "REQUEST_METHOD",
            "QUERY_STRING", "SCRIPT_NAME", "PATH_INFO", "CONTENT_LENGTH",
            "CONTENT_TYPE", "REMOTE_ADDR", "SERVER_NAME", "HTTP_X_THING",
            "REQUEST_URI", "SERVER_ADDR"]
    # PATH_TRANSLATED differs on purpose: RFC 3875 section 4.1.6 maps
    # PATH_INFO as a URL path (document root + PATH_INFO, as Apache
    # does); lighttpd maps it below the alias target, the scripts' dir.
    assert ours["PATH_TRANSLATED"].endswith("/www/x/y")
    for k in same:
        assert ours.get(k) == theirs.get(k), (k, ours.get(k), theirs.get(k))
    assert ours["SERVER_PORT"] == str(port)
    assert theirs["SERVER_PORT"] == str(lport)
    assert "HTTP_PROXY" not in ours and "HTTP_PROXY" not in theirs


PROC = """#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
echo "pid=$$"
echo "pgid=$(cut -d' ' -f5 /proc/$$/stat)"
echo "fds=$(ls /proc/self/fd | sort -n | tr '\\n' ' ')"
grep -E '^Sig(Blk|Ign):' /proc/self/status
echo "cwd=$(pwd)"
"""


def test_process_group_descriptors_signals(start_server, tmp_path):
    """Own process group, only stdin/stdout/stderr open, no signal blocked
    or ignored (the server's threads block SIGTERM and ignore SIGPIPE),
    the script's directory as working directory."""
    _, port = cgi_server(start_server, tmp_path, {"proc": PROC})
    env = get_env(port, "/cgi-bin/proc")
    assert env["pid"] == env["pgid"]
    # what ls (a program the script runs) has: 0-2, and 3 for the
    # directory it reads
    assert env["fds"].split() == ["0", "1", "2", "3"]
    sig = dict(k.split(":\t") for k in env if k.startswith("Sig"))
    assert int(sig["SigBlk"], 16) == 0
    # signals 1-31; glibc's posix_spawn leaves its own two internal ones
    # (32, 33) ignored in the child of a threaded program, and every
    # glibc program installs its handlers for them at start
    assert int(sig["SigIgn"], 16) & 0x7fffffff == 0
    assert env["cwd"] == os.path.realpath(str(tmp_path / "cgi-bin"))
