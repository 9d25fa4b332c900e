#!/bin/sh
# The dashboard of a --keep-open pool started without items (stdin is the
# terminal): it shows the empty pool and that it waits for items, runs what
# `ctl add` queues, q on an idle pool asks nothing, and `ctl close` ends it
# with status 0.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tuilib.sh"

N="keep$$"
running_still() { ! exited; }
mkdir "$T/got"

tui_start
run_in_tui "$POOLTOP_BIN --keep-open --name $N --refresh 100 -j2 sh -c 'echo \"\$1\" >$T/got/\$2' sh {} {#}"
check "keep-open: the dashboard shows the empty pool, no worker started" \
    wait_until $LIMIT on_screen "workers 0/2 .*$N"
check "keep-open: no items is no error" running_still
check "keep-open: the events say it waits for items" \
    wait_until $LIMIT on_screen "waiting for items"
"$POOLTOP_BIN" ctl "$N" add one two three >/dev/null
check "add: exit 0" [ $? -eq 0 ]
check "add: the items ran" wait_until $LIMIT \
    sh -c "[ -e '$T/got/1' ] && [ -e '$T/got/2' ] && [ -e '$T/got/3' ]"
check "add: the dashboard counts them" wait_until $LIMIT on_screen " 3/3 "
check "add: workers started for them" wait_until $LIMIT on_screen "workers 2/2"
check "add: still open" running_still
"$POOLTOP_BIN" ctl "$N" close >/dev/null
check "close: pooltop exits" wait_until $LIMIT exited
check "close: exit status 0" [ "$(exit_status)" = 0 ]
check "close: the terminal is usable again" terminal_sane

# q on an idle --keep-open pool drains it: nothing runs, so nothing to ask.
run_in_tui "$POOLTOP_BIN --keep-open --name $N --refresh 100 -j1 true"
check "q: the dashboard shows the pool (empty: no worker started)" \
    wait_until $LIMIT on_screen "workers 0/1 .*$N"
key q
check "q: pooltop exits" wait_until $LIMIT exited
check "q: exit status 0" [ "$(exit_status)" = 0 ]

finish
