#!/bin/sh
# Big input keeps the supervisor's memory flat: with 5,000,000 input lines
# its peak RSS (VmHWM) stays within 10% of a 100,000-line run.
#
# How, in well under a minute: forking 5M tasks would take hours, so the
# supervisor streams all N lines but runs only 10 tasks.  A joblog records
# seqs 1..N-10 as done and the run uses --resume: every line is read from
# the file, numbered and skipped, the joblog (N-10 lines) is read too, and
# the last 10 run at once (-j10), each waiting for a go file.  While they
# wait, every line has been read; VmHWM is taken from /proc/PID/status then.
#
#   MEMORY_LINES=5000000  MEMORY_BASE_LINES=100000  MEMORY_SLACK_PCT=10
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

# Under AddressSanitizer freed memory sits in a quarantine (256 MB) before
# reuse, which would count every item ever freed: measure without it.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
export ASAN_OPTIONS
N=${MEMORY_LINES:-5000000}
B=${MEMORY_BASE_LINES:-100000}
PCT=${MEMORY_SLACK_PCT:-10}

cat >"$T/wait.sh" <<EOF
: $MARK
while [ ! -e "$T/go" ]; do sleep 0.05; done
EOF
waiting() { [ "$(pgrep -f "^sh $T/wait.sh" | wc -l)" -eq 10 ]; }

# peak LINES: run over LINES lines; print the supervisor's VmHWM in kB.
peak() {
	seq 1 "$1" >"$T/items"
	awk -v n="$1" 'BEGIN {
		print "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand"
		for (i = 1; i <= n - 10; i++)
			printf "%d\t:\t1795000000.000\t     0.001\t0\t0\t0\t0\tsh wait.sh %d\n", i, i
	}' >"$T/jl"
	rm -f "$T/go"
	"$POOLTOP_BIN" --headless -q -j10 --joblog "$T/jl" --resume -a "$T/items" \
	    sh "$T/wait.sh" >/dev/null 2>"$T/err.$1" &
	pid=$!
	_bgpids="${_bgpids:-} $pid"
	if ! wait_for 120 waiting; then
		echo "the last 10 tasks of $1 did not start" >&2
		kill -TERM "$pid"
		wait "$pid"
		return 1
	fi
	awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status"
	touch "$T/go"
	wait "$pid"
	_rc=$?
	[ "$_rc" -eq 0 ] || { echo "run of $1 lines: exit $_rc" >&2; return 1; }
	[ "$(tail -n +2 "$T/jl" | wc -l)" -eq "$1" ] || {
		echo "run of $1 lines: joblog not complete" >&2; return 1; }
}

t0=$(now_ns)
base=$(peak "$B")
check "base run of $B lines ($base kB)" [ -n "$base" ]
t1=$(now_ns)
big=$(peak "$N")
check "big run of $N lines ($big kB)" [ -n "$big" ]
t2=$(now_ns)
echo "# $B lines: VmHWM $base kB in $(( (t1 - t0) / 1000000 )) ms;" \
    "$N lines: VmHWM $big kB in $(( (t2 - t1) / 1000000 )) ms"
if [ -n "$base" ] && [ -n "$big" ]; then
	check "peak RSS of $N lines within $PCT% of $B lines" \
	    [ $((big * 100)) -le $((base * (100 + PCT))) ]
fi
rm -f "$T/items" "$T/jl"
figures tasks=20 faults=0 hostile=0 lost=0 lines=$((N + B))
finish
