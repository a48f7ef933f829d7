"""`make deb` builds the Debian package (when dpkg-buildpackage is here):
lintian finds no error in it, and it holds the command, the man pages,
the example configuration as a conffile and the systemd unit; installed
with dpkg in a throw-away root it runs, its configuration passes `inetkit
check`, and removing it keeps the edited conffile until a purge."""
import glob
import gzip
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


def dpkg(root, *args):
    """dpkg on the throw-away root DIR (its own database in
    DIR/var/lib/dpkg); the package has no maintainer scripts, and its
    library dependencies are those of this machine, not of DIR."""
    r = subprocess.run(["dpkg", "--root=%s" % root, "--force-not-root",
                        "--force-depends"] + list(args),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r.stdout


def status(root):
    r = subprocess.run(["dpkg-query", "--root=%s" % root, "-W",
                        "-f=${Status}", "inetkit"], capture_output=True,
                       text=True, timeout=60)
    return r.stdout if r.returncode == 0 else None


def test_deb_installs_and_removes(deb, tmp_path):
    root = tmp_path / "root"
    admin = root / "var/lib/dpkg"
    for d in ("info", "updates", "triggers"):
        (admin / d).mkdir(parents=True)
    for f in ("status", "available"):
        (admin / f).touch()
    dpkg(root, "-i", deb)
    assert status(root) == "install ok installed"

    # the command runs
    r = subprocess.run([str(root / "usr/bin/inetkit"), "version"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 0 and r.stdout.startswith("inetkit "), r
    # a man page for every page of docs/man, each a roff page
    for scd in glob.glob(os.path.join(ROOT, "docs/man/*.scd")):
        name = os.path.basename(scd)[:-len(".scd")]      # inetkit-get.1
        page = root / "usr/share/man" / ("man" + name[-1]) / (name + ".gz")
        with gzip.open(page, "rt") as f:
            assert ".TH" in f.read(), page
    # every systemd unit of dist/systemd
    units = [os.path.basename(u) for u in
             glob.glob(os.path.join(ROOT, "dist/systemd/*"))
             if u.endswith((".service", ".socket"))]
    assert "inetkit@.service" in units
    for u in units:
        assert (root / "lib/systemd/system" / u).exists() or \
            (root / "usr/lib/systemd/system" / u).exists(), u
    # the configuration is a conffile, listed as such in dpkg's database
    conf = root / "etc/inetkit/inetkit.conf"
    listed = dpkg(root, "-L", "inetkit").split()
    assert "/etc/inetkit/inetkit.conf" in listed
    assert "/usr/bin/inetkit" in listed
    r = subprocess.run(["dpkg-query", "--root=%s" % root, "-W",
                        "-f=${Conffiles}", "inetkit"], capture_output=True,
                       text=True, timeout=60)
    assert "/etc/inetkit/inetkit.conf" in r.stdout, r.stdout
    # and it is valid: `inetkit check` passes, its paths (the site, the
    # zone, the CGI folder under /usr/share/inetkit) taken in DIR
    text = conf.read_text()
    assert "/usr/share/inetkit/" in text
    moved = tmp_path / "inetkit.conf"
    moved.write_text(text.replace("/usr/share/inetkit/",
                                  "%s/usr/share/inetkit/" % root))
    r = subprocess.run([str(root / "usr/bin/inetkit"), "check", "--config",
                        str(moved)], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr

    # remove: the files go, the (edited) conffile stays; purge removes it
    conf.write_text(text + "# edited by the administrator\n")
    dpkg(root, "-r", "inetkit")
    assert status(root) == "deinstall ok config-files"
    assert not (root / "usr/bin/inetkit").exists()
    assert not (root / "usr/share/man/man1/inetkit.1.gz").exists()
    assert not (root / "lib/systemd/system/inetkit@.service").exists()
    assert conf.read_text().endswith("# edited by the administrator\n")
    dpkg(root, "-P", "inetkit")
    assert status(root) is None
    assert not conf.exists()
    left = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs
            if not d.startswith(str(admin))]
    assert left == [], left
