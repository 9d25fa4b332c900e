#!/bin/sh
# --memfree and --memsuspend, driven for real inside a memory cgroup this
# test creates (400 MiB; never the machine's own memory, which is shared):
# pooltop reads the cgroup's limit less its usage as the memory available.
#  - --memfree 200M with a 250 MiB hog in the cgroup: admission holds, no
#    task starts; the hog ends: admission opens, the tasks run after.
#  - --memfree 200M: a task that takes the cgroup under half of it is
#    ended and run again later; the run still succeeds.
#  - --memsuspend 100M: three tasks of 100 MiB; all but the oldest are
#    stopped, and resumed once the oldest has ended.
#  - a task of 500 MiB is killed by the kernel's OOM killer: said
#    "oom-killed", not "signal 9".
#  - --oom-retry: two tasks of 250 MiB; the one OOM-killed is put back and
#    the pool shrinks to one worker; both succeed.
#  - --memfree auto: the footprint learned, memory never overcommitted.
#  - --memfree 200M in a --round-robin pool under half of it: no task is
#    ended (it would lose its unread blocks), said once; every block read.
#  - --memfree and --memsuspend with --speculate: the copy of a straggler,
#    the youngest, is the one ended (dropped, not run again) or stopped
#    (then ended when its first run wins); each task recorded once.
# Needs root and a memory cgroup (v1, or v2 with the memory controller)
# that can be created under the test's own; skips, saying why, elsewhere.
. "$POOLTOP_SRCDIR/tests/lib.sh"

. "$POOLTOP_SRCDIR/tests/cgroup.sh"
cg_memory_test "pooltop-test.$$"
LIMIT=$CG_LIMIT USAGE=$CG_USAGE
mkdir "$CG" 2>/dev/null || skip "cannot create the memory cgroup $CG"
cg_gone() { cg_remove; cleanup_test; }
trap cg_gone EXIT
echo 400M >"$CG/$LIMIT" 2>/dev/null ||
    skip "cannot set $LIMIT in $CG"
[ -w "$CG/cgroup.procs" ] || skip "cannot move processes into $CG"
echo "# memory cgroup $CG, 400 MiB"

# incg CMD...: run CMD inside the cgroup (as the same process: $! is CMD's).
cg_incg "$T/incg"
incg=$T/incg
usage_over() { [ "$(cat "$CG/$USAGE")" -gt $(($1 << 20)) ]; }

# The hog: MiB of memory, touched, kept until FILE exists (60 s at most).
# MAP_POPULATE touches it all in one system call, which a SIGSTOP does not
# cut short: a hog --memsuspend stops holds all of its memory, so what the
# pool sees once the hogs run does not depend on when it looked.
cat >"$T/hog.py" <<'EOF'
import mmap, os, sys, time
n = int(sys.argv[1]) << 20
b = mmap.mmap(-1, n, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS |
              mmap.MAP_POPULATE)
end = time.time() + 60
while time.time() < end and not os.path.exists(sys.argv[2]):
    time.sleep(0.05)
EOF
HOG="$PY $T/hog.py"

# Seconds since midnight of a text log line's time.
secs() { echo "$1" | awk '{ split(substr($1, 12, 12), t, ":");
	printf "%.3f\n", t[1] * 3600 + t[2] * 60 + t[3] }'; }

# --- 1. --memfree holds while the cgroup is short, opens after ------------
bg "$incg" $HOG 250 "$T/hog1.end"
HOGPID=$!
check "a 250 MiB hog fills the cgroup" wait_for 30 usage_over 240
bg "$incg" "$POOLTOP_BIN" --headless -j2 --log "$T/1.log" --memfree 200M \
    touch "$T/one.{}" ::: 1 2 >/dev/null 2>"$T/1.err"
P=$!
check "1: holding said, with the cgroup's memory" wait_for 10 grep -q \
    "info admission holding: cgroup memory available [0-9.]*M < 200M" \
    "$T/1.log"
wait_for 10 "$POOLTOP_BIN" ctl "$P" status >"$T/1.st" 2>/dev/null
check "1: ctl status says holding and the memory" grep -q \
    "^admission: holding: cgroup memory available .*; cgroup memory available [0-9.]*M)" \
    "$T/1.st"
check "1: no task started while holding" \
    [ "$(grep -c task.start "$T/1.log")" -eq 0 ]
