#!/usr/bin/env python3
# A pooltop persistent worker: pooltop --persistent ./worker.py ::: 3 4 x
import os, sys

def work(item):                 # what Pool.map would call for one item
    return int(item) ** 2

for line in sys.stdin:          # one task per line, in order
    try:
        out = "%s\n" % work(line[:-1])         # one line per task
    except Exception as e:      # a failed task is one line too
        out = "ERROR: %s\n" % e
    os.write(1, out.encode())   # one write(2) each, no buffer to flush
