"""systemd without systemd as PID 1: the readiness protocol (a Python
datagram socket stands for the manager's $NOTIFY_SOCKET: READY=1 only
once the port answers, RELOADING=1 then READY=1 around SIGHUP,
STOPPING=1 on SIGTERM, for serve http, serve dns and serve --config,
through the sandbox), and socket activation (systemd-socket-activate,
and a launcher for UDP and TCP together): the server answers on the
sockets it was given, shares them between its workers, and refuses one
that fits no listener with exit 2."""
import os
import shutil
import signal
import subprocess
import time

import pytest

from conftest import INETKIT, ROOT, Server, assert_clean_exit
from dnsutil import EXAMPLE_ZONE, query
from sdutil import Notify, free_tcp_port, launcher, tcp_listener, \
    tcp_udp_pair, udp_socket
from test_http_cgi_env import ENV, get_env

SITE = os.path.join(ROOT, "examples", "site")
ACTIVATE = shutil.which("systemd-socket-activate")


def curl(port, host="127.0.0.1", path="/"):
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                        "--max-time", "10", "http://%s:%d%s" % (host, port,
                                                                path)],
                       capture_output=True, text=True, timeout=20)
    return r.stdout


def www(port, tcp=False):
    r = query("127.0.0.1", port, "www.example.test", tcp=tcp)
    return r.answer[0][0].address


@pytest.fixture
def servers():
    """Servers started here; each must stop cleanly by the end."""
    started = []

    def start(args, **kw):
        s = Server(args, **kw)
        started.append(s)
        return s

    yield start
    for s in started:
        assert_clean_exit(s, s.stop())


def assert_reload_and_stop(srv, n, answers):
    """SIGHUP: RELOADING=1 (with the monotonic time) then READY=1, and the
    server still answers; SIGTERM: STOPPING=1, then a clean exit."""
    before = time.clock_gettime(time.CLOCK_MONOTONIC)
    srv.proc.send_signal(signal.SIGHUP)
    m = n.recv()
    assert m.get("RELOADING") == "1", m
    usec = int(m["MONOTONIC_USEC"])
    assert before * 1e6 - 1e6 <= usec <= time.clock_gettime(
        time.CLOCK_MONOTONIC) * 1e6 + 1e6
    m = n.recv()
    assert m.get("READY") == "1", m
    answers()
    srv.proc.send_signal(signal.SIGTERM)
    m = n.recv()
    assert m.get("STOPPING") == "1", m
    assert_clean_exit(srv, srv.stop())
    assert n.pending() == []


def assert_ready(srv, n):
    m = n.recv()
    assert m.get("READY") == "1", m
    assert m["MAINPID"] == str(srv.proc.pid)
    assert m["STATUS"]
    return m


def test_http_ready_reload_stop(tmp_path):
    n = Notify(tmp_path)
    srv = Server(["serve", "http", "--listen", "127.0.0.1:0", "--root", SITE,
                  "--workers", "2"], env=n.env())
    try:
        assert_ready(srv, n)
        # READY=1 came, so the port answers now, at the first try
        assert curl(srv.port()) == "200"
        assert_reload_and_stop(srv, n, lambda: curl(srv.port()) == "200")
    finally:
        srv.kill()
        n.close()
    assert "sandbox: landlock" in srv.stderr()    # sent under the sandbox


def test_dns_ready_reload_stop(tmp_path):
    n = Notify(tmp_path, abstract=True)
    srv = Server(["serve", "dns", "--listen", "127.0.0.1:0", "--zone",
                  EXAMPLE_ZONE, "--workers", "2"], expect=2, env=n.env())
    try:
        assert_ready(srv, n)
        port = srv.port("udp")
        assert www(port) == "127.0.0.1" and www(port, tcp=True) == "127.0.0.1"

        def answers():
            assert www(port) == "127.0.0.1"
        assert_reload_and_stop(srv, n, answers)
    finally:
        srv.kill()
        n.close()


def config(tmp_path):
    p = tmp_path / "inetkit.conf"
    p.write_text("""
workers: 2
dns:
  listen: 127.0.0.1:0
  zone: %s
http:
  listen: 127.0.0.1:0
  root: %s
""" % (EXAMPLE_ZONE, SITE))
    return str(p)


def test_config_ready_reload_stop(tmp_path):
    n = Notify(tmp_path)
    srv = Server(["serve", "--config", config(tmp_path)], expect=3,
                 env=n.env())
    try:
        assert_ready(srv, n)
        assert curl(srv.port("tcp", "http")) == "200"
        assert www(srv.port("udp", "dns")) == "127.0.0.1"

        def answers():
            assert curl(srv.port("tcp", "http")) == "200"
            assert www(srv.port("udp", "dns")) == "127.0.0.1"
        assert_reload_and_stop(srv, n, answers)
    finally:
        srv.kill()
        n.close()


