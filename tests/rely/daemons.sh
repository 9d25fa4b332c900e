#!/bin/sh
# Tasks that daemonize: processes that leave the task's process group
# (setsid, setsid -f, setpgid from python, `set -m` in bash, a classic
# double fork), one that stays in it (nohup ... &), one that ignores
# SIGTERM (so the termination sequence must reach SIGKILL) and a chain (an
# escapee that, on SIGTERM, starts a new setsid child and exits).  Each is
# left alive while its task runs, and ended when the task ends, however
# the pool ends: the tasks exit, SIGTERM or SIGKILL of the supervisor,
# --timeout, `ctl kill SLOT`, a resize that retires the worker.  The same
# for a persistent program that daemonizes helpers (--persistent): they
# live while it runs and end when it ends or is replaced.  Each run checks
# that no escapee is left (not even as a zombie) and the pool's exit status.
# Functions run through check and wait_for; lists of words split on purpose.
# shellcheck disable=SC2317,SC2086
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

LIMIT=${RELY_GONE_LIMIT:-3}		# seconds for the escapees to be gone
TO=${DAEMONS_TIMEOUT:-3}		# --timeout, seconds
KINDS="setsid setsid-f setpgid set-m double-fork nohup no-term chain"
PKINDS="setsid-f double-fork no-term chain"	# a persistent program's
command -v setsid >/dev/null || skip "no setsid(1)"
command -v bash >/dev/null || skip "no bash"
ntasks=0
nfaults=0

# kind KIND NAME: leave a process named NAME behind in the way KIND says,
# wait (bounded) until it has left this process group (nohup: until it
# runs), then write its "pid starttime" to $T/esc/NAME.
cat >"$T/kind" <<EOF
#!/bin/sh
K=\$1 N=\$2
PG=\$(awk '{ print \$5 }' /proc/\$\$/stat)
exec </dev/null >/dev/null 2>&1
case \$K in
setsid)		setsid sleep "\$N" & ;;
setsid-f)	setsid -f sleep "\$N" ;;
setpgid)	$PY -c 'import os, sys
os.setpgid(0, 0)
os.execvp("sleep", ["sleep", sys.argv[1]])' "\$N" & ;;
set-m)		bash -c 'set -m; sleep "\$1" &' bash "\$N" ;;
double-fork)	$PY -c 'import os, sys
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", sys.argv[1]])
    os._exit(0)
os.wait()' "\$N" ;;
nohup)		nohup sleep "\$N" & ;;
no-term)	setsid -f sh -c 'trap "" TERM; exec sleep "\$1"' sh "\$N" ;;
chain)		setsid -f sh -c 'trap "setsid -f sleep \${1}1; exit 0" TERM
		    while :; do sleep 0.05; done' "chain-\$N" "\$N" ;;
esac
pat="^sleep \$N\\\$"
[ "\$K" = chain ] && pat="chain-\$N "
i=0
while [ \$i -lt 1000 ]; do
	for p in \$(pgrep -f "\$pat"); do
		pg=\$(awk '{ print \$5 }' /proc/\$p/stat 2>/dev/null) || continue
		if [ "\$K" = nohup ] || [ "\$pg" != "\$PG" ]; then
			awk '{ print \$1, \$22 }' /proc/\$p/stat >"$T/esc/\$N.tmp" &&
			    mv "$T/esc/\$N.tmp" "$T/esc/\$N" && exit 0
		fi
	done
	sleep 0.02
	i=\$((i + 1))
done
exit 1
EOF
chmod +x "$T/kind"

# task MODE KIND: daemonize one of KIND (item N of KINDS: NAME $MARK.N),
# then exit (MODE end) or run until $T/go; KIND hold runs until $T/hold.
cat >"$T/task" <<EOF
#!/bin/sh
if [ "\$2" = hold ]; then
	while [ ! -e "$T/hold" ]; do sleep 0.05; done
	exit 0
fi
n=0
for k in $KINDS; do
	n=\$((n + 1))
	[ "\$k" = "\$2" ] && break
done
"$T/kind" "\$2" "$MARK.\$n" || exit 3
[ "\$1" = end ] && exit 0
while [ ! -e "$T/go" ]; do sleep 0.05; done
EOF
chmod +x "$T/task"

# prog: a persistent program that daemonizes helpers of PKINDS (NAME
# $MARK.<its pid><n>), then answers each line; `hold` waits for $T/go.
cat >"$T/prog" <<EOF
#!/bin/sh
n=0
for k in $PKINDS; do
	n=\$((n + 1))
	"$T/kind" "\$k" "$MARK.\$\$\$n" || exit 3
done
echo \$\$ "\$POOLTOP_SLOT" >>"$T/progs"
while read -r line; do
	if [ "\$line" = hold ]; then
		while [ ! -e "$T/go" ]; do sleep 0.05; done
	fi
	echo "ok \$line"
done
EOF
chmod +x "$T/prog"

