#!/bin/sh
# -j auto: the pool sizes itself.  Sleeping tasks make it grow (each change
# an event with its reason) within --workers-max; a resize by hand ends
# auto mode, `ctl resize auto` starts it again; status --json says which;
# bad combinations are refused.
. "$POOLTOP_SRCDIR/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip "python3 is needed to parse JSON"

N=auto$$
# The pool in a cgroup of its own where it can be: it then reads its own
# memory and io pressure (which caps the advice over 10%), not the
# machine's, which other tests running at once raise.
. "$POOLTOP_SRCDIR/tests/cgroup.sh"
cg_psi_own "pooltop-psi.$$" "$T/own" || :
own_gone() { cg_psi_remove; cleanup_test; }
trap own_gone EXIT
js() {
	"$POOLTOP_BIN" ctl $N status --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1" 2>/dev/null
}
target_is() { [ "$(js 'd["target_workers"]')" = "$1" ]; }

# Sleeping tasks, starting at the online CPUs (at most 5): it must reach
# --workers-max 5.
bg "$T/own" "$POOLTOP_BIN" --headless --name $N -j auto --workers-max 5 sleep ::: \
    $(yes 0.2 | head -n 600 | tr '\n' ' ') 2>"$T/err"
pid=$!
check "status --json: auto" wait_for 30 sh -c "[ \"\$(\"$POOLTOP_BIN\" ctl $N status --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"auto\"])')\" = True ]"
check "sleeping tasks: it grows to --workers-max" wait_for 60 target_is 5
check "each change is an event with its reason" \
    grep -Eq 'info auto: [0-9]+ -> [0-9]+ workers: .*tasks/s at [0-9]+, the advice expects more at [0-9]+' "$T/err"
check "never past --workers-max" \
    sh -c "! grep -Eq 'auto: [0-9]+ -> ([6-9]|[0-9]{2,}) workers' '$T/err'"
"$POOLTOP_BIN" ctl $N resize 2 >/dev/null
check "a resize by hand ends auto" \
    sh -c "[ \"\$(\"$POOLTOP_BIN\" ctl $N status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[\"auto\"], d[\"target_workers\"])')\" = 'False 2' ]"
check "... and says so" grep -q 'auto: off (resized by hand; ctl resize auto resumes it)' "$T/err"
"$POOLTOP_BIN" ctl $N resize auto >"$T/out"
check "ctl resize auto: on again" \
    sh -c "grep -q 'workers: auto' '$T/out' && grep -q 'auto: on, 1 to 5 workers' '$T/err'"
check "... and it grows again" wait_for 60 target_is 5
"$POOLTOP_BIN" ctl $N stop >/dev/null
reap $pid 30

# Bad combinations.
"$POOLTOP_BIN" --headless --workers-min 2 true ::: a 2>"$T/e1"; rc=$?
check "--workers-min without -j auto: exit 255, named" \
    sh -c "[ $rc -eq 255 ] && grep -q -- '--workers-min needs -j auto' '$T/e1'"
"$POOLTOP_BIN" --headless -j auto --workers-min 4 --workers-max 2 true ::: a 2>"$T/e2"; rc=$?
check "--workers-min over --workers-max: exit 255, named" \
    sh -c "[ $rc -eq 255 ] && grep -q -- '--workers-min 4 is more than --workers-max 2' '$T/e2'"
"$POOLTOP_BIN" --headless -j auto -S : true ::: a 2>"$T/e3"; rc=$?
check "-j auto with -S: exit 255, named" \
    sh -c "[ $rc -eq 255 ] && grep -q -- '-j auto cannot be used with --sshlogin' '$T/e3'"
"$POOLTOP_BIN" --headless -j nope true ::: a 2>"$T/e4"; rc=$?
check "-j nope: exit 255, says auto" \
    sh -c "[ $rc -eq 255 ] && grep -q \"or 'auto'\" '$T/e4'"
printf 'workers = "auto";\nworkers_max = 3;\n' >"$T/c.conf"
"$POOLTOP_BIN" --headless -c "$T/c.conf" --dry-run echo ::: a >/dev/null 2>"$T/e5"; rc=$?
check "config: workers = \"auto\" and workers_max are taken" [ $rc -eq 0 ]
finish
