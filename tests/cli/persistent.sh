#!/bin/sh
# Persistent mode (--persistent): one long-lived program per worker, one
# task per line in, one result line out.  Results are counted, never
# timed: every task answered exactly once, in order with -k; the error
# marker; a crash on one item; --max-tasks-per-worker; --timeout; pause
# and kill through `pooltop ctl`; --init once per worker; progress; and
# the two example workers of conf/examples.
. "$POOLTOP_SRCDIR/tests/lib.sh"

EX=$POOLTOP_SRCDIR/conf/examples
LINE='while IFS= read -r l; do printf "got %s\n" "$l"; done'
run() { "$POOLTOP_BIN" --headless -q "$@"; }

# --- 1000 items through a shell line worker --------------------------------
seq 1000 >"$T/items"
sed 's/^/got /' "$T/items" >"$T/want"
run -j3 -a "$T/items" --persistent "$LINE" >"$T/out" 2>"$T/err"
check "1000 items: exit 0" [ $? -eq 0 ]
sort -n -k2 "$T/out" >"$T/sorted"
check "1000 items: 1000 right results, each once" cmp -s "$T/sorted" "$T/want"

run -j3 -k --chunksize 8 -a "$T/items" --persistent "$LINE" >"$T/out" 2>&1
check "--keep-order --chunksize 8: exit 0" [ $? -eq 0 ]
check "--keep-order --chunksize 8: results in input order" \
    cmp -s "$T/out" "$T/want"

run -j2 -k --chunksize 8 --persistent "$LINE" 'row {} of {#}' \
    ::: a b c >"$T/out" 2>&1
printf 'got row a of 1\ngot row b of 2\ngot row c of 3\n' >"$T/w"
check "a template: the line is the template substituted" cmp -s "$T/out" "$T/w"

# Items are data: quotes, $(...), backslashes and ; arrive as they are.
printf '%s\n' "O'Brien; DROP TABLE x" '$(touch pwned) `id` \n "q"' >"$T/hostile"
run -j1 -k -a "$T/hostile" --persistent "$LINE" >"$T/out" 2>&1
sed 's/^/got /' "$T/hostile" >"$T/w"
check "hostile items arrive verbatim" cmp -s "$T/out" "$T/w"
check "... and nothing ran them" [ ! -e pwned ]

# An item holding a newline cannot be a line: that task fails, no other.
printf 'a\0two\nlines\0b\0' >"$T/nul"
run -j1 -k -0 -a "$T/nul" --persistent "$LINE" >"$T/out" 2>"$T/err"
check "a newline in an item: exit 1 (one failed)" [ $? -eq 1 ]
printf 'got a\ngot b\n' >"$T/w"
check "... the others answered" cmp -s "$T/out" "$T/w"
check "... and the reason is on stderr" grep -q "holds a newline" "$T/err"

