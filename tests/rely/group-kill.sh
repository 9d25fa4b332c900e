#!/bin/sh
# SIGKILL of the pool's whole process group, the way cron, CI and shells
# send it: `timeout -s KILL`, `kill -9 -PGID`, and `kill -9 %1` under job
# control (also of a pipeline job).  The workers and the keeper live in
# process groups of their own, so the kill takes only the supervisor: the
# workers end their tasks (and the tasks' grandchildren), the keeper removes
# the segment and the socket.  In one-shot and persistent mode.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

LIMIT=${RELY_GONE_LIMIT:-5}	# seconds for everything to be gone
RUNS=${GROUP_KILL_RUNS:-2}	# rounds of every case
ntasks=0 kills=0

# aftermath CASE SID [SUPERVISOR]: everything of the pool in session SID
# goes (the supervisor's pid is the session's unless given).
aftermath() {
	if wait_for "$LIMIT" session_empty "$2" && wait_for "$LIMIT" no_marked &&
	    wait_for "$LIMIT" state_gone "${3:-$2}"; then
		ok "$1: workers, keeper, tasks, grandchildren, segment and socket gone"
	else
		fail "$1: left: processes [$(in_session "$2")] marked [$(marked)]" \
		    "segment [$(segments "${3:-$2}")]"
	fi
	kills=$((kills + 1))
}

# The tasks: each starts a grandchild and waits for it.
oneshot="sh -c 'sleep $MARK & wait'"
persist="$PY -u -c 'import subprocess,sys
subprocess.Popen([\"sleep\",\"$MARK\"])
for l in sys.stdin: pass'"

# group_kill MODE: `kill -9 -PGID` of a pool in a session of its own.
group_kill() {
	if [ "$1" = persistent ]; then
		run_session --headless -q -j3 --persistent "$persist" ::: a b c d e f
	else
		run_session --headless -q -j3 "$oneshot" ::: a b c d e f
	fi
	check "kill -9 -PGID ($1): 3 tasks running" wait_for 20 nmarked_is 3
	kill -KILL "-$pid"
	wait "$pid" 2>/dev/null
	aftermath "kill -9 -PGID ($1)" "$pid"
	ntasks=$((ntasks + 3))
}

# timeout -s KILL: timeout signals its child, then its own group.
timeout_kill() {
	setsid timeout -s KILL "${GROUP_KILL_AFTER:-3}" "$POOLTOP_BIN" --headless -q \
	    -j2 "$oneshot" ::: a b c >/dev/null 2>&1 &
	tpid=$!
	_bgpids="${_bgpids:-} $tpid"
	check "timeout -s KILL: tasks running before it fires" \
	    wait_for 20 nmarked_is 2
	sup=$(pgrep -P "$tpid")
	reap "$tpid" 30
	rc=$?
	check "timeout -s KILL: killed (status $rc)" [ "$rc" -eq 137 ]
	aftermath "timeout -s KILL" "$tpid" "$sup"
	ntasks=$((ntasks + 2))
}

# kill -9 %1 under job control (bash -m, in a session of its own), of
# pooltop alone and of a pipeline `pooltop | cat`.
job_kill() {
	# shellcheck disable=SC2016
	setsid bash -m -c '
	    if [ "$2" = pipe ]; then
		sh -c "echo \$\$ >$3; exec \"\$POOLTOP_BIN\" --headless -q -j2 \"\$0\" ::: a b c" "$1" | cat &
	    else
		sh -c "echo \$\$ >$3; exec \"\$POOLTOP_BIN\" --headless -q -j2 \"\$0\" ::: a b c" "$1" &
	    fi
	    n=0
	    while [ "$(pgrep -c -f "^sleep $MARK\$")" -lt 2 ] && [ $n -lt 1000 ]; do
		sleep 0.02; n=$((n + 1))
	    done
	    pgrep -c -f "^sleep $MARK\$" >"$3.seen"
	    kill -9 %1
	    wait
	    ' sh "$oneshot" "$1" "$T/jobpid" </dev/null >/dev/null 2>&1 &
	jpid=$!
	_bgpids="${_bgpids:-} $jpid"
	reap "$jpid" 30 >/dev/null
	check "kill -9 %1 ($1): tasks were running" [ "$(cat "$T/jobpid.seen")" -eq 2 ]
	aftermath "kill -9 %1 ($1)" "$jpid" "$(cat "$T/jobpid")"
	ntasks=$((ntasks + 2))
}

i=0
while [ $i -lt "$RUNS" ]; do
	group_kill oneshot
	group_kill persistent
	timeout_kill
	job_kill alone
	job_kill pipe
	i=$((i + 1))
done
figures "tasks=$ntasks faults=$kills"
finish
