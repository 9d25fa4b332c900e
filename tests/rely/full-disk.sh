#!/bin/sh
# A full disk gives an explicit error and a clean stop: exit 255, a message
# naming the file and ENOSPC, no process of the pool left (tasks with
# grandchildren were running), no segment.  For the joblog, log, task
# output (stdout) and --results, on /dev/full from the start and on a tiny
# tmpfs that fills in mid-run (in a private mount namespace).  Nothing is
# lost: --resume on the joblog the full disk cut runs exactly the rest.
# And a full /dev/shm: at the start (exit 255, the segment named), and when
# a growing pool fills it (an error event; the run completes).
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

TASK="sleep $MARK & sleep 0.02"
ITEMS=$(seq 1 400)
faults=0

# full_from_start WHAT ARGS...: the file is /dev/full from the start.
full_from_start() {
	_what=$1; shift
	"$POOLTOP_BIN" --headless -j2 "$@" sh -c "$TASK" ::: 1 2 3 >"$T/o" 2>"$T/e"
	rc=$?
	check "$_what on /dev/full: exit 255 (got $rc)" [ "$rc" -eq 255 ]
	check "$_what on /dev/full: says no space" grep -q "No space left on device" "$T/e"
	check "$_what on /dev/full: nothing left" wait_for 10 no_marked
	faults=$((faults + 1))
}
full_from_start joblog --joblog /dev/full
full_from_start log --log /dev/full
"$POOLTOP_BIN" --headless -q -j2 sh -c "echo {}; $TASK" ::: 1 2 3 >/dev/full 2>"$T/e"
rc=$?
check "stdout on /dev/full: exit 255 (got $rc)" [ "$rc" -eq 255 ]
check "stdout on /dev/full: says so" grep -q "output: .*No space left on device" "$T/e"
check "stdout on /dev/full: nothing left" wait_for 10 no_marked
faults=$((faults + 1))

# Mid-run: a 16 kB tmpfs, in a mount namespace of its own.
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null 2>&1 ||
    ! unshare -m sh -c "mount -t tmpfs -o size=16k tmpfs $T" 2>/dev/null; then
	echo "# mid-run cases skipped: need root, unshare and tmpfs"
	figures tasks=0 faults=$faults hostile=0 lost=0
	finish
fi
mkdir "$T/small"

# mid_run WHAT OPTS: run in a namespace where $T/small is a full-to-be tmpfs
# of $SIZE.
mid_run() {
	_what=$1; shift
	env --default-signal=INT unshare -m sh -c 'mount -t tmpfs -o size=$2 tmpfs "$1" &&
	    shift 2 && exec "$@"' sh "$T/small" "$SIZE" "$POOLTOP_BIN" --headless -j3 "$@" \
	    sh -c "echo {}; $TASK" ::: $ITEMS >"$T/o" 2>"$T/e"
	rc=$?
	check "$_what fills mid-run: exit 255 (got $rc)" [ "$rc" -eq 255 ]
	check "$_what fills mid-run: message names it" grep -q "$2.*No space left on device" "$T/e"
	_done=$(sed -n 's/^pooltop: .* tasks: \([0-9]*\) done.*/\1/p' "$T/e")
	check "$_what fills mid-run: ${_done:-no} tasks done first" [ "${_done:-0}" -gt 0 ]
	check "$_what fills mid-run: the run stopped early" [ "${_done:-400}" -lt 400 ]
	check "$_what fills mid-run: no task or grandchild left" wait_for 10 no_marked
	faults=$((faults + 1))
}
# The joblog: the namespace keeps what it wrote, so copy it out from there.
env --default-signal=INT unshare -m sh -c 'mount -t tmpfs -o size=16k tmpfs "$1" &&
    "$2" --headless -j3 --joblog "$1/jl" sh -c "$3" ::: $4 >"$5/o" 2>"$5/e"
    echo $? >"$5/rc"; cp "$1/jl" "$5/jl"' sh "$T/small" "$POOLTOP_BIN" ": {}; $TASK" "$ITEMS" "$T"
rc=$(cat "$T/rc")
check "joblog fills mid-run: exit 255 (got $rc)" [ "$rc" -eq 255 ]
check "joblog fills mid-run: message names it" grep -q "joblog $T/small/jl: No space left on device" "$T/e"
check "joblog fills mid-run: no task or grandchild left" wait_for 10 no_marked
n=$(tail -n +2 "$T/jl" | grep -c "	")
check "joblog fills mid-run: $n tasks recorded first" [ "$n" -gt 10 ]
check "joblog fills mid-run: stopped early" [ "$n" -lt 400 ]
faults=$((faults + 1))
# Nothing lost: --resume (on a disk with room) runs exactly the rest.
tail -n +2 "$T/jl" | grep -a "	" | awk -F'\t' 'NF == 9 {print $1}' | sort -n >"$T/had"
export RAN="$T/ran"
"$POOLTOP_BIN" --headless -q -j3 --joblog "$T/jl" --resume sh -c ': {}; echo {} >>"$RAN"' ::: $ITEMS >/dev/null 2>&1
check "joblog fills mid-run: --resume completes the run" [ $? -eq 0 ]
if [ "$(sort -n "$RAN" | tr '\n' ' ')" = "$(seq 1 400 | sort -n | comm -23 - "$T/had" 2>/dev/null | sort -n | tr '\n' ' ')" ] ||
    [ "$(cat "$RAN" "$T/had" | sort -n | tr '\n' ' ')" = "$(seq 1 400 | tr '\n' ' ')" ]; then
	ok "--resume ran exactly the unrecorded tasks"
