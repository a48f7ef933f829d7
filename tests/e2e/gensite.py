#!/usr/bin/python3
"""Writes a deterministic site of N linked HTML pages (default 10,000) for
the crawler's tests and benchmark: usage `gensite.py DIR [N]`.

Page 0 is DIR/index.html; page i > 0 is DIR/p/<i // 100>/<i>.html. Pages
form a tree of fan-out 10 (page i links to pages 10i+1 .. 10i+10), so every
page is reachable from index.html within 4 links for N = 10,000, and each
page also links to its parent, to the index (absolute path) and to two
pseudo-random pages (relative paths through '..'), so that a crawler sees
every page many times and must de-duplicate. Each page is about 1.5 KB."""
import os
import sys

FILLER = ("inetkit crawls this generated site to check that every page is "
          "found exactly once, however many times it is linked. ") * 6


def page_path(i):
    return "index.html" if i == 0 else "p/%d/%d.html" % (i // 100, i)


def href(src, dst):
    """A link from page src to page dst, relative where it can be."""
    if dst == 0:
        return "/"
    if src == 0:
        return page_path(dst)
    return "../../" + page_path(dst)


def page(i, n):
    links = [10 * i + k for k in range(1, 11) if 10 * i + k < n]
    if i > 0:
        links.append((i - 1) // 10)
    links.append((i * 7919 + 13) % n)
    links.append((i * 104729 + 71) % n)
    links.append(0)
    items = "\n".join('<li><a href="%s">page %d</a></li>' % (href(i, d), d)
                      for d in links)
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            "<title>page %d</title></head>\n<body><h1>Page %d</h1>\n"
            "<p>%s</p>\n<ul>\n%s\n</ul>\n</body></html>\n"
            % (i, i, FILLER, items))


def generate(root, n=10000):
    for i in range(n):
        path = os.path.join(root, page_path(i))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(page(i, n))
    return [page_path(i) for i in range(n)]


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: gensite.py DIR [N]")
    generate(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 10000)
