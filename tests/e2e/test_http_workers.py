"""--workers N share-nothing threads on SO_REUSEPORT sockets, IPv4 and
IPv6 listeners, and their `listening http tcp ADDR:PORT` lines."""
import concurrent.futures

from httputil import SITE, get


def test_workers_and_two_families(start_server):
    s = start_server(["serve", "http", "--root", SITE, "--workers", "3",
                      "--listen", "127.0.0.1:0", "--listen", "[::1]:0"],
                     expect=2)
    assert [l[:3] for l in s.listeners] == [("http", "tcp", "127.0.0.1"),
                                            ("http", "tcp", "::1")]
    p4, p6 = s.listeners[0][3], s.listeners[1][3]

    def fetch(i):
        host, port = ("127.0.0.1", p4) if i % 2 else ("::1", p6)
        return get(port, "/about.html", host=host).status

    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        assert list(ex.map(fetch, range(200))) == [200] * 200