touch "$T/hog1.end"
reap "$HOGPID" 30
check "1: admission opens once the hog has gone" wait_for 20 grep -q \
    "info admission open after holding [0-9.]*s (cgroup memory available" \
    "$T/1.log"
reap "$P" 30
rc=$?
check "1: the run succeeds (got $rc)" [ "$rc" -eq 0 ]
both_ran() { [ -e "$T/one.1" ] && [ -e "$T/one.2" ]; }
check "1: both tasks ran" both_ran
opened=$(secs "$(grep "admission open" "$T/1.log")")
first=$(secs "$(grep -m1 task.start "$T/1.log")")
check "1: the first start ($first) is not before the opening ($opened)" \
    awk -v a="$first" -v b="$opened" 'BEGIN { exit !(a >= b) }'
check "1: the summary says how long admission held" \
    grep -q "^pooltop: admission held [0-9.]*s" "$T/1.err"

# --- 2. --memfree under half: the youngest task ends and runs again -------
# Task 1 keeps 120 MiB; task 2 takes 180 more: under 100 MiB left.
bg "$incg" "$POOLTOP_BIN" --headless -j2 --log "$T/2.log" --joblog "$T/2.jl" \
    --memfree 200M $HOG '{}' "$T/hog2.end" ::: 120 180 >/dev/null 2>&1
P=$!
# Task 2 is the youngest, in whichever slot's worker was ready first.
if wait_for 30 grep -Eq \
    "under half of --memfree: ending the youngest task, in slot [12]" \
    "$T/2.log"; then
	ok "2: the youngest is ended, to run again"
else
	fail "2: the youngest is ended, to run again"
	sed 's/^/# 2.log: /' "$T/2.log"
	echo "# cgroup usage: $(cat "$CG/$USAGE")"
fi
# Task 2 is the youngest even when both started in one turn of the loop.
if wait_for 10 grep -Eq \
    "task.killed slot=[12] task=2 .*\\(will run again\\)" "$T/2.log"; then
	ok "2: ... said as killed (task 2), to run again"
else
	fail "2: ... said as killed (task 2), to run again"
	sed 's/^/# 2.log: /' "$T/2.log"
fi
touch "$T/hog2.end"
reap "$P" 60
rc=$?
check "2: the run succeeds (got $rc)" [ "$rc" -eq 0 ]
check "2: each task recorded once, succeeded" \
    [ "$(tail -n +2 "$T/2.jl" | awk -F'\t' '$7 == 0 { print $1 }' | sort -u | wc -l)" -eq 2 ]

# --- 3. --memsuspend: the youngest stopped, resumed when memory is back ----
# Three tasks of 100 MiB: about 90 MiB left, under the size: one runs.
bg "$incg" "$POOLTOP_BIN" --headless -j3 --log "$T/3.log" --memsuspend 100M \
    $HOG 100 "$T/hog3.end.{}" ::: 1 2 3 >/dev/null 2>&1
P=$!
check "3: two tasks suspended" wait_for 30 sh -c \
    "[ \$(grep -c 'task suspended in slot' '$T/3.log') -ge 2 ]"
wait_for 10 "$POOLTOP_BIN" ctl "$P" status --json >"$T/3.json" 2>/dev/null
check "3: status --json: suspended, with the reason" "$PY" -c "
import json
a = json.load(open('$T/3.json'))['admission']
assert a['state'] == 'suspended' and a['suspended'] == 2, a
assert a['reason'].startswith('suspended 2 tasks: cgroup memory available '), a
assert a['reason'].endswith(' < 200M') and a['mem_cgroup'], a
s = json.load(open('$T/3.json'))['slots']
stopped = [x['task_pid'] for x in s if x['state'] == 'paused']
assert len(stopped) == 2, s
for pid in stopped:
    st = open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()[0]
    assert st == 'T', (pid, st)
"
susp=$(grep 'task suspended in slot' "$T/3.log" | sed 's/.* task=\([0-9]*\) .*/\1/' | tr '\n' ' ')
check "3: the youngest two (tasks 2 and 3) suspended (got $susp)" \
    [ "$(echo $susp | tr ' ' '\n' | sort | tr '\n' ' ')" = "2 3 " ]
touch "$T/hog3.end.1" "$T/hog3.end.2" "$T/hog3.end.3"
check "3: resumed once the oldest has ended" wait_for 30 sh -c \
    "[ \$(grep -c 'task resumed in slot' '$T/3.log') -ge 2 ]"
