#!/bin/sh
# Headless steering by signals, as xargs and GNU parallel users expect:
# SIGUSR1 adds a worker, SIGUSR2 removes one, SIGHUP drains, SIGTSTP/SIGCONT
# stop and resume every task.
. "$POOLTOP_SRCDIR/tests/lib.sh"

# field PID NAME: a field of pool PID in `pooltop ls --json`.
field() { "$POOLTOP_BIN" ls --json 2>/dev/null | python3 -c '
import json,sys
d=[p for p in json.load(sys.stdin) if str(p["id"]) == sys.argv[1]]
print(d[0][sys.argv[2]] if d else -1)' "$1" "$2"; }
field_is() { [ "$(field "$1" "$2")" = "$3" ]; }

"$POOLTOP_BIN" -j2 --headless -q 'sleep 3011' ::: 1 2 3 4 5 6 7 8 >/dev/null 2>&1 &
pid=$!
_bgpids="$pid"
check "pool listed with 2 workers" wait_for 10 field_is $pid workers 2
kill -USR1 $pid
check "SIGUSR1 adds a worker" wait_for 10 field_is $pid workers 3
# Signals of one kind do not queue: send the second after the first landed.
kill -USR2 $pid
check "SIGUSR2 lowers the target" wait_for 10 field_is $pid target 2
kill -USR2 $pid
# Surplus workers finish their task first; the target drops at once.
check "second SIGUSR2 lowers it again" wait_for 10 field_is $pid target 1
check "busy surplus workers keep running" field_is $pid workers 3
kill -TERM $pid; wait $pid

# SIGTSTP stops every task process, SIGCONT resumes them.
"$POOLTOP_BIN" -j2 --headless -q 'sh -c "sleep 3012 & sleep 3012; wait"' ::: a b >/dev/null 2>&1 &
pid=$!
_bgpids="$pid"
sleeps() { pgrep -f "^sleep 3012" | wc -l; }
wait_for 10 sh -c '[ "$(pgrep -f "^sleep 3012" | wc -l)" -eq 4 ]'
states() { for s in $(pgrep -f "^sleep 3012"); do awk '{print $3}' /proc/$s/stat; done | sort -u | tr -d '\n'; }
kill -TSTP $pid
check "SIGTSTP stops all task processes" wait_for 10 sh -c '[ "$(for s in $(pgrep -f "^sleep 3012"); do awk "{print \$3}" /proc/$s/stat; done | sort -u | tr -d "\n")" = T ]'
kill -CONT $pid
check "SIGCONT resumes them" wait_for 10 sh -c '[ "$(for s in $(pgrep -f "^sleep 3012"); do awk "{print \$3}" /proc/$s/stat; done | sort -u | tr -d "\n")" = S ]'

# SIGHUP drains: running tasks finish (we end them early), nothing new starts.
kill -HUP $pid
pkill -f "^sleep 3012"
wait $pid
check "drained run ends" [ $? -ne 255 ]
check "nothing left" no_process_with "^sleep 3012"
check "no segment left" no_segment $pid
# The reader of stdout goes away (`pooltop ... | head -n 3`): stop as a
# filter stops on SIGPIPE: exit 141, no error message, no task left
# running, and --resume runs exactly the rest.  Tasks after the third wait
# until head has exited, so their output is written into a closed pipe.
HT="echo {}; [ {} -le 3 ] || while [ ! -e '$T/headgone' ]; do sleep 0.02; done"
seq 200 >"$T/items200"
{ "$POOLTOP_BIN" --headless -j2 --joblog "$T/hjl" -a "$T/items200" "$HT" \
    2>"$T/herr"; echo $? >"$T/hrc"; } | { head -n 3 >"$T/head"; touch "$T/headgone"; }
check "| head -n 3: head got 3 lines" [ "$(grep -c . "$T/head")" -eq 3 ]
check "| head -n 3: exit 141, as on SIGPIPE" [ "$(cat "$T/hrc")" = 141 ]
check "| head -n 3: no error message" sh -c "! grep -qi 'pipe\|error' '$T/herr'"
check "| head -n 3: the stop is logged" grep -q "output closed by its reader" "$T/herr"
check "| head -n 3: not everything ran" [ "$(grep -c . "$T/hjl")" -lt 201 ]
"$POOLTOP_BIN" --headless -q -j2 --joblog "$T/hjl" --resume -a "$T/items200" \
    'echo {}' >"$T/rest"
awk -F'\t' 'NR > 1 { print $1 }' "$T/hjl" | sort -n >"$T/all"
check "--resume then runs the rest: every task once in the joblog" \
    cmp -s "$T/all" "$T/items200"
cat "$T/head" "$T/rest" | sort -n | uniq -d >"$T/twice"
check "... none printed twice" [ ! -s "$T/twice" ]
check "nothing left" no_process_with "headgone"
finish
