#!/bin/sh
# --speculate: once the input is exhausted, a straggler gets a second copy
# on an idle worker; the first copy to succeed wins and the other is ended
# (its whole process group).  The task is one task: one joblog line (the
# winner's), its output once, its hook once, counted once.  A copy that
# fails while the other runs is dropped; the task fails only when both
# did, and --retries counts the task's attempts.  ctl pause and kill act
# on both copies; a shrink ends the copy first.  Refused where both copies
# would print as they run, and with --results unless --idempotent.  With
# --workdir ..., each copy has a directory of its own, removed as it ends.
. "$POOLTOP_SRCDIR/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip "python3 is needed to parse JSON"

S=$((3000 + $$ % 5000))		# a sleep length no other test uses

# Item 3 is slow on its first run only: the run that makes the marker
# sleeps (two processes of its group); any later run returns at once.
cat >"$T/task.sh" <<'EOF'
i=$1 d=$2 s=$3
if [ "$i" = 3 ] && mkdir "$d/m3" 2>/dev/null; then
	echo slow-start
	sleep "$s" & sleep "$s"
	wait
fi
echo "out-$i"
EOF

# Item 3's first run waits until the log says its copy failed, then exits
# with $4; a later run (the copy, a retry) exits 3 at once.
cat >"$T/fail.sh" <<'EOF'
i=$1 d=$2 log=$3 first=$4
if [ "$i" = 3 ]; then
	if mkdir "$d/f3" 2>/dev/null; then
		n=0
		until grep -q "task 3's copy in slot [0-9]* failed" "$log"; do
			n=$((n + 1)); [ $n -lt 1200 ] || exit 9
			sleep 0.05
		done
		echo first; exit "$first"
	fi
	echo second; exit 3
fi
echo "out-$i"
EOF

# js NAME EXPR: evaluate the Python EXPR on NAME's status --json (as d).
js() {
	"$POOLTOP_BIN" ctl "$1" status --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$2" 2>/dev/null
}
# jis NAME EXPR WANT: is EXPR on NAME's status --json WANT?
jis() { [ "$(js "$1" "$2")" = "$3" ]; }
copies() { jis "$1" 'len(d["speculate"]["copies"])' "$2"; }
states() { jis "$1" 'sorted(s["state"] for s in d["slots"])' "$2"; }
# shrunk NAME: the copy was ended by a shrink, the straggler runs on.
shrunk() {
	grep -q 'copy of task 5 in slot [12] ended: the pool shrinks' "$T/err5" &&
	    copies "$1" 0 &&
	    jis "$1" '[t["task"] for t in d["stragglers"]["tasks"]]' '[5]'
}
# Seqs of a joblog, sorted, one a line (without the header).
seqs() { tail -n +2 "$1" | cut -f1 | sort -n | tr '\n' ' '; }
# Field $2 of seq $3's joblog line in file $1.
jfield() { awk -F'\t' -v s="$3" -v f="$2" '$1 == s { print $f }' "$1"; }

# 1. The copy wins: one line per item, the copy's output, nothing left.
"$POOLTOP_BIN" --headless -j2 --speculate --joblog "$T/jl" \
    --on-task-end "echo {#} >>$T/hook" \
    sh "$T/task.sh" {} "$T" $S ::: 1 2 3 4 5 6 >"$T/out" 2>"$T/err"
rc=$?
check "copy wins: exit 0" [ $rc -eq 0 ]
check "copy wins: no process of the slow first run is left" \
    no_process_with "sleep $S"
check "copy wins: one joblog line per item" \
    [ "$(seqs "$T/jl")" = "1 2 3 4 5 6 " ]
check "copy wins: item 3's line is the copy's (exit 0, under a second)" \
    sh -c "[ '$(jfield "$T/jl" 7 3)' = 0 ] &&
    awk 'BEGIN { exit !($(jfield "$T/jl" 4 3) < 1) }'"
check "copy wins: the event names the copy" \
    grep -Eq 'speculate: task 3 won by its copy in slot [12]; the first run in slot [12] is ended' "$T/err"
check "copy wins: a copy started once, as an event" \
    [ "$(grep -c 'speculate: copy of task 3 started' "$T/err")" = 1 ]
