"""The access log under faults: logrotate moves the file and sends
SIGUSR1 or SIGHUP, and the server writes a new file; the disk fills up
(a small tmpfs), and requests are still served while log lines are
dropped, counted and reported once, and logging resumes when space
returns."""
import http.client
import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from httputil import SITE, serve


def get(port, path="/"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()


def wait_for(pred, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return ""


@pytest.mark.parametrize("sig", [signal.SIGUSR1, signal.SIGHUP])
def test_access_log_reopened_after_rotation(start_server, tmp_path, sig):
    log = str(tmp_path / "access.log")
    srv, port = serve(start_server, SITE, "--access-log", log,
                      "--workers", "2")
    get(port, "/before.html")
    assert wait_for(lambda: "/before.html" in read(log))
    os.rename(log, log + ".1")
    srv.proc.send_signal(sig)
    assert wait_for(lambda: "reopened" in srv.stderr())
    get(port, "/after.html")
    assert wait_for(lambda: "/after.html" in read(log))
    assert "/after.html" not in read(log + ".1")
    assert "/before.html" not in read(log)


def test_access_log_reopen_failure_keeps_the_old_file(start_server,
                                                      tmp_path):
    d = tmp_path / "logs"
    d.mkdir()
    log = str(d / "access.log")
    srv, port = serve(start_server, SITE, "--access-log", log)
    # A served request: the server is past its start-up (the sandbox
    # names the log's folder after the `listening` line), so what follows
    # is a reopen, not a start that cannot find its paths.
    assert get(port) == 200
    # The directory becomes a file: open() fails, even for root.
    shutil.rmtree(d)
    d.write_text("not a directory")
    srv.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: "cannot reopen" in srv.stderr())
    assert get(port) == 200


@pytest.fixture
def small_disk():
    """A 256 KiB tmpfs, unmounted at the end (skips where mounting is not
    allowed)."""
    d = tempfile.mkdtemp(prefix="inetkit-fulldisk-")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs",
                        d], capture_output=True, timeout=10)
    if r.returncode != 0:
        os.rmdir(d)
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield d
    finally:
        subprocess.run(["umount", "-l", d], timeout=10)
        os.rmdir(d)


def fill(path):
    """Writes path until the file system is full."""
    chunk = b"x" * 4096
    with open(path, "wb", buffering=0) as f:
        try:
            while True:
                f.write(chunk)
        except OSError:
            pass


def test_access_log_full_disk(start_server, small_disk):
    log = os.path.join(small_disk, "access.log")
    filler = os.path.join(small_disk, "filler")
    srv, port = serve(start_server, SITE, "--access-log", log)
    try:
        get(port, "/first.html")
        assert wait_for(lambda: "/first.html" in read(log))
        fill(filler)
        # Every request is served while the log cannot be written.
        for i in range(200):
            assert get(port, "/about.html?full=%d" % i) == 200
        assert wait_for(lambda: "dropping lines" in srv.stderr())
        for i in range(50):
            assert get(port, "/about.html?still=%d" % i) == 200
        time.sleep(1.5)  # more flushes fail: still said only once
        assert srv.stderr().count("dropping lines") == 1
        os.unlink(filler)
        get(port, "/after.html")
        assert wait_for(lambda: "/after.html" in read(log))
        err = srv.stderr()
        assert err.count("written again") == 1
        dropped = int(err.split("written again; ")[1].split()[0])
        # the log file's last page had room for a few lines
        assert 150 <= dropped <= 250
    finally:
        srv.stop()
