#!/bin/sh
# --task-memory and --task-cpus: each task in a cgroup of its own (v1
# memory and cpu hierarchies, as this project's machines have).
#  - --task-memory 50M: a task that takes 200 MiB is OOM-killed, said
#    "oom-killed"; the others finish; its cgroup had the limit.
#  - --task-cpus 0.5: a busy task is born in its cgroup, with a quota of
#    half a CPU, and is throttled.
#  - the pool's cgroups are gone when it ends, and when its supervisor is
#    killed by SIGKILL (the keeper removes them once the tasks have gone).
#  - refused at start: with --persistent; as a user who cannot create
#    cgroups, saying why.
# Needs root and the v1 memory and cpu controllers; skips, saying why.
. "$POOLTOP_SRCDIR/tests/lib.sh"

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
command -v "$PY" >/dev/null 2>&1 || skip "python3 is needed for the memory hog"
[ "$(id -u)" = 0 ] || skip "needs root to create cgroups"
"$POOLTOP_BIN" --headless -q --task-memory 50M --task-cpus 0.5 true ::: 1 \
    >/dev/null 2>"$T/probe"
[ $? -eq 0 ] || skip "per-task cgroups unavailable: $(cat "$T/probe")"

# The v1 mount point of a controller.
mnt() { awk -v c="$1" '$9 == "cgroup" && $NF ~ "(^|,)" c "(,|$)" { print $5; exit }' \
    /proc/self/mountinfo; }
MEMMNT=$(mnt memory)
CPUMNT=$(mnt cpu)
# The cgroup dir of pid in controller's hierarchy.
cgdir() {
	_p=$(awk -F: -v c="$2" '$2 ~ "(^|,)" c "(,|$)" { print $3 }' \
	    "/proc/$1/cgroup")
	echo "$3$_p"
}
# No cgroup of pool P is left.
none_left() { [ -z "$(find "$MEMMNT" "$CPUMNT" -maxdepth 4 -type d \
    -name "pooltop.$1" 2>/dev/null)" ]; }

cat >"$T/hog.py" <<'PYEOF'
import sys
n = int(sys.argv[1]) << 20
b = bytearray(n)
for i in range(0, n, 4096):
    b[i] = 1
PYEOF

# --- --task-memory: the big one is OOM-killed, the others finish ----------
bg "$POOLTOP_BIN" --headless -j3 --task-memory 50M --log "$T/m.log" \
    --joblog "$T/m.jl" "$PY" "$T/hog.py" ::: 200 10 5 >/dev/null 2>"$T/m.err"
P=$!
reap "$P" 60
rc=$?
check "--task-memory: exit 1, one task failed (got $rc)" [ "$rc" -eq 1 ]
check "--task-memory: the start says the limit" \
    grep -q "info each task limited to 50M of memory, in a cgroup of its own under $MEMMNT/.*pooltop.$P" "$T/m.log"
check "--task-memory: the 200 MiB task is said oom-killed" \
    grep -q "task.failed slot=[0-9]* task=1 status=9 oom-killed: " "$T/m.log"
check "--task-memory: the two others succeeded" \
    [ "$(grep -c "task.done" "$T/m.log")" -eq 2 ]
check "--task-memory: joblog Signal 9 for it, as GNU parallel" [ "$(tail -n +2 \
    "$T/m.jl" | awk -F'\t' '{ print $1 ":" $8 }' | sort | tr '\n' ' ')" = "1:9 2:0 3:0 " ]
check "--task-memory: the summary counts it" \
    grep -q "^pooltop: 1 task oom-killed" "$T/m.err"
check "--task-memory: no cgroup left" none_left "$P"

# --- --task-cpus and the limits, seen on a running task -------------------
bg "$POOLTOP_BIN" --headless -j1 --task-cpus 0.5 --task-memory 64M \
    --log "$T/c.log" sh -c 'while [ ! -e "$0" ]; do :; done' "$T/stop" ::: 1 \
    >/dev/null 2>&1