check "copy wins: output once per item, none of the loser's" \
    sh -c "[ \$(grep -c '^out-' '$T/out') -eq 6 ] &&
    [ \$(grep -c '^out-3\$' '$T/out') -eq 1 ] && ! grep -q slow-start '$T/out'"
check "copy wins: the hook ran once per task" \
    wait_for 10 sh -c "[ \"\$(sort -n '$T/hook' | tr '\n' ' ')\" = '1 2 3 4 5 6 ' ]"
check "copy wins: the summary counts 6 done, 1 copy started, 1 won" \
    sh -c "grep -q '6 tasks: 6 done, 0 failed' '$T/err' &&
    grep -q 'speculate: 1 copy started, 1 won' '$T/err'"
check "copy wins: one task.done event for task 3" \
    [ "$(grep -c 'task.done .*task=3 ' "$T/err")" = 1 ]

# 2. The same with -k and --results FILE.csv (--idempotent): in order,
# the record holds the copy's output.
rm -rf "$T/m3"
"$POOLTOP_BIN" --headless -j2 --speculate --idempotent -k --joblog "$T/jl2" \
    --results "$T/r.csv" sh "$T/task.sh" {} "$T" $S ::: 1 2 3 4 5 6 \
    >/dev/null 2>"$T/err2"
rc=$?
check "--results FILE.csv --idempotent: exit 0, one line per item" \
    sh -c "[ $rc -eq 0 ] && [ '$(seqs "$T/jl2")' = '1 2 3 4 5 6 ' ]"
check "--results FILE.csv: item 3's record is the copy's, once" \
    python3 -c '
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["Seq"] == "3"]
sys.exit(not (len(rows) == 1 and rows[0]["Stdout"] == "out-3\n"))' "$T/r.csv"
rm -rf "$T/m3"
"$POOLTOP_BIN" --headless -j2 --speculate --idempotent -k \
    --results "$T/rd" sh "$T/task.sh" {} "$T" $S ::: 1 2 3 4 5 6 \
    >"$T/out3" 2>/dev/null
check "--results DIR --idempotent: DIR/3/stdout is the copy's alone" \
    sh -c "[ \"\$(cat '$T/rd/3/stdout')\" = out-3 ] && [ ! -s '$T/out3' ]"
check "--results DIR: no process left" no_process_with "sleep $S"
rm -rf "$T/m3"
"$POOLTOP_BIN" --headless -j2 --speculate -k sh "$T/task.sh" {} "$T" $S \
    ::: 1 2 3 4 5 6 >"$T/outk" 2>/dev/null
check "-k: the output in input order, each once" \
    [ "$(tr '\n' ' ' <"$T/outk")" = "out-1 out-2 out-3 out-4 out-5 out-6 " ]

# 3. The copy fails while the first run goes on: the first run is the task.
"$POOLTOP_BIN" --headless -j2 --speculate --joblog "$T/jl3" --log "$T/log3" \
    sh "$T/fail.sh" {} "$T" "$T/log3" 0 ::: 1 2 3 4 5 \
    >"$T/out3" 2>"$T/err3"
rc=$?
check "copy fails: exit 0, one line per item, item 3 exit 0" \
    sh -c "[ $rc -eq 0 ] && [ '$(seqs "$T/jl3")' = '1 2 3 4 5 ' ] &&
    [ '$(jfield "$T/jl3" 7 3)' = 0 ]"
check "copy fails: the first run's output, not the copy's" \
    sh -c "[ \$(grep -c '^first\$' '$T/out3') -eq 1 ] &&
    ! grep -q second '$T/out3'"
check "copy fails: not a failure, not a retry; 1 started, 0 won" \
    sh -c "! grep -Eq 'task\\.(failed|retry)' '$T/log3' &&
    grep -q 'speculate: 1 copy started, 0 won' '$T/err3'"

# 4. Both fail: one failed attempt; --retries 2 runs one more, that fails.
rm -rf "$T/f3"
"$POOLTOP_BIN" --headless -j2 --speculate --retries 2 --joblog "$T/jl4" \
    --log "$T/log4" sh "$T/fail.sh" {} "$T" "$T/log4" 4 ::: 1 2 3 4 5 \
    >"$T/out4" 2>"$T/err4"
