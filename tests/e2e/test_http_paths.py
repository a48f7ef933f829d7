"""From path to file: percent-decoding, dot segments, the root as a hard
boundary (even through symlinks), dotfiles hidden unless --dotfiles."""
import os
import subprocess

from httputil import serve, get, raw, parse_all


def site(tmp_path):
    root = tmp_path / "root"
    (root / "sub dir").mkdir(parents=True)
    (root / "sub dir" / "caf\u00e9.txt").write_text("accent\n")
    (root / "a.txt").write_text("A\n")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("secret\n")
    (root / ".htpasswd").write_text("user:hash\n")
    (tmp_path / "outside.txt").write_text("outside\n")
    os.symlink(str(tmp_path / "outside.txt"), str(root / "escape.txt"))
    os.symlink("../outside.txt", str(root / "relescape.txt"))
    os.symlink(str(tmp_path), str(root / "updir"))
    os.symlink("a.txt", str(root / "link.txt"))
    return str(root)


def test_percent_decoding(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    r = get(port, "/sub%20dir/caf%C3%A9.txt")
    assert r.status == 200 and r.body == b"accent\n"
    assert get(port, "/%61.txt").body == b"A\n"


def test_dot_segments(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    assert get(port, "/sub%20dir/../a.txt").body == b"A\n"
    assert get(port, "/./a.txt").body == b"A\n"
    assert get(port, "//a.txt").body == b"A\n"
    r = subprocess.run(["curl", "-s", "--path-as-is", "-o", "/dev/null", "-w",
                        "%{http_code}", "http://127.0.0.1:%d/../outside.txt" % port],
                       capture_output=True)
    assert r.stdout == b"400"
    assert get(port, "/%2e%2e/outside.txt").status == 400


def test_symlinks_cannot_leave_the_root(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    for p in ("/escape.txt", "/relescape.txt", "/updir/outside.txt"):
        r = get(port, p)
        assert r.status == 404, p
        assert b"outside" not in r.body
    # a symlink that stays inside is fine
    assert get(port, "/link.txt").body == b"A\n"


def test_dotfiles_hidden(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    for p in ("/.git/config", "/.htpasswd", "/.git/", "/sub%20dir/../.htpasswd",
              "/%2egit/config"):
        assert get(port, p).status == 404, p


def test_dotfiles_allowed(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path), "--dotfiles")
    assert get(port, "/.htpasswd").body == b"user:hash\n"


def test_absolute_form_target(start_server, tmp_path):
    _, port = serve(start_server, site(tmp_path))
    req = b"GET http://localhost/a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    assert parse_all(raw(port, req))[0].body == b"A\n"
