"""`inetkit up` in tests: its documented ports, moved by --port-offset to
ones that are free now, so that two test runs on one machine (or a
`make run` beside them) do not collide."""
import random
import socket

# what README and `up --help` document
UP_PORTS = {"dns": 5300, "http": 8080, "https": 8443, "echo": 7007,
            "daytime": 1313, "time": 3737}


def _free(port):
    """True when nothing holds port on the addresses `up` binds."""
    for family, kind, host in ((socket.AF_INET, socket.SOCK_STREAM, "127.0.0.1"),
                               (socket.AF_INET, socket.SOCK_DGRAM, "127.0.0.1"),
                               (socket.AF_INET6, socket.SOCK_STREAM, "::1")):
        with socket.socket(family, kind) as s:
            try:
                s.bind((host, port))
            except OSError:
                return False
    return True


# ports browsers refuse to connect to (Chromium's kRestrictedPorts) that
# an offset from 1000 up can reach
BROWSER_BLOCKED = {4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668,
                   6669, 6679, 6697, 10080}


def up_offset():
    """A random --port-offset at which every port of `up` is free (and
    none is one a browser refuses)."""
    for _ in range(100):
        off = random.randrange(1000, 50000)
        ports = [p + off for p in UP_PORTS.values()]
        if not BROWSER_BLOCKED & set(ports) and all(map(_free, ports)):
            return off
    raise RuntimeError("no free ports for inetkit up")


def up_args(off, *extra):
    """The arguments of `inetkit up --workers 1 --port-offset OFF`."""
    return ["up", "--workers", "1", "--port-offset", str(off)] + list(extra)
