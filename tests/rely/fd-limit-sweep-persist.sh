#!/bin/sh
# tests/rely/fd-limit-sweep.sh for --persistent, with and without --init,
# with --chunksize 3 and --results (each line in flight holds two results
# files), and for the dashboard (through --dashboard on a pty made by
# script(1)):
# every open-file limit either runs every item exactly once or is refused
# at start, never hangs, leaves nothing behind.
sweep_modes="persistent init chunk-results dashboard"
. "$POOLTOP_SRCDIR/tests/rely/fd-limit-sweep.sh"
