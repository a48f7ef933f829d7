"""Helpers for the systemd tests, without systemd as PID 1: a datagram
listener standing for the manager's $NOTIFY_SOCKET, and a launcher that
hands sockets over as systemd does (LISTEN_FDS from descriptor 3,
LISTEN_PID, LISTEN_FDNAMES), for the cases systemd-socket-activate cannot
make (UDP and TCP at once, a file, another process's pid).

Run as a script, it is that launcher:
    sdutil.py NAMES PID FD... -- PROGRAM ARGS
NAMES is LISTEN_FDNAMES ("-": unset), PID "self" or a number, each FD a
descriptor of ours that becomes 3, 4, ... in PROGRAM."""
import fcntl
import os
import socket
import sys

HERE = os.path.abspath(__file__)


class Notify:
    """The manager's end of sd_notify: a bound AF_UNIX datagram socket.
    abstract=True binds "@name" in the abstract namespace, else a path."""

    def __init__(self, tmp_path, abstract=False):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            name = "inetkit-test-notify-%d-%d" % (os.getpid(), id(self))
            self.sock.bind("\0" + name)
            self.address = "@" + name
        else:
            self.address = str(tmp_path / "notify.sock")
            self.sock.bind(self.address)

    def env(self, base=None):
        return dict(base or os.environ, NOTIFY_SOCKET=self.address)

    def recv(self, timeout=20):
        """The next message as a dict of its KEY=VALUE lines."""
        self.sock.settimeout(timeout)
        data = self.sock.recv(4096).decode()
        return dict(l.split("=", 1) for l in data.split("\n") if l)

    def pending(self):
        """Messages already queued, without waiting."""
        out = []
        self.sock.setblocking(False)
        try:
            while True:
                out.append(self.sock.recv(4096).decode())
        except BlockingIOError:
            pass
        return out

    def close(self):
        self.sock.close()


def tcp_listener(port=0, host="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(64)
    return s


def udp_socket(port=0, host="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, port))
    return s


def tcp_udp_pair(host="127.0.0.1", attempts=20):
    """A listening TCP socket and a UDP socket bound to the same free
    port (another one when the UDP twin is taken)."""
    for _ in range(attempts):
        t = tcp_listener(0, host)
        try:
            return t, udp_socket(t.getsockname()[1], host)
        except OSError:
            t.close()
    raise RuntimeError("no port free for both TCP and UDP")


def free_tcp_port():
    s = tcp_listener()
    port = s.getsockname()[1]
    s.close()
    return port


def launcher(socks, names=None, pid="self"):
    """(prefix, pass_fds) for conftest.Server: the sockets (or any file
    objects with fileno) become descriptors 3, 4, ... of inetkit."""
    fds = [s.fileno() for s in socks]
    prefix = [sys.executable, HERE, names or "-", pid]
    prefix += [str(f) for f in fds] + ["--"]
    return prefix, fds


def _launch(argv):
    names, pid, rest = argv[0], argv[1], argv[2:]
    sep = rest.index("--")
    fds, prog = [int(f) for f in rest[:sep]], rest[sep + 1:]
    # out of the way first: a descriptor of ours may be 3 or 4 already
    high = [fcntl.fcntl(f, fcntl.F_DUPFD, 3 + len(fds)) for f in fds]
    for f in fds:
        os.close(f)
    for i, f in enumerate(high):
        os.dup2(f, 3 + i, inheritable=True)
        os.close(f)
    os.environ["LISTEN_FDS"] = str(len(fds))
    os.environ["LISTEN_PID"] = str(os.getpid()) if pid == "self" else pid
    if names != "-":
        os.environ["LISTEN_FDNAMES"] = names
    os.execv(prog[0], prog)     # the same process: LISTEN_PID holds


if __name__ == "__main__":
    _launch(sys.argv[1:])
