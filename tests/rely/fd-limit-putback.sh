#!/bin/sh
# A worker that runs out of descriptors mid-run (its open file limit
# lowered under it with prlimit --pid) cannot start its next task: the task
# is put back, never recorded as failed, and runs on another worker; that
# worker is retired and the pool goes on with one fewer.  In normal mode
# (the task's pipes) and in persistent mode (the program restarted after
# each task with --max-tasks-per-worker 1, its pipes).  Every item ends up
# in the joblog exactly once, as a success; `--resume` then runs nothing.
# On a pool of one worker whose limit stays too low, a task that can never
# start stops the pool after 10 tries (exit 255) instead of being recorded
# as failed: `--resume` runs it and the rest.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

command -v prlimit >/dev/null 2>&1 || skip "prlimit (util-linux) is needed"
N=${FD_PUTBACK_ITEMS:-12}
[ "$N" -ge 4 ] && [ "$N" -le 1000 ] || { echo "bad FD_PUTBACK_ITEMS"; exit 99; }
export RAN="$T/ran" GO="$T/go"
# A task waits for $GO.ITEM or $GO.all, then prints its item.
TASK=": $MARK; echo \"\$1\" >>\"\$RAN\"; until [ -e \"\$GO.\$1\" ] || [ -e \"\$GO.all\" ]; do sleep 0.02; done; echo \"\$1\""
PROG=": $MARK; while read -r l; do echo \"\$l\" >>\"\$RAN\"; until [ -e \"\$GO.\$l\" ] || [ -e \"\$GO.all\" ]; do sleep 0.02; done; echo \"\$l\"; done"
# gone: no task of this test, no segment of the pool.
gone() { [ -z "$(pgrep -f -- "$MARK")" ] && no_segment "$pid"; }
lost=0 faults=0

# once MODE LIMIT ARGS...: run N items on 3 workers; once all three are
# busy, lower worker 1's limit to LIMIT, too low for its next start, and
# let only its task end: the next item goes to it, and cannot start.
once() {
	_m=$1 _l=$2; shift 2
	rm -f "$RAN" "$GO".* "$T/jl" "$T/log"
	run_pool --headless -q -j3 --joblog "$T/jl" --log "$T/log" "$@" \
	    ::: $(seq 1 "$N") >"$T/out" 2>"$T/err"
	if ! check "$_m: three tasks start" wait_for 20 sh -c \
	    "[ \$(sort -u '$RAN' 2>/dev/null | wc -l) -ge 3 ]"; then
		kill -9 "$pid"
		return
	fi
	w1=$(status_py "$pid" "s[1]['worker_pid']")
	t1=$(status_py "$pid" "s[1]['task']")
	check "$_m: worker 1's limit lowered to $_l" \
	    prlimit --pid "$w1" --nofile="$_l:$_l"
	touch "$GO.$t1"
	check "$_m: worker 1's next task is put back" wait_for 20 \
	    grep -q "cannot start (Too many open files)" "$T/log"
	touch "$GO.all"
	reap "$pid" 60
	rc=$?
	cp "$T/log" "$T/log.$_m"
	check "$_m: exit 0 (got $rc)" [ "$rc" -eq 0 ]
	put=$(grep -c "cannot start (Too many open files)" "$T/log")
	faults=$((faults + put))
	check "$_m: a task was put back ($put)" [ "$put" -ge 1 ]
	check "$_m: the pool went on with a worker fewer" \
	    grep -q "starting a task: Too many open files: workers limited to 2 (of 3)" "$T/log"
	check "$_m: worker 1 ($w1) was retired" wait_for 10 none_alive "$w1"
	if [ "$(tail -n +2 "$T/jl" | awk -F'\t' '$7 == 0 && $8 == 0 { print $1 }' | sort -n | tr '\n' ' ')" = "$(seq 1 "$N" | tr '\n' ' ')" ] &&
	    [ "$(tail -n +2 "$T/jl" | wc -l)" -eq "$N" ] &&
	    [ "$(sort -n "$RAN" | tr '\n' ' ')" = "$(seq 1 "$N" | tr '\n' ' ')" ]; then
		ok "$_m: every item ran once, none failed"
	else
		fail "$_m: every item ran once, none failed"
	fi
	check "$_m: every item printed once" \
	    [ "$(sort -n "$T/out" | tr '\n' ' ')" = "$(seq 1 "$N" | tr '\n' ' ')" ]
	lost=$((lost + N - $(tail -n +2 "$T/jl" | cut -f1 | sort -un | wc -l)))
	rm -f "$RAN"
	"$POOLTOP_BIN" --headless -q -j3 --joblog "$T/jl" --resume "$@" \
	    ::: $(seq 1 "$N") >/dev/null 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && [ ! -s "$RAN" ]; then
		ok "$_m: --resume runs nothing (exit $rc)"
	else
		fail "$_m: --resume runs nothing (exit $rc)"
	fi
	check "$_m: nothing left" wait_for 10 gone
}

