#!/bin/sh
# SIGKILL of the supervisor at a random moment of each phase in which it
# holds state: start-up (before, while and after the segment, the socket and
# the workers are made), reading a large joblog for --resume, the back-off
# of a failing --init (no worker alive), and the respawn delay after a
# worker died young (no worker alive).  Half the kills go to the pid, half
# to the process group.  After every kill nothing of the pool is left: no
# process of its session, no task, no segment, no socket.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

LIMIT=${RELY_GONE_LIMIT:-5}		# seconds for everything to be gone
RUNS=${KILL_WINDOW_RUNS:-6}		# kills per phase
LINES=${KILL_WINDOW_LINES:-200000}	# joblog lines for the --resume phase
kills=0 left=0

# rand N: a random number in 0..N.
rand() { echo $(( $(od -An -N2 -tu2 /dev/urandom) % ($1 + 1) )); }

# kill_at PHASE MAXMS ARGS...: start a pool with ARGS in a session of its
# own, SIGKILL it after 0..MAXMS ms, check that nothing of it is left.
kill_at() {
	_phase=$1 _max=$2
	shift 2
	run_session "$@" >/dev/null 2>&1
	_ms=$(rand "$_max")
	sleep "$((_ms / 1000)).$(printf %03d $((_ms % 1000)))"
	if [ $((kills % 2)) -eq 0 ]; then
		kill -KILL "$pid" 2>/dev/null
	else
		# The group exists once setsid(1) has made it.
		wait_for 10 sh -c "[ \"\$(ps -o pgid= -p $pid | tr -d ' ')\" = $pid ]"
		kill -KILL "-$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	kills=$((kills + 1))
	if ! wait_for "$LIMIT" pool_gone "$pid"; then
		left=$((left + 1))
		echo "# $_phase, killed after $_ms ms: left processes [$(in_session "$pid")]" \
		    "tasks [$(marked)] segment [$(segments "$pid")]" \
		    "socket [$(ls "$XDG_RUNTIME_DIR/pooltop" 2>/dev/null)]"
		pkill -KILL -s "$pid" 2>/dev/null
	fi
}

# phase NAME MAXMS ARGS...: RUNS kills in that phase.
phase() {
	_name=$1
	_left0=$left
	_k=0
	while [ $_k -lt "$RUNS" ]; do
		kill_at "$@"
		_k=$((_k + 1))
	done
	check "$_name: $RUNS kills, nothing left after any" [ "$left" -eq "$_left0" ]
}

task="sh -c 'sleep $MARK & wait' {}"

phase "start-up" 60 --headless -q -j4 "$task" ::: 1 2 3 4 5 6

# A joblog that records every task but the last two as done.
seq 1 "$LINES" >"$T/items"
awk -v n="$LINES" 'BEGIN {
	print "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand"
	for (i = 1; i <= n - 2; i++)
		printf "%d\t:\t1700000000.000\t0.001\t0\t0\t0\t0\tx %d\n", i, i
}' >"$T/joblog"
cp "$T/joblog" "$T/jl"
t0=$(now_ns)
"$POOLTOP_BIN" --headless -q -j2 --resume --joblog "$T/jl" -a "$T/items" true
readms=$(ms_since "$t0")
check "--resume of a $LINES-line joblog runs the two tasks left" \
    [ "$(wc -l <"$T/jl")" -eq $((LINES + 1)) ]
echo "# reading and running the rest took $readms ms"
resume_kill() {
	cp "$T/joblog" "$T/jl"
	kill_at "$@"
}
_left0=$left
_k=0
while [ $_k -lt "$RUNS" ]; do
	resume_kill "--resume" "$readms" --headless -q -j2 --resume \
	    --joblog "$T/jl" -a "$T/items" "$task"
	_k=$((_k + 1))
done
check "--resume: $RUNS kills, nothing left after any" [ "$left" -eq "$_left0" ]

phase "--init back-off" 1500 --headless -q -j2 --persistent cat --init false ::: a b
# shellcheck disable=SC2016
phase "respawn delay" 1000 --headless -q -j1 'kill -9 $PPID; : {}' ::: $(seq 1 40)

figures "faults=$kills"
finish
