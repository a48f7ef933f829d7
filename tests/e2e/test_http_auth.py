"""HTTP Basic authentication (RFC 7617), `--auth PREFIX=FILE`: curl -u and
wget --user against each hash kind, wrong and unknown users, malformed
Authorization fields, realms that need escaping, user names that would
inject log lines, reload on SIGHUP, refused weak hashes, failures slowed
without blocking the worker, the plain-HTTP warning."""
import base64
import ctypes
import os
import select
import signal
import socket
import subprocess
import time

import pytest

from conftest import INETKIT, run
from httputil import connect, get, parse_one, raw, read_until_close, serve

_crypt = ctypes.CDLL("libcrypt.so.1")
_crypt.crypt_gensalt.restype = ctypes.c_char_p
_crypt.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong,
                                 ctypes.c_char_p, ctypes.c_int]
_crypt.crypt.restype = ctypes.c_char_p
_crypt.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]


def hash_pw(prefix, password):
    """A crypt(3) hash from libxcrypt: $6$ or $y$ (cost kept low)."""
    count = 1000 if prefix == "$6$" else 0
    setting = _crypt.crypt_gensalt(prefix.encode(), count, None, 0)
    return _crypt.crypt(password.encode(), setting).decode()


def htpasswd_bcrypt(user, password):
    """Apache's own htpasswd -B, as a user would make the file."""
    out = subprocess.run(["htpasswd", "-nbB", "-C", "5", user, password],
                         capture_output=True, check=True, timeout=30).stdout
    return out.decode().strip()


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "root"
    (root / "private").mkdir(parents=True)
    (root / "private" / "a.txt").write_text("secret\n")
    (root / "privateer.txt").write_text("open\n")
    (root / "index.html").write_text("public\n")
    users = tmp_path / "users"
    users.write_text("# users of the private part\n" +
                     htpasswd_bcrypt("bob", "pw-b") + "\n" +
                     "alice:" + hash_pw("$6$", "pw-a") + "\n" +
                     "yves:" + hash_pw("$y$", "pw-y") + "\n")
    return root, users


def auth_server(start_server, site, *extra):
    root, users = site
    return serve(start_server, str(root), "--auth", "/private=" + str(users),
                 *extra)


def curl(port, path, *args):
    r = subprocess.run(["curl", "-s", "-o", "-", "-w", "\n%{http_code}",
                        *args, "http://127.0.0.1:%d%s" % (port, path)],
                       capture_output=True, timeout=30)
    body, _, code = r.stdout.decode().rpartition("\n")
    return int(code), body


def basic(user, password):
    if isinstance(user, str):
        user = user.encode()
    return b"Basic " + base64.b64encode(user + b":" + password.encode())


def get_auth(port, path, value):
    req = (b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n"
           b"Authorization: " + value + b"\r\nConnection: close\r\n\r\n")
    resp, _ = parse_one(raw(port, req))
    return resp


def test_each_hash_kind_with_curl(start_server, site):
    server, port = auth_server(start_server, site)
    for user, pw in (("bob", "pw-b"), ("alice", "pw-a"), ("yves", "pw-y")):
        assert curl(port, "/private/a.txt", "-u", user + ":" + pw) == \
            (200, "secret\n")
        # again: now from the worker's cache of verified credentials
        assert curl(port, "/private/a.txt", "-u", user + ":" + pw) == \
            (200, "secret\n")


