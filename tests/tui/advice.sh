#!/bin/sh
# The advisor panel: "a" opens it over the dashboard with the predicted
# finish time at other worker counts (sleeping tasks: more workers keep
# helping, the best shown is N+4); Enter resizes the pool to that size.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tuilib.sh"

N="advice$$"
# The pool in a cgroup of its own where it can be: it reads its own memory
# and io pressure, not the machine's, which other tests raise (over 10%
# the advice is capped at the size now).
. "$(dirname "$0")/../cgroup.sh"
cg_psi_own "pooltop-psi.$$" "$T/own" || :
_own_gone() { tui_end; cg_psi_remove; cleanup_test; }
tui_start
trap _own_gone EXIT
run_in_tui "$T/own $POOLTOP_BIN --refresh 100 --name $N -j1 sleep ::: $(yes 0.3 | head -n 200 | tr '\n' ' ')"
if ! wait_until $LIMIT on_screen "^ +1 .*sleep 0\.3"; then
	screen
	fail "dashboard did not show the run"
	finish
fi
ok "dashboard started"
three_done() { [ "$(json_field $N done)" -ge 3 ] 2>/dev/null; }
check "three tasks finish" wait_until $LIMIT three_done
check "the key bar offers the panel" on_screen "= Size a WhatIf "
key a
check "a: the panel opens" wait_until $LIMIT on_screen "what if: finish time by worker count"
check "panel: the measured task" on_screen "at 1 worker: .*s wall, .*s CPU a task"
check "panel: the current size" on_screen "^ *1 +[0-9.e+-]+ +[0-9hms.]+  now"
check "panel: sleeping tasks: the best is 5 workers" \
    on_screen "^ *5 +[0-9.e+-]+ +[0-9hms.]+  best"
check "panel: the cores bound them far away" \
    on_screen "more workers stop helping past [0-9]+|more workers keep helping"
key Enter
check "Enter: the panel closes" wait_until $LIMIT gone_from_screen "what if:"
check "Enter: the pool resizes to the best" \
    wait_until $LIMIT field_is $N target_workers 5
key a
check "a again: the panel reopens" wait_until $LIMIT on_screen "what if:"
key x
check "another key closes it, nothing sent" wait_until $LIMIT gone_from_screen "what if:"
check "the size stays" field_is $N target_workers 5

key Q
check "Q: pooltop exits" wait_until $LIMIT exited
finish
