#!/usr/bin/python3
"""README "Clients" shows each client test's snippet word for word.

A README block fenced as ```LANG test/clients/PATH must equal the lines of
PATH between the markers "README: begin LANG" and "README: end LANG" (their
common indentation removed).  Every client test must have its block.
Exit status 1, with a diff, when they differ.
"""
import difflib
import os
import re
import sys
import textwrap

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CLIENTS = {"python": "test/clients/python/dashboard_client.py",
           "java": "test/clients/java/DashboardClient.java",
           "js": "test/clients/node/dashboard_client.js"}


def region(path, lang):
    with open(os.path.join(ROOT, path)) as f:
        text = f.read()
    m = re.search(r"^[^\n]*README: begin %s\n(.*?)^[^\n]*README: end %s$" % (lang, lang), text, re.M | re.S)
    if not m:
        sys.exit("%s: no README: begin/end %s markers" % (path, lang))
    return textwrap.dedent(m.group(1)).rstrip("\n")


def main():
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    blocks = {}
    for lang, path, body in re.findall(r"^```(\w+) (test/clients/\S+)\n(.*?)^```$", readme, re.M | re.S):
        if (lang, path) in blocks:
            sys.exit("README.md shows %s twice" % path)
        blocks[(lang, path)] = body.rstrip("\n")
    ok = True
    for lang, path in CLIENTS.items():
        if (lang, path) not in blocks:
            print("README.md has no ```%s %s block" % (lang, path))
            ok = False
            continue
        want = region(path, lang)
        if blocks[(lang, path)] != want:
            ok = False
            print("README.md's %s block differs from %s:" % (lang, path))
            sys.stdout.writelines(difflib.unified_diff(
                want.splitlines(True), blocks[(lang, path)].splitlines(True), path, "README.md"))
            print()
    for lang, path in blocks:
        if CLIENTS.get(lang) != path:
            print("README.md shows %s, which is not a client test" % path)
            ok = False
    print("README snippets: %s" % ("in sync with the client tests" if ok else "OUT OF SYNC"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
