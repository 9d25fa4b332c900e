#!/bin/sh
# Failure groups: `ctl failures` groups the tasks that failed for good by
# exit status or signal and the last line of their stderr (trailing blanks
# trimmed, escaped), the most frequent first, with a sample task each;
# --json and status --json say the same; `retry-failed --group N` queues
# exactly that group's tasks again, as new attempts the joblog records;
# the headless summary lists the first five groups after the counts.
. "$POOLTOP_SRCDIR/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip "python3 is needed to parse JSON"

N=fail$$
cat >"$T/t.sh" <<'E'
case $1 in
e*) echo "noise" >&2; printf 'E: disk full  \t\n\n' >&2; exit 1 ;;
x*) echo "E: disk full" >&2; exit 4 ;;
s*) [ -e "$0.fixed" ] && exit 0; echo "about to die" >&2; kill -TERM $$ ;;
k*) kill -KILL $$ ;;
t*) printf 'tab\there\033[31m\n' >&2; exit 5 ;;
esac
exit 0
E
bg "$POOLTOP_BIN" --headless --name $N --keep-open -j3 --retries 2 \
    --joblog "$T/jl" --on-task-end "echo {#} \$POOLTOP_ATTEMPTS \$POOLTOP_RESULT >>$T/hook" \
    sh "$T/t.sh" ::: e1 x1 s1 e2 k1 s2 t1 e3 ok1 >"$T/out" 2>"$T/err"
pid=$!
js() {
	"$POOLTOP_BIN" ctl $N $1 --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$2" 2>/dev/null
}
failed_is() { [ "$(js status 'd["failed"]')" = "$1" ]; }
check "eight tasks fail for good" wait_for 60 failed_is 8

"$POOLTOP_BIN" ctl $N failures >"$T/f1"; rc=$?
cat >"$T/f1.want" <<E
1  3x exit 1: E: disk full
   e.g. task 1, item e1: sh $T/t.sh e1
2  2x signal 15: about to die
   e.g. task 3, item s1: sh $T/t.sh s1
3  1x exit 4: E: disk full
   e.g. task 2, item x1: sh $T/t.sh x1
4  1x signal 9: (no stderr)
   e.g. task 5, item k1: sh $T/t.sh k1
