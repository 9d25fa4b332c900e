#!/bin/sh
# --detach: the pool starts in the background in a session of its own,
# stdin /dev/null, output and events in its log ($XDG_STATE_HOME/pooltop/
# NAME.log by default, or --log FILE); the parent prints the ID only once
# the control socket answers (ctl status right after works), and reports
# a failed start with its reason and a non-zero status.  Items from stdin
# are refused; --name is unique among live pools and addresses the pool
# in ctl and ls; status says whether the pool is keep-open or closed.
. "$POOLTOP_SRCDIR/tests/lib.sh"

export XDG_STATE_HOME="$T/state"
NAME="det$$"

gone() { ! kill -0 "$1" 2>/dev/null; }
status_has() { "$POOLTOP_BIN" ctl "$1" status --json 2>/dev/null | grep -q "$2"; }

# --- What a detached pool cannot do is refused before anything starts. ---
echo item | "$POOLTOP_BIN" --detach echo >"$T/o" 2>"$T/e"
check "stdin items: refused with 255" [ $? -eq 255 ]
check "stdin items: says why" grep -q "would come from stdin" "$T/e"
check "stdin items: nothing on stdout" [ ! -s "$T/o" ]
"$POOLTOP_BIN" --detach -a - echo </dev/null >/dev/null 2>"$T/e"
check "-a -: refused with 255" [ $? -eq 255 ]
"$POOLTOP_BIN" --detach --dashboard echo ::: a >/dev/null 2>"$T/e"
check "--dashboard: refused with 255" [ $? -eq 255 ]
check "--dashboard: names attach" grep -q "pooltop attach" "$T/e"
"$POOLTOP_BIN" --detach --name 1234 echo ::: a >/dev/null 2>"$T/e"
check "all-digit name: refused with 255" [ $? -eq 255 ]
check "all-digit name: says why" grep -q "read as a pool ID" "$T/e"

# --- A named --keep-open pool, detached. ---
echo item | timeout 30 "$POOLTOP_BIN" -b --name "$NAME" --keep-open -j2 \
    --joblog "$T/jl" echo got {} >"$T/id" 2>"$T/e"
rc=$?
ID=$(cat "$T/id")
_bgpids="${_bgpids:-} $ID"
check "detach: exit 0 (stdin not read with --keep-open)" [ $rc -eq 0 ]
check "detach: prints the pool's ID alone" grep -Eqx '[0-9]+' "$T/id"
LOG="$XDG_STATE_HOME/pooltop/$NAME.log"
check "detach: says the log's path" grep -qF "log: $LOG" "$T/e"
check "detach: status answers at once, by name" \
    "$POOLTOP_BIN" ctl "$NAME" status
check "status: keep-open" sh -c "'$POOLTOP_BIN' ctl '$NAME' status |
    grep -q '^input: keep-open'"
check "status --json: keep_open, not closed" \
    status_has "$ID" '"input":"keep-open","keep_open":true,"closed":false'
check "ls: shows the name" sh -c "'$POOLTOP_BIN' ls 2>/dev/null |
    grep -q '^$ID  *$NAME '"
