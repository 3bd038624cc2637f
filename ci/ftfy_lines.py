#!/usr/bin/env python3
"""The reference repairer: ftfy 6.3.1 fix_encoding, line by line (prints the result)."""
import sys
import ftfy
for line in open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]:
    print(ftfy.fix_encoding(line))
