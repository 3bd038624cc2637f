#!/usr/bin/env python3
"""Baseline for `hindsight fix`: ftfy's fix_encoding, line by line, over every file in a
folder (bytes decoded the way ftfy.guess_bytes would: BOM, UTF-8, else Windows-1252).

usage: ftfy_repair.py DIR      prints "<files> <lines changed>"
"""
import os, sys
import ftfy

def decode(b):
    if b.startswith(b"\xff\xfe") or b.startswith(b"\xfe\xff"):
        return b.decode("utf-16")
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b.decode("windows-1252", errors="replace")

files = changed = 0
for root, _, names in os.walk(sys.argv[1]):
    for n in sorted(names):
        text = decode(open(os.path.join(root, n), "rb").read())
        files += 1
        for line in text.split("\n"):
            if ftfy.fix_encoding(line) != line:
                changed += 1
print(files, changed)
