#!/bin/sh
# The open-file limit caps parallelism instead of breaking the run: with
# `ulimit -n 32` and -j100, pooltop warns once, runs as many workers as the
# limit allows (one descriptor each in the supervisor, three with
# --results), keeps answering on its control socket, refuses to resize past
# the cap, and loses no item.  With `ulimit -n 16` it still runs, on a few
# (tests/rely/fd-limit-sweep.sh tries every limit down to the smallest).
# A control client that arrives when the supervisor has no descriptor left
# (its limit lowered under it) waits without the supervisor spinning on
# accept(), and is served once descriptors are back.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

command -v prlimit >/dev/null 2>&1 || skip "prlimit (util-linux) is needed"
export GO="$T/go"
TASK=": $MARK; while [ ! -e \"\$GO\" ]; do sleep 0.05; done; echo \"\$1\""
ntasks() { pgrep -f "^sh -c : $MARK;" | wc -l; }
lost=0

# limited NOFILE OUT ARGS...: pooltop under that limit, 200 items.
limited() {
	_n=$1 _out=$2; shift 2
	rm -f "$GO"
	env --default-signal=INT prlimit --nofile="$_n" "$POOLTOP_BIN" --headless -q \
	    "$@" sh -c "$TASK" sh ::: $(seq 1 200) >"$_out" 2>"$T/e" &
	pid=$!
	_bgpids="${_bgpids:-} $pid"
}
# settled: the pool answers and runs as many tasks as it has workers.
settled() {
	_w=$(status_py "$pid" "d['live_workers']")
	[ -n "$_w" ] && [ "$_w" -gt 0 ] && [ "$(ntasks)" -eq "$_w" ] &&
	    is_py "$pid" "d['running']" "$_w"
}

limited 32 "$T/o1" -j100
check "32: the pool settles" wait_for 30 settled
cap=$(status_py "$pid" "d['live_workers']")
if [ "$cap" -gt 1 ] && [ "$cap" -lt 100 ]; then
	ok "32: capped below 100 workers (at $cap)"
else
	fail "32: capped below 100 workers (at $cap)"
fi
check "32: target lowered to the cap" is_py "$pid" "d['target_workers']" "$cap"
check "32: warned once, naming the limit" \
    [ "$(grep -c "open file limit 32: workers limited to $cap (of 100)" "$T/e")" -eq 1 ]
check "32: the control socket answers" answers "$pid"
"$POOLTOP_BIN" ctl "$pid" resize 100 >/dev/null 2>&1
check "32: resize 100 stays at the cap" is_py "$pid" "d['target_workers']" "$cap"
touch "$GO"
wait "$pid"
rc=$?
check "32: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "32: every item ran once" [ "$(sort -n "$T/o1" | tr '\n' ' ')" = "$(seq 1 200 | tr '\n' ' ')" ]
lost=$((lost + 200 - $(sort -un "$T/o1" | wc -l)))

# --results costs two more descriptors per running task.
limited 32 "$T/o2" -j100 --results "$T/res"
check "32 --results: the pool settles" wait_for 30 settled
rcap=$(status_py "$pid" "d['live_workers']")
check "32 --results: fewer workers ($rcap < $cap)" [ "$rcap" -lt "$cap" ]
touch "$GO"
wait "$pid"
rc=$?
check "32 --results: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "32 --results: 200 results" [ "$(cat "$T"/res/*/stdout | sort -un | wc -l)" -eq 200 ]
lost=$((lost + 200 - $(cat "$T"/res/*/stdout | sort -un | wc -l)))

# Very few descriptors: a few workers, still every item.
limited 16 "$T/o3" -j100
touch "$GO"
wait "$pid"
rc=$?
check "16: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "16: warned: a few workers" grep -Eq "open file limit 16: workers limited to [1-9] \(of 100\)" "$T/e"
check "16: every item ran once" [ "$(sort -n "$T/o3" | tr '\n' ' ')" = "$(seq 1 200 | tr '\n' ' ')" ]
lost=$((lost + 200 - $(sort -un "$T/o3" | wc -l)))

# No descriptor for accept(): lower the running supervisor's limit to its
# lowest free descriptor, send a request, and count its CPU meanwhile.
limited 1024 "$T/o4" -j2
check "accept: the pool settles" wait_for 30 settled
free=$(ls "/proc/$pid/fd" | sort -n | awk '$1 != NR - 1 { print NR - 1; f = 1; exit }
    END { if (!f) print NR }')
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
t0=$(ticks "$pid")
prlimit --pid "$pid" --nofile="$free:1024"
"$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1]); s.sendall(b"status\n"); s.settimeout(3)
try:
    print("answered" if s.recv(100) else "closed")
except socket.timeout:
    print("waiting")' "$XDG_RUNTIME_DIR/pooltop/$pid.sock" >"$T/client"
used=$(($(ticks "$pid") - t0))
prlimit --pid "$pid" --nofile=1024:1024
check "accept: no descriptor, the request waits ($(cat "$T/client"))" \
    [ "$(cat "$T/client")" = waiting ]
check "accept: the supervisor did not spin (${used} ticks in 3 s)" [ "$used" -lt 50 ]
check "accept: served again once descriptors are back" wait_for 10 answers "$pid"
touch "$GO"
wait "$pid"
rc=$?
check "accept: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "accept: every item ran once" [ "$(sort -n "$T/o4" | tr '\n' ' ')" = "$(seq 1 200 | tr '\n' ' ')" ]
lost=$((lost + 200 - $(sort -un "$T/o4" | wc -l)))
figures tasks=800 faults=4 hostile=0 lost=$lost
finish
