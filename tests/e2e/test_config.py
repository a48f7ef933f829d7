"""The configuration file: `inetkit serve --config FILE` starts what the
file says (its keys are the flags), errors name FILE:LINE:COLUMN and the
key with exit 2 and nothing started, unknown keys get a "did you mean",
flags beside --config replace the file's, `inetkit check` validates, and
SIGHUP reads the file again (zones live, listeners reported and kept)."""
import os
import signal
import subprocess
import time

import dns.message
import dns.query
import pytest

from conftest import ROOT, run
from test_dns_reload import server_stderr, wait_for

EXAMPLES = os.path.join(ROOT, "examples")
ZONE = """$ORIGIN example.test.
$TTL 60
@ SOA ns1 admin %d 2 3 4 5
  NS ns1
ns1 A 127.0.0.1
www A %s
"""


def curl(port, host="127.0.0.1", path="/", name=None):
    args = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
            "--max-time", "10"]
    if name:
        args += ["-H", "Host: " + name]
    r = subprocess.run(args + ["http://%s:%d%s" % (host, port, path)],
                       capture_output=True, text=True, timeout=20)
    return r.stdout


def www(port):
    q = dns.message.make_query("www.example.test", "A")
    r = dns.query.udp(q, "127.0.0.1", port=port, timeout=5)
    return r.answer[0][0].address


def write(tmp_path, text, name="inetkit.conf"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_config_starts_every_service(start_server, tmp_path):
    conf = write(tmp_path, """
workers: 2
dns:
  listen: 127.0.0.1:0
  zone: %s/zones/example.test.zone
http:
  listen: [127.0.0.1:0]
  root: %s/site
  autoindex: true
  access-log: %s/access.log
echo:
  - listen: 127.0.0.1:0
    tcp: true
""" % (EXAMPLES, EXAMPLES, tmp_path))
    srv = start_server(["serve", "--config", conf], expect=4)
    services = [l[0] for l in srv.listeners]
    assert services == ["dns", "dns", "http", "echo"]
    assert curl(srv.port("tcp", "http")) == "200"
    assert www(srv.port("udp", "dns")) == "127.0.0.1"
    r = subprocess.run(["nc", "-q", "1", "127.0.0.1",
                        str(srv.port("tcp", "echo"))], input=b"hi\n",
                       capture_output=True, timeout=10)
    assert r.stdout == b"hi\n"


def test_example_config_reproduces_up():
    r = run(["check", "--config", os.path.join(EXAMPLES, "inetkit.conf")],
            cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert b"ok" in r.stdout
    with open(os.path.join(EXAMPLES, "inetkit.conf")) as f:
        text = f.read()
    for listen in ("127.0.0.1:5300", "127.0.0.1:8080", "[::1]:8080",
                   "127.0.0.1:7007", "127.0.0.1:1313", "127.0.0.1:3737"):
        assert listen in text


@pytest.mark.parametrize("text,where", [
    ("http:\n  root: %s\n  autoindx: true\n",
     ":3:3: autoindx: unknown key of http (did you mean 'autoindex'?)"),
    ("htp:\n  root: /\n", ":1:1: htp: unknown key (did you mean 'http'?)"),
    ("http:\n  root: %s\n  listen: 127.0.0.1:99999\n",
     ":3:11: listen: bad --listen '127.0.0.1:99999'"),
    ("http:\n  root: /no/such/dir\n", ":2:9: root: "),
    ("http:\n  root: %s\n  autoindex: maybe\n",
     ":3:14: autoindex: takes no value"),
    ("http:\n  listen: [127.0.0.1:0\n", ":3:1: "),
    ("http:\n  root: %s\n  root: /\n", ":3:3: root: given twice"),
    ("dns:\n  zonee: x\n", ":2:3: zonee: unknown key of dns (did you mean 'zone'?)"),
])
def test_config_errors_name_line_column_and_key(tmp_path, text, where):
    conf = write(tmp_path, text.replace("%s", EXAMPLES + "/site"))
    for args in (["serve", "--config", conf], ["check", "--config", conf]):
        r = run(args, timeout=20)
        assert r.returncode == 2, r
        err = r.stderr.decode()
        assert err.startswith(conf + where), err
        assert len(err.splitlines()) == 1, err
        assert b"listening" not in r.stdout


def test_bad_zone_starts_nothing(tmp_path):
    zone = write(tmp_path, ZONE % (1, "1.2.3") , "z.zone")
    conf = write(tmp_path, """
http:
  listen: 127.0.0.1:0
  root: %s/site
dns:
  listen: 127.0.0.1:0
  zone: %s
""" % (EXAMPLES, zone))
    r = run(["serve", "--config", conf])
    assert r.returncode == 2
    assert r.stdout == b""
    assert ("%s:6: A rdata: bad IPv4 address" % zone) in r.stderr.decode()
    r = run(["check", "--zone", zone])
    assert r.returncode == 2
    r = run(["check", "--zone", EXAMPLES + "/zones/example.test.zone"])
    assert r.returncode == 0
    assert b"zone example.test.: loaded" in r.stdout


def test_flags_beside_config_replace_the_file(start_server, tmp_path):
    conf = write(tmp_path, """
http:
  listen: 127.0.0.1:1
  root: /no/such/dir
  vhost: {www.example.test: %s/site}
""" % EXAMPLES)
    srv = start_server(["serve", "http", "--config", conf, "--listen",
                        "127.0.0.1:0", "--root", EXAMPLES + "/site"])
    assert len(srv.listeners) == 1
    assert curl(srv.port(), name="www.example.test") == "200"
    r = run(["serve", "http", "--config", conf, "--root", EXAMPLES + "/site",
             "--listen", "x"])
    assert r.returncode == 2
    assert r.stderr.decode().startswith("inetkit: bad --listen 'x'")


def test_sighup_reloads_zones_and_keeps_listeners(start_server, tmp_path):
    zone = write(tmp_path, ZONE % (1, "127.0.0.1"), "z.zone")
    zone2 = write(tmp_path, ZONE % (2, "127.0.0.7"), "z2.zone")
    text = """
dns:
  listen: 127.0.0.1:0
  zone: %s
"""
    conf = write(tmp_path, text % zone)
    srv = start_server(["serve", "--config", conf], expect=2)
    port = srv.port("udp")
    assert www(port) == "127.0.0.1"
    write(tmp_path, text.replace("127.0.0.1:0", "127.0.0.1:1") % zone2)
    srv.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "reloaded" in server_stderr(srv) and
             www(port) == "127.0.0.7", "the new zone file", srv=srv)
    err = server_stderr(srv)
    assert "%s: dns: listen: changed, but only a restart applies it" % conf in err
    write(tmp_path, "dns:\n  zone: [\n")
    srv.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "reload failed" in server_stderr(srv), "the failure",
             srv=srv)
    assert www(port) == "127.0.0.7"


