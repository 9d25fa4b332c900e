#!/usr/bin/env python3
# A pooltop persistent worker that answers in batches, for many small items:
#   pooltop --persistent ./batch_worker.py -a items.txt
# It works every line that has arrived, then writes all their answers at
# once, before it waits for more: never wait for input holding answers.
import os, sys

def work(item):                 # what Pool.map would call for one item
    return int(item) ** 2

rest = b""
while chunk := os.read(0, 1 << 16):       # every byte that has arrived
    *lines, rest = (rest + chunk).split(b"\n")
    out = []
    for line in lines:          # one answer per line, in order
        try:
            out.append("%s\n" % work(line.decode()))
        except Exception as e:  # a failed task is one line too
            out.append("ERROR: %s\n" % e)
    sys.stdout.write("".join(out)); sys.stdout.flush()
