"""`get -o FILE` killed with SIGKILL at random points of a download, 50
times: FILE is never half-written. It is either absent or the whole
body, since the body goes to a temporary file beside it that is renamed
over it only when complete (a rename is atomic)."""
import os
import random
import signal
import subprocess
import time

from conftest import INETKIT
from httputil import serve

SIZE = 8 << 20


def test_get_o_killed_leaves_no_half_file(start_server, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    body = os.urandom(SIZE)
    (site / "big.bin").write_bytes(body)
    _, port = serve(start_server, str(site))
    url = "http://127.0.0.1:%d/big.bin" % port
    out = tmp_path / "out"
    out.mkdir()
    rng = random.Random(17)
    complete = absent = 0
    for i in range(50):
        dest = out / ("f%d" % i)
        p = subprocess.Popen([INETKIT, "get", "-o", str(dest), url],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, 0.15))
        p.send_signal(signal.SIGKILL)
        p.wait(10)
        if dest.exists():
            assert dest.read_bytes() == body, "half-written %s" % dest
            complete += 1
        else:
            absent += 1
    # Both outcomes happened: the kills fell before and after the end.
    assert complete > 0 and absent > 0, (complete, absent)
    # What a kill leaves is only ever a temporary file, named so.
    for name in os.listdir(out):
        assert name.startswith("f") and (name[1:].isdigit() or
                                         ".inetkit-" in name), name
