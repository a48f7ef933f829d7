"""`inetkit get URL` against inetkit's web server, Debian's nginx (started
here with its own config) and small scripted servers: bodies by length,
chunked and close, -o, -I, -L (chains, loops, the limit), -H, exit
statuses, failover across addresses, keep-alive reuse, the progress bar."""
import gzip
import os
import pty
import re
import subprocess
import time

import pytest

from conftest import INETKIT, assert_usage_error, run
from clientutil import (NGINX, clean, failed, ok, recv_head, scripted,
                         start_nginx, stop_nginx)

SMALL = b"<html><body>hello from the test site</body></html>\n"


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "root"
    (root / "dir").mkdir(parents=True)
    (root / "index.html").write_bytes(SMALL)
    (root / "dir" / "index.html").write_bytes(b"dir index\n")
    (root / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    (root / "text.txt").write_bytes(b"plain text line\n" * 4000)
    (root / "final.txt").write_bytes(b"the end of the chain\n")
    return root


def chain_config(n=12):
    """nginx locations: /chain/K redirects to /chain/K+1 up to /chain/n,
    which redirects to /final.txt; /loop/a <-> /loop/b; /abs answers with
    an absolute Location."""
    lines = []
    for k in range(1, n + 1):
        nxt = "/chain/%d" % (k + 1) if k < n else "/final.txt"
        lines.append("location = /chain/%d { return 302 %s; }" % (k, nxt))
    lines.append("location = /loop/a { return 301 /loop/b; }")
    lines.append("location = /loop/b { return 307 /loop/a; }")
    lines.append("location = /self { return 302 /self; }")
    lines.append("location = /gone { return 410; }")
    lines.append("location = /rel { return 303 final.txt; }")
    lines.append("gzip on; gzip_types text/plain; gzip_min_length 1;")
    return "\n".join("        " + l for l in lines)


@pytest.fixture
def nginx(tmp_path, site):
    if NGINX is None:
        pytest.skip("Debian nginx not installed")
    proc, port = start_nginx(tmp_path, site, chain_config())
    yield port
    stop_nginx(proc)


@pytest.fixture
def inetkit_http(start_server, site):
    srv = start_server(["serve", "http", "--root", str(site), "--listen",
                       "127.0.0.1:0", "--workers", "1"])
    return srv.port()


@pytest.fixture(params=["inetkit", "nginx"])
def server(request, site):
    """The port of either web server serving `site`."""
    return request.getfixturevalue(
        "inetkit_http" if request.param == "inetkit" else "nginx")


def get(*args, **kw):
    return run(["get"] + [str(a) for a in args], **kw)


def url(port, path="/"):
    return "http://127.0.0.1:%d%s" % (port, path)


# Plain fetches, both servers.

def test_get_to_stdout(server, site):
    assert ok(get(url(server, "/"))) == SMALL
    assert ok(get(url(server, "/text.txt"))) == (site / "text.txt").read_bytes()


def test_get_binary_to_file(server, site, tmp_path):
    out = tmp_path / "out" / "big.bin"
    out.parent.mkdir()
    assert ok(get(url(server, "/big.bin"), "-o", out)) == b""
    assert out.read_bytes() == (site / "big.bin").read_bytes()
    assert os.listdir(out.parent) == ["big.bin"]   # no temporary left


def test_output_replaced_only_when_complete(server, tmp_path):
    out = tmp_path / "keep.html"
    out.write_bytes(b"old content\n")
    failed(get(url(server, "/missing.html"), "-o", out), "HTTP 404")
    assert out.read_bytes() == b"old content\n"
    assert os.listdir(tmp_path) == ["keep.html"] or \
        sorted(os.listdir(tmp_path)) == sorted(
            ["keep.html"] + [d for d in os.listdir(tmp_path)
                             if d in ("root", "nginx")])
    assert ok(get(url(server, "/"), "-o", out)) == b""
    assert out.read_bytes() == SMALL


def test_output_to_dev_null(server):
    assert ok(get(url(server, "/big.bin"), "-o", "/dev/null")) == b""
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_head_only(server):
    out = ok(get("-I", url(server, "/")))
    text = out.decode()
    assert text.startswith("HTTP/1.1 200 OK\r\n")
    assert "\r\nContent-Length: %d\r\n" % len(SMALL) in text
    assert text.endswith("\r\n\r\n")
    assert SMALL not in out


def test_head_of_missing_is_failure(server):
    r = get("-I", url(server, "/nothing"))
    failed(r, "HTTP 404")
    assert r.stdout.startswith(b"HTTP/1.1 404")


def test_404_exit_1(server):
    line = failed(get(url(server, "/nothing")), "HTTP 404 Not Found")
    assert line.startswith("inetkit get: http://127.0.0.1:")


def test_connection_refused(tmp_path):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    failed(get(url(port)), "Connection refused")


def test_other_schemes_refused():
    failed(get("ftp://127.0.0.1:1/"), "only http and https URLs are supported")


def test_usage():
    assert_usage_error(["get"])
    assert_usage_error(["get", "not a url"])
    assert_usage_error(["get", "http://x/", "-H", "no colon"])
    assert_usage_error(["get", "http://x/", "-H", "Bad Name: v"])
    assert_usage_error(["get", "http://x/", "--max-redirs", "-1"])
    assert_usage_error(["get", "http://x/", "--timeout", "soon"])
    assert_usage_error(["get", "http://x/", "--resolve", "x"])
    assert_usage_error(["get", "http://x/", "--dns", "nowhere"])
    assert_usage_error(["get", "http://x/", "--frobnicate"])
    assert_usage_error(["get", "http://x/", "http://y/"])
    r = run(["get", "--help"])
    assert r.returncode == 0 and b"(http or https)" in r.stdout
    assert b"--cacert FILE" in r.stdout


# Redirects (nginx has the chains; inetkit redirects directories).

def test_directory_redirect_followed(inetkit_http):
    assert ok(get("-L", url(inetkit_http, "/dir"))) == b"dir index\n"
    r = get(url(inetkit_http, "/dir"))
    clean(r)
    assert r.returncode == 0 and b"dir index" not in r.stdout


def test_redirect_chain(nginx):
    assert ok(get("-L", url(nginx, "/chain/3"))) == b"the end of the chain\n"


def test_relative_location(nginx):
    assert ok(get("-L", url(nginx, "/rel"))) == b"the end of the chain\n"


def test_ten_redirects_allowed(nginx):
    # /chain/3 .. /chain/12 then /final.txt: 10 redirects.
    assert ok(get("-L", url(nginx, "/chain/3"))) == b"the end of the chain\n"


def test_eleven_redirects_refused(nginx):
    failed(get("-L", url(nginx, "/chain/2")), "too many redirects")


def test_max_redirs_option(nginx):
    failed(get("-L", "--max-redirs", 2, url(nginx, "/chain/10")),
           "too many redirects (more than 2)")
    assert ok(get("-L", "--max-redirs", 3, url(nginx, "/chain/10"))) == \
        b"the end of the chain\n"


@pytest.mark.parametrize("path", ["/loop/a", "/self"])
def test_redirect_loop(nginx, path):
    failed(get("-L", url(nginx, path)), "redirect loop")


def test_head_follows_and_prints_each_head(nginx):
    out = ok(get("-I", "-L", url(nginx, "/chain/11"))).decode()
    assert out.count("HTTP/1.1 302") == 2
    assert out.count("HTTP/1.1 200 OK") == 1


def test_redirect_to_error(nginx):
    failed(get("-L", url(nginx, "/gone")), "HTTP 410")


# Headers and codings.

def test_extra_headers(scripted):
    def handler(conn, req):
        body = req
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n"
                     b"Connection: close\r\n\r\n%s" % (len(body), body))
    s = scripted(handler)
    out = ok(get(s.url("/p?q=1"), "-H", "X-Test: one two", "-H",
                 "User-Agent: tester/1")).decode()
    assert out.startswith("GET /p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                          % s.port)
    assert "\r\nX-Test: one two\r\n" in out
    assert "\r\nUser-Agent: tester/1\r\n" in out
    assert out.count("User-Agent") == 1


def test_gzip_chunked_from_nginx(nginx, site):
    out = ok(get(url(nginx, "/text.txt"), "-H", "Accept-Encoding: gzip"))
    assert gzip.decompress(out) == (site / "text.txt").read_bytes()
    head = ok(get("-I", url(nginx, "/text.txt"), "-H",
                  "Accept-Encoding: gzip")).decode()
    assert "Content-Encoding: gzip" in head


def test_chunked_body(scripted):
    def handler(conn, req):
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"5;ext=1\r\nhello\r\n1\r\n \r\n"
                     b"A\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n")
    s = scripted(handler)
    assert ok(get(s.url())) == b"hello 0123456789"


