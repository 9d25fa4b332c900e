#!/bin/sh
# --joblog writes GNU parallel's format; --resume and --resume-failed
# continue an interrupted run without redoing finished work.
. "$POOLTOP_SRCDIR/tests/lib.sh"

J=$T/jl
"$POOLTOP_BIN" -j2 --headless -q --joblog "$J" 'exit {}' ::: 0 1 0 2 >/dev/null 2>&1
check "joblog header" [ "$(head -1 "$J")" = "$(printf 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand')" ]
check "one line per task" [ "$(tail -n +2 "$J" | wc -l)" -eq 4 ]
check "9 columns" [ "$(awk -F'\t' 'NF != 9' "$J" | wc -l)" -eq 0 ]
check "exit values recorded" [ "$(tail -n +2 "$J" | sort -n | cut -f7 | tr '\n' ' ')" = "0 1 0 2 " ]

# Receive is the bytes of standard output; a timed-out task's Exitval -1.
"$POOLTOP_BIN" -j1 --headless -q --joblog "$J" --timeout 0.3 \
    'printf %s {}; echo err >&2; [ {} = ccc ] && sleep 3013; true' ::: a bb ccc >/dev/null 2>&1
check "Receive counts stdout bytes" [ "$(tail -n +2 "$J" | sort -n | cut -f6 | tr '\n' ' ')" = "1 2 3 " ]
check "timed out: Exitval -1, Signal 15" [ "$(tail -n +2 "$J" | sort -n | tail -1 | cut -f7,8)" = "$(printf -- '-1\t15')" ]

# "-" is standard output, /dev/stderr standard error, +FILE appends.
(cd "$T" && "$POOLTOP_BIN" -j1 --headless -q --joblog - 'echo {}' ::: x >"$T/o" 2>/dev/null)
check "--joblog -: header and line on stdout" [ "$(grep -c -e '^Seq' -e '^1' "$T/o")" -eq 2 ]
check "--joblog -: no file" [ ! -e "$T/-" ]
"$POOLTOP_BIN" -j1 --headless -q --joblog /dev/stderr 'echo {}' ::: x 2>"$T/e" >/dev/null
check "--joblog /dev/stderr" [ "$(grep -c -e '^Seq' -e '^1' "$T/e")" -eq 2 ]
rm -f "$T/ap"
"$POOLTOP_BIN" -j1 --headless -q --joblog "+$T/ap" 'echo {}' ::: x >/dev/null 2>&1
"$POOLTOP_BIN" -j1 --headless -q --joblog "+$T/ap" 'echo {}' ::: y >/dev/null 2>&1
check "--joblog +FILE appends, with no header" [ "$(cut -f1,9 "$T/ap" | tr '\n\t' '  ')" = "1 echo x 1 echo y " ]

# Interrupt a run: the first 3 tasks finish, then SIGTERM while task 4 sleeps.
: >"$T/ran"
"$POOLTOP_BIN" -j1 --headless -q --joblog "$J" 'echo {} >>'"$T"'/ran; [ {} -ge 4 ] && sleep 3013; true' ::: 1 2 3 4 5 6 >/dev/null 2>&1 &
pid=$!
_bgpids="$pid"
wait_for 20 grep -q '^4$' "$T/ran"
kill -TERM $pid
wait $pid
rc=$?
check "SIGTERM exit status 143" [ $rc -eq 143 ]
check "joblog has the 3 finished tasks only" [ "$(tail -n +2 "$J" | cut -f1 | sort -n | tr '\n' ' ')" = "1 2 3 " ]

: >"$T/ran"
"$POOLTOP_BIN" -j1 --headless -q --joblog "$J" --resume 'echo {} >>'"$T"'/ran; true' ::: 1 2 3 4 5 6 >/dev/null 2>&1
check "resume ran exactly the rest" [ "$(sort -n "$T/ran" | tr '\n' ' ')" = "4 5 6 " ]
check "joblog now complete" [ "$(tail -n +2 "$J" | cut -f1 | sort -n | tr '\n' ' ')" = "1 2 3 4 5 6 " ]

# --resume-failed reruns failed ones.
J2=$T/jl2
"$POOLTOP_BIN" -j2 --headless -q --joblog "$J2" 'exit {}' ::: 0 1 0 >/dev/null 2>&1
: >"$T/ran"
"$POOLTOP_BIN" -j2 --headless -q --joblog "$J2" --resume-failed 'echo {} >>'"$T"'/ran' ::: 0 1 0 >/dev/null 2>&1
check "resume-failed reran only seq 2" [ "$(cat "$T/ran")" = "1" ]

# A second pooltop on the same joblog refuses to start.
"$POOLTOP_BIN" -j1 --headless -q --joblog "$T/jl3" 'sleep 3013; : {}' ::: x >/dev/null 2>&1 &
p1=$!
_bgpids="$p1"
wait_for 10 test -s "$T/jl3"
"$POOLTOP_BIN" -j1 --headless -q --joblog "$T/jl3" true ::: x >/dev/null 2>"$T/e2"
check "second pooltop refused" [ $? -eq 255 ]
check "refusal says in use" grep -q "in use" "$T/e2"
kill -TERM $p1; wait $p1
finish
