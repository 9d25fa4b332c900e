#!/bin/sh
# The in-process dashboard driven through tmux: the header's counts match
# the run, a row's PIDs are live processes, + raises the target (and with
# nothing queued starts no worker), p pauses and resumes a task, P toggles
# the pool, k ends a task, a resize redraws, and q leaves nothing behind.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tuilib.sh"

N="dash$$"
S=$((3000 + $$ % 5000))		# a sleep length no other test uses
cat >"$T/task.sh" <<EOF
case \$1 in
fail) exit 3 ;;
quick) exit 0 ;;
*) exec sleep \$1 ;;
esac
EOF

tui_start
run_in_tui "$POOLTOP_BIN --name $N --refresh 100 -j2 sh $T/task.sh ::: quick fail quick $S $S"
if ! wait_until $LIMIT on_screen "running 2 +queued 0 +done 2 +failed 1"; then
	screen
	fail "dashboard did not show the run"
	finish
fi
ok "dashboard started"

# The header's counts are the segment's.
check "header: done and failed match the run" \
    wait_until $LIMIT field_is "$N" "done" 2
check "header: total 5" on_screen "total 5"
check "header: workers 2/2" on_screen "workers 2/2"
check "header: RUNNING state" on_screen "RUNNING"
check "header: progress 3/5" on_screen "3/5 +60%"

# Every row's worker and task PIDs are live and are the segment's.
rows_ok=1
for slot in 1 2; do
	line=$(screen | grep -E "^ +$slot +[0-9]+ +[0-9]+ running")
	wpid=$(echo "$line" | awk '{ print $2 }')
	tpid=$(echo "$line" | awk '{ print $3 }')
	[ -n "$wpid" ] && kill -0 "$wpid" 2>/dev/null || rows_ok=0
	[ -n "$tpid" ] && kill -0 "$tpid" 2>/dev/null || rows_ok=0
	[ "$wpid" = "$(slot_field "$N" "$slot" worker_pid)" ] || rows_ok=0
	[ "$tpid" = "$(slot_field "$N" "$slot" task_pid)" ] || rows_ok=0
done
check "rows: worker and task PIDs are live and match the segment" \
    [ "$rows_ok" = 1 ]

# + raises the target in the segment; with nothing queued no worker starts
# for it (workers start for work), so 2 live of 3.
key +
check "+: target 3 in the segment" wait_until $LIMIT field_is "$N" target_workers 3
check "+: header shows workers 2/3" wait_until $LIMIT on_screen "workers 2/3"
check "+: nothing queued, no third worker" field_is "$N" live_workers 2

# p pauses the selected task (slot 1, the first row): every process of its
# group is stopped; p again resumes them.
tpid=$(slot_field "$N" 1 task_pid)
key Home p
check "p: the task's processes are in state T" \
    wait_until $LIMIT group_all_stopped "$tpid"
check "p: the row shows paused" wait_until $LIMIT on_screen "^ +1 .* paused "
key p
check "p again: the task's processes run again" \
    wait_until $LIMIT group_none_stopped "$tpid"

# P acts on the pool's state when the pool reads it, not on the picture
# the dashboard last drew: two presses sent back to back cancel out, one
# pauses, three pause.
paused_is() { status_json "$N" | grep -q "\"paused\":$1"; }
key P P
check "P P: the second press resumes" \
    wait_until $LIMIT on_screen "^toggle: pool resumed"
check "P P: the pool runs" paused_is false
check "P P: the header shows RUNNING" wait_until $LIMIT on_screen "^ RUNNING "
key P
check "P: the pool is paused" wait_until $LIMIT paused_is true
check "P: the header shows PAUSED" wait_until $LIMIT on_screen "^ PAUSED "
key P
check "P again: the pool runs" wait_until $LIMIT paused_is false
check "P again: the header shows RUNNING" \
    wait_until $LIMIT on_screen "^ RUNNING "
key P P P
check "P P P: the pool is paused" wait_until $LIMIT paused_is true
check "P P P: the third press pauses" \
    wait_until $LIMIT on_screen "^toggle: pool paused"
key P
check "P: resumed for what follows" wait_until $LIMIT paused_is false
check "P: the header shows RUNNING" wait_until $LIMIT on_screen "^ RUNNING "

