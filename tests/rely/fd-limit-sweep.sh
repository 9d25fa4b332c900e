#!/bin/sh
# Every open-file limit from one too small to start anything up to a
# comfortable one, in every mode (here plain, --keep-order, --results and
# --line-buffer; fd-limit-sweep-persist.sh runs this for --persistent with
# and without --init, and the dashboard on a pty), with
# 0 to FD_SWEEP_HELD control connections held open by a hostile client that
# reconnects whenever it is dropped.  Each run either completes every item
# exactly once (joblog and task side both checked, then `--resume` runs
# nothing more), or refuses at start: exit 255, an error naming the open
# file limit, nothing started.  No run may hang (each is bounded), and none
# may leave a process, a segment or a socket behind.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

command -v prlimit >/dev/null 2>&1 || skip "prlimit (util-linux) is needed"
LO=${FD_SWEEP_LO:-4}
HI=${FD_SWEEP_HI:-24}
N=${FD_SWEEP_ITEMS:-6}
HELD=${FD_SWEEP_HELD:-3}
WAIT=${FD_SWEEP_WAIT:-30}
MODES=${FD_SWEEP_MODES:-${sweep_modes:-"plain keep-order results line-buffer"}}
[ "$LO" -ge 1 ] && [ "$HI" -ge "$LO" ] && [ "$HI" -le 256 ] &&
    [ "$N" -ge 1 ] && [ "$N" -le 1000 ] && [ "$HELD" -ge 0 ] &&
    [ "$HELD" -le 64 ] || { echo "bad FD_SWEEP_* sizes"; exit 99; }
if ! command -v script >/dev/null 2>&1; then
	MODES=$(echo "$MODES" | sed 's/dashboard//')
	echo "# no script(1): the dashboard mode is not tried"
fi

# The tasks note each run on the task side, wait for GO while connections
# are being held, then print their item.  $MARK finds them.
export RAN="$T/ran" GO="$T/go"
TASK=": $MARK; echo \"\$1\" >>\"\$RAN\"; while [ ! -e \"\$GO\" ]; do sleep 0.02; done; echo \"\$1\""
PROG=": $MARK; while read -r l; do echo \"\$l\" >>\"\$RAN\"; while [ ! -e \"\$GO\" ]; do sleep 0.02; done; echo \"\$l\"; done"

# holder DIR COUNT READY PID: hold COUNT connections to the socket that
# appears in DIR, reconnecting each one the pool drops; READY is created
# once each was tried.  Ends when the socket is gone, or never comes while
# PID lives (bounded).
cat >"$T/holder.py" <<'EOF'
import glob, os, select, socket, sys, time
d, count, ready, pid = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
end = time.time() + 60
path = None
def alive():
    try:
        with open("/proc/%s/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
while time.time() < end and path is None and alive():
    socks = glob.glob(os.path.join(d, "*.sock"))
    path = socks[0] if socks else None
    time.sleep(0.01)
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
        return s
    except OSError:
        s.close()
        return None
held = []
while path is not None and os.path.exists(path) and time.time() < end:
    while len(held) < count and os.path.exists(path):
        s = conn()
        if s is None:
            break
        held.append(s)
    if not os.path.exists(ready):
        open(ready, "w").close()    # all tried once, held or refused
    r, _, _ = select.select(held, [], [], 0.05)
    for s in r:
        try:
            gone = s.recv(4096) == b""
        except OSError:
            gone = True
        if gone:
            held.remove(s)
            s.close()
open(ready, "w").close()
EOF

runs=0 completed=0 refused=0 lost=0 tasks=0
lowest_run=""

# args MODE: the options and command of a run in MODE, one a line.
args() {
	case $1 in
	keep-order)	echo --keep-order ;;
	results)	printf '%s\n' --results "$T/res" ;;
	line-buffer)	echo --line-buffer ;;
	persistent)	printf '%s\n' --persistent "$PROG"; return ;;
	init)		printf '%s\n' --persistent "$PROG" --init "true $MARK"
			return ;;
	chunk-results)	printf '%s\n' --persistent "$PROG" --chunksize 3 \
			    --results "$T/res"
			return ;;
	esac
	printf '%s\n' sh -c "$TASK" sh
}

