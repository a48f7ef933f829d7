"""The example hit counter (examples/site/cgi-bin/counter): 200 clients
at once must count to exactly 200, each seeing a different number (the
lost update of two unlocked read-increment-writes would show as a repeat
and a short total)."""
import http.client
import shutil
import threading

from httputil import SITE, serve
from uputil import UP_PORTS, up_args, up_offset

N = 200


def test_two_hundred_at_once(start_server, tmp_path):
    cgi = tmp_path / "cgi-bin"
    cgi.mkdir()
    shutil.copy2(SITE + "/cgi-bin/counter", str(cgi / "counter"))
    _, port = serve(start_server, SITE, "--cgi", "/cgi-bin/=%s" % cgi,
                    "--cgi-max", str(N), "--max-conns", str(2 * N))
    seen, errors = [], []
    go = threading.Barrier(N)

    def hit():
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            go.wait()
            c.request("GET", "/cgi-bin/counter")
            r = c.getresponse()
            body = r.read()
            c.close()
            if r.status != 200:
                errors.append(r.status)
            else:
                seen.append(int(body))
        except Exception as e:      # noqa: BLE001 (reported below)
            errors.append(repr(e))

    threads = [threading.Thread(target=hit) for _ in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert errors == []
    assert sorted(seen) == list(range(1, N + 1))
    assert (cgi / "counter.dat").read_text() == "%d\n" % N


def test_up_serves_the_counter(start_server, tmp_path):
    """`inetkit up` runs the bundled site's cgi-bin (a copy here, so that
    the count starts at 0 and stays out of the source tree)."""
    # a count left by `make run` in the source tree is not copied
    shutil.copytree(SITE, str(tmp_path / "site"),
                    ignore=shutil.ignore_patterns("counter.*"))
    shutil.copytree(SITE + "/../zones", str(tmp_path / "zones"))
    off = up_offset()
    start_server(up_args(off, "--dir", str(tmp_path)), expect=10)
    for i in (1, 2):
        c = http.client.HTTPConnection("127.0.0.1", UP_PORTS["http"] + off,
                                       timeout=20)
        c.request("GET", "/cgi-bin/counter")
        r = c.getresponse()
        assert (r.status, r.read()) == (200, b"%d\n" % i)
        c.close()