reap "$P" 60
rc=$?
check "3: the run succeeds (got $rc)" [ "$rc" -eq 0 ]
check "3: three tasks done" [ "$(grep -c task.done "$T/3.log")" -eq 3 ]
# --- 4. A task the OOM killer ends is said to be oom-killed ----------------
# 500 MiB in a 400 MiB cgroup without swap: the kernel kills it; the other
# task finishes; the joblog's Signal is 9, as GNU parallel writes it.
bg "$incg" "$POOLTOP_BIN" --headless -j2 --log "$T/4.log" --joblog "$T/4.jl" \
    $HOG '{}' "$T/hog4.end" ::: 500 10 >/dev/null 2>"$T/4.err"
P=$!
check "4: the hog is said oom-killed" wait_for 60 grep -q \
    "task.failed slot=[0-9]* task=1 status=9 oom-killed: " "$T/4.log"
touch "$T/hog4.end"
reap "$P" 60
rc=$?
check "4: the run fails, as one task did (got $rc)" [ "$rc" -eq 1 ]
check "4: the other task succeeded" grep -q "task.done .* task=2 " "$T/4.log"
check "4: joblog: signal 9 for the hog, 0 for the other" [ "$(tail -n +2 \
    "$T/4.jl" | awk -F'\t' '{ print $1 ":" $8 }' | sort | tr '\n' ' ')" = "1:9 2:0 " ]
check "4: the summary counts it" grep -q "^pooltop: 1 task oom-killed" "$T/4.err"

# --- 5. --oom-retry: put back, one worker fewer, then it fits --------------
# Two tasks of 250 MiB at once do not fit in 400 MiB: one is OOM-killed and
# put back, the pool shrinks to one worker, and both end up done.
bg "$incg" "$POOLTOP_BIN" --headless -j2 --oom-retry --log "$T/5.log" \
    --joblog "$T/5.jl" $HOG 250 "$T/hog5.end" ::: 1 2 >/dev/null 2>"$T/5.err"
P=$!
check "5: one is put back, the pool shrinks" wait_for 60 grep -q \
    "task.killed slot=[0-9]* task=[12] status=9 oom-killed, put back; the pool shrinks to 1 worker (--oom-retry): " \
    "$T/5.log"
check "5: ... and resized" grep -q "pool.resize .*from 2 to 1 workers" "$T/5.log"
touch "$T/hog5.end"
reap "$P" 60
rc=$?
check "5: the run succeeds (got $rc)" [ "$rc" -eq 0 ]
check "5: both recorded once, succeeded" \
    [ "$(tail -n +2 "$T/5.jl" | awk -F'\t' '$7 == 0 && $8 == 0 { print $1 }' | sort -u | tr '\n' ' ')" = "1 2 " ]
check "5: the summary counts the kill" grep -q "^pooltop: 1 task oom-killed" "$T/5.err"

# --- 6. --memfree auto: the footprint learned, memory never overcommitted --
# Six tasks of 80 MiB at -j6 in the 400 MiB cgroup (six do not fit with
# their interpreters): the first runs alone (no footprint yet); once it has
# ended, tasks start while the cgroup has room for the footprint of one
# more on top of what the running ones may still take: from two to five
# run at once, and all six succeed, none OOM-killed.  The cgroup's page
# cache is dropped first (v1 memory.force_empty, v2 memory.reclaim) so
# that how many fit does not depend on what earlier parts left cached.
# Each task says when its memory is touched (r6.N) and holds it until told
# (e6.N).
[ -w "$CG/memory.force_empty" ] && echo 0 >"$CG/memory.force_empty" 2>/dev/null
[ -w "$CG/memory.reclaim" ] && echo 400M >"$CG/memory.reclaim" 2>/dev/null
echo "# cgroup usage before part 6: $(($(cat "$CG/$USAGE") >> 20)) MiB"
cat >"$T/hog6.py" <<'EOF'
import os, sys, time
n = int(sys.argv[1]) << 20
b = bytearray(n)
for i in range(0, n, 4096):
    b[i] = 1
open(sys.argv[2], "w").close()
end = time.time() + 300
while time.time() < end and not os.path.exists(sys.argv[3]):
    time.sleep(0.05)
