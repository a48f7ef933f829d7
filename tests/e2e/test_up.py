"""`inetkit up` serves every service on loopback at its documented port,
the bundled site among them, and prints commands to try that work."""
import os
import shlex
import subprocess

from conftest import INETKIT, ROOT, assert_usage_error, run

import pytest

UP_LINES = 12  # dns udp+tcp, http and https on 2 addresses, echo/daytime/time x2


@pytest.fixture
def state(tmp_path):
    """The environment of `up`: its TLS state folder in tmp_path (never
    the tester's ~/.local/state)."""
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "xdg"))
    return env, tmp_path / "xdg" / "inetkit"


def curl(url, *extra):
    return subprocess.run(["curl", "-s", "-o", "-", "-w", "\n%{http_code}",
                           "--resolve", "www.example.test:8080:127.0.0.1", *extra, url],
                          capture_output=True, timeout=20)


def test_up_serves_every_service_at_its_port(start_server, state):
    srv = start_server(["up", "--workers", "1"], expect=UP_LINES, cwd=ROOT,
                       env=state[0])
    assert sorted(srv.listeners) == sorted([
        ("dns", "udp", "127.0.0.1", 5300), ("dns", "tcp", "127.0.0.1", 5300),
        ("http", "tcp", "127.0.0.1", 8080), ("http", "tcp", "::1", 8080),
        ("https", "tcp", "127.0.0.1", 8443), ("https", "tcp", "::1", 8443),
        ("echo", "tcp", "127.0.0.1", 7007), ("echo", "udp", "127.0.0.1", 7007),
        ("daytime", "tcp", "127.0.0.1", 1313), ("daytime", "udp", "127.0.0.1", 1313),
        ("time", "tcp", "127.0.0.1", 3737), ("time", "udp", "127.0.0.1", 3737)])


def test_up_answers_for_the_bundled_zone(start_server, state):
    import dns.message
    import dns.query
    start_server(["up", "--workers", "1"], expect=UP_LINES, cwd=ROOT,
                 env=state[0])
    q = dns.message.make_query("www.example.test", "A")
    for ask in (dns.query.udp, dns.query.tcp):
        r = ask(q, "127.0.0.1", port=5300, timeout=5)
        assert r.rcode() == 0 and r.flags & dns.flags.AA
        assert [rr.address for rr in r.answer[0]] == ["127.0.0.1"]


def test_up_serves_the_bundled_site(start_server, tmp_path, state):
    # Started from elsewhere: the binary finds the examples folder itself.
    srv = start_server(["up", "--workers", "1"], expect=UP_LINES, cwd=str(tmp_path),
                       env=state[0])
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
    (tmp_path / "zones").mkdir()
    with open(os.path.join(ROOT, "examples/zones/example.test.zone")) as f:
        (tmp_path / "zones" / "example.test.zone").write_text(f.read())
    start_server(["up", "--workers", "1", "--dir", str(tmp_path)], expect=UP_LINES)
    r = curl("http://www.example.test:8080/")
    assert r.stdout == b"<p>mine</p>\n\n200"
    # the local CA lives under --dir, and curl trusts the site through it
    ca = tmp_path / "state" / "ca.pem"
    r = curl("https://www.example.test:8443/", "--cacert", str(ca),
             "--resolve", "www.example.test:8443:127.0.0.1")
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


def test_up_prints_commands_that_work(start_server, state):
    srv = start_server(["up", "--workers", "1"], expect=UP_LINES, cwd=ROOT,
                       env=state[0])
    lines = srv.wait_output("curl --cacert")
    tips = [l.strip() for l in lines if l.startswith("  ")]
    assert len(tips) >= 4, lines
    assert any(t.startswith("inetkit crawl") for t in tips), tips
    for tip in tips:
        args = shlex.split(tip.split("   (")[0])
        if args[0] == "inetkit":
            args[0] = INETKIT
        r = subprocess.run(args, capture_output=True, timeout=60)
        if args[0] == INETKIT and args[1] == "get" and "https" in args[2]:
            # get verifies the site's chain against the local CA it is
            # told to trust (and its name), and prints the page
            assert args[3:5] == ["--cacert", str(state[1] / "ca.pem")]
            assert r.returncode == 0, (tip, r.stderr)
            with open(os.path.join(ROOT, "examples/site/index.html"), "rb") as f:
                assert r.stdout == f.read()
            # without the CA the same line fails, naming why
            r = subprocess.run(args[:3] + args[5:], capture_output=True,
                               timeout=60)
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


def test_up_makes_a_local_ca_once_and_serves_https(start_server, state):
    env, folder = state
    srv = start_server(["up", "--workers", "1"], expect=UP_LINES, cwd=ROOT,
                       env=env)
    out = srv.wait_output("curl --cacert")
    assert any("made a local certificate authority" in l for l in out), out
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["ca.key", "ca.pem", "www.example.test.key",
                     "www.example.test.pem"]
    assert (folder / "ca.key").stat().st_mode & 0o077 == 0
    assert folder.stat().st_mode & 0o077 == 0
    # curl verifies the chain and the name against the local CA
    r = curl("https://www.example.test:8443/", "--cacert", str(folder / "ca.pem"),
             "--resolve", "www.example.test:8443:127.0.0.1")
    assert r.stdout.endswith(b"\n200"), r.stderr
    with open(os.path.join(ROOT, "examples/site/index.html"), "rb") as f:
        assert r.stdout[:-4] == f.read()
    # and over IPv6, where www.example.test's AAAA record points
    r = curl("https://www.example.test:8443/", "--cacert", str(folder / "ca.pem"),
             "--resolve", "www.example.test:8443:::1")
    assert r.stdout.endswith(b"\n200"), r.stderr
    # without the CA the certificate is unknown: curl refuses
    r = curl("https://www.example.test:8443/", "--resolve",
             "www.example.test:8443:127.0.0.1")
    assert r.returncode == 60, r
    ca = (folder / "ca.pem").read_bytes()
    srv.stop()
    # a second run keeps the CA (a browser that trusts it keeps working)
    srv = start_server(["up", "--workers", "1"], expect=UP_LINES, cwd=ROOT,
                       env=env)
    out = srv.wait_output("curl --cacert")
    assert not any("made a local certificate authority" in l for l in out)
    assert (folder / "ca.pem").read_bytes() == ca
