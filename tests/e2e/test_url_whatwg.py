"""RFC 3986 resolution and normalisation (src/url, through the test driver
tests/tools/urltool) against Node's built-in WHATWG URL parser.

A corpus of http(s) references (relative paths, dot segments, queries,
fragments, ports, IPv4 and IPv6 hosts, percent escapes, letter case) is
generated deterministically and run through both; the results must agree.
Before comparing, escapes in Node's output are brought to RFC 3986 6.2.2
form (hex digits in uppercase, escapes of unreserved characters decoded),
since WHATWG leaves them as written: that is equivalence, not a difference.

Where the two standards legitimately disagree, DIFFERENCES lists the case
with the reason; the test asserts the RFC 3986 answer for it, and that
Node indeed answers otherwise (so the list stays true)."""
import itertools
import os
import random
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NODE = "/usr/bin/node"

# Reads lines BASE<TAB>REF on stdin, prints new URL(REF, BASE).href with
# escapes normalised, or "error".
NODE_SCRIPT = r"""
const lines = require('fs').readFileSync(0, 'latin1').split('\n');
lines.pop();
const unreserved = /[A-Za-z0-9\-._~]/;
const out = lines.map((line) => {
  const [base, ref] = line.split('\t');
  try {
    return new URL(ref, base).href.replace(/%([0-9a-fA-F]{2})/g, (m, h) => {
      const c = String.fromCharCode(parseInt(h, 16));
      return unreserved.test(c) ? c : '%' + h.toUpperCase();
    });
  } catch (e) {
    return 'error';
  }
});
process.stdout.write(out.map((s) => s + '\n').join(''));
"""


def tool_path():
    d = os.environ.get("INETKIT_TOOLS")
    if not d:
        inetkit = os.environ.get("INETKIT", "")
        variant = "rel" if inetkit.endswith("build/inetkit") else "asan"
        d = os.path.join(ROOT, "build", variant + "-tools")
    path = os.path.join(d, "urltool")
    assert os.access(path, os.X_OK), "%s missing: run `make SAN=1 tools`" % path
    return path


def run_lines(cmd, pairs):
    data = "".join("%s\t%s\n" % p for p in pairs).encode("latin-1")
    r = subprocess.run(cmd, input=data, capture_output=True, timeout=60)
    err = r.stderr.decode(errors="replace")
    assert r.returncode == 0 and "Sanitizer" not in err, err
    out = r.stdout.decode("latin-1").split("\n")
    assert out[-1] == "" and len(out) == len(pairs) + 1, (len(out), len(pairs))
    return ["error" if s.startswith("error:") else s for s in out[:-1]]


def ours(pairs):
    return run_lines([tool_path()], pairs)


def whatwg(pairs):
    return run_lines([NODE, "-e", NODE_SCRIPT], pairs)


BASES = [
    "http://a/b/c/d;p?q",
    "https://Example.TEST:8443/dir/sub/file.html?x=1#top",
    "http://[2001:db8::1]/a/b/",
    "http://127.0.0.1:8080/index.html",
    "HTTP://www.Example.test",
    "https://u@h.test/%7Euser/x%2Fy/z?%41",
]

PATHS = ["", "g", "./g", "../g", "..", ".", "../..", "../../../g", "g/",
         "/g", "/./g", "/../g", "g/./h", "g/../h", "a/b/../../c", "g.",
         ".g", "..g", "g..", "%7Euser", "%41%62c", "a%2fb", "%2e%2e/x",
         "x/%2E/y", "Ab/CD", "g;x=1/../y", "~a-b_c.d", "a:b/c", "%c3%a9",
         "/%20"]
QUERIES = ["", "?", "?q", "?a=1&b=2", "?%7e%7E", "?x/../y", "?A%2bB", "??"]
FRAGMENTS = ["", "#", "#f", "#a/./b", "#%7E", "#F?x"]
AUTHORITIES = ["//H.Test", "//h:80", "//h:443", "//h:8080", "//h:",
               "//h:0080", "//[::1]", "//[2001:DB8:0:0:0:0:0:1]:443",
               "//[0:0:0:0:0:0:0:0]", "//[1:0:0:2:0:0:0:3]", "//1.2.3.4",
               "//255.255.255.255:65535", "//user@h", "//us%65r:pw@h",
               "//Ex%41mple.test", "//a-b.c_d~e",
               # rejected by both
               "//h:65536", "//h:8o", "//[::1", "//[1::2::3]", "//[::g]",
               "//[1:2:3:4:5:6:7:8:9]"]
SCHEMES = ["", "http:", "https:", "HTTPS:"]


def corpus():
    """Deterministic: the same pairs on every run, per base 80 relative
    references (no authority) and 60 with an authority."""
    rng = random.Random(3986)
    rel = sorted(p + q + f for p, q, f in
                 itertools.product(PATHS, QUERIES, FRAGMENTS))
    net = set()
    for a, p, q in itertools.product(AUTHORITIES, PATHS, QUERIES):
        if p and not p.startswith("/"):
            p = "/" + p
        for s in SCHEMES:
            net.add(s + a + p + q)
    net = sorted(net)
    pairs = []
    for base in BASES:
        pairs += [(base, r) for r in rng.sample(rel, 80)]
        pairs += [(base, r) for r in rng.sample(net, 60)]
    return pairs


