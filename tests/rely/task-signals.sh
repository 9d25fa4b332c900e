#!/bin/sh
# Signals blocked or ignored in the supervisor never leak into tasks: every
# task starts with an empty signal mask and every disposition at its
# default, even when pooltop itself was started with signals ignored
# (nohup-style) and blocked, and also under the dashboard (ncurses installs
# handlers of its own).  Checked from /proc/PID/status (SigBlk, SigIgn) of
# a task exec'd directly, and of processes a shell task starts (a shell
# changes its own mask while it forks, so it is read from its children).
# The pool's own processes (workers, keeper) ignore exactly its list.
#
# Signals 32 and 33 are glibc's own (SIGCANCEL, SIGSETXID): glibc's
# posix_spawn leaves them ignored in the child, and every glibc program
# installs its own handlers for them at start, so they are masked out here.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

env --block-signal=USR1 true 2>/dev/null || skip "env --block-signal is needed (coreutils 9)"
ZERO=0000000000000000
# sigs FILE: the SigBlk and SigIgn masks found in FILE, "blk ign" per line,
# without signals 32 and 33.
sigs() {
	awk '/^SigBlk:/ { b = $2 } /^SigIgn:/ { print b, $2 }' "$1" |
	    while read -r b i; do
		printf '%016x %016x\n' $((0x$b & ~0x180000000)) $((0x$i & ~0x180000000))
	    done
}
clean() { [ -n "$(sigs "$1")" ] && [ -z "$(sigs "$1" | grep -v "^$ZERO $ZERO\$")" ]; }

# Started with INT, QUIT, HUP, PIPE, TSTP ignored and USR1, TERM, CHLD blocked.
env --ignore-signal=INT,QUIT,HUP,PIPE,TSTP --block-signal=USR1,TERM,CHLD \
    "$POOLTOP_BIN" --headless -q -j2 grep -h Sig /proc/self/status {} ::: /dev/null /dev/null >"$T/direct" 2>&1
env --ignore-signal=INT,QUIT,HUP,PIPE,TSTP --block-signal=USR1,TERM,CHLD \
    grep -h Sig /proc/self/status >"$T/control"
check "control: without pooltop they would leak" \
    [ "$(awk '/^SigIgn:/ {print $2}' "$T/control")" != "$ZERO" ]
check "direct exec: empty mask, nothing ignored" clean "$T/direct"
env --ignore-signal=INT,QUIT,HUP,PIPE,TSTP --block-signal=USR1,TERM,CHLD \
    "$POOLTOP_BIN" --headless -q -j2 'grep Sig /proc/self/status; sh -c "grep Sig /proc/self/status"; : {}' ::: a b >"$T/shell" 2>&1
check "children of a shell task, and of its child: empty mask, nothing ignored" clean "$T/shell"
check "four processes checked" [ "$(sigs "$T/shell" | wc -l)" -eq 4 ]

# Under the dashboard.
if command -v tmux >/dev/null 2>&1; then
	. "$POOLTOP_SRCDIR/tests/tui/tuilib.sh"
	tui_start
	run_in_tui "$POOLTOP_BIN --refresh 100 -j2 --results $T/res grep -h Sig /proc/self/status {} ::: /dev/null /dev/null"
	check "dashboard run ends" wait_until $LIMIT exited
	cat "$T"/res/*/stdout >"$T/dash" 2>/dev/null
	check "dashboard tasks: empty mask, nothing ignored" clean "$T/dash"
fi

# The pool's own processes, its workers and the keeper, ignore the
# terminal's signals and the pool's controls, which are the supervisor's
# (util.h: signal_pool_ignored), and no other: HUP INT QUIT USR1 USR2 PIPE
# TSTP TTIN TTOU WINCH, by their Linux numbers.
own=0
for n in 1 2 3 10 12 13 20 21 22 28; do
	own=$((own | 1 << (n - 1)))
done
own=$(printf '%016x' "$own")
run_pool --headless -q -j2 sleep {} ::: "$MARK" "$MARK"
check "pool: two tasks run" wait_for 20 nmarked_is 2
# own_ignore: the supervisor's three children each ignore $own (a child
# sets its signals once it runs: polled).
own_ignore() {
	_n=0
	for _c in $(children "$pid"); do
		grep Sig "/proc/$_c/status" >"$T/own" 2>/dev/null || return 1
		[ "$(sigs "$T/own" | cut -d' ' -f2)" = "$own" ] || return 1
		_n=$((_n + 1))
	done
	[ "$_n" -eq 3 ]
}
check "two workers and the keeper ignore the pool's signals, no other" \
    wait_for 10 own_ignore
kill -TERM "$pid"
reap "$pid" 20
check "pool ends on TERM" [ $? -ne 124 ]
check "its tasks end" wait_for 20 no_marked
figures tasks=8 faults=0 hostile=0 lost=0
finish
