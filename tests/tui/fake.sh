#!/bin/sh
# The dashboard against tests/tui/fakepool, whose segment holds known values
# and hostile strings and which logs every command it receives: escaping,
# the command each key sends, error replies, the detail view, filter, help,
# sort, themes, NO_COLOR, a small terminal and the ASCII fallback.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tuilib.sh"

FAKEPOOL=${FAKEPOOL:-$(dirname "$POOLTOP_BIN")/../tests/tui/fakepool}
[ -x "$FAKEPOOL" ] || skip "$FAKEPOOL is not built (make check builds it)"

N="fake$$"
CMDS="$T/cmds"
: >"$CMDS"

# start_fake: a fake pool with 4 workers; its pid in $fpid.
start_fake() {
	bg "$FAKEPOOL" 4 "$CMDS" "$N" >"$T/fp.pid"
	wait_until $LIMIT test -s "$T/fp.pid" || { fail "fakepool did not start"; finish; }
	fpid=$(cat "$T/fp.pid")
}

# sent LINE: the fake pool received exactly this command line, last.
sent() { [ "$(tail -n 1 "$CMDS")" = "$1" ]; }

start_fake
tui_start
run_in_tui "$POOLTOP_BIN attach $N"
check "attach: the fake pool is shown" wait_until $LIMIT on_screen "workers 4/4 .*$N"

# Nothing from the segment reaches the terminal as a control sequence.
check "escaped: label shows its escape bytes" on_screen 'fake task 3 \\x1b\[2J'
check "escaped: event text shows its escape bytes" \
    on_screen 'evil \\x1b\[41mevent\\x1b\[0m text'
check "escaped: the OSC title sequence did not reach the terminal" \
    sh -c "! tmux -L $TMUX_SOCK display -p '#{pane_title}' | grep -q pwned"
check "header: counts from the segment" \
    on_screen "running 4 +queued 40 +done 57 +failed 3 +retried 2 +total 104"
check "header: admission and its reason, escaped" \
    on_screen "total 104 +admission holding: load 3.10 >= 2 \\\\x1b\[2J"
check "header: progress 60/104" on_screen "60/104 +57%"
check "row: task progress bar" on_screen "^ +1 .* 25% +#100 "
check "row: memory" on_screen "^ +2 .* 2048K "

# Each key sends its command line.
key Home p
check "p sends toggle 1" wait_until $LIMIT sent "toggle 1"
key j k
check "k sends kill 2" wait_until $LIMIT sent "kill 2"
key K
check "K sends kill 2 KILL" wait_until $LIMIT sent "kill 2 KILL"
key +
check "+ sends resize +1" wait_until $LIMIT sent "resize +1"
key -
check "- sends resize -1" wait_until $LIMIT sent "resize -1"
key =
check "= opens the prompt" wait_until $LIMIT on_screen "^Workers \(N, \+N, -N"
key 3 ! Enter
check "= 3! sends resize 3 --kill" wait_until $LIMIT sent "resize 3 --kill"
key = 5 Enter
check "= 5 sends resize 5" wait_until $LIMIT sent "resize 5"
key = x y Enter
check "= xy: an error, nothing sent" \
    wait_until $LIMIT on_screen "^error: not a worker count"
check "= xy: nothing sent" sent "resize 5"
key = 2 Escape
check "= Esc: cancelled" wait_until $LIMIT gone_from_screen "^Workers \("
key r
check "r sends retry" wait_until $LIMIT sent "retry"
key P
check "P sends toggle" wait_until $LIMIT sent "toggle"
check "P: header shows PAUSED" wait_until $LIMIT on_screen "^ PAUSED "
: >"$CMDS"
key Space
check "space sends toggle" wait_until $LIMIT sent "toggle"
check "space: header shows RUNNING" wait_until $LIMIT on_screen "^ RUNNING "

# An error reply is shown on the status line.
key = 3 ! Enter
wait_until $LIMIT on_screen "^ +4 .* exited " >/dev/null
key End k
check "k on an exited worker: the pool's error is shown" \
    wait_until $LIMIT on_screen "^error: no task in slot [45]"

