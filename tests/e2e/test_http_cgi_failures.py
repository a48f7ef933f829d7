"""CGI scripts that go wrong, and the answers of RFC 3875 section 6:
Status, Location (client and local redirects), the script's own
Content-Length; a hang (--cgi-timeout), a client that goes away, garbage,
an early death, a child left behind, --cgi-max, files that are not
scripts and paths that try to climb out."""
import http.client
import os
import signal
import socket
import subprocess
import time

import pytest

from cgiutil import (LIGHTTPD, cgi_server, pid_gone, read_pid, start_lighttpd,
                     stop, write_script)
from conftest import assert_usage_error, run
from httputil import connect, raw, parse_one

HANG = """#!/bin/sh
echo $$ > "$PWD/../hang.pid"
sleep 60
printf 'Content-Type: text/plain\\r\\n\\r\\nlate\\n'
"""
GARBAGE = """#!/bin/sh
echo "oops: the database is down" >&2
echo "this is not a header line"
echo
"""
DIES = """#!/bin/sh
echo "dying young" >&2
exit 3
"""
FORKS = """#!/bin/sh
sleep 30 &
echo $! > "$PWD/../child.pid"
printf 'Content-Type: text/plain\\r\\n\\r\\nparent done\\n'
"""
LINGER = """#!/bin/sh
echo $$ > "$PWD/../linger.pid"
printf 'Content-Type: text/plain\\r\\n\\r\\nbye\\n'
exec >&-
sleep 0.2
touch "$PWD/../tidied"
sleep 60
"""
STATUS = """#!/bin/sh
printf 'Status: 404 Not Here\\r\\nContent-Type: text/plain\\r\\nX-Mine: 1\\r\\n\\r\\ngone\\n'
"""
AWAY = """#!/bin/sh
printf 'Location: http://example.test/elsewhere\\n\\n'
"""
LOCAL = """#!/bin/sh
printf 'Location: /cgi-bin/env?from=redirect\\n\\n'
"""
LOCAL_FILE = """#!/bin/sh
printf 'Location: /page.txt\\n\\n'
"""
LOOP = """#!/bin/sh
printf 'Location: /cgi-bin/loop\\n\\n'
"""
LENGTH = """#!/bin/sh
printf 'Content-Type: text/plain\\nContent-Length: 6\\n\\nexact\\n'
"""
BIGHEAD = """#!/bin/sh
printf 'Content-Type: text/plain\\nX-Big: '
head -c 20000 /dev/zero | tr '\\0' a
printf '\\n\\nbody\\n'
"""
ENV = """#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
echo "method=$REQUEST_METHOD query=$QUERY_STRING info=$PATH_INFO"
"""
WAIT = """#!/bin/sh
touch "$PWD/../started"
while [ ! -e "$PWD/../go" ]; do sleep 0.05; done
printf 'Content-Type: text/plain\\r\\n\\r\\nwent\\n'
"""


def get(port, path, timeout=30):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r, body


def test_hang_is_killed_at_the_timeout(start_server, tmp_path):
    srv, port = cgi_server(start_server, tmp_path, {"hang": HANG},
                           "--cgi-timeout", "1")
    r, _ = get(port, "/cgi-bin/hang")
    assert r.status == 504
    assert pid_gone(read_pid(tmp_path / "hang.pid"))
    assert "hang" in srv.stderr()


def test_script_that_lingers_after_its_reply(start_server, tmp_path):
    """Its reply ends when it closes stdout; it is killed once it outstays
    the timeout after that."""
    _, port = cgi_server(start_server, tmp_path, {"linger": LINGER},
                         "--cgi-timeout", "4")
    r, body = get(port, "/cgi-bin/linger")
    assert (r.status, body) == (200, b"bye\n")
    # not killed with its reply: it tidies up, within the timeout
    deadline = time.time() + 10
    while not (tmp_path / "tidied").exists() and time.time() < deadline:
        time.sleep(0.05)
    assert (tmp_path / "tidied").exists()
    assert pid_gone(read_pid(tmp_path / "linger.pid"), timeout=20)