def test_cgi_scripts_inherit_neither_variable(servers, tmp_path):
    cgi = tmp_path / "cgi-bin"
    cgi.mkdir()
    (cgi / "env").write_text(ENV)
    os.chmod(str(cgi / "env"), 0o755)
    n = Notify(tmp_path)
    sock = tcp_listener()
    prefix, fds = launcher([sock], "http")
    srv = servers(["serve", "http", "--root", SITE, "--cgi",
                   "/cgi-bin/=%s" % cgi], env=n.env(), prefix=prefix,
                  pass_fds=fds)
    sock.close()
    assert_ready(srv, n)
    env = get_env(srv.port(), "/cgi-bin/env")
    assert "REQUEST_METHOD" in env
    assert not [k for k in env if k.startswith(("NOTIFY_", "LISTEN_"))], env
    n.close()


@pytest.mark.skipif(ACTIVATE is None, reason="systemd-socket-activate "
                    "missing (Debian package systemd)")
def test_systemd_socket_activate_http(tmp_path):
    n = Notify(tmp_path)
    for _ in range(10):     # the port may be taken between our probe and it
        port = free_tcp_port()
        err = tmp_path / "err"
        with open(str(err), "wb") as ef:
            p = subprocess.Popen([ACTIVATE, "-l", "127.0.0.1:%d" % port,
                                  "--fdname=http", "-E", "NOTIFY_SOCKET",
                                  INETKIT, "serve", "http",
                                  "--root", SITE, "--workers", "3"],
                                 stdout=subprocess.PIPE, stderr=ef,
                                 env=n.env())
        try:
            # it execs inetkit at the first connection, which then waits
            # in the socket's queue and is answered by inetkit
            code = curl(port)
            if code == "200":
                break
        finally:
            if code != "200":
                p.kill()
                p.wait()
    assert code == "200", err.read_text()
    try:
        line = p.stdout.readline().decode()
        assert line == "listening http tcp 127.0.0.1:%d\n" % port
        m = n.recv()
        assert m["READY"] == "1" and m["MAINPID"] == str(p.pid)
        for _ in range(20):     # every worker's loop shares the one socket
            assert curl(port) == "200"
        p.send_signal(signal.SIGTERM)
        assert p.wait(20) == 0, err.read_text()
        assert n.recv()["STOPPING"] == "1"
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        n.close()
    text = err.read_text()
    assert "Sanitizer" not in text and "runtime error" not in text, text
    # the default listener is not bound beside the inherited socket
    assert "8080 not bound" in text


def test_dns_takes_udp_and_tcp_sockets(servers):
    t, u = tcp_udp_pair()
    port = t.getsockname()[1]
    prefix, fds = launcher([u, t], "dns:dns")
    srv = servers(["serve", "dns", "--zone", EXAMPLE_ZONE, "--workers", "2"],
                  expect=2, prefix=prefix, pass_fds=fds)
    t.close()
    u.close()
    assert sorted(srv.listeners) == [("dns", "tcp", "127.0.0.1", port),
                                     ("dns", "udp", "127.0.0.1", port)]
    for _ in range(10):
        assert www(port) == "127.0.0.1"
        assert www(port, tcp=True) == "127.0.0.1"


def test_unnamed_socket_matches_by_address(servers):
    sock = tcp_listener()
    port = sock.getsockname()[1]
    prefix, fds = launcher([sock])
    srv = servers(["serve", "http", "--listen", "127.0.0.1:%d" % port,
                   "--root", SITE], prefix=prefix, pass_fds=fds)
    sock.close()
    assert srv.listeners == [("http", "tcp", "127.0.0.1", port)]
    assert curl(port) == "200"
    assert "not bound" not in srv.stderr()


def test_config_takes_sockets_by_name(servers, tmp_path):
    """serve --config: http and dns from the manager, echo bound itself."""
    h = tcp_listener()
    t, u = tcp_udp_pair()
    prefix, fds = launcher([h, t, u], "http:dns:dns")
    conf = config(tmp_path)
    with open(conf, "a") as f:
        f.write("echo:\n  listen: 127.0.0.1:0\n")
    srv = servers(["serve", "--config", conf], expect=4, prefix=prefix,
                  pass_fds=fds)
    hp, dp = h.getsockname()[1], t.getsockname()[1]
    for s in (h, t, u):
        s.close()
    assert srv.port("tcp", "http") == hp
    assert srv.port("udp", "dns") == dp and srv.port("tcp", "dns") == dp
    assert curl(hp) == "200" and www(dp) == "127.0.0.1"
    assert srv.port("tcp", "echo") not in (hp, dp)


