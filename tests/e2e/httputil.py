"""Helpers for the HTTP server tests: start `inetkit serve http` on port 0,
speak raw HTTP/1.1 over sockets, and split the responses that come back."""
import os
import socket
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SITE = os.path.join(ROOT, "examples", "site")


def serve(start_server, root, *extra, host="127.0.0.1"):
    """Starts the web server on root; returns (server, port)."""
    listen = "[%s]:0" % host if ":" in host else "%s:0" % host
    s = start_server(["serve", "http", "--root", root, "--listen", listen,
                      "--workers", "1"] + list(extra))
    return s, s.port()


def connect(port, host="127.0.0.1", timeout=10):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    c = socket.socket(fam, socket.SOCK_STREAM)
    c.settimeout(timeout)
    c.connect((host, port))
    return c


def read_until_close(c, limit=64 << 20):
    data = bytearray()
    while len(data) < limit:
        try:
            chunk = c.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        data += chunk
    return bytes(data)


def raw(port, data, host="127.0.0.1", timeout=10):
    """Sends data, half-closes, returns everything until the server
    closes."""
    c = connect(port, host, timeout)
    c.sendall(data)
    try:
        c.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    out = read_until_close(c)
    c.close()
    return out


class Response:
    def __init__(self, status, reason, headers, body, version):
        self.status = status
        self.reason = reason
        self.headers = headers      # list of (lowercase name, value)
        self.body = body
        self.version = version

    def header(self, name):
        vals = [v for n, v in self.headers if n == name.lower()]
        return vals[0] if vals else None

    def all(self, name):
        return [v for n, v in self.headers if n == name.lower()]

    def __repr__(self):
        return "<%d %s %r>" % (self.status, self.reason, self.headers)


def parse_one(data, head_request=False):
    """Splits one response off data; returns (Response, rest) or (None,
    data) when incomplete."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None, data
    lines = data[:end].decode("latin-1").split("\r\n")
    version, status, *reason = lines[0].split(" ", 2)
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip().lower(), value.strip()))
    status = int(status)
    rest = data[end + 4:]
    length = [v for n, v in headers if n == "content-length"]
    if head_request or status in (204, 304) or status < 200:
        n = 0
    elif length:
        n = int(length[0])
    else:
        n = len(rest)
    if len(rest) < n:
        return None, data
    r = Response(status, reason[0] if reason else "", headers, rest[:n], version)
    return r, rest[n:]


def parse_all(data, heads=()):
    """Every response in data, in order; heads lists the indexes of
    responses to HEAD requests."""
    out = []
    while data:
        r, data = parse_one(data, len(out) in heads)
        if r is None:
            break
        out.append(r)
    return out


def get(port, path="/", headers=None, method="GET", host="127.0.0.1",
        version="HTTP/1.1", body=b""):
    """One request on its own connection; returns the Response."""
    h = {"Host": "localhost", "Connection": "close"}
    h.update(headers or {})
    req = "%s %s %s\r\n" % (method, path, version)
    req += "".join("%s: %s\r\n" % (k, v) for k, v in h.items() if v is not None)
    data = raw(port, req.encode() + b"\r\n" + body, host)
    resps = parse_all(data, heads=(0,) if method == "HEAD" else ())
    assert resps, data
    return resps[0]


def assert_alive(port, host="127.0.0.1"):
    """The server still answers a good request."""
    r = get(port, "/", host=host)
    assert r.status == 200, r
    return r


def wait_closed(c, timeout=10):
    """Reads until the peer closes; returns the bytes read. Fails when the
    peer keeps the connection past timeout seconds."""
    c.settimeout(timeout)
    data = b""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            chunk = c.recv(65536)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk
    raise AssertionError("connection still open after %ss" % timeout)


def outside_address():
    """A local address that is not loopback (a client from it is not
    loopback), or None."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))
        addr = s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()
    return None if addr.startswith("127.") else addr


def curl_code_size(url, *extra):
    """curl's status code and body size for url (the body is dropped)."""
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w",
                        "%{http_code} %{size_download}", "--max-time", "10",
                        *extra, url], capture_output=True, text=True,
                       timeout=20)
    code, size = r.stdout.split()
    return int(code), int(size)