# k ends the task, and the event pane says so.
key k
check "k: the task's process is gone" \
    wait_until $LIMIT sh -c "! kill -0 $tpid 2>/dev/null"
check "k: the event pane reports the killed task" \
    wait_until $LIMIT on_screen "task\.killed +slot 1 "

# A resize redraws at the new size, and back.
tm resize-window -x 60 -y 16
check "resize: header redrawn" wait_until $LIMIT on_screen "^ RUNNING +workers 2/3"
check "resize: key bar on the last line" \
    wait_until $LIMIT sh -c "tmux -L $TMUX_SOCK capture-pane -p | sed -n 16p | grep -q '^q Quit'"
check "resize: narrow table dropped columns" gone_from_screen "CPU HIST"
tm resize-window -x 120 -y 40
check "resize back: all columns again" wait_until $LIMIT on_screen "CPU HIST"

# q asks whether to let tasks finish; k kills them and the pool ends.
spid=$(json_field "$N" supervisor_pid)
workers=$(status_json "$N" | tr ',' '\n' | sed -n 's/"worker_pid":\([0-9]*\)/\1/p')
key q
check "q: asks finish or kill" wait_until $LIMIT on_screen "finish \(f\), kill them \(k\)"
key k
check "q k: pooltop exits" wait_until $LIMIT exited
check "q k: exit status reports the killed tasks" [ "$(exit_status)" != 0 ]
check "q: no task left" wait_until $LIMIT no_process_with "sleep $S"
check "q: no supervisor left" sh -c "! kill -0 $spid 2>/dev/null"
left=0
for w in $workers; do kill -0 "$w" 2>/dev/null && left=1; done
check "q: no worker left" [ "$left" = 0 ]
check "q: no segment left" no_segment "$spid"
check "q: no socket left" sh -c "! ls $XDG_RUNTIME_DIR/pooltop/$spid.sock 2>/dev/null"
check "q: the terminal is usable again" terminal_sane

# q then f: drain.  The running task finishes, the queued one never starts.
cat >"$T/wait.sh" <<EOF
while ! [ -e $T/go ]; do sleep 0.05; done
echo "ran \$1"
EOF
run_in_tui "$POOLTOP_BIN --name $N --refresh 100 -j1 sh $T/wait.sh ::: first second 2>/dev/null"
check "drain: dashboard started" wait_until $LIMIT on_screen "running 1 +queued 1"
key q
check "drain: asks finish or kill" wait_until $LIMIT on_screen "finish \(f\), kill them \(k\)"
key f
check "drain: the header says DRAINING" wait_until $LIMIT on_screen "^ DRAINING "
check "drain: the dashboard stays while the task runs" on_screen "workers 1/1"
touch "$T/go"
check "drain: pooltop exits once the task is done" wait_until $LIMIT exited
check "drain: the running task's output is printed" wait_until $LIMIT on_screen "^ran first"
check "drain: the queued task never started" gone_from_screen "^ran second"
check "drain: the terminal is usable again" terminal_sane


# --dashboard with stdout redirected: the dashboard is on the terminal, and
# task output goes to the file as tasks end, not when the dashboard closes.
rm -f "$T/go2"
cat >"$T/wait2.sh" <<EOF
[ "\$1" = second ] && while ! [ -e $T/go2 ]; do sleep 0.05; done
echo "ran \$1"
EOF
run_in_tui "$POOLTOP_BIN --dashboard --name $N --refresh 100 -j1 sh $T/wait2.sh ::: first second >$T/dout"
check "--dashboard >file: the dashboard runs" \
    wait_until $LIMIT on_screen "running 1 +queued 0 +done 1"
check "--dashboard >file: the first task's output is in the file already" \
    [ "$(cat "$T/dout")" = "ran first" ]
touch "$T/go2"
check "--dashboard >file: pooltop exits when done" wait_until $LIMIT exited
check "--dashboard >file: exit 0, both outputs in the file" \
    [ "$(exit_status):$(tr '\n' ' ' <"$T/dout")" = "0:ran first ran second " ]
check "--dashboard >file: the terminal is usable again" terminal_sane
finish
