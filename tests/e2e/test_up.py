"""`inetkit up` serves every service on loopback at its documented port,
the bundled site among them, and prints commands to try that work."""
import os
import shlex
import subprocess

from conftest import INETKIT, ROOT, assert_usage_error, run

UP_LINES = 7  # http tcp, and echo/daytime/time over tcp and udp


def curl(url, *extra):
    return subprocess.run(["curl", "-s", "-o", "-", "-w", "\n%{http_code}",
                           "--resolve", "www.example.test:8080:127.0.0.1", *extra, url],
                          capture_output=True, timeout=20)


def test_up_serves_every_service_at_its_port(start_server):
    srv = start_server(["up", "--workers", "1"], expect=UP_LINES, cwd=ROOT)
    ports = {(s, p): port for s, p, _, port in srv.listeners}
    assert ports == {("http", "tcp"): 8080,
                     ("echo", "tcp"): 7007, ("echo", "udp"): 7007,
                     ("daytime", "tcp"): 1313, ("daytime", "udp"): 1313,
                     ("time", "tcp"): 3737, ("time", "udp"): 3737}
    assert all(h == "127.0.0.1" for _, _, h, _ in srv.listeners)


def test_up_serves_the_bundled_site(start_server, tmp_path):
    # Started from elsewhere: the binary finds the examples folder itself.
    srv = start_server(["up", "--workers", "1"], expect=UP_LINES, cwd=str(tmp_path))
    r = curl("http://www.example.test:8080/")
    body, status = r.stdout.rsplit(b"\n", 1)
    assert status == b"200"
    with open(os.path.join(ROOT, "examples/site/index.html"), "rb") as f:
        assert body == f.read()
    r = curl("http://www.example.test:8080/style.css")
    assert r.stdout.endswith(b"200")


def test_up_with_another_dir(start_server, tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<p>mine</p>\n")
    start_server(["up", "--workers", "1", "--dir", str(tmp_path)], expect=UP_LINES)
    r = curl("http://www.example.test:8080/")
    assert r.stdout == b"<p>mine</p>\n\n200"


def test_up_with_a_missing_dir_fails_before_listening(tmp_path):
    r = run(["up", "--dir", str(tmp_path / "nowhere")])
    assert r.returncode == 2
    assert b"nowhere/site" in r.stderr
    assert b"listening" not in r.stdout
    assert_usage_error(["up", "--dir"])


def test_up_prints_commands_that_work(start_server):
    srv = start_server(["up", "--workers", "1"], expect=UP_LINES, cwd=ROOT)
    lines = srv.wait_output("inetkit ipcalc")
    tips = [l.strip() for l in lines if l.startswith("  ")]
    assert len(tips) >= 4, lines
    for tip in tips:
        args = shlex.split(tip)
        if args[0] == "inetkit":
            args[0] = INETKIT
        r = subprocess.run(args, capture_output=True, timeout=20)
        assert r.returncode == 0, (tip, r.stderr)
        assert r.stdout.strip(), tip
