#!/bin/sh
# A task that stops its own worker (`kill -STOP $PPID`) cannot freeze the
# pool: the supervisor continues a stopped worker at once, so --timeout
# still fires and SIGTERM still ends the run; and when the supervisor dies
# while a task keeps stopping its worker, the keeper continues the worker
# until it has ended its task.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

LIMIT=${RELY_GONE_LIMIT:-5}	# seconds for everything to be gone
ntasks=0

# shellcheck disable=SC2034
once="kill -STOP \$PPID; sleep $MARK; : {}"
loop="while kill -STOP \$PPID; do sleep 0.01; done & sleep $MARK; : {}"
stubborn="trap '' TERM; while kill -STOP \$PPID; do sleep 0.01; done & sleep $MARK; : {}"

# --timeout fires although the task stopped its worker (once, and in a loop).
for t in once loop; do
	eval "cmd=\$$t"
	run_pool --headless -j2 --timeout 1 --joblog "$T/jl.$t" --log "$T/log.$t" "$cmd" ::: a b
	reap "$pid" 30
	rc=$?
	check "$t: both tasks timed out (exit status $rc)" [ "$rc" -eq 2 ]
	check "$t: the joblog records both as ended by SIGTERM" \
	    [ "$(awk -F'\t' 'NR > 1 && $8 == 15' "$T/jl.$t" | wc -l)" -eq 2 ]
	check "$t: the stop is an event" grep -q "was stopped by signal 19: continued" "$T/log.$t"
	check "$t: nothing left" wait_for "$LIMIT" all_gone "$pid"
	ntasks=$((ntasks + 2))
done

# SIGTERM ends the run while tasks keep stopping their workers.
run_pool --headless -q -j2 "$loop" ::: a b
check "TERM: tasks running" wait_for 20 nmarked_is 2
kill -TERM "$pid"
reap "$pid" 30
rc=$?
check "TERM: exit status 143 (got $rc)" [ "$rc" -eq 143 ]
check "TERM: nothing left" wait_for "$LIMIT" all_gone "$pid"
check "TERM: no segment, no socket" state_gone "$pid"
ntasks=$((ntasks + 2))

# SIGKILL of the supervisor while tasks that ignore SIGTERM keep stopping
# their workers: the keeper continues them until the termination sequence
# has run to SIGKILL; nothing is left, nothing stays stopped.
for how in pid group; do
	run_session --headless -q -j2 "$stubborn" ::: a b
	check "KILL ($how): tasks running" wait_for 20 nmarked_is 2
	if [ $how = pid ]; then kill -KILL "$pid"; else kill -KILL "-$pid"; fi
	wait "$pid" 2>/dev/null
	if wait_for "$LIMIT" pool_gone "$pid"; then
		ok "KILL ($how): workers, keeper and tasks gone, segment and socket removed"
	else
		# shellcheck disable=SC2046
		fail "KILL ($how): left [$(in_session "$pid")] states [$(states $(in_session "$pid"))]"
	fi
	ntasks=$((ntasks + 2))
done
figures "tasks=$ntasks faults=6"
finish
