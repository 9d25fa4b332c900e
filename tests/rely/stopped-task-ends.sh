#!/bin/sh
# A stopped task still ends: SIGCONT follows SIGTERM.  A task that stops
# its own group times out; a task paused by the operator is killed (ctl
# kill, with the termination sequence and with SIGKILL) or stopped with the
# pool (ctl stop).  Afterwards no process of the task is left, in state T
# or any other.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

# all_stopped: every marked process is in state T.
all_stopped() { [ "$(marked_states)" = T ]; }

# 1. The task stops itself and its grandchild (SIGSTOP to its group); the
# timeout ends it anyway.
run_pool --headless -j1 --timeout 1 --log "$T/log1" \
    sh -c "sleep $MARK & sleep 0.2; kill -STOP 0" ::: x
check "self-stopped: group stopped" wait_for 20 all_stopped
wait "$pid"
rc=$?
check "self-stopped: timed out, exit 1 (got $rc)" [ "$rc" -eq 1 ]
check "self-stopped: task.timeout logged" grep -q "task.timeout" "$T/log1"
check "self-stopped: nothing left (no T)" wait_for 5 no_marked

# 2. Operator pause, then kill (termination sequence), kill KILL, and stop.
run_pool --headless -q -j3 --name "st$$" sh -c "sleep $MARK & wait" ::: a b c
check "paused: three tasks" wait_for 20 nmarked_is 3
check "paused: pool answers" wait_for 10 answers "$pid"
"$POOLTOP_BIN" ctl "$pid" pause >/dev/null
check "paused: every task process in T" wait_for 10 all_stopped
t1=$(status_py "$pid" "s[1]['task_pid']")
t2=$(status_py "$pid" "s[2]['task_pid']")
"$POOLTOP_BIN" ctl "$pid" kill 1 >/dev/null
check "paused + kill: group of slot 1 gone" wait_for 10 sh -c "[ -z \"\$(pgrep -g $t1)\" ]"
"$POOLTOP_BIN" ctl "$pid" kill 2 KILL >/dev/null
check "paused + kill KILL: group of slot 2 gone" wait_for 10 sh -c "[ -z \"\$(pgrep -g $t2)\" ]"
check "paused + kill: counted failed" wait_for 10 is_py "$pid" "d['failed']" 2
check "paused: slot 3 still stopped" all_stopped
"$POOLTOP_BIN" ctl "$pid" stop >/dev/null
wait "$pid"
check "paused + stop: nothing left" wait_for 5 no_marked
check "paused + stop: no segment" no_segment "$pid"

figures tasks=4 faults=4 hostile=0 lost=0
finish