def test_chunked_in_small_pieces(scripted):
    import time
    payload = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n")

    def handler(conn, req):
        for i in range(0, len(payload), 3):
            conn.sendall(payload[i:i + 3])
            time.sleep(0.005)
    s = scripted(handler)
    assert ok(get(s.url())) == b"abc0123456789abcdef"


def test_close_delimited_body(scripted):
    def handler(conn, req):
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n")
        conn.sendall(b"until the close" * 1000)
    s = scripted(handler)
    assert ok(get(s.url())) == b"until the close" * 1000


def test_interim_responses_skipped(scripted):
    def handler(conn, req):
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n"
                     b"HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
                     b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    s = scripted(handler)
    assert ok(get(s.url())) == b"ok"


def test_truncated_length_body_fails(scripted):
    def handler(conn, req):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
    s = scripted(handler)
    failed(get(s.url()), "connection closed before the end")


def test_keep_alive_connection_reused(scripted):
    seen = []

    def handler(conn, req):
        seen.append(1)
        conn.sendall(b"HTTP/1.1 301 Moved\r\nLocation: /two\r\n"
                     b"Content-Length: 5\r\n\r\nmoved")
        data = recv_head(conn)
        if data is None:
            return
        assert data.startswith(b"GET /two HTTP/1.1\r\n")
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo")
    s = scripted(handler)
    assert ok(get("-L", s.url("/one"))) == b"two"
    assert len(seen) == 1


