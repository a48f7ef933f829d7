"""SIGHUP of `serve --config` changes the web server's live settings while
it serves: roots, vhosts, limits, certificates. What needs a restart (a
listener) is said and kept; a bad file changes nothing; a root the
sandbox does not let the server read keeps the old one; a keep-alive
connection open across a reload gets the new root on its next request;
and a storm of reloads under load loses no request and no memory."""
import http.client
import os
import signal
import socket
import ssl
import subprocess
import threading
import time

import pytest

from conftest import rss_kib
from test_dns_reload import server_stderr, wait_for


def site(tmp_path, name, text):
    d = tmp_path / name
    d.mkdir(exist_ok=True)
    (d / "index.html").write_text(text)
    return str(d)


def write_conf(path, text):
    """Replaces the file in one step, as an editor saving it does: a
    reload reads the old file or the new, never half of one."""
    tmp = str(path) + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, str(path))


def reloads(srv):
    err = server_stderr(srv)
    return err.count(": reloaded\n") + err.count("reload failed")


def reload(srv, conf, text):
    """Writes the file, sends SIGHUP, waits for the reload to end; returns
    what the server said about it."""
    before = server_stderr(srv)
    n = reloads(srv)
    write_conf(conf, text)
    srv.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: reloads(srv) > n, "the reload", srv=srv)
    return server_stderr(srv)[len(before):]


