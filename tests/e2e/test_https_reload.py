"""SIGHUP reloads the certificates: new handshakes get the new pair, a
download in progress and requests under way go on, and a bad pair keeps
the old one with a `file: message` line."""
import hashlib
import os
import shutil
import signal
import threading
import time

from tlsutil import context, https_get, make_ca, make_leaf, peer_der, serve_tls, tls_connect


def wait_stderr(srv, needle, count=1, timeout=10):
    deadline = time.time() + timeout
    while srv.stderr().count(needle) < count:
        assert time.time() < deadline, srv.stderr()
        time.sleep(0.05)


def test_reload_under_load(start_server, tmp_path):
    ca = make_ca(tmp_path)
    old = make_leaf(tmp_path, ca, "old")
    new = make_leaf(tmp_path, ca, "new", kind="rsa")
    bad = make_leaf(tmp_path, ca, "bad")
    live = tmp_path / "live"
    live.mkdir()
    for ext, src in ((".pem", old.cert_path), (".key", old.key_path)):
        shutil.copy(src, live / ("site" + ext))
    root = tmp_path / "root"
    root.mkdir()
    big = os.urandom(24 << 20)
    (root / "big.bin").write_bytes(big)
    (root / "index.html").write_text("hi\n")

    class Live:
        cert_path, key_path = str(live / "site.pem"), str(live / "site.key")
    srv, port = serve_tls(start_server, Live, root=str(root), workers=2)
    assert peer_der(port) == old.der()

    # a download that has begun, read slowly
    dl = tls_connect(port, context(ca))
    dl.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    got = bytearray()
    while len(got) < (1 << 20):
        got += dl.recv(65536)
    # and requests on new connections all along
    stop, errors, seen = threading.Event(), [], set()

    def load():
        while not stop.is_set():
            try:
                assert https_get(port, "/").endswith(b"\r\n\r\nhi\n")
                seen.add(peer_der(port))
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(repr(e))
    t = threading.Thread(target=load)
    t.start()

    shutil.copy(new.cert_path, live / "site.pem")
    shutil.copy(new.key_path, live / "site.key")
    srv.proc.send_signal(signal.SIGHUP)
    wait_stderr(srv, "certificates reloaded")
    assert peer_der(port) == new.der()

    # a mismatched pair: the new one stays, and the reason is told
    shutil.copy(bad.key_path, live / "site.key")
    srv.proc.send_signal(signal.SIGHUP)
    wait_stderr(srv, "reload failed")
    assert "keeping the old certificates: %s: does not match" % (live / "site.key") \
        in srv.stderr()
    assert peer_der(port) == new.der()
    stop.set()
    t.join(30)
    assert not errors, errors[:3]
    assert new.der() in seen

    # the download started under the old certificate finishes intact
    while True:
        chunk = dl.recv(1 << 16)
        if not chunk:
            break
        got += chunk
    body = bytes(got).split(b"\r\n\r\n", 1)[1]
    assert hashlib.sha256(body).digest() == hashlib.sha256(big).digest()
    dl.close()
