#!/usr/bin/python3
"""bench/dns_data.py: the data of the name-server benchmark (bench/dns.sh).

    bench/dns_data.py zone N            a zone of exactly N records
    bench/dns_data.py queries N COUNT   COUNT dnsperf queries for that zone

Both are deterministic (a fixed linear congruential generator), so every
run and every server gets the same bytes. The zone, bench.test., repeats
a unit of 25 names: 15 hosts with an A record, 5 AAAA records added to
some of those hosts, 2 CNAMEs to hosts, an MX, a TXT, and a delegation
(NS plus its glue A, 2 records). The queries: 85% names that exist, asked
for the type they hold (a CNAME is asked for A, a delegated name gets a
referral), 10% names that do not exist (NXDOMAIN), 3% ANY and 2% TXT.
"""
import sys

ORIGIN = "bench.test."
UNIT = 25


class Lcg:
    """Numerical Recipes' 32-bit LCG: the same sequence everywhere."""

    def __init__(self, seed):
        self.x = seed & 0xFFFFFFFF

    def below(self, n):
        self.x = (self.x * 1664525 + 1013904223) & 0xFFFFFFFF
        return (self.x >> 8) * n >> 24


def head():
    return [
        f"$ORIGIN {ORIGIN}",
        "$TTL 3600",
        "@ IN SOA ns1 hostmaster 2026112101 7200 3600 1209600 300",
        "@ IN NS ns1",
        "@ IN NS ns2",
        "@ IN MX 10 mail",
        '@ IN TXT "v=spf1 mx -all"',
        "ns1 IN A 192.0.2.1",
        "ns2 IN A 192.0.2.2",
        "mail IN A 192.0.2.25",
    ]


def unit_records(i):
    """The records of entry i (one or two)."""
    k = i % UNIT
    if k < 15:
        return [f"host{i} IN A 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"]
    if k < 20:
        return [f"host{i - 5} IN AAAA 2001:db8::{i >> 16:x}:{i & 0xffff:x}"]
    if k < 22:
        return [f"alias{i} IN CNAME host{i - 20}"]
    if k == 22:
        return [f"mx{i} IN MX 10 host{i - 22}"]
    if k == 23:
        return [f'txt{i} IN TXT "site-verification={i:08x}" "v=spf1 -all"']
    return [f"sub{i} IN NS ns.sub{i}",
            f"ns.sub{i} IN A 198.51.{i >> 8 & 255}.{i & 255}"]


def zone(n):
    out = head()
    i = 0
    while len(out) - 2 < n:
        recs = unit_records(i)
        if len(out) - 2 + len(recs) > n:
            recs = [f"extra{i} IN A 192.0.2.{i & 255}"]
        out.extend(recs)
        i += 1
    return out, i


def question(i):
    """The usual question for entry i: (name, type)."""
    k = i % UNIT
    if k < 15:
        return f"host{i}", "A"
    if k < 20:
        return f"host{i - 5}", "AAAA"
    if k < 22:
        return f"alias{i}", "A"
    if k == 22:
        return f"mx{i}", "MX"
    if k == 23:
        return f"txt{i}", "TXT"
    return f"www.sub{i}", "A"


def queries(n, count):
    _, units = zone(n)
    units -= 1	# the last one may have been replaced
    rng = Lcg(5300)
    out = []
    for _ in range(count):
        r = rng.below(100)
        j = rng.below(units)
        if r < 85:
            name, qtype = question(j)
        elif r < 95:
            name, qtype = f"nohost{j}", "A"
        elif r < 98:
            name, qtype = f"host{j - j % UNIT}", "ANY"
        else:
            name, qtype = f"txt{j - j % UNIT + 23}", "TXT"
            if j - j % UNIT + 23 >= units:
                name = "@"
        name = ORIGIN if name == "@" else f"{name}.{ORIGIN}"
        out.append(f"{name} {qtype}")
    return out


def main(argv):
    if len(argv) == 3 and argv[1] == "zone":
        lines, _ = zone(int(argv[2]))
    elif len(argv) == 4 and argv[1] == "queries":
        lines = queries(int(argv[2]), int(argv[3]))
    else:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
