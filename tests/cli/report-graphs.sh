#!/bin/sh
# `pooltop report`'s pictures: the runtimes histogram (log-scale buckets,
# 1-2-5 per decade), throughput and tasks running over the span, and the
# serial-vs-parallel speedup: the figures in --json checked against the
# joblog itself, for a joblog written by hand, by pooltop and by GNU
# parallel; drawn with --graphs in UTF-8 or ASCII by the locale, figures
# only with --no-graphs and when the output is not a terminal.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

command -v python3 >/dev/null 2>&1 || skip "python3 is needed to parse JSON"

. "$POOLTOP_SRCDIR/tests/cli/reportlib.sh"
hand_log "$T/hand.log"

"$POOLTOP_BIN" report --json "$T/hand.log" >"$T/hand.json"
check "report --json: speedup, histogram, throughput of a known run" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["speedup"] == {"serial": 8.5, "parallel": 4.5, "factor": 1.889}, r["speedup"]
h = [(b["from"], b["to"], b["count"]) for b in r["histogram"]]
assert h == [(0.5, 1.0, 1), (1.0, 2.0, 1), (2.0, 5.0, 3)], h
t = r["throughput"]
# 5 tasks: 5 intervals of 0.9 s; ends at 101, 102, 104, 104, 104.5.
assert t["interval"] == 0.9 and t["ended"] == [0, 1, 1, 0, 3], t
assert t["running"] == [2.0, 2.0, 2.0, 2.0, 1.444], t
' "$T/hand.json"

# Text, not drawn: the figures, no bar.
"$POOLTOP_BIN" report --no-graphs "$T/hand.log" >"$T/plain.out"
check "report: the speedup line" grep -qx \
    'speedup    1\.89x: 8\.500s one after another (serial), 4\.500s as run (parallel)' \
    "$T/plain.out"
check "report: one histogram line per bucket from the first to the last used" \
    sh -c "grep -A2 '^durations' '$T/plain.out' | tr -s ' ' | tr '\n' '|' |
        grep -qx 'durations 500ms-1s 1| 1s-2s 1| 2s-5s 3|'"
check "report: throughput and tasks running in figures" \
    sh -c "grep -qx 'throughput 1\.11 tasks/s on average, 3\.33 at the peak (5 intervals of 0\.900s)' '$T/plain.out' &&
        grep -qx 'running    1\.89 tasks on average, 2 at the peak' '$T/plain.out'"
check "report --no-graphs: no bar" sh -c "! grep -q '##' '$T/plain.out'"
"$POOLTOP_BIN" report "$T/hand.log" >"$T/default.out"
check "report into a file: as --no-graphs" cmp -s "$T/plain.out" "$T/default.out"

# Drawn: block characters in a UTF-8 locale, ASCII in the C locale.
utf8=$(locale -a 2>/dev/null | grep -iE '^(C|en_US)\.utf-?8$' | head -n 1)
if [ -n "$utf8" ]; then
	LC_ALL=$utf8 "$POOLTOP_BIN" report --graphs "$T/hand.log" >"$T/utf8.out"
	# 2s-5s holds 3 of the peak 3: a full bar of 40 blocks.
	check "report --graphs, UTF-8: the largest bucket a full bar" \
	    grep -q "^           2s-5s               3 $(printf '\342\226\210%.0s' $(seq 40))\$" \
	    "$T/utf8.out"
	check "report --graphs, UTF-8: charts with an axis" \
	    grep -q "^    3\.33/s $(printf '\342\224\202')" "$T/utf8.out"
fi
LC_ALL=C "$POOLTOP_BIN" report --graphs "$T/hand.log" >"$T/ascii.out"
check "report --graphs, C locale: ASCII bars" \
    grep -q '^           2s-5s               3 ########################################$' \
    "$T/ascii.out"
check "report --graphs, C locale: ASCII only" \
    sh -c "! LC_ALL=C grep -q '[^ -~]' '$T/ascii.out'"
# The throughput chart: the last interval (3 ended) fills the top row.
check "report --graphs: the busiest interval reaches the top" \
    grep -q '^    3\.33/s | .*############$' "$T/ascii.out"
"$POOLTOP_BIN" report --graphs --bogus "$T/hand.log" >/dev/null 2>"$T/err"; rc=$?
check "report: an unknown option next to --graphs: exit 255" \
    sh -c "[ $rc -eq 255 ] && grep -q 'unknown option --bogus' '$T/err'"

# figures JOBLOG JSON: the report's speedup and histogram match what the
# joblog says (sums, span, buckets computed here), and its throughput
# counts every task once.  BUCKETS: the expected "from:count" list.
figures() {
	python3 -c '
import json, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
start = [float(r[2]) for r in rows]; run = [float(r[3]) for r in rows]
r = json.load(open(sys.argv[2]))
serial = sum(run); span = max(s + d for s, d in zip(start, run)) - min(start)
sp = r["speedup"]
assert abs(sp["serial"] - serial) < 0.002, (sp, serial)
assert abs(sp["parallel"] - span) < 0.002, (sp, span)
assert abs(sp["factor"] - serial / span) < 0.002, (sp, serial / span)
got = ",".join("%g:%d" % (b["from"], b["count"]) for b in r["histogram"] if b["count"])
assert got == sys.argv[3], (got, sys.argv[3])
assert sum(r["throughput"]["ended"]) == len(rows), r["throughput"]
run_mean = sum(r["throughput"]["running"]) / len(r["throughput"]["running"])
assert abs(run_mean - serial / span) < 0.05 * serial / span + 0.01, run_mean
' "$1" "$2" "$3"
}

# Known durations: a sleep lasts at least what it is told, and these sit
# just above a bucket edge, so a loaded machine only moves them further in.
"$POOLTOP_BIN" --headless -q -j3 --joblog "$T/pt.log" sleep ::: \
    0.21 0.21 0.21 0.21 1.05 1.05
"$POOLTOP_BIN" report --json "$T/pt.log" >"$T/pt.json"
check "report of pooltop's joblog: buckets and speedup" \
    figures "$T/pt.log" "$T/pt.json" "0.2:4,1:2"

need_gnu_parallel
parallel -j3 --joblog "$T/gnu.log" sleep ::: 0.21 0.21 0.21 0.21 1.05 1.05
"$POOLTOP_BIN" report --json "$T/gnu.log" >"$T/gnu.json"
check "report of GNU parallel's joblog: buckets and speedup" \
    figures "$T/gnu.log" "$T/gnu.json" "0.2:4,1:2"
LC_ALL=C "$POOLTOP_BIN" report --graphs "$T/gnu.log" >"$T/gnu.out"
check "report of GNU parallel's joblog, drawn: 4 in 200ms-500ms, 2 in 1s-2s" \
    sh -c "grep -q '^durations  200ms-500ms         4 #\{40\}\$' '$T/gnu.out' &&
        grep -q '^           1s-2s               2 #\{20\}\$' '$T/gnu.out'"

finish