rc=$?
check "both fail: exit 1 (one task failed), one line per item" \
    sh -c "[ $rc -eq 1 ] && [ '$(seqs "$T/jl4")' = '1 2 3 4 5 ' ]"
check "both fail: one retry, after the first run's exit 4" \
    sh -c "[ \$(grep -c 'task.retry .*task=3 ' '$T/log4') -eq 1 ] &&
    grep -q 'attempt 1 failed (exit 4)' '$T/log4'"
check "both fail: the retry's exit 3 is the joblog's, one task.failed" \
    sh -c "[ '$(jfield "$T/jl4" 7 3)' = 3 ] &&
    [ \$(grep -c 'task.failed' '$T/log4') -eq 1 ]"
check "both fail: the summary counts the task once" \
    grep -q '5 tasks: 4 done, 1 failed' "$T/err4"

# 5. Steering a pool with a copy: status lists it, pause and resume act on
# both copies, a shrink ends the copy first, kill ends the task once.
bg "$POOLTOP_BIN" --headless --name sp$$ -j2 --speculate --joblog "$T/jl5" \
    sleep ::: 0 0 0 0 $S 2>"$T/err5"
pool=$!
check "status --json: a copy is listed" \
    wait_for 60 copies sp$$ 1
check "status --json: its slot says copy, the other straggler" \
    [ "$(js sp$$ 'sorted((s["task"], s["copy"], s["straggler"]) for s in d["slots"])')" = "[(5, False, True), (5, True, False)]" ]
"$POOLTOP_BIN" ctl sp$$ status >"$T/status"
check "status: a copies line names slot and task" \
    grep -Eq '^copies \(--speculate, 1 started, 0 won\): slot [12] task 5 running [0-9.]+s$' "$T/status"
wait_for 30 jis sp$$ 'd["speculate"]["copies"][0]["running"] >= 1.5' True
check "a copy run over a second is not itself marked a straggler" \
    jis sp$$ '[(t["task"], t["slot"] != d["speculate"]["copies"][0]["slot"]) for t in d["stragglers"]["tasks"]]' '[(5, True)]'
first=$(js sp$$ 'd["stragglers"]["tasks"][0]["slot"]')
"$POOLTOP_BIN" ctl sp$$ pause "$first" >/dev/null
check "pause of the straggler's slot: both copies paused" \
    wait_for 10 states sp$$ "['paused', 'paused']"
"$POOLTOP_BIN" ctl sp$$ resume "$first" >/dev/null
check "resume: both copies run" \
    wait_for 10 states sp$$ "['running', 'running']"
"$POOLTOP_BIN" ctl sp$$ resize 1 >/dev/null
check "resize 1: the copy is ended, the straggler runs on" \
    wait_for 30 shrunk sp$$
check "resize 1: the copy's process is gone, the straggler's runs" \
    wait_for 10 sh -c "[ \$(pgrep -fc '^sleep $S\$') -eq 1 ]"
check "resize 1: the ended copy is no failure in any slot's FAIL" \
    wait_for 10 jis sp$$ 'sum(s["tasks_failed"] for s in d["slots"])' 0
check "resize 1: no second copy started" \
    jis sp$$ 'd["speculate"]["started"]' 1
"$POOLTOP_BIN" ctl sp$$ kill "$first" >/dev/null
reap $pool 30
rc=$?
check "kill: the pool ends, the task failed once" \
    sh -c "[ $rc -eq 1 ] && [ '$(seqs "$T/jl5")' = '1 2 3 4 5 ' ]"
check "kill: no process left" no_process_with "sleep $S"

# 6. ctl kill of a task that has a copy ends both: one failure.
bg "$POOLTOP_BIN" --headless --name sk$$ -j2 --speculate --joblog "$T/jl6" \
    sleep ::: 0 0 0 0 $S 2>"$T/err6"
pool=$!
check "kill: a copy runs" \
    wait_for 60 copies sk$$ 1
