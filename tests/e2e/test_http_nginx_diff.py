"""Differential test: the same requests, good and bad, against Debian's
nginx (started here in the foreground, own config in a temp dir, same root)
and against inetkit; status codes and the headers that matter must agree,
except for the differences listed in DIFFERENCES, each with its reason."""

import pytest

from clientutil import NGINX, start_nginx, stop_nginx
from httputil import SITE, serve, raw, parse_one

H = "Host: localhost\r\n"
C = "Connection: close\r\n"


def req(line, *fields, body=""):
    return line + "\r\n" + H + "".join(f + "\r\n" for f in fields) + C + "\r\n" + body


# name -> raw request; {etag} and {lm} become the server's own validators
CASES = {
    "get_root": req("GET / HTTP/1.1"),
    "get_index": req("GET /index.html HTTP/1.1"),
    "get_about": req("GET /about.html HTTP/1.1"),
    "get_css": req("GET /style.css HTTP/1.1"),
    "get_png": req("GET /img/logo.png HTTP/1.1"),
    "get_txt": req("GET /robots.txt HTTP/1.1"),
    "get_dir_index": req("GET /docs/ HTTP/1.1"),
    "get_sub_page": req("GET /docs/guide.html HTTP/1.1"),
    "head_root": req("HEAD / HTTP/1.1"),
    "head_about": req("HEAD /about.html HTTP/1.1"),
    "head_missing": req("HEAD /missing.html HTTP/1.1"),
    "missing": req("GET /news.html HTTP/1.1"),
    "missing_in_dir": req("GET /docs/missing.html HTTP/1.1"),
    "missing_dir": req("GET /nodir/ HTTP/1.1"),
    "dir_no_slash": req("GET /docs HTTP/1.1"),
    "head_dir_no_slash": req("HEAD /docs HTTP/1.1"),
    "dir_no_slash_query": req("GET /docs?x=1 HTTP/1.1"),
    "query_ignored": req("GET /about.html?x=1&y=2 HTTP/1.1"),
    "percent_encoded": req("GET /%61bout.html HTTP/1.1"),
    "dot_dot_inside": req("GET /docs/../about.html HTTP/1.1"),
    "dot_segment": req("GET /./about.html HTTP/1.1"),
    "double_slash": req("GET //about.html HTTP/1.1"),
    "dot_dot_above": req("GET /../etc/passwd HTTP/1.1"),
    "encoded_dot_dot_above": req("GET /%2e%2e/etc/passwd HTTP/1.1"),
    "encoded_nul": req("GET /about.html%00.txt HTTP/1.1"),
    "encoded_slash": req("GET /docs%2fguide.html HTTP/1.1"),
    "dotfile": req("GET /.git/config HTTP/1.1"),
    "absolute_form": req("GET http://localhost/about.html HTTP/1.1"),
    "http10": "GET / HTTP/1.0\r\n\r\n",
    "http10_keep_alive": "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    "http10_host": "GET /about.html HTTP/1.0\r\nHost: localhost\r\n\r\n",
    "http11_minor": req("GET / HTTP/1.9"),
    "http2_version": req("GET / HTTP/2.0"),
    "http09_version": req("GET / HTTP/0.9"),
    "range_first": req("GET /about.html HTTP/1.1", "Range: bytes=0-9"),
    "range_suffix": req("GET /about.html HTTP/1.1", "Range: bytes=-10"),
    "range_open": req("GET /about.html HTTP/1.1", "Range: bytes=100-"),
    "range_past_end": req("GET /about.html HTTP/1.1", "Range: bytes=100-99999"),
    "range_unsatisfiable": req("GET /about.html HTTP/1.1", "Range: bytes=5000-"),
    "range_multi": req("GET /about.html HTTP/1.1", "Range: bytes=0-9,20-29"),
    "range_overlap": req("GET /about.html HTTP/1.1", "Range: bytes=0-9,5-15"),
    "range_bad_unit": req("GET /about.html HTTP/1.1", "Range: items=0-9"),
    "range_on_head": req("HEAD /about.html HTTP/1.1", "Range: bytes=0-9"),
    "if_range_etag": req("GET /about.html HTTP/1.1", "Range: bytes=0-9",
                         "If-Range: {etag}"),
    "if_range_date": req("GET /about.html HTTP/1.1", "Range: bytes=0-9",
                         "If-Range: {lm}"),
    "if_range_stale": req("GET /about.html HTTP/1.1", "Range: bytes=0-9",
                          'If-Range: "stale"'),
    "ims_future": req("GET /about.html HTTP/1.1",
                      "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT"),
    "ims_past": req("GET /about.html HTTP/1.1",
                    "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT"),
    "ims_exact": req("GET /about.html HTTP/1.1", "If-Modified-Since: {lm}"),
    "inm_match": req("GET /about.html HTTP/1.1", "If-None-Match: {etag}"),
    "inm_star": req("GET /about.html HTTP/1.1", "If-None-Match: *"),
    "inm_other": req("GET /about.html HTTP/1.1", 'If-None-Match: "other"'),
    "if_match_other": req("GET /about.html HTTP/1.1", 'If-Match: "other"'),
    "if_match_own": req("GET /about.html HTTP/1.1", "If-Match: {etag}"),
    "ius_past": req("GET /about.html HTTP/1.1",
                    "If-Unmodified-Since: Thu, 01 Jan 1970 00:00:00 GMT"),
    "ius_future": req("GET /about.html HTTP/1.1",
                      "If-Unmodified-Since: Fri, 01 Jan 2100 00:00:00 GMT"),
    "options": req("OPTIONS / HTTP/1.1"),
    "post": req("POST /about.html HTTP/1.1", "Content-Length: 3", body="abc"),
    "put": req("PUT /about.html HTTP/1.1", "Content-Length: 3", body="abc"),
    "delete": req("DELETE /about.html HTTP/1.1"),
    "unknown_method": req("BREW /about.html HTTP/1.1"),
    "lowercase_method": req("get / HTTP/1.1"),
    "no_host": "GET / HTTP/1.1\r\n" + C + "\r\n",
    "two_hosts": req("GET / HTTP/1.1", "Host: other"),
    "bad_host": "GET / HTTP/1.1\r\nHost: a/b\r\n" + C + "\r\n",
    "cl_and_te": req("POST / HTTP/1.1", "Content-Length: 5",
                     "Transfer-Encoding: chunked", body="0\r\n\r\n"),
    "duplicate_cl": req("POST / HTTP/1.1", "Content-Length: 1",
                        "Content-Length: 1", body="x"),
    "non_numeric_cl": req("POST / HTTP/1.1", "Content-Length: 1x", body="x"),
    "te_gzip": req("POST / HTTP/1.1", "Transfer-Encoding: gzip"),
    "bad_chunk_size": req("GET / HTTP/1.1", "Transfer-Encoding: chunked",
                          body="zz\r\nhello\r\n0\r\n\r\n"),
    "get_with_body": req("GET /about.html HTTP/1.1", "Content-Length: 5",
                         body="hello"),
    "get_with_chunked_body": req("GET /about.html HTTP/1.1",
                                 "Transfer-Encoding: chunked",
                                 body="5\r\nhello\r\n0\r\n\r\n"),
    "expect_continue": req("GET /about.html HTTP/1.1", "Content-Length: 5",
                           "Expect: 100-continue", body="hello"),
    "obs_fold": req("GET / HTTP/1.1", "X-A: a", "  folded"),
    "bare_lf": "GET / HTTP/1.1\n" + H + C + "\r\n",
    "space_before_colon": "GET / HTTP/1.1\r\nHost : localhost\r\n" + C + "\r\n",
    "line_too_long": req("GET /" + "a" * 9000 + " HTTP/1.1"),
    "header_block_17k": req("GET / HTTP/1.1",
                            *["X-F%d: %s" % (i, "v" * 1000) for i in range(17)]),
    "fields_101": req("GET / HTTP/1.1", *["X-F%d: v" % i for i in range(101)]),
    "garbage": "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
}

