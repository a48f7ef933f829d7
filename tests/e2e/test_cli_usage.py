"""Bad arguments of every subcommand: a usage message and exit status 2;
--help prints usage and exits 0."""
import pytest

from conftest import assert_usage_error, run

BAD = [
    [],
    ["frobnicate"],
    ["serve"],
    ["serve", "chargen"],
    ["serve", "echo", "--listen"],
    ["serve", "echo", "--listen", "127.0.0.1"],
    ["serve", "echo", "--listen", "127.0.0.1:70000"],
    ["serve", "echo", "--listen", "::1:80"],
    ["serve", "echo", "--workers", "0"],
    ["serve", "echo", "--workers", "many"],
    ["serve", "echo", "--max-conns", "-1"],
    ["serve", "echo", "--idle-timeout", "0"],
    ["serve", "echo", "--tcp", "--udp"],
    ["serve", "daytime", "--bogus"],
    ["serve", "time", "extra"],
    ["echo"],
    ["echo", "127.0.0.1"],
    ["echo", "127.0.0.1:99999", "x"],
    ["echo", "127.0.0.1:7", "--timeout", "0"],
    ["echo", "127.0.0.1:7", "--retries", "x"],
    ["echo", "127.0.0.1:7", "--nope"],
    ["daytime"],
    ["daytime", "127.0.0.1:13", "extra"],
    ["time", "[::1:37"],
    ["time", "127.0.0.1:37", "--timeout"],
    ["up", "--workers", "0"],
    ["up", "--bogus"],
]


@pytest.mark.parametrize("args", BAD, ids=lambda a: " ".join(a) or "(none)")
def test_bad_arguments_exit_2(args):
    assert_usage_error(args)


@pytest.mark.parametrize("cmd", [["serve", "echo"], ["serve", "time"], ["serve"],
                                 ["echo"], ["daytime"], ["time"], ["up"], []])
def test_help_exits_0(cmd):
    r = run(cmd + ["--help"])
    assert r.returncode == 0
    assert b"usage" in r.stdout


def test_version():
    r = run(["--version"])
    assert r.returncode == 0 and r.stdout.startswith(b"inetkit ")


def test_port_in_use_fails_cleanly(start_server):
    srv = start_server(["serve", "echo", "--listen", "127.0.0.1:0", "--udp"])
    # SO_REUSEPORT lets our own workers share a port, but a second server
    # on a port another process holds without it must fail, not hang.
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    r = run(["serve", "echo", "--tcp", "--listen", "127.0.0.1:%d" % s.getsockname()[1]])
    s.close()
    assert r.returncode == 1
    assert b"cannot listen" in r.stderr