def get(port, path="/", host=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request("GET", path, headers={"Host": host} if host else {})
        r = c.getresponse()
        return r.status, r.read().decode()
    finally:
        c.close()


CONF = """workers: 2
http:
  listen: %(listen)s
  root: %(root)s
%(more)s"""


def conf_text(root, listen="127.0.0.1:0", more=""):
    return CONF % {"listen": listen, "root": root, "more": more}


@pytest.fixture
def served(start_server, tmp_path):
    """A server of root a (a/index.html: "A") from tmp_path/inetkit.conf."""
    a = site(tmp_path, "a", "A")
    conf = tmp_path / "inetkit.conf"
    write_conf(conf, conf_text(a))
    srv = start_server(["serve", "--config", str(conf)])
    return srv, conf


def test_root_change_serves_new_content(served, tmp_path):
    srv, conf = served
    port = srv.port()
    assert get(port) == (200, "A")
    said = reload(srv, conf, conf_text(site(tmp_path, "b", "B")))
    assert "http: applied: root" in said, said
    assert "restart" not in said, said
    assert get(port) == (200, "B")


def test_vhost_added_then_removed(served, tmp_path):
    srv, conf = served
    port = srv.port()
    a = str(tmp_path / "a")
    v = site(tmp_path, "v", "V")
    assert get(port, host="v.test") == (200, "A")
    said = reload(srv, conf, conf_text(a, more="  vhost: [v.test=%s]\n" % v))
    assert "applied: vhost" in said, said
    assert get(port, host="v.test") == (200, "V")
    assert get(port, host="V.TEST:80") == (200, "V")
    assert get(port, host="other.test") == (200, "A")
    reload(srv, conf, conf_text(a))
    assert get(port, host="v.test") == (200, "A")


def test_rate_limit_on_then_off(served, tmp_path):
    srv, conf = served
    port = srv.port()
    a = str(tmp_path / "a")
    assert all(get(port)[0] == 200 for _ in range(5))
    said = reload(srv, conf, conf_text(a, more="  rate: /=1/m:1\n"))
    assert "applied: rate" in said, said
    codes = [get(port)[0] for _ in range(4)]
    assert codes[0] == 200 and codes[-1] == 429, codes
    reload(srv, conf, conf_text(a))
    assert all(get(port)[0] == 200 for _ in range(5))
    # back on with another rule: its buckets start full
    reload(srv, conf, conf_text(a, more="  rate: [/=1/m:2]\n"))
    codes = [get(port)[0] for _ in range(4)]
    assert codes[:2] == [200, 200] and codes[-1] == 429, codes


def test_max_conns_per_ip_applies(served, tmp_path):
    srv, conf = served
    port = srv.port()
    a = str(tmp_path / "a")
    reload(srv, conf, conf_text(a, more="  max-conns-per-ip: 1\n"))
    held = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    held.request("GET", "/")
    assert held.getresponse().read() == b"A"
    # a second connection from the same client is closed at once
    with pytest.raises((ConnectionError, http.client.HTTPException,
                        socket.timeout)):
        get(port)
    held.close()
    reload(srv, conf, conf_text(a))
    held = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    held.request("GET", "/")
    assert held.getresponse().read() == b"A"
    assert get(port) == (200, "A")
    held.close()


def test_listener_change_is_reported_and_old_one_serves(served, tmp_path):
    srv, conf = served
    port = srv.port()
    b = site(tmp_path, "b", "B")
    said = reload(srv, conf, conf_text(b, listen="127.0.0.1:1"))
    assert "http: listen: changed, but only a restart applies it; kept " \
        "as it was" in said, said
    assert "applied: root" in said, said
    assert get(port) == (200, "B")


def test_bad_file_changes_nothing(served, tmp_path):
    srv, conf = served
    port = srv.port()
    b = site(tmp_path, "b", "B")
    said = reload(srv, conf, conf_text(b, more="  rate: /=nonsense\n"))
    assert "reload failed, nothing changed" in said, said
    assert get(port) == (200, "A")
    said = reload(srv, conf, conf_text(str(tmp_path / "missing")))
    assert "reload failed, nothing changed" in said, said
    assert get(port) == (200, "A")


def test_keep_alive_connection_gets_new_root(served, tmp_path):
    srv, conf = served
    c = http.client.HTTPConnection("127.0.0.1", srv.port(), timeout=10)
    c.request("GET", "/")
    assert c.getresponse().read() == b"A"
    sock = c.sock
    reload(srv, conf, conf_text(site(tmp_path, "b", "B")))
    c.request("GET", "/")
    r = c.getresponse()
    assert (r.status, r.read()) == (200, b"B")
    assert c.sock is sock, "the connection was opened again"
    c.close()


def test_root_outside_the_sandbox_needs_a_restart(start_server, tmp_path):
    # the config's folder is readable (SIGHUP reads the file); the roots
    # lie beside it, and only a is allowed at start
    (tmp_path / "etc").mkdir()
    conf = tmp_path / "etc" / "inetkit.conf"
    a = site(tmp_path, "a", "A")
    c = site(tmp_path, "c", "C")
    write_conf(conf, conf_text(a))
    srv = start_server(["serve", "--config", str(conf)])
    wait_for(lambda: "sandbox:" in server_stderr(srv), "the sandbox line",
             srv=srv)
    if "landlock on" not in server_stderr(srv):
        pytest.skip("the kernel lacks Landlock")
    port = srv.port()
    said = reload(srv, conf, conf_text(c, more="  vhost: [x.test=%s, "
                                       "y.test=%s]\n" % (a, c)))
    assert "http: root: %s: Permission denied" % c in said, said
    assert "only a restart applies it; kept as it was" in said, said
    assert "vhost y.test: %s" % c in said and "not served" in said, said
    assert get(port) == (200, "A")
    assert get(port, host="x.test") == (200, "A")


def make_cert(tmp_path, name, cn):
    cert, key = tmp_path / (name + ".pem"), tmp_path / (name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                    "-subj", "/CN=" + cn, "-addext",
                    "subjectAltName=DNS:" + cn, "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True,
                   timeout=60)
    return str(cert), str(key)


def peer_cn(port, name):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        with ctx.wrap_socket(s, server_hostname=name) as t:
            der = t.getpeercert(binary_form=True)
    pem = ssl.DER_cert_to_PEM_cert(der)
    r = subprocess.run(["openssl", "x509", "-noout", "-subject"],
                       input=pem, capture_output=True, text=True,
                       timeout=20)
    return r.stdout.strip().split("CN")[-1].strip(" =")


def test_certificate_paths_change(start_server, tmp_path):
    one = make_cert(tmp_path, "one", "one.test")
    two = make_cert(tmp_path, "two", "two.test")
    sni = make_cert(tmp_path, "sni", "sni.test")
    a = site(tmp_path, "a", "A")
    tls = "  tls-listen: [127.0.0.1:0]\n  cert: %s\n  key: %s\n%s"
    conf = tmp_path / "inetkit.conf"
    write_conf(conf, conf_text(a, more=tls % (one + ("",))))
    srv = start_server(["serve", "--config", str(conf)], expect=2)
    port = srv.port("tcp", "https")
    assert peer_cn(port, "x.test") == "one.test"
    said = reload(srv, conf, conf_text(a, more=tls % (two + (
        "  sni: [sni.test=%s:%s]\n" % sni,))))
    assert "applied: cert key sni" in said, said
    assert peer_cn(port, "x.test") == "two.test"
    assert peer_cn(port, "sni.test") == "sni.test"
    # a key that does not load: the pairs of before stay
    said = reload(srv, conf, conf_text(a, more=tls % (
        one[0], str(tmp_path / "none.key"), "")))
    assert "certificates:" in said and "old ones kept" in said, said
    assert peer_cn(port, "x.test") == "two.test"


def test_reload_storm_under_load(start_server, tmp_path):
    a = site(tmp_path, "a", "A")
    b = site(tmp_path, "b", "B")
    conf = tmp_path / "inetkit.conf"
    texts = [conf_text(a, more="  vhost: [v.test=%s]\n  autoindex: true\n"
                       % b),
             conf_text(b, more="  vhost: [v.test=%s, w.test=%s]\n"
                       "  rate: [/never=1/s]\n  max-body: 10\n"
                       "  max-conns-per-ip: 1000\n" % (a, b))]
    write_conf(conf, texts[0])
    env = dict(os.environ)
    # ASan keeps freed memory in quarantine; without it the RSS shows
    # what the server itself holds on to.
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + \
        ":quarantine_size_mb=0:malloc_context_size=0"
    srv = start_server(["serve", "--config", str(conf)], env=env)
    port = srv.port()
    for i in range(6):	# warm-up: the allocator gets its pools
        reload(srv, conf, texts[i % 2])
    before = rss_kib(srv.proc.pid)

    failures, done, stop = [], [0], threading.Event()

    def keep_alive(host):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while not stop.is_set():
            try:
                c.request("GET", "/", headers={"Host": host})
                r = c.getresponse()
                body = r.read()
                if r.status != 200 or body not in (b"A", b"B", b"F"):
                    failures.append((r.status, body))
                done[0] += 1
            except (OSError, http.client.HTTPException) as e:
                failures.append(repr(e))
                c.close()
        c.close()

    def fresh():
        while not stop.is_set():
            try:
                st, body = get(port, host="v.test")
                if st != 200 or body not in ("A", "B", "F"):
                    failures.append((st, body))
                done[0] += 1
            except (OSError, http.client.HTTPException) as e:
                failures.append(repr(e))

    threads = [threading.Thread(target=keep_alive, args=(h,))
               for h in ("x.test", "v.test")] + \
        [threading.Thread(target=fresh)]
    for t in threads:
        t.start()
    try:
        start = time.monotonic()
        for i in range(50):
            write_conf(conf, texts[i % 2])
            srv.proc.send_signal(signal.SIGHUP)
            time.sleep(max(0, start + (i + 1) / 50 - time.monotonic()))
        final = site(tmp_path, "f", "F")
        write_conf(conf, conf_text(final))
        srv.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: get(port) == (200, "F"), "the last file",
                 srv=srv)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not failures, failures[:5]
    assert done[0] > 20, done
    time.sleep(2)	# idle workers step to the last generation each second
    after = rss_kib(srv.proc.pid)
    print("rss before %d KiB, after %d KiB, %d requests" %
          (before, after, done[0]))
    assert after - before < 8 * 1024, (before, after)
    assert "Sanitizer" not in server_stderr(srv)


