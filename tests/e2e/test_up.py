"""`inetkit up` serves every service on loopback at its documented port
(moved by --port-offset, so that two test runs do not collide), the
bundled site among them, and prints commands to try that work."""
import os
import shlex
import subprocess

from conftest import INETKIT, ROOT, assert_usage_error, run
from uputil import UP_PORTS, up_args, up_offset

import pytest

UP_LINES = 12  # dns udp+tcp, http and https on 2 addresses, echo/daytime/time x2


@pytest.fixture
def off():
    """The --port-offset of this test's `up`."""
    return up_offset()


@pytest.fixture
def state(tmp_path):
    """The environment of `up`: its TLS state folder in tmp_path (never
    the tester's ~/.local/state)."""
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "xdg"))
    return env, tmp_path / "xdg" / "inetkit"


def curl(off, path, *extra, scheme="http"):
    """curl SCHEME://www.example.test:PORT/PATH, the name on 127.0.0.1."""
    port = UP_PORTS[scheme] + off
    url = "%s://www.example.test:%d%s" % (scheme, port, path)
    return subprocess.run(["curl", "-s", "-o", "-", "-w", "\n%{http_code}",
                           "--resolve", "www.example.test:%d:127.0.0.1" % port,
                           *extra, url], capture_output=True, timeout=20)


def test_up_serves_every_service_at_its_port(start_server, state, off):
    srv = start_server(up_args(off), expect=UP_LINES, cwd=ROOT, env=state[0])
    want = [("dns", "udp", "127.0.0.1"), ("dns", "tcp", "127.0.0.1"),
            ("http", "tcp", "127.0.0.1"), ("http", "tcp", "::1"),
            ("https", "tcp", "127.0.0.1"), ("https", "tcp", "::1"),
            ("echo", "tcp", "127.0.0.1"), ("echo", "udp", "127.0.0.1"),
            ("daytime", "tcp", "127.0.0.1"), ("daytime", "udp", "127.0.0.1"),
            ("time", "tcp", "127.0.0.1"), ("time", "udp", "127.0.0.1")]
    assert sorted(srv.listeners) == sorted(
        (svc, proto, host, UP_PORTS[svc] + off) for svc, proto, host in want)


def test_up_port_offset_is_checked():
    for bad in ("-1", "57001", "x"):
        assert_usage_error(["up", "--port-offset", bad])


def test_up_answers_for_the_bundled_zone(start_server, state, off):
    import dns.message
    import dns.query
    start_server(up_args(off), expect=UP_LINES, cwd=ROOT, env=state[0])
    q = dns.message.make_query("www.example.test", "A")
    for ask in (dns.query.udp, dns.query.tcp):
        r = ask(q, "127.0.0.1", port=UP_PORTS["dns"] + off, timeout=5)
        assert r.rcode() == 0 and r.flags & dns.flags.AA
        assert [rr.address for rr in r.answer[0]] == ["127.0.0.1"]


def test_up_serves_the_bundled_site(start_server, tmp_path, state, off):
    # Started from elsewhere: the binary finds the examples folder itself.
    srv = start_server(up_args(off), expect=UP_LINES, cwd=str(tmp_path),
                       env=state[0])
    r = curl(off, "/")
    body, status = r.stdout.rsplit(b"\n", 1)
    assert status == b"200"
    with open(os.path.join(ROOT, "examples/site/index.html"), "rb") as f:
        assert body == f.read()
    r = curl(off, "/style.css")
    assert r.stdout.endswith(b"200")


def test_up_with_another_dir(start_server, tmp_path, off):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<p>mine</p>\n")
    (tmp_path / "zones").mkdir()
    with open(os.path.join(ROOT, "examples/zones/example.test.zone")) as f:
        (tmp_path / "zones" / "example.test.zone").write_text(f.read())
    start_server(up_args(off, "--dir", str(tmp_path)), expect=UP_LINES)
    r = curl(off, "/")
    assert r.stdout == b"<p>mine</p>\n\n200"
    # the local CA lives under --dir, and curl trusts the site through it
    ca = tmp_path / "state" / "ca.pem"
    r = curl(off, "/", "--cacert", str(ca), scheme="https")
    assert r.stdout == b"<p>mine</p>\n\n200", r.stderr


def test_up_with_a_missing_dir_fails_before_listening(tmp_path):
    r = run(["up", "--dir", str(tmp_path / "nowhere")])
    assert r.returncode == 2
    assert b"nowhere/zones/example.test.zone" in r.stderr
    assert b"listening" not in r.stdout
    assert_usage_error(["up", "--dir"])


