#!/bin/sh
# Shrinking from 8 workers to 2 while all 8 are busy kills no running task:
# the 8 finish and succeed, the surplus workers then exit, and from then on
# at most 2 tasks run at once (from the joblog's start times and runtimes).
# Asked to kill (resize 2 --kill), the 6 surplus tasks end at once and run
# again later: none is counted failed and none is lost.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

TASK=": $MARK; while [ ! -e \"\$GO\" ]; do sleep 0.05; done; sleep 0.3"
ntasks() { pgrep -f "^sh -c : $MARK;" | wc -l; }
ntasks_is() { [ "$(ntasks)" -eq "$1" ]; }
# max_overlap JOBLOG FROM: most tasks running at once among seqs >= FROM.
max_overlap() {
	tail -n +2 "$1" | awk -F'\t' -v from="$2" '$1 >= from {
		s = $3 * 1000; e = s + $4 * 1000
		printf "%.0f 1\n%.0f -1\n", s, e }' | sort -k1,1n -k2,2n |
	    awk '{ n += $2; if (n > m) m = n } END { print m + 0 }'
}

# Without --kill.
export GO="$T/go1"
run_pool --headless -q -j8 --joblog "$T/jl1" sh -c "$TASK" ::: $(seq 1 16)
check "8 tasks running" wait_for 20 ntasks_is 8
check "pool answers" wait_for 10 answers "$pid"
"$POOLTOP_BIN" ctl "$pid" resize 2 >/dev/null
check "target 2 at once" wait_for 10 is_py "$pid" "d['target_workers']" 2
check "all 8 tasks still run" ntasks_is 8
check "8 workers still live" is_py "$pid" "d['live_workers']" 8
check "none failed" is_py "$pid" "d['failed']" 0
touch "$GO"
wait "$pid"
rc=$?
check "run ends with status 0 (got $rc)" [ "$rc" -eq 0 ]
check "all 16 recorded once, all succeeded" \
    [ "$(tail -n +2 "$T/jl1" | awk -F'\t' '$7 == 0 {print $1}' | sort -un | wc -l)" -eq 16 ]
ov=$(max_overlap "$T/jl1" 9)
check "after the shrink at most 2 tasks at once (saw $ov)" [ "$ov" -le 2 ]

# With --kill: the surplus tasks end now and run again.
export GO="$T/go2"
run_pool --headless -q -j8 --joblog "$T/jl2" sh -c "$TASK" ::: $(seq 1 12)
check "kill: 8 tasks running" wait_for 20 ntasks_is 8
check "kill: pool answers" wait_for 10 answers "$pid"
"$POOLTOP_BIN" ctl "$pid" resize 2 --kill >/dev/null
check "kill: 6 surplus tasks ended" wait_for 10 ntasks_is 2
check "kill: 2 workers left" wait_for 10 is_py "$pid" "d['live_workers']" 2
check "kill: none counted failed" is_py "$pid" "d['failed']" 0
touch "$GO"
wait "$pid"
rc=$?
check "kill: run ends with status 0 (got $rc)" [ "$rc" -eq 0 ]
if [ "$(tail -n +2 "$T/jl2" | awk -F'\t' '$7 == 0 {print $1}' | sort -un | wc -l)" -eq 12 ] &&
    [ "$(tail -n +2 "$T/jl2" | wc -l)" -eq 12 ]; then
	ok "kill: all 12 recorded once, all succeeded"
else
	fail "kill: all 12 recorded once, all succeeded"
fi
lost=$((28 - $(tail -n +2 "$T/jl1" "$T/jl2" | grep -c '^[0-9]')))
figures tasks=34 faults=6 hostile=0 lost=$lost
finish
