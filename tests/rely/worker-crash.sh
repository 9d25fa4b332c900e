#!/bin/sh
# A worker killed with SIGKILL in the middle of a task: its task's whole
# process group (grandchild included) is ended by the supervisor, the
# attempt counts as failed and is retried (--retries 2), a new worker takes
# the slot, and the run ends with every item done once.  Without retries
# the task is failed for good, and still nothing is left behind.  Each task
# also starts a daemon in a session of its own (setsid): the dead worker's
# daemon comes to the supervisor, a child subreaper, which ends it.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

export GO="$T/go"
ESC="$MARK.5"
TASK=": $MARK; setsid sleep $ESC & sleep $MARK & while [ ! -e \"\$GO\" ]; do sleep 0.05; done"
group_gone() { [ -z "$(pgrep -g "$1")" ]; }
# escapees_are N: N daemons of this test's tasks live.
escapees_are() { [ "$(pgrep -f "^sleep $ESC\$" | wc -l)" -eq "$1" ]; }

for retries in 2 1; do
	rm -f "$GO"
	run_pool --headless -j2 --retries $retries --log "$T/log$retries" \
	    --joblog "$T/jl$retries" sh -c "$TASK" ::: 1 2 3 4 5 6
	check "r$retries: two tasks with grandchildren" wait_for 20 nmarked_is 2
	check "r$retries: and a daemon each" wait_for 20 escapees_are 2
	check "r$retries: pool answers" wait_for 10 answers "$pid"
	w1=$(status_py "$pid" "s[1]['worker_pid']")
	t1=$(status_py "$pid" "s[1]['task_pid']")
	kill -KILL "$w1"
	check "r$retries: the dead worker's task group is ended" wait_for 10 group_gone "$t1"
	check "r$retries: its daemon is ended, the other task's lives" \
	    wait_for 10 escapees_are 1
	check "r$retries: a new worker takes slot 1" wait_for 10 is_py "$pid" \
	    "s[1]['worker_pid'] not in (0, $w1) and d['live_workers'] == 2" True
	check "r$retries: the death is logged" grep -q "worker 1 (pid $w1) died during task" "$T/log$retries"
	touch "$GO"
	wait "$pid"
	rc=$?
	check "r$retries: exit status $((2 - retries)) (got $rc)" [ "$rc" -eq $((2 - retries)) ]
	if [ "$(tail -n +2 "$T/jl$retries" | cut -f1 | sort -un | wc -l)" -eq 6 ] &&
	    [ "$(tail -n +2 "$T/jl$retries" | wc -l)" -eq 6 ]; then
		ok "r$retries: six seqs recorded once"
	else
		fail "r$retries: six seqs recorded once"
	fi
	check "r$retries: nothing left" wait_for 10 no_marked
	check "r$retries: no daemon left" wait_for 10 escapees_are 0
done
figures tasks=13 faults=2 hostile=0 lost=0
finish