# A worker holds 6 descriptors of its own, a task's 2 pipes (4 while it
# starts), or the program's 3 (6).  Below 7 its poll() itself would fail.
once normal 8 sh -c "$TASK" sh
once persistent 10 --persistent "$PROG" --max-tasks-per-worker 1

# starve: one worker, its limit lowered for good after item 1 started.
starve() {
	rm -f "$RAN" "$GO".* "$T/jl" "$T/log"
	run_pool --headless -q -j1 --joblog "$T/jl" --log "$T/log" \
	    sh -c "$TASK" sh ::: 1 2 3 4 >"$T/out" 2>"$T/err"
	check "starved: item 1 starts" wait_for 20 test -s "$RAN"
	w1=$(status_py "$pid" "s[1]['worker_pid']")
	prlimit --pid "$w1" --nofile=8:8
	touch "$GO.all"
	reap "$pid" 60
	rc=$?
	check "starved: exit 255 (got $rc)" [ "$rc" -eq 255 ]
	check "starved: the error names the task and the cause" grep -q \
	    "task 2 could not start 10 times (Too many open files): stopping" \
	    "$T/err"
	put=$(grep -c "cannot start (Too many open files)" "$T/log")
	faults=$((faults + put))
	check "starved: put back 9 times, then stopped ($put)" [ "$put" -eq 9 ]
	if [ "$(tr '\n' ' ' <"$RAN")" = "1 " ] &&
	    [ "$(tail -n +2 "$T/jl" | cut -f1,7,8 | tr '\t\n' ',;')" = "1,0,0;" ]; then
		ok "starved: only item 1 ran and is in the joblog"
	else
		fail "starved: only item 1 ran and is in the joblog"
	fi
	rm -f "$RAN"
	run_pool --headless -q -j1 --joblog "$T/jl" --resume \
	    sh -c "$TASK" sh ::: 1 2 3 4 >"$T/out" 2>"$T/err"
	reap "$pid" 60
	rc=$?
	if [ "$rc" -eq 0 ] &&
	    [ "$(sort -n "$RAN" | tr '\n' ' ')" = "2 3 4 " ]; then
		ok "starved: --resume exits 0 (got $rc), runs 2 3 4"
	else
		fail "starved: --resume exits 0 (got $rc), runs 2 3 4"
	fi
	if [ "$(tail -n +2 "$T/jl" | awk -F'\t' '$7 == 0 && $8 == 0 { print $1 }' | sort -n | tr '\n' ' ')" = "1 2 3 4 " ] &&
	    [ "$(tail -n +2 "$T/jl" | wc -l)" -eq 4 ]; then
		ok "starved: the joblog holds each item once, each a success"
	else
		fail "starved: the joblog holds each item once, each a success"
	fi
	lost=$((lost + 4 - $(tail -n +2 "$T/jl" | cut -f1 | sort -un | wc -l)))
	check "starved: nothing left" wait_for 10 gone
}
starve
figures tasks=$((2 * N + 4)) faults=$faults hostile=0 lost=$lost
finish
