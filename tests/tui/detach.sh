#!/bin/sh
# --detach typed at a terminal: the command returns at once with status 0
# and prints the ID, the terminal is left as it was, the pool runs on; the
# dashboard of `pooltop attach NAME` shows it, q detaches and leaves it
# running; the terminal going away (the tmux server killed) does not end
# it; `ctl NAME close` does.
. "$(dirname "$0")/../lib.sh"
export XDG_STATE_HOME="$T/state"
. "$(dirname "$0")/tuilib.sh"

N="det$$"
alive() { kill -0 "$ID" 2>/dev/null; }
gone() { ! kill -0 "$ID" 2>/dev/null; }

tui_start
run_in_tui "$POOLTOP_BIN -b --keep-open --name $N -j2 echo {} >$T/id"
check "detach: the command returns" wait_until $LIMIT exited
check "detach: exit status 0" [ "$(exit_status)" = 0 ]
ID=$(cat "$T/id")
_bgpids="${_bgpids:-} $ID"
check "detach: it printed the ID" grep -Eqx '[0-9]+' "$T/id"
check "detach: it said where the log is" \
    wait_until $LIMIT on_screen "detached, log: $XDG_STATE_HOME/pooltop/$N.log"
check "detach: the terminal is usable" terminal_sane
check "detach: the pool runs" alive

run_in_tui "$POOLTOP_BIN attach $N"
# Open and empty: no worker has started yet (workers start for work).
check "attach: the dashboard shows the detached pool" \
    wait_until $LIMIT on_screen "workers 0/2 .*$N"
key q
check "q: attach exits" wait_until $LIMIT exited
check "q: the pool still runs" alive

tui_end
check "the terminal gone: its server has ended" \
    wait_until $LIMIT sh -c "! tmux -L '$TMUX_SOCK' ls >/dev/null 2>&1"
check "the terminal gone: the pool still runs, open" sh -c \
    "'$POOLTOP_BIN' ctl $N status --json |
    grep -q '\"state\":\"running\".*\"input\":\"keep-open\"'"
"$POOLTOP_BIN" ctl "$N" add x >/dev/null
check "then ctl add works" [ $? -eq 0 ]
"$POOLTOP_BIN" ctl "$N" close >/dev/null
check "ctl close ends it" wait_for 20 gone
check "its output is in its log" grep -qx x "$XDG_STATE_HOME/pooltop/$N.log"

finish