def test_closed_keep_alive_connection_retried(scripted):
    calls = []

    def handler(conn, req):
        calls.append(req.split(b"\r\n")[0])
        if len(calls) == 1:
            # Says keep-alive, then closes before the next request.
            conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: /next\r\n"
                         b"Content-Length: 0\r\n\r\n")
            return
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext")
    s = scripted(handler)
    assert ok(get("-L", s.url("/first"))) == b"next"
    assert calls == [b"GET /first HTTP/1.1", b"GET /next HTTP/1.1"]


# Addresses, names and failover.

def test_failover_from_dead_address(inetkit_http):
    r = get("http://www.site.test:%d/" % inetkit_http,
            "--resolve", "www.site.test:127.0.0.2",
            "--resolve", "www.site.test:127.0.0.1")
    assert ok(r) == SMALL


def test_all_addresses_dead(inetkit_http):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    failed(get("http://www.site.test:%d/" % port,
               "--resolve", "www.site.test:127.0.0.2",
               "--resolve", "www.site.test:127.0.0.1"), "refused")


def test_failover_with_two_a_records(start_server, inetkit_http, tmp_path):
    zone = tmp_path / "site.test.zone"
    zone.write_text("$ORIGIN site.test.\n$TTL 60\n"
                    "@ IN SOA ns admin 1 3600 600 86400 60\n@ IN NS ns\n"
                    "ns IN A 127.0.0.1\n"
                    "www IN A 127.0.0.2\nwww IN A 127.0.0.1\n")
    dns = start_server(["serve", "dns", "--listen", "127.0.0.1:0",
                        "--workers", "1", "--zone", str(zone)], expect=2)
    r = get("http://www.site.test:%d/" % inetkit_http, "--dns",
            "127.0.0.1:%d" % dns.port("udp"))
    assert ok(r) == SMALL


def test_unknown_host(start_server, tmp_path):
    zone = tmp_path / "site.test.zone"
    zone.write_text("$ORIGIN site.test.\n$TTL 60\n"
                    "@ IN SOA ns admin 1 3600 600 86400 60\n@ IN NS ns\n"
                    "ns IN A 127.0.0.1\n")
    dns = start_server(["serve", "dns", "--listen", "127.0.0.1:0",
                        "--workers", "1", "--zone", str(zone)], expect=2)
    failed(get("http://nope.site.test/", "--dns",
               "127.0.0.1:%d" % dns.port("udp")),
           "cannot resolve nope.site.test: no such host")