def test_access_log_path_changes(start_server, tmp_path):
    a = site(tmp_path, "a", "A")
    one, two = tmp_path / "one.log", tmp_path / "two.log"
    conf = tmp_path / "inetkit.conf"
    write_conf(conf, conf_text(a, more="  access-log: %s\n" % one))
    srv = start_server(["serve", "--config", str(conf)])
    port = srv.port()
    get(port, "/first")
    wait_for(lambda: one.exists() and "/first" in one.read_text(),
             "the first log line", srv=srv)
    said = reload(srv, conf, conf_text(a, more="  access-log: %s\n" % two))
    assert "applied: access-log" in said, said
    get(port, "/second")
    wait_for(lambda: two.exists() and "/second" in two.read_text(),
             "the line in the new log", srv=srv)
    assert "/second" not in one.read_text()


def test_download_in_flight_finishes_from_the_old_root(served, tmp_path):
    srv, conf = served
    big = os.urandom(8 << 20)
    (tmp_path / "a" / "big.bin").write_bytes(big)
    b = site(tmp_path, "b", "B")
    (tmp_path / "b" / "big.bin").write_bytes(b"other")
    c = http.client.HTTPConnection("127.0.0.1", srv.port(), timeout=10)
    c.request("GET", "/big.bin")
    r = c.getresponse()
    got = r.read(4096)
    reload(srv, conf, conf_text(b))
    got += r.read()
    assert got == big
    c.request("GET", "/big.bin")
    assert c.getresponse().read() == b"other"
    c.close()
