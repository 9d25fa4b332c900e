#!/bin/sh
# No zombies after many tiny tasks at 64 workers (coalesced SIGCHLD is
# handled: every task is reaped and reported).  Items come through a FIFO
# the test keeps open, so once every task has ended the pool is still alive
# and idle: then neither the supervisor nor any worker may have a zombie
# child.  Then the input ends and the run must account for every item.
#
#   NO_ZOMBIES_TASKS=100000  the issue's full size (default 3000: a fork
#                            and exec costs ~4 ms on the 2-core CI machine)
#   NO_ZOMBIES_WORKERS=64
#   NO_ZOMBIES_LIMIT=600     seconds to wait for every task (1500 for 100000)
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

N=${NO_ZOMBIES_TASKS:-3000}
J=${NO_ZOMBIES_WORKERS:-64}

mkfifo "$T/in"
exec 3<>"$T/in"		# a writer first, so opening the reader does not block
"$POOLTOP_BIN" --headless -q -j"$J" --joblog "$T/jl" true <"$T/in" 3>&- &
pid=$!
_bgpids=$pid
seq 1 "$N" >&3
check "pool answers" wait_for 20 answers "$pid"
done_all() { is_py "$pid" "d['done']" "$N"; }
# Every task done: bounded by the machine's speed, polled once a second.
i=0
while [ $i -lt "${NO_ZOMBIES_LIMIT:-600}" ] && ! done_all; do
	sleep 1
	i=$((i + 1))
done
check "all $N tasks done while the input is still open" done_all
check "$J workers live" is_py "$pid" "d['live_workers']" "$J"

# zombies_under PID: zombie children of PID.
zombies_under() {
	for c in $(pgrep -P "$1"); do
		[ "$(awk '{print $3}' /proc/"$c"/stat 2>/dev/null)" = Z ] && echo "$c"
	done
}
# Each worker's idle state is published after its task is reaped, so a
# zombie could only be transient: poll a short while for none.
no_zombies() {
	for w in "$pid" $(pgrep -P "$pid"); do
		[ -z "$(zombies_under "$w")" ] || return 1
	done
	return 0
}
check "no zombie child of the supervisor or any worker" wait_for 5 no_zombies
check "no task process left" sh -c "[ -z \"\$(for w in \$(pgrep -P $pid); do pgrep -P \$w; done)\" ]"

exec 3>&-
wait "$pid"
rc=$?
check "run ends with status 0 (got $rc)" [ "$rc" -eq 0 ]
check "joblog has $N lines, each seq once" \
    [ "$(tail -n +2 "$T/jl" | cut -f1 | sort -un | wc -l)" -eq "$N" ]
check "no segment left" no_segment "$pid"
lost=$((N - $(tail -n +2 "$T/jl" | cut -f1 | sort -un | wc -l)))
figures tasks=$N faults=0 hostile=0 lost=$lost
finish
