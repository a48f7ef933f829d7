"""Real clients against the example site: `wget -r` mirrors it completely
and `ab -k` completes with no failed requests."""
import os
import re
import subprocess

from httputil import SITE, serve


def site_files():
    out = set()
    for d, dirs, files in os.walk(SITE):
        # cgi-bin holds programs (run under --cgi), not pages: no link
        # leads there
        dirs[:] = [x for x in dirs if x != "cgi-bin"]
        for f in files:
            out.add(os.path.relpath(os.path.join(d, f), SITE))
    return out


def test_wget_mirrors_the_site(start_server, tmp_path):
    _, port = serve(start_server, SITE)
    r = subprocess.run(["wget", "-r", "-q", "-nH", "-e", "robots=on",
                        "-P", str(tmp_path), "--tries=1", "--timeout=10",
                        "http://127.0.0.1:%d/" % port],
                       capture_output=True, timeout=60)
    # exit 8: the server answered 404 for the deliberately broken link
    assert r.returncode in (0, 8), r.stderr
    got = set()
    for d, _, files in os.walk(tmp_path):
        for f in files:
            got.add(os.path.relpath(os.path.join(d, f), tmp_path))
    assert got == site_files()
    for f in got:
        with open(os.path.join(SITE, f), "rb") as a, \
                open(os.path.join(tmp_path, f), "rb") as b:
            assert a.read() == b.read(), f


def test_ab_keep_alive_no_failures(start_server):
    _, port = serve(start_server, SITE)
    r = subprocess.run(["ab", "-k", "-n", "2000", "-c", "8", "-q",
                        "http://127.0.0.1:%d/about.html" % port],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert re.search(r"Complete requests:\s+2000", out), out
    assert re.search(r"Failed requests:\s+0", out), out
    assert re.search(r"Keep-Alive requests:\s+2000", out), out
    assert re.search(r"Non-2xx responses", out) is None, out
