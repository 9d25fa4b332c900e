#!/bin/sh
# Workers start for work, not all -j at once: -j 50 over 2 items starts 2
# workers, over 60 items 50; a stream on stdin starts one as each item
# arrives to find the others busy; --persistent starts a program a worker
# needed (a window of --chunksize lines each); round-robin a worker a
# block; --speculate one for a straggler's copy; a resize up with nothing
# to run starts none, an add then starts what it needs; -j 0 is the
# largest pool, started as work comes; under --delay one at a time.  The
# workers started are counted in the headless log (worker.start events)
# and by ctl status, never timed.
. "$POOLTOP_SRCDIR/tests/lib.sh"

run() { "$POOLTOP_BIN" --headless "$@"; }
starts() { grep -c 'worker\.start' "$1"; }
starts_are() { [ "$(starts "$1")" -eq "$2" ]; }
# status_workers PID: "live/target" as ctl status says it.
status_workers() {
	"$POOLTOP_BIN" ctl "$1" status 2>/dev/null |
	    sed -n 's/^pool .*, workers \([0-9]*\/[0-9]*\)$/\1/p'
}
workers_are() { [ "$(status_workers "$1")" = "$2" ]; }

# A task that waits (bounded, 60 s) until $T/go exists; exit 1 if it never
# came.
cat >"$T/gate.sh" <<EOF
#!/bin/sh
i=0
while [ ! -e "$T/go" ]; do
	i=\$((i + 1))
	[ \$i -lt 6000 ] || exit 1
	sleep 0.01
done
EOF
chmod +x "$T/gate.sh"

# --- Fewer items than -j: a worker each; more: -j of them. -------------
run -j 50 true ::: 1 2 >/dev/null 2>"$T/log"
check "-j 50 over 2 items: exit 0" [ $? -eq 0 ]
check "-j 50 over 2 items starts 2 workers ($(starts "$T/log"))" \
    starts_are "$T/log" 2
run -j 50 true ::: $(seq 60) >/dev/null 2>"$T/log"
check "-j 50 over 60 items starts 50 workers ($(starts "$T/log"))" \
    starts_are "$T/log" 50
seq 3 | run -j 8 true >/dev/null 2>"$T/log"
check "-j 8 over 3 lines of stdin starts 3 workers ($(starts "$T/log"))" \
    starts_are "$T/log" 3
run -j 8 --retries 3 sh -c '[ -e "$1" ] || { : >"$1"; exit 1; }' sh \
    "$T/once.{}" ::: a b >/dev/null 2>"$T/log"
check "--retries: items failing once each still succeed (exit $?)" \
    [ $? -eq 0 ]
check "--retries: a retry is run by a free worker, 2 items start at most 2 workers ($(starts "$T/log"))" \
    [ "$(starts "$T/log")" -le 2 ]

# --- A stream: workers start as items arrive to find the others busy. --
rm -f "$T/go"
mkfifo "$T/feed"
# Not bg(): a function's redirection would open the fifo in this shell.
# The pools ctl talks to are started as themselves: $! is their pid.
"$POOLTOP_BIN" --headless -j 50 "$T/gate.sh" {} <"$T/feed" >/dev/null \
    2>"$T/slog" &
P=$!
_bgpids="${_bgpids:-} $P"
exec 7>"$T/feed"
echo a >&7
check "stream: item 1 starts" wait_for 30 grep -q 'task\.start.* task=1 ' "$T/slog"
check "stream: 1 item, 1 worker ($(starts "$T/slog"))" starts_are "$T/slog" 1
echo b >&7
check "stream: item 2 starts" wait_for 30 grep -q 'task\.start.* task=2 ' "$T/slog"
check "stream: 2 items running, 2 workers ($(starts "$T/slog"))" \
    starts_are "$T/slog" 2
echo c >&7
check "stream: item 3 starts" wait_for 30 grep -q 'task\.start.* task=3 ' "$T/slog"
: >"$T/go"
exec 7>&-
reap "$P" 60
check "stream: exit 0" [ $? -eq 0 ]
check "stream: 3 items, 3 workers ($(starts "$T/slog"))" starts_are "$T/slog" 3

# --- --persistent: a program a worker needed. --------------------------
# Each program notes its start, then answers a line per line.
cat >"$T/prog.sh" <<EOF
#!/bin/sh
echo \$\$ >>"$T/progs"
while IFS= read -r l; do printf 'got %s\n' "\$l"; done
EOF
chmod +x "$T/prog.sh"
: >"$T/progs"
run -j 8 --persistent "$T/prog.sh" ::: a b >"$T/pout" 2>"$T/log"
check "persistent -j 8 over 2 lines: both answered" \
    [ "$(sort "$T/pout" | tr '\n' ,)" = "got a,got b," ]
