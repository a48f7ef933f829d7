"""Helpers for the zone transfer tests: keys, zone files with a serial
and records of one's choosing, polling a server until an answer comes,
and comparing two servers' answers name by name."""
import os
import time

import dns.exception
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.tsigkeyring
import dns.zone

KEY_NAME = "xfr-key."
KEY_SECRET = "c2VjcmV0LWZvci1pbmV0a2l0LXRyYW5zZmVyLXRlc3Q="
KEY = "hmac-sha256:%s%s" % (KEY_NAME.rstrip(".") + ":", KEY_SECRET)
KEYRING = dns.tsigkeyring.from_text({KEY_NAME: KEY_SECRET})
ORIGIN = "xfr.test."


def zone_text(serial, extra=(), refresh=3600, retry=600, expire=86400,
              n=20):
    """A zone xfr.test. with n hosts and the extra lines."""
    lines = ["$ORIGIN %s" % ORIGIN, "$TTL 300",
             "@ SOA ns1 hostmaster %d %d %d %d 60" % (serial, refresh, retry,
                                                      expire),
             "@ NS ns1", "ns1 A 127.0.0.1", "mail MX 10 ns1",
             "txt TXT \"hello\" \"world\"", "alias CNAME h1"]
    lines += ["h%d A 10.%d.%d.%d" % (i, i // 62500, i // 250 % 250,
                                      i % 250 + 1) for i in range(n)]
    lines += list(extra)
    return "\n".join(lines) + "\n"


def write_zone(path, serial, **kw):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(zone_text(serial, **kw))
    os.rename(tmp, path)


def zone_from_file(path):
    return dns.zone.from_file(path, origin=ORIGIN, relativize=False)


def zone_records(zone):
    """{(name, type): sorted rdata texts} of a dnspython zone."""
    out = {}
    for name, node in zone.nodes.items():
        for rds in node.rdatasets:
            key = (str(name).lower(), dns.rdatatype.to_text(rds.rdtype))
            out[key] = sorted(r.to_text().lower() for r in rds)
    return out


def axfr(port, keyring=None, keyname=None, host="127.0.0.1", origin=ORIGIN):
    return dns.zone.from_xfr(dns.query.xfr(host, origin, port=port,
                                           keyring=keyring, keyname=keyname,
                                           timeout=10, lifetime=20,
                                           relativize=False),
                             relativize=False)


def ask(port, name, rdtype="A", host="127.0.0.1", tcp=False):
    """One question; over UDP asked up to three times (a busy machine
    may be slow to answer, as a network may lose a datagram)."""
    q = dns.message.make_query(name, rdtype)
    if tcp:
        return dns.query.tcp(q, host, port=port, timeout=5)
    for attempt in range(3):
        try:
            return dns.query.udp(q, host, port=port, timeout=3)
        except dns.exception.Timeout:
            if attempt == 2:
                raise


def answer_text(msg):
    return sorted(r.to_text().lower() for rrset in msg.answer for r in rrset)


def wait_for(fn, timeout=20, step=0.2, what="condition"):
    """Calls fn until it returns a true value; fails after timeout."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = fn()
            if last:
                return last
        except Exception as e:  # the server may not answer yet
            last = e
        time.sleep(step)
    raise AssertionError("timed out waiting for %s (last: %r)" % (what, last))


def serial_of(port, host="127.0.0.1", origin=ORIGIN):
    r = ask(port, origin, "SOA", host=host)
    if r.rcode() != dns.rcode.NOERROR or not r.answer:
        return None
    return r.answer[0][0].serial


def same_answers(port_a, port_b, names, types=("A", "MX", "TXT", "CNAME",
                                                  "NS", "SOA")):
    """The differences between two servers' answers, name by name."""
    diffs = []
    for n in names:
        for t in types:
            a, b = ask(port_a, n, t), ask(port_b, n, t)
            if (a.rcode(), answer_text(a)) != (b.rcode(), answer_text(b)):
                diffs.append((n, t, answer_text(a), answer_text(b)))
    return diffs
