"""Helpers for the crawler's tests: serving a directory with `inetkit serve
http`, a name server for a test zone, small Python servers for behaviours
inetkit's own server never shows (traps, errors, stalls), running `inetkit
crawl` and reading its summary."""
import http.server
import os
import re
import socketserver
import threading

from conftest import ROOT, run

SITE = os.path.join(ROOT, "examples/site")
PAGE_RE = re.compile(r"^(\d{3}|[a-z-]+)\s+(\d+\s+)?\d+\.\d ms  (\S+)$")


def serve_http(start_server, root, *extra):
    """`inetkit serve http --root ROOT` on 127.0.0.1:0; returns the port."""
    srv = start_server(["serve", "http", "--root", str(root), "--listen",
                        "127.0.0.1:0", "--workers", "1"] + list(extra))
    return srv.port()


def serve_zone(start_server, tmp_path, names=("www",)):
    """A name server for example.test. in which each of names has an A
    record 127.0.0.1 (and nothing else: no AAAA, so no failover delay).
    Returns "127.0.0.1:PORT" for --dns."""
    zone = tmp_path / "example.test.zone"
    lines = ["$ORIGIN example.test.", "$TTL 60",
             "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 60",
             "  NS ns1", "ns1 A 127.0.0.1"]
    lines += ["%s A 127.0.0.1" % n for n in names]
    zone.write_text("\n".join(lines) + "\n")
    srv = start_server(["serve", "dns", "--zone", str(zone), "--listen",
                        "127.0.0.1:0", "--workers", "1"], expect=2)
    return "127.0.0.1:%d" % srv.port("udp")


def crawl(*args, timeout=120, **kw):
    """Runs `inetkit crawl ARGS` (kw: subprocess.run's, e.g. env);
    returns the CompletedProcess (text)."""
    r = run(["crawl"] + [str(a) for a in args], timeout=timeout, **kw)
    r.out = r.stdout.decode()
    r.err = r.stderr.decode()
    assert "Sanitizer" not in r.err and "runtime error" not in r.err, r.err
    return r


def pages(out):
    """{url: status} from the page lines before the broken-link section;
    status is an int, or the failure name ("dns", "refused", ...)."""
    found = {}
    for line in out.split("\nbroken links:")[0].splitlines():
        m = PAGE_RE.match(line)
        if m:
            found[m[3]] = int(m[1]) if m[1].isdigit() else m[1]
    return found


def broken(out):
    """{url: (status, [referrers])} from the broken-link section."""
    section = out.split("\nbroken links:", 1)[1].split("\nskipped:")[0]
    result, cur = {}, None
    for line in section.splitlines()[1:]:
        if line.startswith("    <- ("):
            continue  # "(the start URL)", "(and N more)"
        if line.startswith("    <- "):
            result[cur][1].append(line[7:])
            continue
        m = PAGE_RE.match(line)
        if m:
            cur = m[3]
            status = int(m[1]) if m[1].isdigit() else m[1]
            result[cur] = (status, [])
    return result


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class PyServer:
    """A Python HTTP server on 127.0.0.1:0 in a thread: handler(path) ->
    (status, content_type, body bytes, extra headers dict) or None to
    hang up without an answer."""

    def __init__(self, handler):
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                outer.requests.append(self.path)
                ans = handler(self.path)
                if ans is None:
                    self.close_connection = True
                    return
                status, ctype, body, extra = ans
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in extra.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.requests = []
        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def html(*links, base=None):
    """A small HTML page holding an <a> per link."""
    head = '<base href="%s">' % base if base else ""
    body = "".join('<a href="%s">x</a>\n' % l for l in links)
    return ("<!DOCTYPE html><html><head>%s</head><body>%s</body></html>"
            % (head, body)).encode()
