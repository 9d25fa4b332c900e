#!/bin/sh
# `pooltop ls` removes the control sockets of pools that are gone; it must
# never remove the socket of a pool that is starting.  A loop runs `pooltop
# ls` back to back while POOLTOP_SWEEP_POOLS pools (20) start one after
# another: every pool answers `ctl status`, reports no control-socket error,
# runs its tasks and exits 0.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

NPOOLS=${POOLTOP_SWEEP_POOLS:-20}

# The sweeper: ls back to back until $T/stop exists.
bg sh -c 'while [ ! -e "$0/stop" ]; do "$1" ls >/dev/null 2>&1; done' \
    "$T" "$POOLTOP_BIN"

answered=0
clean=0
finished=0
n=0
while [ $n -lt "$NPOOLS" ]; do
	rm -f "$T/go"
	run_pool --headless -q -j2 sh -c \
	    "while [ ! -e $T/go ]; do sleep 0.05; done; echo {}" ::: a b \
	    >"$T/out" 2>"$T/err"
	# The socket appears once it answers: poll for it.
	if wait_for 20 answers "$pid"; then
		answered=$((answered + 1))
	else
		echo "# pool $n (pid $pid) did not answer"
	fi
	touch "$T/go"
	reap "$pid" 20
	rc=$?
	if grep -q "control socket" "$T/err"; then
		echo "# pool $n:"; sed 's/^/#   /' "$T/err"
	else
		clean=$((clean + 1))
	fi
	if [ "$rc" -eq 0 ] && [ "$(sort "$T/out" | tr '\n' ' ')" = "a b " ] &&
	    [ -z "$(find "$XDG_RUNTIME_DIR" -name "$pid.sock*")" ]; then
		finished=$((finished + 1))
	else
		echo "# pool $n (pid $pid): exit $rc"
	fi
	n=$((n + 1))
done
touch "$T/stop"
check "$answered of $NPOOLS pools answered ctl status while ls swept" \
    [ "$answered" -eq "$NPOOLS" ]
check "$clean of $NPOOLS reported no control-socket error" \
    [ "$clean" -eq "$NPOOLS" ]
check "$finished of $NPOOLS ran their tasks, exit 0, left no socket" \
    [ "$finished" -eq "$NPOOLS" ]
figures tasks=$((NPOOLS * 2)) faults=0 hostile=0 lost=0
finish
