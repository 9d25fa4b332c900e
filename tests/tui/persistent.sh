#!/bin/sh
# The dashboard in persistent mode (--persistent), driven through tmux: a
# row shows the worker's long-lived program as its task, p pauses and
# resumes the program's whole process group, k fails the task it is on and
# a new program takes the lines still queued, + raises the target, and q then
# k leaves nothing behind.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tuilib.sh"

N="pdash$$"
S=$((3000 + $$ % 5000)).5	# a sleep no other test uses
# Lines starting "slow" hang in a child sleep (a process group of two);
# every line read is recorded with the program's pid.
cat >"$T/prog.sh" <<EOF
while IFS= read -r l; do
	echo "\$\$ \$l" >>"$T/seen"
	case \$l in slow*) sleep $S ;; esac
	echo "r \$l"
done
EOF

tui_start
run_in_tui "$POOLTOP_BIN --name $N --refresh 100 -j2 --persistent 'sh $T/prog.sh' ::: slow1 slow2 x y"
if ! wait_until $LIMIT on_screen "running 2 +queued 2 +done 0"; then
	screen
	fail "dashboard did not show the run"
	finish
fi
ok "dashboard started: each program holds one line, two wait (chunksize auto)"

# A row's task PID is the slot's program, live and the segment's.
check "both programs read their slow line" wait_until $LIMIT sh -c \
    "[ \$(grep -c ' slow' '$T/seen') -eq 2 ]"
rows_ok=1
for slot in 1 2; do
	line=$(screen | grep -E "^ +$slot +[0-9]+ +[0-9]+ running")
	tpid=$(echo "$line" | awk '{ print $3 }')
	[ -n "$tpid" ] && kill -0 "$tpid" 2>/dev/null || rows_ok=0
	[ "$tpid" = "$(slot_field "$N" "$slot" task_pid)" ] || rows_ok=0
	# One of the shells that read a slow line is in the row's group.
	found=0
	for reader in $(awk '$2 ~ /^slow/ { print $1 }' "$T/seen"); do
		[ "$(awk '{ print $5 }' "/proc/$reader/stat" 2>/dev/null)" = \
		    "$tpid" ] && found=1
	done
	[ "$found" = 1 ] || rows_ok=0
done
check "rows: the task PID leads the program that read the row's line" \
    [ "$rows_ok" = 1 ]
check "rows: the slow lines are the tasks shown" \
    sh -c "tmux -L $TMUX_SOCK capture-pane -p | grep -E '^ +[12] ' | grep -c slow | grep -qx 2"

# p pauses slot 1's program and its sleep; p again resumes them.
prog=$(slot_field "$N" 1 task_pid)
key Home p
check "p: the program's processes are in state T" \
    wait_until $LIMIT group_all_stopped "$prog"
check "p: the row shows paused" wait_until $LIMIT on_screen "^ +1 .* paused "
key p
check "p again: they run again" wait_until $LIMIT group_none_stopped "$prog"

# k fails slot 1's task; a new program takes the slot's next line.
key k
check "k: the old program is gone" \
    wait_until $LIMIT sh -c "! kill -0 $prog 2>/dev/null"
check "k: the event pane reports the killed task" \
    wait_until $LIMIT on_screen "task\.(killed|failed) +slot 1 "
# Slot 2 still hangs on slow2, so x and y can only go to slot 1's new one.
new_reader() {
	_r=$(awk '$2 == "x" { print $1 }' "$T/seen")
	[ -n "$_r" ] && ! grep -q "^$_r slow" "$T/seen"
}
check "k: a new program in slot 1 reads the next line" wait_until $LIMIT new_reader
check "k: the header counts one failed" wait_until $LIMIT on_screen "failed 1"

check "k: x and y answered" wait_until $LIMIT on_screen "done 2 "

# + raises the target; with no line waiting no third program starts.
key +
check "+: workers 2/3" wait_until $LIMIT on_screen "workers 2/3"
check "+: nothing queued, no third program" sh -c \
    "[ \"\$(pgrep -fx 'sh $T/prog.sh' | wc -l)\" -lt 3 ]"

# q asks; k kills the programs and their sleeps, and the pool ends.
spid=$(json_field "$N" supervisor_pid)
key q
check "q: asks finish or kill" wait_until $LIMIT on_screen "finish \(f\), kill them \(k\)"
key k
check "q k: pooltop exits" wait_until $LIMIT exited
check "q k: no sleep left" wait_until $LIMIT no_process_with "sleep $S"
check "q k: no program left" wait_until $LIMIT no_process_with "$T/prog.sh"
check "q k: no supervisor left" sh -c "! kill -0 $spid 2>/dev/null"
check "q k: no segment left" no_segment "$spid"
check "q k: x and y printed once each when the dashboard closed" \
    [ "$(screen | grep -c '^r [xy]$')" -eq 2 ]
check "q: the terminal is usable again" terminal_sane

finish
