"""`inetkit crawl` usage: --help, and every bad invocation exits 2 with the
usage text (no URL, a URL that is not http://, bad numbers, unknown
options)."""
from conftest import assert_usage_error, run


def test_help():
    r = run(["crawl", "--help"])
    assert r.returncode == 0
    assert b"usage: inetkit crawl URL" in r.stdout
    assert b"--mirror DIR" in r.stdout


def test_usage_errors():
    for args in (["crawl"],
                 ["crawl", "https://example.test/"],
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
