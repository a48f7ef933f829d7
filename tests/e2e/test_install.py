"""What an operator installs: man pages that render without a warning and
name every flag the live --help lists (so a flag added anywhere must be
documented), `make install` / `make uninstall` with PREFIX and DESTDIR,
and systemd units (the service and the sockets that can start it) that
`systemd-analyze verify` accepts."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import INETKIT, ROOT, run

MAN_DIR = os.path.join(ROOT, "docs", "man")
# Each command and the page that documents it; a command of `inetkit
# --help` not listed here must have a page of its own, inetkit-CMD.
PAGES = {
    (): "inetkit.1",
    ("serve",): "inetkit-serve.8",
    ("serve", "http"): "inetkit-serve.8",
    ("serve", "dns"): "inetkit-serve.8",
    ("serve", "echo"): "inetkit-serve.8",
    ("daytime",): "inetkit-echo.1",
    ("time",): "inetkit-echo.1",
}
FLAG_RE = re.compile(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*|-[A-Za-z])(?![\w])")


def commands():
    out = run(["--help"]).stdout.decode()
    names = re.findall(r"^  (\S+)\s", out, re.M)
    assert "serve" in names and "get" in names, out
    return names


def page_of(cmd):
    if cmd in PAGES:
        return PAGES[cmd]
    for sec in ("1", "8"):
        name = "inetkit-%s.%s" % (cmd[0], sec)
        if os.path.exists(os.path.join(MAN_DIR, name + ".scd")):
            return name
    pytest.fail("no man page for 'inetkit %s': add docs/man/inetkit-%s.1.scd"
                % (" ".join(cmd), cmd[0]))


def all_commands():
    cmds = [()] + [(c,) for c in commands()]
    cmds += [k for k in PAGES if len(k) > 1]
    return cmds


@pytest.mark.parametrize("cmd", all_commands(), ids=lambda c: " ".join(c) or "inetkit")
def test_every_flag_of_help_is_in_the_man_page(cmd):
    r = run(list(cmd) + ["--help"])
    assert r.returncode == 0, r
    flags = set(FLAG_RE.findall(r.stdout.decode())) - {"--help", "-h"}
    with open(os.path.join(MAN_DIR, page_of(cmd) + ".scd")) as f:
        text = f.read()
    missing = sorted(f for f in flags
                     if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(f), text))
    assert not missing, "%s lacks %s" % (page_of(cmd), missing)


@pytest.mark.skipif(not shutil.which("scdoc"), reason="scdoc not installed")
def test_man_pages_render_without_warnings(tmp_path):
    pages = sorted(p for p in os.listdir(MAN_DIR) if p.endswith(".scd"))
    assert len(pages) >= 9
    for p in pages:
        out = tmp_path / p[:-4]
        with open(os.path.join(MAN_DIR, p), "rb") as src:
            r = subprocess.run(["scdoc"], stdin=src, capture_output=True,
                               timeout=20)
        assert r.returncode == 0, (p, r.stderr)
        out.write_bytes(r.stdout)
        r = subprocess.run(["man", "--warnings", "-E", "UTF-8", "-l",
                            str(out)], capture_output=True, timeout=20,
                           env=dict(os.environ, MANWIDTH="80"))
        assert r.returncode == 0 and r.stderr == b"", (p, r.stderr)
        assert p.split(".")[0].encode() in r.stdout


def make(*args):
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES",
                        "SAN")}
    return subprocess.run(["make", "--no-print-directory", *args],
                          cwd=ROOT, capture_output=True, timeout=300, env=env)


def installed(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, fs in os.walk(root) for f in fs)


@pytest.mark.skipif(not shutil.which("scdoc"), reason="scdoc not installed")
def test_make_install_and_uninstall(tmp_path):
    prefix = str(tmp_path / "usr")
    r = make("install", "PREFIX=" + prefix, "INSTALL_BIN=" + INETKIT)
    assert r.returncode == 0, r.stderr
    files = installed(prefix)
    for want in ("bin/inetkit", "share/man/man1/inetkit.1",
                 "share/man/man8/inetkit-serve.8",
                 "share/man/man5/inetkit.conf.5",
                 "share/inetkit/examples/inetkit.conf",
                 "share/inetkit/examples/site/index.html",
                 "lib/systemd/system/inetkit@.service",
                 "lib/systemd/system/inetkit-http@.socket",
                 "lib/systemd/system/inetkit-https@.socket",
                 "lib/systemd/system/inetkit-dns@.socket",
                 "etc/inetkit/inetkit.conf"):
        assert want in files, files
    assert os.access(prefix + "/share/inetkit/examples/site/cgi-bin/counter",
                     os.X_OK)
    # The installed configuration points at the installed examples.
    r = subprocess.run([prefix + "/bin/inetkit", "check", "--config",
                        prefix + "/etc/inetkit/inetkit.conf"],
                       capture_output=True, timeout=30, cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    r = subprocess.run(["man", "-w", "inetkit-serve"], capture_output=True,
                       timeout=20, env=dict(os.environ,
                                            MANPATH=prefix + "/share/man"))
    assert r.stdout.decode().startswith(prefix), r
    unit = open(prefix + "/lib/systemd/system/inetkit@.service").read()
    assert "ExecStart=%s/bin/inetkit serve --config %s/etc/inetkit/%%i.conf" \
        % (prefix, prefix) in unit
    # An edited configuration survives uninstall; everything else goes.
    with open(prefix + "/etc/inetkit/inetkit.conf", "a") as f:
        f.write("# mine\n")
    r = make("uninstall", "PREFIX=" + prefix)
    assert r.returncode == 0, r.stderr
    assert installed(prefix) == ["etc/inetkit/inetkit.conf"]


@pytest.mark.skipif(not shutil.which("scdoc"), reason="scdoc not installed")
def test_destdir_stages_under_prefix(tmp_path):
    r = make("install", "DESTDIR=" + str(tmp_path), "PREFIX=/usr",
             "INSTALL_BIN=" + INETKIT)
    assert r.returncode == 0, r.stderr
    files = installed(str(tmp_path))
    assert "usr/bin/inetkit" in files
    assert "etc/inetkit/inetkit.conf" in files
    assert "lib/systemd/system/inetkit@.service" in files
    conf = (tmp_path / "etc/inetkit/inetkit.conf").read_text()
    assert "zone: /usr/share/inetkit/examples/zones/example.test.zone" in conf
    r = make("uninstall", "DESTDIR=" + str(tmp_path), "PREFIX=/usr")
    assert r.returncode == 0, r.stderr
    assert installed(str(tmp_path)) == []


@pytest.mark.skipif(not shutil.which("systemd-analyze"),
                    reason="systemd-analyze not installed")
def test_systemd_unit_verifies(tmp_path):
    prefix = str(tmp_path / "usr")
    r = make("install", "PREFIX=" + prefix, "INSTALL_BIN=" + INETKIT)
    assert r.returncode == 0, r.stderr
    units = tmp_path / "units"
    shutil.copytree(prefix + "/lib/systemd/system", str(units))
    # the sockets start inetkit@NAME.service, which verify loads from there
    names = ["inetkit@inetkit.service", "inetkit-http@inetkit.socket",
             "inetkit-https@inetkit.socket", "inetkit-dns@inetkit.socket"]
    r = subprocess.run(["systemd-analyze", "verify", "--man=no"] +
                       [str(units / n) for n in names],
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert b"inetkit" not in r.stderr, r.stderr
    text = (units / "inetkit@.service").read_text()
    for opt in ("Type=notify", "NoNewPrivileges=yes", "ProtectSystem=strict",
                "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
                "DynamicUser=yes", "ExecReload=/bin/kill -HUP $MAINPID"):
        assert opt in text
    # each socket names what it holds, as the server matches them
    for name, listen in (("http", ["ListenStream=80"]),
                         ("https", ["ListenStream=443"]),
                         ("dns", ["ListenDatagram=53", "ListenStream=53"])):
        text = (units / ("inetkit-%s@.socket" % name)).read_text()
        for opt in listen + ["FileDescriptorName=" + name,
                             "Service=inetkit@%i.service"]:
            assert opt in text