"$POOLTOP_BIN" ctl sk$$ kill "$(js sk$$ 'd["speculate"]["copies"][0]["slot"]')" \
    >/dev/null
reap $pool 30
rc=$?
check "kill of the copy's slot: both end, one failed task, one line" \
    sh -c "[ $rc -eq 1 ] && [ '$(seqs "$T/jl6")' = '1 2 3 4 5 ' ] &&
    [ \$(grep -c 'task.killed .*killed (signal' '$T/err6') -eq 1 ]"
check "kill: no process of either copy left" no_process_with "sleep $S"

# 7. --timeout: each copy has its own (the copy starts after a second or
# so); the task times out once both did.
"$POOLTOP_BIN" --headless -j2 --speculate --timeout 5 --joblog "$T/jl7" \
    sleep ::: 0 0 0 0 $S >/dev/null 2>"$T/err7"
rc=$?
check "timeout: the first run's timeout leaves the copy running" \
    grep -Eq "task 5's first run in slot [12] timed out; its copy runs on" "$T/err7"
check "timeout: the task timed out once, one joblog line (Exitval -1)" \
    sh -c "[ $rc -eq 1 ] && [ '$(seqs "$T/jl7")' = '1 2 3 4 5 ' ] &&
    [ '$(jfield "$T/jl7" 7 5)' = -1 ] &&
    [ \$(grep -c 'task.timeout' '$T/err7') -eq 1 ]"
check "timeout: no process left" no_process_with "sleep $S"

# 8 and 8b: at -j3, item 1 (long) waits for the file $2 in both its runs
# (8 never creates it); item 2 ends at once and item 4 (1.3 s) takes its
# slot; item 3 (1.2 s) ends first and item 5 (late) takes its slot; item
# 4's slot is then the idle one the copy takes.  A straggler runs over 3x
# the median of the 3 finished, 3.6 s: long is one at 3.6 s, late (started
# 1.2 s after it) not yet, so the copy is long's whatever the order of
# equal start times.  Late fails once the copy has started.
cat >"$T/halts.sh" <<'EOF2'
case $1 in
long) n=0
	until [ -e "$2" ]; do
		n=$((n + 1)); [ $n -lt 6000 ] || exit 9
		sleep 0.05
	done ;;
zero) ;;
one) sleep 1.2 ;;
two) sleep 1.3 ;;
late) n=0
	until grep -q "copy of task 1 started" "$3"; do
		n=$((n + 1)); [ $n -lt 6000 ] || exit 9
		sleep 0.05
	done
	exit 1 ;;
esac
EOF2

# 8. --halt now: a failure elsewhere ends both copies; the task is not
# recorded (--resume runs it).
"$POOLTOP_BIN" --headless -j3 --speculate --halt now,fail=1 --joblog "$T/jl8" \
    --log "$T/log8" sh "$T/halts.sh" {} "$T/never" "$T/log8" \
    ::: long zero one two late >/dev/null 2>&1
rc=$?
check "halt now: exit 1, the straggler not in the joblog" \
    sh -c "[ $rc -eq 1 ] && [ '$(seqs "$T/jl8")' = '2 3 4 5 ' ] &&
    grep -q 'copy of task 1 started' '$T/log8'"
check "halt now: neither copy is left" no_process_with "$T/halts.sh long"

# 8b. --halt soon: a failure elsewhere while a copy runs ends neither;
# the first to finish wins, once, and nothing new starts.
bg "$POOLTOP_BIN" --headless --name hs$$ -j3 --speculate --halt soon,fail=1 \
    --joblog "$T/jl8b" --log "$T/log8b" sh "$T/halts.sh" {} "$T/go8b" \
    "$T/log8b" ::: long zero one two late >/dev/null 2>"$T/err8b"
pool=$!
check "halt soon: reached once the copy runs" \
    wait_for 60 grep -q "halt policy reached (soon)" "$T/log8b"
draining_copy() { jis "$1" 'd["state"]' draining && copies "$1" 1; }
check "halt soon: both runs of the straggler go on, draining" \
    wait_for 10 draining_copy hs$$
touch "$T/go8b"
reap $pool 30
rc=$?
check "halt soon: exit 1 (one failed), each item recorded once" \
    sh -c "[ $rc -eq 1 ] && [ '$(seqs "$T/jl8b")' = '1 2 3 4 5 ' ]"