# Differences in every response, by design: nginx adds no charset to text
# types (we compare media types only), its Location is absolute (we compare
# the path), its Server names nginx. The dotfile rule in its config stands
# for our default of hiding dotfiles.
#
# name -> (inetkit status, nginx status, why the difference is right)
DIFFERENCES = {
    "encoded_slash": (400, 200, "an encoded '/' is refused (issue: encoded "
                      "NUL or '/' rejected); nginx decodes it into a path"),
    "range_overlap": (206, 206, "we merge overlapping ranges into one part "
                      "(bytes 0-15); nginx answers multipart with both"),
    "range_on_head": (200, 206, "RFC 9110 section 14.2: only GET has range "
                      "semantics; nginx applies Range to HEAD too"),
    "options": (200, 405, "we answer OPTIONS with Allow; nginx's static "
                "handler refuses it"),
    "unknown_method": (501, 405, "RFC 9110 section 9.1: an unrecognised "
                       "method is 501; nginx says 405 for any method it "
                       "does not serve"),
    "lowercase_method": (501, 400, "methods are case-sensitive tokens: "
                         "'get' is an unknown method (501); nginx calls the "
                         "request line invalid"),
    "te_gzip": (400, 501, "issue: a Transfer-Encoding other than chunked is "
                "a framing error (400 and close); nginx says 501"),
    "bare_lf": (400, 200, "issue: bare LF in the head is 400 (smuggling "
                "defence); nginx accepts LF line ends"),
    "header_block_17k": (431, 200, "our header section limit is 16 KiB "
                         "(431); nginx's is 4 buffers of 8 KiB"),
    "fields_101": (431, 200, "we allow 100 fields (431 beyond); nginx has "
                   "no count limit"),
    "ims_future": (304, 200, "RFC 9110 section 13.1.3: not modified since a "
                   "later date is 304; nginx's default is "
                   "'if_modified_since exact' (304 only for the same date)"),
    "http09_version": (505, 400, "a version other than 1.x is 505 (issue); "
                       "nginx calls HTTP/0.9 with headers a bad request"),
}


