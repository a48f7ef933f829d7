"""Headless Chromium loads the bundled site over https from `inetkit up`,
trusting the local CA that `up` made (added to an NSS database in a
temporary HOME, where Chromium on Linux looks for trust anchors); without
it the page does not load."""
import os
import shutil
import subprocess

import pytest

from conftest import ROOT
from test_http_chromium import CHROMIUM, FLAGS
from uputil import UP_PORTS, up_args, up_offset

CERTUTIL = shutil.which("certutil")
UP_LINES = 12


def chromium(home, url):
    profile = home / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [CHROMIUM] + FLAGS + [
        "--user-data-dir=%s" % profile,
        "--host-resolver-rules=MAP www.example.test 127.0.0.1",
        "--dump-dom", url]
    env = dict(os.environ, HOME=str(home))
    return subprocess.run(cmd, capture_output=True, timeout=90, env=env)


@pytest.mark.skipif(CHROMIUM is None or CERTUTIL is None,
                    reason="chromium or certutil (libnss3-tools) missing")
def test_chromium_trusts_the_local_ca_of_up(start_server, tmp_path):
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "xdg"))
    off = up_offset()
    start_server(up_args(off), expect=UP_LINES, cwd=ROOT, env=env)
    ca = tmp_path / "xdg" / "inetkit" / "ca.pem"
    url = "https://www.example.test:%d/" % (UP_PORTS["https"] + off)

    untrusting = tmp_path / "nobody"
    untrusting.mkdir()
    r = chromium(untrusting, url)
    assert "Welcome to www.example.test" not in r.stdout.decode()

    home = tmp_path / "home"
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    subprocess.run([CERTUTIL, "-N", "-d", "sql:%s" % nssdb, "--empty-password"],
                   check=True, timeout=30)
    subprocess.run([CERTUTIL, "-A", "-d", "sql:%s" % nssdb, "-n", "inetkit local CA",
                    "-t", "C,,", "-i", str(ca)], check=True, timeout=30)
    r = chromium(home, url)
    dom = r.stdout.decode()
    assert "Welcome to www.example.test" in dom, r.stderr[-2000:]
    assert "About this site" in dom