def test_client_gone_kills_the_script(start_server, tmp_path):
    _, port = cgi_server(start_server, tmp_path, {"hang": HANG})
    c = connect(port)
    c.sendall(b"GET /cgi-bin/hang HTTP/1.1\r\nHost: x\r\n\r\n")
    pid = read_pid(tmp_path / "hang.pid")
    c.close()
    assert pid_gone(pid)


def test_garbage_is_502_with_stderr_logged(start_server, tmp_path):
    srv, port = cgi_server(start_server, tmp_path, {"garbage": GARBAGE,
                                                    "dies": DIES})
    r, _ = get(port, "/cgi-bin/garbage")
    assert r.status == 502
    r, _ = get(port, "/cgi-bin/dies")
    assert r.status == 502
    # the 502's own log line carries the first line of the script's stderr
    lines = srv.stderr().splitlines()
    assert any("garbage" in l and "malformed" in l and
               "oops: the database is down" in l for l in lines), lines
    assert any("dies" in l and "dying young" in l and "before its head" in l
               for l in lines), lines
    # never to the client
    _, body = get(port, "/cgi-bin/garbage")
    assert b"oops" not in body


def test_child_left_behind_does_not_hold_the_reply(start_server, tmp_path):
    _, port = cgi_server(start_server, tmp_path, {"forks": FORKS})
    try:
        out = subprocess.run(["curl", "-s", "--max-time", "20",
                              "http://127.0.0.1:%d/cgi-bin/forks" % port],
                             capture_output=True, timeout=30)
        assert out.returncode == 0 and out.stdout == b"parent done\n"
    finally:
        try:
            os.kill(read_pid(tmp_path / "child.pid"), signal.SIGKILL)
        except (ProcessLookupError, RuntimeError):
            pass


def test_status_location_and_length(start_server, tmp_path):
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "page.txt").write_text("static page\n")
    _, port = cgi_server(start_server, tmp_path, {
        "status": STATUS, "away": AWAY, "local": LOCAL, "env": ENV,
        "localfile": LOCAL_FILE, "loop": LOOP, "length": LENGTH,
        "bighead": BIGHEAD})
    r, body = get(port, "/cgi-bin/status")
    assert (r.status, r.reason, body) == (404, "Not Found", b"gone\n")
    assert r.getheader("X-Mine") == "1"
    r, _ = get(port, "/cgi-bin/away")
    assert r.status == 302
    assert r.getheader("Location") == "http://example.test/elsewhere"
    r, body = get(port, "/cgi-bin/local")
    assert r.status == 200
    assert body == b"method=GET query=from=redirect info=\n"
    r, body = get(port, "/cgi-bin/localfile")
    assert (r.status, body) == (200, b"static page\n")
    r, _ = get(port, "/cgi-bin/loop")
    assert r.status == 500
    r, body = get(port, "/cgi-bin/length")
    assert r.getheader("Content-Length") == "6"
    assert r.getheader("Transfer-Encoding") is None and body == b"exact\n"
    # the head limits of requests hold for what scripts print
    r, _ = get(port, "/cgi-bin/bighead")
    assert r.status == 502


def test_not_scripts(start_server, tmp_path):
    _, port = cgi_server(start_server, tmp_path, {"env": ENV})
    cgi = tmp_path / "cgi-bin"
    write_script(cgi, "plain.txt", "not a program\n", mode=0o644)
    (cgi / "sub").mkdir()
    os.symlink("/usr/bin/env", str(cgi / "outside"))
    assert get(port, "/cgi-bin/plain.txt")[0].status == 403
    assert get(port, "/cgi-bin/missing")[0].status == 404
    assert get(port, "/cgi-bin/")[0].status == 403
    assert get(port, "/cgi-bin/sub/")[0].status == 403
    assert get(port, "/cgi-bin/outside")[0].status in (403, 404)


def test_path_traversal(start_server, tmp_path):
    _, port = cgi_server(start_server, tmp_path, {"env": ENV})
    r, body = get(port, "/cgi-bin/env/a/./b/../c")
    assert r.status == 200 and b"info=/a/c\n" in body
    # climbing out of the prefix leaves the scripts behind
    for path in ("/cgi-bin/env/../../etc/passwd",
                 "/cgi-bin/%2e%2e/%2e%2e/etc/passwd",
                 "/cgi-bin/../../../bin/sh"):
        r, body = get(port, path)
        assert r.status in (400, 404), (path, r.status)
        assert b"root:" not in body
    # an encoded slash cannot smuggle one into PATH_INFO
    r, _ = get(port, "/cgi-bin/env/..%2f..%2fetc%2fpasswd")
    assert r.status == 400