def test_tls_flags_are_keys_too(start_server, tmp_path):
    # Flags another part added (TLS) are keys without a table: a value
    # key (tls-min 1.3), a bare one (tls-info), lists (tls-listen).
    cert, key = tmp_path / "site.pem", tmp_path / "site.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True,
                   timeout=60)
    text = """
http:
  root: %s/site
  listen: 127.0.0.1:0
  tls-listen: [127.0.0.1:0]
  cert: %s
  key: %s
  tls-min: %s
"""
    bad = write(tmp_path, text % (EXAMPLES, cert, key, "1.4"), "bad.conf")
    r = run(["check", "--config", bad])
    assert r.returncode == 2
    assert r.stderr.decode().startswith(bad + ":8:12: tls-min: bad --tls-min")
    missing = write(tmp_path, text % (EXAMPLES, cert, tmp_path / "no.key",
                                      "1.3"), "missing.conf")
    r = run(["check", "--config", missing])
    assert r.returncode == 2 and b"no.key" in r.stderr, r
    good = write(tmp_path, text % (EXAMPLES, cert, key, "1.3"))
    assert run(["check", "--config", good]).returncode == 0
    srv = start_server(["serve", "--config", good], expect=2)
    assert [l[0] for l in srv.listeners] == ["http", "https"]
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                        "--cacert", str(cert), "--tlsv1.3", "--resolve",
                        "localhost:%d:127.0.0.1" % srv.port("tcp", "https"),
                        "https://localhost:%d/" % srv.port("tcp", "https")],
                       capture_output=True, text=True, timeout=20)
    assert r.stdout == "200", r.stderr


def test_user_and_sandbox_settings(start_server, tmp_path):
    text = "%sdns:\n  listen: 127.0.0.1:0\n  zone: %s/zones/example.test.zone\n"
    conf = write(tmp_path, text % ("user: no-such-user-here\n", EXAMPLES))
    r = run(["check", "--config", conf])
    assert r.returncode == 2
    assert (conf + ":1:7: user: ") in r.stderr.decode()
    conf = write(tmp_path, text % ("no-sandbox: true\n", EXAMPLES))
    srv = start_server(["serve", "--config", conf], expect=2)
    wait_for(lambda: len(www_ok(srv)) > 0, "an answer", srv=srv)
    assert "sandbox: landlock" not in server_stderr(srv)
    conf = write(tmp_path, text % ("", EXAMPLES), "sandboxed.conf")
    srv = start_server(["serve", "--config", conf], expect=2)
    wait_for(lambda: "inetkit: sandbox:" in server_stderr(srv),
             "the sandbox line", srv=srv)
    # under the sandbox SIGHUP still reads the file and the zones again
    srv.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "sandboxed.conf: reloaded" in server_stderr(srv),
             "the reload", srv=srv)


def www_ok(srv):
    return www(srv.port("udp"))
