"""`serve dns --so-rcvbuf BYTES --so-sndbuf BYTES`: the UDP sockets'
buffers, as `ss -uanm` (iproute2) reports them (rb and tb: the kernel
doubles what is asked). By default 2 MiB and 1 MiB are asked, past
net.core.rmem_max when the process may (SO_RCVBUFFORCE); 0 leaves the
kernel's default. A deep receive queue is what keeps well-behaved
queries from being dropped with a flood's (docs/BENCHMARKS.md)."""
import os
import re
import subprocess

import pytest

from conftest import assert_usage_error
from dnsutil import EXAMPLE_ZONE, query, serve_dns


def buffers(port):
    """(rb, tb) of the UDP socket bound to 127.0.0.1:port."""
    out = subprocess.run(["ss", "-uanm", "sport = :%d" % port],
                         capture_output=True, text=True, timeout=10).stdout
    m = re.search(r"rb(\d+),t\d+,tb(\d+)", out)
    assert m, out
    return int(m.group(1)), int(m.group(2))


def kernel(name):
    with open("/proc/sys/net/core/" + name) as f:
        return int(f.read())


def may_force():
    return os.geteuid() == 0


def serve(start_server, *extra):
    srv, host, port = serve_dns(start_server, extra=list(extra))
    assert query(host, port, "www.example.test").answer
    return port


def test_default_buffers(start_server):
    rb, tb = buffers(serve(start_server))
    if may_force():
        assert (rb, tb) == (2 * (2 << 20), 2 * (1 << 20))
    else:  # capped by the system's maximum
        assert rb == 2 * min(2 << 20, kernel("rmem_max"))


def test_buffers_as_asked(start_server):
    if not may_force():
        pytest.skip("past rmem_max needs CAP_NET_ADMIN")
    rb, tb = buffers(serve(start_server, "--so-rcvbuf", "3000000",
                           "--so-sndbuf", "300000"))
    assert (rb, tb) == (6000000, 600000)


def test_zero_leaves_the_kernel_default(start_server):
    rb, tb = buffers(serve(start_server, "--so-rcvbuf", "0",
                           "--so-sndbuf", "0"))
    assert (rb, tb) == (kernel("rmem_default"), kernel("wmem_default"))


@pytest.mark.parametrize("args", [
    ["--so-rcvbuf", "-1"], ["--so-rcvbuf", "268435457"],
    ["--so-sndbuf", "x"], ["--so-rcvbuf", "1k"],
])
def test_bad_buffer_sizes(args):
    assert_usage_error(["serve", "dns", "--zone", EXAMPLE_ZONE,
                        "--listen", "127.0.0.1:0"] + args)