def test_ipv6_literal(start_server, site):
    srv = start_server(["serve", "http", "--root", str(site), "--listen",
                        "[::1]:0", "--workers", "1"])
    assert ok(get("http://[::1]:%d/" % srv.port())) == SMALL


# Limits and the progress bar.

def test_max_size(server, tmp_path):
    out = tmp_path / "big.bin"
    failed(get(url(server, "/big.bin"), "--max-size", 1000, "-o", out),
           "limit")
    assert not out.exists()
    assert ok(get(url(server, "/index.html"), "--max-size", len(SMALL))) == \
        SMALL


def run_on_pty(args, stdout_too=False):
    """Runs inetkit with stderr (and stdout when asked) on a pseudo
    terminal, reading it while it runs; returns (status, what the
    terminal got, stdout when it was a pipe)."""
    import select
    master, slave = pty.openpty()
    p = subprocess.Popen([INETKIT] + args, stderr=slave,
                         stdout=slave if stdout_too else subprocess.PIPE)
    os.close(slave)
    text = b""
    deadline = time.time() + 20
    while time.time() < deadline:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            text += chunk
        elif p.poll() is not None:
            break
    out = p.stdout.read() if p.stdout else b""
    rc = p.wait(10)
    os.close(master)
    return rc, text, out


def test_progress_bar_on_a_terminal(server, tmp_path):
    out = tmp_path / "big.bin"
    rc, text, _ = run_on_pty(["get", url(server, "/big.bin"), "-o",
                              str(out)])
    assert rc == 0
    assert re.search(rb"\r +3\.0 MiB / 3\.0 MiB +100% +[0-9.]+ [KMG]?i?B/s",
                     text), text
    assert text.endswith(b"\r\n")


@pytest.fixture
def blackhole():
    """Makes connects to 127.0.0.2:port hang: a listener with a full
    backlog that never accepts, so further SYNs are dropped."""
    import socket
    socks = []

    def make(port=0):
        lst = socket.socket()
        lst.bind(("127.0.0.2", port))
        lst.listen(0)
        socks.append(lst)
        port = lst.getsockname()[1]
        for _ in range(4):
            s = socket.socket()
            s.setblocking(False)
            try:
                s.connect(("127.0.0.2", port))
            except BlockingIOError:
                pass
            socks.append(s)
        return port
    yield make
    for s in socks:
        s.close()


def test_connect_timeout(blackhole):
    port = blackhole()
    failed(get("http://127.0.0.2:%d/" % port, "--connect-timeout", "0.5"),
           "timed out")


def test_failover_after_connect_timeout(inetkit_http, blackhole):
    blackhole(inetkit_http)
    r = get("http://www.site.test:%d/" % inetkit_http, "--connect-timeout",
            "0.5", "--resolve", "www.site.test:127.0.0.2",
            "--resolve", "www.site.test:127.0.0.1")
    assert ok(r) == SMALL


def test_close_delimited_body_to_file(scripted, tmp_path):
    """To a file the body goes by splice(2): the same bytes, whichever
    way it is framed."""
    data = os.urandom(2 * 1024 * 1024 + 3)

    def handler(conn, req):
        conn.sendall(b"HTTP/1.0 200 OK\r\n\r\n" + data[:100])
        conn.sendall(data[100:])
    s = scripted(handler)
    out = tmp_path / "f.bin"
    assert ok(get(s.url(), "-o", out)) == b""
    assert out.read_bytes() == data


def test_length_body_to_file_in_pieces(scripted, tmp_path):
    import time
    data = os.urandom(300000)

    def handler(conn, req):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n"
                     % len(data) + data[:10])
        for i in range(10, len(data), 65536):
            time.sleep(0.01)
            conn.sendall(data[i:i + 65536])
    s = scripted(handler)
    out = tmp_path / "f.bin"
    assert ok(get(s.url(), "-o", out)) == b""
    assert out.read_bytes() == data


def test_no_progress_bar_over_a_body_on_the_terminal(server):
    rc, text, _ = run_on_pty(["get", url(server, "/text.txt")],
                             stdout_too=True)
    assert rc == 0
    assert b"plain text line" in text
    assert b"/s" not in text and b"%" not in text
