#!/bin/sh
# --speculate in the dashboard: once the input is exhausted, a straggler's
# copy runs on the idle worker and its row's STATE reads "copy" while the
# straggler's reads "slow"; the event pane says the copy started.  Q ends
# both copies.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tuilib.sh"

N="spec$$"
S=$((3000 + $$ % 5000))		# a sleep length no other test uses

tui_start
# Four tasks of no time (the median), then a long one: a straggler once it
# has run a second, and the other worker is idle.
run_in_tui "$POOLTOP_BIN --refresh 100 --name $N --speculate -j2 sleep ::: 0 0 0 0 $S"
if ! wait_until $LIMIT on_screen "sleep $S"; then
	screen
	fail "dashboard did not show the run"
	finish
fi
ok "dashboard started"
check "the copy's row reads copy" \
    wait_until $LIMIT on_screen "^ +[12] .* copy .*sleep $S *\$"
check "the straggler's row reads slow" \
    on_screen "^ +[12] .* slow .*sleep $S *\$"
check "the event pane says the copy started" \
    wait_until $LIMIT on_screen "speculate: copy of task 5 started"
check "two processes run the task" \
    [ "$(pgrep -fc "^sleep $S\$")" -eq 2 ]

key Q
check "Q: pooltop exits" wait_until $LIMIT exited
check "Q: neither copy is left" wait_until $LIMIT no_process_with "sleep $S"
finish
