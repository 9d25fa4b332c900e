#!/bin/sh
# The process limit (`ulimit -u`) reached: fork fails with EAGAIN in the
# supervisor (starting workers) and in the workers (starting tasks).
# pooltop warns once, runs with the workers it could start, puts back
# tasks that could not start rather than failing them, and loses no item.
# The same in persistent mode, where the program is started again after
# every two lines (--max-tasks-per-worker 2) and its start fails as well.
# Needs root, to run as a uid of its own (root ignores RLIMIT_NPROC).
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

[ "$(id -u)" = 0 ] || skip "needs root to run as a fresh uid"
command -v setpriv >/dev/null 2>&1 || skip "setpriv (util-linux) is needed"
command -v prlimit >/dev/null 2>&1 || skip "prlimit (util-linux) is needed"
U=$((40000 + $$ % 20000))	# a uid with no other process
[ -z "$(pgrep -U "$U")" ] || skip "uid $U is in use"
as_u() { setpriv --reuid="$U" --regid="$U" --clear-groups "$@"; }
reach_pooltop as_u || skip "$POOLTOP_BIN is not reachable by uid $U"

chmod 711 "$T"
mkdir -m 700 "$T/u" "$T/u/run"
chown -R "$U:$U" "$T/u"
N=${PROC_LIMIT_ITEMS:-60}
LIM=${PROC_LIMIT_NPROC:-12}

# Tasks are `sleep 0.ITEM`, exec'd directly: one process each.
as_u env XDG_RUNTIME_DIR="$T/u/run" prlimit --nproc="$LIM" \
    "$POOLTOP_BIN" --headless -j20 --joblog "$T/u/jl" --log "$T/u/log" \
    sleep 0.{} ::: $(seq 1 "$N") >/dev/null 2>"$T/e"
rc=$?
check "exit 0: every task succeeded (got $rc)" [ "$rc" -eq 0 ]
check "warned once: fork failed, workers limited" \
    [ "$(grep -c "fork: Resource temporarily unavailable: workers limited to [0-9]* (of 20)" "$T/e")" -eq 1 ]
check "the warning is an event in the log too" grep -q "error fork: Resource temporarily unavailable" "$T/u/log"
if [ "$(tail -n +2 "$T/u/jl" | awk -F'\t' '$7 == 0 && $8 == 0 {print $1}' | sort -un | wc -l)" -eq "$N" ] &&
    [ "$(tail -n +2 "$T/u/jl" | wc -l)" -eq "$N" ]; then
	ok "all $N recorded once, all succeeded"
else
	fail "all $N recorded once, all succeeded"
fi
put=$(grep -c "cannot start (Resource temporarily unavailable)" "$T/u/log")
echo "# tasks put back for want of a process: $put"
check "the pool shrank below the limit" grep -q "pool.resize" "$T/u/log"
check "nothing of uid $U left" wait_for 10 sh -c "[ -z \"\$(pgrep -U $U)\" ]"
lost=$((N - $(tail -n +2 "$T/u/jl" | cut -f1 | sort -un | wc -l)))

rm -f "$T/u/jl" "$T/u/log"
as_u env XDG_RUNTIME_DIR="$T/u/run" prlimit --nproc="$LIM" \
    "$POOLTOP_BIN" --headless -j20 --joblog "$T/u/jl" --log "$T/u/log" \
    --persistent 'while read -r l; do echo "$l"; done' \
    --max-tasks-per-worker 2 ::: $(seq 1 "$N") >"$T/pout" 2>"$T/e"
rc=$?
check "persistent: exit 0, every task succeeded (got $rc)" [ "$rc" -eq 0 ]
if [ "$(tail -n +2 "$T/u/jl" | awk -F'\t' '$7 == 0 && $8 == 0 {print $1}' | sort -un | wc -l)" -eq "$N" ] &&
    [ "$(tail -n +2 "$T/u/jl" | wc -l)" -eq "$N" ]; then
	ok "persistent: all $N recorded once, all succeeded"
else
	fail "persistent: all $N recorded once, all succeeded"
fi
check "persistent: every line answered once" \
    [ "$(sort -n "$T/pout" | tr '\n' ' ')" = "$(seq 1 "$N" | tr '\n' ' ')" ]
pput=$(grep -c "cannot start (Resource temporarily unavailable)" "$T/u/log")
echo "# persistent: tasks put back for want of a process: $pput"
check "persistent: nothing of uid $U left" wait_for 10 sh -c "[ -z \"\$(pgrep -U $U)\" ]"
lost=$((lost + N - $(tail -n +2 "$T/u/jl" | cut -f1 | sort -un | wc -l)))
figures tasks=$((2 * N)) faults=$((put + pput + 2)) hostile=0 lost=$lost
finish
