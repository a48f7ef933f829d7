"""sslscan (Debian's) against inetkit and against nginx configured with
Mozilla's "intermediate" profile, on the same certificate: no finding of
inetkit's is worse than nginx's (protocols, ciphers, key exchange
groups, renegotiation, compression, heartbleed, fallback SCSV)."""
import shutil
import socket
import subprocess
import xml.etree.ElementTree as ET

import pytest

from clientutil import NGINX, start_nginx, stop_nginx
from httputil import SITE
from tlsutil import make_ca, make_leaf, serve_tls

SSLSCAN = shutil.which("sslscan")

# https://ssl-config.mozilla.org/ "intermediate", nginx 1.22
MOZILLA = """
        listen 127.0.0.1:%(port)d ssl;
        ssl_certificate %(cert)s;
        ssl_certificate_key %(key)s;
        ssl_session_timeout 1d;
        ssl_session_cache shared:MozSSL:1m;
        ssl_session_tickets off;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305;
        ssl_prefer_server_ciphers off;
"""

STRENGTH = {"null": 0, "anonymous": 0, "weak": 1, "medium": 2,
            "acceptable": 3, "strong": 4}


def scan(port, tmp_path, name):
    out = tmp_path / (name + ".xml")
    r = subprocess.run([SSLSCAN, "--no-colour", "--xml=%s" % out,
                        "127.0.0.1:%d" % port], capture_output=True, timeout=180)
    assert r.returncode == 0, r.stderr
    t = ET.parse(out).getroot().find("ssltest")
    return {
        "protocols": {p.get("type") + p.get("version") for p in t.iter("protocol")
                      if p.get("enabled") == "1"},
        "ciphers": {(c.get("sslversion"), c.get("cipher")): STRENGTH[c.get("strength")]
                    for c in t.iter("cipher")},
        "min_group_bits": min(int(g.get("bits")) for g in t.iter("group")),
        "renegotiation": [(r.get("supported"), r.get("secure"))
                          for r in t.iter("renegotiation")],
        "compression": [c.get("supported") for c in t.iter("compression")],
        "heartbleed": [h.get("vulnerable") for h in t.iter("heartbleed")],
        "fallback": [f.get("supported") for f in t.iter("fallback")],
    }


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.skipif(SSLSCAN is None or NGINX is None, reason="sslscan or nginx missing")
@pytest.mark.parametrize("kind", ["ec", "rsa"])
def test_no_finding_worse_than_nginx_intermediate(start_server, tmp_path, kind):
    ca = make_ca(tmp_path)
    leaf = make_leaf(tmp_path, ca, "leaf", kind=kind)
    _, port = serve_tls(start_server, leaf)
    ours = scan(port, tmp_path, "inetkit")
    nport = free_port()
    proc, _ = start_nginx(tmp_path, SITE, MOZILLA % {
        "port": nport, "cert": leaf.cert_path, "key": leaf.key_path})
    try:
        theirs = scan(nport, tmp_path, "nginx")
    finally:
        stop_nginx(proc)
    assert ours["protocols"] == {"tls1.2", "tls1.3"}
    assert ours["protocols"] <= theirs["protocols"]
    # every cipher we accept, nginx accepts too, and none is weaker than
    # the weakest of nginx's
    assert set(ours["ciphers"]) <= set(theirs["ciphers"]), (ours, theirs)
    assert min(ours["ciphers"].values()) >= min(theirs["ciphers"].values())
    assert ours["min_group_bits"] >= theirs["min_group_bits"]
    assert ours["renegotiation"] == [("0", "0")]
    assert "1" not in ours["compression"]
    assert "1" not in ours["heartbleed"]
    assert ours["fallback"] == theirs["fallback"]
