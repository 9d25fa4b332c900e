#!/bin/sh
# `pooltop report JOBLOG`: a finished run's joblog read back into counts,
# the runtime distribution, the slowest tasks, failure groups, span and
# effective parallelism; from a joblog written by hand, by pooltop, and by
# GNU parallel itself; --json for scripts; bad input refused clearly.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

command -v python3 >/dev/null 2>&1 || skip "python3 is needed to parse JSON"

. "$POOLTOP_SRCDIR/tests/cli/reportlib.sh"
hand_log "$T/hand.log"
"$POOLTOP_BIN" report "$T/hand.log" >"$T/hand.out" 2>"$T/hand.err"
check "report: exit 0" [ $? -eq 0 ]
check "report: nothing on stderr" [ ! -s "$T/hand.err" ]
check "report: counts" grep -qx 'tasks      5 (2 succeeded, 3 failed)' "$T/hand.out"
check "report: span from the first start to the last end" \
    grep -q '^span       4\.500s from 1970-01-01 00:01:40 UTC$' "$T/hand.out"
check "report: effective parallelism, runtimes over span" \
    grep -qx 'parallel   1\.89 (runtimes add up to 8\.500s over the span)' "$T/hand.out"
check "report: median, p90, max" \
    grep -qx 'runtime    median 2\.000s, p90 3\.000s, max 3\.000s' "$T/hand.out"
check "report: the slowest first" \
    grep -qx 'slowest    seq 3, 3\.000s, exit 0: work c' "$T/hand.out"
check "report: failures grouped by exit status, first one as sample" \
    grep -qx 'failures   exit 3: 2 tasks, first seq 2: work b' "$T/hand.out"
check "report: and by signal" \
    grep -qx '           signal 9: 1 task, first seq 4: work d' "$T/hand.out"

# The same as JSON.
"$POOLTOP_BIN" report --json "$T/hand.log" >"$T/hand.json"
check "report --json: the figures" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["tasks"] == 5 and r["succeeded"] == 2 and r["failed"] == 3
assert r["span"] == 4.5 and r["runtime"] == {"median": 2.0, "p90": 3.0, "max": 3.0}
assert abs(r["parallelism"] - 8.5 / 4.5) < 0.001
assert [t["seq"] for t in r["slowest"]] == [3, 2, 4, 1, 5]
g = [(f["exitval"], f["signal"], f["count"], f["sample"]["seq"]) for f in r["failures"]]
assert g == [(3, 0, 2, 2), (0, 9, 1, 4)], g
' "$T/hand.json"

# Standard input, and a header-only joblog.
"$POOLTOP_BIN" report - <"$T/hand.log" >"$T/stdin.out"
check "report -: reads standard input" \
    grep -qx 'tasks      5 (2 succeeded, 3 failed)' "$T/stdin.out"
echo "$H" >"$T/empty.log"
"$POOLTOP_BIN" report "$T/empty.log" >"$T/empty.out"
check "report: a joblog of no task says so" \
    grep -qx 'tasks      0 (0 succeeded, 0 failed)' "$T/empty.out"

# A command with a terminal escape in it is shown escaped.
{ echo "$H"; line 1 100.000 1.000 0 0 "$(printf 'echo \033[2J')"; } >"$T/esc.log"
"$POOLTOP_BIN" report "$T/esc.log" >"$T/esc.out"
check "report: control bytes of a command are escaped" \
    grep -qF 'echo \x1b[2J' "$T/esc.out"

# Bad input.
"$POOLTOP_BIN" report "$T/nope.log" >/dev/null 2>"$T/err"; rc=$?
check "report: a missing joblog: exit 1, named" \
    sh -c "[ $rc -eq 1 ] && grep -q 'nope.log: No such file' '$T/err'"
{ echo "$H"; line 1 100.000 1.000 0 0 "a"; echo "not a line"; } >"$T/bad.log"
"$POOLTOP_BIN" report "$T/bad.log" >/dev/null 2>"$T/err"; rc=$?
check "report: a malformed line: exit 1, FILE:LINE" \
    sh -c "[ $rc -eq 1 ] && grep -qF '$T/bad.log:3: not a joblog line' '$T/err'"
"$POOLTOP_BIN" report >/dev/null 2>"$T/err"; rc=$?
check "report: no joblog: usage, exit 255" \
    sh -c "[ $rc -eq 255 ] && grep -q 'usage: pooltop report' '$T/err'"
"$POOLTOP_BIN" report --bogus "$T/hand.log" >/dev/null 2>"$T/err"; rc=$?
check "report: an unknown option: exit 255, named" \
    sh -c "[ $rc -eq 255 ] && grep -q 'unknown option --bogus' '$T/err'"

# A joblog pooltop wrote: 6 tasks, 2 failing with exit 3, 1 killed.
"$POOLTOP_BIN" --headless -q -j2 --joblog "$T/pt.log" \
    sh -c 'case $0 in f) exit 3;; k) kill -9 $$;; esac' ::: a f b f k c
"$POOLTOP_BIN" report --json "$T/pt.log" >"$T/pt.json"
check "report of pooltop's joblog: counts and groups" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["tasks"] == 6 and r["succeeded"] == 3 and r["failed"] == 3, r
g = sorted((f["exitval"], f["signal"], f["count"]) for f in r["failures"])
assert g == [(0, 9, 1), (3, 0, 2)], g
assert r["span"] > 0 and r["parallelism"] > 0
' "$T/pt.json"

# A joblog GNU parallel wrote itself (padded columns): the same run.
need_gnu_parallel
parallel -j2 --joblog "$T/gnu.log" \
    'case {} in f) exit 3;; k) kill -9 $$;; esac' ::: a f b f k c 2>/dev/null
"$POOLTOP_BIN" report --json "$T/gnu.log" >"$T/gnu.json" 2>"$T/err"
check "report of GNU parallel's joblog: counts and groups" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["tasks"] == 6 and r["succeeded"] == 3 and r["failed"] == 3, r
g = sorted((f["exitval"], f["signal"], f["count"]) for f in r["failures"])
assert g == [(0, 9, 1), (3, 0, 2)], g
assert r["failures"][0]["sample"]["command"].startswith("case f in")
' "$T/gnu.json"
"$POOLTOP_BIN" report "$T/gnu.log" >"$T/gnu.out"
check "report of GNU parallel's joblog: text" \
    grep -qx 'tasks      6 (3 succeeded, 3 failed)' "$T/gnu.out"

finish
