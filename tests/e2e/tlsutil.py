"""Helpers for the HTTPS tests: certificates made here with Python's
cryptography module (a CA, leaves with ECDSA P-256 or RSA 2048 keys) into a
tmp dir, a server started with --tls-listen, and openssl s_client runs."""
import datetime
import os
import socket
import ssl
import subprocess
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from httputil import SITE

NOW = datetime.datetime.now(datetime.timezone.utc)
DAY = datetime.timedelta(days=1)


def _key(kind):
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


class Pair:
    """A certificate and its key, written as PEM files."""

    def __init__(self, cert, key, cert_path, key_path):
        self.cert, self.key = cert, key
        self.cert_path, self.key_path = str(cert_path), str(key_path)

    def der(self):
        return self.cert.public_bytes(serialization.Encoding.DER)


def _write(path, cert, key, chain=()):
    pem = cert.public_bytes(serialization.Encoding.PEM)
    for c in chain:
        pem += c.public_bytes(serialization.Encoding.PEM)
    path.with_suffix(".pem").write_bytes(pem)
    path.with_suffix(".key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return Pair(cert, key, path.with_suffix(".pem"), path.with_suffix(".key"))


def make_ca(tmp, name="ca", kind="ec"):
    key = _key(kind)
    cert = (x509.CertificateBuilder().subject_name(_name("test CA " + name))
            .issuer_name(_name("test CA " + name)).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - DAY).not_valid_after(NOW + 30 * DAY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True,
                                         True, False, False), True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(
                key.public_key()), False)
            .sign(key, hashes.SHA256()))
    return _write(tmp / name, cert, key)


def make_leaf(tmp, ca, file, names=("localhost",), kind="ec", ips=("127.0.0.1",),
              cn=None, valid=(-1, 30)):
    """A server certificate for names (DNS SANs) and ips, signed by ca (or
    by its own key when ca is None: self-signed), valid from valid[0] to
    valid[1] days from now."""
    import ipaddress
    key = _key(kind)
    sans = [x509.DNSName(n) for n in names] + \
        [x509.IPAddress(ipaddress.ip_address(a)) for a in ips]
    subject = _name(cn or (names or ips)[0])
    issuer_key = ca.key if ca else key
    cert = (x509.CertificateBuilder().subject_name(subject)
            .issuer_name(ca.cert.subject if ca else subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW + valid[0] * DAY)
            .not_valid_after(NOW + valid[1] * DAY)
            .add_extension(x509.SubjectAlternativeName(sans), False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                issuer_key.public_key()), False)
            .sign(issuer_key, hashes.SHA256()))
    return _write(tmp / file, cert, key)


def serve_tls(start_server, pair, *extra, root=SITE, plain=False, workers=1):
    """inetkit serve http with one TLS listener (and a plain one when
    plain); returns (server, tls port)."""
    args = ["serve", "http", "--root", root, "--tls-listen", "127.0.0.1:0",
            "--cert", pair.cert_path, "--key", pair.key_path,
            "--workers", str(workers)]
    if plain:
        args += ["--listen", "127.0.0.1:0"]
    s = start_server(args + list(extra), expect=2 if plain else 1)
    return s, s.port(service="https")


def s_client(port, *args, stdin=b"", timeout=20):
    """openssl s_client against 127.0.0.1:port; returns its output (stdout
    and stderr) as text."""
    # with a request, read until the server closes (Connection: close)
    eof = ["-ign_eof"] if stdin else []
    r = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port]
                       + eof + list(args),
                       input=stdin, capture_output=True, timeout=timeout)
    return r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")


def context(ca=None, **kw):
    """A client context trusting ca (or nothing verified when ca is None)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca is None:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx.load_verify_locations(ca.cert_path)
    for k, v in kw.items():
        setattr(ctx, k, v)
    return ctx


def tls_connect(port, ctx=None, server_hostname="localhost", timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return (ctx or context()).wrap_socket(s, server_hostname=server_hostname)


def https_get(port, path="/", ctx=None, host="localhost", headers=None,
              server_hostname="localhost"):
    """One request over TLS with Connection: close; returns the raw reply."""
    c = tls_connect(port, ctx, server_hostname)
    h = {"Host": host, "Connection": "close"}
    h.update(headers or {})
    req = "GET %s HTTP/1.1\r\n" % path + "".join(
        "%s: %s\r\n" % kv for kv in h.items()) + "\r\n"
    c.sendall(req.encode())
    data = bytearray()
    while True:
        try:
            chunk = c.recv(65536)
        except ssl.SSLZeroReturnError:
            break
        if not chunk:
            break
        data += chunk
    c.close()
    return bytes(data)


def peer_der(port, server_hostname="localhost", ctx=None):
    """The server's certificate (DER) for that SNI name."""
    c = tls_connect(port, ctx, server_hostname)
    der = c.getpeercert(binary_form=True)
    c.close()
    return der


def has(path):
    return os.path.exists(path)


class PyTLSServer:
    """A TLS server of Python's ssl on 127.0.0.1:0, in a thread, for what
    inetkit's server never does. Each connection is handshaken with pair
    (ALPN http/1.1 offered; the SNI names and ALPN protocols seen are
    recorded), then each request head gets respond(path) -> (bytes, last);
    after the last answer the server closes with close_notify (unwrap) or,
    when close_notify is False, without it. stall: accept and say
    nothing."""

    def __init__(self, pair, respond=None, close_notify=True, stall=False):
        self.respond, self.close_notify, self.stall = respond, close_notify, stall
        self.snis, self.alpns, self.paths, self.held = [], [], [], []
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(pair.cert_path, pair.key_path)
        self.ctx.set_alpn_protocols(["http/1.1"])
        self.ctx.sni_callback = lambda s, name, c: self.snis.append(name)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                raw, _ = self.sock.accept()
            except OSError:
                return
            if self.stall:
                self.held.append(raw)
                continue
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw):
        from clientutil import recv_head
        raw.settimeout(10)
        try:
            c = self.ctx.wrap_socket(raw, server_side=True)
            self.alpns.append(c.selected_alpn_protocol())
            while True:
                head = recv_head(c)
                if head is None:
                    break
                path = head.split(b" ")[1].decode()
                self.paths.append(path)
                data, last = self.respond(path)
                c.sendall(data)
                if last:
                    if self.close_notify:
                        c.unwrap()
                    break
            c.close()
        except (OSError, ssl.SSLError):
            pass
        finally:
            raw.close()

    def close(self):
        self.sock.close()
        for h in self.held:
            h.close()
