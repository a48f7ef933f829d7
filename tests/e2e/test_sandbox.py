"""Privileges and the sandbox: --user drops root after binding (ports 80
and 53 inside a network namespace), the servers run under Landlock and
seccomp by default (/proc/PID/status, --sandbox-info, --no-sandbox), and
the sandbox denies what a compromised server would try: the test-only
tests/tools/sandbox_probe applies the servers' sandbox and then opens
/etc/passwd (directly and through a symlink planted in its root), execs
/bin/sh, mounts, opens a packet socket, connects out, writes a file."""
import os
import signal
import socket
import subprocess
import time
import uuid

import pytest

from conftest import INETKIT, run
from httputil import SITE, get, serve

TOOLS = os.environ.get("INETKIT_TOOLS", "")
PROBE = os.path.join(TOOLS, "sandbox_probe")
ZONE = os.path.join(os.path.dirname(SITE), "zones", "example.test.zone")


def status_fields(pid):
    fields = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            fields[k] = v.split()
    return fields


def wait_sandboxed(server):
    """The listening lines come before the sandbox: wait for its line."""
    deadline = time.time() + 10
    while "inetkit: sandbox:" not in server.stderr():
        assert time.time() < deadline, server.stderr()
        time.sleep(0.02)


def probe(root, *action, off=False):
    r = subprocess.run([PROBE] + (["--off"] if off else []) + [str(root)] +
                       list(action), capture_output=True, timeout=30)
    return r.returncode, r.stdout.decode().strip()


@pytest.fixture
def root(tmp_path):
    d = tmp_path / "root"
    d.mkdir()
    (d / "index.html").write_text("hello\n")
    os.symlink("/etc/passwd", d / "passwd")
    return d


def test_probe_reads_its_root_only(root):
    assert probe(root, "open", str(root / "index.html")) == (0, "ok")
    assert probe(root, "open", "/etc/passwd") == \
        (0, "denied: Permission denied")
    assert probe(root, "open", "/etc/passwd", off=True) == (0, "ok")
    # a symlink planted in the root leads nowhere outside it
    assert probe(root, "open", str(root / "passwd")) == \
        (0, "denied: Permission denied")
    assert probe(root, "open", str(root / "passwd"), off=True) == (0, "ok")
    # nor can it write, even beneath its root
    assert probe(root, "write", str(root / "new")) == \
        (0, "denied: Permission denied")
    assert not (root / "new").exists()


def test_probe_exec_kills(root):
    rc, out = probe(root, "exec", "/bin/sh")
    assert rc == -signal.SIGSYS, (rc, out)
    assert probe(root, "exec", "/bin/sh", off=True)[0] == 0


def test_probe_forbidden_calls(root):
    # a new process (LeakSanitizer needs one: sanitizer builds allow it)
    if probe(root, "build")[1] == "release":
        assert probe(root, "fork") == (0, "denied: Operation not permitted")
    assert probe(root, "fork", off=True) == (0, "ok")
    assert probe(root, "mount") == (0, "denied: Operation not permitted")
    assert probe(root, "packet") == (0, "denied: Operation not permitted")
    # nor a UNIX socket (a container runtime's, say), which Landlock
    # would not stop
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(root.parent / "sock"))
    sock.listen(1)
    try:
        assert probe(root, "unix", str(root.parent / "sock")) == \
            (0, "denied: Operation not permitted")
        assert probe(root, "unix", str(root.parent / "sock"), off=True) == \
            (0, "ok")
    finally:
        sock.close()
    # no TCP connection out (Landlock), where the control is refused
    assert probe(root, "connect", "9") == (0, "denied: Permission denied")
    assert probe(root, "connect", "9", off=True) == \
        (0, "denied: Connection refused")


def test_servers_run_sandboxed(start_server, root, tmp_path):
    http, port = serve(start_server, str(root))
    dns = start_server(["serve", "dns", "--zone", ZONE, "--listen",
                        "127.0.0.1:0", "--workers", "1"], expect=2)
    echo = start_server(["serve", "echo", "--listen", "127.0.0.1:0"])
    for s in (http, dns, echo):
        wait_sandboxed(s)
        assert status_fields(s.proc.pid)["Seccomp"] == ["2"]
        assert "inetkit: sandbox: landlock on, seccomp on" in s.stderr()
        assert "--user" in s.stderr()     # started as root
    assert get(port, "/index.html").body == b"hello\n"
    # the symlink to /etc/passwd in the root is not served
    r = get(port, "/passwd")
    assert r.status in (403, 404) and b"root:" not in r.body


def test_no_sandbox(start_server, root):
    http, port = serve(start_server, str(root), "--no-sandbox")
    assert status_fields(http.proc.pid)["Seccomp"] == ["0"]
    assert "sandbox" not in http.stderr()
    assert get(port, "/index.html").status == 200