# pool LIMIT MODE ARGS...: pooltop under LIMIT in the background ($pid).
pool() {
	_l=$1 _m=$2; shift 2
	if [ "$_m" = dashboard ]; then
		TERM=xterm script -qec "$(quote prlimit --nofile="$_l" \
		    "$POOLTOP_BIN" --dashboard -j4 --joblog "$T/jl" "$@")" \
		    /dev/null </dev/null >"$T/out" 2>&1 &
	else
		env --default-signal=INT,QUIT prlimit --nofile="$_l" \
		    "$POOLTOP_BIN" --headless -q -j4 --joblog "$T/jl" "$@" \
		    >"$T/out" 2>"$T/err" &
	fi
	pid=$!
	_bgpids="${_bgpids:-} $pid"
}

# quote ARGS...: the words quoted for sh -c.
quote() {
	for _w in "$@"; do
		printf "'%s' " "$(printf '%s' "$_w" | sed "s/'/'\\\\''/g")"
	done
}

# ran_once: every item noted exactly once on the task side.
ran_once() { [ "$(sort -n "$RAN" 2>/dev/null | tr '\n' ' ')" = "$(seq 1 "$N" | tr '\n' ' ')" ]; }
# logged_once: the joblog holds every item once, each a success.
logged_once() {
	[ "$(tail -n +2 "$T/jl" | awk -F'\t' '$7 == 0 && $8 == 0 { print $1 }' |
	    sort -n | tr '\n' ' ')" = "$(seq 1 "$N" | tr '\n' ' ')" ] &&
	    [ "$(tail -n +2 "$T/jl" | wc -l)" -eq "$N" ]
}
# nothing_started: no task ran, the joblog records nothing, no output.
nothing_started() {
	[ ! -s "$RAN" ] && [ "$(tail -n +2 "$T/jl" 2>/dev/null | wc -l)" -eq 0 ] &&
	    [ -z "$(ls "$T/res" 2>/dev/null)" ]
}
# leftovers: what of the pool is still there (empty: nothing).
leftovers() {
	pgrep -f -- "$MARK" | sed 's/^/process /'
	segments "$1" | sed 's/^/segment /'
	for _s in "$XDG_RUNTIME_DIR"/pooltop/*.sock; do
		[ -e "$_s" ] && echo "socket $_s"
	done
}
no_leftovers() { [ -z "$(leftovers "$1")" ]; }

# one MODE LIMIT HELD: one run, checked.
one() {
	_m=$1 _l=$2 _h=$3 _what="$1 nofile=$2 held=$3" _t0=$(now_ns)
	rm -rf "$T/res" "$T/jl" "$RAN" "$GO" "$T/ready" "$T/out" "$T/err"
	set -f
	IFS='
'
	# shellcheck disable=SC2046
	set -- $(args "$_m")
	unset IFS
	set +f
	runs=$((runs + 1))
	pool "$_l" "$_m" "$@" ::: $(seq 1 "$N")
	if [ "$_h" -gt 0 ]; then
		"$PY" "$T/holder.py" "$XDG_RUNTIME_DIR/pooltop" "$_h" \
		    "$T/ready" "$pid" &
		hpid=$!
		wait_for "$WAIT" sh -c "[ -e '$T/ready' ] ||
		    ! kill -0 $pid 2>/dev/null"
	fi
	touch "$GO"
	reap "$pid" "$WAIT"
	rc=$?
	[ "$_h" -gt 0 ] && { wait "$hpid" 2>/dev/null || true; }
	# A segment name taken before we started (by a pool that died, or a
	# test of squatters) says nothing about descriptors: again, new pid.
	if [ "$rc" -eq 255 ] && [ "${_again:-0}" -lt 3 ] &&
	    cat "$T/err" "$T/out" 2>/dev/null | grep -q "segment .* already exists"; then
		echo "# $_what: segment name of pid $pid taken by another: again"
		_again=$((${_again:-0} + 1)) runs=$((runs - 1))
		one "$_m" "$_l" "$_h"
		_again=0
		return
	fi
	if [ "$rc" -eq 124 ]; then
		fail "$_what: hung (killed after $WAIT s)"
		lost=$((lost + N))
	elif [ "$rc" -eq 0 ]; then
		completed=$((completed + 1))
		tasks=$((tasks + N))
		[ -z "$lowest_run" ] && lowest_run="$_m:$_l"
		_bad=""
		ran_once || _bad="$_bad ran:[$(sort -n "$RAN" | tr '\n' ' ')]"
		logged_once || _bad="$_bad joblog"
		if [ -n "$(args "$_m" | grep -x -- --results)" ]; then
			[ "$(cat "$T"/res/*/stdout 2>/dev/null | sort -n | tr '\n' ' ')" = \
			    "$(seq 1 "$N" | tr '\n' ' ')" ] || _bad="$_bad results"
		fi
		# --resume afterwards: nothing more runs.
		rm -f "$RAN"
		prlimit --nofile="$_l" "$POOLTOP_BIN" --headless -q -j4 \
		    --joblog "$T/jl" --resume "$@" ::: $(seq 1 "$N") \
		    >/dev/null 2>&1
		_rrc=$?
		[ "$_rrc" -eq 0 ] && [ ! -s "$RAN" ] ||
		    _bad="$_bad resume(rc $_rrc, ran $(tr '\n' ' ' 2>/dev/null <"$RAN"))"
		if [ -n "$_bad" ]; then
			fail "$_what: completed but:$_bad"
			lost=$((lost + 1))
		fi
	elif [ "$rc" -eq 255 ]; then
		refused=$((refused + 1))
		_err="$T/err"
		if [ "$_m" = dashboard ]; then
			# What the terminal shows once the dashboard is gone.
			_err="$T/shown"
			sed 's/\x1b\[?1049l/\n@@gone@@\n/g' "$T/out" | awk '
			    /@@gone@@/ { b = ""; next } { b = b $0 "\n" }
			    END { printf "%s", b }' >"$_err"
		fi
		if ! grep -q "open file limit $_l is too low\|Too many open files" "$_err"; then
			fail "$_what: exit 255 without naming the limit: $(head -c 300 "$_err")"
		elif ! nothing_started; then
			fail "$_what: refused after starting tasks (ran: $(tr '\n' ' ' 2>/dev/null <"$RAN"))"
			lost=$((lost + 1))
		fi
		[ -n "$lowest_run" ] && [ "${lowest_run%%:*}" = "$_m" ] &&
		    fail "$_what: refused although nofile=${lowest_run#*:} ran"
	else
		fail "$_what: exit $rc: $(head -c 300 "$T/err" 2>/dev/null)$(tail -c 300 "$T/out")"
		lost=$((lost + 1))
	fi
	if ! wait_for 10 no_leftovers "$pid"; then
		fail "$_what: left behind: $(leftovers "$pid" | tr '\n' ' ')"
		# shellcheck disable=SC2046
		kill -9 $(pgrep -f -- "$MARK") 2>/dev/null
	fi
	rm -f "$XDG_RUNTIME_DIR"/pooltop/*.sock
	echo "# $_what: exit $rc in $(ms_since "$_t0") ms"
}

for m in $MODES; do
	lowest_run="" before=$_failed
	l=$LO
	while [ "$l" -le "$HI" ]; do
		one "$m" "$l" $((l % (HELD + 1)))
		l=$((l + 1))
	done
	if [ "$_failed" -gt "$before" ]; then
		fail "$m: $((_failed - before)) of the runs above failed"
	elif [ -n "$lowest_run" ]; then
		ok "$m: every limit from $LO to $HI ran or refused cleanly; the lowest that ran: ${lowest_run#*:}"
	else
		fail "$m: no limit up to $HI ran"
	fi
done
echo "# $runs runs: $completed completed, $refused refused at start"
figures tasks=$tasks faults=$runs hostile=0 lost=$lost
finish
