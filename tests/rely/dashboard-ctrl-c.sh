#!/bin/sh
# Ctrl-C in the dashboard (through tmux), and SIGTERM sent to a dashboard
# pooltop from elsewhere: the pool's own shutdown runs (ncurses' handlers
# never bypass it), nothing of the pool survives, the exit status is the
# documented one, and the terminal's `stty -g` is what it was before.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"
. "$POOLTOP_SRCDIR/tests/tui/tuilib.sh"

N="rcc$$"
GONE=${RELY_GONE_LIMIT:-3}

# stty_now FILE: the window's `stty -g`, written to FILE.
stty_now() {
	rm -f "$1"
	tm send-keys -l "stty -g >$1.tmp; mv $1.tmp $1"
	tm send-keys Enter
	wait_until 10 test -f "$1"
}

# one_run HOW STATUS: start a dashboard pool, end it by HOW (ctrl-c or
# term), check what is left.
one_run() {
	stty_now "$T/stty.before" || { fail "$1: cannot read stty"; return; }
	run_in_tui "$POOLTOP_BIN --name $N --refresh 100 -j2 sh -c 'sleep $MARK & wait' ::: a b c"
	if ! wait_until $LIMIT on_screen "running 2 "; then
		screen
		fail "$1: the dashboard did not show two running tasks"
		return
	fi
	check "$1: tasks and grandchildren running" wait_for 20 nmarked_is 2
	spid=$(json_field "$N" supervisor_pid)
	workers=$(children "$spid")
	t0=$(now_ns)
	if [ "$1" = ctrl-c ]; then
		key C-c
	else
		kill -TERM "$spid"
	fi
	check "$1: pooltop exits" wait_until $LIMIT exited
	if wait_for "$GONE" all_gone "$spid" $workers; then
		ok "$1: supervisor, workers, tasks, grandchildren gone in $(ms_since "$t0") ms"
	else
		fail "$1: left behind: $(marked) $workers"
	fi
	check "$1: exit status $2 (got $(exit_status))" [ "$(exit_status)" = "$2" ]
	check "$1: no segment" no_segment "$spid"
	stty_now "$T/stty.after" || { fail "$1: cannot read stty after"; return; }
	check "$1: stty -g unchanged" cmp -s "$T/stty.before" "$T/stty.after"
	check "$1: the terminal is usable" terminal_sane
}

tui_start
one_run ctrl-c 130
one_run term 143
figures tasks=6 faults=2 hostile=0 lost=0
finish