check "halt soon: the straggler succeeded, one task.done, a winner said" \
    sh -c "[ '$(jfield "$T/jl8b" 7 1)' = 0 ] &&
    [ \$(grep -c 'task.done .*task=1 ' '$T/log8b') -eq 1 ] &&
    grep -Eq 'speculate: task 1 won by its (copy|first run)' '$T/log8b'"
check "halt soon: one copy started" \
    grep -q 'speculate: 1 copy started' "$T/err8b"
[ "$_failed" -eq 0 ] || { echo "# exit $rc"; sed 's/^/# jl: /' "$T/jl8b"
	grep -E 'task\.|speculate|halt' "$T/log8b" | sed 's/^/# log: /'; }
check "halt soon: no process left" no_process_with "$T/go8b"

# 8c. --halt soon before any copy: the straggler is marked while the pool
# drains, with idle workers, and gets no copy (draining starts nothing).
cat >"$T/halts2.sh" <<'EOF2'
case $1 in
long) n=0
	until [ -e "$2" ]; do
		n=$((n + 1)); [ $n -lt 6000 ] || exit 9
		sleep 0.05
	done ;;
f) exit 1 ;;
esac
EOF2
bg "$POOLTOP_BIN" --headless --name hd$$ -j3 --speculate --halt soon,fail=1 \
    --joblog "$T/jl8c" sh "$T/halts2.sh" {} "$T/go8c" ::: long 0 0 0 f \
    >/dev/null 2>"$T/err8c"
pool=$!
draining_marked() {
	jis "$1" 'd["state"]' draining &&
	    jis "$1" '[t["task"] for t in d["stragglers"]["tasks"]]' '[1]'
}
alone() {
	jis "$1" 'd["speculate"]["started"]' 0 && copies "$1" 0 &&
	    jis "$1" 'd["running"]' 1
}
check "halt soon, no copy yet: the straggler is marked while draining" \
    wait_for 60 draining_marked hd$$
check "halt soon, no copy yet: none started, the straggler runs alone" \
    alone hd$$
touch "$T/go8c"
reap $pool 30
rc=$?
check "halt soon, no copy yet: exit 1, all five recorded once" \
    sh -c "[ $rc -eq 1 ] && [ '$(seqs "$T/jl8c")' = '1 2 3 4 5 ' ] &&
    [ '$(jfield "$T/jl8c" 7 1)' = 0 ]"
check "halt soon, no copy yet: the summary says no copy" \
    grep -q 'speculate: 0 copies' "$T/err8c"

# 10. --workdir ...: each copy of a task in a directory of its own, and
# each removed when its copy ends, whichever wins or fails first.  Item
# 3's two runs each write a file named by their pid into `.`, wait for the
# other to have written its own, and look: each must be alone.  Then the
# winner ($4) ends: first, copy, or (copyfails) the copy fails at once and
# the first run, which goes on, looks again once the copy's end is logged.
cat >"$T/dirtask.sh" <<'EOF'
i=$1 t=$2 s=$3 win=$4
[ "$i" = 3 ] || { echo "out-$i"; exit 0; }
: >"./$$"
if mkdir "$t/w3" 2>/dev/null; then
	me=first other=copy
else
	me=copy other=first
fi
pwd >"$t/wd.$me"
: >"$t/wrote.$me"
# upto TEST...: poll for a minute at most.
upto() {
	n=0
	until "$@"; do
		n=$((n + 1)); [ $n -lt 1200 ] || exit 9; sleep 0.05
	done
}
upto [ -e "$t/wrote.$other" ]
ls -A . >"$t/ls.$me"
echo $$ >"$t/pid.$me"
: >"$t/checked.$me"
if [ "$win" = copyfails ]; then
	[ $me = copy ] && exit 3
	upto grep -q "task 3's copy in slot [0-9]* failed" "$t/logw"
	ls -A . >"$t/ls2.$me"
	echo out-3; exit 0
fi
if [ "$me" = "$win" ]; then
	upto [ -e "$t/checked.$other" ]
	echo out-3; exit 0