def test_wget_user(start_server, site, tmp_path):
    server, port = auth_server(start_server, site)
    out = tmp_path / "got"
    r = subprocess.run(["wget", "-q", "-O", str(out), "--user", "alice",
                        "--password", "pw-a",
                        "http://127.0.0.1:%d/private/a.txt" % port],
                       capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert out.read_text() == "secret\n"
    r = subprocess.run(["wget", "-q", "-O", str(out), "--user", "alice",
                        "--password", "nope",
                        "http://127.0.0.1:%d/private/a.txt" % port],
                       capture_output=True, timeout=30)
    assert r.returncode == 6        # wget: authentication failure


def test_challenge_and_refusals(start_server, site):
    server, port = auth_server(start_server, site)
    r = get(port, "/private/a.txt")
    assert r.status == 401
    assert r.header("www-authenticate") == \
        'Basic realm="/private", charset="UTF-8"'
    assert b"secret" not in r.body
    assert curl(port, "/private/a.txt", "-u", "alice:wrong")[0] == 401
    assert curl(port, "/private/a.txt", "-u", "mallory:pw-a")[0] == 401
    # the directory itself, other spellings of it, HEAD
    assert curl(port, "/private", "-u", "alice:wrong")[0] == 401
    assert curl(port, "/private/")[0] == 401
    assert curl(port, "/%70rivate/a.txt")[0] == 401
    assert curl(port, "/x/../private//a.txt", "--path-as-is")[0] == 401
    assert get(port, "/private/a.txt", method="HEAD").status == 401
    # outside the prefix
    assert curl(port, "/privateer.txt") == (200, "open\n")
    assert curl(port, "/") == (200, "public\n")
    err = server.stderr()
    assert 'wrong password for user "alice"' in err
    assert 'unknown user for user "mallory"' in err or \
        'unknown user' in err


@pytest.mark.parametrize("value", [
    b"Basic", b"Basic ", b"Basic !!!!", b"Bearer abc", b"Basic dXA=",
    b"Basic OnA=", b"Basic QR==", b"Basic " + b"QUFB" * 300,
    b"Basic dQp4OnA=", b"basic", b"Digest username=\"alice\"",
])
def test_malformed_authorization(start_server, site, value):
    server, port = auth_server(start_server, site)
    r = get_auth(port, "/private/a.txt", value)
    assert r.status == 401, value
    assert r.header("www-authenticate").startswith("Basic realm=")
    assert get_auth(port, "/private/a.txt", basic("alice", "pw-a")).status \
        == 200


def test_realm_with_quotes(start_server, site, tmp_path):
    root, users = site
    d = root / 'we "say" \\hi'
    d.mkdir()
    (d / "f").write_text("q\n")
    server, port = serve(start_server, str(root), "--auth",
                         '/we "say" \\hi=' + str(users))
    r = get(port, "/we%20%22say%22%20%5Chi/f")
    assert r.status == 401
    assert r.header("www-authenticate") == \
        'Basic realm="/we \\"say\\" \\\\hi", charset="UTF-8"'
    assert curl(port, "/we%20%22say%22%20%5Chi/f", "-u", "bob:pw-b") == \
        (200, "q\n")


def test_user_names_cannot_inject_log_lines(start_server, site):
    server, port = auth_server(start_server, site)
    # control characters are not allowed in a user-id (RFC 7617 section 2)
    assert get_auth(port, "/private/a.txt",
                    basic(b"x\ninetkit: forged", "p")).status == 401
    assert get_auth(port, "/private/a.txt",
                    basic(b"x\x1b[31m", "p")).status == 401
    # quotes and bytes beyond ASCII are logged escaped
    assert get_auth(port, "/private/a.txt",
                    basic(b'ev"il\xff\\', "p")).status == 401
    deadline = time.time() + 10
    while "ev\\x22il" not in server.stderr() and time.time() < deadline:
        time.sleep(0.05)
    err = server.stderr()
    assert 'for user "ev\\x22il\\xff\\x5c"' in err, err
    assert "forged" not in err and "\x1b" not in err
    assert all(l.startswith("inetkit: ") for l in err.splitlines()), err


def test_reload_on_sighup(start_server, site):
    root, users = site
    server, port = auth_server(start_server, site)
    assert curl(port, "/private/a.txt", "-u", "alice:pw-a")[0] == 200
    users.write_text("carol:" + hash_pw("$6$", "pw-c") + "\n")
    server.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 10
    while curl(port, "/private/a.txt", "-u", "carol:pw-c")[0] != 200:
        assert time.time() < deadline, server.stderr()
        time.sleep(0.1)
    # alice is gone, even though her password was in the cache
    assert curl(port, "/private/a.txt", "-u", "alice:pw-a")[0] == 401
    # a broken file on reload: the users of before stay, and it says why
    users.write_text("dave:plain\n")
    server.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 10
    while "users:1:" not in server.stderr():
        assert time.time() < deadline, server.stderr()
        time.sleep(0.05)
    assert curl(port, "/private/a.txt", "-u", "carol:pw-c")[0] == 200


@pytest.mark.parametrize("line,what", [
    ("eve:plaintext", "plain-text"),
    ("eve:$apr1$Xk1c3x9s$7mUD5wzm6uM2WyQWvWQsv/", "MD5"),
    ("eve", "user:hash"),
])
def test_weak_or_bad_files_refused_at_start(tmp_path, line, what):
    users = tmp_path / "users"
    users.write_text("# first\n" + line + "\n")
    r = run(["serve", "http", "--root", str(tmp_path), "--listen",
             "127.0.0.1:0", "--auth", "/p=" + str(users)])
    assert r.returncode == 2
    assert ("%s:2: " % users).encode() in r.stderr, r.stderr
    assert what.encode() in r.stderr


def test_bad_auth_arguments():
    for spec in ("noequals", "=file", "relative=file", "/p="):
        r = run(["serve", "http", "--root", ".", "--auth", spec])
        assert r.returncode == 2, spec
    r = run(["serve", "http", "--root", ".", "--auth", "/p=/nonexistent"])
    assert r.returncode == 2 and b"/nonexistent" in r.stderr
    r = run(["serve", "http", "--root", ".", "--auth", "/p=/tmp"])
    assert r.returncode == 2 and b"/tmp: " in r.stderr


def test_failures_slowed_without_blocking_the_worker(start_server, site):
    server, port = auth_server(start_server, site)
    for _ in range(6):
        assert get_auth(port, "/private/a.txt",
                        basic("alice", "bad")).status == 401
    # the next failure waits; meanwhile the (only) worker serves others
    slow = connect(port)
    slow.sendall(b"GET /private/a.txt HTTP/1.1\r\nHost: x\r\nAuthorization: "
                 + basic("alice", "bad") + b"\r\nConnection: close\r\n\r\n")
    assert curl(port, "/") == (200, "public\n")
    ready, _, _ = select.select([slow], [], [], 0)
    assert not ready, "the refusal was not delayed"
    resp, _ = parse_one(read_until_close(slow))
    slow.close()
    assert resp.status == 401
    # the right password is not slowed down into a refusal
    assert curl(port, "/private/a.txt", "-u", "alice:pw-a")[0] == 200


def test_plain_http_warning(start_server, site, tmp_path):
    server, port = auth_server(start_server, site)
    assert "warning" not in server.stderr()
    root, users = site
    # a listener on every address, inside a network namespace of its own
    p = subprocess.Popen(["unshare", "-n", INETKIT, "serve", "http",
                          "--root", str(root), "--listen", "0.0.0.0:0",
                          "--auth", "/private=" + str(users)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = p.stdout.readline()
        assert line.startswith(b"listening http tcp"), line
    finally:
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=20)
    assert b"warning: --auth over plain HTTP on 0.0.0.0:" in err, err


CGI_ENV = """#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
env
"""
CGI_MARK = """#!/bin/sh
touch "$0.ran"
printf 'Content-Type: text/plain\\r\\n\\r\\nran\\n'
"""


def test_cgi_behind_auth(start_server, site, tmp_path):
    """Scripts are protected like files, see who came in (REMOTE_USER,
    AUTH_TYPE: RFC 3875 section 4.1), never the Authorization field, and
    a refused request never starts its script."""
    from cgiutil import cgi_server
    root, users = site
    server, port = cgi_server(start_server, tmp_path,
                              {"env": CGI_ENV, "mark": CGI_MARK},
                              "--auth", "/cgi-bin=" + str(users))
    code, body = curl(port, "/cgi-bin/env", "-u", "alice:pw-a")
    assert code == 200, body
    env = dict(l.partition("=")[::2] for l in body.splitlines())
    assert env.get("REMOTE_USER") == "alice" and env.get("AUTH_TYPE") == \
        "Basic", env
    assert "HTTP_AUTHORIZATION" not in env and "pw-a" not in body
    assert curl(port, "/cgi-bin/mark", "-u", "alice:bad")[0] == 401
    assert curl(port, "/cgi-bin/mark", "-d", "x=1")[0] == 401
    assert not (tmp_path / "cgi-bin" / "mark.ran").exists()
    assert curl(port, "/cgi-bin/mark", "-u", "bob:pw-b") == (200, "ran\n")
    # and outside the prefix, no REMOTE_USER even with credentials sent
    (tmp_path / "two").mkdir()
    server2, port2 = cgi_server(start_server, tmp_path / "two",
                                {"env": CGI_ENV},
                                "--auth", "/private=" + str(users))
    code, body = curl(port2, "/cgi-bin/env", "-u", "alice:pw-a")
    assert code == 200 and "REMOTE_USER" not in body and \
        "AUTH_TYPE" not in body, body
