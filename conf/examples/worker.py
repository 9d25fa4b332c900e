#!/usr/bin/env python3
# A pooltop persistent worker: pooltop --persistent ./worker.py ::: 3 4 x
import sys

def work(item):                 # what Pool.map would call for one item
    return int(item) ** 2

for line in sys.stdin:          # one task per line, in order
    try:
        print(work(line[:-1]), flush=True)    # one line per task
    except Exception as e:      # a failed task is one line too
        print("ERROR:", e, flush=True)