fi
sleep "$s" & sleep "$s"
wait
EOF
tmpd="$T/home/.pooltop/tmp"
for win in copy first copyfails; do
	rm -rf "$T/w3" "$T/wrote."* "$T/checked."* "$T/ls."* "$T/ls2."* \
	    "$T/pid."* "$T/wd."*
	HOME="$T/home" "$POOLTOP_BIN" --headless -j2 --speculate --wd ... \
	    --log "$T/logw" sh "$T/dirtask.sh" {} "$T" $S $win ::: 1 2 3 4 5 6 \
	    >"$T/outw" 2>"$T/errw"
	rc=$?
	check "--wd ... ($win): exit 0, a copy of task 3 started" \
	    sh -c "[ $rc -eq 0 ] &&
	    grep -q 'speculate: copy of task 3 started' '$T/logw'"
	check "... ($win): each run alone in its directory" \
	    sh -c "[ -s '$T/pid.first' ] && [ -s '$T/pid.copy' ] &&
	    [ \"\$(cat '$T/ls.first')\" = \"\$(cat '$T/pid.first')\" ] &&
	    [ \"\$(cat '$T/ls.copy')\" = \"\$(cat '$T/pid.copy')\" ]"
	check "... ($win): the first run in HOST-PID-3, the copy in ...-3-2" \
	    sh -c "grep -q '^$tmpd/[^/]*-[0-9]*-3\$' '$T/wd.first' &&
	    [ \"\$(cat '$T/wd.copy')\" = \"\$(cat '$T/wd.first')-2\" ]"
	if [ $win = copyfails ]; then
		check "... ($win): the copy's end left the first run's alone" \
		    sh -c "[ -s '$T/ls2.first' ] &&
		    [ \"\$(cat '$T/ls2.first')\" = \"\$(cat '$T/pid.first')\" ]"
	fi
	check "... ($win): no directory left" \
	    sh -c "[ -d '$tmpd' ] && [ -z \"\$(find '$tmpd' -mindepth 1)\" ]"
	check "... ($win): no process left" no_process_with "sleep $S"
done
# A task that cannot start (its command is not there) leaves no directory:
# each attempt's is its own, so a leftover would stay for good.
HOME="$T/home" "$POOLTOP_BIN" --headless -q --retries 2 --wd ... \
    "$T/no-such-cmd" ::: a >/dev/null 2>&1
check "--wd ...: a task that cannot start leaves no directory" \
    sh -c "[ -d '$tmpd' ] && [ -z \"\$(find '$tmpd' -mindepth 1)\" ]"

# 9. Refusals, each naming what was wrong.
refused() {
	_want=$1; shift
	"$POOLTOP_BIN" --headless "$@" true ::: a >/dev/null 2>"$T/rerr"
	[ $? -eq 255 ] && grep -q -- "$_want" "$T/rerr"
}
check "--speculate with --results: refused, naming --idempotent" \
    refused "--idempotent" --speculate --results "$T/no"
check "--speculate with -u: refused" refused "--ungroup" --speculate -u
check "--speculate with --line-buffer: refused" \
    refused "--line-buffer" --speculate --line-buffer
check "--speculate with --pipe: refused" refused "--pipe" --speculate --pipe
check "--speculate with --straggler-factor 0: refused" \
    refused "--straggler-factor 0" --speculate --straggler-factor 0
check "--idempotent alone: refused" refused "--speculate" --idempotent
check "--results dir was not made" [ ! -e "$T/no" ]
printf 'speculate = true;\nresults = "%s";\n' "$T/no" >"$T/c.conf"
check "config speculate with results: refused, naming --idempotent" \
    refused "--idempotent" -c "$T/c.conf"
printf 'speculate = true;\nidempotent = true;\n' >"$T/c2.conf"
"$POOLTOP_BIN" --headless -c "$T/c2.conf" --results "$T/cr" true ::: a \
    >/dev/null 2>"$T/cerr"
check "config speculate and idempotent: --results accepted" \
    sh -c "[ $? -eq 0 ] && [ -d '$T/cr/1' ] && grep -q 'speculate: 0 copies' '$T/cerr'"
finish