EOF
hogs6() { pgrep -f "^$PY $T/hog6.py 80 " | wc -l; }
# Ready: the running hogs that have touched their memory (task 1's r6.1
# stays after it has ended: not counted).
ready6() { find "$T" -maxdepth 1 -name 'r6.*' ! -name r6.1 | wc -l; }
settled6() { _h=$(hogs6); [ "$_h" -ge 1 ] && [ "$_h" -eq "$(ready6)" ]; }
bg "$incg" "$POOLTOP_BIN" --headless -j6 --memfree auto --log "$T/6.log" \
    --joblog "$T/6.jl" $PY "$T/hog6.py" 80 "$T/r6.{}" "$T/e6.{}" \
    ::: 1 2 3 4 5 6 >/dev/null 2>"$T/6.err"
P=$!
check "6: learning: the first task runs alone" wait_for 30 sh -c \
    "grep -q 'admission holding: memfree auto: one task at a time' '$T/6.log' && [ -e '$T/r6.1' ]"
check "6: ... one task, no other started" [ "$(hogs6)" -eq 1 ]
touch "$T/e6.1"
check "6: then admission holds on the footprint" wait_for 30 grep -q \
    "admission holding: cgroup memory available .* (footprint [0-9.]*M, .* more for [0-9]* running)" \
    "$T/6.log"
# Those started have touched their memory: how many run at once.
wait_for 30 settled6
n6=$(hogs6)
grep 'admission holding: cgroup' "$T/6.log" | head -n 1 | sed 's/^/# /'
if [ "$n6" -ge 2 ] && [ "$n6" -le 5 ]; then
	ok "6: 2 to 5 tasks of 80 MiB at once in 400 MiB, not 6 ($n6)"
else
	fail "6: 2 to 5 tasks of 80 MiB at once in 400 MiB, not 6 ($n6)"
fi
for i in 2 3 4 5 6; do : >"$T/e6.$i"; done
reap "$P" 60
rc=$?
check "6: the run succeeds (got $rc)" [ "$rc" -eq 0 ]
check "6: all six recorded once, succeeded" \
    [ "$(tail -n +2 "$T/6.jl" | awk -F'\t' '$7 == 0 && $8 == 0 { print $1 }' | sort -u | tr '\n' ' ')" = "1 2 3 4 5 6 " ]
check "6: none OOM-killed" sh -c "! grep -q oom-killed '$T/6.log' '$T/6.err'"

# --- 7. --memfree in a --round-robin pool: no task ended ------------------
# Two round-robin tasks keep 120 and 180 MiB (by their task number), as in
# part 2: under 100 MiB left.  Each reads its input only once told (e7),
# and saves it.  Part 2's rule would end task 2 and lose its blocks; here
# no task is ended, it is said once, starts stay held, and the blocks the
# two tasks read are the input.
cat >"$T/hog7.py" <<'EOF'
import mmap, os, sys, time
task = os.environ["POOLTOP_TASK"]
n = (120 if task == "1" else 180) << 20
b = mmap.mmap(-1, n, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS |
              mmap.MAP_POPULATE)
end = time.time() + 60
while time.time() < end and not os.path.exists(sys.argv[1]):
    time.sleep(0.05)
data = sys.stdin.buffer.read()
open(sys.argv[2] + "." + task, "wb").write(data)
EOF
seq 1 5000 >"$T/7.in"
# (A command started with & reads /dev/null unless it redirects itself.)
bg "$incg" sh -c 'exec "$@" <"$0"' "$T/7.in" "$POOLTOP_BIN" --headless -j2 \
    --log "$T/7.log" --joblog "$T/7.jl" --memfree 200M --pipe --round-robin \
    --block 1k $PY "$T/hog7.py" "$T/e7" "$T/7.out" >/dev/null 2>"$T/7.err"
P=$!
if wait_for 30 grep -q "cgroup memory available [0-9.]*M < 100M, under half of --memfree: no task ended in a --round-robin pool (its unread blocks would be lost); starts held$" \
    "$T/7.log"; then
	ok "7: under half: said, no task ended"
else
	fail "7: under half: said, no task ended"
	sed 's/^/# 7.log: /' "$T/7.log"
fi
check "7: ... while admission holds starts" \
    grep -q "admission holding: cgroup memory available [0-9.]*M < 200M" "$T/7.log"
touch "$T/e7"
reap "$P" 60
rc=$?
check "7: the run succeeds (got $rc)" [ "$rc" -eq 0 ]
check "7: no task ended or killed" \
    sh -c "! grep -Eq 'task\\.killed|ending the youngest' '$T/7.log'"
check "7: said once" \
    [ "$(grep -c 'no task ended in a --round-robin pool' "$T/7.log")" -eq 1 ]
