#!/bin/sh
# The dashboard marks a straggler: its row's STATE reads "slow" (in the
# failure colour) once its task runs over --straggler-factor times the
# median, the event pane says so, and a task that is not one reads
# "running".
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tuilib.sh"

N="strag$$"
S=$((3000 + $$ % 5000))		# a sleep length no other test uses

tui_start
# Three tasks of 2 seconds (the median), then a long one: marked once it
# has run 6 seconds.
run_in_tui "$POOLTOP_BIN --refresh 100 --name $N --keep-open -j3 sleep ::: 2 2 2 $S"
if ! wait_until $LIMIT on_screen "sleep $S"; then
	screen
	fail "dashboard did not show the run"
	finish
fi
ok "dashboard started"
check "the long task's row reads slow" \
    wait_until $LIMIT on_screen "^ +[1-3] .* slow .*sleep $S *\$"
check "the event pane says it is a straggler" \
    wait_until $LIMIT on_screen "straggler: running .*sleep $S"
# A task just started runs under 3 times the median for 6 seconds.
"$POOLTOP_BIN" ctl $N add $((S + 1)) >/dev/null
check "a task just started reads running" \
    wait_until $LIMIT on_screen "^ +[1-3] .* running .*sleep $((S + 1)) *\$"
check "the straggler still reads slow" \
    on_screen "^ +[1-3] .* slow .*sleep $S *\$"

key Q
check "Q: pooltop exits" wait_until $LIMIT exited
check "Q: no task left" wait_until $LIMIT no_process_with "sleep $S"
finish