def test_up_with_a_bad_zone_fails_before_listening(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "zones").mkdir()
    (tmp_path / "zones" / "example.test.zone").write_text(
        "$ORIGIN example.test.\n@ 3600 IN SOA ns1 host 1 2 3 4 5\nwww IN A 300.1.1.1\n")
    r = run(["up", "--dir", str(tmp_path)])
    assert r.returncode == 2
    assert b"example.test.zone:3:" in r.stderr
    assert b"listening" not in r.stdout


def test_up_prints_commands_that_work(start_server, state, off):
    # Not on PATH: the tips name the binary by its path from the working
    # directory (build/.../inetkit), and work as printed from there (on
    # the ports that --port-offset moved).
    srv = start_server(up_args(off), expect=UP_LINES, cwd=ROOT, env=state[0])
    lines = srv.wait_output("curl --cacert")
    tips = [l.strip() for l in lines if l.startswith("  ")]
    assert len(tips) >= 4, lines
    me = os.path.relpath(os.path.realpath(INETKIT), ROOT)
    assert any(t.startswith(me + " crawl") for t in tips), (me, tips)
    assert any(":%d/" % (UP_PORTS["http"] + off) in t for t in tips), tips
    for tip in tips:
        args = shlex.split(tip.split("   (")[0])
        r = subprocess.run(args, capture_output=True, timeout=60, cwd=ROOT)
        if args[0] != "curl" and args[1] == "get" and "https" in args[2]:
            # get verifies the site's chain against the local CA it is
            # told to trust (and its name), and prints the page
            assert args[3:5] == ["--cacert", str(state[1] / "ca.pem")]
            assert r.returncode == 0, (tip, r.stderr)
            with open(os.path.join(ROOT, "examples/site/index.html"), "rb") as f:
                assert r.stdout == f.read()
            # without the CA the same line fails, naming why
            r = subprocess.run(args[:3] + args[5:], capture_output=True,
                               timeout=60, cwd=ROOT)
            assert r.returncode == 1
            assert r.stderr.decode().endswith(
                "certificate verification failed: unable to get local "
                "issuer certificate\n"), r.stderr
            continue
        if args[1] == "crawl":
            # The bundled site links to a page that does not exist, on
            # purpose: the link checker reports it and exits 1.
            assert r.returncode == 1, (tip, r.stderr)
            assert b"news.html" in r.stdout
            assert b"about.html" in r.stdout
        else:
            assert r.returncode == 0, (tip, r.stderr)
        assert r.stdout.strip(), tip


def test_up_tips_say_inetkit_when_on_path(start_server, tmp_path, state, off):
    # As installed: PATH finds the binary, so the tips say "inetkit".
    bindir = tmp_path / "bin"
    bindir.mkdir()
    os.symlink(os.path.realpath(INETKIT), bindir / "inetkit")
    env = dict(state[0], PATH="%s:%s" % (bindir, os.environ["PATH"]))
    srv = start_server(up_args(off), expect=UP_LINES, cwd=ROOT, env=env)
    lines = srv.wait_output("ipcalc 129")
    tips = [l.strip() for l in lines if l.startswith("  ")]
    assert all(t.startswith(("inetkit ", "curl ")) for t in tips), tips


def test_up_makes_a_local_ca_once_and_serves_https(start_server, state, off):
    env, folder = state
    srv = start_server(up_args(off), expect=UP_LINES, cwd=ROOT, env=env)
    out = srv.wait_output("curl --cacert")
    assert any("made a local certificate authority" in l for l in out), out
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["ca.key", "ca.pem", "www.example.test.key",
                     "www.example.test.pem"]
    assert (folder / "ca.key").stat().st_mode & 0o077 == 0
    assert folder.stat().st_mode & 0o077 == 0
    # curl verifies the chain and the name against the local CA
    r = curl(off, "/", "--cacert", str(folder / "ca.pem"), scheme="https")
    assert r.stdout.endswith(b"\n200"), r.stderr
    with open(os.path.join(ROOT, "examples/site/index.html"), "rb") as f:
        assert r.stdout[:-4] == f.read()
    # and over IPv6, where www.example.test's AAAA record points
    r = curl(off, "/", "--cacert", str(folder / "ca.pem"), "--resolve",
             "www.example.test:%d:::1" % (UP_PORTS["https"] + off),
             scheme="https")
    assert r.stdout.endswith(b"\n200"), r.stderr
    # without the CA the certificate is unknown: curl refuses
    r = curl(off, "/", scheme="https")
    assert r.returncode == 60, r
    ca = (folder / "ca.pem").read_bytes()
    srv.stop()
    # a second run keeps the CA (a browser that trusts it keeps working)
    srv = start_server(up_args(off), expect=UP_LINES, cwd=ROOT, env=env)
    out = srv.wait_output("curl --cacert")
    assert not any("made a local certificate authority" in l for l in out)
    assert (folder / "ca.pem").read_bytes() == ca
