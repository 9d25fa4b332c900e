#!/bin/sh
# --on-task-end and --on-end: run after each task (its replacement strings,
# quoted as the template quotes them, and POOLTOP_* variables) and when the
# pool ends (counts, exit status, joblog); outside the worker slots; their
# failures are events that never stop the pool; bounded by --hook-timeout;
# a hook still running when the supervisor is killed is ended with it;
# config keys on_task_end and on_end; a bad template is refused.
. "$POOLTOP_SRCDIR/tests/lib.sh"

# --- Replacement strings and variables; items are data. ---
"$POOLTOP_BIN" --headless -q -j2 --joblog "$T/jl" \
    --on-task-end "printf '%s|%s|%s|%s|%s|%s\n' {#} {} \"\$POOLTOP_RESULT\" \
\"\$POOLTOP_EXIT\" \"\$POOLTOP_SIGNAL\" \"\$POOLTOP_ITEM\" >>'$T/task'" \
    --on-end "printf '%s %s %s %s\n' \"\$POOLTOP_DONE\" \"\$POOLTOP_FAILED\" \
\"\$POOLTOP_EXIT\" \"\$POOLTOP_JOBLOG\" >'$T/end'" \
    sh -c 'exit $1' sh ::: 0 3 "a'b;\$(touch $T/pwned)" >/dev/null 2>"$T/e"
rc=$?
check "the run's status: 2 failed" [ $rc -eq 2 ]
check "on-task-end: once per task" [ "$(wc -l <"$T/task")" -eq 3 ]
check "on-task-end: {#} {} and a success" grep -qx '1|0|done|0|0|0' "$T/task"
check "on-task-end: a failure's exit status" \
    grep -qx '2|3|failed|3|0|3' "$T/task"
check "on-task-end: a hostile item is one argument" \
    grep -qxF "3|a'b;\$(touch $T/pwned)|failed|2|0|a'b;\$(touch $T/pwned)" \
    "$T/task"
check "on-task-end: the item ran no code" [ ! -e "$T/pwned" ]
check "on-end: counts, exit status, joblog" \
    grep -qxF "1 2 2 $T/jl" "$T/end"

# --- A signal and the duration. ---
"$POOLTOP_BIN" --headless -q --on-task-end \
    "echo \"\$POOLTOP_SIGNAL \$POOLTOP_EXIT \$POOLTOP_DURATION\" >'$T/sig'" \
    sh -c 'kill -TERM $$' ::: x >/dev/null 2>&1
check "on-task-end: signal 15, exit -1, a duration" \
    grep -Eqx '15 -1 [0-9]+\.[0-9]{3}' "$T/sig"

# --- A hook that fails is an event; the pool goes on and succeeds. ---
"$POOLTOP_BIN" --headless --progress-interval 0 -j1 \
    --on-task-end 'exit 4' --on-end 'exit 5' true ::: a b >/dev/null 2>"$T/e"
check "failing hooks: the run still exits 0" [ $? -eq 0 ]
check "failing hooks: the task hook's failure is said" \
    grep -q "on-task-end for task 2: exit 4" "$T/e"
check "failing hooks: the end hook's failure is said" \
    grep -q "error on-end: exit 5" "$T/e"
check "failing hooks: both tasks ran" [ "$(grep -c task.done "$T/e")" -eq 2 ]

# --- Outside the slots: with -j1 every task ends while hooks are held. ---
bg "$POOLTOP_BIN" --headless --progress-interval 0 -j1 --log "$T/log" \
    --on-task-end "while [ ! -e '$T/go' ]; do sleep 0.02; done" \
    true ::: 1 2 3 >/dev/null 2>&1
P=$!
check "outside the slots: 3 tasks done while their hooks wait" \
    wait_for 20 sh -c "[ \$(grep -c task.done '$T/log') -eq 3 ]"
check "outside the slots: the pool waits for its hooks" kill -0 $P
touch "$T/go"
reap $P 20
check "outside the slots: then it ends, exit 0" [ $? -eq 0 ]

# --- Bounded: a hook past --hook-timeout is ended. ---
"$POOLTOP_BIN" --headless --progress-interval 0 --hook-timeout 1 \
    --on-end "sleep 300; echo late >'$T/late'" true ::: a >/dev/null 2>"$T/e"
check "hook-timeout: the run ends, exit 0" [ $? -eq 0 ]
check "hook-timeout: said" grep -q "on-end: still running after 1s" "$T/e"
check "hook-timeout: the hook did not finish" [ ! -e "$T/late" ]

# --- A hook is not left behind when the supervisor is killed. ---
bg "$POOLTOP_BIN" --headless -q -j1 --on-task-end \
    "echo \$\$ >'$T/pg.tmp'; mv '$T/pg.tmp' '$T/pg'; sleep 300 & sleep 301" \
    true ::: a >/dev/null 2>&1
P=$!
check "kill -9: the hook runs" wait_for 20 test -s "$T/pg"
PG=$(cat "$T/pg")
check "kill -9: its group has the sleeps" wait_for 10 sh -c \
    "[ \$(pgrep -g $PG | wc -l) -ge 3 ]"
kill -9 $P
check "kill -9: the hook's group is ended" wait_for 20 \
    sh -c "[ -z \"\$(pgrep -g $PG)\" ]"

# --- Ctrl-Z stops the hooks with the tasks; fg continues them. ---
bg "$POOLTOP_BIN" --headless -q -j1 --on-task-end \
    "echo \$\$ >'$T/tpg.tmp'; mv '$T/tpg.tmp' '$T/tpg';
    while [ ! -e '$T/tgo' ]; do sleep 0.02; done" true ::: a >/dev/null 2>&1
P=$!
check "SIGTSTP: the hook runs" wait_for 20 test -s "$T/tpg"
PG=$(cat "$T/tpg")
# The state letters of the processes of group $PG, one a line.
group_states() {
	ps -eo pgid=,stat= | awk -v g="$PG" '$1 == g { print substr($2, 1, 1) }'
}
# The hook's shell starts a `sleep 0.02` each 20 ms: see group_stopped.
all_stopped() { group_stopped "$PG"; }
none_stopped() { _s=$(group_states); [ -n "$_s" ] && ! echo "$_s" | grep -q T; }
kill -TSTP $P
check "SIGTSTP: the hook's group is stopped" wait_for 20 all_stopped
kill -CONT $P
check "SIGCONT: the hook's group runs again" wait_for 20 none_stopped
touch "$T/tgo"
reap $P 20
check "SIGCONT: then the pool ends, exit 0" [ $? -eq 0 ]

# --- Config keys. ---
cat >"$T/c.conf" <<EOF
command = "true";
items = [ "x" ];
on_task_end = "echo task {} >>'$T/ctask'";
on_end = "echo end >>'$T/cend'";
EOF
"$POOLTOP_BIN" --headless -q -c "$T/c.conf" >/dev/null 2>&1
check "config on_task_end" grep -qx "task x" "$T/ctask"
check "config on_end" grep -qx "end" "$T/cend"

# --- A bad template is refused before anything runs. ---
"$POOLTOP_BIN" --headless -q --on-task-end 'echo $(( {} ))' true ::: 1 \
    >/dev/null 2>"$T/e"
check "bad on-task-end: exit 255" [ $? -eq 255 ]
check "bad on-task-end: names the option" grep -q -- "--on-task-end:" "$T/e"
"$POOLTOP_BIN" --check-config --on-task-end 'echo $(( {} ))' true \
    >/dev/null 2>&1
check "bad on-task-end: --check-config refuses it" [ $? -eq 255 ]

finish
