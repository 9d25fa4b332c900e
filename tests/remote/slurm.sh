#!/bin/sh
# Workers as Slurm job steps (--slurm): a throw-away cluster of two nodes
# (munged, slurmctld, two slurmd, each node in its own mount namespace:
# tests/remote/remote.sh), the pool run as the test user inside
# `salloc -N2`.  Checks a run spread over both nodes with the node in the
# joblog, what a step's task sees, auto-detection and --slurm=no, pause
# and timeout of a task inside a step, --persistent programs in steps, the refusal outside an allocation,
# SIGKILL of the supervisor (no step and no process left), and a node
# lost mid-run (its tasks run on the other, each item once).
# Needs root; SKIP otherwise or without munge and slurm-wlm.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/remote/remote.sh"

slurm_start 2 || { fail "a two-node Slurm cluster starts"; finish; }
mkdir -p "$T/bin" "$T/w"
cp "$POOLTOP_BIN" "$T/bin/pooltop"
chmod 755 "$T" "$T/bin" "$T/bin/pooltop"
chmod 777 "$T/w"
RP=$T/bin/pooltop
W=$T/w

# as_ru CMD...: run CMD as the test user, from / (the build tree may be
# closed to it), with its own runtime directory.
as_ru() {
	(cd / && setpriv --reuid "$RUID" --regid "$(id -g "$RU")" \
	    --clear-groups env -u XDG_RUNTIME_DIR SLURM_CONF="$SLURM_CONF" "$@")
}
# in_alloc ARGS...: pooltop ARGS inside a fresh two-node allocation.
in_alloc() {
	as_ru timeout 120 salloc -N2 -Q "$RP" --headless --remote-pooltop "$RP" \
	    "$@"
}
pool_pid() { pgrep -u "$RU" -f "^$RP --headless" | head -n 1; }

# --- a run over both nodes --------------------------------------------------
seq 200 >"$W/items"
in_alloc --slurm --joblog "$W/jl1" -a "$W/items" echo {} \
    >"$W/out1" 2>"$W/err1"
rc=$?
check "200 tasks as job steps on two nodes: exit 0" [ "$rc" -eq 0 ]
sort -n "$W/out1" >"$W/out1.sorted"
check "... each item's output once" cmp -s "$W/out1.sorted" "$W/items"
n1=$(tail -n +2 "$W/jl1" | cut -f2 | grep -cx n1)
n2=$(tail -n +2 "$W/jl1" | cut -f2 | grep -cx n2)
if [ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] && [ $((n1 + n2)) -eq 200 ]; then
	ok "... the Host column says n1 ($n1) and n2 ($n2), nothing else"
else
	fail "... the Host column says n1 ($n1) and n2 ($n2), nothing else"
fi
check "... the joblog has each task once" sh -c \
    "[ \$(tail -n +2 '$W/jl1' | cut -f1 | sort -un | wc -l) -eq 200 ]"

in_alloc -k sh -c 'echo "$SLURMD_NODENAME $POOLTOP_SLOT"; ls /dev/shm' \
    ::: x >"$W/out2" 2>"$W/err2"
if grep -Eq '^n[12] [12]$' "$W/out2"; then
	ok "auto-detected inside salloc: the task ran in a step on a node"
else
	fail "auto-detected inside salloc: the task ran in a step on a node"
	sed 's/^/# /' "$W/out2" "$W/err2"
fi
check "... it sees its worker's segment, not the pool's" sh -c \
    "grep -q '^pooltop\.$RUID\.' '$W/out2' && [ \$(grep -c '^pooltop\.' '$W/out2') -eq 1 ]"
in_alloc --slurm -k --workdir "$W/wd/{#}-{}" pwd ::: a b >"$W/out2w" \
    2>"$W/err2w"
if [ "$(cat "$W/out2w")" = "$(printf '%s\n' "$W/wd/1-a" "$W/wd/2-b")" ]; then
	ok "--workdir with replacement strings in a step: a directory a task"
else
	fail "--workdir with replacement strings in a step: a directory a task"
	sed 's/^/# /' "$W/out2w" "$W/err2w"
fi
in_alloc --slurm=no --joblog "$W/jl3" true ::: x >/dev/null 2>&1
check "--slurm=no: the task runs here (Host :)" sh -c \
    "tail -n 1 '$W/jl3' | cut -f2 | grep -qx ':'"

# --- pause and timeout of a task inside a step ------------------------------
# (The waits are long: a task blocked in the kernel (D) takes its stop
# only once out, which a machine busy with other tests can delay.)
in_alloc --slurm sh -c "while [ ! -e $W/go ]; do sleep 0.05; done" ::: 1 \
    >/dev/null 2>&1 &
