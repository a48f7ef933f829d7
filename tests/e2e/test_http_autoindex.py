"""--autoindex: an HTML listing for a directory without index.html, names
escaped; without it such a directory is 403."""
from httputil import serve, get


def test_autoindex_lists_escaped_names(start_server, tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "<script>alert(1)'\".txt").write_text("x")
    (tmp_path / "d" / "b & c.txt").write_text("y")
    (tmp_path / "d" / "sub").mkdir()
    (tmp_path / "d" / ".hidden").write_text("z")
    _, port = serve(start_server, str(tmp_path), "--autoindex")
    r = get(port, "/d/")
    assert r.status == 200
    assert r.header("content-type") == "text/html; charset=utf-8"
    body = r.body.decode()
    assert "<script>" not in body
    assert "&lt;script&gt;alert(1)&#39;&quot;.txt" in body
    assert 'href="%3Cscript%3Ealert%281%29%27%22.txt"' in body
    assert 'href="b%20c.txt"' not in body and 'href="b%20%26%20c.txt"' in body
    assert 'href="sub/"' in body
    assert ".hidden" not in body
    # the links work
    assert get(port, "/d/b%20%26%20c.txt").body == b"y"
    assert get(port, "/d/", method="HEAD").body == b""


def test_no_autoindex_403(start_server, tmp_path):
    (tmp_path / "d").mkdir()
    _, port = serve(start_server, str(tmp_path))
    assert get(port, "/d/").status == 403
