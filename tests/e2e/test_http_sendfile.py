"""`serve http --sendfile on|off`: how file bodies leave. `on` (the
default) uses sendfile, `off` copies through a buffer (pread, send). Both
must give the very bytes of the file: whole, as a range, and to a slow
reader whose socket takes part of each copy."""
import random
import socket
import subprocess
import time

import pytest

from conftest import assert_usage_error
from httputil import SITE, connect, read_until_close, serve

SIZE = 3 * 1024 * 1024 + 12345	# several copies and sendfile calls, odd end


@pytest.fixture
def root(tmp_path):
    data = random.Random(7).randbytes(SIZE)
    (tmp_path / "big.bin").write_bytes(data)
    return tmp_path, data


def get(port, extra=b""):
    c = connect(port)
    c.sendall(b"GET /big.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" +
              extra + b"\r\n")
    raw = read_until_close(c)
    c.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    return head, body


@pytest.mark.parametrize("mode", ["on", "off"])
def test_file_bytes_whole_and_ranged(start_server, root, mode):
    path, data = root
    _, port = serve(start_server, str(path), "--sendfile", mode)
    head, body = get(port)
    assert head.startswith(b"HTTP/1.1 200") and body == data
    head, body = get(port, b"Range: bytes=70000-2100000\r\n")
    assert head.startswith(b"HTTP/1.1 206") and body == data[70000:2100001]


@pytest.mark.parametrize("mode", ["on", "off"])
def test_slow_reader_gets_every_byte(start_server, root, mode):
    """A small receive buffer read slowly: the server's sends are taken in
    part and wait for room; what a copy did not get out is read again."""
    path, data = root
    _, port = serve(start_server, str(path), "--sendfile", mode)
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    c.settimeout(10)
    c.connect(("127.0.0.1", port))
    c.sendall(b"GET /big.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    got = bytearray()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        chunk = c.recv(7001)
        if not chunk:
            break
        got += chunk
        if len(got) < 256 * 1024:
            time.sleep(0.001)	# slow at first, then at full speed
    c.close()
    assert bytes(got).partition(b"\r\n\r\n")[2] == data


def syscalls_while_fetching(server, port):
    """The names of the file-sending system calls the server made while
    one client fetched big.bin (strace attached to it)."""
    st = subprocess.Popen(["strace", "-f", "-qq", "-e",
                           "trace=sendfile,pread64", "-o", "/dev/stdout",
                           "-p", str(server.proc.pid)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(0.5)		# strace attaches to every thread
        _, body = get(port)
        assert len(body) == SIZE
        time.sleep(0.2)
    finally:
        st.terminate()
        text, _ = st.communicate(timeout=10)
    return {line.split(b"(")[0].split()[-1] for line in text.splitlines()
            if b"(" in line}


@pytest.mark.skipif(subprocess.run(["which", "strace"],
                                   capture_output=True).returncode != 0,
                    reason="strace is not installed")
@pytest.mark.parametrize("mode,calls", [(None, {b"sendfile"}),
                                        ("on", {b"sendfile"}),
                                        ("off", {b"pread64"})])
def test_mode_picks_the_system_call(start_server, root, mode, calls):
    path, _ = root
    extra = ["--sendfile", mode] if mode else []
    server, port = serve(start_server, str(path), *extra)
    assert syscalls_while_fetching(server, port) == calls


def test_bad_mode_is_a_usage_error():
    assert_usage_error(["serve", "http", "--root", SITE, "--sendfile", "yes"])
    assert_usage_error(["serve", "http", "--root", SITE, "--sendfile", "auto"])