def test_sandbox_info(root, tmp_path):
    users = tmp_path / "users"
    users.write_text("a:$6$abcdefgh$ijklmnopqrstuvwxyz\n")
    r = run(["serve", "http", "--root", str(root), "--listen", "127.0.0.1:0",
             "--auth", "/p=" + str(users), "--sandbox-info"])
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "landlock: on" in out
    assert "  read  %s\n" % os.path.realpath(root) in out
    assert "  read  %s\n" % os.path.realpath(users) in out
    assert "tcp connect: none" in out
    assert "seccomp: on" in out and " openat2 " in out
    assert "execve" in out and "kill" in out
    r = run(["serve", "dns", "--zone", ZONE, "--listen", "127.0.0.1:0",
             "--sandbox-info", "--user", "nobody"])
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "user: nobody" in out
    assert "  read  %s\n" % os.path.dirname(os.path.realpath(ZONE)) in out
    # a secondary writes its copies in --zone-dir and connects to its
    # primary's port, nothing more
    zd = tmp_path / "zones"
    zd.mkdir()
    r = run(["serve", "dns", "--zone", ZONE, "--listen", "127.0.0.1:0",
             "--secondary", "other.test@127.0.0.1:5399", "--zone-dir",
             str(zd), "--sandbox-info"])
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr
    assert "  write %s\n" % os.path.realpath(zd) in out
    assert "tcp connect: 5399\n" in out
    r = run(["serve", "echo", "--listen", "127.0.0.1:0", "--no-sandbox",
             "--sandbox-info"])
    assert b"sandbox: off" in r.stdout


def test_user_drop(start_server, root):
    os.chmod(root, 0o755)
    os.chmod(root / "index.html", 0o644)
    http, port = serve(start_server, str(root), "--user", "nobody:nogroup")
    wait_sandboxed(http)
    f = status_fields(http.proc.pid)
    nobody = ["65534"] * 4
    assert f["Uid"] == nobody and f["Gid"] == nobody, f
    assert f["Groups"] == ["65534"], f
    assert "--user NAME" not in http.stderr()
    assert get(port, "/index.html").body == b"hello\n"
    # and every thread of it
    for tid in os.listdir("/proc/%d/task" % http.proc.pid):
        with open("/proc/%d/task/%s/status" % (http.proc.pid, tid)) as t:
            assert "Uid:\t65534\t65534\t65534\t65534" in t.read()


def test_bad_user():
    for spec in ("no-such-user-here", "nobody:no-such-group", "", "nobody:"):
        r = run(["serve", "http", "--root", ".", "--user", spec])
        assert r.returncode == 2, spec
        assert b"--user" in r.stderr


@pytest.fixture
def netns():
    name = "inetkit-sbx-%s" % uuid.uuid4().hex[:8]
    subprocess.run(["ip", "netns", "add", name], check=True, timeout=30)
    try:
        subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set",
                        "lo", "up"], check=True, timeout=30)
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], timeout=30)


def test_low_ports_then_nobody(netns, root):
    os.chmod(root, 0o755)
    os.chmod(root / "index.html", 0o644)
    p = subprocess.Popen(["ip", "netns", "exec", netns, INETKIT, "serve",
                          "http", "--root", str(root), "--listen",
                          "127.0.0.1:80", "--workers", "2", "--user",
                          "nobody"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    d = subprocess.Popen(["ip", "netns", "exec", netns, INETKIT, "serve",
                          "dns", "--zone", ZONE, "--listen", "127.0.0.1:53",
                          "--user", "nobody"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert p.stdout.readline() == b"listening http tcp 127.0.0.1:80\n"
        assert d.stdout.readline() == b"listening dns tcp 127.0.0.1:53\n"
        for proc in (p, d):
            # stderr: the root warning is not there (--user), the sandbox is
            assert proc.stderr.readline().startswith(b"inetkit: sandbox: ")
            f = status_fields(proc.pid)
            assert f["Uid"] == ["65534"] * 4, f
            assert f["Seccomp"] == ["2"]
        r = subprocess.run(["ip", "netns", "exec", netns, "curl", "-s",
                            "http://127.0.0.1/index.html"],
                           capture_output=True, timeout=30)
        assert r.stdout == b"hello\n"
        r = subprocess.run(["ip", "netns", "exec", netns, "dig", "+short",
                            "+time=5", "+tries=2", "@127.0.0.1",
                            "www.example.test", "A"],
                           capture_output=True, timeout=30)
        assert r.returncode == 0 and r.stdout.strip(), r
        # SIGHUP reloads the zone as nobody, under the sandbox
        d.send_signal(signal.SIGHUP)
    finally:
        for proc in (p, d):
            proc.send_signal(signal.SIGTERM)
        outs = [proc.communicate(timeout=20) for proc in (p, d)]
    for proc, (_, err) in zip((p, d), outs):
        assert proc.returncode == 0, err
        assert b"Sanitizer" not in err
    assert b"dns: reloaded 1 zone" in outs[1][1], outs[1][1]


def test_gateways_under_the_sandbox(start_server, root, tmp_path):
    """FastCGI runs sandboxed (its backends reachable: a UNIX socket, a
    TCP port); CGI says the sandbox is off and why (scripts started by the
    server itself would inherit it)."""
    r = run(["serve", "http", "--root", str(root), "--listen", "127.0.0.1:0",
             "--fastcgi", "/php/=unix:/run/php.sock", "--fastcgi",
             "/app/=127.0.0.1:9000", "--sandbox-info"])
    out = r.stdout.decode()
    assert r.returncode == 0 and "landlock: on" in out, out
    assert "tcp connect: 9000" in out
    assert "  write /tmp\n" in out
    cgi = tmp_path / "cgi-bin"
    cgi.mkdir()
    s = start_server(["serve", "http", "--root", str(root), "--listen",
                      "127.0.0.1:0", "--cgi", "/cgi-bin/=%s" % cgi])
    deadline = time.time() + 10
    while "sandbox: off" not in s.stderr():
        assert time.time() < deadline, s.stderr()
        time.sleep(0.02)
    assert "--cgi starts scripts" in s.stderr()
    assert status_fields(s.proc.pid)["Seccomp"] == ["0"]
