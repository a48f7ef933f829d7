"""`inetkit up` serves every service on loopback at its documented port and
prints commands to try that work."""
import shlex
import subprocess

from conftest import INETKIT


def test_up_serves_the_classic_services(start_server):
    srv = start_server(["up", "--workers", "1"], expect=6)
    ports = {(s, p): port for s, p, _, port in srv.listeners}
    assert ports == {("echo", "tcp"): 7007, ("echo", "udp"): 7007,
                     ("daytime", "tcp"): 1313, ("daytime", "udp"): 1313,
                     ("time", "tcp"): 3737, ("time", "udp"): 3737}
    assert all(h == "127.0.0.1" for _, _, h, _ in srv.listeners)


def test_up_prints_commands_that_work(start_server):
    srv = start_server(["up", "--workers", "1"], expect=6)
    lines = srv.wait_output("inetkit is up")
    lines = srv.wait_output("inetkit ipcalc")
    tips = [l.strip() for l in lines if l.startswith("  inetkit ")]
    assert len(tips) >= 3, lines
    for tip in tips:
        if tip.startswith("inetkit ipcalc"):
            continue  # a separate command, tested on its own
        args = shlex.split(tip)[1:]
        r = subprocess.run([INETKIT] + args, capture_output=True, timeout=20)
        assert r.returncode == 0, (tip, r.stderr)
        assert r.stdout.strip(), tip
