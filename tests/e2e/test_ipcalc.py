"""`inetkit ipcalc`: the table it prints for IPv4 and IPv6 inputs, and a
usage error (exit 2) for every malformed command line."""
import re

import pytest

from conftest import assert_usage_error, run


def fields(args):
    """Runs `inetkit ipcalc ARGS` and returns its rows as a dict."""
    r = run(["ipcalc"] + args)
    assert r.returncode == 0, (args, r.stderr)
    assert r.stderr == b"", r.stderr
    rows = {}
    for line in r.stdout.decode().splitlines():
        m = re.match(r"^([A-Za-z][A-Za-z ]*):\s+(.*)$", line)
        assert m, "unexpected line %r" % line
        rows[m[1]] = m[2]
    return rows


def test_class_b_classful_split():
    f = fields(["129.65.24.50"])
    assert f["Address"] == "129.65.24.50"
    assert f["Binary"] == "10000001.01000001.00011000.00110010"
    assert f["Class"] == "B"
    assert f["Network ID"] == "129.65"
    assert f["Host ID"] == "24.50"
    assert f["Netmask"] == "255.255.0.0 = 16 (classful)"
    assert f["Wildcard"] == "0.0.255.255"
    assert f["Network"] == "129.65.0.0/16"
    assert f["Broadcast"] == "129.65.255.255"
    assert f["HostMin"] == "129.65.0.1"
    assert f["HostMax"] == "129.65.255.254"
    assert f["Hosts"] == "65534"
    assert f["Flags"] == "none"


def test_rows_are_aligned():
    r = run(["ipcalc", "10.0.0.1/8"])
    starts = {len(m[1]) for m in
              re.finditer(r"^([^:]+:\s+)\S", r.stdout.decode(), re.M)}
    assert len(starts) == 1, r.stdout


def test_class_d_has_no_split():
    f = fields(["224.0.0.1"])
    assert f["Class"] == "D"
    assert f["Network ID"].startswith("none")
    assert f["Host ID"].startswith("none")
    assert f["Flags"] == "multicast"
    assert f["Hosts"] == "1"


@pytest.mark.parametrize("args", [
    ["10.1.2.3", "255.255.0.0"],
    ["10.1.2.3/255.255.0.0"],
    ["10.1.2.3/16"],
])
def test_mask_forms_agree(args):
    f = fields(args)
    assert f["Netmask"] == "255.255.0.0 = 16"
    assert f["Network"] == "10.1.0.0/16"
    assert f["Broadcast"] == "10.1.255.255"
    assert f["Hosts"] == "65534"
    assert f["Flags"] == "private"


def test_slash_0():
    f = fields(["192.168.1.77/0"])
    assert f["Network"] == "0.0.0.0/0"
    assert f["Broadcast"] == "255.255.255.255"
    assert f["HostMin"] == "0.0.0.1"
    assert f["HostMax"] == "255.255.255.254"
    assert f["Hosts"] == "4294967294"


def test_slash_31_point_to_point():
    f = fields(["192.0.2.1/31"])
    assert f["Network"] == "192.0.2.0/31"
    assert "RFC 3021" in f["Broadcast"]
    assert f["HostMin"] == "192.0.2.0"
    assert f["HostMax"] == "192.0.2.1"
    assert f["Hosts"] == "2"
    assert f["Flags"] == "documentation"


def test_slash_32_host_route():
    f = fields(["10.9.8.7/32"])
    assert f["Network"] == "10.9.8.7/32"
    assert f["Broadcast"].startswith("none")
    assert f["HostMin"] == f["HostMax"] == "10.9.8.7"
    assert f["Hosts"] == "1"


@pytest.mark.parametrize("addr,flags", [
    ("0.0.0.0", "unspecified"),
    ("255.255.255.255", "broadcast"),
    ("127.0.0.1", "loopback"),
    ("169.254.0.9", "link-local"),
    ("100.64.1.1", "shared (CGN)"),
    ("172.16.0.1", "private"),
    ("198.51.100.1", "documentation"),
    ("240.0.0.1", "reserved"),
    ("8.8.8.8", "none"),
])
def test_ipv4_flags(addr, flags):
    assert fields([addr])["Flags"] == flags


@pytest.mark.parametrize("args,rows", [
    (["::1"], {"Network": "::1/128", "First": "::1", "Last": "::1",
               "Addresses": "2^0 = 1", "Type": "loopback",
               "Netmask": "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
                          " = 128 (default)"}),
    (["fe80::1/64"], {"Network": "fe80::/64", "First": "fe80::",
                      "Last": "fe80::ffff:ffff:ffff:ffff",
                      "Addresses": "2^64", "Type": "link-local"}),
    (["2001:db8::/32"], {"Network": "2001:db8::/32",
                         "Last": "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
                         "Addresses": "2^96", "Type": "documentation"}),
    (["::ffff:1.2.3.4"], {"Network": "::ffff:1.2.3.4/128",
                          "Type": "IPv4-mapped"}),
    (["fd00::1/8"], {"Network": "fd00::/8", "Type": "unique-local"}),
    (["ff02::1"], {"Type": "multicast"}),
    (["::"], {"Type": "unspecified"}),
    (["2a00:1450::1/29"], {"Network": "2a00:1450::/29",
                           "Type": "global unicast"}),
])
def test_ipv6(args, rows):
    f = fields(args)
    assert "Class" not in f and "Broadcast" not in f
    for k, v in rows.items():
        assert f[k] == v, (k, f)


def test_help():
    r = run(["ipcalc", "--help"])
    assert r.returncode == 0
    assert b"usage: inetkit ipcalc" in r.stdout
    assert r.stderr == b""


@pytest.mark.parametrize("args", [
    [],
    ["10.1.2.3", "255.0.0.0", "extra"],
    ["--bogus"],
    ["10.1.2.3", "-v"],
])
def test_bad_arguments(args):
    assert_usage_error(["ipcalc"] + args)
    r = run(["ipcalc"] + args)
    first = r.stderr.decode().splitlines()[0]
    assert first.startswith("inetkit") and "ipcalc:" in first, first
    assert r.stdout == b""


@pytest.mark.parametrize("args", [
    [""],
    ["300.1.2.3"],
    ["10.1.2"],
    ["www.example.test"],
    ["1.2.3.4:80"],
    ["10.1.2.3/33"],
    ["10.1.2.3/"],
    ["10.1.2.3/x"],
    ["10.1.2.3/-1"],
    ["::1/129"],
    ["::1", "255.0.0.0"],
    ["10.1.2.3/255.0.255.0"],
    ["10.1.2.3", "255.0.255.0"],
    ["10.1.2.3", "255.255.0"],
    ["10.1.2.3", "24"],
    ["10.1.2.3/24", "255.0.0.0"],
])
def test_bad_value_is_one_line(args):
    # as `ipcalc 300.1.1.1` in the usual tools: the reason, no usage
    r = run(["ipcalc"] + args)
    assert r.returncode == 2, r
    lines = r.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("inetkit: ipcalc: "), lines
    assert r.stdout == b""


@pytest.mark.parametrize("args,why", [
    (["300.1.2.3"], "bad address"),
    (["10.1.2.3/33"], "out of range"),
    (["::1/129"], "out of range"),
    (["10.1.2.3", "255.0.255.0"], "non-contiguous mask"),
    (["10.1.2.3", "255.0.0.0", "extra"], "extra"),
])
def test_bad_argument_says_why(args, why):
    r = run(["ipcalc"] + args)
    assert why in r.stderr.decode().splitlines()[0]
