#!/bin/sh
# `pooltop ls`: a live headless pool is listed (table and JSON); the segment
# and control socket of a pool killed with SIGKILL are removed by ls.
. "$POOLTOP_SRCDIR/tests/lib.sh"

command -v perl >/dev/null 2>&1 || skip "perl is needed for the tasks"
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
command -v "$PY" >/dev/null 2>&1 || skip "python3 is needed to read JSON"
command -v setsid >/dev/null 2>&1 || skip "setsid (util-linux) is needed"

# A task: wait until its go file exists, then print its item.  One
# process that never forks, so a paused task is exactly one stopped process.
cat >"$T/task.pl" <<'EOF'
select(undef, undef, undef, 0.05) until -e $ARGV[0];
print "item $ARGV[1]\n";
EOF
uid=$(id -u)
row() { "$POOLTOP_BIN" ls 2>/dev/null | awk -v p="$1" '$1 == p'; }
listed() { [ -n "$(row "$1")" ]; }
# field PID N: column N of the pool's row.
field() { row "$1" | awk -v n="$2" '{print $n}'; }
field_is() { [ "$(field "$1" "$2")" = "$3" ]; }
json_py() {
	"$POOLTOP_BIN" ls --json 2>/dev/null | "$PY" -c "
import json, sys
p = [x for x in json.load(sys.stdin) if x['id'] == $1]
print($2)"
}

# A live pool.
N=lsA$$
"$POOLTOP_BIN" --headless -q -j2 --name "$N" perl "$T/task.pl" "$T/go" {} \
    ::: a b c d >"$T/out" 2>"$T/log" &
a=$!
_bgpids="$a"
check "live pool listed" wait_for 10 listed "$a"
# ls lists a pool once its segment exists; its socket is bound just after.
check "its control socket is bound" wait_for 10 test -S "$XDG_RUNTIME_DIR/pooltop/$a.sock"
check "header" sh -c "\"$POOLTOP_BIN\" ls 2>/dev/null | head -1 | grep -Eq '^ID +NAME +STATE +WORKERS +PROGRESS +COMMAND$'"
check "name column" field_is "$a" 2 "$N"
check "state column" wait_for 10 field_is "$a" 3 running
check "workers live/target" wait_for 10 field_is "$a" 4 2/2
check "progress done/total" field_is "$a" 5 0/4
check "command column" sh -c "\"$POOLTOP_BIN\" ls | awk '\$1 == $a' | grep -q 'task.pl'"
check "json: one entry" [ "$(json_py "$a" "len(p)")" = 1 ]
check "json: fields" [ "$(json_py "$a" "(p[0]['name'], p[0]['workers'], p[0]['target'], p[0]['total'], p[0]['segment'].startswith('/pooltop.$uid.$a.'))")" = "('$N', 2, 2, 4, True)" ]
check "json: socket path" [ "$(json_py "$a" "p[0]['socket']")" = "$XDG_RUNTIME_DIR/pooltop/$a.sock" ]
check "json: the names of status --json" [ "$(json_py "$a" "(p[0]['supervisor_pid'], p[0]['live_workers'], p[0]['target_workers'], p[0]['socket_path'])")" = "($a, 2, 2, '$XDG_RUNTIME_DIR/pooltop/$a.sock')" ]
# One schema: every field of status --json is in ls --json but its slots
# and what the pool computes when asked (the man page says which).
"$POOLTOP_BIN" ctl "$a" status --json >"$T/status.json" 2>/dev/null
check "json: ls has each status --json field" [ "$(json_py "$a" "sorted(set(json.load(open('$T/status.json'))) - set(p[0]) - {'slots', 'stragglers', 'speculate', 'advice', 'failures', 'auto', 'history'})")" = "[]" ]
"$POOLTOP_BIN" ls --bogus >/dev/null 2>&1
check "bad argument: 255" [ $? -eq 255 ]
check "ls keeps a live pool's socket" [ -S "$XDG_RUNTIME_DIR/pooltop/$a.sock" ]
touch "$T/go"
wait "$a"
check "finished pool no longer listed" sh -c "! \"$POOLTOP_BIN\" ls 2>/dev/null | awk '\$1 == $a' | grep -q ."

# A pool killed outright: its workers are stopped first so that none can
# clean up after it, then everything is killed with SIGKILL.
rm -f "$T/go"
setsid "$POOLTOP_BIN" --headless -q -j2 perl "$T/task.pl" "$T/go" {} ::: e f \
    >/dev/null 2>&1 &
k=$!
_bgpids="$_bgpids $k"
check "second pool listed" wait_for 10 listed "$k"
nworkers_ge() { [ "$(workers_of "$1" | wc -l)" -ge "$2" ]; }
check "its workers started" wait_for 10 nworkers_ge "$k" 2
# The workers and the keeper (which would remove the segment and socket)
# die first, with the supervisor stopped so that it cannot act on their
# deaths; a stopped child of a dead parent would be continued by the kernel.
workers=$(pgrep -P "$k")
kill -STOP "$k"
# shellcheck disable=SC2086
kill -9 $workers
kill -9 "$k"
gone() { ! kill -0 "$1" 2>/dev/null; }
check "supervisor gone" wait_for 10 gone "$k"
touch "$T/go"	# the orphaned tasks end themselves
# The segment is left too, but any pooltop ls/ctl/attach of this user (a
# test running beside this one) may remove it first: only its absence
# after ls is checked.  The socket dir is this test's own.
check "stale socket left behind" [ -S "$XDG_RUNTIME_DIR/pooltop/$k.sock" ]
"$POOLTOP_BIN" ls >"$T/ls.out" 2>"$T/ls.err"
check "ls succeeds" [ $? -eq 0 ]
check "dead pool not listed" sh -c "! awk '\$1 == $k' '$T/ls.out' | grep -q ."
check "ls removed the segment" no_segment "$k"
check "ls removed the socket" [ ! -e "$XDG_RUNTIME_DIR/pooltop/$k.sock" ]
check "ls said so" grep -q "removed stale socket $XDG_RUNTIME_DIR/pooltop/$k.sock" "$T/ls.err"
check "orphaned tasks end" wait_for 10 no_process_with "$T/task.pl"
finish
