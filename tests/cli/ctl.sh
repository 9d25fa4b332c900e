#!/bin/sh
# The control socket: every command of `pooltop ctl` against headless pools,
# then hostile clients (garbage, a 1 MB line, 200 held connections, half
# lines, another uid); after each the pool still answers and ends its work
# with the right results; the run's history in status --json.
. "$POOLTOP_SRCDIR/tests/lib.sh"

command -v perl >/dev/null 2>&1 || skip "perl is needed (tasks, raw socket clients)"
# Debian's own python3 first: a version manager's shim costs a second a call.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
command -v "$PY" >/dev/null 2>&1 || skip "python3 is needed to read JSON"

# A task: wait until its go file exists, then print its item.  One
# process that never forks, so a paused task is exactly one stopped process.
cat >"$T/task.pl" <<'EOF'
select(undef, undef, undef, 0.05) until -e $ARGV[0];
print "item $ARGV[1]\n";
EOF

# A raw client: ctlclient.pl SOCKET MODE ARG (see the modes below).
cat >"$T/ctlclient.pl" <<'EOF'
use strict;
use warnings;
use IO::Socket::UNIX;
use Socket;
$SIG{PIPE} = 'IGNORE';
alarm 30;
my ($path, $mode, $arg) = @ARGV;
sub conn {
	IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $path)
	    or die "connect $path: $!\n";
}
sub slurp {
	my ($s, $r) = (shift, '');
	while (1) {
		my $n = sysread($s, my $b, 65536);
		last if !$n;
		$r .= $b;
	}
	return $r;
}
if ($mode eq 'hex') {		# send these bytes, print the reply
	my $s = conn();
	syswrite($s, pack('H*', $arg));
	print slurp($s);
} elsif ($mode eq 'big') {	# send ARG bytes without a newline
	my $s = conn();
	my $chunk = 'a' x 65536;
	for (1 .. int($arg / 65536)) {
		last unless defined syswrite($s, $chunk);
	}
	print slurp($s);
} elsif ($mode eq 'half') {	# send ARG without its newline, hang up
	my $s = conn();
	syswrite($s, $arg);
	close($s);
	print "closed\n";
} elsif ($mode eq 'hold') {	# open ARG connections, then read each reply
	my @s = map { conn() } 1 .. $arg;
	print "opened ", scalar(@s), "\n";
	my %n;
	for my $s (@s) {
		my $r = slurp($s);
		$r =~ s/\n.*//s;
		$n{$r}++;
	}
	print "$n{$_} $_\n" for sort keys %n;
}
EOF

sock_of() { echo "$XDG_RUNTIME_DIR/pooltop/$1.sock"; }
client() { perl "$T/ctlclient.pl" "$@"; }
# status_py PID EXPR: evaluate a python expression over status --json (d).
status_py() {
	"$POOLTOP_BIN" ctl "$1" status --json 2>/dev/null | "$PY" -c "
import json, sys
d = json.load(sys.stdin)
s = {x['slot']: x for x in d['slots']}
print($2)"
}
is_py() { [ "$(status_py "$1" "$2")" = "$3" ]; }
answers() { "$POOLTOP_BIN" ctl "$1" status >/dev/null 2>&1; }
# Process states of every process in the given process groups.
group_states() {
	for g in "$@"; do
		for q in $(pgrep -g "$g"); do
			awk '{print $3}' "/proc/$q/stat" 2>/dev/null
		done
	done | sort -u | tr -d '\n'
}
states_are() { _want=$1; shift; [ "$(group_states "$@")" = "$_want" ]; }
has_no_T() { case "$(group_states "$@")" in *T*) return 1 ;; esac; }

# start_pool NAME GO NITEMS JOBS: a headless pool; its pid in $pid.
start_pool() {
	_items=$(seq -f "x%g" 1 "$3")
	# shellcheck disable=SC2086
	"$POOLTOP_BIN" --headless -q -j"$4" --name "$1" perl "$T/task.pl" "$2" {} \
	    ::: $_items >"$T/out.$1" 2>"$T/log.$1" &
	pid=$!
	_bgpids="${_bgpids:-} $pid"
}

# --- Pool A: every command, then the hostile clients -------------------
A=ctlA$$
start_pool "$A" "$T/goA" 6 2
a=$pid
check "pool answers status" wait_for 10 answers "$a"
check "status is text" sh -c "\"$POOLTOP_BIN\" ctl $a status | grep -q '^pool $a ($A): running, workers 2/2'"
check "status by name" sh -c "\"$POOLTOP_BIN\" ctl $A status | grep -q '^pool $a '"
check "two tasks run" wait_for 10 is_py "$a" "len([x for x in d['slots'] if x['task_pid'] > 0])" 2
check "status --json header" is_py "$a" "(d['supervisor_pid'], d['name'], d['total'], d['target_workers'])" "($a, '$A', 6, 2)"
check "ctl --json status" sh -c "\"$POOLTOP_BIN\" ctl --json $a status | \"$PY\" -c 'import json,sys; assert json.load(sys.stdin)[\"supervisor_pid\"] == $a'"
check "labels in JSON" is_py "$a" "s[1]['label'].startswith('perl ') and s[1]['item'] in ('x1', 'x2')" True

