"""Shared fixtures: start the real inetkit binary on port 0, read its
`listening SERVICE PROTO ADDR:PORT` lines, stop it with SIGTERM and check
that it exited cleanly with no sanitizer report."""
import os
import re
import select
import signal
import subprocess
import tempfile
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INETKIT = os.environ.get("INETKIT", os.path.join(ROOT, "build/asan/inetkit"))
# The release build, for the tests that measure memory or run under
# RLIMIT_AS or LD_PRELOAD, which ASan's allocator and shadow defeat
# (make test builds it).
RELEASE = os.environ.get("INETKIT_RELEASE", os.path.join(ROOT, "build/inetkit"))


def need_release():
    if not os.access(RELEASE, os.X_OK):
        pytest.skip("no release build %s: make build/inetkit" % RELEASE)
    return RELEASE
def rss_kib(pid):
    """The resident set of process pid in KiB (0 once it is gone)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


LISTEN_RE = re.compile(r"^listening (\S+) (tcp|udp) (\S+):(\d+)$")


def split_hostport(s):
    host, _, port = s.rpartition(":")
    return host.strip("[]"), int(port)


class Server:
    """A running inetkit server. `listeners` holds (service, proto, host,
    port) tuples in the order they were printed."""

    def __init__(self, args, expect=1, timeout=15, cwd=None, env=None,
                 prefix=(), pass_fds=(), binary=None):
        # prefix: a launcher that execs inetkit (socket activation);
        # binary: another build than INETKIT (RELEASE)
        self.args = args
        self.errfile = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(list(prefix) + [binary or INETKIT] + args,
                                     stdout=subprocess.PIPE,
                                     stderr=self.errfile, stdin=subprocess.DEVNULL,
                                     cwd=cwd, env=env, pass_fds=pass_fds)
        self.listeners = []
        self.output = []
        self._buf = b""
        deadline = time.time() + timeout
        while len(self.listeners) < expect:
            if not self._read_some(deadline):
                self.kill()
                raise RuntimeError("no listening line from %r: %s" % (args, self.stderr()))

    def _read_some(self, deadline):
        """Reads what stdout has until deadline; False on timeout or EOF."""
        left = deadline - time.time()
        if left <= 0:
            return False
        r, _, _ = select.select([self.proc.stdout], [], [], left)
        if not r:
            return False
        chunk = os.read(self.proc.stdout.fileno(), 4096)
        if not chunk:
            return False
        self._buf += chunk
        while b"\n" in self._buf:
            line, self._buf = self._buf.split(b"\n", 1)
            text = line.decode()
            self.output.append(text)
            m = LISTEN_RE.match(text)
            if m:
                self.listeners.append((m[1], m[2], m[3].strip("[]"), int(m[4])))
        return True

    def wait_output(self, needle, timeout=10):
        """Reads stdout until a line contains needle; returns all lines."""
        deadline = time.time() + timeout
        while not any(needle in l for l in self.output):
            if not self._read_some(deadline):
                raise RuntimeError("no %r in output: %r" % (needle, self.output))
        return self.output

    def addr(self, proto="tcp", service=None):
        for s, p, h, port in self.listeners:
            if p == proto and (service is None or s == service):
                return h, port
        raise KeyError(proto)

    def port(self, proto="tcp", service=None):
        return self.addr(proto, service)[1]

    def stderr(self):
        # pread: seeking would move the offset the server writes at.
        fd = self.errfile.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=20):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def assert_clean_exit(server, rc):
    err = server.stderr()
    assert "Sanitizer" not in err and "runtime error" not in err, err
    assert rc == 0, "exit %s: %s" % (rc, err)


@pytest.fixture
def start_server():
    """start_server(args, expect=N) -> Server; every server is stopped with
    SIGTERM at the end of the test and must exit 0 with no sanitizer
    report."""
    servers = []

    def start(args, expect=1, **kw):
        s = Server(args, expect=expect, **kw)
        servers.append(s)
        return s

    yield start
    for s in servers:
        assert_clean_exit(s, s.stop())


def run(args, input=None, timeout=20, **kw):
    """Runs inetkit to completion; returns CompletedProcess with text."""
    return subprocess.run([INETKIT] + args, input=input, capture_output=True,
                          timeout=timeout, **kw)


def assert_usage_error(args):
    r = run(args)
    assert r.returncode == 2, (args, r)
    assert b"usage" in r.stderr.lower(), (args, r.stderr)
    assert b"Sanitizer" not in r.stderr