check "7: two tasks, no other started, both succeeded" [ "$(tail -n +2 \
    "$T/7.jl" | awk -F'\t' '$7 == 0 && $8 == 0 { print $1 }' | sort | tr '\n' ' ')" = "1 2 " ]
check "7: every block read once (the lines of both are the input)" \
    sh -c "cat '$T/7.out.1' '$T/7.out.2' | sort -n | cmp -s - '$T/7.in'"

# --- 8. --memfree and --memsuspend with --speculate -----------------------
# Items 1-3 end at once; item 4 keeps 150 MiB until told (e8): a
# straggler, whose copy takes 150 MiB more.  --memfree 200M: the copy
# takes the cgroup under half; it is the youngest, and is ended as a copy
# (its first run runs on, no second copy); the task is recorded once.
cat >"$T/hog8.py" <<'EOF'
import mmap, os, sys, time
if sys.argv[1] != "4":
    sys.exit(0)
b = mmap.mmap(-1, 150 << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS |
              mmap.MAP_POPULATE)
end = time.time() + 60
while time.time() < end and not os.path.exists(sys.argv[2]):
    time.sleep(0.05)
EOF
[ -w "$CG/memory.force_empty" ] && echo 0 >"$CG/memory.force_empty" 2>/dev/null
[ -w "$CG/memory.reclaim" ] && echo 400M >"$CG/memory.reclaim" 2>/dev/null
bg "$incg" "$POOLTOP_BIN" --headless -j2 --speculate --memfree 200M \
    --log "$T/8.log" --joblog "$T/8.jl" $PY "$T/hog8.py" {} "$T/e8" \
    ::: 1 2 3 4 >/dev/null 2>"$T/8.err"
P=$!
if wait_for 60 grep -Eq "speculate: task 4's copy in slot [12] was ended; its first run runs on" \
    "$T/8.log"; then
	ok "8: under half, the copy is ended, the first run runs on"
else
	fail "8: under half, the copy is ended, the first run runs on"
	sed 's/^/# 8.log: /' "$T/8.log"
fi
check "8: ... said as the copy's end, not a task to run again" \
    grep -Eq "under half of --memfree: ending the copy of task 4 \\(--speculate\\), in slot [12]" \
    "$T/8.log"
touch "$T/e8"
reap "$P" 60
rc=$?
check "8: the run succeeds (got $rc)" [ "$rc" -eq 0 ]
check "8: each item recorded once, succeeded" [ "$(tail -n +2 "$T/8.jl" |
    awk -F'\t' '$7 == 0 && $8 == 0 { print $1 }' | sort | tr '\n' ' ')" = "1 2 3 4 " ]
check "8: one copy started, no task killed or run again" sh -c \
    "grep -q 'speculate: 1 copy started, 0 won' '$T/8.err' &&
    ! grep -Eq 'task\\.killed|will run again' '$T/8.log'"

# --memsuspend 100M: the copy is the youngest, and stopped; the first run
# ends and wins: the stopped copy is ended too, and nothing is left.
rm -f "$T/e8"
[ -w "$CG/memory.force_empty" ] && echo 0 >"$CG/memory.force_empty" 2>/dev/null
[ -w "$CG/memory.reclaim" ] && echo 400M >"$CG/memory.reclaim" 2>/dev/null
bg "$incg" "$POOLTOP_BIN" --headless -j2 --speculate --memsuspend 100M \
    --log "$T/8s.log" --joblog "$T/8s.jl" $PY "$T/hog8.py" {} "$T/e8" \
    ::: 1 2 3 4 >/dev/null 2>"$T/8s.err"
P=$!
check "8s: the copy is suspended" wait_for 60 grep -Eq \
    "task=4 task suspended in slot [12]" "$T/8s.log"
touch "$T/e8"
reap "$P" 60
rc=$?
check "8s: the run succeeds (got $rc)" [ "$rc" -eq 0 ]
check "8s: the first run won, the stopped copy ended" grep -Eq \
    "speculate: task 4 won by its first run in slot [12]; the copy in slot [12] is ended" \
    "$T/8s.log"
check "8s: each item recorded once, succeeded" [ "$(tail -n +2 "$T/8s.jl" |
    awk -F'\t' '$7 == 0 && $8 == 0 { print $1 }' | sort | tr '\n' ' ')" = "1 2 3 4 " ]
check "8s: no hog left" no_process_with "$T/hog8.py"
finish