t1=$(status_py "$a" "s[1]['task_pid']")
t2=$(status_py "$a" "s[2]['task_pid']")
"$POOLTOP_BIN" ctl "$a" pause >"$T/r" 2>&1
check "pause replies" grep -q "pool paused" "$T/r"
check "pause: task processes in state T" wait_for 10 states_are T "$t1" "$t2"
check "pause: state paused" is_py "$a" "d['state']" paused
"$POOLTOP_BIN" ctl "$a" resume >/dev/null
check "resume: no process in state T" wait_for 10 has_no_T "$t1" "$t2"
"$POOLTOP_BIN" ctl "$a" pause 2 >/dev/null
check "pause 2: slot 2 stopped" wait_for 10 states_are T "$t2"
check "pause 2: slot 1 still runs" has_no_T "$t1"
"$POOLTOP_BIN" ctl "$a" resume 2 >/dev/null
check "resume 2" wait_for 10 has_no_T "$t2"

"$POOLTOP_BIN" ctl "$a" kill 9 2>"$T/r"
check "kill of a missing slot exits 1" [ $? -eq 1 ]
check "... and names the slot" grep -q "^error: no worker in slot 9 (1-2)" "$T/r"
"$POOLTOP_BIN" ctl "$a" kill 1 FOO 2>"$T/r"
check "bad signal exits 1" [ $? -eq 1 ]
"$POOLTOP_BIN" ctl "$a" frobnicate 2>/dev/null
check "unknown command exits 255" [ $? -eq 255 ]
"$POOLTOP_BIN" ctl 999999999 status 2>/dev/null
check "unknown pool exits 255" [ $? -eq 255 ]
"$POOLTOP_BIN" ctl --json "$a" pause 2>/dev/null
check "--json only with status" [ $? -eq 255 ]

"$POOLTOP_BIN" ctl "$a" kill 1 >/dev/null
check "kill 1: the task ends" wait_for 10 sh -c "[ -z \"\$(pgrep -g $t1)\" ]"
check "kill 1: counted as failed" wait_for 10 is_py "$a" "d['failed']" 1
check "kill 1: slot 1 takes the next task" wait_for 10 is_py "$a" "s[1]['task_pid'] not in (0, $t1)" True
t2=$(status_py "$a" "s[2]['task_pid']")
"$POOLTOP_BIN" ctl "$a" kill 2 KILL >/dev/null
check "kill 2 KILL: the task ends" wait_for 10 sh -c "[ -z \"\$(pgrep -g $t2)\" ]"
check "kill 2 KILL: failed 2" wait_for 10 is_py "$a" "d['failed']" 2
"$POOLTOP_BIN" ctl "$a" retry >/dev/null
check "retry queues them again" wait_for 10 is_py "$a" "(d['failed'], d['queued'] + d['running'])" "(0, 6)"

"$POOLTOP_BIN" ctl "$a" resize +2 >"$T/r"
check "resize +2 replies" grep -q "workers 2 -> 4" "$T/r"
check "resize +2: status shows 4/4" wait_for 10 is_py "$a" "(d['target_workers'], d['live_workers'])" "(4, 4)"
check "resize +2: ls shows 4/4" sh -c "\"$POOLTOP_BIN\" ls 2>/dev/null | awk '\$1 == $a {print \$4}' | grep -qx 4/4"

# Two of our pools live: ctl without an ID refuses to guess.
B=ctlB$$
start_pool "$B" "$T/goB" 4 2
b=$pid
check "pool B answers" wait_for 10 answers "$b"
"$POOLTOP_BIN" ctl status >/dev/null 2>"$T/r"
check "no ID with several pools: 255" [ $? -eq 255 ]
check "... listing them" grep -q "several live pools" "$T/r"

# Hostile clients against pool A; afterwards it holds no more fds than now.
sa=$(sock_of "$a")
nfds() { ls "/proc/$1/fd" | wc -l; }
fds0=$(nfds "$a")
fds_back() { [ "$(nfds "$a")" -le "$fds0" ]; }
client "$sa" hex 00ff01676172626167650a >"$T/r"
check "garbage bytes: error reply" grep -q "^error: request is not a line of text" "$T/r"
check "garbage: pool answers" answers "$a"
client "$sa" big 1048576 >"$T/r"
check "1 MB line: error reply" grep -q "^error: request too long" "$T/r"
check "1 MB line: pool answers" answers "$a"
client "$sa" half "stop" >/dev/null
check "half-sent stop: pool answers" answers "$a"
check "half-sent stop ran nothing" is_py "$a" "d['state']" running
client "$sa" hex 73746174 >"$T/r"
check "silent client times out" grep -q "^error: request timed out" "$T/r"
client "$sa" hold 200 >"$T/r"
check "200 connections opened" grep -qx "opened 200" "$T/r"
check "extra clients turned away" sh -c "awk '/too many clients/ {n = \$1} END {exit !(n >= 150)}' '$T/r'"
check "held clients time out" sh -c "awk '/timed out/ {n = \$1} END {exit !(n >= 16)}' '$T/r'"
check "every connection answered" sh -c "awk '/^[0-9]+ error/ {n += \$1} END {exit !(n == 200)}' '$T/r'"
check "after 200 connections: pool answers" wait_for 10 answers "$a"
check "every client fd closed" wait_for 10 fds_back