# The detail view.
key Home Enter
check "detail: environment" wait_until $LIMIT on_screen \
    "POOLTOP_SHM=/pooltop\.$(id -u)\.$fpid\.[0-9a-f]{16} POOLTOP_SLOT=1 POOLTOP_TASK=100 "
check "detail: PARALLEL_JOBSLOT" on_screen "PARALLEL_JOBSLOT=1"
check "detail: item" on_screen "^item +item-1"
check "detail: memory against --task-memory, and --task-cpus" \
    on_screen "memory [0-9.]+[KM] of [0-9.]+[KM]  limit 0\.50 CPUs"
check "detail: output tail, escaped" on_screen '^ \\x1b\[31mred\\x1b\[0m escape'
check "detail: a carriage return shows the latest text" on_screen "^ progress 90%"
check "detail: no overwritten text" gone_from_screen "progress 10%"
check "detail: last partial line" on_screen "^ last line"
key Escape
check "detail: Esc returns" wait_until $LIMIT on_screen "^SLOT "

# Filter, help, sort, themes.
key / t a s k Space 2
check "filter: only matching rows" wait_until $LIMIT gone_from_screen "fake task 1"
check "filter: the match stays" on_screen "fake task 2"
key Enter Escape
check "filter: Esc clears" wait_until $LIMIT on_screen "fake task 1"
key ?
check "help: overlay" wait_until $LIMIT on_screen "pooltop keys"
key x
check "help: any key closes" wait_until $LIMIT gone_from_screen "pooltop keys"
key s
check "s: sort by cpu" wait_until $LIMIT on_screen "^sort: cpu"
key t
check "t: light theme" wait_until $LIMIT on_screen "^theme: light"
key t t t
check "t: cycles back to default" wait_until $LIMIT on_screen "^theme: default"

# A small terminal keeps the header, the rows and the key bar.
tm resize-window -x 40 -y 10
check "40x10: header" wait_until $LIMIT on_screen "^ RUNNING +workers 3/3"
check "40x10: rows with their command" on_screen "^ +1 running .* fake task 1"
check "40x10: key bar" on_screen "^q Detach"
# At 80 columns the key bar's shorter words keep the views' keys.
tm resize-window -x 80 -y 24
check "80x24: the key bar shows a, f and v" wait_until $LIMIT on_screen \
    "^q Detach . Help p Pause P Pool k Kill .- Wkrs = Size a What f Fail v Grph"
tm resize-window -x 120 -y 40
check "120x40: the key bar's long words" wait_until $LIMIT on_screen \
    " a WhatIf f Failed v Graphs Enter Detail"

key q
check "q detaches" wait_until $LIMIT exited
check "q: the fake pool still runs" kill -0 "$fpid"

# NO_COLOR: no colour reaches the terminal and t says why.
run_in_tui "NO_COLOR=1 $POOLTOP_BIN attach $N"
wait_until $LIMIT on_screen "workers 3/3" >/dev/null
check "NO_COLOR: no colour codes on screen" sh -c \
    "! tmux -L $TMUX_SOCK capture-pane -p -e | grep -Eq '\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|38;5)m'"
key t
check "NO_COLOR: t explains" wait_until $LIMIT on_screen "colours are off"
key q
wait_until $LIMIT exited >/dev/null

# A locale without UTF-8: only ASCII on the screen.
run_in_tui "LC_ALL=C $POOLTOP_BIN attach $N"
wait_until $LIMIT on_screen "workers 3/3" >/dev/null
check "C locale: ASCII bars" on_screen "#+\.+ 60/104"
check "C locale: nothing but ASCII" sh -c \
    "! tmux -L $TMUX_SOCK capture-pane -p | LC_ALL=C grep -q '[^ -~]'"

# Q stops the pool; attach sees it end.
key Q
check "Q sends stop" wait_until $LIMIT sent "stop"
check "Q: attach exits when the pool is done" wait_until $LIMIT exited
check "Q: attach says the pool finished" \
    wait_until $LIMIT on_screen "pool $fpid has finished"
check "the fake pool ended" wait_until $LIMIT sh -c "! kill -0 $fpid 2>/dev/null"
check "the terminal is usable again" terminal_sane

finish