@pytest.fixture
def nginx(tmp_path):
    if NGINX is None:
        pytest.skip("Debian nginx not installed")
    proc, port = start_nginx(tmp_path, SITE, r"location ~ /\. { return 404; }")
    yield port
    stop_nginx(proc)


def validators(port):
    r, _ = parse_one(raw(port, req("GET /about.html HTTP/1.1").encode()))
    return {"etag": r.header("etag"), "lm": r.header("last-modified")}


def ask(port, name, v):
    data = raw(port, CASES[name].format(**v).encode("latin-1"))
    if data.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"):
        data = data[25:]
    r, _ = parse_one(data, head_request=CASES[name].startswith("HEAD"))
    return r


def mediatype(r):
    t = r.header("content-type")
    return t.split(";")[0].strip() if t else None


def headers_that_matter(r):
    """What must agree between the two: the media type (nginx adds no
    charset), length and range of file responses, validators' presence,
    the redirect's path (nginx makes it absolute)."""
    out = {"status": r.status}
    if r.status in (200, 206, 304, 416):
        out["content-range"] = r.header("content-range")
        out["last-modified"] = r.header("last-modified")
        out["etag?"] = r.header("etag") is not None
    if r.status in (200, 206):
        out["type"] = mediatype(r)
        if not out["type"].startswith("multipart/"):
            out["content-length"] = r.header("content-length")
    if r.status == 301:
        loc = r.header("location")
        out["location"] = "/" + loc.split("/", 3)[3] if "://" in loc else loc
    return out


def test_nginx_differential(start_server, nginx):
    assert len(CASES) >= 60
    _, port = serve(start_server, SITE)
    ours_v, theirs_v = validators(port), validators(nginx)
    mismatches = []
    for name in CASES:
        ours, theirs = ask(port, name, ours_v), ask(nginx, name, theirs_v)
        assert ours is not None, name
        # every inetkit response carries Date, Server and framing
        assert ours.header("date") and ours.header("server") == "inetkit"
        assert ours.header("content-length"), name
        diff = DIFFERENCES.get(name)
        if theirs is None:
            mismatches.append((name, ours.status, None))
            continue
        if diff:
            got = (ours.status, theirs.status)
            if got != diff[:2]:
                mismatches.append((name, got, "recorded as %r" % (diff[:2],)))
            continue
        a, b = headers_that_matter(ours), headers_that_matter(theirs)
        if a != b:
            mismatches.append((name, a, b))
    assert not mismatches, "\n".join(map(repr, mismatches))
