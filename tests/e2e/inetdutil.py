"""openbsd-inetd's built-in echo, daytime and time services as a reference
peer. Built-in services are found by name, so they sit on the standard
ports (7, 13, 37): TCP on 127.0.0.1, UDP on ::1 (inetd ignores datagrams
from 127.0.0.0/8 to its built-ins, a guard against loops)."""
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

CONF = """127.0.0.1:echo stream tcp nowait root internal
127.0.0.1:daytime stream tcp nowait root internal
127.0.0.1:time stream tcp nowait root internal
[::1]:echo dgram udp wait root internal
[::1]:daytime dgram udp wait root internal
[::1]:time dgram udp wait root internal
"""


def port_free(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


@pytest.fixture
def inetd():
    if not shutil.which("inetd", path="/usr/sbin:/usr/bin"):
        pytest.fail("openbsd-inetd is not installed (scripts/deps.sh test)")
    if os.geteuid() != 0 or not all(port_free(p) for p in (7, 13, 37)):
        pytest.skip("inetd's built-ins need root and free ports 7, 13, 37")
    d = tempfile.mkdtemp()
    conf = os.path.join(d, "inetd.conf")
    with open(conf, "w") as f:
        f.write(CONF)
    p = subprocess.Popen(["/usr/sbin/inetd", "-d", conf], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    deadline = time.time() + 5
    while port_free(37) and time.time() < deadline:
        time.sleep(0.05)
    yield p
    p.terminate()
    p.wait(5)
    shutil.rmtree(d)