5  1x exit 5: tab\\there\\x1b[31m
   e.g. task 7, item t1: sh $T/t.sh t1
E
check "failures: exit 0" [ $rc -eq 0 ]
check "failures: the groups, most frequent first, escaped" cmp -s "$T/f1" "$T/f1.want"
[ -n "${VERBOSE:-}" ] && diff "$T/f1.want" "$T/f1"
check "failures --json: counts, statuses, signals" \
    [ "$(js failures '[(g["group"], g["count"], g["exitval"], g["signal"]) for g in d["groups"]]')" = \
      "[(1, 3, 1, 0), (2, 2, 0, 15), (3, 1, 4, 0), (4, 1, 0, 9), (5, 1, 5, 0)]" ]
check "failures --json: last stderr lines, trimmed, raw" \
    [ "$(js failures '[g["stderr"] for g in d["groups"]]')" = \
      "['E: disk full', 'about to die', 'E: disk full', '', 'tab\\there\\x1b[31m']" ]
check "failures --json: samples" \
    [ "$(js failures '[(g["sample"]["seq"], g["sample"]["item"]) for g in d["groups"]]')" = \
      "[(1, 'e1'), (3, 's1'), (2, 'x1'), (5, 'k1'), (7, 't1')]" ]
check "failures --json: the sample's command" \
    [ "$(js failures 'd["groups"][1]["sample"]["command"]')" = "sh $T/t.sh s1" ]
check "ctl --json failures: the same" \
    [ "$("$POOLTOP_BIN" ctl --json $N failures)" = "$("$POOLTOP_BIN" ctl $N failures --json)" ]
check "status --json: the same groups" \
    [ "$(js status 'd["failures"]')" = "$(js failures 'd["groups"]')" ]

"$POOLTOP_BIN" ctl $N failures --bogus >/dev/null 2>"$T/e1"; rc=$?
check "failures --bogus: exit 1, says so" \
    sh -c "[ $rc -eq 1 ] && grep -q \"unknown option '--bogus' (usage: failures \[--json\])\" '$T/e1'"
"$POOLTOP_BIN" ctl $N retry-failed --group 9 >/dev/null 2>"$T/e2"; rc=$?
check "retry-failed --group 9: exit 1, says there are 5" \
    sh -c "[ $rc -eq 1 ] && grep -q 'no failure group 9 (there are 5)' '$T/e2'"
"$POOLTOP_BIN" ctl $N retry-failed --group 0 >/dev/null 2>"$T/e3"; rc=$?
check "retry-failed --group 0: exit 1, a bad group" \
    sh -c "[ $rc -eq 1 ] && grep -q \"bad group '0'\" '$T/e3'"
"$POOLTOP_BIN" ctl $N retry-failed --gruop 2 >/dev/null 2>"$T/e4"; rc=$?
check "retry-failed --gruop 2: exit 1, usage" \
    sh -c "[ $rc -eq 1 ] && grep -q 'usage: retry-failed \[--group N\]' '$T/e4'"
check "nothing was queued again" failed_is 8

# The signal group's tasks now succeed: only they run again.
: >"$T/t.sh.fixed"
"$POOLTOP_BIN" ctl $N retry-failed --group 2 >"$T/r" 2>&1; rc=$?
check "retry-failed --group 2: exit 0, two queued" \
    sh -c "[ $rc -eq 0 ] && grep -qx '2 failed tasks queued again' '$T/r'"
check "the group's tasks run again and succeed" wait_for 30 failed_is 6
check "their group is gone, the others stay" \
    [ "$(js failures '[(g["count"], g["exitval"], g["signal"]) for g in d["groups"]]')" = \
      "[(3, 1, 0), (1, 4, 0), (1, 0, 9), (1, 5, 0)]" ]
seqs() { awk -F'\t' 'NR > 1 { print $1 ":" $7 ":" $8 }' "$T/jl" | sort | tr '\n' ' '; }
check "joblog: a new line for tasks 3 and 6 only" \
    [ "$(seqs)" = "1:1:0 2:4:0 3:0:0 3:0:15 4:1:0 5:0:9 6:0:0 6:0:15 7:5:0 8:1:0 9:0:0 " ]
check "the new attempt is the third (after --retries 2), hooks say" \
    [ "$(grep -E '^[36] ' "$T/hook" | sort | tr '\n' ' ')" = "3 2 failed 3 3 done 6 2 failed 6 3 done " ]

# retry-failed without a group: every failed task.
"$POOLTOP_BIN" ctl $N retry-failed >"$T/r2" 2>&1
check "retry-failed: all six queued" grep -qx '6 failed tasks queued again' "$T/r2"
check "they fail again" wait_for 30 failed_is 6
"$POOLTOP_BIN" ctl $N close >/dev/null
reap $pid 30; rc=$?
check "the pool ends: exit 6 (six failed)" [ $rc -eq 6 ]
sed -n '/^pooltop: [0-9]* tasks:/,$p' "$T/err" >"$T/sum"
check "summary: the groups after the counts" \
    sh -c "sed -n 3p '$T/sum' | grep -qx 'pooltop: failure groups: 4, most frequent first'"
check "summary: the first group and its sample" \
    sh -c "sed -n 4,5p '$T/sum' | tr '\n' '|' | grep -qx 'pooltop: 1  3x exit 1: E: disk full|pooltop:    e.g. task 1, item e1: sh $T/t.sh e1|'"

# At most five groups in the summary; JSON has them too.
"$POOLTOP_BIN" --headless -j2 'exit {}' ::: 1 2 3 4 5 6 7 1 >/dev/null 2>"$T/err2"
check "summary: 7 groups, the first 5 shown" \
    sh -c "grep -qx 'pooltop: failure groups: 7, most frequent first (the first 5)' '$T/err2' &&
      [ \$(grep -c '^pooltop: [1-9]  ' '$T/err2') -eq 5 ] &&
      grep -qx 'pooltop: 1  2x exit 1: (no stderr)' '$T/err2'"
"$POOLTOP_BIN" --headless --log-format json -j2 'exit {}' ::: 1 2 3 4 5 6 7 1 2>&1 >/dev/null |
    tail -n 1 >"$T/j"
check "summary in JSON: failure_groups 7, five of them" \
    [ "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["failure_groups"], [g["exitval"] for g in d["failures"]])' "$T/j")" = "7 [1, 2, 3, 4, 5]" ]
"$POOLTOP_BIN" --headless -j2 'exit 0' ::: 1 2 >/dev/null 2>"$T/err3"
check "no failure: no groups line" sh -c "! grep -q 'failure groups' '$T/err3'"
finish
