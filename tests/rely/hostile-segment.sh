#!/bin/sh
# The segment is for readers only.  Another process of the pool's user
# (tests/rely/scribble, as any task could with POOLTOP_SHM) writes random
# bytes into it, lies in its header, slots and events (nslots flipped,
# task_pid and worker_pid 1 or a decoy's process group, supervisor_pid 1,
# the decoy or a dead pid, socket_path a decoy file, times at the ends of
# int64, strings without a NUL, odd seqlocks)
# and truncates it, while the pool runs, a worker is killed, and `pooltop
# ls`, `ls --json`, `ctl status` and `attach` read it.
#  - The pool finishes every task, exit 0 (truncation is no SIGBUS), and
#    signals nothing but its own: the decoy group lives, the decoy file
#    stays, the killed worker's real task is ended.
#  - Every reader exits normally every time (no crash, no sanitizer
#    report); ls never removes the live pool's segment or socket; ctl
#    reaches the pool by its ID; attach exits on q within 10 s.
#  - SIGKILL of the supervisor while socket_path names the decoy: the
#    decoy stays, no task survives.
# Sizes: POOLTOP_HOSTILE_MS (ms of scribbling per run, 3000),
# POOLTOP_HOSTILE_READS (ls, ls --json and ctl status runs, 30 each),
# POOLTOP_HOSTILE_ATTACH (attach sessions under tmux, 3).
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

SCRIBBLE=${SCRIBBLE:-$(dirname "$POOLTOP_BIN")/../tests/rely/scribble}
[ -x "$SCRIBBLE" ] || skip "$SCRIBBLE is not built"
MS=${POOLTOP_HOSTILE_MS:-3000}
READS=${POOLTOP_HOSTILE_READS:-30}
ATTACHES=${POOLTOP_HOSTILE_ATTACH:-3}
NTASKS=9
export GO="$T/go" PIDS="$T/pids"

# The decoy: a process group that is not the pool's, and a file.
"$PY" -c 'import os, sys, time; os.setsid(); time.sleep(600)' decoy &
decoy=$!
_bgpids="$decoy"
echo precious >"$T/decoy"

# A task: records its pid, posts progress, runs a marked grandchild and
# waits for $GO.
TASK=": $MARK; echo \$\$ >>\"\$PIDS\"; \"$POOLTOP_BIN\" progress 1/2; sleep $MARK & while [ ! -e \"\$GO\" ]; do sleep 0.05; done; kill \$!; echo done"

# reader_ok LOG: a reader's stderr shows no crash and no sanitizer report.
reader_ok() { ! grep -Eq "runtime error|AddressSanitizer|LeakSanitizer|Segmentation|Bus error|Aborted|core dumped" "$1"; }
bad_reads=0
# read_once ID: ls, ls --json (valid JSON) and ctl status, each must exit
# 0 with a clean stderr.
read_once() {
	"$POOLTOP_BIN" ls >"$T/ls.out" 2>"$T/ls.err"
	_a=$?
	"$POOLTOP_BIN" ls --json 2>>"$T/ls.err" | "$PY" -c 'import json, sys; json.load(sys.stdin)' 2>>"$T/ls.err"
	_b=$?
	"$POOLTOP_BIN" ctl "$1" status >/dev/null 2>"$T/ctl.err"
	_c=$?
	if [ $_a -ne 0 ] || [ $_b -ne 0 ] || [ $_c -ne 0 ] ||
	    ! reader_ok "$T/ls.err" || ! reader_ok "$T/ctl.err"; then
		bad_reads=$((bad_reads + 1))
		echo "# bad read: ls $_a, json $_b, ctl $_c" >&2
		head -n 5 "$T/ls.err" "$T/ctl.err" >&2
	fi
	grep -Eq "removed stale (segment /pooltop\.[0-9]+\.$1\.|socket .*/$1\.sock)" \
	    "$T/ls.err" && echo removed >>"$T/removed"
	return 0
}

# Under tmux when there is one: attach, let it draw, q, it must exit.
if command -v tmux >/dev/null 2>&1; then
	TMUX_SOCK="hs$$"
	unset TMUX
	tm() { tmux -L "$TMUX_SOCK" "$@"; }
	tm -f /dev/null new-session -d -x 120 -y 40 sh || ATTACHES=0
	tm set-option -g status off 2>/dev/null
	trap 'tm kill-server 2>/dev/null; cleanup_test' EXIT
else
	ATTACHES=0
fi
attached=0
bad_attach=0
# attach_start ID: attach (before the scribbling starts), wait for its
# screen.  attach_quit: q; it must exit 0 (detached) within 10 s with a
# clean stderr.
attach_start() {
	rm -f "$T/aexit" "$T/aerr"
	tm send-keys -l "$POOLTOP_BIN attach -d 50 $1 2>$T/aerr; echo \$? >$T/aexit.tmp; mv $T/aexit.tmp $T/aexit"
	tm send-keys Enter
	wait_for 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p | grep -q 'workers'" || true
}
attach_quit() {
	tm send-keys q
	if wait_for 10 test -f "$T/aexit" && [ "$(cat "$T/aexit")" = 0 ] &&
	    reader_ok "$T/aerr"; then
		attached=$((attached + 1))
	else
		bad_attach=$((bad_attach + 1))
		echo "# attach: exit $(cat "$T/aexit" 2>/dev/null)" >&2
		cat "$T/aerr" >&2 2>/dev/null
		tm send-keys C-c
	fi
}