check "state dir: mode 0700" [ "$(stat -c %a "$XDG_STATE_HOME/pooltop")" = 700 ]
check "own session" [ "$(ps -o sid= -p "$ID" | tr -d ' ')" = "$ID" ]
check "stdin is /dev/null" [ "$(readlink "/proc/$ID/fd/0")" = /dev/null ]
check "stdout and stderr: the log" sh -c \
    "[ \"\$(readlink /proc/$ID/fd/1)\" = '$LOG' ] &&
    [ \"\$(readlink /proc/$ID/fd/2)\" = '$LOG' ]"

# --- The name is unique among live pools. ---
"$POOLTOP_BIN" -b --name "$NAME" echo ::: a >"$T/o2" 2>"$T/e2"
check "same name: refused, non-zero" [ $? -ne 0 ]
check "same name: says so" grep -q "must be unique" "$T/e2"
check "same name: prints no ID" [ ! -s "$T/o2" ]
check "same name: the first pool still runs" kill -0 "$ID"
check "same name: refused before it touched the first one's log" \
    sh -c "! grep -q 'must be unique' '$LOG'"

# --- Started at once, four pools with one name: one runs. ---
R="race$$"
for i in 1 2 3 4; do
	( "$POOLTOP_BIN" -b --name "$R" --keep-open --log "$T/race$i.log" echo {} \
	    >"$T/race$i" 2>"$T/race$i.err"; echo $? >"$T/race$i.rc" ) &
done
wait
check "same name at once: exactly one started" \
    [ "$(cat "$T"/race?.rc | grep -cx 0)" -eq 1 ]
check "same name at once: the others say why" \
    [ "$(cat "$T"/race?.err | grep -c "must be unique")" -eq 3 ]
RID=$(cat "$T"/race? | grep -Ex '[0-9]+')
_bgpids="$_bgpids $RID"
"$POOLTOP_BIN" ctl "$R" close >/dev/null
check "same name at once: the one is addressed by name" \
    wait_for 20 sh -c "! kill -0 $RID 2>/dev/null"

# --- Add by name and by ID, then close. ---
"$POOLTOP_BIN" ctl "$NAME" add one two >/dev/null
check "add by name: exit 0" [ $? -eq 0 ]
"$POOLTOP_BIN" ctl "$ID" add -- three >/dev/null
check "add by ID: exit 0" [ $? -eq 0 ]
printf 'f1a\nf1b' >"$T/f1"
printf 'f2a\n' >"$T/f2"
"$POOLTOP_BIN" ctl "$NAME" add -a "$T/f1" -a "$T/f2" >"$T/r" 2>&1
check "add -a F1 -a F2: exit 0" [ $? -eq 0 ]
check "add -a F1 -a F2: 3 items, in order" grep -q "^3 items added" "$T/r"
check "the tasks ran" wait_for 20 sh -c "[ \$(wc -l <'$T/jl') -eq 7 ]"
check "add -a F1 -a F2: each file's items" sh -c \
    "grep -c 'got f[12][ab]\$' '$T/jl' | grep -qx 3"
check "task output is in the log" wait_for 10 grep -q "^got three$" "$LOG"
check "events are in the log" grep -q "task.done" "$LOG"
"$POOLTOP_BIN" ctl "$NAME" close >/dev/null
check "close: the pool ends" wait_for 20 gone "$ID"
check "close: its segment is gone" wait_for 10 no_segment "$ID"
check "close: the summary is in the log" grep -q "6 done, 0 failed" "$LOG"

# --- status says closed while the queued tasks still run. ---
: >"$T/hold"
timeout 30 "$POOLTOP_BIN" -b --keep-open --log "$T/log2" \
    sh -c 'while [ -e "$1" ]; do sleep 0.02; done' sh {} >"$T/id2" 2>/dev/null
ID2=$(cat "$T/id2")
_bgpids="$_bgpids $ID2"
# Empty, it starts no worker: the add starts one, which the log says.
wait_for 10 sh -c "'$POOLTOP_BIN' ctl '$ID2' status >/dev/null 2>&1"
"$POOLTOP_BIN" ctl "$ID2" add "$T/hold" >/dev/null
check "--log FILE: the pool writes there" \
    wait_for 10 grep -q "worker.start" "$T/log2"
"$POOLTOP_BIN" ctl "$ID2" close >/dev/null
check "status: closed" sh -c \
    "'$POOLTOP_BIN' ctl '$ID2' status | grep -q '^input: closed'"
check "status --json: closed" \
    status_has "$ID2" '"closed":true,"accepting":false'
"$POOLTOP_BIN" ctl "$ID2" add x >/dev/null 2>&1
check "closed: add refused (exit 1)" [ $? -eq 1 ]
rm -f "$T/hold"
check "closed: the pool ends once its task has" wait_for 20 gone "$ID2"

# --- A pool that cannot start: the parent says why, exits non-zero. ---
timeout 30 "$POOLTOP_BIN" -b --joblog "$T/no/such/dir/jl" echo ::: a \
    >"$T/o3" 2>"$T/e3"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ]; then
	ok "failed start: non-zero"
else
	fail "failed start: non-zero"
fi
check "failed start: the reason" grep -q "no/such/dir" "$T/e3"
check "failed start: no ID printed" [ ! -s "$T/o3" ]

# --- With no state directory to use, --log is asked for. ---
env -u XDG_STATE_HOME -u HOME "$POOLTOP_BIN" -b echo ::: a >"$T/o4" 2>"$T/e4"
check "no HOME: refused" [ $? -ne 0 ]
check "no HOME: asks for --log" grep -q -- "--log FILE" "$T/e4"

# --- A state directory that is a symbolic link is not used. ---
mkdir "$T/st2" "$T/elsewhere"
ln -s "$T/elsewhere" "$T/st2/pooltop"
XDG_STATE_HOME="$T/st2" "$POOLTOP_BIN" -b echo ::: a >"$T/o5" 2>"$T/e5"
check "state dir a symlink: refused" [ $? -ne 0 ]
check "state dir a symlink: says so" grep -q "not a directory of ours" "$T/e5"
check "state dir a symlink: nothing written there" \
    [ -z "$(ls "$T/elsewhere")" ]

finish
