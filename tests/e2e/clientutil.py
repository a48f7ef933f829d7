"""Helpers for the client tests (`inetkit get`, the resolver): a name
server written with dnspython whose misbehaviour each test chooses, a
scripted TCP server that plays raw HTTP bytes, and Debian's nginx started
in the foreground with its own config in a temp dir. Everything listens on
127.0.0.1, port 0, and stops at the end of its test."""
import os
import shutil
import socket
import subprocess
import threading
import time

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

NGINX = shutil.which("nginx") or (
    "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def bind_udp_tcp():
    """A UDP and a TCP socket on the same free port of 127.0.0.1."""
    for _ in range(50):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            t.bind(("127.0.0.1", port))
        except OSError:
            u.close()
            t.close()
            continue
        t.listen(16)
        return u, t, port
    raise RuntimeError("no port for UDP and TCP")


class FakeDNS:
    """A name server in a thread. `records` maps a lower-case name with a
    final dot to a list of (type, ttl, text) answers; `mode(proto, query)`
    may return None (behave), "drop" (no answer), a dns.message to send
    instead, or a list of (message_or_bytes, via_other_socket) to send in
    order. Every question is counted in `asked` as (proto, name, type)."""

    def __init__(self, records=None, mode=None):
        self.records = records or {}
        self.mode = mode
        self.asked = []
        self.udp, self.tcp, self.port = bind_udp_tcp()
        self.other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.other.bind(("127.0.0.1", 0))
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    @property
    def addr(self):
        return "127.0.0.1:%d" % self.port

    def answer(self, q):
        """The well-behaved answer to q from `records`."""
        r = dns.message.make_response(q)
        r.flags |= dns.flags.AA
        qq = q.question[0]
        name = qq.name.to_text().lower()
        rtype = dns.rdatatype.to_text(qq.rdtype)
        known = {n for n in self.records}
        if name not in known:
            r.set_rcode(dns.rcode.NXDOMAIN)
            return r
        cur = name
        for _ in range(10):
            recs = self.records.get(cur, [])
            cn = [x for x in recs if x[0] == "CNAME"]
            if not cn or rtype == "CNAME":
                break
            r.answer.append(dns.rrset.from_text(cur, cn[0][1], "IN",
                                                "CNAME", cn[0][2]))
            cur = cn[0][2].lower()
        for t, ttl, text in self.records.get(cur, []):
            if t == rtype:
                r.answer.append(dns.rrset.from_text(cur, ttl, "IN", t, text))
        return r

    def _reply(self, proto, q):
        self.asked.append((proto, q.question[0].name.to_text().lower(),
                           dns.rdatatype.to_text(q.question[0].rdtype)))
        out = self.mode(proto, q) if self.mode else None
        if out == "drop":
            return []
        if out is None:
            out = self.answer(q)
        if not isinstance(out, list):
            out = [(out, False)]
        return [(m if isinstance(m, bytes) else m.to_wire(), other)
                for m, other in out]

    def _serve_udp(self):
        data, peer = self.udp.recvfrom(65535)
        try:
            q = dns.message.from_wire(data)
        except Exception:
            return
        for wire, other in self._reply("udp", q):
            (self.other if other else self.udp).sendto(wire, peer)

    def _serve_tcp(self):
        conn, _ = self.tcp.accept()
        conn.settimeout(3)
        try:
            head = conn.recv(2)
            n = int.from_bytes(head, "big")
            data = b""
            while len(data) < n:
                chunk = conn.recv(n - len(data))
                if not chunk:
                    return
                data += chunk
            q = dns.message.from_wire(data)
            for wire, _ in self._reply("tcp", q):
                conn.sendall(len(wire).to_bytes(2, "big") + wire)
        except (OSError, Exception):
            pass
        finally:
            conn.close()

    def _run(self):
        import select
        while not self.stopping:
            r, _, _ = select.select([self.udp, self.tcp], [], [], 0.1)
            if self.udp in r:
                self._serve_udp()
            if self.tcp in r:
                self._serve_tcp()

    def count(self, proto=None, rtype=None):
        return sum(1 for p, _, t in self.asked
                   if (proto is None or p == proto)
                   and (rtype is None or t == rtype))

    def stop(self):
        self.stopping = True
        self.thread.join(5)
        for s in (self.udp, self.tcp, self.other):
            s.close()


def clean(r):
    """No sanitizer report in a finished inetkit run."""
    assert b"Sanitizer" not in r.stderr and b"runtime error" not in r.stderr


def ok(r):
    """A client run that succeeded quietly; returns its stdout."""
    clean(r)
    assert r.returncode == 0, r.stderr
    assert r.stderr == b"", r.stderr   # not a terminal: no progress bar
    return r.stdout


def failed(r, words):
    """Exit 1 with one line on stderr that holds words; returns it."""
    clean(r)
    assert r.returncode == 1, r
    lines = r.stderr.decode().strip().split("\n")
    assert len(lines) == 1, r.stderr
    assert words in lines[0], lines[0]
    return lines[0]


def recv_head(conn):
    """What conn sends up to and including the blank line that ends a
    head (and any bytes after it in the same reads), or None when the
    peer closes first."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    return data


class Scripted:
    """A TCP server on 127.0.0.1 that runs handler(conn, request_bytes)
    for every connection, in its own thread. `requests` collects the
    request heads it saw."""

    def __init__(self, handler):
        self.handler = handler
        self.requests = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.threads = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def url(self, path="/"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def _one(self, conn):
        conn.settimeout(10)
        try:
            data = recv_head(conn)
            if data is None:
                return
            self.requests.append(data.split(b"\r\n\r\n")[0].decode())
            self.handler(conn, data)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def _run(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            t = threading.Thread(target=self._one, args=(conn,), daemon=True)
            t.start()
            self.threads.append(t)

    def stop(self):
        self.stopping = True
        self.thread.join(5)
        self.sock.close()
        for t in self.threads:
            t.join(10)


def start_nginx(tmp_path, root, server_extra="", listen="", more=""):
    """Debian's nginx on 127.0.0.1 with root and extra server-block lines;
    listen is added to the listen line (" ssl"), more is put after the
    server block, with {port} replaced by the port (more server blocks on
    it). Returns (proc, port). The caller stops it with stop_nginx."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    d = tmp_path / "nginx"
    d.mkdir()
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (d / sub).mkdir()
    conf = d / "nginx.conf"
    user = "user root;" if os.geteuid() == 0 else ""
    conf.write_text("""
%(user)s
worker_processes 1;
pid %(d)s/nginx.pid;
error_log %(d)s/error.log;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path %(d)s/body;
    proxy_temp_path %(d)s/proxy;
    fastcgi_temp_path %(d)s/fastcgi;
    uwsgi_temp_path %(d)s/uwsgi;
    scgi_temp_path %(d)s/scgi;
    server_tokens off;
    server {
        listen 127.0.0.1:%(port)d%(listen)s;
        root %(root)s;
%(extra)s
    }
%(more)s
}
""" % {"d": d, "port": port, "root": root, "extra": server_extra,
       "user": user, "listen": listen, "more": more.replace("{port}", str(port))})
    proc = subprocess.Popen([NGINX, "-p", str(d), "-c", str(conf), "-e",
                             str(d / "error.log"), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError("nginx did not start: %s"
                                   % proc.stderr.read())
            time.sleep(0.05)


def stop_nginx(proc):
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def scripted():
    """scripted(handler) -> Scripted; every one is stopped at the end of
    the test."""
    servers = []

    def make(handler):
        s = Scripted(handler)
        servers.append(s)
        return s
    yield make
    for s in servers:
        s.stop()
