#!/bin/sh
# The what-if advisor through ctl: no advice before 3 tasks have finished
# (`ctl advise` says why, status --json has "advice": null); then the
# finish time at N-2 .. N+4 workers (at least 1), sleeping tasks scaling
# with the worker count; `ctl advise` prints the same as a table; the
# headless log says once that another size would finish >20% sooner.
. "$POOLTOP_SRCDIR/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip "python3 is needed to parse JSON"

N=adv$$
# The pool in a cgroup of its own where it can be: it then reads its own
# memory and io pressure (which caps the advice over 10%), not the
# machine's, which other tests running at once raise.
. "$POOLTOP_SRCDIR/tests/cgroup.sh"
cg_psi_own "pooltop-psi.$$" "$T/own" || :
own_gone() { cg_psi_remove; cleanup_test; }
trap own_gone EXIT
# js EXPR: the Python EXPR on the pool's status --json (as d).
js() {
	"$POOLTOP_BIN" ctl $N status --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1" 2>/dev/null
}
done_at_least() { [ "$(js 'd["done"]')" -ge "$1" ] 2>/dev/null; }

# The first task waits for the gate: nothing finishes before we open it.
bg "$T/own" "$POOLTOP_BIN" --headless --name $N -j1 --progress-interval 0.2 \
    sh -c 'case $0 in gate) while [ ! -e "$1" ]; do sleep 0.02; done;; *) sleep $0;; esac' \
    {} "$T/gate" ::: gate $(yes 0.2 | head -n 150 | tr '\n' ' ') 2>"$T/err"
pid=$!
check "the pool runs" wait_for 30 sh -c "'$POOLTOP_BIN' ctl $N status >/dev/null 2>&1"
"$POOLTOP_BIN" ctl $N advise >"$T/out" 2>"$T/adv.err"; rc=$?
check "advise before 3 tasks finished: exit 1, says why" \
    sh -c "[ $rc -eq 1 ] && grep -q 'no advice yet: 3 tasks must finish first' '$T/adv.err'"
check "status --json: advice null before" [ "$(js 'd["advice"]')" = None ]
: >"$T/gate"
check "tasks finish" wait_for 60 done_at_least 4

check "status --json: advice at 1 worker, sizes 1 to 5" \
    [ "$(js '(d["advice"]["workers"], [s["workers"] for s in d["advice"]["sizes"]])')" = "(1, [1, 2, 3, 4, 5])" ]
check "sleeping tasks: not saturated, the best shown is 5 workers" \
    [ "$(js '(d["advice"]["saturated"], d["advice"]["best"])')" = "(False, 5)" ]
check "sleeping tasks: 5 workers finish 5 times sooner" \
    [ "$(js 'abs(d["advice"]["sizes"][0]["finish_in"] / d["advice"]["sizes"][4]["finish_in"] - 5) < 0.01')" = True ]
check "the figures: task wall near 0.2s, a knee past the core count" \
    [ "$(js '0.15 < d["advice"]["task_wall"] < 5 and (d["advice"]["knee"] or 99) > 2')" = True ]
# Memory and io pressure: in the advice where the kernel gives PSI, with
# the bound and which one limits (if any); no member where it does not.
if cat /proc/pressure/memory /proc/pressure/io >/dev/null 2>&1; then
	check "status --json: the pressure, bound 10%, what limits" \
	    [ "$(js '[(p["bound"], p["memory"] >= 0, p["io"] >= 0, p["limiting"] in (None, "memory", "io")) for p in [d["advice"]["pressure"]]][0]')" = "(10, True, True, True)" ]
else
	check "status --json: no pressure without PSI" \
	    [ "$(js '"pressure" in d["advice"]')" = False ]
fi
"$POOLTOP_BIN" ctl $N advise >"$T/adv" 2>&1
check "advise: the measured task" grep -Eq '^at 1 worker: .*s wall, .*s CPU a task; [0-9.]+ of [0-9]+ cores busy$' "$T/adv"
check "advise: a row for now, a row for the best" \
    sh -c "grep -Eq '^ +1 .*  now\$' '$T/adv' && grep -Eq '^ +5 .*  best\$' '$T/adv'"
check "headless: the advice line, once" \
    wait_for 30 sh -c "[ \$(grep -c 'info advice: 5 workers would finish in .* rather than .* at 1 (ctl advise)' '$T/err') -eq 1 ]"

"$POOLTOP_BIN" ctl $N resize 3 >/dev/null
check "resized: sizes 1 to 7 around 3" \
    wait_for 30 sh -c "[ \"\$(\"$POOLTOP_BIN\" ctl $N status --json | python3 -c 'import json,sys; print([s[\"workers\"] for s in json.load(sys.stdin)[\"advice\"][\"sizes\"]])')\" = '[1, 2, 3, 4, 5, 6, 7]' ]"
"$POOLTOP_BIN" ctl $N stop >/dev/null
reap $pid 30
check "pool stopped" no_process_with "$T/gate"
finish