# escapees: live processes of any kind of this test.
escapees() { pgrep -f "^sleep $MARK\\.|chain-$MARK\\." || true; }
# gone "PID START": that process exists no more (not even a zombie).
gone() {
	[ "$(awk '{ print $22 }' "/proc/${1%% *}/stat" 2>/dev/null)" != "${1#* }" ]
}
# recorded: every escapee recorded so far, as "pid:start".
recorded() { cat "$T"/esc/* 2>/dev/null | tr ' ' ':'; }
nrecorded() { find "$T/esc" -type f ! -name '*.tmp' | wc -l; }
nrecorded_is() { [ "$(nrecorded)" -eq "$1" ]; }
nrecorded_ge() { [ "$(nrecorded)" -ge "$1" ]; }
# all_escapees_gone: none recorded lives, none other is left.
all_escapees_gone() {
	for e in $(recorded); do
		gone "$(echo "$e" | tr ':' ' ')" || return 1
	done
	[ -z "$(escapees)" ]
}
all_recorded_alive() {
	for e in $(recorded); do
		! gone "$(echo "$e" | tr ':' ' ')" || return 1
	done
}
# no_zombie_child PIDS...: no child of these processes is a zombie.
no_zombie_child() {
	for w in "$@"; do
		for c in $(children "$w"); do
			[ "$(states "$c")" = Z ] && return 1
		done
	done
	return 0
}
fresh() { rm -rf "$T/esc" "$T/go" "$T/hold" "$T/progs"; mkdir "$T/esc"; }

# ended WHAT STATUS RC: the run ended with RC; check it and the escapees.
ended() {
	check "$1: exit status $2 (got $3)" [ "$3" -eq "$2" ]
	t0=$(now_ns)
	if wait_for "$LIMIT" all_escapees_gone; then
		ok "$1: no escapee left ($(ms_since "$t0") ms after the end)"
	else
		fail "$1: escapees left: $(escapees)"
	fi
	pkill -KILL -f "^sleep $MARK\\.|chain-$MARK\\." 2>/dev/null
}

# One-shot: a pool of one task per kind, and a task that holds the pool.
# oneshot MODE OPTIONS...: start it; wait until every kind has escaped.
oneshot() {
	fresh
	_m=$1; shift
	run_pool --headless -q -j9 "$@" "$T/task" "$_m" ::: $KINDS hold \
	    >/dev/null
	check "$_m: every kind escaped its group" wait_for 20 nrecorded_is 8
	workers=$(children "$pid")
	ntasks=$((ntasks + 9))
	nfaults=$((nfaults + 8))
}

# The tasks exit: their escapees end while the pool still runs.
oneshot end
t0=$(now_ns)
if wait_for "$LIMIT" all_escapees_gone; then
	ok "end: escapees ended with their tasks, pool running ($(ms_since "$t0") ms)"
else
	fail "end: escapees left after their tasks ended: $(escapees)"
fi
check "end: the pool still runs" alive "$pid"
check "end: no worker has a zombie child" wait_for 10 no_zombie_child $workers
touch "$T/hold"
wait "$pid"
ended end 0 $?

# While their tasks run, escapees are left alone.
for sig in TERM:143 KILL:137; do
	rc=${sig#*:} sig=${sig%:*}
	oneshot "$sig"
	check "$sig: escapees alive while their tasks run" all_recorded_alive
	check "$sig: the pool answers" wait_for 10 answers "$pid"
	kill "-$sig" "$pid"
	wait "$pid" 2>/dev/null
	ended "$sig" "$rc" $?
done

# --timeout: every task (hold too) is killed by its timeout.
oneshot timeout --timeout "$TO"
wait "$pid"
ended timeout 9 $?

# ctl kill SLOT, each slot that runs a kind: escapees end, pool runs on.
oneshot ctl-kill
check "ctl-kill: the pool answers" wait_for 10 answers "$pid"
for s in $(status_py "$pid" "' '.join(str(k) for k, v in s.items() if v['item'] in '$KINDS'.split())"); do
	"$POOLTOP_BIN" ctl "$pid" kill "$s" >/dev/null
done
t0=$(now_ns)
if wait_for "$LIMIT" all_escapees_gone; then
	ok "ctl-kill: escapees ended with their tasks ($(ms_since "$t0") ms)"
else
	fail "ctl-kill: escapees left: $(escapees)"
fi
check "ctl-kill: the pool still runs" alive "$pid"
check "ctl-kill: no worker has a zombie child" wait_for 10 no_zombie_child $workers
touch "$T/hold"
wait "$pid"
ended ctl-kill 8 $?

# resize 1: 8 workers retire as their tasks end; their escapees end.
oneshot resize
check "resize: the pool answers" wait_for 10 answers "$pid"
"$POOLTOP_BIN" ctl "$pid" resize 1 >/dev/null
touch "$T/go"
# Slot 1 is kept; the hold task's worker retires when it ends.
check "resize: the retired workers exited" \
    wait_for 20 is_py "$pid" "d['live_workers'] <= 2" True
t0=$(now_ns)
if wait_for "$LIMIT" all_escapees_gone; then
	ok "resize: escapees of the retired workers ended ($(ms_since "$t0") ms)"
else
	fail "resize: escapees left: $(escapees)"
fi
touch "$T/hold"
wait "$pid"
ended resize 0 $?

# Persistent mode.  persist MODE ITEMS OPTIONS...: start it, wait until the
# first program has daemonized its helpers.
npk=$(echo $PKINDS | wc -w)
persist() {
	fresh
	_m=$1 _items=$2; shift 2
	run_pool --headless -q "$@" --persistent "$T/prog" ::: $_items >/dev/null
	check "persistent $_m: helpers daemonized" wait_for 20 nrecorded_ge "$npk"
	ntasks=$((ntasks + $(echo $_items | wc -w)))
	nfaults=$((nfaults + npk))
}
nprogs_is() { [ "$(wc -l <"$T/progs" 2>/dev/null || echo 0)" -eq "$1" ]; }
# helpers_of PID: the recorded helpers of program PID, as "pid:start".
helpers_of() { cat "$T/esc/$MARK.$1"* 2>/dev/null | tr ' ' ':'; }
helpers_gone() {
	for e in $(helpers_of "$1"); do
		gone "$(echo "$e" | tr ':' ' ')" || return 1
	done
}
helpers_alive() {
	for e in $(helpers_of "$1"); do
		! gone "$(echo "$e" | tr ':' ' ')" || return 1
	done
}

# Replaced after each task (--max-tasks-per-worker 1): the helpers of the
# first two programs end while the third runs, whose own are left alone.
persist replaced "a b hold" -j1 --max-tasks-per-worker 1
check "persistent replaced: a third program runs" wait_for 20 nprogs_is 3
prog() { awk -v n="$1" 'NR == n { print $1 }' "$T/progs"; }
p1=$(prog 1) p2=$(prog 2) p3=$(prog 3)
check "persistent replaced: third program's helpers started" \
    wait_for 20 nrecorded_is $((3 * npk))
first_two_gone() { helpers_gone "$p1" && helpers_gone "$p2"; }
check "persistent replaced: helpers of programs 1 and 2 gone" \
    wait_for "$LIMIT" first_two_gone
check "persistent replaced: the running program's helpers are alive" helpers_alive "$p3"
touch "$T/go"
wait "$pid"
ended "persistent replaced" 0 $?

for sig in TERM:143 KILL:137; do
	rc=${sig#*:} sig=${sig%:*}
	persist "$sig" hold -j1
	check "persistent $sig: the pool answers" wait_for 10 answers "$pid"
	kill "-$sig" "$pid"
	wait "$pid" 2>/dev/null
	ended "persistent $sig" "$rc" $?
done

persist timeout hold -j1 --timeout "$TO"
wait "$pid"
ended "persistent timeout" 1 $?

# ctl kill 1: that program ends, and its helpers, while the other runs.
persist ctl-kill "hold hold" -j2
check "persistent ctl-kill: both programs started" wait_for 20 nrecorded_is $((2 * npk))
check "persistent ctl-kill: the pool answers" wait_for 10 answers "$pid"
p1=$(awk '$2 == 1 { print $1 }' "$T/progs")
p2=$(awk '$2 == 2 { print $1 }' "$T/progs")
"$POOLTOP_BIN" ctl "$pid" kill 1 >/dev/null
check "persistent ctl-kill: slot 1's helpers end" wait_for "$LIMIT" helpers_gone "$p1"
check "persistent ctl-kill: slot 2's helpers live" helpers_alive "$p2"
touch "$T/go"
wait "$pid"
ended "persistent ctl-kill" 1 $?

# resize 1 with two busy programs, the input still open: slot 2 retires
# once its task is answered; its program ends, and its helpers with it.
fresh
mkfifo "$T/fifo"
run_pool --headless -q -j2 --persistent "$T/prog" -a "$T/fifo" >/dev/null
exec 3>"$T/fifo"
printf 'hold\nhold\n' >&3
check "persistent resize: both programs started" wait_for 20 nrecorded_is $((2 * npk))
check "persistent resize: the pool answers" wait_for 10 answers "$pid"
p2=$(awk '$2 == 2 { print $1 }' "$T/progs")
p1=$(awk '$2 == 1 { print $1 }' "$T/progs")
"$POOLTOP_BIN" ctl "$pid" resize 1 >/dev/null
touch "$T/go"
check "persistent resize: slot 2 retired" wait_for 20 is_py "$pid" "d['live_workers']" 1
check "persistent resize: its program's helpers end" wait_for "$LIMIT" helpers_gone "$p2"
check "persistent resize: slot 1's helpers live" helpers_alive "$p1"
exec 3>&-
wait "$pid"
ended "persistent resize" 0 $?
ntasks=$((ntasks + 2))
nfaults=$((nfaults + 2 * npk))

figures tasks=$ntasks faults=$nfaults hostile=0 lost=0
finish