def test_corpus_agrees_with_whatwg():
    if not os.access(NODE, os.X_OK):
        pytest.fail("node is required at %s" % NODE)
    pairs = corpus()
    assert len(pairs) >= 600
    a, b = ours(pairs), whatwg(pairs)
    bad = ["%s + %s: rfc %s, whatwg %s" % (p[0], p[1], x, y)
           for p, x, y in zip(pairs, a, b) if x != y]
    assert not bad, "%d of %d differ:\n%s" % (len(bad), len(pairs), "\n".join(bad[:40]))
    # Both reject the same bad ports and IPv6 literals; the rest resolves.
    assert 0 < a.count("error") < len(pairs) // 5


B = "http://a/b/c/d;p?q"
# (base, reference, RFC 3986 answer, why WHATWG answers otherwise)
DIFFERENCES = [
    (B, "g\\h", "error",
     "backslash: not allowed by RFC 3986; WHATWG reads it as '/' in http(s)"),
    (B, "\\\\h\\g", "error", "backslash as above, here making an authority"),
    (B, " g", "error",
     "leading space: RFC 3986 allows none; WHATWG strips C0 and space"),
    (B, "g\t", "error", "tab: WHATWG removes tab and newline anywhere"),
    (B, "a\rb", "error", "carriage return: WHATWG removes it"),
    (B, "a b", "error",
     "space inside: RFC 3986 rejects it; WHATWG percent-encodes it as %20"),
    (B, "?a b", "error", "space in the query: WHATWG encodes it"),
    (B, "#a b", "error", "space in the fragment: WHATWG encodes it"),
    (B, "<g>", "error", "'<' and '>' are excluded (RFC 3986 2); WHATWG encodes"),
    (B, "g{x}|^`", "error", "'{', '}', '|', '^', '`' excluded; WHATWG encodes"),
    (B, "%zz", "error",
     "a bad escape: RFC 3986 rejects it; WHATWG keeps the '%' as it is"),
    (B, "%", "error", "a lone '%' as above"),
    (B, "caf\xe9", "error",
     "a non-ASCII byte: RFC 3986 allows none (IRIs are RFC 3987); WHATWG "
     "encodes it as UTF-8"),
    (B, "//0x7f.1/", "http://0x7f.1/",
     "IPv4 number forms: a reg-name to RFC 3986; WHATWG reads hex, octal and "
     "short forms as an address (127.0.0.1)"),
    (B, "//127.1/", "http://127.1/", "short IPv4 form, as above"),
    (B, "//2130706433/", "http://2130706433/", "a 32-bit number, as above"),
    (B, "//010.0.0.1/", "http://010.0.0.1/",
     "leading zero: not a dec-octet in RFC 3986; octal to WHATWG"),
    (B, "//a.123/", "http://a.123/",
     "a name ending in a number: valid reg-name; WHATWG tries IPv4 and fails"),
    (B, "http:///g", "http:///g",
     "empty host: allowed by RFC 3986 syntax; WHATWG skips the slashes and "
     "takes 'g' as the host"),
    (B, "http://@h/", "http://@h/",
     "empty userinfo: kept by RFC 3986; WHATWG drops it"),
    (B, "http://u:@h/", "http://u:@h/",
     "empty password: kept by RFC 3986; WHATWG drops the ':'"),
    (B, "//u;x=y@h/", "http://u;x=y@h/",
     "';' and '=' are sub-delims allowed in userinfo; WHATWG encodes them"),
    (B, "http:g", "http:g",
     "same scheme without '//': strict RFC 3986 5.4.2 keeps it absolute; "
     "WHATWG resolves it relative to the base (http://a/b/c/g)"),
    (B, "https:g", "https:g",
     "another special scheme without '//': WHATWG makes 'g' the host"),
    (B, "http:/g", "http:/g",
     "one slash: WHATWG inserts the missing authority from the base"),
    (B, "?a'b", "http://a/b/c/d;p?a'b",
     "an apostrophe in an http query: a sub-delim to RFC 3986; WHATWG "
     "encodes it as %27"),
    (B, "//[v7.x]/", "http://[v7.x]/",
     "IPvFuture literal: RFC 3986 3.2.2 allows it; WHATWG rejects it"),
    (B, "//[::ffff:1.2.3.4]/", "http://[::ffff:1.2.3.4]/",
     "IPv4-mapped IPv6: RFC 5952 5 writes the dotted form; WHATWG writes hex"),
    (B, "//h%25x/", "http://h%25x/",
     "an escaped '%' in a host: allowed by RFC 3986; a forbidden domain code "
     "point to WHATWG"),
    (B, "//%C3%A9.test/", "http://%C3%A9.test/",
     "an escaped UTF-8 host: kept by RFC 3986; WHATWG applies IDNA "
     "(xn--9ca.test)"),
    (B, "//h:99999/", "error",
     "a port above 65535: both refuse it (control case: Node errors too)"),
]


@pytest.mark.parametrize("base,ref,rfc,why", DIFFERENCES,
                         ids=[repr(d[1]) for d in DIFFERENCES])
def test_rfc_answer_where_whatwg_differs(base, ref, rfc, why):
    got = ours([(base, ref)])[0]
    assert got == rfc, why
    theirs = whatwg([(base, ref)])[0]
    if rfc == "error" and "both refuse" in why:
        assert theirs == "error"
    else:
        assert theirs != rfc, "no longer a difference: " + why
