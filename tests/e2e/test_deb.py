"""`make deb` builds the Debian package (when dpkg-buildpackage is here):
lintian finds no error in it, and it holds the command, the man pages,
the example configuration as a conffile and the systemd unit."""
import glob
import os
import shutil
import subprocess

import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(
    not shutil.which("dpkg-buildpackage") or not shutil.which("dh"),
    reason="dpkg-buildpackage or debhelper not installed")


@pytest.fixture(scope="module")
def deb():
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES",
                        "SAN")}
    r = subprocess.run(["make", "--no-print-directory", "deb"], cwd=ROOT,
                       capture_output=True, timeout=900, env=env)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    debs = glob.glob(os.path.join(ROOT, "build/deb/inetkit_*_*.deb"))
    assert len(debs) == 1, debs
    return debs[0]


def test_deb_contents(deb, tmp_path):
    r = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True,
                       text=True, timeout=60)
    names = [l.split()[-1] for l in r.stdout.splitlines()]
    for want in ("./usr/bin/inetkit", "./usr/share/man/man1/inetkit.1.gz",
                 "./usr/share/man/man8/inetkit-serve.8.gz",
                 "./usr/share/man/man5/inetkit.conf.5.gz",
                 "./lib/systemd/system/inetkit@.service",
                 "./lib/systemd/system/inetkit-http@.socket",
                 "./lib/systemd/system/inetkit-dns@.socket",
                 "./etc/inetkit/inetkit.conf",
                 "./usr/share/inetkit/examples/site/index.html"):
        assert want in names, names
    r = subprocess.run(["dpkg-deb", "-f", deb, "Package", "Depends"],
                       capture_output=True, text=True, timeout=60)
    assert "Package: inetkit" in r.stdout and "libyaml" in r.stdout, r.stdout
    r = subprocess.run(["dpkg-deb", "-e", deb, str(tmp_path / "ctl")],
                       capture_output=True, timeout=60)
    assert "/etc/inetkit/inetkit.conf" in (tmp_path / "ctl/conffiles").read_text()
    # unpacked in a throw-away root, the command runs
    subprocess.run(["dpkg-deb", "-x", deb, str(tmp_path / "root")],
                   check=True, timeout=60)
    r = subprocess.run([str(tmp_path / "root/usr/bin/inetkit"), "--version"],
                       capture_output=True, timeout=20)
    assert r.returncode == 0 and r.stdout.startswith(b"inetkit "), r


@pytest.mark.skipif(not shutil.which("lintian"), reason="lintian not installed")
def test_deb_is_lintian_clean(deb):
    r = subprocess.run(["lintian", "--no-tag-display-limit", deb],
                       capture_output=True, text=True, timeout=300)
    errors = [l for l in r.stdout.splitlines() if l.startswith("E:")]
    assert not errors, r.stdout