def test_cgi_max_gives_503(start_server, tmp_path):
    _, port = cgi_server(start_server, tmp_path, {"wait": WAIT},
                         "--cgi-max", "1")
    first = connect(port)
    first.sendall(b"GET /cgi-bin/wait HTTP/1.1\r\nHost: x\r\n\r\n")
    deadline = time.time() + 10
    while not (tmp_path / "started").exists() and time.time() < deadline:
        time.sleep(0.02)
    try:
        r, _ = get(port, "/cgi-bin/wait", timeout=10)
        assert r.status == 503
        assert r.getheader("Retry-After") == "1"
    finally:
        (tmp_path / "go").write_text("")
    data = b""
    while b"went\n" not in data:
        b = first.recv(4096)
        if not b:
            break
        data += b
    first.close()
    assert b"200 OK" in data and b"went\n" in data


def test_sigterm_with_a_script_running(start_server, tmp_path):
    srv, port = cgi_server(start_server, tmp_path, {"hang": HANG})
    c = connect(port)
    c.sendall(b"GET /cgi-bin/hang HTTP/1.1\r\nHost: x\r\n\r\n")
    pid = read_pid(tmp_path / "hang.pid")
    srv.proc.send_signal(signal.SIGTERM)
    assert srv.proc.wait(30) == 0
    c.close()
    assert pid_gone(pid)


@pytest.mark.parametrize("args", [
    ["--cgi", "no-equals"], ["--cgi", "relative=/tmp"],
    ["--cgi-max", "0"], ["--cgi-timeout", "0"], ["--fastcgi-ext", "php"],
    ["--fastcgi", "/=not-an-address"], ["--fastcgi-index", "a/b"]])
def test_bad_flags(args):
    assert_usage_error(["serve", "http", "--root", "/tmp"] + args)


def test_missing_cgi_dir():
    r = run(["serve", "http", "--root", "/tmp", "--cgi", "/x=/nonexistent"])
    assert r.returncode == 2 and b"/nonexistent" in r.stderr


@pytest.mark.skipif(LIGHTTPD is None, reason="lighttpd not installed")
def test_answers_as_lighttpd(start_server, tmp_path):
    """The same scripts behind lighttpd's mod_cgi: the same statuses,
    locations and bodies."""
    scripts = {"status": STATUS, "away": AWAY, "local": LOCAL, "env": ENV,
               "localfile": LOCAL_FILE, "length": LENGTH,
               "garbage": GARBAGE, "dies": DIES}
    _, port = cgi_server(start_server, tmp_path, scripts)
    (tmp_path / "www" / "page.txt").write_text("static page\n")
    proc, lport = start_lighttpd(tmp_path, str(tmp_path / "www"),
                                 str(tmp_path / "cgi-bin"))
    # name -> (ours, lighttpd's), each with its reason
    differences = {
        # a script that printed nothing: the gateway failed (502, RFC 9110
        # section 15.6.3, as issue 14 asks); lighttpd answers 500
        "dies": (502, 500),
        # a first line that is no field: lighttpd passes the output on as
        # a 200; inetkit holds it to RFC 3875 section 6.2 and answers 502
        "garbage": (502, 200),
        # Location: /path alone is a local redirect (RFC 3875 section
        # 6.2.2), served inside the server; lighttpd does that only with
        # cgi.local-redir enabled, else sends the client a 302
        "local": (200, 302),
        "localfile": (200, 302),
    }
    try:
        for name in sorted(scripts):
            a, abody = get(port, "/cgi-bin/" + name)
            b, bbody = get(lport, "/cgi-bin/" + name)
            want = differences.get(name, (b.status, b.status))
            assert (a.status, b.status) == want, (name, a.status, b.status)
            if name not in differences:
                assert a.getheader("Location") == b.getheader("Location")
            if a.status == b.status == 200:
                assert abody == bbody, (name, abody, bbody)
    finally:
        stop(proc)