group_gone() { [ -n "$1" ] && [ -z "$(pgrep -g "$1")" ]; }

# Run 1: the pool runs through it all, in rounds of scribbling, each with
# an attach session open from before it starts until after it ends.
rm -f "$PIDS"
run_pool --headless -j3 --retries 4 --log "$T/log" sh -c "$TASK" ::: $(seq $NTASKS) >"$T/out"
check "three tasks running" wait_for 20 sh -c "[ \$(cat '$PIDS' 2>/dev/null | wc -l) -ge 3 ]"
check "the pool answers" wait_for 10 answers "$pid"
seg=/$(segments "$pid")
sock="$XDG_RUNTIME_DIR/pooltop/$pid.sock"
if [ "$seg" != / ] && [ -S "$sock" ]; then
	ok "its segment and socket exist"
else
	fail "its segment and socket exist"
fi
rounds=$ATTACHES
[ "$rounds" -gt 0 ] || rounds=1
r=0
: >"$T/scribble1"
while [ $r -lt "$rounds" ]; do
	[ "$ATTACHES" -gt 0 ] && attach_start "$pid"
	"$SCRIBBLE" "$seg" all $((MS / rounds + 1)) "$decoy" "$T/decoy" >>"$T/scribble1" 2>&1 &
	scr=$!
	i=0
	while [ $i -lt $((READS / rounds + 1)) ]; do
		read_once "$pid"
		i=$((i + 1))
	done
	if [ $r -eq 0 ]; then
		# A worker dies while its slot may say task_pid 1 or the decoy:
		# its real task's group must end (long before $GO).
		w=$(workers_of "$pid" | head -n 1)
		wt=$(pgrep -P "$w" | head -n 1)
		kill -KILL "$w"
		check "a killed worker's task group is ended" wait_for 10 group_gone "$wt"
	fi
	wait "$scr"
	[ "$ATTACHES" -gt 0 ] && attach_quit
	r=$((r + 1))
done
check "the scribbler ran (and wrote)" grep -Eq "scribble: [1-9][0-9]* writes, [1-9]" "$T/scribble1"
check "$READS ls, ls --json and ctl status runs: all clean" [ "$bad_reads" -eq 0 ]
if [ "$bad_attach" -eq 0 ] && [ "$attached" -eq "$ATTACHES" ]; then
	ok "$ATTACHES attach sessions: each exited on q"
else
	fail "$ATTACHES attach sessions: each exited on q"
fi
if [ ! -e "$T/removed" ] && [ -n "$(segments "$pid")" ] && [ -S "$sock" ]; then
	ok "ls never removed anything of the live pool"
else
	fail "ls never removed anything of the live pool"
fi
check "the supervisor lives (no SIGBUS)" kill -0 "$pid"
check "the decoy group lives" kill -0 "$decoy"
touch "$GO"
reap "$pid" 60
rc=$?
check "every task done, exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "the worker's death was seen" grep -q "died during task" "$T/log"
check "the truncations were seen and repaired" grep -q "truncated by another process: restored" "$T/log"
check "no worker died but the one killed" [ "$(grep 'worker\.exit' "$T/log" | grep -vc 'status=0 ')" -eq 1 ]
check "$NTASKS tasks' output" [ "$(grep -c '^done$' "$T/out")" -eq "$NTASKS" ]
check "no task left running" wait_for 10 no_marked
check "the decoy group lives on" kill -0 "$decoy"
check "the decoy file is untouched" [ "$(cat "$T/decoy")" = precious ]
if wait_for 10 no_segment "$pid" && [ ! -e "$sock" ]; then
	ok "no segment, no socket"
else
	fail "no segment, no socket"
fi
w1=$(grep -Eo 'scribble: [0-9]+ writes, [0-9]+' "$T/scribble1" | awk '{n += $2 + $4} END {print n}')

# Run 2: SIGKILL of the supervisor while the segment names the decoy.
rm -f "$GO" "$PIDS"
run_pool --headless -j2 sh -c "$TASK" ::: 1 2 3 >/dev/null
check "run 2: two tasks running" wait_for 20 sh -c "[ \$(cat '$PIDS' 2>/dev/null | wc -l) -ge 2 ]"
check "run 2: the pool answers" wait_for 10 answers "$pid"
seg=/$(segments "$pid")
"$SCRIBBLE" "$seg" fields $((MS / 3 + 1)) "$decoy" "$T/decoy" >"$T/scribble2" 2>&1
kill -KILL "$pid"
"$SCRIBBLE" "$seg" fields 200 "$decoy" "$T/decoy" >>"$T/scribble2" 2>&1
check "run 2: no task left" wait_for 10 no_marked
if wait_for 10 no_segment "$pid" && [ ! -e "$XDG_RUNTIME_DIR/pooltop/$pid.sock" ]; then
	ok "run 2: no segment, no socket"
else
	fail "run 2: no segment, no socket"
fi
check "run 2: the decoy file is untouched" [ "$(cat "$T/decoy")" = precious ]
check "run 2: the decoy group lives" kill -0 "$decoy"
w2=$(grep -Eo 'scribble: [0-9]+ writes' "$T/scribble2" | awk '{n += $2} END {print n}')
kill "$decoy" 2>/dev/null
figures tasks=$((NTASKS + 2)) faults=2 hostile=$((w1 + w2)) lost=0
finish