check "persistent -j 8 over 2 lines: 2 programs ($(wc -l <"$T/progs"))" \
    [ "$(wc -l <"$T/progs")" -eq 2 ]
: >"$T/progs"
seq 25 | run -j 8 --chunksize 10 --persistent "$T/prog.sh" >"$T/pout" \
    2>"$T/log"
check "persistent --chunksize 10 over 25 lines: all answered" \
    [ "$(wc -l <"$T/pout")" -eq 25 ]
check "persistent --chunksize 10 over 25 lines: 3 programs of 8 ($(wc -l <"$T/progs"))" \
    [ "$(wc -l <"$T/progs")" -eq 3 ]
: >"$T/progs"
run -j 4 --persistent "$T/prog.sh" --init 'echo init >>"'"$T"'/inits"' \
    ::: a >"$T/pout" 2>"$T/log"
check "persistent --init over 1 line: 1 program, 1 init" \
    [ "$(wc -l <"$T/progs") $(wc -l <"$T/inits")" = "1 1" ]

# --- Round-robin: a task, and a worker, a block. -----------------------
seq 3 | run -j 50 --pipe --round-robin --block 1 wc -l >"$T/rout" \
    2>"$T/log"
check "--round-robin -j 50 over 3 blocks: 3 lines counted" \
    [ "$(awk '{ s += $1 } END { print s }' "$T/rout")" = 3 ]
check "--round-robin -j 50 over 3 blocks starts 3 workers at most ($(starts "$T/log"))" \
    [ "$(starts "$T/log")" -le 3 ]

# --- --speculate: a straggler's copy starts a worker when none is idle. -
# Items arrive one at a time, each after the last ended: one worker runs
# them all.  Item 3 is slow on its first run only; once the input ends it
# is a straggler with no idle worker, so a second worker starts for its
# copy, which wins.
S=$((3000 + $$ % 5000))		# a sleep length no other test uses
cat >"$T/slow3.sh" <<EOF
#!/bin/sh
if [ "\$1" = 3 ] && mkdir "$T/m3" 2>/dev/null; then
	exec sleep $S
fi
echo "out-\$1"
EOF
chmod +x "$T/slow3.sh"
mkfifo "$T/sfeed"
"$POOLTOP_BIN" --headless -j 2 --speculate "$T/slow3.sh" {} <"$T/sfeed" \
    >"$T/sout" 2>"$T/splog" &
P=$!
_bgpids="${_bgpids:-} $P"
exec 7>"$T/sfeed"
n=0
for i in 1 2 4 5; do
	echo "$i" >&7
	n=$((n + 1))
	wait_for 30 sh -c "[ \$(grep -c 'task\.done' '$T/splog') -eq $n ]"
done
check "speculate: 4 items one after another, 1 worker ($(starts "$T/splog"))" \
    starts_are "$T/splog" 1
echo 3 >&7
exec 7>&-
check "speculate: the straggler's copy starts" wait_for 60 \
    grep -q 'speculate: copy of task 5 started' "$T/splog"
reap "$P" 60
check "speculate: exit 0, the copy won" [ $? -eq 0 ]
check "speculate: a second worker started for the copy ($(starts "$T/splog"))" \
    starts_are "$T/splog" 2
check "speculate: no slow first run left" no_process_with "sleep $S"

# --- Resize up with nothing to run starts nothing; work then does. -----
rm -f "$T/go"
bg "$POOLTOP_BIN" --headless --keep-open -j 1 "$T/gate.sh" {} ::: a \
    >/dev/null 2>"$T/klog"
P=$!
check "keep-open: 1 item runs" wait_for 30 grep -q 'task\.start' "$T/klog"
check "keep-open: workers 1/1" wait_for 30 workers_are "$P" 1/1
"$POOLTOP_BIN" ctl "$P" resize 6 >/dev/null 2>&1
check "resize 6 with nothing queued: workers 1/6" \
    wait_for 30 workers_are "$P" 1/6
check "... and no worker.start past the first ($(starts "$T/klog"))" \
    starts_are "$T/klog" 1
"$POOLTOP_BIN" ctl "$P" add b c >/dev/null 2>&1
check "add 2 while 1 runs: workers 3/6" wait_for 30 workers_are "$P" 3/6
check "... 3 tasks run" wait_for 30 \
    sh -c "[ \$(grep -c 'task\.start' '$T/klog') -eq 3 ]"
