"""`inetkit crawl` usage: --help, and every bad invocation exits 2 with the
usage text (no URL, a URL that is neither http:// nor https://, bad
numbers, unknown options); a --cacert that cannot be read is one line
and exit 2."""
from conftest import assert_usage_error, run


def test_help():
    r = run(["crawl", "--help"])
    assert r.returncode == 0
    assert b"usage: inetkit crawl URL" in r.stdout
    assert b"--mirror DIR" in r.stdout


def test_usage_errors():
    for args in (["crawl"],
                 ["crawl", "http://h/", "--cacert"],
                 ["crawl", "ftp://example.test/"],
                 ["crawl", "not a url"],
                 ["crawl", "/relative"],
                 ["crawl", "http://h/", "--depth", "-1"],
                 ["crawl", "http://h/", "--depth"],
                 ["crawl", "http://h/", "--max-pages", "0"],
                 ["crawl", "http://h/", "--concurrency", "0"],
                 ["crawl", "http://h/", "--concurrency", "100000"],
                 ["crawl", "http://h/", "--delay", "x"],
                 ["crawl", "http://h/", "--timeout", "0"],
                 ["crawl", "http://h/", "--dns", "nowhere"],
                 ["crawl", "http://h/", "--bogus"],
                 ["crawl", "http://h/", "http://other/"],
                 ["crawl", "http://h/", "--report"]):
        assert_usage_error(args)


def test_unwritable_report_fails(tmp_path):
    r = run(["crawl", "http://127.0.0.1:1/", "--report",
             str(tmp_path / "no" / "such" / "r.jsonl")])
    assert r.returncode == 1
    assert b"cannot write" in r.stderr


def test_unreadable_cacert(tmp_path):
    r = run(["crawl", "https://127.0.0.1:1/", "--cacert",
             str(tmp_path / "none.pem")])
    assert r.returncode == 2
    assert r.stderr.decode() == "inetkit crawl: --cacert %s: No such file " \
        "or directory\n" % (tmp_path / "none.pem")