# Another uid: file modes opened wide, peer credentials still refuse it.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 755 "$T" "$XDG_RUNTIME_DIR"
	chmod 777 "$XDG_RUNTIME_DIR/pooltop"
	chmod 666 "$sa"
	chmod 644 "$T/ctlclient.pl"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	    perl "$T/ctlclient.pl" "$sa" hex 7374617475730a >"$T/r" 2>&1
	check "other uid: permission denied" grep -qx "error: permission denied" "$T/r"
	chmod 700 "$T" "$XDG_RUNTIME_DIR" "$XDG_RUNTIME_DIR/pooltop"
	chmod 600 "$sa"
	check "other uid: pool answers" answers "$a"
fi

touch "$T/goA"
wait "$a"
check "pool A ends with status 0 (the failures were retried)" [ $? -eq 0 ]
check "pool A: every item done once" [ "$(sort "$T/out.$A" | tr '\n' ' ')" = "item x1 item x2 item x3 item x4 item x5 item x6 " ]
check "pool A: socket removed" [ ! -e "$sa" ]

# --- Pool B: drain ------------------------------------------------------
"$POOLTOP_BIN" ctl "$b" drain >"$T/r"
check "drain replies" grep -q "draining" "$T/r"
check "draining is visible" is_py "$b" "d['state']" draining
touch "$T/goB"
wait "$b"
check "drained pool ends with status 0" [ $? -eq 0 ]
check "drain: only running tasks finished" [ "$(wc -l <"$T/out.$B")" -eq 2 ]

# --- Pool C: stop -------------------------------------------------------
C=ctlC$$
start_pool "$C" "$T/goC" 4 2
c=$pid
check "pool C answers" wait_for 10 answers "$c"
check "pool C runs two tasks" wait_for 10 is_py "$c" "d['running']" 2
check "status --json history: no task ended, no bucket" is_py "$c" \
    "(d['history']['ended'], d['history']['histogram'])" "(0, [])"
"$POOLTOP_BIN" ctl "$c" stop >"$T/r"
check "stop replies" grep -q "stopping" "$T/r"
wait "$c"
check "stopped: no task left" wait_for 5 no_process_with "$T/goC"
check "stopped: no segment" no_segment "$c"
check "stopped: no socket" [ ! -e "$(sock_of "$c")" ]
check "stopped: nothing ran to the end" [ ! -s "$T/out.$C" ]
# --- Pool H: the run's history in status --json --------------------------
# Four tasks of 0.3 s and one that waits, at -j2: once a sample counts the
# four, the history has them in the histogram, and its samples go forward.
cat >"$T/hist.sh" <<'EOF'
case $1 in
w) while [ ! -e "$2" ]; do sleep 0.05; done ;;
*) sleep "$1" ;;
esac
EOF
"$POOLTOP_BIN" --headless -q -j2 sh "$T/hist.sh" {} "$T/goH" \
    ::: 0.3 0.3 0.3 0.3 w >/dev/null 2>&1 &
h=$!
_bgpids="${_bgpids:-} $h"
check "pool H: a sample counts the four tasks ended" wait_for 20 is_py "$h" \
    "d['history']['samples'][-1]['finished'] if d['history']['samples'] else 0" 4
"$POOLTOP_BIN" ctl "$h" status --json >"$T/h.json"
if "$PY" - "$T/h.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
h = d['history']
assert h['ended'] == 4, h
assert h['period'] >= 1, h
# The history's first interval starts when the run does, as the header's
# time says, not when the segment was made.
assert h['start_real_ns'] == d['start_real_ns'], (h, d['start_real_ns'])
# The histogram: the buckets from the first used to the last, edges
# joined, every task counted once, none under 0.2 s.
b = h['histogram']
assert sum(x['count'] for x in b) == 4, b
assert b[0]['count'] > 0 and b[-1]['count'] > 0 and b[0]['from'] >= 0.2, b
assert all(x['to'] == y['from'] for x, y in zip(b, b[1:])), b
# The samples: time and count go forward, at most 2 busy, the waiter busy.
s = h['samples']
t = [h['start_real_ns']] + [x['real_ns'] for x in s]
assert all(a < b for a, b in zip(t, t[1:])), t
f = [x['finished'] for x in s]
assert f == sorted(f) and f[-1] == 4, f
assert all(0 <= x['busy'] <= 2 and x['cpu'] >= 0 and x['rss'] >= 0 for x in s), s
assert max(x['busy'] for x in s) >= 1, s
EOF
then
	ok "status --json history: samples and histogram of the run"
else
	fail "status --json history: samples and histogram of the run"
	sed 's/^/# /' "$T/h.json"
fi
touch "$T/goH"
reap "$h" 20
check "pool H ends with status 0" [ $? -eq 0 ]
finish
