"""On a terminal, `inetkit crawl` keeps a live progress line on stderr
(pages done, queued, broken, in flight, pages per second) and clears it
before the summary; when stderr is not a terminal it prints none."""
import os
import pty
import select
import subprocess

from conftest import INETKIT
from crawlutil import crawl, serve_http
from gensite import generate


def test_progress_line_on_a_terminal(start_server, tmp_path):
    generate(str(tmp_path / "s"), 300)
    port = serve_http(start_server, tmp_path / "s")
    master, slave = pty.openpty()
    proc = subprocess.Popen([INETKIT, "crawl", "http://127.0.0.1:%d/" % port,
                             "-q"], stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    err = b""
    while True:
        r, _, _ = select.select([master], [], [], 60)
        if not r:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    out = proc.communicate(timeout=60)[0].decode()
    os.close(master)
    assert proc.returncode == 0
    text = err.decode()
    assert "\rcrawl: " in text or "\r\x1b[Kcrawl: " in text, text
    assert "300 done" in text and "pages/s" in text, text
    assert text.endswith("\r\x1b[K"), text
    assert "crawled 300 URLs" in out


def test_no_progress_line_without_a_terminal(start_server, tmp_path):
    generate(str(tmp_path / "s"), 30)
    port = serve_http(start_server, tmp_path / "s")
    r = crawl("http://127.0.0.1:%d/" % port)
    assert r.returncode == 0
    assert r.err == ""
