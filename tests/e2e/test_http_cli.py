"""`inetkit serve http` arguments: usage errors exit 2, --help exits 0."""
from conftest import assert_usage_error, run
from httputil import SITE


def test_usage_errors(tmp_path):
    assert_usage_error(["serve", "http"])
    assert_usage_error(["serve", "http", "--root"])
    assert_usage_error(["serve", "http", "--root", SITE, "--listen", "nope"])
    assert_usage_error(["serve", "http", "--root", SITE, "--vhost", "noequals"])
    assert_usage_error(["serve", "http", "--root", SITE, "--vhost", "a/b=" + SITE])
    assert_usage_error(["serve", "http", "--root", SITE, "--workers", "0"])
    assert_usage_error(["serve", "http", "--root", SITE, "--header-timeout", "x"])
    assert_usage_error(["serve", "http", "--root", SITE, "--bogus", "1"])
    assert_usage_error(["serve", "http", "--root", SITE, "--root", SITE])
    r = run(["serve", "http", "--root", str(tmp_path / "missing"),
             "--listen", "127.0.0.1:0"])
    assert r.returncode == 2 and b"missing" in r.stderr


def test_help():
    r = run(["serve", "http", "--help"])
    assert r.returncode == 0 and b"--vhost NAME=DIR" in r.stdout
    r = run(["serve", "--help"])
    assert b"http" in r.stdout
