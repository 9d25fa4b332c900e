#!/bin/sh
# Hooks under the dashboard: an --on-task-end command's output does not
# write over the dashboard; it is printed, with the tasks' stderr, once
# the dashboard has closed; --on-end runs after that too.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tuilib.sh"

N="hk$$"
tui_start
run_in_tui "$POOLTOP_BIN --keep-open --name $N --refresh 100 -j2 \
--on-task-end 'echo HOOK-{}' --on-end 'echo ENDHOOK-\$POOLTOP_DONE' true"
check "the dashboard shows the pool (empty: no worker yet)" \
    wait_until $LIMIT on_screen "workers 0/2 .*$N"
"$POOLTOP_BIN" ctl "$N" add a b >/dev/null
check "the tasks ran" wait_until $LIMIT on_screen " 2/2 "
check "the dashboard stays whole: no hook output on it" \
    gone_from_screen "HOOK-"
"$POOLTOP_BIN" ctl "$N" close >/dev/null
check "close: pooltop exits" wait_until $LIMIT exited
check "close: exit status 0" [ "$(exit_status)" = 0 ]
check "then the hooks' output is printed" sh -c \
    "tmux -L '$TMUX_SOCK' capture-pane -p | grep -q '^HOOK-a' &&
    tmux -L '$TMUX_SOCK' capture-pane -p | grep -q '^HOOK-b'"
check "--on-end ran last" on_screen "^ENDHOOK-2"
check "the terminal is usable" terminal_sane

finish