else
	fail "--resume ran exactly the unrecorded tasks"
fi
lost=$((400 - $(tail -n +2 "$T/jl" | cut -f1 | sort -un | wc -l)))

SIZE=16k mid_run log --log "$T/small/log"
SIZE=128k mid_run results --results "$T/small/res"
# Whichever of a task's results files the disk refuses, the message names
# it as DIR/SEQ/NAME (or DIR/SEQ for its directory).
check "results fills mid-run: message names DIR/SEQ[/NAME]" \
    grep -Eq "$T/small/res/[0-9]+(/[a-z]+)?: No space left on device" "$T/e"

# /dev/shm full.  The segment gets memory for its header, events and
# history, and for the starting workers' slots, before anything runs (a
# clear error when there is none); more slots get theirs as the pool grows
# (an error event then, and the run goes on).  In a namespace whose
# /dev/shm is a tiny tmpfs; each case says whether a segment is left there.
# shm_ns SIZE SCRIPT ARGS...: run SCRIPT (sh) with /dev/shm SIZE big.
shm_ns() {
	_size=$1; shift
	rm -f "$T/rc" "$T/left"
	T=$T env --default-signal=INT unshare -m sh -c 'mount -t tmpfs -o size=$1 tmpfs /dev/shm &&
	    shift && eval "$1"; echo $? >"$T/rc"; ls /dev/shm | grep -c "^pooltop\." >"$T/left"' \
	    sh "$_size" "$@" >"$T/o" 2>"$T/e"
	rc=$(cat "$T/rc")
}
export POOLTOP_BIN TASK
shm_ns 16k '"$POOLTOP_BIN" --headless -j2 sh -c "$TASK" ::: 1 2 3'
check "/dev/shm full at start: exit 255 (got $rc)" [ "$rc" -eq 255 ]
check "/dev/shm full at start: names the segment and ENOSPC" \
    grep -Eq "segment /pooltop\.[0-9.a-f]+: cannot reserve [0-9]+ bytes: No space left on device" "$T/e"
check "/dev/shm full at start: no segment left" [ "$(cat "$T/left")" -eq 0 ]
check "/dev/shm full at start: no task ran" [ ! -s "$T/o" ]
faults=$((faults + 1))
shm_ns 128k '"$POOLTOP_BIN" --headless -j2 sh -c "echo {}; $TASK" ::: $(seq 20)'
check "/dev/shm of 128k: 2 workers run (exit $rc)" [ "$rc" -eq 0 ]
check "/dev/shm of 128k: 2 workers run every task" [ "$(sort -n "$T/o" | tr '\n' ' ')" = "$(seq 20 | tr '\n' ' ')" ]
check "/dev/shm of 128k: no segment left" [ "$(cat "$T/left")" -eq 0 ]
check "/dev/shm of 128k: nothing left" wait_for 10 no_marked
shm_ns 128k '"$POOLTOP_BIN" --headless -j200 sh -c "echo {}; $TASK" ::: 1 2 3'
check "/dev/shm too small for -j200: exit 255 (got $rc)" [ "$rc" -eq 255 ]
check "/dev/shm too small for -j200: says so" \
    grep -q "no memory for 200 workers' slots: No space left on device" "$T/e"
check "/dev/shm too small for -j200: no task ran" [ ! -s "$T/o" ]
check "/dev/shm too small for -j200: no segment left" [ "$(cat "$T/left")" -eq 0 ]
faults=$((faults + 1))
# Growing past what /dev/shm holds: resized from inside the namespace (the
# pool is found by its segment), polled with a bound until it answers.
shm_ns 128k '"$POOLTOP_BIN" --headless -j2 --name shmgrow sh -c "echo {}; sleep 0.05" ::: $(seq 100) &
	i=0; until "$POOLTOP_BIN" ctl shmgrow resize 60 >/dev/null 2>&1 || [ $i -ge 300 ]; do
		sleep 0.05; i=$((i + 1)); done; wait $!'
check "/dev/shm filled by growing: the run completes (exit $rc)" [ "$rc" -eq 0 ]
check "/dev/shm filled by growing: every task ran once" [ "$(sort -n "$T/o" | tr '\n' ' ')" = "$(seq 100 | tr '\n' ' ')" ]
check "/dev/shm filled by growing: says which slots are not shown" \
    grep -Eq "worker slot [0-9]+ and later not shown to readers: shared memory /pooltop\.[0-9.a-f]+: No space left on device" "$T/e"
check "/dev/shm filled by growing: no segment left" [ "$(cat "$T/left")" -eq 0 ]
check "/dev/shm filled by growing: nothing left" wait_for 10 no_marked
faults=$((faults + 1))

figures tasks=400 faults=$faults hostile=0 lost=$lost
finish
