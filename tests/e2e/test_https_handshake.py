"""What openssl s_client sees of inetkit's TLS: protocol versions, cipher
choice and order, ALPN, SNI (exact, wildcard, default, RSA and ECDSA for
one name), renegotiation refused, session resumption across workers."""
import re
import subprocess

import pytest

from tlsutil import make_ca, make_leaf, peer_der, s_client, serve_tls

GET = b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"


@pytest.fixture
def pki(tmp_path):
    ca = make_ca(tmp_path)
    return ca, make_leaf(tmp_path, ca, "leaf"), tmp_path


def negotiated(out):
    m = re.search(r"^(New|Reused), (\S+), Cipher is (\S+)", out, re.M)
    return (m[1], m[2], m[3]) if m else None


def test_tls12_and_tls13_only(start_server, pki):
    _, leaf, _ = pki
    _, port = serve_tls(start_server, leaf)
    assert negotiated(s_client(port, "-tls1_3"))[1:] == ("TLSv1.3", "TLS_AES_128_GCM_SHA256")
    assert negotiated(s_client(port, "-tls1_2"))[1] == "TLSv1.2"
    for old in ("-tls1_1", "-tls1"):
        out = s_client(port, old, "-cipher", "DEFAULT@SECLEVEL=0")
        assert negotiated(out)[1] == "(NONE)", out
        assert "alert protocol version" in out or "no protocols available" in out, out


def test_tls_min_13_refuses_12(start_server, pki):
    _, leaf, _ = pki
    _, port = serve_tls(start_server, leaf, "--tls-min", "1.3")
    out = s_client(port, "-tls1_2")
    assert negotiated(out)[1] == "(NONE)", out
    assert negotiated(s_client(port, "-tls1_3"))[1] == "TLSv1.3"


def test_only_forward_secret_aead_ciphers(start_server, pki):
    _, leaf, _ = pki
    _, port = serve_tls(start_server, leaf)
    # CBC, static RSA key exchange, 3DES: all refused
    for weak in ("ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384",
                 "AES128-GCM-SHA256", "DES-CBC3-SHA", "ECDHE-ECDSA-NULL-SHA"):
        out = s_client(port, "-tls1_2", "-cipher", weak + "@SECLEVEL=0")
        assert negotiated(out) in (None, ("New", "(NONE)", "(NONE)")), (weak, out)
        assert "Cipher is " + weak not in out
    for good in ("ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305"):
        assert negotiated(s_client(port, "-tls1_2", "-cipher", good))[2] == good
    out = s_client(port, "-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256")
    assert negotiated(out)[2] == "TLS_CHACHA20_POLY1305_SHA256"


def test_server_cipher_order_for_tls12(start_server, pki):
    _, leaf, _ = pki
    _, port = serve_tls(start_server, leaf)
    out = s_client(port, "-tls1_2", "-cipher",
                   "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384:"
                   "ECDHE-ECDSA-AES128-GCM-SHA256")
    assert negotiated(out)[2] == "ECDHE-ECDSA-AES128-GCM-SHA256", out


def test_no_compression_no_renegotiation(start_server, pki):
    _, leaf, _ = pki
    _, port = serve_tls(start_server, leaf)
    # s_client's R command asks for a renegotiation; stdin stays open a
    # moment so that it reads the answer
    r = subprocess.run("(echo R; sleep 1) | openssl s_client -tls1_2 "
                       "-connect 127.0.0.1:%d" % port, shell=True,
                       capture_output=True, timeout=20)
    out = (r.stdout + r.stderr).decode(errors="replace")
    assert "Compression: NONE" in out
    assert "RENEGOTIATING" in out
    assert "no renegotiation" in out, out
    # the connection is refused a new handshake, never given one
    assert len(re.findall(r"^(New|Reused),", out, re.M)) == 1


def test_alpn_offers_http11(start_server, pki):
    _, leaf, _ = pki
    _, port = serve_tls(start_server, leaf)
    assert "ALPN protocol: http/1.1" in s_client(port, "-alpn", "h2,http/1.1")
    out = s_client(port, "-alpn", "h2")
    assert "No ALPN negotiated" in out and negotiated(out)[1] == "TLSv1.3"


def test_sni_exact_wildcard_and_default(start_server, pki):
    ca, leaf, tmp = pki
    www = make_leaf(tmp, ca, "www", names=("www.example.test",))
    wild = make_leaf(tmp, ca, "wild", names=("*.example.test",))
    _, port = serve_tls(start_server, leaf,
                        "--sni", "www.example.test=%s:%s" % (www.cert_path, www.key_path),
                        "--sni", "*.example.test=%s:%s" % (wild.cert_path, wild.key_path))
    assert peer_der(port, "www.example.test") == www.der()
    assert peer_der(port, "WWW.Example.Test") == www.der()
    assert peer_der(port, "img.example.test") == wild.der()
    # one label only, and unknown names get the default
    assert peer_der(port, "a.b.example.test") == leaf.der()
    assert peer_der(port, "other.test") == leaf.der()
    assert peer_der(port, None) == leaf.der()


def test_rsa_and_ecdsa_for_one_name_picked_by_sigalgs(start_server, pki):
    ca, leaf, tmp = pki
    rsa = make_leaf(tmp, ca, "rsa", names=("www.example.test",), kind="rsa")
    ecd = make_leaf(tmp, ca, "ecd", names=("www.example.test",))
    _, port = serve_tls(start_server, leaf,
                        "--sni", "www.example.test=%s:%s" % (rsa.cert_path, rsa.key_path),
                        "--sni", "www.example.test=%s:%s" % (ecd.cert_path, ecd.key_path))
    for ver in ("-tls1_2", "-tls1_3"):
        out = s_client(port, ver, "-servername", "www.example.test",
                       "-sigalgs", "rsa_pss_rsae_sha256:rsa_pkcs1_sha256")
        assert "Server public key is 2048 bit" in out, out
        out = s_client(port, ver, "-servername", "www.example.test",
                       "-sigalgs", "ecdsa_secp256r1_sha256")
        assert "Server public key is 256 bit" in out, out


@pytest.mark.parametrize("version", ["-tls1_2", "-tls1_3"])
def test_resumption_across_workers(start_server, pki, tmp_path, version):
    _, leaf, _ = pki
    _, port = serve_tls(start_server, leaf, workers=2)
    sess = str(tmp_path / "sess.pem")
    # a request and its reply: the TLS 1.3 ticket comes after the handshake
    out = s_client(port, version, "-sess_out", sess, stdin=GET)
    assert negotiated(out)[0] == "New" and "HTTP/1.1 200 OK" in out
    # SO_REUSEPORT spreads these over both workers: all resume
    for _ in range(8):
        out = s_client(port, version, "-sess_in", sess, stdin=GET)
        assert negotiated(out)[0] == "Reused", out
        assert "HTTP/1.1 200 OK" in out


def test_a_ticket_from_another_server_is_not_resumed(start_server, pki, tmp_path):
    _, leaf, _ = pki
    _, port1 = serve_tls(start_server, leaf)
    _, port2 = serve_tls(start_server, leaf)
    sess = str(tmp_path / "sess.pem")
    s_client(port1, "-sess_out", sess, stdin=GET)
    out = s_client(port2, "-sess_in", sess, stdin=GET)
    assert negotiated(out)[0] == "New" and "HTTP/1.1 200 OK" in out