def run_launched(socks, names, args, pid="self"):
    prefix, fds = launcher(socks, names, pid)
    r = subprocess.run(prefix + [INETKIT] + args, capture_output=True,
                       timeout=30, pass_fds=fds)
    for s in socks:
        s.close()
    assert b"Sanitizer" not in r.stderr
    return r


def test_socket_that_fits_no_listener_exits_2():
    sock = tcp_listener()
    r = run_launched([sock], None, ["serve", "http", "--listen",
                                    "127.0.0.1:0", "--root", SITE])
    assert r.returncode == 2, r
    assert b"descriptor 3 (tcp 127.0.0.1:" in r.stderr, r.stderr
    assert b"matches no listener" in r.stderr


def test_dns_socket_given_to_http_exits_2():
    sock = udp_socket()
    r = run_launched([sock], "dns", ["serve", "http", "--root", SITE])
    assert r.returncode == 2, r
    assert b"name 'dns') matches no listener" in r.stderr, r.stderr


def test_dns_without_its_tcp_twin_exits_2():
    sock = udp_socket()
    r = run_launched([sock], "dns", ["serve", "dns", "--zone",
                                     EXAMPLE_ZONE])
    assert r.returncode == 2, r
    assert b"has no tcp twin" in r.stderr, r.stderr


def test_not_a_socket_exits_2(tmp_path):
    with open(str(tmp_path / "file"), "w") as f:
        r = run_launched([f], "http", ["serve", "http", "--root", SITE])
    assert r.returncode == 2, r
    assert b"descriptor 3: not a socket" in r.stderr, r.stderr


def test_another_process_sockets_are_ignored(servers):
    """LISTEN_PID of another process: not ours, so the server binds."""
    sock = tcp_listener()
    prefix, fds = launcher([sock], "http", pid="1")
    srv = servers(["serve", "http", "--listen", "127.0.0.1:0", "--root",
                   SITE], prefix=prefix, pass_fds=fds)
    assert srv.port() != sock.getsockname()[1]
    sock.close()
    assert curl(srv.port()) == "200"


def test_http_and_tls_sockets_by_name(servers, tmp_path):
    """The names http and tls (as https) put each socket behind the right
    listener: plain HTTP on one, HTTPS (curl verifies) on the other."""
    from tlsutil import make_ca, make_leaf
    ca = make_ca(tmp_path)
    leaf = make_leaf(tmp_path, ca, "leaf")
    plain, tls = tcp_listener(), tcp_listener()
    pp, tp = plain.getsockname()[1], tls.getsockname()[1]
    prefix, fds = launcher([tls, plain], "tls:http")
    srv = servers(["serve", "http", "--root", SITE, "--workers", "2",
                   "--tls-listen", "127.0.0.1:0", "--cert", leaf.cert_path,
                   "--key", leaf.key_path], expect=2, prefix=prefix,
                  pass_fds=fds)
    plain.close()
    tls.close()
    assert srv.port("tcp", "http") == pp and srv.port("tcp", "https") == tp
    assert curl(pp) == "200"
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                        "--cacert", ca.cert_path, "--max-time", "10",
                        "https://localhost:%d/" % tp],
                       capture_output=True, text=True, timeout=20)
    assert r.stdout == "200", r


def test_echo_tcp_and_udp_sockets(servers):
    """The classic services: a stream and a datagram socket named echo,
    each its own count of listeners (here one TCP port, one UDP port)."""
    t, u = tcp_listener(), udp_socket()
    tp, up = t.getsockname()[1], u.getsockname()[1]
    prefix, fds = launcher([t, u], "echo:echo")
    srv = servers(["serve", "echo", "--workers", "2"], expect=2,
                  prefix=prefix, pass_fds=fds)
    t.close()
    u.close()
    assert sorted(srv.listeners) == [("echo", "tcp", "127.0.0.1", tp),
                                     ("echo", "udp", "127.0.0.1", up)]
    r = subprocess.run(["nc", "-q", "1", "127.0.0.1", str(tp)],
                       input=b"hi\n", capture_output=True, timeout=10)
    assert r.stdout == b"hi\n"
    c = udp_socket()
    c.settimeout(5)
    c.sendto(b"ping", ("127.0.0.1", up))
    assert c.recv(64) == b"ping"
    c.close()


def test_more_sockets_than_listeners(servers):
    """Three sockets for a service with one (default) listener, on three
    workers: each answers (the arrays hold what the manager gives)."""
    socks = [tcp_listener() for _ in range(3)]
    ports = [s.getsockname()[1] for s in socks]
    prefix, fds = launcher(socks, "http:http:http")
    srv = servers(["serve", "http", "--root", SITE, "--workers", "3"],
                  expect=3, prefix=prefix, pass_fds=fds)
    for s in socks:
        s.close()
    assert [l[3] for l in srv.listeners] == ports
    for _ in range(3):
        for p in ports:
            assert curl(p) == "200"
