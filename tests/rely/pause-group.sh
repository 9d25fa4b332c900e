#!/bin/sh
# Pause and resume reach every process of a task's group: tasks of the
# form sh -c 'yes & yes; wait' are stopped whole (every process in state T)
# by `ctl pause`, by `ctl pause SLOT` (that task only) and by SIGTSTP to
# the supervisor, and run again, every process, on resume / SIGCONT.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

yeses() { pgrep -f "^yes $MARK\$" || true; }
nyes_is() { [ "$(yeses | wc -l)" -eq "$1" ]; }
# group_states PGID: the state letters of one process group.
group_states() { states $(pgrep -g "$1"); }
# shellcheck disable=SC2046
yes_states() { states $(yeses); }
is_T() { [ "$1" = T ]; }
no_T() { case "$1" in *T*|'') return 1 ;; esac; }
yes_all_T() { is_T "$(yes_states)"; }
yes_none_T() { no_T "$(yes_states)"; }

run_pool --headless -q -j2 sh -c "yes $MARK >/dev/null & yes $MARK >/dev/null; wait" ::: a b
check "four yes processes (two per task)" wait_for 20 nyes_is 4
check "pool answers" wait_for 10 answers "$pid"
g1=$(status_py "$pid" "s[1]['task_pid']")
g2=$(status_py "$pid" "s[2]['task_pid']")
check "each group has three processes" sh -c \
    "[ \$(pgrep -g $g1 | wc -l) -eq 3 ] && [ \$(pgrep -g $g2 | wc -l) -eq 3 ]"

"$POOLTOP_BIN" ctl "$pid" pause >/dev/null
check "pool pause: every process of both groups in T" wait_for 10 yes_all_T
check "pool pause: the shells too" sh -c "[ \"\$(for q in \$(pgrep -g $g1) \$(pgrep -g $g2); do awk '{print \$3}' /proc/\$q/stat; done | sort -u | tr -d '\n')\" = T ]"
"$POOLTOP_BIN" ctl "$pid" resume >/dev/null
check "pool resume: no process in T" wait_for 10 yes_none_T

"$POOLTOP_BIN" ctl "$pid" pause 2 >/dev/null
check "slot pause: its whole group in T" wait_for 10 sh -c "[ \"\$(for q in \$(pgrep -g $g2); do awk '{print \$3}' /proc/\$q/stat; done | sort -u | tr -d '\n')\" = T ]"
check "slot pause: the other group runs" no_T "$(group_states "$g1")"
"$POOLTOP_BIN" ctl "$pid" resume 2 >/dev/null
check "slot resume: its group runs again" wait_for 10 yes_none_T

kill -TSTP "$pid"
check "SIGTSTP: every task process in T" wait_for 10 yes_all_T
kill -CONT "$pid"
check "SIGCONT: every task process runs" wait_for 10 yes_none_T

kill -TERM "$pid"
wait "$pid"
check "nothing left" wait_for 5 nyes_is 0
figures tasks=2 faults=0 hostile=0 lost=0
finish
