"""Headless Chromium loads the example site through inetkit: --dump-dom
shows its text, and a screenshot (build/e2e/http-site.png) is kept to look
at."""
import os
import shutil
import subprocess

import pytest

from httputil import ROOT, SITE, serve

CHROMIUM = shutil.which("chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def chromium(tmp_path, port, *args):
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [CHROMIUM] + FLAGS + [
        "--user-data-dir=%s" % profile,
        "--host-resolver-rules=MAP www.example.test 127.0.0.1",
    ] + list(args) + ["http://www.example.test:%d/" % port]
    return subprocess.run(cmd, capture_output=True, timeout=90)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed")
def test_chromium_dump_dom_and_screenshot(start_server, tmp_path):
    log = tmp_path / "access.log"
    server, port = serve(start_server, SITE, "--access-log", str(log))
    r = chromium(tmp_path, port, "--dump-dom")
    dom = r.stdout.decode()
    assert "Welcome to www.example.test" in dom, r.stderr[-2000:]
    assert "About this site" in dom
    shot = tmp_path / "site.png"
    r = chromium(tmp_path, port, "--screenshot=%s" % shot,
                 "--window-size=900,700", "--hide-scrollbars")
    assert shot.exists(), r.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keep = os.path.join(ROOT, "build", "e2e")
    os.makedirs(keep, exist_ok=True)
    shutil.copy(shot, os.path.join(keep, "http-site.png"))
    server.stop()
    text = log.read_text()
    # the browser fetched the page, its stylesheet and its image
    assert '"GET / HTTP/1.1" 200' in text
    assert '"GET /style.css HTTP/1.1" 200' in text
    assert '"GET /img/logo.png HTTP/1.1" 200' in text
