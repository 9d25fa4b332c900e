#!/bin/sh
# SIGTERM, SIGINT, SIGQUIT, SIGHUP (drain) and SIGKILL of the supervisor,
# with tasks that start background grandchildren (sh -c 'sleep & wait'):
# nothing of the pool survives (bounded wait, the time it took printed),
# the exit status is the documented one, and no segment or socket is left.
# A second SIGTERM ends tasks that ignore the first at once; SIGKILL of a
# supervisor whose tasks are paused leaves no stopped process behind.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

LIMIT=${RELY_GONE_LIMIT:-3}	# seconds for everything to be gone
ntasks=0

# stop_with SIG STATUS: a pool of 3 workers, each task with a background
# grandchild; signal it and check the aftermath.
stop_with() {
	run_pool --headless -q -j3 sh -c "sleep $MARK & wait" ::: a b c d e
	check "$1: tasks and grandchildren started" wait_for 20 nmarked_is 3
	workers=$(children "$pid")
	t0=$(now_ns)
	kill "-$1" "$pid"
	wait "$pid"
	rc=$?
	if ms=$(gone_within "$LIMIT" "$pid" $workers); then
		ok "$1: supervisor, workers, tasks and grandchildren gone in $(ms_since "$t0") ms"
	else
		fail "$1: something of the pool survived $LIMIT s: $(marked) $workers"
	fi
	check "$1: exit status $2 (got $rc)" [ "$rc" -eq "$2" ]
	check "$1: no segment" no_segment "$pid"
	check "$1: no socket" [ ! -e "$XDG_RUNTIME_DIR/pooltop/$pid.sock" ]
	ntasks=$((ntasks + 3))
}
stop_with TERM 143
stop_with INT 130
stop_with QUIT 131

# SIGHUP drains: running tasks finish (their grandchildren are ended when
# their leader exits), queued ones never start, exit 0.
rm -f "$T/go"
run_pool --headless -q -j2 --joblog "$T/jl" \
    sh -c "sleep $MARK & while [ ! -e $T/go ]; do sleep 0.05; done" ::: a b c d e
check "HUP: two tasks running" wait_for 20 nmarked_is 2
check "HUP: the pool answers" wait_for 10 answers "$pid"
workers=$(children "$pid")
kill -HUP "$pid"
check "HUP: state draining" wait_for 10 is_py "$pid" "d['state']" draining
touch "$T/go"
wait "$pid"
rc=$?
check "HUP: exit status 0 (got $rc)" [ "$rc" -eq 0 ]
check "HUP: nothing left" wait_for "$LIMIT" all_gone "$pid" $workers
check "HUP: only the two running tasks ran" [ "$(tail -n +2 "$T/jl" | wc -l)" -eq 2 ]
check "HUP: no segment" no_segment "$pid"
ntasks=$((ntasks + 2))

# A second SIGTERM: tasks that ignore TERM, with a long termination
# sequence, are killed at once.
run_pool --headless -q -j2 --termseq TERM,60000,KILL,25 \
    sh -c "trap '' TERM; sleep $MARK & wait; wait" ::: a b
check "second TERM: tasks started" wait_for 20 nmarked_is 2
workers=$(children "$pid")
kill -TERM "$pid"
check "second TERM: the first one ends nothing yet" \
    wait_for 5 is_py "$pid" "d['state']" stopping
check "second TERM: tasks still there" nmarked_is 2
t0=$(now_ns)
kill -TERM "$pid"
wait "$pid"
rc=$?
if ms=$(gone_within "$LIMIT" "$pid" $workers); then
	ok "second TERM: all gone in $(ms_since "$t0") ms"
else
	fail "second TERM: tasks survived"
fi
check "second TERM: exit status 143 (got $rc)" [ "$rc" -eq 143 ]
ntasks=$((ntasks + 2))

# SIGKILL while every task is paused: the workers end them (SIGCONT after
# SIGTERM), nothing is left in state T.
run_pool --headless -q -j2 sh -c "sleep $MARK & wait" ::: a b
check "KILL paused: tasks started" wait_for 20 nmarked_is 2
check "KILL paused: the pool answers" wait_for 10 answers "$pid"
"$POOLTOP_BIN" ctl "$pid" pause >/dev/null
check "KILL paused: tasks stopped" wait_for 10 sh -c \
    "[ \"\$(for q in \$(pgrep -f '^sleep $MARK\$'); do awk '{print \$3}' /proc/\$q/stat; done | sort -u | tr -d '\n')\" = T ]"
workers=$(children "$pid")
t0=$(now_ns)
kill -KILL "$pid"
wait "$pid" 2>/dev/null
if ms=$(gone_within "$LIMIT" $workers); then
	ok "KILL paused: workers, tasks and grandchildren gone in $(ms_since "$t0") ms"
else
	fail "KILL paused: left behind: $(marked) (states $(marked_states))"
fi
check "KILL paused: segment removed" wait_for 10 no_segment "$pid"
ntasks=$((ntasks + 2))

figures tasks=$ntasks faults=7 hostile=0 lost=0
finish