# --tag and --results work on the result lines.
run -j2 -k --tag --persistent "$LINE" ::: x y >"$T/out" 2>&1
printf 'x\tgot x\ny\tgot y\n' >"$T/w"
check "--tag prefixes the item" cmp -s "$T/out" "$T/w"
run -j2 --results "$T/res" --persistent "$LINE" ::: x y >/dev/null 2>&1
check "--results: one stdout per task" \
    [ "$(cat "$T/res/1/stdout" "$T/res/2/stdout")" = "got x
got y" ]

# --- events of many items: sampled, every item still in the joblog ---------
# Past EVSAMPLE_BURST a window, task.start and task.done are counted, not
# logged one by one; the counted and the logged add up to every item.
seq 5000 >"$T/many"
run -j2 --log "$T/mlog" --joblog "$T/mjl" -a "$T/many" --persistent cat \
    >"$T/out" 2>&1
check "5000 items: exit 0, 5000 results" [ "$?:$(wc -l <"$T/out")" = "0:5000" ]
check "... 5000 joblog lines" [ "$(tail -n +2 "$T/mjl" | wc -l)" -eq 5000 ]
check "... fewer task.done lines than items" \
    [ "$(awk '$2 == "task.done"' "$T/mlog" | wc -l)" -lt 5000 ]
check "... logged and counted task.done add up to 5000" \
    [ "$(awk '$2 == "task.done" { n++ }
	/items. events not logged one by one/ { n += $NF }
	END { print n }' "$T/mlog")" -eq 5000 ]

# --- the error marker --------------------------------------------------------
ERRW='while IFS= read -r l; do case $l in *7) echo "ERROR: no $l" ;;
	*) echo "ok $l" ;; esac; done'
seq 20 >"$T/i20"
run -j2 -k --joblog "$T/jl" -a "$T/i20" --persistent "$ERRW" >"$T/out" \
    2>"$T/err"
check "error marker: exit 2 (two tasks failed)" [ $? -eq 2 ]
check "... 18 results on stdout" [ "$(grep -c '^ok ' "$T/out")" -eq 18 ]
check "... the marker lines on stderr" \
    [ "$(grep -c '^ERROR: no [0-9]*7$' "$T/err")" -eq 2 ]
check "... joblog: exit 1 for both" \
    [ "$(awk -F'\t' 'NR > 1 && $7 == 1' "$T/jl" | wc -l)" -eq 2 ]
run -j2 -k --joblog "$T/jl" --resume-failed -a "$T/i20" \
    --persistent "$LINE" >"$T/out" 2>&1
check "--resume-failed: only the two failed run again" \
    [ "$(cat "$T/out")" = "got 7
got 17" ]
run -j2 --joblog "$T/jl" --resume -a "$T/i20" --persistent "$LINE" \
    >"$T/out" 2>&1
check "--resume: nothing left to run" [ ! -s "$T/out" ]

# --- a program that crashes on one item ---------------------------------------
# It logs every line it reads, and dies (SIGKILL) on item 77: 77 fails
# after its retry, and every other item is answered exactly once.
seq 200 >"$T/i200"
CRASH="while IFS= read -r l; do echo \"\$l\" >>'$T/seen';
	[ \"\$l\" = 77 ] && kill -9 \$\$; echo \"r \$l\"; done"
run -j3 --chunksize 8 --retries 2 -a "$T/i200" --persistent "$CRASH" \
    >"$T/out" 2>"$T/err"
check "crash on 77: exit 1 (only 77 failed)" [ $? -eq 1 ]
check "... 199 results, none twice" \
    [ "$(sort -u "$T/out" | wc -l) $(wc -l <"$T/out")" = "199 199" ]
check "... no result for 77" [ -z "$(grep -x 'r 77' "$T/out")" ]
check "... 77 was tried twice" [ "$(grep -cx 77 "$T/seen")" -eq 2 ]
check "... every other item read once" \
    [ "$(grep -vx 77 "$T/seen" | sort | uniq -d | wc -l)" -eq 0 ]

# Crashing only the first time: the retry succeeds, nothing is lost.
rm -f "$T/seen"
ONCE="while IFS= read -r l; do
	if [ \"\$l\" = 77 ] && mkdir '$T/crashed' 2>/dev/null; then
		kill -9 \$\$; fi; echo \"r \$l\"; done"
run -j3 --chunksize 8 --retries 2 -a "$T/i200" --persistent "$ONCE" \
    >"$T/out" 2>/dev/null
check "crash once on 77, --retries 2: exit 0" [ $? -eq 0 ]
check "... all 200 answered once" \
    [ "$(sort -u "$T/out" | wc -l) $(wc -l <"$T/out")" = "200 200" ]

# --- how the program is started ----------------------------------------------
# A command line with no shell syntax is the worker's own child (no sh -c
# between: one process fewer), as a task's template is; one with shell
# syntax runs under sh -c.  Each answers with its parent's name.
printf '#!/bin/sh\nwhile IFS= read -r l; do echo "$l $(cat /proc/$PPID/comm)"; done\n' \
    >"$T/parent"
chmod +x "$T/parent"
run -j1 --persistent "$T/parent" ::: a >"$T/out" 2>&1
check "plain words: the worker starts the program itself" \
    [ "$(cat "$T/out")" = "a pooltop" ]
run -j1 --persistent "'$T/parent' --x='y z'" ::: a >"$T/out" 2>&1
check "... quoted words too" [ "$(cat "$T/out")" = "a pooltop" ]
run -j1 --persistent "$T/parent; :" ::: a >"$T/out" 2>&1
check "shell syntax: sh -c runs it" [ "$(cat "$T/out")" = "a sh" ]
run -j1 --persistent "X=1 $T/parent" ::: a >"$T/out" 2>&1
check "an assignment first: sh -c runs it" [ "$(cat "$T/out")" = "a sh" ]
# So a program killed by a signal is recorded with that signal (under
# sh -c, dash would report it as exit status 128 + N).
printf '#!/bin/sh\nread -r l; kill -9 $$\n' >"$T/die9"
chmod +x "$T/die9"
run -j1 --joblog "$T/jl9" --persistent "$T/die9" ::: a >/dev/null 2>&1
check "killed by SIGKILL: the joblog's Signal is 9" \
    [ "$(awk -F'\t' 'NR == 2 { print $8 }' "$T/jl9")" = 9 ]
# A file without #! is a shell script, as for sh, xargs and GNU parallel.
printf 'while IFS= read -r l; do echo "plain $l"; done\n' >"$T/nosb"
chmod +x "$T/nosb"
run -j1 --persistent "$T/nosb" ::: a 'b c' >"$T/out" 2>&1
check "a script without #!: run by sh" \
    [ "$(sort "$T/out" | tr '\n' ' ')" = "plain a plain b c " ]
# A program that is not there: each task says why, the run ends.
run -j2 --persistent "$T/no-such-program" ::: a b c >/dev/null 2>"$T/err"
check "no such program: exit 3 (all failed)" [ $? -eq 3 ]
check "... says it cannot start it and why" \
    grep -q "cannot start $T/no-such-program: No such file or directory" "$T/err"

# A program that will not start answers nothing: every task fails, and
# the run ends.
run -j2 --persistent 'exit 3' ::: a b c >/dev/null 2>"$T/err"
check "a program that exits at once: exit 3 (all failed)" [ $? -eq 3 ]
check "... with its status" grep -q "exited with status 3" "$T/err"
# Each crash says the same words for the same cause (no pid, which would
# make each its own failure group): one group for the three, by way of
# exit and by way of a signal.
for prog in 'exit 3' 'kill -9 $$'; do
	"$POOLTOP_BIN" --headless -j2 --persistent "$prog" ::: a b c \
	    >/dev/null 2>"$T/err"
	check "a program that ends at once ($prog): one failure group" \
	    grep -qx 'pooltop: failure groups: 1, most frequent first' "$T/err"
	check "... of the three tasks" \
	    grep -q '^pooltop: 1  3x .*persistent command .* before answering' \
	    "$T/err"
done
# Past three deaths in a row the command is broken and tasks fail at once,
# without being sent: in their own group, one for all of them (the words
# carry no count of deaths or delay before the next start, which differ
# from task to task), so two groups at most for one cause.
seq 40 >"$T/i40"
for prog in 'exit 3' 'kill -9 $$'; do
	"$POOLTOP_BIN" --headless -j2 -a "$T/i40" --persistent "$prog" \
	    >/dev/null 2>"$T/err"
	check "40 tasks, a program that ends at once ($prog): at most two groups" \
	    grep -Eqx 'pooltop: failure groups: [12], most frequent first' \
	    "$T/err"
	check "... the 40 failed in them" [ "$(sed -n \
	    's/^pooltop: [0-9]  *\([0-9]*\)x .*/\1/p' "$T/err" |
	    awk '{ n += $1 } END { print n }')" = 40 ]
done
check "... those not sent say so" grep -q \
    '^pooltop: [12]  [0-9]*x signal 9: pooltop: persistent command ended 3 times in a row without answering (last: signal 9): the line was not sent$' \
    "$T/err"
# A program that cannot be started fails every task at once with the
# reason the first one got, exit 127 each, one group: not after waiting
# out restart delays, not with a wait status it never had.
"$POOLTOP_BIN" --headless -j2 -a "$T/i40" --persistent "$T/no-such-program" \
    >/dev/null 2>"$T/err"
check "no such program, 40 tasks: one failure group" \
    grep -qx 'pooltop: failure groups: 1, most frequent first' "$T/err"
check "... all 40 exit 127, saying why" grep -qx \
    "pooltop: 1  40x exit 127: pooltop: cannot start $T/no-such-program: No such file or directory" \
    "$T/err"

# --- --max-tasks-per-worker ---------------------------------------------------
seq 100 >"$T/i100"
run -j2 --max-tasks-per-worker 10 -a "$T/i100" \
    --persistent 'while read -r l; do echo "pid=$$ $l"; done' >"$T/out" 2>&1
check "--max-tasks-per-worker 10: exit 0" [ $? -eq 0 ]
check "... 100 results" [ "$(wc -l <"$T/out")" -eq 100 ]
cut -d' ' -f1 "$T/out" | sort | uniq -c | awk '{ print $1 }' >"$T/per"
check "... at least 10 programs" [ "$(wc -l <"$T/per")" -ge 10 ]
check "... none answered more than 10" [ "$(sort -n "$T/per" | tail -n 1)" -le 10 ]

# --- --timeout on the line the program hangs on -----------------------------
HANG='while read -r l; do [ "$l" = hang ] && sleep 300.'$$'; echo "r $l"; done'
# (--retries: a loaded machine may be slow to answer "a" in time too.)
run -j1 -k --timeout 1 --retries 3 --persistent "$HANG" ::: a hang b \
    >"$T/out" 2>/dev/null
check "--timeout on a hanging line: exit 1" [ $? -eq 1 ]
printf 'r a\nr b\n' >"$T/w"
check "... the others answered" cmp -s "$T/out" "$T/w"
"$POOLTOP_BIN" --headless -j1 --timeout 0.5 --persistent "$HANG" ::: hang \
    >/dev/null 2>"$T/log"
check "... logged as a timeout" grep -q "task.timeout" "$T/log"
check "... its sleep is gone" no_process_with "sleep 300.$$"

# --- --init, once per worker --------------------------------------------------
run -j3 --max-tasks-per-worker 5 -a "$T/i100" \
    --init "echo \"slot \$POOLTOP_SLOT\" >>'$T/init'" \
    --persistent 'while read -r l; do echo "$l"; done' >"$T/out" 2>&1
rc=$?
check "--init: exit 0, 100 results" [ "$rc $(wc -l <"$T/out")" = "0 100" ]
printf 'slot 1\nslot 2\nslot 3\n' >"$T/w"
sort "$T/init" >"$T/got"
check "--init ran once in each of 3 workers" cmp -s "$T/got" "$T/w"
# An --init that always fails: rounds of restarts, then the pool stops
# (exit 255) with every task left for --resume.
"$POOLTOP_BIN" --headless -j2 --joblog "$T/ijl" \
    --init 'echo no database >&2; exit 2' --persistent cat ::: a b c \
    >"$T/out" 2>"$T/log"
rc=$?
check "a failing --init is reported" grep -q \
    "init failed (exit 2): no database" "$T/log"
check "--init failing everywhere: the pool stops, exit 255" [ "$rc" -eq 255 ]
check "... saying why" grep -q "init failed 5 times in a row" "$T/log"
check "... no task recorded as run" [ "$(grep -c . "$T/ijl")" -eq 1 ]
run -j2 --joblog "$T/ijl" --resume --init true --persistent cat ::: a b c \
    >"$T/out" 2>&1
check "... --resume with a working --init runs all 3" \
    [ "$?:$(sort "$T/out" | tr -d '\n')" = "0:abc" ]
# Failing in one slot only: the pool keeps going on the others.
run -j2 --init 'test "$POOLTOP_SLOT" != 2' --persistent cat -a "$T/i100" \
    >"$T/out" 2>"$T/log"
check "--init failing in one slot: exit 0, all 100 done" \
    [ "$?:$(sort -n "$T/out" | cmp - "$T/i100" && echo same)" = "0:same" ]
# Failing for long in some slots: after 10 failures said one by one, the
# rest are only in the event log (one pool warning says so).
rm -f "$T/igo"
"$POOLTOP_BIN" --headless -q -j4 --log "$T/ilog" \
    --init 'test "$POOLTOP_SLOT" = 1 || { echo no slot; exit 1; }' \
    --persistent "while read -r l; do while [ ! -e '$T/igo' ]; do sleep 0.05;
	done; echo \"\$l\"; done" ::: a b >"$T/out" 2>"$T/ierr" &
ipid=$!
_bgpids="${_bgpids:-} $ipid"
said() { grep -c "init failed (exit 1): no slot" "$T/ierr"; }
# Wait for the warning, then for a failure after it (logged, not said).
check "--init failing for long: failures beyond those said are logged" \
    wait_for 60 sh -c "grep -q 'later failures are only in the event log' \
    '$T/ierr' && [ \$(grep -c 'worker [0-9]*: --init failed' '$T/ilog') -gt \
    \$(grep -c 'init failed (exit 1)' '$T/ierr') ]"
touch "$T/igo"
reap "$ipid" 30
check "... the run still ends with exit 0 and both answers" \
    [ "$?:$(sort "$T/out" | tr -d '\n')" = "0:ab" ]
check "... at least 10 said, one by one" [ "$(said)" -ge 10 ]
check "... one warning that the rest are only logged" \
    [ "$(grep -c 'later failures are only in the event log' "$T/ierr")" -eq 1 ]
# --init prepares the program of --persistent: alone, it is refused.
run --init true 'echo {}' ::: a >/dev/null 2>"$T/err"
check "--init without --persistent: exit 255" [ $? -eq 255 ]
check "... naming both options" grep -q -- "--init requires --persistent" \
    "$T/err"
printf 'name = "x";\nworker = { init = "true"; };\n' >"$T/init.conf"
run -c "$T/init.conf" 'echo {}' ::: a >/dev/null 2>"$T/err"
check "worker.init without worker.persistent: FILE:LINE" grep -q \
    "init.conf:2: 'worker.init' requires 'worker.persistent'" "$T/err"
# So are --chunksize and --max-tasks-per-worker, which only steer it.
for o in chunksize max-tasks-per-worker; do
	run --$o 2 'echo {}' ::: a >/dev/null 2>"$T/err"
	check "--$o without --persistent: exit 255" [ $? -eq 255 ]
	check "... naming both options" grep -q -- \
	    "--$o requires --persistent" "$T/err"
	k=$(echo $o | tr - _)
	printf 'name = "x";\n\nworker = { %s = 2; };\n' "$k" >"$T/$k.conf"
	run -c "$T/$k.conf" 'echo {}' ::: a >/dev/null 2>"$T/err"
	check "worker.$k without worker.persistent: exit 255" [ $? -eq 255 ]
	check "... FILE:LINE" grep -q \
	    "$k.conf:3: 'worker.$k' requires 'worker.persistent'" "$T/err"
done

# --- --chunksize auto (the default) ---------------------------------------------
# A fresh worker holds one line until it has answers to time: with both
# programs blocked, both slots run a task and the other 4 wait in the pool.
# A fixed --chunksize 3 hands 3 to each at once.
BLOCK="while IFS= read -r l; do while [ ! -e '$T/wgo' ]; do sleep 0.02;
	done; echo \"\$l\"; done"
for cs in auto 3; do
	rm -f "$T/wgo"
	"$POOLTOP_BIN" --headless -q -j2 --chunksize "$cs" --name "win$cs$$" \
	    --persistent "$BLOCK" ::: 1 2 3 4 5 6 >"$T/out" 2>"$T/err" &
	wpid=$!
	_bgpids="${_bgpids:-} $wpid"
	[ "$cs" = auto ] && want="2 running, 4 queued" || want="6 running, 0 queued"
	check "--chunksize $cs: $want" wait_for 20 sh -c \
	    "'$POOLTOP_BIN' ctl $wpid status 2>/dev/null | grep -q '$want'"
	touch "$T/wgo"
	reap "$wpid" 30
	check "--chunksize $cs: exit 0, all 6 answered" \
	    [ "$?:$(sort "$T/out" | tr -d '\n')" = "0:123456" ]
done
printf 'worker = { persistent = "cat"; chunksize = "auto"; };\n' >"$T/cs.conf"
run -c "$T/cs.conf" ::: a b >"$T/out" 2>&1
check "chunksize = \"auto\" in a config file" [ "$?:$(sort "$T/out" | tr -d '\n')" = "0:ab" ]
run --chunksize fast --persistent cat ::: a >/dev/null 2>"$T/err"
check "--chunksize fast: exit 255, naming what it takes" [ "$?:$(cat "$T/err")" \
    = "255:pooltop: option --chunksize: must be an integer or 'auto' (got 'fast')" ]

# --- a worker killed with lines in flight -------------------------------------
# Item 1 hangs; 2-5 wait in the program's pipe.  SIGKILL to the worker:
# 1 fails, and 2-5 go back to the pool in their order, ahead of 6-8.
HANG1="while IFS= read -r l; do echo \"\$l\" >>'$T/seen';
	[ \"\$l\" = 1 ] && sleep 301.$$; echo \"\$l\"; done"
"$POOLTOP_BIN" --headless -q -j1 --chunksize 5 --persistent "$HANG1" \
    ::: 1 2 3 4 5 6 7 8 >"$T/out" 2>"$T/err" &
kpid=$!
_bgpids="${_bgpids:-} $kpid"
check "5 lines in flight to one worker" wait_for 20 sh -c \
    "'$POOLTOP_BIN' ctl $kpid status 2>/dev/null | grep -q '5 running, 3 queued'"
wk=$("$POOLTOP_BIN" ctl "$kpid" status 2>/dev/null | awk '$1 == 1 { print $3 }')
kill -9 "$wk"
reap "$kpid" 30
check "worker killed: exit 1 (item 1 failed)" [ $? -eq 1 ]
check "... the rest answered once each" \
    [ "$(sort -n "$T/out" | tr -d '\n')" = "2345678" ]
check "... and handed out again in their order" \
    [ "$(tr -d '\n' <"$T/seen")" = "12345678" ]
check "... its hanging task is gone" no_process_with "sleep 301.$$"

# --- --chunksize auto: lines in flight, bounded --------------------------------
# A program that answers fast, then stops answering, holds what the pool
# sent it: under auto at most 2048 lines (an upper bound only: on a slow
# machine the window is smaller).
if command -v python3 >/dev/null 2>&1; then
	cat >"$T/stall.py" <<'EOF'
import sys, time
stop = int(sys.argv[1])
n = 0
for l in sys.stdin:
    sys.stdout.write(l)
    sys.stdout.flush()
    n += 1
    if n == stop:
        time.sleep(302)
EOF
	seq 30000 >"$T/many"
	between() { [ "$1" -le "$2" ] && [ "$2" -le "$3" ]; }
	"$POOLTOP_BIN" --headless -q -j1 -a "$T/many" \
	    --persistent "python3 $T/stall.py 5000" >/dev/null 2>&1 &
	spid=$!
	_bgpids="${_bgpids:-} $spid"
	check "auto, stalled after 5000 answers: they are in" wait_for 60 \
	    sh -c "'$POOLTOP_BIN' ctl $spid status 2>/dev/null |
		grep -q ' 5000 done'"
	inflight=$("$POOLTOP_BIN" ctl "$spid" status 2>/dev/null |
	    awk '$1 == "tasks:" { print $2 }')
	check "... $inflight lines in flight: 1 to 2048" \
	    between 1 "${inflight:-0}" 2048
	kill "$spid"
	reap "$spid" 30
	check "... stopped, the program with it" \
	    no_process_with "$T/stall.py 5000"
fi

# --- pause, progress and kill through pooltop ctl -------------------------------
# The program blocks on "slow" until a go file exists, after reporting
# progress with `pooltop progress` (its POOLTOP_TASK names the program).
SLOW="while IFS= read -r l; do if [ \"\$l\" = slow ]; then
	echo \$\$ >'$T/slowpid.new'; mv '$T/slowpid.new' '$T/slowpid';
	'$POOLTOP_BIN' progress 3/10;
	while [ ! -e '$T/go' ]; do sleep 0.02; done; fi; echo \"r \$l\"; done"
"$POOLTOP_BIN" --headless -q -j1 -k --name "pers$$" --persistent "$SLOW" \
    ::: a slow b >"$T/out" 2>"$T/err" &
pid=$!
_bgpids="${_bgpids:-} $pid"
slot_line() { "$POOLTOP_BIN" ctl "$pid" status 2>/dev/null | awk '$1 == 1'; }
slot_has() { slot_line | grep -q -- "$1"; }
check "ctl: the slow line runs, with its progress" wait_for 20 slot_has "3/10 *slow"
prog=$(cat "$T/slowpid" 2>/dev/null)
"$POOLTOP_BIN" ctl "$pid" pause >/dev/null 2>&1
# Stopped: state T, or D in vfork() with the child it waits for stopped.
stopped() {
	_s=$(awk '{print $3}' "/proc/$prog/stat" 2>/dev/null)
	[ "$_s" = T ] || { [ "$_s" = D ] &&
	    ps -o stat= --ppid "$prog" | grep -q '^T'; }
}
check "ctl pause: the program is stopped" wait_for 20 stopped
check "... the slot is paused" wait_for 20 slot_has "paused"
"$POOLTOP_BIN" ctl "$pid" resume >/dev/null 2>&1
check "ctl resume: it runs again" wait_for 20 sh -c \
    "[ \"\$(awk '{print \$3}' /proc/$prog/stat)\" != T ]"
"$POOLTOP_BIN" ctl "$pid" kill 1 >/dev/null 2>&1
reap "$pid" 60
check "ctl kill: that task failed for good (exit 1)" [ $? -eq 1 ]
printf 'r a\nr b\n' >"$T/w"
check "... the others answered by a new program" cmp -s "$T/out" "$T/w"
check "... the old program is gone" [ ! -d "/proc/$prog" ]

# --- the example workers ------------------------------------------------------
run -j2 -k --persistent "$EX/worker.sh" ::: "$T/w" "$T/nope" >"$T/out" \
    2>"$T/err"
check "worker.sh: exit 1 (one unreadable)" [ $? -eq 1 ]
check "worker.sh: lines, words, name" [ "$(cat "$T/out")" = "2 4 $T/w" ]
check "worker.sh: error marker for the missing file" \
    grep -q "^ERROR: cannot read $T/nope" "$T/err"
if command -v python3 >/dev/null 2>&1; then
	run -j2 -k --chunksize 4 --persistent "$EX/worker.py" ::: 3 4 x 12 \
	    >"$T/out" 2>"$T/err"
	check "worker.py: exit 1 (one bad number)" [ $? -eq 1 ]
	printf '9\n16\n144\n' >"$T/w"
	check "worker.py: squares in order" cmp -s "$T/out" "$T/w"
	check "worker.py: the error line" grep -q "^ERROR: invalid literal" "$T/err"
	# The batch worker answers whole reads at once: 2000 lines, 8 in
	# flight and auto, each answered once and in order with -k.
	seq 2000 >"$T/b"
	awk '{ printf "%.0f\n", $1 * $1 }' "$T/b" >"$T/w"
	for cs in 8 auto; do
		run -j2 -k --chunksize $cs --persistent "$EX/batch_worker.py" \
		    -a "$T/b" >"$T/out" 2>"$T/err"
		check "batch_worker.py --chunksize $cs: exit 0, squares in order" \
		    [ "$?:$(cmp "$T/out" "$T/w" && echo same)" = "0:same" ]
	done
	run -j1 --persistent "$EX/batch_worker.py" ::: 3 x 4 >"$T/out" 2>"$T/err"
	if [ "$?:$(tr '\n' ' ' <"$T/out")" = "1:9 16 " ] &&
	    grep -q "^ERROR: invalid literal" "$T/err"; then
		ok "batch_worker.py: exit 1, the bad line's error, the others"
	else
		fail "batch_worker.py: exit 1, the bad line's error, the others"
	fi
else
	echo "# python3 missing: worker.py not run"
fi

# --- resize: retiring workers answer what they hold; --kill hands it back --
# Each line waits for a go file, so the pool is full when it shrinks.
GATE="while IFS= read -r l; do while [ ! -e '$T/gate' ]; do sleep 0.02;
	done; echo \"r \$l\"; done"
for how in "" --kill; do
	# The log of the round before must not pass for this one's.
	rm -f "$T/gate" "$T/log" "$T/out"
	"$POOLTOP_BIN" --headless -j3 --chunksize 2 -a "$T/i20" \
	    --persistent "$GATE" >"$T/out" 2>"$T/log" &
	pid=$!
	_bgpids="${_bgpids:-} $pid"
	three() { [ -e "$T/log" ] && [ "$(grep -c task.start "$T/log")" -ge 6 ]; }
	check "resize 1 $how: the pool is full" wait_for 20 three
	check "resize 1 $how: ctl resize answered" \
	    "$POOLTOP_BIN" ctl "$pid" resize 1 $how
	touch "$T/gate"
	reap "$pid" 60
	rc=$?
	check "resize 1 $how: exit 0" [ $rc -eq 0 ]
	check "resize 1 $how: 20 results, each once" \
	    [ "$(sort -u "$T/out" | wc -l) $(wc -l <"$T/out")" = "20 20" ]
	check "resize 1 $how: logged" grep -q "resized from 3 to 1" "$T/log"
done

# The man page shows both workers verbatim.
awk -v dir="$T" '
/^\.Sh / { on = ($0 == ".Sh PERSISTENT WORKERS") }
on && /^\.Bd -literal/ { n++; lit = 1; next }
lit && /^\.Ed/ { lit = 0; next }
lit && n <= 2 {
	gsub(/\\\(aq/, "\047"); gsub(/\\\(dq/, "\""); gsub(/\\&/, "")
	gsub(/\\e/, "\\")
	print > (dir "/man." n)
}' "$POOLTOP_SRCDIR/src/pooltop.1"
check "the man page shows worker.py as it is" cmp -s "$T/man.1" "$EX/worker.py"
check "the man page shows worker.sh as it is" cmp -s "$T/man.2" "$EX/worker.sh"

check "no program left running" no_process_with "$T/"
finish
