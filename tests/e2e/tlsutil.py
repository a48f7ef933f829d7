"""Helpers for the HTTPS tests: certificates made here with Python's
cryptography module (a CA, leaves with ECDSA P-256 or RSA 2048 keys) into a
tmp dir, a server started with --tls-listen, and openssl s_client runs."""
import datetime
import os
import socket
import ssl
import subprocess

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
              cn=None):
    """A server certificate for names (DNS SANs) and ips, signed by ca."""
    import ipaddress
    key = _key(kind)
    sans = [x509.DNSName(n) for n in names] + \
        [x509.IPAddress(ipaddress.ip_address(a)) for a in ips]
    cert = (x509.CertificateBuilder().subject_name(_name(cn or names[0]))
            .issuer_name(ca.cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - DAY).not_valid_after(NOW + 30 * DAY)
            .add_extension(x509.SubjectAlternativeName(sans), False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca.key.public_key()), False)
            .sign(ca.key, hashes.SHA256()))
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
