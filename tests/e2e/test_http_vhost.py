"""Virtual hosts: Host plus path picks the file under that host's root
(--vhost NAME=DIR); --root serves every other host."""
import subprocess

from httputil import serve, get, SITE


def test_vhosts(start_server, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "index.html").write_text("site A\n")
    (tmp_path / "b" / "index.html").write_text("site B\n")
    _, port = serve(start_server, SITE, "--vhost", "a.test=%s" % (tmp_path / "a"),
                    "--vhost", "B.Test=%s" % (tmp_path / "b"))
    assert get(port, "/", {"Host": "a.test"}).body == b"site A\n"
    assert get(port, "/", {"Host": "b.test:%d" % port}).body == b"site B\n"
    assert get(port, "/", {"Host": "A.TEST."}).body == b"site A\n"
    assert b"www.example.test" in get(port, "/", {"Host": "other.test"}).body
    # HTTP/1.0 without Host: the default root
    assert b"www.example.test" in get(port, "/", {"Host": None},
                                      version="HTTP/1.0").body
    r = subprocess.run(["curl", "-s", "--resolve", "b.test:%d:127.0.0.1" % port,
                        "http://b.test:%d/" % port], capture_output=True)
    assert r.stdout == b"site B\n"


def test_vhost_only_unknown_host_404(start_server, tmp_path):
    (tmp_path / "index.html").write_text("only\n")
    s = start_server(["serve", "http", "--vhost", "only.test=%s" % tmp_path,
                      "--listen", "127.0.0.1:0", "--workers", "1"])
    port = s.port()
    assert get(port, "/", {"Host": "only.test"}).body == b"only\n"
    assert get(port, "/", {"Host": "else.test"}).status == 404
