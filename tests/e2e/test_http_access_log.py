"""The access log: Combined Log Format, buffered per worker thread, flushed
each second and at exit; `-` writes it to stdout."""
import re
import time

from httputil import SITE, serve, get

CLF = re.compile(r'^(\S+) - - \[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000)\] '
                 r'"([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"$')


def test_access_log_file(start_server, tmp_path):
    log = tmp_path / "access.log"
    server, port = serve(start_server, SITE, "--access-log", str(log))
    get(port, "/about.html", {"User-Agent": "tester/1.0",
                              "Referer": "http://www.example.test/"})
    get(port, "/missing.html")
    get(port, "/", method="HEAD")
    # flushed within a second or so, while the server runs
    for _ in range(100):
        if log.exists() and log.read_text().count("\n") >= 3:
            break
        time.sleep(0.05)
    lines = log.read_text().splitlines()
    assert len(lines) == 3, lines
    m = [CLF.match(l) for l in lines]
    assert all(m), lines
    assert m[0][1] == "127.0.0.1"
    assert m[0][3] == "GET /about.html HTTP/1.1" and m[0][4] == "200"
    assert m[0][5] == str(len(open(SITE + "/about.html", "rb").read()))
    assert m[0][6] == "http://www.example.test/" and m[0][7] == "tester/1.0"
    assert m[1][4] == "404" and m[2][3].startswith("HEAD / ")


def test_access_log_escapes_and_bad_requests(start_server, tmp_path):
    from httputil import raw
    log = tmp_path / "access.log"
    server, port = serve(start_server, SITE, "--access-log", str(log))
    raw(port, b'GET /"q\xff HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
    raw(port, b"GET / HTTP/1.1\r\nHost : x\r\n\r\n")
    server.stop()
    lines = log.read_text().splitlines()
    assert len(lines) == 2
    assert '"GET /\\x22q\\xff HTTP/1.1" 404' in lines[0]
    assert '"GET / HTTP/1.1" 400' in lines[1]


def test_access_log_stdout_flushed_at_exit(start_server):
    server, port = serve(start_server, SITE, "--access-log", "-")
    for _ in range(5):
        get(port, "/style.css")
    server.stop()
    rest = server.proc.stdout.read().decode()
    lines = [l for l in rest.splitlines() if CLF.match(l)]
    assert len(lines) == 5
