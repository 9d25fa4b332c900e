#!/bin/sh
# Stragglers: a task running over --straggler-factor times the median
# runtime of the finished tasks (and at least a second) is marked: listed
# by `ctl status` and `status --json`, flagged in its slot, said once as an
# event; --straggler-factor 0 marks nothing; a bad factor is refused.
. "$POOLTOP_SRCDIR/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip "python3 is needed to parse JSON"

S=$((3000 + $$ % 5000))		# a sleep length no other test uses

# js NAME EXPR: evaluate the Python EXPR on NAME's status --json (as d).
js() {
	"$POOLTOP_BIN" ctl "$1" status --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$2" 2>/dev/null
}
marked() { [ "$(js "$1" 'len(d["stragglers"]["tasks"])')" = 1 ]; }

# Pool "off" (factor 0) first, then "on" (the default, 3): four tasks of
# no time, then one long one.
bg "$POOLTOP_BIN" --headless --name off$$ --straggler-factor 0 -j2 \
    sleep ::: 0 0 0 0 $S 2>"$T/off.err"
off=$!
check "factor 0: the pool runs its long task" \
    wait_for 30 sh -c "'$POOLTOP_BIN' ctl off$$ status | grep -q 'sleep $S'"
bg "$POOLTOP_BIN" --headless --name on$$ -j2 sleep ::: 0 0 0 0 $S 2>"$T/on.err"
on=$!
check "status --json: the long task is marked, in time" wait_for 60 marked on$$
check "status --json: the factor and the median" \
    [ "$(js on$$ 'd["stragglers"]["factor"] == 3 and d["stragglers"]["median"] < 1')" = True ]
check "status --json: the straggler is task 5, running over a second" \
    [ "$(js on$$ '[(t["task"], t["running"] >= 1) for t in d["stragglers"]["tasks"]]')" = "[(5, True)]" ]
check "status --json: its slot says straggler, the other not" \
    [ "$(js on$$ 'sorted((s["task"], s["straggler"]) for s in d["slots"])')" = "[(0, False), (5, True)]" ]
"$POOLTOP_BIN" ctl on$$ status >"$T/status"
check "status: a stragglers line names slot, task, time" \
    grep -Eq '^stragglers \(over 3x the median [0-9.e-]+s\): slot [12] task 5 running [0-9.]+s$' "$T/status"
check "event: the straggler is said once" \
    wait_for 10 sh -c "[ \$(grep -c 'straggler: running .*sleep $S' '$T/on.err') -eq 1 ]"
# "off" started its long task before "on" did: it has run longer.
check "factor 0: nothing marked" \
    [ "$(js off$$ 'd["stragglers"]')" = "{'factor': 0, 'median': None, 'tasks': []}" ]
check "factor 0: no event" sh -c "! grep -q straggler '$T/off.err'"
"$POOLTOP_BIN" ctl on$$ stop >/dev/null
"$POOLTOP_BIN" ctl off$$ stop >/dev/null
reap $on 30
reap $off 30
check "pools stopped" no_process_with "sleep $S"

# Bad factors are refused, naming the option.
"$POOLTOP_BIN" --headless --straggler-factor -1 true ::: a 2>"$T/err"; rc=$?
check "a negative factor: exit 255, named" \
    sh -c "[ $rc -eq 255 ] && grep -q -- '--straggler-factor' '$T/err'"
"$POOLTOP_BIN" --headless --straggler-factor x true ::: a 2>"$T/err"; rc=$?
check "a factor that is no number: exit 255, named" \
    sh -c "[ $rc -eq 255 ] && grep -q -- '--straggler-factor' '$T/err'"
finish