bgpid=$!
wait_for 60 sh -c "[ -n \"\$(pgrep -u $RU -f '^sh -c while \[ ! -e $W/go')\" ] &&
    [ -n \"\$(pgrep -u $RU -f '^$RP --headless')\" ]"
pid=$(pool_pid)
tpid=$(pgrep -u "$RU" -f "^sh -c while \[ ! -e $W/go" | head -n 1)
if [ -n "$pid" ] && [ -n "$tpid" ]; then
	ok "a task runs in a step (pool $pid, task $tpid)"
else
	fail "a task runs in a step (pool $pid, task $tpid)"
fi
as_ru "$RP" ctl "$pid" pause >"$W/pause.out" 2>&1
if wait_for 30 sh -c "[ \"\$(awk '{ print \$3 }' /proc/$tpid/stat)\" = T ]"; then
	ok "pause: the task in the step is stopped (T)"
else
	fail "pause: the task in the step is stopped (T)"
	sed 's/^/# /' "$W/pause.out"
	as_ru "$RP" ctl "$pid" status 2>&1 | sed 's/^/# /'
	ps -o pid,ppid,pgid,stat,args -u "$RU" | sed 's/^/# /'
fi
as_ru "$RP" ctl "$pid" resume >/dev/null 2>&1
check "resume: it runs again" wait_for 30 sh -c \
    "[ \"\$(awk '{ print \$3 }' /proc/$tpid/stat)\" != T ]"
check "ctl status names the node" sh -c \
    "$(command -v setpriv) --reuid $RUID --regid $(id -g "$RU") --clear-groups \
     env -u XDG_RUNTIME_DIR $RP ctl $pid status --json | grep -q '\"host\":\"n[12]\"'"
touch "$W/go"
wait "$bgpid"	# not a bare wait: the daemons are our children too
rm -f "$W/go"

in_alloc --slurm --timeout 1 --joblog "$W/jl5" sleep {} ::: 300 >/dev/null 2>&1
rc=$?
check "--timeout ends a task in a step: exit 1, Exitval -1" sh -c \
    "[ $rc -eq 1 ] && tail -n 1 '$W/jl5' | cut -f7 | grep -qx -- -1"

# --- --persistent in steps (auto-detected): a program per worker -----------
cat >"$W/prog" <<EOF
#!/bin/sh
# Both workers' --init before any answer (bounded: 60 s): one worker may
# not take every line before the other, slower to start, has run its own.
i=0
while [ "\$(cat '$W/inits9' 2>/dev/null | wc -l)" -lt 2 ] && [ \$i -lt 600 ]
do
	sleep 0.1
	i=\$((i + 1))
done
EOF
cat >>"$W/prog" <<'EOF'
while IFS= read -r l; do
	[ "$l" = crash ] && exit 7
	echo "$l ${SLURMD_NODENAME:-here} $$"
done
EOF
chmod 755 "$W/prog"
printf '%s\n' 1 2 3 crash 5 6 7 8 >"$W/items9"
in_alloc -k --persistent "$W/prog" --init "echo \$SLURMD_NODENAME >>$W/inits9" \
    --joblog "$W/jl9" -a "$W/items9" >"$W/out9" 2>"$W/err9"
rc=$?
check "--persistent inside salloc, a program crashes on one item: exit 1" \
    [ "$rc" -eq 1 ]
if [ "$(cut -d' ' -f1 "$W/out9" | tr '\n' ' ')" = '1 2 3 5 6 7 8 ' ] &&
    [ "$(awk '$2 ~ /^n[12]$/' "$W/out9" | wc -l)" -eq 7 ]; then
	ok "... the others answered in order (-k) by programs in steps"
else
	fail "... the others answered in order (-k) by programs in steps"
	sed 's/^/# /' "$W/out9" "$W/err9"
fi
check "... the joblog: exit 7 for it alone, every line on a node" sh -c \
    "[ \"\$(awk -F'\t' 'NR > 1 && \$7 != 0 { print \$1, \$7 }' '$W/jl9')\" = '4 7' ] &&
     [ \$(tail -n +2 '$W/jl9' | cut -f2 | grep -cE '^n[12]\$') -eq 8 ]"
if [ "$(sort "$W/inits9" | tr '\n' ' ')" = 'n1 n2 ' ]; then
	ok "... --init ran once in each worker, one on each node"
else
	fail "... --init ran once in each worker, one on each node"
	sed 's/^/# /' "$W/inits9" "$W/err9"
fi

# --- more workers than CPUs: the steps that cannot start wait --------------
# salloc -N2 gives one CPU a node: 2 of the 6 steps start, 4 wait.
in_alloc --slurm -j 3 --joblog "$W/jl7" sh -c \
    "while [ ! -e $W/go ]; do sleep 0.05; done" ::: 1 2 3 4 5 6 \
    >/dev/null 2>&1 &
bgpid=$!
wait_for 60 sh -c "[ -n \"\$(pgrep -u $RU -f '^$RP --headless')\" ]"
pid=$(pool_pid)
check "6 workers on 2 one-CPU nodes: 2 steps run, 4 wait as starting" \
    wait_for 60 sh -c "[ \"\$(cd / && $(command -v setpriv) --reuid $RUID \
    --regid $(id -g "$RU") --clear-groups env -u XDG_RUNTIME_DIR $RP ctl $pid \
    status 2>/dev/null | awk '\$2 == \"running\" || \$2 == \"starting\" \
    { print \$2 }' | sort | uniq -c | awk '{ printf \"%s=%s \", \$2, \$1 }')\" = \
    'running=2 starting=4 ' ]"
touch "$W/go"
wait "$bgpid"
rc=$?
check "... and the run completes when they can: exit 0, 6 tasks" sh -c \
    "[ $rc -eq 0 ] && [ \$(tail -n +2 '$W/jl7' | wc -l) -eq 6 ]"
rm -f "$W/go"

# --- outside an allocation --------------------------------------------------
as_ru "$RP" --slurm echo ::: a >/dev/null 2>"$W/err6"
rc=$?
check "--slurm outside an allocation: exit 255, said why" sh -c \
    "[ $rc -eq 255 ] && grep -q 'not inside a Slurm allocation' '$W/err6'"

# --- SIGKILL of the supervisor ----------------------------------------------
in_alloc --slurm -j 1 sleep {} ::: 1000 1001 >/dev/null 2>&1 &
bgpid=$!
check "two tasks run in steps" wait_for 60 sh -c \
    "[ \$(pgrep -u $RU -x sleep | wc -l) -eq 2 ]"
pid=$(pool_pid)
kill -9 "$pid"
check "supervisor SIGKILLed: no task and no worker left on the nodes" \
    wait_for 30 sh -c "! pgrep -u $RU -x sleep >/dev/null &&
        ! pgrep -u $RU -f 'pooltop:? worker' >/dev/null"
check "... and no pooltop step left in Slurm" wait_for 30 sh -c \
    "[ -z \"\$(squeue -h -s -o '%j' 2>/dev/null | grep pooltop-worker)\" ]"
wait "$bgpid"

# --- a node lost mid-run (last: the node stays dead) ------------------------
# Its slurmd, the steps' slurmstepd, the worker and the task killed: srun
# would wait minutes for Slurm to find the node not responding; the pool
# hears nothing from the worker and takes it as lost.  --no-kill: Slurm
# must not end the whole allocation when it finds the node down.  The
# tasks wait for a gate opened once n2 is gone.
seq 40 >"$W/items8"
as_ru timeout 120 salloc -N2 --no-kill -Q "$RP" --headless \
    --remote-pooltop "$RP" --slurm --joblog "$W/jl8" -a "$W/items8" \
    sh -c 'while [ ! -e "$2" ]; do sleep 0.05; done; echo $1' sh {} \
    "$W/gate8" >"$W/out8" 2>"$W/err8" &
bgpid=$!
check "a task runs in a step on each node" wait_for 60 sh -c \
    "[ \$(pgrep -u $RU -f '^sh -c while \\[ ! -e' | wc -l) -eq 2 ]"
host_kill n2
touch "$W/gate8"
wait "$bgpid"
rc=$?
check_each_once "n2 killed mid-run" "$rc" "$W/out8" "$W/items8" "$W/jl8"
# (srun here waits for Slurm, which has not found the node dead yet: the
# worker's silence says it; were srun to end first, its host would go
# down as one where no worker starts.)
why=$(sed -n 's/.*host n2 is down: //p' "$W/err8" | head -n 1)
check "... n2 is said to be down (${why:-not said})" [ -n "$why" ]
check "... its task put back to run on n1" \
    grep -q "worker [0-9]* on n2 lost during task [0-9]*.*: it runs again" \
    "$W/err8"
[ "$rc" -eq 0 ] || tail -20 "$W/err8" | sed 's/^/# /'

finish
