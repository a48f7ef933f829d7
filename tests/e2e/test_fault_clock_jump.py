"""The wall clock jumps an hour forward, then back, while the servers run
(libfaketime with its offset changed at run time, the monotonic clock
left alone: what an NTP step or an operator's `date -s` does). Timers run
on the monotonic clock: header and keep-alive timeouts fire after their
seconds, not at once nor an hour late, and a secondary's SOA refresh
neither fires at the jump nor waits an extra hour. What shows the date
follows the wall clock: the Date header and the access log.
If-Modified-Since compares with the file's time and still gives 304.
The release build: libfaketime cannot be preloaded before ASan's
runtime. Without the sandbox: libfaketime reads its offset file at every
call, which Landlock would refuse."""
import email.utils
import os
import re
import socket
import time

from conftest import need_release
from httputil import SITE, get
from xfrutil import ORIGIN, serial_of, wait_for, write_zone

LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"
SLACK = 120  # seconds between our clock reading and the server's


def faketime_env(offset_file):
    assert os.path.exists(LIB), "libfaketime missing: scripts/deps.sh test"
    set_offset(offset_file, "+0")
    return dict(os.environ, LD_PRELOAD=LIB,
                FAKETIME_TIMESTAMP_FILE=offset_file, FAKETIME_NO_CACHE="1",
                DONT_FAKE_MONOTONIC="1", NO_FAKE_STAT="1")


def set_offset(path, offset):
    with open(path + ".new", "w") as f:
        f.write(offset + "\n")
    os.rename(path + ".new", path)


def open_now(s):
    """Whether the server still holds s open (nothing to read, no EOF)."""
    s.settimeout(0)  # else recv waits for the socket first
    try:
        return s.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except ConnectionResetError:
        return False


def closed_within(s, seconds):
    s.settimeout(seconds)
    try:
        while s.recv(4096):
            pass
    except ConnectionResetError:
        pass
    return True


def server_time(resp):
    date = dict(resp.headers)["date"]
    return email.utils.parsedate_to_datetime(date).timestamp()


def test_http_clock_jumps(start_server, tmp_path):
    offset = str(tmp_path / "offset")
    log = str(tmp_path / "access.log")
    srv = start_server(["serve", "http", "--root", SITE, "--listen",
                        "127.0.0.1:0", "--workers", "2", "--no-sandbox",
                        "--header-timeout", "5", "--idle-timeout", "5",
                        "--access-log", log],
                       binary=need_release(), env=faketime_env(offset))
    port = srv.port()
    first = get(port, "/", headers={"User-Agent": "probe-0"})
    assert first.status == 200
    assert abs(server_time(first) - time.time()) < SLACK
    modified = dict(first.headers)["last-modified"]
    expect = {"probe-0": 0}
    for name, shift in (("+1h", 3600), ("+0", 0)):
        # a head in progress (header timeout) and an idle keep-alive
        # connection (idle timeout), both timed before the jump
        head = socket.create_connection(("127.0.0.1", port), timeout=10)
        head.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        idle = socket.create_connection(("127.0.0.1", port), timeout=10)
        idle.sendall(b"GET /no-such-page HTTP/1.1\r\nHost: x\r\n\r\n")
        assert idle.recv(65536).startswith(b"HTTP/1.1 404")
        set_offset(offset, name)
        # Not an hour early: both still open a second after the jump.
        time.sleep(1)
        assert open_now(head) and open_now(idle)
        ua = "probe" + name
        expect[ua] = shift
        r = get(port, "/", headers={"User-Agent": ua})
        assert r.status == 200
        assert abs(server_time(r) - time.time() - shift) < SLACK, r.headers
        r = get(port, "/", headers={"If-Modified-Since": modified})
        assert r.status == 304
        # Not an hour late: both closed after their 5 s.
        assert closed_within(head, 30) and closed_within(idle, 30)
        head.close()
        idle.close()
    srv.stop()
    # The access log's times are the wall clock's of each moment.
    seen = {}
    with open(log) as f:
        for line in f:
            m = re.search(r'\[([^]]+)\].*"(probe[^"]*)"$', line.strip())
            if m:
                t = time.mktime(time.strptime(m[1], "%d/%b/%Y:%H:%M:%S %z"))
                seen[m[2]] = t - time.timezone
    assert set(seen) == set(expect), seen
    for ua, shift in expect.items():
        assert abs(seen[ua] - time.time() - shift) < SLACK + 60, (ua, seen)


def test_secondary_refresh_ignores_clock_jumps(start_server, tmp_path):
    offset = str(tmp_path / "offset")
    zdir = str(tmp_path / "zones")
    os.mkdir(zdir)
    path = str(tmp_path / "primary.zone")
    write_zone(path, 1, refresh=3)
    prim = start_server(["serve", "dns", "--listen", "127.0.0.1:0",
                         "--workers", "1", "--zone", path,
                         "--allow-transfer", "127.0.0.1"], expect=2)
    sec = start_server(["serve", "dns", "--listen", "127.0.0.1:0",
                        "--workers", "1", "--no-sandbox", "--zone-dir", zdir,
                        "--secondary", "%s@127.0.0.1:%d" % (
                            ORIGIN, prim.port("tcp"))],
                       expect=2, binary=need_release(),
                       env=faketime_env(offset))
    sport = sec.port("udp")
    wait_for(lambda: serial_of(sport) == 1, 20, what="the first transfer")

    def bump(serial, refresh):
        write_zone(path, serial, refresh=refresh)
        before = prim.stderr().count("reloaded")
        prim.proc.send_signal(1)
        wait_for(lambda: prim.stderr().count("reloaded") > before, 10, 0.05,
                 "the primary's reload")

    # Back an hour: the refresh due in 3 s still comes (not an hour
    # late), and brings a zone whose refresh is an hour.
    set_offset(offset, "-1h")
    bump(2, 3600)
    wait_for(lambda: serial_of(sport) == 2, 30, what="the refresh")
    # Forward two hours: the next refresh is an hour of real time away
    # and does not fire at the jump.
    bump(3, 3600)
    set_offset(offset, "+1h")
    time.sleep(4)
    assert serial_of(sport) == 2
    assert serial_of(prim.port("udp")) == 3


def test_tls_resumption_across_a_jump(start_server, tmp_path):
    """Session tickets rotate on the monotonic clock: a ticket issued
    before the wall clock jumps an hour ahead still resumes."""
    from tlsutil import make_ca, make_leaf, s_client
    offset = str(tmp_path / "offset")
    ca = make_ca(tmp_path)
    leaf = make_leaf(tmp_path, ca, "leaf")
    srv = start_server(["serve", "http", "--root", SITE, "--tls-listen",
                        "127.0.0.1:0", "--cert", leaf.cert_path, "--key",
                        leaf.key_path, "--workers", "1", "--no-sandbox"],
                       binary=need_release(), env=faketime_env(offset))
    port = srv.port(service="https")
    sess = str(tmp_path / "sess.pem")
    get_ = b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    for version in ("-tls1_2", "-tls1_3"):
        set_offset(offset, "+0")
        out = s_client(port, version, "-sess_out", sess, stdin=get_)
        assert re.search(r"^New, ", out, re.M) and "200 OK" in out, out
        set_offset(offset, "+1h")
        out = s_client(port, version, "-sess_in", sess, stdin=get_)
        assert re.search(r"^Reused, ", out, re.M) and "200 OK" in out, out