: >"$T/go"
check "... all 3 end" wait_for 30 \
    sh -c "[ \$(grep -c 'task\.done' '$T/klog') -eq 3 ]"
"$POOLTOP_BIN" ctl "$P" close >/dev/null 2>&1
reap "$P" 60
check "keep-open pool: exit 0" [ $? -eq 0 ]
check "keep-open pool: 3 workers in all ($(starts "$T/klog"))" \
    starts_are "$T/klog" 3

# --- -j 0: as many at once as there is work, up to the largest pool. ---
# A barrier: each of 5 tasks marks itself and waits (bounded) for all 5,
# which only passes when all 5 run at once.
cat >"$T/barrier.sh" <<EOF
#!/bin/sh
: >"$T/bar.\$1"
i=0
while [ "\$(ls "$T" | grep -c '^bar\.')" -lt 5 ]; do
	i=\$((i + 1))
	[ \$i -lt 3000 ] || exit 1
	sleep 0.02
done
EOF
chmod +x "$T/barrier.sh"
run -j 0 "$T/barrier.sh" ::: 1 2 3 4 5 >/dev/null 2>"$T/log"
check "-j 0: 5 items of a barrier all run at once (exit $?)" [ $? -eq 0 ]
check "-j 0 over 5 items: 5 workers ($(starts "$T/log"))" starts_are "$T/log" 5
run -j 0 true ::: 1 2 3 >/dev/null 2>"$T/log"
check "-j 0 over 3 items starts exactly 3 workers ($(starts "$T/log"))" \
    starts_are "$T/log" 3
run -P 0 true ::: 1 2 >/dev/null 2>"$T/log"
check "-P 0 is -j 0 ($(starts "$T/log"))" starts_are "$T/log" 2
(ulimit -n 64 && exec "$POOLTOP_BIN" --headless -j 0 true ::: 1 2 3) \
    >/dev/null 2>"$T/log"
rc=$?
check "-j 0 under ulimit -n 64: exit 0 ($rc), 3 workers ($(starts "$T/log"))" \
    sh -c "[ $rc -eq 0 ] && [ $(starts "$T/log") -eq 3 ]"
check "... and no warning of the open file limit: as many as may be" \
    sh -c "! grep -q 'limited to' '$T/log'"
(ulimit -n 64 && exec "$POOLTOP_BIN" --headless -j 100 true ::: 1 2 3) \
    >/dev/null 2>"$T/log"
check "-j 100 under ulimit -n 64 still warns" grep -q 'limited to' "$T/log"
rm -f "$T/go"
bg "$POOLTOP_BIN" --headless --keep-open -j 0 "$T/gate.sh" {} ::: a \
    >/dev/null 2>"$T/zlog"
P=$!
check "-j 0: ctl status shows the target, 1024 or the open file limit's" \
    wait_for 30 sh -c "\"$POOLTOP_BIN\" ctl $P status 2>/dev/null |
    grep -Eq '^pool .*, workers 1/[0-9]{3,4}\$'"
: >"$T/go"
"$POOLTOP_BIN" ctl "$P" close >/dev/null 2>&1
reap "$P" 60
check "-j 0 keep-open pool: exit 0" [ $? -eq 0 ]
# --delay: one task starts, the next the delay later, so one worker is
# wanted at a time (the first task holds its worker: the second, due 30 s
# later, would want a worker of its own then), not one per task waiting.
rm -f "$T/go"
bg "$POOLTOP_BIN" --headless --delay 30 -j 4 "$T/gate.sh" {} ::: a b c \
    >/dev/null 2>"$T/dlog"
P=$!
check "--delay 30 -j 4 over 3 items: the first task starts" \
    wait_for 30 grep -q 'task\.start.* a$' "$T/dlog"
check "... on the one worker started ($(status_workers $P))" workers_are $P 1/4
"$POOLTOP_BIN" ctl "$P" stop >/dev/null 2>&1
: >"$T/go"
reap "$P" 60
check "... stopped: ended" [ $? -ne 124 ]
check "... 1 worker started in all ($(starts "$T/dlog"))" \
    starts_are "$T/dlog" 1
printf 'workers = 0;\n' >"$T/conf"
run -c "$T/conf" true ::: 1 2 >/dev/null 2>"$T/log"
check "workers = 0 in a config file is -j 0 ($(starts "$T/log"))" \
    starts_are "$T/log" 2
finish
