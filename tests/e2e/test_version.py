"""`inetkit --version` and `inetkit version --verbose`: what a bug report
quotes (the commit, the compiler, the libraries)."""
import re
import subprocess

from conftest import ROOT, assert_usage_error, run


def test_version_and_verbose():
    short = run(["--version"])
    assert short.returncode == 0
    assert re.match(rb"^inetkit \d+\.\d+\.\d+\n$", short.stdout)
    assert run(["version"]).stdout == short.stdout
    r = run(["version", "--verbose"])
    assert r.returncode == 0
    out = r.stdout.decode()
    assert out.startswith(short.stdout.decode())
    head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"],
                          cwd=ROOT, capture_output=True, text=True).stdout.strip()
    commit = re.search(r"^commit: (\S+)$", out, re.M)[1]
    # the binary under test was built from this tree, maybe before the
    # last commit: a hex commit, with -dirty for uncommitted changes
    assert re.match(r"^[0-9a-f]{12}(-dirty)?$", commit), commit
    assert head and len(head) == 12
    assert re.search(r"^tls: OpenSSL 3\.", out, re.M), out
    assert re.search(r"^yaml: libyaml 0\.", out, re.M), out
    assert re.search(r"^zlib: \d", out, re.M), out
    assert re.search(r"^sanitizers: ", out, re.M), out
    assert_usage_error(["version", "--bogus"])