P=$!
task_pid() { awk '$2 == "task.start" { found = 1 } END { exit !found }' "$T/c.log" &&
    "$POOLTOP_BIN" ctl "$P" status --json 2>/dev/null | "$PY" -c "
import json, sys
s = [x for x in json.load(sys.stdin)['slots'] if x['task_pid']]
print(s[0]['task_pid'])" >"$T/tpid" 2>/dev/null && [ -s "$T/tpid" ]; }
check "--task-cpus: the task runs" wait_for 20 task_pid
TP=$(cat "$T/tpid")
CD=$(cgdir "$TP" cpu "$CPUMNT")
MD=$(cgdir "$TP" memory "$MEMMNT")
check "--task-cpus: the task is in the slot's cpu cgroup ($CD)" \
    [ "${CD%/pooltop.$P/slot.1}" != "$CD" ]
check "--task-memory: ... and in the slot's memory cgroup ($MD)" \
    [ "${MD%/pooltop.$P/slot.1}" != "$MD" ]
check "--task-cpus 0.5: quota 50000 of 100000 us" \
    [ "$(cat "$CD/cpu.cfs_quota_us"):$(cat "$CD/cpu.cfs_period_us")" = "50000:100000" ]
check "--task-memory 64M: the limit is 64 MiB" \
    [ "$(cat "$MD/memory.limit_in_bytes")" = $((64 << 20)) ]
"$POOLTOP_BIN" ctl "$P" status --json >"$T/c.json" 2>/dev/null
check "status --json: task_memory and task_cpus" "$PY" -c "
import json
d = json.load(open('$T/c.json'))
assert d['task_memory'] == 64 << 20 and d['task_cpus'] == 0.5, d
"
throttled() { awk '$1 == "nr_throttled" { exit !($2 > 0) }' "$CD/cpu.stat"; }
check "--task-cpus: the busy task is throttled" wait_for 20 throttled
W=$(workers_of "$P")
check "the worker is back in the pool's cgroup" \
    [ "$(cgdir "$W" cpu "$CPUMNT")" = "$(cgdir "$P" cpu "$CPUMNT")" ]
touch "$T/stop"
reap "$P" 30
rc=$?
check "--task-cpus: the run succeeds (got $rc)" [ "$rc" -eq 0 ]
check "--task-cpus: no cgroup left" none_left "$P"

# --- SIGKILL of the supervisor: the keeper removes the cgroups ------------
bg "$POOLTOP_BIN" --headless -j2 --task-cpus 0.5 --task-memory 64M \
    --log "$T/k.log" sleep ::: 60 60 3 >/dev/null 2>&1
P=$!
two_running() { [ "$(grep -c task.start "$T/k.log" 2>/dev/null)" -eq 2 ]; }
check "SIGKILL: two tasks run in their cgroups" wait_for 20 two_running
left() { ! none_left "$P"; }
check "SIGKILL: ... the pool's cgroups exist" left
kill -KILL "$P"
reap "$P" 10
check "SIGKILL: no cgroup left once the tasks have ended" wait_for 20 none_left "$P"

# --- Refusals ---------------------------------------------------------------
"$POOLTOP_BIN" --headless --task-memory 50M --persistent cat ::: 1 >/dev/null \
    2>"$T/p.err"
check "--persistent: refused, exit 255" [ $? -eq 255 ]
check "--persistent: says why" grep -q "limit tasks, not --persistent programs" "$T/p.err"

if command -v setpriv >/dev/null 2>&1; then
	U=$((40000 + $$ % 20000))
	as_u() { setpriv --reuid="$U" --regid="$U" --clear-groups "$@"; }
	if reach_pooltop as_u; then
		chmod 711 "$T"
		mkdir -m 700 "$T/u"
		chown "$U:$U" "$T/u"
		as_u env XDG_RUNTIME_DIR="$T/u" "$POOLTOP_BIN" --headless \
		    --task-memory 50M true ::: 1 >/dev/null 2>"$T/u.err"
		rc=$?
		check "not root: refused at start, exit 255 (got $rc)" [ "$rc" -eq 255 ]
		check "not root: says it cannot create the cgroup, and why" \
		    grep -q "task-memory: cannot create the cgroup .*: Permission denied; per-task limits need root" "$T/u.err"
	else
		echo "# $POOLTOP_BIN is not reachable by uid $U: not-root refusal not checked"
	fi
else
	echo "# setpriv (util-linux) missing: not-root refusal not checked"
fi
finish
