#!/bin/sh
# --retries, --timeout and --halt.
. "$POOLTOP_SRCDIR/tests/lib.sh"

# A task that fails twice then succeeds, with --retries 3 (attempts in all,
# as GNU parallel counts them).
"$POOLTOP_BIN" -j1 --headless -q --retries 3 \
  ': {}; n=$(cat '"$T"'/c 2>/dev/null || echo 0); n=$((n+1)); echo $n >'"$T"'/c; [ $n -ge 3 ]' ::: x >/dev/null 2>&1
check "retried until success" [ $? -eq 0 ]
check "three attempts" [ "$(cat "$T/c")" = 3 ]

"$POOLTOP_BIN" -j1 --headless -q --retries 2 'echo run >>'"$T"'/d; exit 1; : {}' ::: x >/dev/null 2>&1
check "fails after retries: exit 1" [ $? -eq 1 ]
check "two attempts" [ "$(wc -l <"$T/d")" -eq 2 ]

# --retries 0: no limit, until the task succeeds.
"$POOLTOP_BIN" -j1 --headless -q --retries 0 \
  ': {}; echo run >>'"$T"'/z; [ $(wc -l <'"$T"'/z) -ge 4 ]' ::: x >/dev/null 2>&1
check "--retries 0 retries until success" [ $? -eq 0 ]
check "four attempts" [ "$(wc -l <"$T/z")" -eq 4 ]

# Timeout: a 30 s sleep ends in about the timeout.
start=$(date +%s)
"$POOLTOP_BIN" -j1 --headless --timeout 0.5 'sleep 3014; : {}' ::: x >/dev/null 2>"$T/to"
rc=$?
end=$(date +%s)
check "timeout fails the task" [ $rc -eq 1 ]
check "timeout event" grep -q "task.timeout" "$T/to"
check "ended well before 30 s" [ $((end - start)) -lt 20 ]

# --halt now,fail=1: the first failure stops the run; later tasks never start.
"$POOLTOP_BIN" -j1 --headless -q --halt now,fail=1 'echo {} >>'"$T"'/h; exit {}' ::: 0 3 0 0 >/dev/null 2>&1
rc=$?
check "halt exit status is the failing task's" [ $rc -eq 3 ]
check "no task after the halt" [ "$(tr '\n' ' ' <"$T/h")" = "0 3 " ]

# --halt fail=N (N > 1) and done=N exit with the number of failures; a
# percentage with the share that failed, rounded up, also for items read
# from a pipe (read to the end first, for the total).
"$POOLTOP_BIN" -j1 --headless -q --halt now,fail=2 'exit {}' ::: 0 3 5 0 >/dev/null 2>&1
check "halt now,fail=2: exit 2" [ $? -eq 2 ]
"$POOLTOP_BIN" -j1 --headless -q --halt now,done=2 'exit {}' ::: 0 3 5 0 >/dev/null 2>&1
check "halt now,done=2: exit 1, the failures" [ $? -eq 1 ]
printf '%s\n' 0 3 5 0 7 0 0 0 0 | "$POOLTOP_BIN" -j1 --headless -q \
    --halt soon,fail=20% 'echo {}; exit {}' >"$T/p" 2>&1
check "halt soon,fail=20% on a pipe: exit 23 (2 of 9)" [ $? -eq 23 ]
check "halt soon,fail=20% on a pipe: stops after 5" [ "$(tr '\n' ' ' <"$T/p")" = "0 3 5 " ]

# --halt soon,fail=1: running tasks finish, nothing new starts.
"$POOLTOP_BIN" -j2 --headless -q --halt soon,fail=1 'if [ {} = f ]; then exit 1; fi; sleep 0.5; echo {} >>'"$T"'/s' ::: a f b c d e >/dev/null 2>&1
check "halt soon lets the running task finish" grep -q '^a$' "$T/s"
check "halt soon starts nothing new" [ "$(wc -l <"$T/s")" -le 2 ]
finish
